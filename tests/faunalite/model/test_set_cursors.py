"""Pages and cursors of Sets, set functions that may not write, and result materialisation.

Every plan shape must resume exactly after the last element of a page, so paginating with any
page size gives the same elements as ``toArray()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

import faunalite.fql.stdlib  # noqa: F401  (registers the tables)
from faunalite.fql.context import QueryContext
from faunalite.fql.display import debug
from faunalite.fql.errors import QueryError
from faunalite.fql.interpreter import run_query
from faunalite.fql.parser import parse_query
from faunalite.fql.values import NativeFunction, Time, Value
from faunalite.model.set_cursors import (
    CURSORS,
    SET_MATERIALIZATION_DEPTH,
    CursorTable,
    SetCursor,
    SetPage,
    approximate_bytes,
    materialize_result,
)
from faunalite.model.sets import check_write_allowed, sequence_set
from faunalite.wire.encoding import ValueEncoder


def context(**bindings: Value) -> QueryContext:
    return QueryContext(snapshot_time=Time(1_000), bindings=dict(bindings))


def evaluate(source: str, ctx: QueryContext | None = None) -> Value:
    return run_query(parse_query(source), ctx if ctx is not None else context())


def all_pages(set_source: str, size: int) -> list[Value]:
    """Every element of the set, fetched ``size`` at a time, each page in a new query."""
    page = evaluate(f"({set_source}).paginate({size})")
    items = list(page["data"])
    while "after" in page:
        assert len(page["data"]) == size
        page = evaluate("Set.paginate(after)", context(after=page["after"].token))
        items.extend(page["data"])
    return items


PLANS = [
    "Set.sequence(0, 23)",
    "[5, 1, 4, 1, 3].toSet()",
    "Set.sequence(0, 23).map(x => x * 2)",
    "Set.sequence(0, 23).where(x => x % 3 != 0)",
    "Set.sequence(0, 6).flatMap(x => Set.sequence(0, x))",
    "Set.sequence(0, 6).flatMap(x => Set.sequence(0, x).take(2)).drop(1)",
    "Set.sequence(0, 23).take(10)",
    "Set.sequence(0, 23).drop(5)",
    "Set.sequence(0, 7).concat(Set.sequence(100, 105)).concat(Set.single(9))",
    "Set.sequence(0, 23).order(desc(x => x % 5))",
    "[3, 1, 3, 2, 1].toSet().distinct()",
    "Set.sequence(0, 23).reverse()",
    "Set.sequence(0, 23).take(9).reverse()",
    "Set.sequence(0, 23).concat([40, 41].toSet()).reverse().where(x => x != 20)",
    "[].toSet()",
]


@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize("size", [1, 2, 5, 16])
def test_pages_cover_the_set_in_order(plan: str, size: int) -> None:
    assert all_pages(plan, size) == evaluate(f"({plan}).toArray()")


def test_a_cursor_keeps_its_page_size_and_can_be_followed_again() -> None:
    first = evaluate("Set.sequence(0, 10).paginate(3)")
    token = first["after"].token
    again = [evaluate("Set.paginate(c)", context(c=token)) for _ in range(2)]
    assert again[0]["data"] == again[1]["data"] == [3, 4, 5]
    bigger = evaluate("Set.paginate(c, 6)", context(c=token))
    assert bigger["data"] == [3, 4, 5, 6, 7, 8]


def test_cursor_values_work_in_the_same_query() -> None:
    result = evaluate(
        "let p = Set.sequence(0, 5).paginate(2)\n"
        "let q = Set.paginate(p.after)\n"
        "[p.data, q.data, Set.paginate(q.after).data, Set.paginate(q.after).after]"
    )
    assert debug(result) == "[[0, 1], [2, 3], [4], null]"


def test_set_cursor_values() -> None:
    cursor = evaluate("Set.sequence(0, 5).paginate(2).after")
    assert isinstance(cursor, SetCursor)
    assert evaluate("Set.paginate(c).data", context(c=cursor)) == [2, 3]


def test_a_set_cursor_displays_as_its_token() -> None:
    # FaunaDB's ToString: a SetCursor's display string is its base64 token (the same string a
    # client gets as `after`), so `toString()` and interpolation give a cursor Set.paginate takes.
    cursor = evaluate("Set.sequence(0, 5).paginate(2).after")
    assert isinstance(cursor, SetCursor)
    shown = evaluate('[c.toString(), "#{c}", c.toString() == c]', context(c=cursor))
    assert shown == [cursor.token, cursor.token, False]
    assert evaluate("Set.paginate(c.toString()).data", context(c=cursor)) == [2, 3]


def test_cursor_pages_reuse_the_lambdas_and_their_closure() -> None:
    page = evaluate("let k = 100\nSet.sequence(0, 4).map(x => x + k).paginate(2)")
    rest = evaluate("Set.paginate(c)", context(c=page["after"]))
    assert rest == {"data": [102, 103]}


def test_following_a_cursor_reads_the_original_snapshot() -> None:
    seen: list[Time] = []

    class RecordingStorage:
        """Storage hooks of an empty database that record the snapshots reads ask for."""

        def resolve_global(self, name: str) -> None:
            return None

        def module_table(self, name: str) -> None:
            return None

        def missing_document_error(self, value: Value) -> None:
            return None

        def is_member(self, value: Value, module_name: str) -> None:
            return None

        @contextmanager
        def reading_at(self, ts: Time) -> Iterator[None]:
            seen.append(ts)
            yield

    page = evaluate("Set.sequence(0, 4).paginate(2)", context())
    later = QueryContext(
        snapshot_time=Time(9_000), bindings={"c": page["after"]}, storage=RecordingStorage()
    )
    assert evaluate("Set.paginate(c).data", later) == [2, 3]
    assert seen == [Time(1_000)]


def test_unknown_and_expired_cursors_are_invalid() -> None:
    table = CursorTable(ttl=-1.0)
    cursor = table.issue(sequence_set(0, 3), None, 0, 16)
    with pytest.raises(QueryError) as raised:
        table.lookup(cursor.token)
    assert (raised.value.code, raised.value.message) == (
        "invalid_cursor",
        "Cursor cursor is invalid or expired.",
    )


def test_the_cursor_table_forgets_the_oldest_beyond_capacity() -> None:
    table = CursorTable(capacity=2)
    cursors = [table.issue(sequence_set(0, 3), None, 0, 16) for _ in range(3)]
    assert len(table) == 2
    with pytest.raises(QueryError):
        table.lookup(cursors[0].token)
    assert table.lookup(cursors[2].token).page_size == 16


def test_the_cursor_table_forgets_the_least_recently_used_first() -> None:
    table = CursorTable(capacity=2)
    first, second = (table.issue(sequence_set(0, 3), None, 0, 16) for _ in range(2))
    table.lookup(first.token)  # followed: now the most recently used
    third = table.issue(sequence_set(0, 3), None, 0, 16)
    with pytest.raises(QueryError):
        table.lookup(second.token)
    assert {table.lookup(first.token).page_size, table.lookup(third.token).page_size} == {16}


MIB = 1024**2


def big_set() -> Value:
    """A Set whose plan holds a 1 MiB string, through a lambda's closure."""
    return evaluate("let big = s; [1, 2].toSet().map(x => big)", context(s="x" * MIB))


def test_the_cursor_table_is_bounded_by_the_memory_its_sets_hold() -> None:
    table = CursorTable(max_bytes=int(2.5 * MIB))
    cursors = [table.issue(big_set(), None, 0, 1) for _ in range(3)]
    assert len(table) == 2
    assert 2 * MIB < table.held_bytes <= int(2.5 * MIB)
    with pytest.raises(QueryError) as raised:
        table.lookup(cursors[0].token)
    assert (raised.value.code, raised.value.message) == (
        "invalid_cursor",
        "Cursor cursor is invalid or expired.",
    )
    assert table.lookup(cursors[2].token).page_size == 1


def test_an_entry_over_the_memory_bound_alone_is_kept_until_the_next() -> None:
    table = CursorTable(max_bytes=MIB // 2)
    first = table.issue(big_set(), None, 0, 1)
    assert table.lookup(first.token).page_size == 1
    table.issue(big_set(), None, 0, 1)
    assert len(table) == 1
    with pytest.raises(QueryError):
        table.lookup(first.token)


def test_approximate_bytes_counts_shared_parts_once_and_stops_at_the_limit() -> None:
    text = "y" * MIB
    assert MIB < approximate_bytes([text, text, {"a": text}], limit=10 * MIB) < 2 * MIB
    assert approximate_bytes([["z" * MIB] for _ in range(100)], limit=3 * MIB) < 5 * MIB


def test_following_a_forgotten_cursor_is_invalid_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(CURSORS, "capacity", 1)
    first = evaluate("Set.sequence(0, 4).paginate(2)")["after"]
    evaluate("Set.sequence(0, 4).paginate(2)")
    with pytest.raises(QueryError) as raised:
        evaluate("Set.paginate(c)", context(c=first))
    assert (raised.value.code, raised.value.message) == (
        "invalid_cursor",
        "Cursor cursor is invalid or expired.",
    )


# -- set functions may not write ------------------------------------------------------------------


def _fake_create(ctx: QueryContext, value: Value) -> Value:
    check_write_allowed(ctx, "create")
    return value


def writer_context() -> QueryContext:
    return context(create=NativeFunction("create", _fake_create, (1,)))


@pytest.mark.parametrize(
    "source",
    [
        "Set.sequence(0, 3).map(x => create(x)).toArray()",
        "Set.sequence(0, 3).where(x => create(true)).first()",
        "Set.sequence(0, 3).flatMap(x => Set.single(create(x))).toArray()",
        "Set.sequence(0, 3).order(x => create(x)).first()",
        "Set.sequence(0, 3).map(x => [x].map(y => create(y))).forEach(x => x)",
        "Set.sequence(0, 3).any(x => create(true))",
    ],
)
def test_set_functions_may_not_write(source: str) -> None:
    with pytest.raises(QueryError) as raised:
        evaluate(source, writer_context())
    assert (raised.value.code, raised.value.message) == (
        "invalid_effect",
        "`create` performs a write, which is not allowed in set functions.",
    )


@pytest.mark.parametrize(
    "source",
    [
        "Set.sequence(0, 3).forEach(x => create(x))",
        "Set.sequence(0, 3).fold(0, (a, x) => create(a + x))",
        "Set.sequence(0, 3).reduce((a, x) => create(a + x))",
        "Set.sequence(0, 3).aggregate(0, (a, x) => create(a + x))",
        "Set.sequence(0, 3).map(x => x).toArray().map(x => create(x))",
    ],
)
def test_eager_callbacks_may_write(source: str) -> None:
    ctx = writer_context()
    evaluate(source, ctx)
    assert ctx.set_function_depth == 0


# -- materialising query results ----------------------------------------------------------------


def test_a_result_set_becomes_its_first_page() -> None:
    ctx = context()
    page = materialize_result(evaluate("Set.sequence(0, 40)", ctx), ctx)
    assert isinstance(page, SetPage)
    assert page.items == list(range(16))
    assert page.after is not None
    assert CURSORS.lookup(page.after.token).page_size == 16


def test_page_size_sets_the_first_page() -> None:
    ctx = context()
    page = materialize_result(evaluate("{ s: Set.sequence(0, 3).pageSize(3) }", ctx), ctx)
    assert page["s"].items == [0, 1, 2]
    assert page["s"].after is None


def test_materialisation_runs_the_lambdas_after_the_query() -> None:
    ctx = context()
    value = evaluate("[Set.sequence(0, 3).map(x => x * 3)]", ctx)
    assert ctx.interpreter is None
    assert materialize_result(value, ctx)[0].items == [0, 3, 6]


def test_a_value_sharing_its_parts_is_materialised_once_per_part() -> None:
    # 2**60 paths through 60 distinct objects: the walk must follow the objects, not paths.
    ctx = context()
    shared = evaluate("Set.sequence(0, 60).fold(null, (acc, x) => { a: acc, b: [acc] })", ctx)
    assert materialize_result(shared, ctx) is shared  # no set inside: kept, not copied
    with_set = evaluate(
        "Set.sequence(0, 60).fold(Set.sequence(0, 2), (acc, x) => { a: acc, b: [acc] })", ctx
    )
    page = materialize_result(with_set, ctx)
    for _ in range(59):
        assert page["a"] is page["b"][0]
        page = page["a"]
    assert isinstance(page["a"], SetPage) and page["a"].items == [0, 1]


def test_nested_sets_are_materialised_up_to_depth_ten() -> None:
    ctx = context()
    nested = "Set.single(0)"
    for _ in range(SET_MATERIALIZATION_DEPTH):
        nested = f"Set.single({nested})"
    page = materialize_result(evaluate(nested, ctx), ctx)
    for _ in range(SET_MATERIALIZATION_DEPTH):
        assert isinstance(page, SetPage) and page.items is not None
        page = page.items[0]
    assert isinstance(page, SetPage) and page.items is None and page.after is not None
    tagged = ValueEncoder(tagged=True).encode(page)
    assert tagged == {"@set": page.after.token}
    follow = evaluate("Set.paginate(c).data", context(c=page.after.token))
    assert debug(follow) == "[0]"


def test_set_pages_encode_in_both_formats() -> None:
    ctx = context()
    page = materialize_result(evaluate("Set.sequence(0, 17)", ctx), ctx)
    assert isinstance(page, SetPage) and page.after is not None
    items_tagged = [{"@int": str(n)} for n in range(16)]
    assert ValueEncoder(tagged=True).encode(page) == {
        "@set": {"data": items_tagged, "after": page.after.token}
    }
    assert ValueEncoder(tagged=False).encode(page) == {
        "data": list(range(16)),
        "after": page.after.token,
    }
    last = materialize_result(evaluate("Set.sequence(0, 2)", ctx), ctx)
    assert ValueEncoder(tagged=True).encode(last) == {
        "@set": {"data": [{"@int": "0"}, {"@int": "1"}]}
    }


def test_paginate_results_stay_plain_objects_with_string_cursors() -> None:
    ctx = context()
    value = materialize_result(evaluate("Set.sequence(0, 5).paginate(2)", ctx), ctx)
    encoded = ValueEncoder(tagged=True).encode(value)
    assert encoded["data"] == [{"@int": "0"}, {"@int": "1"}]
    assert isinstance(encoded["after"], str)


def test_an_unmaterialised_set_still_encodes() -> None:
    encoded = ValueEncoder(tagged=False).encode(sequence_set(0, 2))
    assert encoded == {"data": [0, 1]}


def test_a_projected_set_continues_in_the_query_that_follows_its_cursor() -> None:
    page = evaluate(
        "let s = Set.sequence(0, 4).map(x => { a: x, b: x }) { a, c: .b + 1 }\ns.paginate(2)"
    )
    later = context(c=page["after"])
    rest = evaluate("Set.paginate(c)", later)
    assert debug(rest) == "{ data: [{ a: 2, c: 3 }, { a: 3, c: 4 }] }"
    # The projection's work is billed to the query that ran it.
    assert later.stats.compute_calls >= 4
