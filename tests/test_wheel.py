"""The built wheel carries the grammar: install it into a fresh venv and parse from outside."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("hatchling", reason="building the wheel needs hatchling (test extra)")
    out = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
               "-w", str(out), str(ROOT)]
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    (built,) = out.glob("nvreq-*.whl")
    return built


def test_wheel_contains_grammar_and_presets(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "nvreq/_grammar/require.lark" in names
    assert "nvreq/py.typed" in names
    assert any(n.startswith("nvreq/host/presets/") and n.endswith(".json") for n in names)


def test_wheel_ships_the_json_schemas_named_by_format_keys(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {n.removeprefix("nvreq/schema/") for n in names if n.startswith("nvreq/schema/")}
    assert shipped == {p.name for p in (ROOT / "docs" / "schema").glob("*.schema.json")}
    assert {"nvreq-host-1.schema.json", "nvreq-check-1.schema.json"} <= shipped


def test_installed_wheel_parses_with_lark_outside_the_source_tree(wheel: Path,
                                                                   tmp_path: Path) -> None:
    import lark

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                           "['purelib'])"], capture_output=True, text=True, check=True)
    purelib = Path(site.stdout.strip())
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(purelib)
    # the runtime dependencies, taken from this interpreter rather than the network
    deps = {str(Path(str(m.__file__)).resolve().parent.parent) for m in (lark,)}
    (purelib / "_deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    code = ("import nvreq.require.syntax as r; "
            "req = r.parse_requirement('cuda>=12.4 brand=tesla,driver>=535', parser='lark'); "
            "print(len(req.alternatives), r.__file__)")
    proc = subprocess.run([str(python), "-I", "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, check=False)
    assert proc.returncode == 0, proc.stderr
    count, location = proc.stdout.split()
    assert count == "2"
    assert str(ROOT) not in location
