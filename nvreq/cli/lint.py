"""``nvreq lint 'EXPR'``: every problem in a requirement expression, with its position."""

from __future__ import annotations

import argparse

from nvreq.cli.output import add_output_option, document, emit

__all__ = ["HELP", "add_arguments", "run"]

HELP = ("report every problem in an NVIDIA_REQUIRE_* expression (exit 2 when the runtime would "
        "reject a clause it reaches)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``nvreq lint``."""
    parser.add_argument("expression", nargs="+", help="one or more requirement expressions")
    parser.add_argument("--variable", default="NVIDIA_REQUIRE_CUDA",
                        help="the variable name shown in messages")
    add_output_option(parser, text="one line per problem")


def run(args: argparse.Namespace) -> int:
    """Lint each expression; exit 2 if any has an error-severity diagnostic."""
    from nvreq.require.lint import lint_requirement
    from nvreq.require.syntax import parse_requirement

    results = []
    for text in args.expression:
        requirement = parse_requirement(text, variable=args.variable)
        results.append((text, lint_requirement(requirement, args.variable)))
    if args.output != "text":
        emit(document("lint", results=[
            {"expression": text, "diagnostics": [d.to_dict() for d in diags]}
            for text, diags in results]), args.output)
    else:
        for text, diags in results:
            if not diags:
                print(f"ok: {text}")
            for diag in diags:
                print(diag.render())
    return 2 if any(d.severity == "error" for _, diags in results for d in diags) else 0
