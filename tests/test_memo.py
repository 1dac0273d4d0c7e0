"""Remembered results and values computed on first read."""

from __future__ import annotations

import copy
import pickle

import pytest

from nvreq._memo import Deferred, Memo


def test_a_full_memo_forgets_the_least_recently_used_half() -> None:
    memo: Memo[int, str] = Memo(limit=4)
    for i in range(4):
        memo.put(i, str(i))
    assert memo.get(0) == "0"  # now the most recently used
    memo.put(9, "9")
    assert [memo.get(k) for k in (0, 1, 2, 3, 9)] == ["0", None, None, "3", "9"]


def test_a_memo_forgets_everything_on_request() -> None:
    memo: Memo[str, int] = Memo()
    memo.put("a", 1)
    memo.clear()
    assert memo.get("a") is None


def test_a_remembered_answer_is_computed_once_and_may_be_none() -> None:
    memo: Memo[str, int | None] = Memo()
    calls: list[str] = []

    def answer() -> None:
        calls.append("a")

    assert memo.remember("a", answer) is None and memo.remember("a", answer) is None
    assert calls == ["a"]


def test_a_full_memo_of_answers_keeps_those_asked_again() -> None:
    memo: Memo[int, int] = Memo(limit=4)
    for i in range(4):
        memo.remember(i, lambda i=i: i * i)  # type: ignore[misc]
    assert memo.remember(0, lambda: -1) == 0  # now the most recently used
    memo.remember(9, lambda: 81)
    assert len(memo) == 3 and [memo.get(k) for k in (0, 3, 9)] == [0, 9, 81]


def test_an_unhashable_key_gets_the_computation_itself_including_its_error() -> None:
    memo: Memo[object, int] = Memo()

    def fail() -> int:
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input") as ctx:
        memo.remember([1], fail)
    assert ctx.value.__context__ is None
    assert len(memo) == 0


def test_an_error_is_not_kept() -> None:
    memo: Memo[str, int] = Memo()
    with pytest.raises(ZeroDivisionError):
        memo.remember("k", lambda: 1 // 0)
    assert memo.remember("k", lambda: 7) == 7


def test_a_deferred_value_is_computed_once_when_first_read() -> None:
    calls: list[int] = []

    def make() -> int:
        calls.append(1)
        return 42

    value = Deferred(make)
    assert not value.computed and calls == [] and "not computed" in repr(value)
    assert value.get() == 42 and value.get() == 42
    assert value.computed and calls == [1] and repr(value) == "Deferred(42)"


def test_deferred_values_compare_and_hash_by_value() -> None:
    assert Deferred(lambda: (1, 2)) == Deferred.of((1, 2))
    assert Deferred.of(1) != Deferred.of(2)
    assert hash(Deferred(lambda: "x")) == hash(Deferred.of("x"))
    assert Deferred.of(1) != 1


def test_a_deferred_value_copies_and_pickles_as_its_value() -> None:
    value = Deferred(lambda: [1, 2])
    for twin in (copy.copy(value), copy.deepcopy(value), pickle.loads(pickle.dumps(value))):
        assert twin.computed and twin.get() == [1, 2]
