"""``nvreq lint 'EXPR'``: every problem in a requirement expression, with its position."""

from __future__ import annotations

import argparse

from nvreq.cli.output import add_output_option, document, emit

__all__ = ["HELP", "add_arguments", "run"]

HELP = ("report every problem in an NVIDIA_REQUIRE_* expression (exit 2 when the runtime would "
        "reject a clause it reaches)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``nvreq lint``."""
    parser.add_argument("expression", nargs="+",
                        help="one or more requirement expressions (Dockerfiles with --dockerfiles)")
    parser.add_argument("--variable", default="NVIDIA_REQUIRE_CUDA",
                        help="the variable name shown in messages")
    parser.add_argument("--dockerfiles", action="store_true",
                        help="the arguments are Dockerfiles: lint every NVIDIA_REQUIRE_* their "
                        "last stage sets (base images are not read), as the pre-commit hook does")
    add_output_option(parser, text="one line per problem")


def run(args: argparse.Namespace) -> int:
    """Lint each expression; exit 2 if any has an error-severity diagnostic."""
    from nvreq.require.lint import lint_requirement
    from nvreq.require.syntax import parse_requirement

    results = []
    for where, variable, text in _inputs(args):
        requirement = parse_requirement(text, variable=variable)
        results.append((where, variable, text, lint_requirement(requirement, variable)))
    if args.output != "text":
        emit(document("lint", results=[
            {"expression": text, "diagnostics": [d.to_dict() for d in diags],
             **({"file": where, "variable": variable} if where else {})}
            for where, variable, text, diags in results]), args.output)
    else:
        for where, variable, text, diags in results:
            head = f"{where}: " if where else ""
            if not diags:
                print(f"ok: {head}{f'{variable}=' if where else ''}{text}")
            for diag in diags:
                print(head + diag.render())
    return 2 if any(d.severity == "error" for *_, diags in results for d in diags) else 0


def _inputs(args: argparse.Namespace) -> list[tuple[str | None, str, str]]:
    """``(file or None, variable, expression)`` for each expression to lint."""
    if not args.dockerfiles:
        return [(None, args.variable, text) for text in args.expression]
    from nvreq.images import read_image

    out: list[tuple[str | None, str, str]] = []
    for path in args.expression:
        info = read_image(f"dockerfile:{path}", no_base=True)
        out += [(path, key, value) for key, value in info.env_map.items()
                if key.startswith("NVIDIA_REQUIRE_")]
    return out
