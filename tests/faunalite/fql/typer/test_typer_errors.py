"""Type errors: only those FaunaDB's typer is known to report, with its message and span.

Expectations are from ``ext/fql/shared/src/test/scala/typer/TyperCoreSpec.scala``.
"""

from __future__ import annotations

import pytest

from faunalite.fql.diagnostics import render_error
from faunalite.fql.errors import QueryCheckError
from faunalite.fql.parser import parse_query
from faunalite.fql.typer import check_query


def summary_of(query: str) -> str:
    inference = check_query(parse_query(query), {})
    assert inference.errors, f"no error for {query!r}"
    return render_error(QueryCheckError(inference.errors))


def test_missing_field_of_an_object_literal() -> None:
    assert summary_of("{}.foo") == (
        "error: Type `{}` does not have field `foo`\nat *query*:1:4\n  |\n1 | {}.foo\n"
        "  |    ^^^\n  |"
    )
    assert summary_of("{ foo: 1 }.bar") == (
        "error: Type `{ foo: 1 }` does not have field `bar`\nat *query*:1:12\n  |\n"
        "1 | { foo: 1 }.bar\n  |            ^^^\n  |"
    )


def test_missing_key_in_brackets_points_at_the_key() -> None:
    assert summary_of("{}['foo']") == (
        "error: Type `{}` does not have field `foo`\nat *query*:1:4\n  |\n1 | {}['foo']\n"
        "  |    ^^^^^\n  |"
    )
    assert summary_of("{ a: 3, b: 4 }['hi']") == (
        "error: Type `{ a: 3, b: 4 }` does not have field `hi`\nat *query*:1:16\n  |\n"
        "1 | { a: 3, b: 4 }['hi']\n  |                ^^^^\n  |"
    )


def test_every_error_is_reported() -> None:
    assert summary_of("{ a: 1.foo, b: 2.bar }") == (
        "error: Type `Int` does not have field `foo`\nat *query*:1:8\n  |\n"
        "1 | { a: 1.foo, b: 2.bar }\n  |        ^^^\n  |\n\n"
        "error: Type `Int` does not have field `bar`\nat *query*:1:18\n  |\n"
        "1 | { a: 1.foo, b: 2.bar }\n  |                  ^^^\n  |"
    )


def test_missing_member_of_a_literal_of_a_stdlib_type() -> None:
    assert summary_of("'x'.nope()") == (
        "error: Type `String` does not have field `nope`\nat *query*:1:5\n  |\n"
        "1 | 'x'.nope()\n  |     ^^^^\n  |"
    )


def test_missing_member_of_an_array_literal() -> None:
    assert summary_of("[1, 2].foo()") == (
        "error: Type `Array<1 | 2>` does not have field `foo`\nat *query*:1:8\n  |\n"
        "1 | [1, 2].foo()\n  |        ^^^\n  |"
    )


def test_a_literal_operand_that_is_not_a_number() -> None:
    # FQL2BasicSpec ("renders the error message in the right spot"), FaunaDB's real environment.
    assert summary_of('2 + "a"') == (
        "error: Type `String` is not a subtype of `Number`\nat *query*:1:5\n  |\n"
        '1 | 2 + "a"\n  |     ^^^\n  |'
    )
    assert summary_of("2 * null").startswith("error: Type `Null` is not a subtype of `Number`")


def test_a_literal_argument_of_the_wrong_type() -> None:
    # TyperCoreSpec ("report method apply errors").
    assert summary_of("'foo'.concat(2)") == (
        "error: Type `Int` is not a subtype of `String`\nat *query*:1:14\n  |\n"
        "1 | 'foo'.concat(2)\n  |              ^\n  |"
    )


@pytest.mark.parametrize(
    "query",
    [
        "{ a: 1 }.a",
        "2 - 'a'",  # `-` is overloaded (binary and unary): its message is not verified
        "x + 'a'",  # the number is not a literal
        "'foo'.concat(1.5)",
        "Math.nope",
        "1.toString()",
        "'abc'.length",
        # A value whose type flowed from elsewhere gets an "inferred here" hint in FaunaDB;
        # without that hint's form verified, the checker says nothing.
        "{ let a = 3; a.foo }",
        "{ let o = {}; o.foo }",
        # A field of an argument: the value's type came from the request, not the source.
        "x.foo",
    ],
)
def test_no_error_where_faunadb_accepts_or_the_form_is_unverified(query: str) -> None:
    assert check_query(parse_query(query), {"x": {}}).errors == []
