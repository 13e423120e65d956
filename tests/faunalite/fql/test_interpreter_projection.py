"""Projection (``value { ... }``) over arrays whose elements are not all objects."""

from __future__ import annotations

import faunalite.fql.stdlib  # noqa: F401  (registers the tables)
from faunalite.fql.context import QueryContext
from faunalite.fql.display import debug
from faunalite.fql.interpreter import run_query
from faunalite.fql.parser import parse_query
from faunalite.fql.values import Time


def run(source: str) -> str:
    context = QueryContext(snapshot_time=Time(1_700_000_000_000_000_000))
    return debug(run_query(parse_query(source), context))


def test_null_elements_of_a_projected_array_stay_null() -> None:
    assert run("[{ a: 1, b: 2 }, null, { a: 3 }] { a }") == "[{ a: 1 }, null, { a: 3 }]"


def test_projected_set_elements_follow_the_same_rule() -> None:
    assert run("([{ a: 1 }, null].toSet() { a }).toArray()") == "[{ a: 1 }, null]"


def test_nested_projection_of_a_null_field_is_null() -> None:
    assert run("{ o: null } { o { x } }") == "{ o: null }"
