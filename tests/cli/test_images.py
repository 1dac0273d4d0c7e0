"""The image options shared by `nvreq env` and `nvreq check` (nvreq/cli/_images_cli.py), and
`nvreq env` on local inputs."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from nvreq.cli import _images_cli as ic
from nvreq.cli import main as cli_main
from nvreq.errors import InputError

LAYOUT = str(Path(__file__).resolve().parents[2] / "examples" / "cuda-12.4.1-layout")


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("images", nargs="*")
    ic.add_image_arguments(parser, many=True)
    return parser.parse_args(argv)


def test_image_refs_from_file_and_positional(tmp_path: Path) -> None:
    listing = tmp_path / "images.txt"
    cuda = "nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04"
    listing.write_text(f"# fleet images\n\n{cuda}\n  ubuntu  \n")
    args = _parse(["a:1", "--images-from", str(listing)])
    assert ic.image_refs(args, args.images) == ["a:1", cuda, "ubuntu"]
    with pytest.raises(InputError, match="no image given"):
        ic.image_refs(_parse([]), [])
    with pytest.raises(InputError, match="cannot read --images-from"):
        ic.image_refs(_parse(["--images-from", str(tmp_path / "nope")]), [])


def test_images_from_goes_through_the_capped_reader(tmp_path: Path) -> None:
    listing = tmp_path / "images.txt"
    listing.write_bytes(b"a:1\n" * (ic.MAX_IMAGES_FROM_BYTES // 4 + 1))
    with pytest.raises(InputError) as ctx:
        ic.image_refs(_parse(["--images-from", str(listing)]), [])
    assert str(ctx.value) == f"--images-from {listing} is larger than 1 MiB"


def test_images_from_reads_undecodable_bytes_without_a_traceback(tmp_path: Path) -> None:
    listing = tmp_path / "images.txt"
    listing.write_bytes(b"a:1\n\xff\n")
    assert ic.image_refs(_parse(["--images-from", str(listing)]), []) == ["a:1", "\ufffd"]


def test_image_options_platform_precedence() -> None:
    args = _parse(["--platform", "linux/arm64", "--insecure-registry", "r:5000"])
    options = ic.image_options(args, host_platform="linux/amd64")
    assert options["platform"] == "linux/arm64" and options["platform_source"] == "--platform"
    assert options["insecure_registries"] == ("r:5000",)
    options = ic.image_options(_parse([]), host_platform="linux/amd64")
    assert (options["platform"], options["platform_source"]) == ("linux/amd64", "host profile")
    assert "platform" not in ic.image_options(_parse([]))


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_read_all_progress_only_on_a_terminal() -> None:
    refs = [f"oci:{LAYOUT}", "Bad/Ref", f"oci:{LAYOUT}"]
    tty = _Tty()
    results = ic.read_all(refs, {"platform": "linux/amd64"}, jobs=2, stream=tty)
    assert [bool(r) for r in results] == [True, False, True]
    assert "[3/3]" in tty.getvalue() and tty.getvalue().endswith("\r\033[K")
    plain = io.StringIO()
    ic.read_all(refs, {"platform": "linux/amd64"}, stream=plain)
    assert plain.getvalue() == ""


def test_shown_env_and_table() -> None:
    env = ["PATH=/bin", "NVIDIA_VISIBLE_DEVICES=all", "CUDA_VERSION=12.4.1", "SECRET=x"]
    assert ic.shown_env(env, False) == (["NVIDIA_VISIBLE_DEVICES=all", "CUDA_VERSION=12.4.1"], 2,
                                        [])
    assert ic.shown_env(env, True) == ([*env[:3], "SECRET=<redacted>"], 0, ["SECRET"])
    assert ic.render_table(["a", "b"], [["xx", "y"]]) == "a   b\nxx  y"


def test_env_command_on_the_example(monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli_main, "COMMANDS", {"env": "nvreq.cli.env"})
    assert cli_main.main(["env", f"oci:{LAYOUT}", "--platform", "linux/amd64", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["platform"] == "linux/amd64" and doc["hidden"] == 4
    assert [e.split("=")[0] for e in doc["env"]] == [
        "NVIDIA_REQUIRE_CUDA", "CUDA_VERSION", "NVIDIA_VISIBLE_DEVICES",
        "NVIDIA_DRIVER_CAPABILITIES"]
    assert cli_main.main(["env", "ftp://x"]) == 2
    assert capsys.readouterr().err == ('nvreq: error: ftp://x: unknown transport "ftp"; use '
                                       "docker://, oci:, oci-archive:, docker-archive:, "
                                       "docker-daemon: or dockerfile:\n")
