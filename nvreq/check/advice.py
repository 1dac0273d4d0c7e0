"""Beyond the runtime's verdict: what would make an image pass, and which compatibility applies.

Uses the CUDA ↔ driver tables of ``nvreq.check.cuda_table``. Trying each driver branch needs only
verdicts, so it runs on the compiled evaluator.
"""

from __future__ import annotations

from nvreq._frozen import frozen
from nvreq.check.cuda_table import BRANCHES, min_driver_for_cuda, mvc_min_driver
from nvreq.require.compiled import Result, compiled_for, context_key
from nvreq.require.semantics import Context, Verdict
from nvreq.require.syntax import Requirement
from nvreq.require.versions import compare_versions, version_key

TYPE_CHECKING = False  # typing itself costs start-up; mypy reads any TYPE_CHECKING as true
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

__all__ = ["Advice", "advise"]

_DATA_CENTER_BRANDS = frozenset(("tesla", "nvidia", "unknown", "grid", "vapps", "vpc", "vcs",
                                 "vws", "cloudgaming"))


@frozen
class Advice:
    """One piece of advice: a code, a sentence, and the facts behind it."""

    code: str
    message: str
    facts: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"code": self.code, "message": self.message, **dict(self.facts)}


def _image_cuda(requirements: Sequence[tuple[str, Requirement]]) -> str | None:
    """The CUDA version the image asks for: the first ``cuda>=`` clause of the first term."""
    for _, req in requirements:
        for alt in req.alternatives:
            for clause in alt.clauses:
                if clause.name == "cuda" and clause.operator == ">=" and version_key(clause.value):
                    return clause.value
            if alt.clauses:
                break
    return None


def _passes(requirements: Sequence[tuple[str, Requirement]], ctx: Context) -> bool:
    key = context_key(ctx)
    return all(compiled_for(req).evaluate_key(key) is Result.SATISFIED for _, req in requirements)


def advise(requirements: Sequence[tuple[str, Requirement]], failing: Context,
           satisfied: Sequence[Verdict] = ()) -> list[Advice]:
    """Advice for a failing context (its GPU's brand and arch), and notes on satisfied verdicts."""
    out: list[Advice] = []
    image_cuda = _image_cuda(requirements)
    if image_cuda and failing.cuda and compare_versions(failing.cuda, image_cuda) == -1:
        driver = min_driver_for_cuda(image_cuda)
        if driver:
            out.append(Advice("min-driver", f"cuda>={image_cuda} needs a driver that reports CUDA "
                              f"{image_cuda} or newer: {driver} or later (host driver "
                              f"{failing.driver}, CUDA {failing.cuda})",
                              (("cuda", image_cuda), ("driver", driver))))
    for branch in BRANCHES:
        trial = Context(branch.cuda, branch.first_driver, failing.device, failing.arch,
                        failing.brand, failing.gpu, failing.unknown)
        if _passes(requirements, trial):
            out.append(Advice("oldest-branch", f"the oldest driver branch that satisfies the image "
                              f"on this GPU (brand {failing.brand or 'unknown'}, arch "
                              f"{failing.arch or 'unknown'}) is {branch.name} "
                              f"({branch.first_driver}, CUDA {branch.cuda})",
                              (("branch", branch.name), ("driver", branch.first_driver),
                               ("cuda", branch.cuda))))
            break
    else:
        out.append(Advice("no-branch", "no driver branch in the CUDA tables satisfies the image on "
                          "this GPU"))
    if image_cuda and failing.cuda and failing.driver:
        want, have = version_key(image_cuda), version_key(failing.cuda)
        mvc = mvc_min_driver(want[0]) if want else None
        if want and have and want[0] == have[0] and want > have and mvc and \
                compare_versions(failing.driver, mvc) in (0, 1):
            out.append(Advice("minor-version-compatibility",
                              f"CUDA minor-version compatibility would run this image on driver "
                              f"{failing.driver} (CUDA {failing.cuda}, {want[0]}.x needs >= {mvc}) "
                              "with a limited feature set, but the runtime refuses it: set "
                              "NVIDIA_DISABLE_REQUIRE=true only if you accept that",
                              (("mvc_min_driver", mvc),)))
    out.extend(forward_compatibility_notes(satisfied))
    return out


def forward_compatibility_notes(verdicts: Sequence[Verdict]) -> list[Advice]:
    """A note for each distinct satisfied driver-branch term (forward compatibility)."""
    out: list[Advice] = []
    seen: set[str] = set()
    for verdict in verdicts:
        for alt in verdict.alternatives:
            if alt.kind != "driver-branch" or str(alt.alternative) in seen:
                continue
            seen.add(str(alt.alternative))
            brand = (verdict.context.brand or "unknown").lower()
            where = ("applies only to data-center GPUs and select RTX server SKUs"
                     if brand in _DATA_CENTER_BRANDS else
                     f"does not apply to a {verdict.context.brand} GPU: expect CUDA error 804 "
                     "(forward compatibility was attempted on non supported HW)")
            out.append(Advice("forward-compatibility", f"matched the driver-branch term "
                              f"'{alt.alternative}': the image's cuda-compat libraries provide "
                              f"forward compatibility, which {where}",
                              (("term", str(alt.alternative)),)))
    return out
