"""Environments for ``nvreq fleet`` and ``nvreq affinity``: images, env files and ``-e`` entries."""

from __future__ import annotations

import argparse
from typing import Any

from nvreq._lazy import load
from nvreq.cli._common import read_env_file
from nvreq.errors import InputError

__all__ = ["add_env_options", "image_env", "labelled_envs"]


def add_env_options(parser: argparse.ArgumentParser, *, images: str) -> None:
    """IMAGE arguments, ``--env-file`` and ``--env``/``-e``."""
    parser.add_argument("images", nargs="*", metavar="IMAGE", help=images)
    parser.add_argument("--env-file", metavar="FILE", action="append", default=[],
                        help="KEY=VALUE lines (or a JSON list/object) standing for an image's "
                        "environment; repeatable")
    parser.add_argument("--env", "-e", metavar="KEY=VALUE", action="append", default=[],
                        help="an environment entry, added after the image's (later wins)")


def image_env(ref: str) -> list[str]:
    """An image's config ``Env``, read by ``nvreq.images``."""
    try:
        images: Any = load("nvreq.images")
    except ImportError:
        raise InputError(f"cannot read image {ref}: image reading is not available in this "
                         "installation; give its environment with --env-file") from None
    return list(images.read_image(ref).env)


def labelled_envs(args: argparse.Namespace) -> dict[str, list[str]]:
    """One environment per IMAGE and per ``--env-file``; ``-e`` entries are added to each, or
    make the only one when there is neither."""
    envs: dict[str, list[str]] = {}
    for ref in args.images:
        envs[ref] = image_env(ref)
    for path in args.env_file:
        envs[path] = read_env_file(path)
    if not envs:
        if not args.env:
            raise InputError("nothing to evaluate: give IMAGE, --env-file FILE or -e KEY=VALUE")
        return {"env": list(args.env)}
    return {label: [*env, *args.env] for label, env in envs.items()}
