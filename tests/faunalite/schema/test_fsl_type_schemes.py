"""``TypeParser.type_scheme``: a type with a leading ``<A, B>`` binder, the form of FaunaDB's
polymorphic stdlib signatures (``<A, B> (mapper: (A => B)) => Array<B>``)."""

from __future__ import annotations

import pytest

from faunalite.fql.lexer import ParseFailure
from faunalite.fql.parser import EmbeddedExpressions
from faunalite.fql.span import Source
from faunalite.schema import fsl_ast as f
from faunalite.schema.fsl_types import TypeParser


def scheme(text: str) -> tuple[f.TypeScheme, int]:
    expressions = EmbeddedExpressions(Source("*test*", text))
    return TypeParser(expressions).type_scheme(0)


def test_a_binder_names_the_parameters_of_the_type_after_it() -> None:
    parsed, end = scheme("<A, B> (mapper: (A => B)) => Array<B>")
    assert parsed.params == ("A", "B")
    assert parsed.body == f.FunctionType(
        (("mapper", f.FunctionType(((None, f.NamedType("A")),), None, f.NamedType("B"))),),
        None,
        f.AppliedType("Array", (f.NamedType("B"),)),
    )
    assert end == len("<A, B> (mapper: (A => B)) => Array<B>")


def test_a_binder_applies_to_a_whole_intersection_of_overloads() -> None:
    parsed, _ = scheme("<A> ((from: Number) => Array<A>) & ((from: Number, until: Number) => A)")
    assert parsed.params == ("A",)
    assert isinstance(parsed.body, f.IntersectionType)
    assert len(parsed.body.members) == 2


def test_without_a_binder_the_scheme_has_no_parameters() -> None:
    parsed, _ = scheme("(x: Number) => Number")
    assert parsed.params == ()
    assert isinstance(parsed.body, f.FunctionType)


def test_a_binder_may_span_lines() -> None:
    parsed, _ = scheme("<\n  A,\n  B\n> { *: A | B }")
    assert parsed.params == ("A", "B")
    assert isinstance(parsed.body, f.ObjectType)


def test_a_scheme_at_an_offset_spans_from_the_binder() -> None:
    text = "xx <A> A"
    parsed, end = TypeParser(EmbeddedExpressions(Source("*test*", text))).type_scheme(3)
    assert parsed.params == ("A",)
    assert parsed.span is not None and (parsed.span.start, parsed.span.end) == (3, end)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("<> A", "type parameter"), ("<A B> A", "`,`"), ("<A,> A", "type parameter")],
)
def test_a_malformed_binder_says_what_it_expected(text: str, expected: str) -> None:
    with pytest.raises(ParseFailure) as failure:
        scheme(text)
    assert expected in str(failure.value.diagnostic.message)
