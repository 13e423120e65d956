"""Rendering and merging of types as FaunaDB's ``static_type`` shows them.

Expected texts come from FaunaDB's typer specs
(``ext/fql/shared/src/test/scala/typer/TyperCoreSpec.scala``) and its coalescer
(``ext/fql/shared/src/main/scala/typer/CoalescedType.scala``, ``CT.merge``).
"""

from __future__ import annotations

import pytest

from faunalite.fql.typer import types as t


@pytest.mark.parametrize(
    ("type_", "text"),
    [
        (t.Singleton(123), "123"),
        (t.Singleton(-5), "-5"),
        (t.Singleton("foo"), '"foo"'),
        (t.Singleton(True), "true"),
        (t.NULL, "Null"),
        (t.Record(()), "{}"),
        (t.Record((("foo", t.Singleton(1)),)), "{ foo: 1 }"),
        (t.Record((("a", t.INT),), t.STRING), "{ a: Int, *: String }"),
        (t.Record((), t.NEVER), "{ *: Never }"),
        (t.TupleType(()), "[]"),
        (t.TupleType((t.INT, t.INT)), "[Int, Int]"),
        (t.Applied("Array", (t.union(t.Singleton(1), t.Singleton(2)),)), "Array<1 | 2>"),
        (t.Applied("Set", (t.STRING,)), "Set<String>"),
    ],
)
def test_types_render_as_faunadb_prints_them(type_: t.Type, text: str) -> None:
    assert t.render(type_) == text


def test_a_union_keeps_its_members_in_order() -> None:
    assert t.render(t.union(t.Singleton(42), t.Singleton(41))) == "42 | 41"


def test_true_and_false_make_boolean() -> None:
    assert t.union(t.Singleton(True), t.Singleton(False)) == t.BOOLEAN


def test_a_singleton_is_absorbed_by_its_primitive() -> None:
    assert t.union(t.STRING, t.Singleton("hi")) == t.STRING
    assert t.union(t.Singleton(3), t.INT) == t.INT
    assert t.render(t.union(t.Singleton(3), t.STRING)) == "3 | String"


def test_null_prints_last_and_any_first() -> None:
    assert t.render(t.union(t.NULL, t.Singleton(3))) == "3 | Null"
    assert t.render(t.union(t.Singleton(1), t.ANY)) == "Any | 1"


def test_never_vanishes_from_a_union() -> None:
    assert t.union(t.NEVER, t.INT) == t.INT
    assert t.union() == t.NEVER


def test_records_merge_field_by_field() -> None:
    # TyperCoreSpec: `if (true) intobj else foobarwild` is
    # `{ foo: Int | String, bar: Int, *: Int | Boolean }`.
    intobj = t.Record((), t.INT)
    foobarwild = t.Record((("foo", t.STRING), ("bar", t.INT)), t.BOOLEAN)
    merged = t.union(intobj, foobarwild)
    assert t.render(merged) == "{ foo: Int | String, bar: Int, *: Int | Boolean }"
    # `if (true) intobj else boolobj` is `{ *: Int | Boolean }`.
    assert t.render(t.union(intobj, t.Record((), t.BOOLEAN))) == "{ *: Int | Boolean }"


def test_a_field_missing_on_one_closed_side_is_dropped() -> None:
    left = t.Record((("a", t.Singleton(1)),))
    right = t.Record((("b", t.Singleton(2)),))
    assert t.render(t.union(left, right)) == "{}"


def test_tuples_of_one_length_merge_and_others_stay_apart() -> None:
    one = t.TupleType((t.Singleton(1),))
    two = t.TupleType((t.Singleton(2),))
    pair = t.TupleType((t.Singleton(1), t.Singleton(2)))
    assert t.render(t.union(one, two)) == "[1 | 2]"
    assert t.render(t.union(one, pair)) == "[1] | [1, 2]"


def test_without_null() -> None:
    assert t.without_null(t.union(t.Singleton(1), t.NULL)) == t.Singleton(1)
    assert t.without_null(t.NULL) == t.NEVER


@pytest.mark.parametrize(
    "type_",
    [
        t.Singleton('say "hi"'),
        t.Singleton("back\\slash"),
        t.Singleton("line\nbreak"),
        t.Record((("two words", t.INT),)),
        t.TupleType((t.Singleton("#{x}"),)),
    ],
)
def test_text_whose_escaping_is_unverified_is_not_renderable(type_: t.Type) -> None:
    assert not t.renderable(type_)
