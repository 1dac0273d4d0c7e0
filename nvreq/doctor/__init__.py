"""``nvreq doctor``: is this host ready for GPU containers?"""

from __future__ import annotations

from nvreq._lazy import door

TYPE_CHECKING = False
if TYPE_CHECKING:
    from nvreq.doctor.checks import BINARIES, Check, DoctorReport, run_doctor
    from nvreq.doctor.stack import STACK, Link, StackState, inspect_stack

__all__ = [
    "BINARIES",
    "STACK",
    "Check",
    "DoctorReport",
    "Link",
    "StackState",
    "inspect_stack",
    "run_doctor",
]

_TABLE = {
    "BINARIES": "nvreq.doctor.checks",
    "Check": "nvreq.doctor.checks",
    "DoctorReport": "nvreq.doctor.checks",
    "Link": "nvreq.doctor.stack",
    "STACK": "nvreq.doctor.stack",
    "StackState": "nvreq.doctor.stack",
    "inspect_stack": "nvreq.doctor.stack",
    "run_doctor": "nvreq.doctor.checks",
}

__getattr__ = door("nvreq.doctor", _TABLE)
