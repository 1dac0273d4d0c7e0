"""Environments for ``nvreq fleet`` and ``nvreq affinity``: images, env files and ``-e`` entries.

Images are read as ``nvreq check`` reads them (the same options, :mod:`nvreq.cli._images_cli`),
once per platform asked for: a multi-platform image may need more on one architecture.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import Any

from nvreq._frozen import field, frozen
from nvreq.cli._common import read_env_file
from nvreq.cli._images_cli import add_image_arguments
from nvreq.errors import InputError, NvreqError

__all__ = ["LabelledEnv", "add_env_options", "labelled_envs"]


def add_env_options(parser: argparse.ArgumentParser, *, images: str) -> None:
    """IMAGE arguments, ``--env-file``, ``--env``/``-e`` and the image options of ``check``."""
    parser.add_argument("images", nargs="*", metavar="IMAGE", help=images)
    parser.add_argument("--env-file", metavar="FILE", action="append", default=[],
                        help="KEY=VALUE lines (or a JSON list/object) standing for an image's "
                        "environment; repeatable")
    parser.add_argument("--env", "-e", metavar="KEY=VALUE", action="append", default=[],
                        help="an environment entry, added after the image's (later wins)")
    add_image_arguments(parser)


@frozen
class LabelledEnv:
    """One column: its environment, and for an image read per platform, the environment (or
    the error) of each platform (``linux/arm64``; ``""`` for this machine's)."""

    env: list[str]
    per_platform: dict[str, list[str] | NvreqError] = field(default_factory=dict)


def _read(ref: str, args: argparse.Namespace, platform: str | None) -> list[str]:
    from nvreq.cli._images_cli import image_options
    from nvreq.images import read_image

    options: dict[str, Any] = image_options(args)
    if platform and not args.platform:
        options.update(platform=platform, platform_source="host profile")
    return list(read_image(ref, **options).env)


def _image(ref: str, args: argparse.Namespace, platforms: tuple[str, ...]) -> LabelledEnv:
    try:
        import nvreq.images  # noqa: F401  (the reader, not only its errors, must load)
        from nvreq.images.errors import PlatformMismatch, PlatformNotFound
    except ImportError:
        raise InputError(f"cannot read image {ref}: image reading is not available in this "
                         "installation; give its environment with --env-file") from None

    if args.platform or not platforms:
        return LabelledEnv(_read(ref, args, None))
    per: dict[str, list[str] | NvreqError] = {}
    for platform in platforms:
        try:
            per[platform] = _read(ref, args, platform)
        except (PlatformNotFound, PlatformMismatch) as exc:
            per[platform] = exc
    found = [env for env in per.values() if not isinstance(env, NvreqError)]
    if not found:
        raise next(e for e in per.values() if isinstance(e, NvreqError))
    return LabelledEnv(found[0], per)


def labelled_envs(args: argparse.Namespace, platforms: Iterable[str] = ()
                  ) -> dict[str, LabelledEnv]:
    """One environment per IMAGE (read for each of ``platforms``, ``""`` standing for this
    machine's, unless ``--platform`` names one) and per ``--env-file``; ``-e`` entries are added
    to each, or make the only one."""
    wanted = tuple(sorted(set(platforms)))
    envs: dict[str, LabelledEnv] = {}
    for ref in args.images:
        envs[ref] = _image(ref, args, wanted)
    for path in args.env_file:
        envs[path] = LabelledEnv(read_env_file(path))
    if not envs:
        if not args.env:
            raise InputError("nothing to evaluate: give IMAGE, --env-file FILE or -e KEY=VALUE")
        return {"env": LabelledEnv(list(args.env))}
    return {label: LabelledEnv(
        [*e.env, *args.env],
        {p: v if isinstance(v, NvreqError) else [*v, *args.env] for p, v in e.per_platform.items()})
        for label, e in envs.items()}
