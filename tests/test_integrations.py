"""The files other tools run nvreq through: the Dockerfile and the pre-commit hooks.

Docker is not available where the tests run, so the Dockerfile is read with nvreq's own
Dockerfile reader and its build stage is replayed: the files it copies are the build context
.dockerignore lets through, and they build the wheel.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from nvreq.cli.main import main
from nvreq.images import read_image
from nvreq.images.dockerparse import Instruction, parse, read

ROOT = Path(__file__).resolve().parent.parent


def _stages() -> list[list[Instruction]]:
    _, instructions, warnings = parse(str(ROOT / "Dockerfile"), read(str(ROOT / "Dockerfile")))
    assert not warnings
    stages: list[list[Instruction]] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            stages.append([])
        stages[-1].append(instruction)
    return stages


def test_the_dockerfile_reads_with_nvreqs_own_reader() -> None:
    info = read_image(f"dockerfile:{ROOT / 'Dockerfile'}", no_base=True)
    assert info.transport == "dockerfile"
    assert info.warnings == ("--no-base: external base images were not read; the Env is partial",)


def test_the_final_stage_runs_nvreq_as_an_unprivileged_user() -> None:
    final = _stages()[-1]
    by_keyword = {i.keyword: i.args for i in final}
    assert json.loads(by_keyword["ENTRYPOINT"]) == ["nvreq"]
    assert by_keyword["USER"] != "root" and not by_keyword["USER"].startswith("0")
    assert by_keyword["ARG"] == "EXTRAS=nvml" and "[${EXTRAS}]" in by_keyword["RUN"]
    copy = next(i for i in final if i.keyword == "COPY")
    assert (copy.flags, copy.args) == (("from=build",), "/wheels /wheels")


def _context(tmp_path: Path) -> Path:
    """The build context as docker would send it: what .dockerignore lets through."""
    allowed = [line[1:].rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.startswith("!")]
    context = tmp_path / "context"
    for name in allowed:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, context / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (context / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, context / name)
    return context


def test_every_copy_of_the_build_stage_is_in_the_build_context(tmp_path: Path) -> None:
    context = _context(tmp_path)
    copies = [i.args.split()[:-1] for i in _stages()[0] if i.keyword == "COPY"]
    assert copies and all((context / source).exists() for sources in copies for source in sources)


def test_the_build_stage_builds_the_wheel_from_that_context(tmp_path: Path) -> None:
    pytest.importorskip("hatchling", reason="building the wheel needs hatchling (test extra)")
    context = _context(tmp_path)
    out = tmp_path / "wheels"
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                           "--no-build-isolation", "-q", "-w", str(out), str(context)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    (wheel,) = out.glob("nvreq-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "nvreq/cli/main.py" in names and "nvreq/_grammar/require.lark" in names
    assert "nvreq/schema/nvreq-check-1.schema.json" in names


HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())


def test_hooks_have_the_fields_pre_commit_requires() -> None:
    assert [h["id"] for h in HOOKS] == ["nvreq-lint", "nvreq-check"]
    for hook in HOOKS:
        assert {"id", "name", "entry", "language"} <= set(hook) and hook["language"] == "python"


@pytest.mark.parametrize("name", ["Dockerfile", "gpu/Dockerfile.cuda", "Containerfile",
                                  "train.Dockerfile", "x/Dockerfile-dev"])
def test_hooks_match_dockerfile_names(name: str) -> None:
    assert all(re.search(h["files"], name) for h in HOOKS)


@pytest.mark.parametrize("name", ["README.md", "Dockerfiles/notes.txt", "docker.py"])
def test_hooks_skip_other_files(name: str) -> None:
    assert not any(re.search(h["files"], name) for h in HOOKS)


def _hook(hook_id: str, *args: str) -> list[str]:
    entry = next(h["entry"] for h in HOOKS if h["id"] == hook_id).split()
    assert entry[0] == "nvreq"
    return [*entry[1:], *args]


def test_the_lint_hook_fails_on_a_bad_requirement(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = tmp_path / "good" / "Dockerfile", tmp_path / "bad" / "Dockerfile"
    good.parent.mkdir()
    bad.parent.mkdir()
    good.write_text('FROM scratch\nENV NVIDIA_REQUIRE_CUDA="cuda>=12.4 brand=tesla,driver>=535"\n')
    bad.write_text("FROM scratch\nENV NVIDIA_REQUIRE_ARCH=arch>=8.0,foo=1\n")
    assert main(_hook("nvreq-lint", str(good))) == 0
    assert main(_hook("nvreq-lint", str(good), str(bad))) == 2
    out = capsys.readouterr().out
    assert f"{bad}: error[unknown-key] NVIDIA_REQUIRE_ARCH" in out


def test_the_check_hook_checks_against_the_host_given_in_args(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM scratch\nENV NVIDIA_VISIBLE_DEVICES=all "
                          "NVIDIA_REQUIRE_CUDA=cuda>=12.8\n")
    assert main(_hook("nvreq-check", "--host", "preset:h100-r550", "--no-base",
                      str(dockerfile))) == 1
    assert "verdict: unsatisfied" in capsys.readouterr().out
    assert main(_hook("nvreq-check", "--host", "preset:h100-r570", "--no-base",
                      str(dockerfile))) == 0
