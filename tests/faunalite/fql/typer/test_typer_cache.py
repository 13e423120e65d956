"""``TypecheckCache``: one check per query text, schema version and argument types."""

from __future__ import annotations

from faunalite.fql.parser import parse_query
from faunalite.fql.typer import TypecheckCache, static_type_of


def no_schema_names(name: str) -> bool:
    """A database with no collections, UDFs or aliases."""
    return False


def test_a_repeated_query_is_checked_once() -> None:
    cache = TypecheckCache()
    tree = parse_query("x + 1")
    first = cache.check(tree, 0, {"x": 1}, no_schema_names)
    assert cache.check(parse_query("x + 1"), 0, {"x": 1}, no_schema_names) is first
    assert static_type_of(first) == "Number"


def test_schema_version_and_argument_types_are_part_of_the_key() -> None:
    cache = TypecheckCache()
    tree = parse_query("x")
    one = cache.check(tree, 0, {"x": 1}, no_schema_names)
    assert cache.check(tree, 1, {"x": 1}, no_schema_names) is not one
    assert static_type_of(cache.check(tree, 0, {"x": "a"}, no_schema_names)) == '"a"'
    assert static_type_of(cache.check(tree, 0, {"x": 1}, no_schema_names)) == "1"


def test_the_oldest_entries_make_room() -> None:
    cache = TypecheckCache(capacity=2)
    first = cache.check(parse_query("1"), 0, {}, no_schema_names)
    cache.check(parse_query("2"), 0, {}, no_schema_names)
    cache.check(parse_query("3"), 0, {}, no_schema_names)
    assert cache.check(parse_query("1"), 0, {}, no_schema_names) is not first


def test_an_argument_deeper_than_the_stack_is_unknown() -> None:
    deep: list[object] = []
    for _ in range(100_000):
        deep = [deep]
    inference = TypecheckCache().check(parse_query("x"), 0, {"x": deep}, no_schema_names)
    assert (inference.result, inference.errors) == (None, [])


def test_free_identifiers_are_looked_up_in_the_schema_at_each_check() -> None:
    # The cached check keeps the free identifiers; whether each is a schema name is asked
    # every time, so a collection created since is found although the text is cached.
    cache = TypecheckCache()
    tree = parse_query("User.all()")
    unknown = cache.check(tree, 0, {}, no_schema_names)
    assert [error.message for error in unknown.errors] == ["Unbound variable `User`"]
    known = cache.check(tree, 0, {}, lambda name: name == "User")
    assert (known.result, known.errors) == (None, [])
