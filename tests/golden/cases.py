"""The golden cases: ``nvreq`` command lines whose whole output is pinned byte for byte.

``python -m tests.golden.cases`` rewrites the expected files after an intended output change.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

HERE = Path(__file__).parent
LAYOUT = "oci:examples/cuda-12.4.1-layout"
CUDA_124 = "NVIDIA_REQUIRE_CUDA=cuda>=12.4 brand=tesla,driver>=470,driver<471"
ALL = "NVIDIA_VISIBLE_DEVICES=all"

CASES: dict[str, list[str]] = {
    "check-satisfied-text": ["check", "-e", CUDA_124, "-e", ALL, "--host", "preset:h100-r550"],
    "check-satisfied-json": ["check", "-e", CUDA_124, "-e", ALL, "--host", "preset:h100-r550",
                             "--json"],
    "check-unsatisfied-text": ["check", "-e", "NVIDIA_REQUIRE_CUDA=cuda>=12.8", "-e", ALL,
                               "--host", "preset:h100-r550"],
    "check-unsatisfied-json": ["check", "-e", "NVIDIA_REQUIRE_CUDA=cuda>=12.8", "-e", ALL,
                               "--host", "preset:t4-r470", "--json"],
    "check-error-json": ["check", "-e", "NVIDIA_VISIBLE_DEVICES=9", "-e",
                         "NVIDIA_REQUIRE_CUDA=cuda>=11.0", "--host", "preset:t4-r470", "--json"],
    "check-error-text": ["check", "-e", "NVIDIA_VISIBLE_DEVICES=9", "-e",
                         "NVIDIA_REQUIRE_CUDA=cuda>=11.0", "--host", "preset:t4-r470"],
    "check-not-checked-json": ["check", "-e", "NVIDIA_REQUIRE_CUDA=cuda>=13.0", "-e", ALL,
                               "-e", "NVIDIA_DISABLE_REQUIRE=1", "--host", "preset:h100-r550",
                               "--json"],
    "check-no-gpu-text": ["check", "-e", "NVIDIA_REQUIRE_CUDA=cuda>=13.0",
                          "--host", "preset:h100-r550"],
    "check-toolkit-json": ["check", "-e", "NVIDIA_REQUIRE_CUDA=cuda>=12.0 arch=9.0 brand=Tesla",
                           "-e", ALL, "--semantics", "toolkit", "--host", "preset:h100-r550",
                           "--json"],
    "check-toolkit-text": ["check", "-e", "NVIDIA_REQUIRE_CUDA=cuda>=12.8 brand=Tesla", "-e", ALL,
                           "--semantics", "toolkit", "--host", "preset:jetson-csv"],
    "check-image-text": ["check", LAYOUT, "--host", "preset:h100-r550"],
    "check-image-json": ["check", LAYOUT, "--host", "preset:t4-r470", "--json"],
    "check-gpus-json": ["check", "-e", "NVIDIA_REQUIRE_CUDA=cuda>=12.0", "--gpus",
                        '"device=1,3"', "--gpus", "capabilities=utility",
                        "--host", "preset:h100-r550", "--json"],
    "check-gpus-text": ["check", LAYOUT, "--gpus", "2", "--host", "preset:a100-r535"],
    "check-mig-json": ["check", "-e", "NVIDIA_VISIBLE_DEVICES=0:1", "-e",
                       "NVIDIA_REQUIRE_CUDA=cuda>=12.0", "--host", "preset:a100-mig-r535",
                       "--json"],
    "check-mig-jitcdi-text": ["check", "-e", ALL, "-e", "NVIDIA_REQUIRE_CUDA=cuda>=12.0",
                              "--mode", "jit-cdi", "--host", "preset:a100-mig-r535"],
    "check-bad-expression": ["check", "-e", "NVIDIA_REQUIRE_CUDA=cuda>=12.4 foo=1", "-e", ALL,
                             "--host", "preset:h100-r550"],
    "check-bad-input": ["check", "--host", "preset:nope", "-e", ALL],
    "explain-text": ["explain", "cuda>=12.4 brand=tesla,driver>=535,driver<536",
                     "--host", "preset:a100-r535"],
    "lint-text": ["lint", "cuda>=12.4 foo=1 brand>=tesla,driver>=10_0"],
    "fleet-text": ["fleet", LAYOUT, "--hosts", "preset:h100-r550", "--hosts", "preset:t4-r470",
                   "--hosts", "preset:rtx4090-r550"],
    "fleet-json": ["fleet", LAYOUT, "--hosts", "preset:h100-r550", "--hosts", "preset:t4-r470",
                   "--json"],
    "affinity-yaml": ["affinity", LAYOUT],
    "presets-text": ["presets"],
}


def run_case(argv: list[str]) -> tuple[int, str, str]:
    """Run ``nvreq ARGV`` in this process; the exit code, stdout and stderr."""
    from nvreq.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), err.getvalue()


def render(code: int, out: str, err: str) -> str:
    """One golden file: the exit code, then stdout and stderr, delimited."""
    return f"exit: {code}\n--- stdout\n{out}--- stderr\n{err}"


def path_for(name: str) -> Path:
    """Where the expected output of one case lives."""
    return HERE / f"{name}.txt"


def main() -> int:
    """Rewrite every golden file from the current code."""
    for name, argv in CASES.items():
        path_for(name).write_text(render(*run_case(argv)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
