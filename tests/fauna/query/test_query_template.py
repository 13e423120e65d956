"""``fql()`` templates: placeholders, ``$$`` escapes, sub-queries and error messages."""

from __future__ import annotations

from datetime import date

import pytest

from fauna.encoding import FaunaEncoder
from fauna.query import Query, fql
from fauna.query.query_builder import LiteralFragment, ValueFragment
from fauna.query.template import FaunaTemplate


def parts(template: str) -> list[tuple[str | None, str | None]]:
    return list(FaunaTemplate(template).iter())


def test_template_parts() -> None:
    assert parts("let x = ${my_var}") == [("let x = ", "my_var")]
    assert parts("let x = ${v}\nlet y = ${v}\nx * y") == [
        ("let x = ", "v"),
        ("\nlet y = ", "v"),
        ("\nx * y", None),
    ]
    assert parts("${my_var} { .name }") == [(None, "my_var"), (" { .name }", None)]
    assert parts("") == []


def test_template_escape_parts() -> None:
    assert parts("let x = '$${not_a_var}'") == [("let x = '$", None), ("{not_a_var}'", None)]
    # The official driver dropped a `$$` at the start or right after a variable.
    assert parts("$${x}") == [("$", None), ("{x}", None)]
    assert parts("${a}$$") == [(None, "a"), ("$", None)]
    assert parts("$$$$") == [("$", None), ("$", None)]


@pytest.mark.parametrize(
    ("template", "text"),
    [
        ("$${x}", "${x}"),
        ("$$", "$"),
        ("a $$ b", "a $ b"),
        ("$$$$", "$$"),
        ("let x = '$${not_a_var}'", "let x = '${not_a_var}'"),
        ('"#{name} costs $$5"', '"#{name} costs $5"'),
    ],
)
def test_escapes_give_literal_dollars(template: str, text: str) -> None:
    query = fql(template)
    assert str(query) == text
    assert FaunaEncoder.encode(query) == {"fql": [text]}


def test_escape_next_to_variables() -> None:
    assert FaunaEncoder.encode(fql("${a}$$", a=1)) == {"fql": [{"value": {"@int": "1"}}, "$"]}
    assert FaunaEncoder.encode(fql("$$${a}", a=1)) == {"fql": ["$", {"value": {"@int": "1"}}]}


@pytest.mark.parametrize(
    ("template", "where", "detail"),
    [
        ("${1x}", "line 1, col 1", "`${1x}` is not a valid variable name"),
        ("x ${", "line 1, col 3", "unterminated `${`"),
        ("${abc", "line 1, col 1", "unterminated `${`"),
        ("${}", "line 1, col 1", "empty variable `${}`"),
        ("$foo", "line 1, col 1", "write `$$` for a literal `$`"),
        ("price $5", "line 1, col 7", "write `$$` for a literal `$`"),
        ("a\nb ${}", "line 2, col 3", "empty variable"),
        ("a\nb ${a b}", "line 2, col 3", "`${a b}` is not a valid variable name"),
        ("let x = ${かわいい}", "line 1, col 9", "not a valid variable name"),
        ("x $", "line 1, col 3", "write `$$`"),
    ],
)
def test_invalid_placeholders_say_where_and_why(template: str, where: str, detail: str) -> None:
    with pytest.raises(ValueError, match="Invalid placeholder in template") as raised:
        fql(template)
    assert where in str(raised.value)
    assert detail in str(raised.value)


def test_missing_variable_is_named() -> None:
    with pytest.raises(ValueError, match="template variable `b` not found in provided kwargs"):
        fql("${a} + ${b}", a=1)


def test_extra_arguments_are_ignored_and_variables_may_repeat() -> None:
    query = fql("${x} * ${x}", x=3, unused=4)
    assert FaunaEncoder.encode(query) == {
        "fql": [{"value": {"@int": "3"}}, " * ", {"value": {"@int": "3"}}]
    }


def test_query_pieces() -> None:
    query = fql("let x = ${v}", v={"a": 1})
    assert isinstance(query, Query)
    first, second = query.fragments
    assert isinstance(first, LiteralFragment) and first.get() == "let x = "
    assert isinstance(second, ValueFragment) and second.get() == {"a": 1}
    assert Query().fragments == []
    assert str(fql("${a} + ${b}", a=1, b=fql("${c}", c="x"))) == "1 + x"


def test_fauna_string_interpolation_is_plain_text() -> None:
    query = fql('let age = ${n}\n"Alice is #{age} years old."', n=5)
    assert FaunaEncoder.encode(query) == {
        "fql": ["let age = ", {"value": {"@int": "5"}}, '\n"Alice is #{age} years old."']
    }


def test_sub_queries_nest() -> None:
    user = {"name": "Dino", "age": 0, "birthdate": date(2023, 2, 24)}
    inner = fql("let x = ${u}", u=user)
    outer = fql("${inner}\nx { .name }", inner=inner)
    assert FaunaEncoder.encode(outer) == {
        "fql": [
            {
                "fql": [
                    "let x = ",
                    {
                        "value": {
                            "name": "Dino",
                            "age": {"@int": "0"},
                            "birthdate": {"@date": "2023-02-24"},
                        }
                    },
                ]
            },
            "\nx { .name }",
        ]
    }


def test_queries_inside_lists_and_dicts_become_array_and_object_fragments() -> None:
    query = fql("${x}", x=[fql("1 + 1"), 2, {"k": fql("3"), "v": None}])
    assert FaunaEncoder.encode(query) == {
        "fql": [
            {
                "array": [
                    {"fql": ["1 + 1"]},
                    {"value": {"@int": "2"}},
                    {"object": {"k": {"fql": ["3"]}, "v": {"value": None}}},
                ]
            }
        ]
    }
    # Without a query inside, a list stays one value.
    assert FaunaEncoder.encode(fql("${x}", x=[1, {"k": 2}])) == {
        "fql": [{"value": [{"@int": "1"}, {"k": {"@int": "2"}}]}]
    }
