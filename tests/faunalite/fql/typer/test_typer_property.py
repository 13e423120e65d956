"""Property: random well-typed queries are never rejected, and a ``static_type`` given is true
of the value the query evaluates to.

The queries are built from literals, ``let`` blocks, ``if``, arrays, objects, ``??``,
comparisons, integer arithmetic, ``?.`` and applied lambdas; each one runs through the engine with
``X-Typecheck: true``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faunalite.engine import Engine, QueryRequest
from faunalite.fql.parser import parse_query
from faunalite.fql.typer import check_query, static_type_of
from faunalite.fql.typer import types as t
from faunalite.wire.request import parse_query_body

_names = st.sampled_from(["a", "b", "item", "x1"])

_int_leaves = st.integers(min_value=-1000, max_value=1000).map(str)
_int_expressions = st.recursive(
    _int_leaves,
    lambda inner: st.tuples(inner, st.sampled_from(["+", "-", "*"]), inner).map(
        lambda parts: f"({parts[0]} {parts[1]} {parts[2]})"
    ),
    max_leaves=4,
)
_leaves = st.one_of(
    _int_leaves,
    st.text(alphabet="abcxyz 019", max_size=6).map(lambda text: f"'{text}'"),
    st.sampled_from(["true", "false", "null"]),
)


def _compound(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    conditions = st.one_of(
        st.sampled_from(["true", "false"]),
        st.tuples(inner, st.sampled_from(["==", "!="]), inner).map(" ".join),
    )
    return st.one_of(
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.dictionaries(_names, inner, max_size=3).map(
            lambda fields: "{ " + ", ".join(f"{k}: {v}" for k, v in fields.items()) + " }"
        ),
        st.tuples(conditions, inner, inner).map(lambda p: f"(if ({p[0]}) {p[1]} else {p[2]})"),
        st.tuples(conditions, inner).map(lambda p: f"(if ({p[0]}) {p[1]})"),
        st.tuples(inner, inner).map(lambda p: f"({p[0]} ?? {p[1]})"),
        st.tuples(conditions, inner).map(lambda p: f"(if ({p[0]}) {{ a: {p[1]} }} else null)?.a"),
        st.tuples(_names, inner, inner).map(
            lambda p: f"{{ let {p[0]} = {p[1]}; [{p[0]}, {p[2]}] }}"
        ),
        st.tuples(_names, inner, inner).map(lambda p: f"(({p[0]}) => [{p[1]}, {p[0]}])({p[2]})"),
        _int_expressions,
    )


well_typed_queries = st.recursive(_leaves, _compound, max_leaves=12)


def test_zero_is_not_false() -> None:
    assert t.render(t.union(t.Singleton(False), t.Singleton(0))) == "false | 0"


def conforms(value: object, type_: t.Type) -> bool:
    """Whether the JSON ``value`` of a query's result is a value of ``type_``."""
    if isinstance(type_, t.Union):
        return any(conforms(value, member) for member in type_.members)
    if isinstance(type_, t.Singleton):
        return type(value) is type(type_.value) and value == type_.value
    if isinstance(type_, t.Primitive):
        kinds = {"Int": (int,), "Number": (int, float), "String": (str,), "Boolean": (bool,)}
        if type_ == t.NULL:
            return value is None
        return type_ == t.ANY or type(value) in kinds.get(type_.name, ())
    if isinstance(type_, t.TupleType):
        return (
            isinstance(value, list)
            and len(value) == len(type_.elements)
            and all(
                conforms(item, element) for item, element in zip(value, type_.elements, strict=True)
            )
        )
    if isinstance(type_, t.Record):
        # FaunaDB's union of two records keeps only the fields both have (or a wildcard
        # covers), so the value may have more fields than its type lists.
        if not isinstance(value, dict):
            return False
        declared = dict(type_.fields)
        return all(key in value and conforms(value[key], declared[key]) for key in declared) and (
            type_.wildcard is None
            or all(
                conforms(item, type_.wildcard) for key, item in value.items() if key not in declared
            )
        )
    return False


@pytest.fixture(scope="module")
def shared_engine() -> Iterator[Engine]:
    running = Engine()
    yield running
    running.close()


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=well_typed_queries)
def test_well_typed_queries_are_accepted_and_typed_truthfully(
    shared_engine: Engine, query: str
) -> None:
    inference = check_query(parse_query(query), {})
    assert inference.errors == []
    body = parse_query_body(json.dumps({"query": query}).encode())
    result = shared_engine.run(QueryRequest(body=body, typecheck=True))
    assert result.status == 200, result.body
    assert result.body.get("static_type") == static_type_of(inference)
    if inference.result is not None:
        assert conforms(result.body["data"], inference.result), (query, t.render(inference.result))
