"""User collections in the checker: FaunaDB types a collection ``User`` as ``UserCollection``
and its documents as ``User`` (``ext/fql/shared/src/main/scala/env/CollectionTypeInfo.scala``
``collName``/``docType``/``refType``); expectations from
``ext/fql/shared/src/test/scala/typer/TyperCoreSpec.scala`` "typecheck documents"."""

from __future__ import annotations

import pytest

import faunalite.model  # noqa: F401  (registers the user collection table)
from faunalite.fql.parser import parse_query
from faunalite.fql.stdlib.registry import TypeTable
from faunalite.fql.typer import TypecheckCache, static_type_of
from faunalite.model.collections import USER_COLLECTION


def user_only(name: str) -> TypeTable | None:
    return USER_COLLECTION if name == "User" else None


def static_type(query: str) -> str | None:
    inference = TypecheckCache().check(
        parse_query(query), 0, {}, lambda name: name == "User", user_only, 1
    )
    assert inference.errors == []
    return static_type_of(inference)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("User.all()", "Set<User>"),
        ("User.create({ name: 'Bob' })", "User"),
        ("User.byId('1234')", "Ref<User>"),
        ("User", "UserCollection"),
        ("User.where(.name == 'Bob')", "Set<User>"),
        ("User.firstWhere(.name == 'Bob')", "User | Null"),
        ("User.all().first()", "User | Null"),
    ],
)
def test_collection_and_document_types(query: str, expected: str) -> None:
    assert static_type(query) == expected


def test_what_is_not_modelled_stays_unknown() -> None:
    # Documents' own fields and methods (FaunaDB: the declared fields, `Any` wildcard for an
    # untyped collection) are not modelled yet.
    assert static_type("User.create({ name: 'Bob' }).name") is None
    assert static_type("User.all().map(.name)") is None
    assert static_type("User.definition") is None


def test_collection_types_are_kept_per_database() -> None:
    cache = TypecheckCache()
    tree = parse_query("User.all()")
    typed = cache.check(tree, 0, {}, lambda name: True, user_only, 1)
    other = cache.check(tree, 0, {}, lambda name: True, lambda name: None, 2)
    assert (static_type_of(typed), static_type_of(other)) == ("Set<User>", None)
