"""``nvreq env IMAGE``: read an image's config and print its environment (a reader only)."""

from __future__ import annotations

import argparse

from nvreq.cli._images_cli import add_image_arguments
from nvreq.cli.output import add_output_option

__all__ = ["HELP", "add_arguments", "run"]

HELP = "print an image's resolved reference, digest, platform and config Env"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``IMAGE``, ``-o``, ``--all`` and the image options."""
    parser.add_argument("image", metavar="IMAGE",
                        help="registry reference, oci:DIR[:REF], oci-archive:FILE[:REF], "
                             "docker-archive:FILE[:REF], docker-daemon:REF, dockerfile:PATH, "
                             "or a local path")
    add_output_option(parser, text="a table")
    parser.add_argument("--all", action="store_true",
                        help="print every variable, not only NVIDIA_* and CUDA_VERSION")
    add_image_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Read the image and print it; errors go to the dispatcher (exit 2)."""

    from nvreq.cli._images_cli import image_options, print_image_notes, served_by_mirror, shown_env
    from nvreq.images import read_image

    info = read_image(args.image, **image_options(args))
    env, hidden, redacted = shown_env(info.env, args.all)
    print_image_notes(info)
    if args.output != "text":
        from nvreq.cli.output import document, emit

        emit(document("image", **{**info.details(), "env": env, "hidden": hidden,
                                  "redacted": redacted}), args.output)
        return 0
    rows = [("image", info.reference), ("resolved", info.resolved),
            ("platform", f"{info.platform} (target from {info.platform_source})")]
    if served_by_mirror(info):
        rows.append(("mirror", str(info.endpoint)))
    if info.index_digest:
        rows.append(("index", info.index_digest))
    if info.manifest_digest:
        rows.append(("manifest", info.manifest_digest))
    if info.config_digest:
        rows.append(("config", info.config_digest))
    rows.append(("verified", "yes" if info.verified else "no (not every piece has a digest)"))
    for name, value in rows:
        print(f"{name + ':':<10} {value}")
    if not info.env:
        print("no environment")
    for entry in env:
        origin = info.origins.get(entry.split("=", 1)[0]) if info.origins else None
        print(f"  {entry}" + (f"    # {origin}" if origin else ""))
    if hidden:
        print(f"  ({hidden} other variable{'s' * (hidden != 1)}; --all shows them)")
    if redacted:
        print(f"  (values hidden as secrets: {', '.join(redacted)})")
    return 0
