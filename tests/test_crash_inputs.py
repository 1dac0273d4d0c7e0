"""Every input that once crashed or hung nvreq, run through the command line again.

The inputs live in ``tests/data/crashes/*.json``: the fuzzing campaign (``tests/fuzz``) and the
issue that listed them add an entry per crash. Each entry names its ``argv``, the ``files`` it
needs (``{name}`` in an argument stands for the file's path) and the exit codes allowed; a
traceback, a hang or another exit code fails. A text is a string or a list of parts, a part
``[text, n]`` meaning ``text`` repeated ``n`` times (so 200,000 brackets take a few bytes).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nvreq.cli.main import main

CRASHES = Path(__file__).parent / "data" / "crashes"


def _text(spec: Any) -> str:
    if isinstance(spec, str):
        return spec
    return "".join(part if isinstance(part, str) else part[0] * part[1] for part in spec)


def _cases() -> list[Any]:
    cases = []
    for file in sorted(CRASHES.glob("*.json")):
        for case in json.loads(file.read_text("utf-8")):
            cases.append(pytest.param(case, id=case["name"]))
    return cases


@pytest.mark.parametrize("case", _cases())
def test_crash_input_gives_a_clear_answer(case: dict[str, Any], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    paths = {}
    for name, content in case.get("files", {}).items():
        path = tmp_path / name
        path.write_bytes(_text(content).encode("utf-8", "surrogateescape"))
        paths[name] = str(path)
    argv = [_text(a) for a in case["argv"]]
    for name, path in paths.items():
        argv = [a.replace("{" + name + "}", path) for a in argv]
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse refusing an option value
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code in case["exit"], (code, err[-400:])
    assert case.get("stderr", "") in err
    assert case.get("stdout", "") in out
