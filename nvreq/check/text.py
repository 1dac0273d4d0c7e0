"""The human-readable report: verdict, the runtime's message, devices, per-clause trace, advice.

Rendered from what a ``Report`` holds; the renderer knows the report only by the members it reads
(``Renderable``), so that the report can offer ``explain()`` without the two importing each other.
"""

from __future__ import annotations

from nvreq._lazy import door
from nvreq.devices.select import render_device_table
from nvreq.formats.redact import redact_env
from nvreq.formats.tables import table_lines
from nvreq.require.semantics import AlternativeOutcome, ClauseOutcome, Verdict

TYPE_CHECKING = False  # typing itself costs start-up; mypy reads any TYPE_CHECKING as true
if TYPE_CHECKING:
    from collections.abc import Sequence

    from nvreq.check.renderable import Renderable
else:  # the protocol, from its own module when first read
    __getattr__ = door(__name__, {"Renderable": "nvreq.check.renderable"})

__all__ = ["Renderable", "render"]


def _host_line(report: Renderable) -> str:
    host = report.host
    names = sorted({g.name or "GPU" for g in host.gpus})
    gpus = f"{len(host.gpus)} × {', '.join(names)}" if host.gpus else "no GPU"
    label = f"{host.name}: " if host.name else ""
    return (f"host: {label}{gpus}, driver {host.driver or 'unknown'}, "
            f"CUDA {host.cuda or 'unknown'}")


def _clause_note(c: ClauseOutcome) -> str:
    key = c.clause.name
    if c.reason == "no-device":
        return "no GPU selected: holds without comparing"
    if c.reason == "unknown":
        return f"host {key} unknown: assumed" if c.status == "true" else f"host {key} unknown"
    if c.status == "invalid":
        return f"invalid ({c.reason})" + (f", host {key}={c.actual}" if c.actual else "")
    if c.actual is not None:
        return f"host {key}={c.actual}"
    return ""


def _decisive(alt: AlternativeOutcome) -> ClauseOutcome | None:
    for c in alt.clauses:
        if c.status in ("false", "invalid"):
            return c
    return None


def _short(text: str, width: int = 44) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _alternative_line(alt: AlternativeOutcome) -> str:
    text = _short(str(alt.alternative))
    if alt.status == "stop":
        return f"  {text!r:<44} stops evaluation (a term of commas only)"
    decisive = _decisive(alt)
    if alt.status == "satisfied":
        notes = [_clause_note(c) for c in alt.clauses if c.reason in ("unknown", "no-device")]
        note: str = alt.kind or ""
        return f"  {text:<44} yes      {'; '.join([note, *notes]).strip('; ')}".rstrip()
    mark = "ERROR" if alt.status == "error" else "no"
    note = f"{decisive.clause}: {_clause_note(decisive)}" if decisive is not None else ""
    return f"  {text:<44} {mark:<8} {note}".rstrip()


def _brand_miss(alt: AlternativeOutcome) -> ClauseOutcome | None:
    decisive = _decisive(alt)
    if alt.status == "unsatisfied" and decisive is not None and decisive.clause.name == "brand":
        return decisive
    return None


def _verdict_lines(variable: str, verdict: Verdict) -> list[str]:
    where = f" on GPU {verdict.context.gpu}" if verdict.context.gpu else " (no GPU selected)"
    head = {"satisfied": "satisfied", "unsatisfied": "not satisfied", "error": "ERROR"}
    lines = [f"{variable}: {head[verdict.result]}{where}"]
    reached = [a for a in verdict.alternatives if a.status not in ("empty", "not-reached")]
    pending: list[AlternativeOutcome] = []

    def flush() -> None:
        if len(pending) == 1:
            lines.append(_alternative_line(pending[0]))
        elif pending:
            brands = sorted({str(_brand_miss(a).clause.value) for a in pending  # type: ignore[union-attr]
                             }, key=str.lower)
            actual = _brand_miss(pending[0]).actual  # type: ignore[union-attr]
            lines.append(f"  {len(pending)} terms for brands {', '.join(brands)}: no, "
                         f"host brand={actual}")
        pending.clear()

    for alt in reached:
        if _brand_miss(alt) is not None:
            pending.append(alt)
            continue
        flush()
        lines.append(_alternative_line(alt))
    flush()
    skipped = sum(1 for a in verdict.alternatives if a.status == "not-reached")
    if skipped:
        lines.append(f"  ({skipped} later alternatives not reached)")
    return lines


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    if len(rows) <= 1:
        return ["  (the host has no GPU)"]
    return table_lines(rows, indent="  ")


def render(report: Renderable) -> str:
    """Render a report as text for a terminal."""
    lines = [f"verdict: {report.verdict}" + (f" ({report.reason}; would be {report.would_be})"
                                             if report.reason else "")]
    image = report.image
    if image is not None:
        entries, redacted = redact_env(image.env)
        lines.append(f"image: {image.reference} @ {image.digest or 'no digest'} "
                     f"({image.platform})")
        lines.extend(f"  {_short(entry, 160)}" + (f" ({len(entry)} characters; --json shows all)"
                                                   if len(entry) > 160 else "")
                     for entry in entries)
        if redacted:
            lines.append(f"  (values hidden as secrets: {', '.join(redacted)})")
    lines += [_host_line(report),
             f"mode: {report.mode}, semantics: {report.semantics} "
             f"(toolkit behaviour {report.toolkit_behaviour})"]
    if report.runtime_message:
        lines.append(f"runtime: {report.runtime_message}")
    if report.order_dependent:
        lines.append("the runtime may print any of these, depending on its random order:")
        lines.extend(f"  - {m}" for m in report.runtime_messages)
    if report.gpu_container:
        lines.append(f"requested: {','.join(report.requested) or '(none)'}; selected "
                     f"{len(report.devices)} device(s):")
        selection = report.selection
        lines.extend(_table(() if selection is None else
                            render_device_table(report.host, selection)))
    else:
        lines.append("not a GPU container: the runtime checks nothing")
    if report.capabilities is not None:
        lines.append(f"capabilities: {','.join(report.capabilities) or '(none)'}")
    for result in report.requirements:
        verdicts = result.verdicts
        if not verdicts:
            continue
        failing = [v for v in verdicts if not v]
        shown = failing[0] if failing else verdicts[0]
        lines.extend(_verdict_lines(result.variable, shown))
    diffs = report.disagreements or ()
    if diffs:
        rows: dict[str, int] = {}
        for d in diffs:
            rows[f"row {d.row}: {d.topic}"] = rows.get(f"row {d.row}: {d.topic}", 0) + 1
        lines.append("where cli and toolkit disagree on this text: "
                     + "; ".join(f"{k} ({n}×)" for k, n in rows.items()))
    for warning in report.warnings:
        lines.append(f"warning: {warning}")
    for diag in report.diagnostics:
        lines.append(diag.render())
    for advice in report.advice:
        lines.append(f"advice: {advice.message}")
    return "\n".join(lines)
