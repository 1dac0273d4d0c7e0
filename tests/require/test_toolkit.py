"""The toolkit's Go evaluator (require.md §13), checked against the spec's rows and messages."""

from __future__ import annotations

from collections.abc import Sequence
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nvreq.host.profile import Gpu, HostProfile, RuntimeSettings
from nvreq.require.gosemver import Behaviour
from nvreq.require.semantics import Context, evaluate
from nvreq.require.syntax import parse_requirement
from nvreq.require.toolkit import (
    NOT_MET,
    DroppedClause,
    ToolkitClause,
    ToolkitFacts,
    evaluate_toolkit,
    facts_for_comparison,
    facts_for_csv_host,
    parse_clause,
)
from nvreq.require.toolkit_diff import disagreements

# Hosts of require.md §12, plus a Jetson-like CSV host (host.md §7, preset jetson-csv).
A = HostProfile(gpus=(Gpu(0, brand="Nvidia", arch="9.0"),), driver="550.54.15", cuda="12.4")
B = HostProfile(gpus=(Gpu(0, brand="Tesla", arch="7.5"),), driver="535.104.05", cuda="12.2")
D = HostProfile(gpus=(Gpu(0, brand="Nvidia", arch="9.0"), Gpu(1, brand="Tesla", arch="7.5")),
                driver="550.54.15", cuda="12.4")
NO_CUDA = HostProfile(gpus=(Gpu(0, brand="Nvidia", arch="9.0"),), driver="550.54.15")
JETSON = HostProfile(gpus=(Gpu(0, arch="8.7"),), cuda="12.2",
                     runtime=RuntimeSettings(mode="csv", platform="tegra"))
HOSTS = {"A": A, "B": B, "D": D, "no-cuda": NO_CUDA, "jetson": JETSON}

#: NVIDIA_REQUIRE_CUDA of the official 12.4.1 images: `cuda>=12.4`, then 3 branches x 10 brands
#: (B10), built as described in shared/data/cuda-driver-table.md §4 (31 terms, 1,126 bytes).
B10 = ("tesla", "unknown", "nvidia", "nvidiartx", "geforce", "geforcertx", "quadro", "quadrortx",
       "titan", "titanrtx")
CUDA_12_4_1 = " ".join(["cuda>=12.4"] + [f"brand={b},driver>={n},driver<{n + 1}"
                                         for n in (470, 525, 535) for b in B10])


def toolkit(texts: str | Sequence[str], facts: ToolkitFacts,
            behaviour: Behaviour = "newest") -> tuple[str, str | None]:
    items = [texts] if isinstance(texts, str) else list(texts)
    verdict = evaluate_toolkit([(f"NVIDIA_REQUIRE_{i}", t) for i, t in enumerate(items)], facts,
                               behaviour=behaviour)
    return verdict.result, verdict.message


def libnvidia_container(text: str, host: HostProfile, selected: Sequence[Gpu]) -> str:
    """libnvidia-container's result: every selected GPU, or one global pass with none."""
    contexts = [Context.for_gpu(host.cuda, host.driver, g.arch, g.brand) for g in selected] \
        or [Context(host.cuda, host.driver)]
    for ctx in contexts:
        verdict = evaluate(parse_requirement(text), ctx)
        if verdict.result != "satisfied":
            return verdict.result
    return "satisfied"


# (row, requirement, host, GPUs selected, facts ("cmp" or "csv"), behaviour, cli, toolkit)
ROWS = [
    (1, "foo=1 cuda>=12.4", "A", "all", "cmp", "newest", "error", "satisfied"),
    (1, "foo=1", "A", "all", "cmp", "newest", "error", "satisfied"),
    (2, "CUDA>=99", "A", "all", "cmp", "newest", "unsatisfied", "satisfied"),
    (3, "=12.4", "A", "all", "cmp", "newest", "error", "satisfied"),
    (4, "brand=tesla", "B", "all", "cmp", "newest", "satisfied", "unsatisfied"),
    (5, "brand<tesla", "B", "all", "cmp", "newest", "error", "satisfied"),
    (6, "brand!=", "A", "all", "cmp", "newest", "error", "satisfied"),
    (7, "brand==tesla", "B", "all", "cmp", "newest", "error", "unsatisfied"),
    (8, "cuda!12.4", "A", "all", "cmp", "newest", "unsatisfied", "error"),
    (8, "brand!tesla", "A", "all", "cmp", "newest", "satisfied", "error"),
    (9, "cuda>=v12.4", "A", "all", "cmp", "newest", "error", "satisfied"),
    (9, "cuda>=v12.4", "A", "all", "cmp", "1.20", "error", "satisfied"),
    (9, "cuda>=12.4-rc1", "A", "all", "cmp", "newest", "error", "satisfied"),
    (10, "cuda>=12..4", "A", "all", "cmp", "newest", "satisfied", "error"),
    (10, "cuda>=12.", "A", "all", "cmp", "1.20", "satisfied", "error"),
    (10, "cuda>=12.4.0.0", "A", "all", "cmp", "newest", "satisfied", "error"),
    (11, "driver>=535.104.05", "B", "all", "cmp", "1.20", "satisfied", "error"),
    (11, "driver>=470", "B", "all", "cmp", "1.20", "satisfied", "unsatisfied"),  # host value
    (12, "cuda<99999999999999999999999", "A", "all", "cmp", "1.20", "error", "satisfied"),
    (13, "cuda>=12.4 cuda>=abc", "A", "all", "cmp", "newest", "satisfied", "error"),
    (13, "cuda>=99,cuda12.4", "A", "all", "cmp", "newest", "unsatisfied", "error"),
    (14, "arch>=8.0", "D", "all", "csv", "newest", "unsatisfied", "satisfied"),
    (14, "brand=Nvidia", "A", "all", "csv", "newest", "satisfied", "unsatisfied"),
    (14, "driver>=470", "A", "all", "csv", "newest", "satisfied", "error"),
    (15, "arch>=9.0", "A", "none", "cmp", "newest", "satisfied", "error"),
    (15, "arch>=9.0", "A", "none", "cmp", "1.20", "satisfied", "unsatisfied"),
    (15, "brand=Nvidia", "A", "none", "cmp", "newest", "satisfied", "unsatisfied"),
    (16, "\t", "A", "all", "cmp", "newest", "error", "satisfied"),
    (16, "cuda>=12.4,\t", "A", "all", "cmp", "newest", "error", "satisfied"),
    (18, "brand=" + "x" * 120, "A", "all", "cmp", "newest", "error", "unsatisfied"),
    (19, "cuda>=12.4", "no-cuda", "all", "cmp", "newest", "satisfied", "error"),
    (19, "cuda>=12.4", "no-cuda", "all", "cmp", "1.20", "satisfied", "unsatisfied"),
    (21, "cuda>=99 , cuda>=12.4", "A", "all", "cmp", "newest", "unsatisfied", "satisfied"),
    (21, ", cuda>=99", "A", "all", "cmp", "newest", "satisfied", "unsatisfied"),
]
#: rows that come from the host rather than the text, so disagreements() does not list them
HOST_ROWS = {15, 19}
HOST_CASES = {(11, "driver>=470")}


@pytest.mark.parametrize(("row", "text", "host", "selected", "mode", "behaviour", "c_result",
                          "toolkit_result"), ROWS)
def test_disagreement_rows(row: int, text: str, host: str, selected: str, mode: str,
                           behaviour: Behaviour, c_result: str, toolkit_result: str) -> None:
    profile = HOSTS[host]
    gpus = profile.gpus if selected == "all" else ()
    facts = facts_for_csv_host(profile) if mode == "csv" else \
        facts_for_comparison(profile, gpus[0] if gpus else None)
    assert libnvidia_container(text, profile, gpus) == c_result
    assert toolkit(text, facts, behaviour)[0] == toolkit_result
    rows = {d.row for d in disagreements(text, behaviour=behaviour)}
    assert (row in rows) == (row not in HOST_ROWS and (row, text) not in HOST_CASES)


def test_row_17_no_requirement_limit() -> None:
    assert toolkit(["cuda>=1"] * 33, facts_for_csv_host(A)) == ("satisfied", None)


def test_row_20_failure_messages() -> None:
    verdict = evaluate(parse_requirement("cuda>=12.5"), Context("12.4", "550.54.15"))
    assert verdict.message == ("requirement error: unsatisfied condition: cuda>=12.5, please "
                               "update your driver to a newer version, or use an earlier cuda "
                               "container")
    assert toolkit("cuda>=12.5", facts_for_csv_host(A))[1] == \
        "requirements not met: unsatisfied condition: cuda>=12.5 (cuda=12.4)"


CSV_12_2 = ToolkitFacts(cuda="12.2", arch="8.7")
B_FACTS = ToolkitFacts(cuda="12.2", driver="535.104.05", arch="7.5", brand="Tesla")


@pytest.mark.parametrize(("texts", "facts", "behaviour", "message"), [
    ("cuda>=12.4", CSV_12_2, "newest", "unsatisfied condition: cuda>=12.4 (cuda=12.2)"),
    ("cuda>=12.0,driver>=999", B_FACTS, "newest",
     "unsatisfied condition: driver>=999 (driver=535.104.05)"),
    ("cuda>=12.0,brand=tesla,driver>=999", B_FACTS, "newest",
     "unsatisfied condition: brand=tesla (brand=Tesla)"),
    ("brand=Tesla", CSV_12_2, "newest", "unsatisfied condition: brand=Tesla (brand=)"),
    ("cuda>=12.4 brand=tesla,driver>=535,driver<536", CSV_12_2, "newest",
     "cuda>=12.4||brand=tesla&&driver>=535&&driver<536 not met"),
    ("cuda>=12.4 foo=1,brand=tesla,FOO=2 bar=3", CSV_12_2, "newest",
     "cuda>=12.4||brand=tesla not met"),
    ("cuda>=99 arch>=9.0", ToolkitFacts(cuda="12.4"), "newest", "cuda>=99||arch>=9.0 not met"),
    (("cuda>=12.0", "arch>=9.0", "cuda>=99"), CSV_12_2, "newest",
     "unsatisfied condition: arch>=9.0 (arch=8.7)"),
    (("cuda>=99", "cuda12"), CSV_12_2, "newest", "invalid constraint: cuda12"),
    ("cuda>=12.4 cuda>=12..4", CSV_12_2, "newest",
     "invalid version string: invalid semantic version"),
    ("cuda>=12.4 cuda>=12..4", CSV_12_2, "1.20",
     "invailid value 12..4; expected a valid version string"),
    ("cuda>=1.2.3-01", CSV_12_2, "newest", "invalid version string: version segment starts with 0"),
    ("driver>=535", CSV_12_2, "newest", "invalid value for driver: invalid semantic version"),
    ("arch>=9.0", ToolkitFacts(cuda="12.4"), "newest",
     "invalid value for arch: invalid semantic version"),
    ("brand!tesla", B_FACTS, "newest", "invalid operator "),
    ("cuda>=18446744073709551616", CSV_12_2, "newest",
     'invalid version string: error parsing version segment: strconv.ParseUint: parsing '
     '"18446744073709551616": value out of range'),
])
def test_messages(texts: str | tuple[str, ...], facts: ToolkitFacts, behaviour: Behaviour,
                  message: str) -> None:
    assert toolkit(texts, facts, behaviour)[1] == NOT_MET + message


def test_official_12_4_string_reduces_to_cuda_on_csv_hosts() -> None:
    assert len(CUDA_12_4_1.encode()) == 1126 and CUDA_12_4_1.count(" ") == 30
    assert toolkit(CUDA_12_4_1, ToolkitFacts(cuda="12.4", arch="8.7")) == ("satisfied", None)
    result, message = toolkit(CUDA_12_4_1, CSV_12_2)
    assert result == "unsatisfied" and message is not None and len(message) > 1024
    assert message.startswith(NOT_MET + "cuda>=12.4||brand=tesla&&driver>=470&&driver<471||")
    assert message.endswith("||brand=titanrtx&&driver>=535&&driver<536 not met")


def test_lowercase_brand_tokens_never_match_outside_csv() -> None:
    # cli: brand=tesla,driver>=535,driver<536 matches host B; toolkit compares "tesla" with "Tesla"
    assert libnvidia_container(CUDA_12_4_1, B, B.gpus) == "satisfied"
    assert toolkit(CUDA_12_4_1, facts_for_comparison(B, B.gpus[0]))[0] == "unsatisfied"


@pytest.mark.parametrize(("text", "facts", "newest", "old"), [
    ("driver>=470", ToolkitFacts(driver="470.239.06"), "satisfied", "unsatisfied"),
    ("driver<471", ToolkitFacts(driver="470.239.06"), "satisfied", "satisfied"),
    ("driver<470", ToolkitFacts(driver="470.239.06"), "unsatisfied", "satisfied"),
    ("driver>=570", ToolkitFacts(driver="570.26"), "satisfied", "satisfied"),
    ("driver>=470.82.01", ToolkitFacts(driver="470.82.01"), "satisfied", "error"),
    ("cuda>=v12.4", ToolkitFacts(cuda="12.4"), "satisfied", "satisfied"),
    ("cuda>=12.4-rc1", ToolkitFacts(cuda="12.4"), "satisfied", "error"),
    ("cuda>=12.4.0-rc1", ToolkitFacts(cuda="12.4"), "satisfied", "satisfied"),
    ("cuda<12.4.0", ToolkitFacts(cuda="12.4.0-rc1"), "satisfied", "satisfied"),
    ("cuda>=12.4", ToolkitFacts(cuda="12.04"), "satisfied", "unsatisfied"),
    ("cuda<99999999999999999999999", ToolkitFacts(cuda="12.4"), "error", "satisfied"),
    ("arch>=9.0", ToolkitFacts(cuda="12.4"), "error", "unsatisfied"),
    ("arch<9.0", ToolkitFacts(cuda="12.4"), "error", "satisfied"),
    ("cuda>=99 arch>=9.0", ToolkitFacts(cuda="12.4"), "unsatisfied", "unsatisfied"),
    ("cuda>=12.4", ToolkitFacts(), "error", "unsatisfied"),
    ("cuda!=12.4", ToolkitFacts(), "error", "satisfied"),
])
def test_newest_vs_1_20(text: str, facts: ToolkitFacts, newest: str, old: str) -> None:
    assert toolkit(text, facts, "newest")[0] == newest
    assert toolkit(text, facts, "1.20")[0] == old


@pytest.mark.parametrize(("text", "result"), [
    ("", "satisfied"),
    ("\t\n ", "satisfied"),
    (", ,", "satisfied"),
    ("foo=1 bar=2", "satisfied"),
    ("\tcuda>=99", "satisfied"),  # key "\tcuda" is unknown: dropped
    ("cuda>=12.4\t", "error"),  # value "12.4\t" is an invalid version
    ("cuda>=12.2 foo=1", "satisfied"),
    ("cuda>=99 foo=1", "unsatisfied"),  # an OR of one: the clause's own outcome
    ("brand=", "unsatisfied"),
    ("brand!=", "satisfied"),
    ("brand>=Tesla", "satisfied"),
    ("brand>Tesla", "unsatisfied"),
    ("brand<tesla", "satisfied"),  # byte order: "T" < "t"
    ("brand=a=b", "unsatisfied"),
    ("brand!x brand=Tesla", "satisfied"),  # the erroring term counts as not met
    ("brand!x brand=tesla", "unsatisfied"),  # even every term failing: not met, not error
    ("cuda>=12.2,brand!x", "error"),
    ("cuda>=99,brand!x", "unsatisfied"),  # AND stops before the bad operator
    ("cuda>=12.4 cuda12", "error"),  # validated up front
    ("cuda>=12.4 cuda>=", "error"),
])
def test_parse_and_evaluation_rules(text: str, result: str) -> None:
    assert toolkit(text, B_FACTS)[0] == result


def test_parse_error_anywhere_wins_over_earlier_failures() -> None:
    verdict = evaluate_toolkit([("A", "cuda>=99"), ("B", "foo=1"), ("C", "cuda>=.5")], B_FACTS)
    assert verdict.result == "error"
    assert [r.status for r in verdict.trace] == ["not-reached", "ignored", "error"]
    assert verdict.failing is verdict.trace[2]
    assert verdict.trace[2].terms[0].clauses[0].status == "invalid"


def test_requirements_stop_at_first_failure() -> None:
    verdict = evaluate_toolkit([("A", "cuda>=12.0"), ("B", "arch>=8.0"), ("C", "cuda>=99")],
                               B_FACTS)
    assert [r.status for r in verdict.trace] == ["satisfied", "unsatisfied", "not-reached"]
    assert verdict.message == NOT_MET + "unsatisfied condition: arch>=8.0 (arch=7.5)"


def test_trace_keeps_terms_clauses_dropped_and_host_values() -> None:
    text = "cuda>=99,Foo=1 CUDA>=1,,  brand!=x,driver<536,arch>=9.0 cuda>=1"
    verdict = evaluate_toolkit([("NVIDIA_REQUIRE_CUDA", text)], B_FACTS)
    assert verdict and verdict.result == "satisfied" and verdict.message is None
    (req,) = verdict.trace
    assert [t.status for t in req.terms] == ["not-met", "dropped", "dropped", "not-met", "met"]
    first, second, empty, third, fourth = req.terms
    assert first.text == "cuda>=99,Foo=1" and first.span == (0, 14)
    assert first.dropped == (DroppedClause("Foo=1", "unknown-key"),)
    assert first.dropped[0].span == (9, 14)
    assert second.dropped == (DroppedClause("CUDA>=1", "key-case"),)
    assert empty.text == "" and not empty.clauses and not empty.dropped
    assert [(c.status, c.actual) for c in first.clauses] == [("false", "12.2")]
    assert [(str(c.clause), c.status, c.actual) for c in third.clauses] == [
        ("brand!=x", "true", "Tesla"), ("driver<536", "true", "535.104.05"),
        ("arch>=9.0", "false", "7.5")]
    assert third.clauses[2].clause.span == (46, 55)
    assert third.constraint == "brand!=x&&driver<536&&arch>=9.0"
    assert fourth.clauses[0].status == "true"


def test_or_stops_at_first_success() -> None:
    verdict = evaluate_toolkit([("R", "cuda>=12.0 cuda>=99")], B_FACTS)
    assert [t.status for t in verdict.trace[0].terms] == ["met", "not-reached"]
    assert verdict.trace[0].terms[1].clauses[0].status == "not-reached"


def test_unset_property_is_reported_empty() -> None:
    verdict = evaluate_toolkit([("R", "driver>=470")], CSV_12_2, behaviour="1.20")
    clause = verdict.trace[0].terms[0].clauses[0]
    assert clause.actual is None and clause.status == "false"
    assert clause.message == "unsatisfied condition: driver>=470 (driver=)"


@pytest.mark.parametrize(("piece", "expected"), [
    ("cuda>=12.4", ToolkitClause("cuda", ">=", "12.4")),
    ("brand==tesla", ToolkitClause("brand", "=", "=tesla")),
    ("brand!==x", ToolkitClause("brand", "!=", "=x")),
    ("brand=>x", ToolkitClause("brand", "=", ">x")),
    ("brand!x", ToolkitClause("brand", "", "!x")),
    ("brand<>x", ToolkitClause("brand", "<", ">x")),
    ("brand=", ToolkitClause("brand", "=", "")),
])
def test_operator_prefix_rule(piece: str, expected: ToolkitClause) -> None:
    parsed = parse_clause(piece)
    assert not isinstance(parsed, DroppedClause) and parsed is not None
    assert parsed.clause == expected and str(parsed.clause) == piece


@pytest.mark.parametrize(("piece", "why"), [
    ("=12.4", "empty-key"), ("Cuda>=1", "key-case"), ("foo=1", "unknown-key"),
    (" cuda>=1", "unknown-key"), ("\t", "blank"), ("\u3000", "blank"),
])
def test_dropped_clauses(piece: str, why: str) -> None:
    parsed = parse_clause(piece)
    assert isinstance(parsed, DroppedClause) and parsed.why == why


def test_go_whitespace_is_not_python_whitespace() -> None:
    # \x1f is whitespace to Python's str.strip but not to Go's strings.TrimSpace
    assert toolkit("\x1f", B_FACTS)[1] == NOT_MET + "invalid constraint: \x1f"


def test_facts_for_csv_host_reads_device_0_only() -> None:
    host = HostProfile(gpus=(Gpu(1, brand="Tesla", arch="7.5"), Gpu(0, brand="Nvidia", arch="8.7")),
                       driver="540.4.0", cuda="12.6")
    assert facts_for_csv_host(host) == ToolkitFacts(cuda="12.6", arch="8.7")
    assert facts_for_csv_host(HostProfile(cuda="12.2")) == ToolkitFacts(cuda="12.2")


def test_facts_for_comparison() -> None:
    assert facts_for_comparison(D, D.gpus[1]) == ToolkitFacts("12.4", "550.54.15", "7.5", "Tesla")
    assert facts_for_comparison(D, None) == ToolkitFacts("12.4", "550.54.15")
    old = HostProfile(gpus=(Gpu(0, brand="Nvidia", arch="8.0"),), driver="470.82.01", cuda="11.4",
                      runtime=RuntimeSettings(toolkit_version="1.8.1"))
    assert facts_for_comparison(old, old.gpus[0]).brand == "Unknown"  # §7.2, before 1.9.0


_PIECES = st.sampled_from(["cuda", "driver", "arch", "brand", "CUDA", "foo", "", ">=", "<", "!",
                           "=", "!=", "12.4", "9", ".", "05", "v", "-rc1", "+b", " ", ",", "\t",
                           "x", "\u3000", "99999999999999999999"])
_TEXT = st.one_of(st.lists(_PIECES, max_size=12).map("".join), st.text(max_size=30))
_FACT = st.one_of(st.none(), st.sampled_from(["", "12.4", "535.104.05", "9.0", "Tesla", "v1",
                                              "1.2.3.4"]), st.text(max_size=8))
_FACTS = st.builds(ToolkitFacts, _FACT, _FACT, _FACT, _FACT)
_BEHAVIOUR = st.sampled_from(["newest", "1.20"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXT, max_size=3), _FACTS, _BEHAVIOUR)
def test_any_text_and_facts_give_a_verdict(texts: list[str], facts: ToolkitFacts,
                                           behaviour: Behaviour) -> None:
    verdict = evaluate_toolkit([(f"V{i}", t) for i, t in enumerate(texts)], facts,
                               behaviour=behaviour)
    assert verdict.result in ("satisfied", "unsatisfied", "error")
    assert (verdict.message is None) == bool(verdict)
    assert verdict.message is None or verdict.message.startswith(NOT_MET)
    assert len(verdict.trace) == len(texts)


@settings(max_examples=200, deadline=None)
@given(_TEXT, _FACTS, _BEHAVIOUR)
def test_unknown_keys_change_nothing(text: str, facts: ToolkitFacts, behaviour: Behaviour) -> None:
    base = toolkit(text, facts, behaviour)
    assert toolkit(text + ",foo=1", facts, behaviour) == base
    assert toolkit(text + " Cuda>=99,bar=2", facts, behaviour) == base


@settings(max_examples=200, deadline=None)
@given(st.lists(_TEXT, min_size=2, max_size=3), _FACTS, _BEHAVIOUR, st.randoms())
def test_pass_or_fail_does_not_depend_on_order(texts: list[str], facts: ToolkitFacts,
                                               behaviour: Behaviour, rnd: Random) -> None:
    shuffled = list(texts)
    rnd.shuffle(shuffled)
    assert (toolkit(texts, facts, behaviour)[0] == "satisfied") == \
        (toolkit(shuffled, facts, behaviour)[0] == "satisfied")
