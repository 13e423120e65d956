"""Wrong arity on a stdlib function whose signature has one overload: FaunaDB's typer reports
it at the call's parentheses (``ext/fql/shared/src/main/scala/typer/TypeConstraintFailure.scala``
``InvalidArity``; renderings from ``ext/fql/shared/src/test/scala/typer/TyperCoreSpec.scala``
"report user-friendly arity mismatch errors": ``succ(1, 2)`` and ``succ()``)."""

from __future__ import annotations

import pytest

from faunalite.fql.diagnostics import render_error
from faunalite.fql.errors import QueryCheckError
from faunalite.fql.parser import parse_query
from faunalite.fql.typer import check_query


def errors_of(query: str) -> list[tuple[str, str]]:
    """Each error's message and the source text it points at."""
    inference = check_query(parse_query(query), {})
    return [(error.message, query[error.span.start : error.span.end]) for error in inference.errors]


def test_too_many_arguments_points_at_the_parentheses() -> None:
    inference = check_query(parse_query("Math.abs(1, 2)"), {})
    assert inference.result is None
    assert render_error(QueryCheckError(inference.errors)) == (
        "error: Function was called with too many arguments. Expected 1, received 2\n"
        "at *query*:1:9\n  |\n1 | Math.abs(1, 2)\n  |         ^^^^^^\n  |"
    )


def test_too_few_arguments() -> None:
    assert errors_of("'abc'.concat()") == [
        ("Function was not called with enough arguments. Expected 1, received 0", "()")
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "[1].map()",
            ("Function was not called with enough arguments. Expected 1, received 0", "()"),
        ),
        (
            "newId(1)",
            ("Function was called with too many arguments. Expected 0, received 1", "(1)"),
        ),
        (
            "Time.now(1)",
            ("Function was called with too many arguments. Expected 0, received 1", "(1)"),
        ),
        (
            "abort()",
            ("Function was not called with enough arguments. Expected 1, received 0", "()"),
        ),
        (
            "let s = 'a'; s.toUpperCase(1)",
            ("Function was called with too many arguments. Expected 0, received 1", "(1)"),
        ),
    ],
)
def test_methods_global_functions_and_module_members(query: str, expected: tuple[str, str]) -> None:
    assert errors_of(query) == [expected]


def test_overloaded_and_unknown_callees_are_not_errors() -> None:
    # `slice` has overloads of 1 and 2 arguments: which one FaunaDB reports against is not
    # known, so a third argument is left to the runtime.
    assert errors_of("[1, 2].slice(1, 2, 3)") == []
    # A receiver of unknown type has no known signature.
    assert errors_of("[1].map(x => x.foo(1, 2, 3))") == []
    # A right number of arguments is no error.
    assert errors_of("Math.abs(-1)") == []
