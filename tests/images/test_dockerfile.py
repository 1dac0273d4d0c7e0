"""``dockerfile:`` (images.md §2.9): word processing, ENV/ARG forms, stages, platform arguments,
and a real base image from a loopback registry (matrix row 14).

The tables are the spec's §2.9.3 and §2.9.6 examples, which restate BuildKit's documented
behaviour (moby/buildkit docs/reference.md and shell/lex.go @ 73ed682). BuildKit's own vector
files (shell/envVarTest, parser/testfiles/env/) could not be fetched on this machine (no network
beyond package registries), so they are not ported yet.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nvreq.images import read_image
from nvreq.images.errors import DockerfileError
from nvreq.images.shellword import WordError, process_word
from tests.images import world as w

ARM = "linux/arm64"


@pytest.mark.parametrize(("word", "expected"), [
    ("'a $B \\x'", "a $B \\x"),
    ('"a $B"', "a bee"),
    ('"a\\nb"', "a\\nb"),
    ("a\\ b", "a b"),
    ("a\\nb", "anb"),
    ("ab\\", "ab"),
    ("$B${B}", "beebee"),
    ("${U:-w}|${E:-w}|${E-w}", "w|w|"),
    ("${B:+w}|${E:+w}|${E+w}|${U+w}", "w||w|"),
    ("${P#*/}|${P##*/}|${P%/*}|${P%%/*}", "usr/local/bin|bin|/usr/local|"),
    ("${P/local/x}|${P//l/L}", "/usr/x/bin|/usr/LocaL/bin"),
    ("$ $1 $@ $#", "$   "),
    ('"a\\"b"', 'a"b'),
])
def test_word_processing(word: str, expected: str) -> None:
    assert process_word(word, {"B": "bee", "E": "", "P": "/usr/local/bin"}) == expected


@pytest.mark.parametrize(("word", "message"), [
    ("${}", "bad substitution"), ("${:x}", "bad substitution"),
    ('"abc', "unexpected end of statement while looking for matching double-quote"),
    ("${U:?m}", "U: m"), ("${U?}", "U: is not allowed to be unset"),
    ("${E:?}", "E: is not allowed to be empty"),
])
def test_word_errors(word: str, message: str) -> None:
    with pytest.raises(WordError) as ctx:
        process_word(word, {"E": ""})
    assert str(ctx.value) == message


@given(st.text(max_size=40))
@settings(max_examples=300)
def test_word_processing_never_fails_unexpectedly(text: str) -> None:
    with contextlib.suppress(WordError):
        process_word(text, {"A": "1"})


def _env(tmp_path: Path, text: str, *args: str, platform: str = "linux/amd64") -> list[str]:
    path = tmp_path / "Dockerfile"
    path.write_text(text)
    info = read_image(f"dockerfile:{path}", platform=platform, build_args=list(args),
                      no_base=True)
    return [e for e in info.env if not e.startswith("PATH=")]


@pytest.mark.parametrize(("body", "args", "expected"), [
    ("ENV A 1", (), ["A=1"]),
    ('ENV A=1 B="x y" C=x\\ y', (), ["A=1", "B=x y", "C=x y"]),
    ("ENV ONE TWO= THREE=world", (), ["ONE=TWO= THREE=world"]),
    ('ENV NVIDIA_REQUIRE_CUDA "cuda>=12.4 brand=tesla,driver>=470,driver<471"', (),
     ["NVIDIA_REQUIRE_CUDA=cuda>=12.4 brand=tesla,driver>=470,driver<471"]),
    ("ENV A='$B'", (), ["A=$B"]),
    ('ENV A="$B"', (), ["A="]),
    ('ENV A="a\\"b"', (), ['A=a"b']),
    ("ENV A='a\\\"b'", (), ['A=a\\"b']),
    ("ENV A=a\\nb", (), ["A=anb"]),
    ("ENV abc=hello\nENV abc=bye def=$abc\nENV ghi=$abc", (), ["abc=bye", "def=hello",
                                                               "ghi=bye"]),
    ("ENV A=1 \\\n    # note\n    B=2", (), ["A=1", "B=2"]),
    ("ENV A=1 \\\n\n    B=2", (), ["A=1", "B=2"]),
    ("ENV A=x#y", (), ["A=x#y"]),
    ("RUN <<EOF\nENV X=1\nEOF", (), []),
    ("RUN <<-EOF\n\tENV X=1\n\tEOF\nENV Y=2", (), ["Y=2"]),
    ("ARG V=12.4\nENV CUDA_VERSION=$V", (), ["CUDA_VERSION=12.4"]),
    ("ARG V=12.4\nENV CUDA_VERSION=$V", ("V=12.6",), ["CUDA_VERSION=12.6"]),
    ("ENV X=1\nARG X=2\nENV Y=$X", (), ["X=1", "Y=2"]),
    ("ENV A=$TARGETARCH", (), ["A="]),
    ("ARG TARGETARCH\nENV A=$TARGETARCH", (), ["A=amd64"]),
])
def test_conformance_examples(tmp_path: Path, body: str, args: tuple[str, ...],
                              expected: list[str]) -> None:
    assert _env(tmp_path, f"FROM scratch\n{body}\n", *args) == expected


def test_global_arg_needs_a_declaration_in_the_stage(tmp_path: Path) -> None:
    text = "ARG V=12.4\nFROM scratch\nENV CUDA_VERSION=$V\n"
    assert _env(tmp_path, text) == ["CUDA_VERSION="]
    text = "ARG V=12.4\nFROM scratch\nARG V\nENV CUDA_VERSION=$V\n"
    assert _env(tmp_path, text) == ["CUDA_VERSION=12.4"]


def test_stage_chosen_by_target_platform(tmp_path: Path) -> None:
    text = ("FROM scratch AS base-amd64\nENV NVIDIA_REQUIRE_CUDA=\"cuda>=12.4 brand=tesla,"
            "driver>=470,driver<471\"\nFROM scratch AS base-arm64\n"
            "ENV NVIDIA_REQUIRE_CUDA=cuda>=12.4\nFROM base-${TARGETARCH}\nARG TARGETARCH\n"
            "ENV A=$TARGETARCH\n")
    assert _env(tmp_path, text, platform=ARM) == ["NVIDIA_REQUIRE_CUDA=cuda>=12.4", "A=arm64"]
    assert _env(tmp_path, text)[0].endswith("driver<471")


def test_escape_directive_and_target_and_onbuild(tmp_path: Path) -> None:
    assert _env(tmp_path, "# escape=`\nFROM scratch\nENV A=1 `\n B=2\n") == ["A=1", "B=2"]
    text = ("FROM scratch AS one\nENV A=1\nONBUILD ENV C=3\nFROM one AS two\nENV B=2\n"
            "FROM scratch AS three\nENV Z=9\n")
    path = tmp_path / "Dockerfile"
    path.write_text(text)
    info = read_image(f"dockerfile:{path}", target_stage="TWO", platform="linux/amd64")
    assert [e for e in info.env if not e.startswith("PATH=")] == ["A=1", "C=3", "B=2"]
    assert info.origins["B"] == "Dockerfile:5" and info.digest is None


@pytest.mark.parametrize(("body", "message"), [
    ("ENV A", "Dockerfile:2: ENV must have two arguments"),
    ("ENV A=1 B", 'Dockerfile:2: Syntax error - can\'t find = in "B". Must be of the form: '
                  "name=value"),
    ("ENV =1", "Dockerfile:2: ENV names can not be blank"),
    ("FOO bar", "Dockerfile:2: unknown instruction: FOO"),
    ("RUN <<EOF\nnever closed", "Dockerfile:2: unterminated heredoc"),
    ("ENV A=${}", "Dockerfile:2: bad substitution"),
])
def test_dockerfile_errors(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(DockerfileError) as ctx:
        _env(tmp_path, f"FROM scratch\n{body}\n")
    assert str(ctx.value).endswith(message)


def test_file_level_errors(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    for text, message in [("# only a comment\n", "file with no instructions"),
                          ("ENV A=1\n", "no build stage in current context"),
                          ("# escape=x\nFROM scratch\n", "invalid escape token 'x'"),
                          ("FROM scratch\n", 'target stage "nope" could not be found')]:
        path.write_text(text)
        with pytest.raises(DockerfileError, match=message):
            read_image(f"dockerfile:{path}", target_stage="nope" if "target" in message else None,
                       platform="linux/amd64")


def test_sniffed_dockerfile_and_directory(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\nENV A=1\n")
    assert read_image(str(tmp_path), platform="linux/amd64").env[-1] == "A=1"
    (tmp_path / "gpu.txt").write_text("# comment\nARG X\nFROM scratch\nENV B=2\n")
    assert read_image(str(tmp_path / "gpu.txt"), platform="linux/amd64").env[-1] == "B=2"


# --- a real base image (row 14) ------------------------------------------------------------------

@pytest.fixture(scope="module")
def base_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    missing = w.missing_tools(("docker-registry", "skopeo", "umoci"))
    if missing:
        pytest.skip(f"needs {', '.join(missing)} on PATH (images.md §7.1)")
    work = tmp_path_factory.mktemp("dfbase")
    world = w.World(work)
    try:
        layout = w.build_layout(work)
        port, _ = world.registry("plain")
        w.skopeo_copy(f"oci:{layout}:multi", f"docker://127.0.0.1:{port}/test/cuda:multi",
                      "--all")
        yield f"127.0.0.1:{port}"
    finally:
        world.stop()


def test_external_base_env_and_origins(base_registry: str, tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text(f"FROM {base_registry}/test/cuda:multi\nENV CUDA_VERSION=12.4.1 "
                    "EXTRA=$FIXTURE_ARCH\n")
    info = read_image(f"dockerfile:{path}", platform=ARM)
    env = dict(e.split("=", 1) for e in info.env)
    assert env["CUDA_VERSION"] == "12.4.1" and env["EXTRA"] == "arm64"
    assert env["NVIDIA_REQUIRE_CUDA"] == "cuda>=12.0" and env["PATH"].startswith("/usr/local")
    assert info.origins["NVIDIA_REQUIRE_CUDA"].startswith(
        f"base {base_registry}/test/cuda:multi@sha256:")
    assert info.origins["CUDA_VERSION"] == "Dockerfile:2"
    partial = read_image(f"dockerfile:{path}", platform=ARM, no_base=True)
    assert "EXTRA=" in partial.env and not partial.verified
    assert any("FIXTURE_ARCH" in x for x in partial.warnings)


def test_unreadable_base_suggests_no_base(base_registry: str, tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text(f"FROM {base_registry}/test/absent:1\nENV A=1\n")
    with pytest.raises(DockerfileError, match=r"Dockerfile:1: cannot read base image .* use "
                                              "--no-base"):
        read_image(f"dockerfile:{path}", platform=ARM)
