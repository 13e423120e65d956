"""Unbound identifiers under typechecking: FaunaDB's typer looks every identifier up in the
lexical variables, then in its global environment (the stdlib and the database's
collections, UDFs and aliases), and reports one it cannot find as ``Unbound variable `x```
at the identifier (``ext/fql/shared/src/main/scala/typer/TyperExprs.scala``, case
``Expr.Id``; message from ``ext/fql/shared/src/main/scala/error/package.scala``
``TypeError.UnboundVariable``)."""

from __future__ import annotations

from faunalite.fql.diagnostics import render_error
from faunalite.fql.errors import QueryCheckError
from faunalite.fql.parser import parse_query
from faunalite.fql.typer import TypecheckCache


def messages(query: str, *schema_names: str) -> list[str]:
    inference = TypecheckCache().check(parse_query(query), 0, {}, set(schema_names).__contains__)
    return [error.message for error in inference.errors]


def test_an_unknown_identifier_is_unbound_at_its_span() -> None:
    inference = TypecheckCache().check(parse_query("1 + foo"), 0, {}, lambda name: False)
    assert inference.result is None
    assert render_error(QueryCheckError(inference.errors)) == (
        "error: Unbound variable `foo`\nat *query*:1:5\n  |\n1 | 1 + foo\n  |     ^^^\n  |"
    )


def test_variables_stdlib_globals_and_arguments_are_bound() -> None:
    assert messages("let x = 1; x") == []
    assert messages("[1].map(x => x + 1)") == []
    assert messages("[1].map(.a)") == []
    assert messages("Math.abs(-1)") == []
    assert messages("newId()") == []
    assert messages("Time.now()") == []
    inference = TypecheckCache().check(parse_query("x"), 0, {"x": 1}, lambda name: False)
    assert inference.errors == []


def test_schema_names_are_bound() -> None:
    assert messages("User.all()", "User") == []
    assert messages("User.all()") == ["Unbound variable `User`"]
    assert messages("myUdf(1)", "myUdf") == []
    assert messages("myUdf(1)") == ["Unbound variable `myUdf`"]


def test_each_unbound_identifier_is_an_error_in_source_order() -> None:
    assert messages("[b, a]") == ["Unbound variable `b`", "Unbound variable `a`"]


def test_a_variable_out_of_its_scope_is_unbound() -> None:
    assert messages("{ let x = 1; x }; x") == ["Unbound variable `x`"]


def test_an_unbound_identifier_in_a_called_lambda_is_reported_once() -> None:
    assert messages("let f = (a) => a + zz; [f(1), f(2)]") == ["Unbound variable `zz`"]
