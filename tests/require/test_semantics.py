"""The cli evaluator: version order, clause rules, and the compiled form held equal to it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nvreq.host.profile import Gpu, HostProfile
from nvreq.require.compiled import CompiledRequirement, CompiledResult, Result, context_key
from nvreq.require.semantics import Context, evaluate, evaluate_clause
from nvreq.require.syntax import Alternative, Requirement, parse_requirement
from nvreq.require.versions import compare_versions, version_key
from tests.hosts import CUDA_12_4_1
from tests.strategies import contexts, requirement_trees

A = Context("12.4", "550.54.15", True, "9.0", "Nvidia", "0")


@pytest.mark.parametrize(("host", "req", "cmp"), [
    ("12.4", "12.4.0", 0), ("12.4", "12.4.0.0", 0), ("12", "12.0", 0),
    ("535.104.05", "535.104.5", 0), ("535.104.05", "535.104", 1), ("12.40", "12.4", 1),
    ("12.4", "12.4.99999999999999999999999", -1), ("12.4", "99999999999999999999999", None),
    ("12.4", ".4", None), ("12.4", "v12.4", None), ("12.4", "12..4", 0), ("12.4", "12.", 1),
    ("12.4", "12.4-rc1", None), ("11.99999999999999999999999", "12.4", -1),
])
def test_version_comparison_is_the_runtimes(host: str, req: str, cmp: int | None) -> None:
    assert compare_versions(host, req) == cmp


NUMBERS = st.lists(st.integers(0, 10**6), min_size=1, max_size=5)


@given(NUMBERS, NUMBERS)
def test_version_order_is_zero_padded_numeric_tuples(a: list[int], b: list[int]) -> None:
    n = max(len(a), len(b))
    pa, pb = a + [0] * (n - len(a)), b + [0] * (n - len(b))
    expected = (pa > pb) - (pa < pb)
    ta, tb = ".".join(map(str, a)), ".".join(map(str, b))
    assert compare_versions(ta, tb) == expected
    assert compare_versions(tb, ta) == -expected
    ka, kb = version_key(ta), version_key(tb)
    assert ka is not None and kb is not None
    assert ((ka > kb) - (ka < kb)) == expected


@given(NUMBERS, NUMBERS, NUMBERS)
def test_version_order_is_transitive(a: list[int], b: list[int], c: list[int]) -> None:
    ta, tb, tc = (".".join(map(str, x)) for x in (a, b, c))
    if compare_versions(ta, tb) in (-1, 0) and compare_versions(tb, tc) in (-1, 0):
        assert compare_versions(ta, tc) in (-1, 0)


@pytest.mark.parametrize(("clause", "ctx", "status"), [
    ("arch>=abc", Context("12.4", "550", False), "true"),
    ("brand>=tesla", Context("12.4", "550", False), "true"),
    ("arch==9.0", Context("12.4", "550", False), "invalid"),
    ("arch>=", Context("12.4", "550", False), "invalid"),
    ("cuda>=abc", Context(None, "550"), "true"),
    ("driver>=535", Context("12.4", "abc"), "invalid"),
    ("brand=TESLA", Context("12.4", "550", True, "7.5", "Tesla"), "true"),
    ("brand!=tesla", Context("12.4", "550", True, "7.5", None), "true"),
    ("brand=tesla", Context("12.4", "550", True, "7.5", None, unknown="fail"), "false"),
])
def test_rule_preconditions(clause: str, ctx: Context, status: str) -> None:
    (c,) = parse_requirement(clause).clauses
    assert evaluate_clause(c, ctx).status == status


def test_outcomes_carry_the_host_value() -> None:
    verdict = evaluate(parse_requirement("cuda>=12.5 brand=tesla,driver>=470"), A)
    first, second = verdict.alternatives
    assert first.clauses[0].actual == "12.4"
    assert second.clauses[0].actual == "Nvidia"
    assert second.clauses[1].status == "not-reached"


def test_satisfied_terms_say_how_they_matched() -> None:
    b = Context("12.2", "535.104.05", True, "7.5", "Tesla", "0")
    verdict = evaluate(parse_requirement(CUDA_12_4_1), b)
    satisfied = [a for a in verdict.alternatives if a.status == "satisfied"]
    assert [a.kind for a in satisfied] == ["driver-branch"]
    assert str(satisfied[0].alternative) == "brand=tesla,driver>=535,driver<536"
    assert evaluate(parse_requirement("cuda>=12.0"), b).alternatives[0].kind == "native"


@settings(max_examples=400, deadline=None)
@given(requirement_trees, contexts())
def test_compiled_equals_explaining(tree: tuple[Alternative, ...], ctx: Context) -> None:
    req = Requirement.from_alternatives(tree)
    assert CompiledRequirement(req).evaluate(ctx).value == evaluate(req, ctx).result


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=" ,<>=!.0123456789abcdrvnt\t", max_size=40), contexts())
def test_compiled_equals_explaining_on_raw_text(text: str, ctx: Context) -> None:
    req = parse_requirement(text)
    assert CompiledRequirement(req).evaluate(ctx).value == evaluate(req, ctx).result


def test_compiled_over_a_host_uses_every_gpu() -> None:
    host = HostProfile(gpus=(Gpu(0, brand="Nvidia", arch="9.0"), Gpu(1, brand="Tesla",
                                                                      arch="7.5")),
                       driver="550.54.15", cuda="12.4")
    compiled = parse_requirement("arch>=8.0").compile()
    assert compiled(host) is CompiledResult.UNSATISFIED
    assert not compiled(host)
    assert parse_requirement("arch>=7.5").compile()(host)


def test_compiled_remembers_per_context() -> None:
    compiled = parse_requirement("cuda>=12.4").compile()
    key = context_key(A)
    assert compiled.evaluate_key(key) is CompiledResult.SATISFIED
    assert compiled._memo[key] is CompiledResult.SATISFIED
    assert Result is CompiledResult  # the earlier name still works


def _real_values() -> list[tuple[str, str]]:
    path = Path(__file__).parents[1] / "data" / "real-env-sample.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [(r["var"], r["value"]) for r in rows if r["var"].startswith("NVIDIA_REQUIRE_")]


@pytest.mark.parametrize(("variable", "value"), _real_values())
def test_real_values_parse_evaluate_and_compile_alike(variable: str, value: str) -> None:
    req = parse_requirement(value, variable=variable)
    assert req.alternatives == parse_requirement(value, parser="lark").alternatives
    for ctx in (A, Context("12.2", "535.104.05", True, "7.5", "Tesla", "0"),
                Context("11.0", "450.80.02", False)):
        assert req.compile().evaluate(ctx).value == evaluate(req, ctx).result
