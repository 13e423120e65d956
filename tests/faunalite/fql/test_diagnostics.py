"""Summary rendering, checked against FaunaDB's verbatim examples (reference §5.4)."""

from __future__ import annotations

import pytest

from faunalite.fql.diagnostics import join_summary, render_debug, render_error, render_log
from faunalite.fql.errors import CheckDiagnostic, Hint, QueryCheckError, QueryError
from faunalite.fql.parser import parse_query
from faunalite.fql.span import Source, Span
from fql_reference_summaries import ABORT_THROUGH_TWO_UDFS, DIVIDE_BY_ZERO, NULL_WITH_HINT_AND_TRACE


def span_of(source: Source, fragment: str, occurrence: int = 0) -> Span:
    """The span of the ``occurrence``-th ``fragment`` in ``source``."""
    start = -1
    for _ in range(occurrence + 1):
        start = source.text.index(fragment, start + 1)
    return Span(start, start + len(fragment), source)


def test_single_line_error() -> None:
    query = Source("*query*", "234 / 0")
    error = QueryError("divide_by_zero", "Attempted integer division by zero.", span_of(query, "0"))
    assert render_error(error) == DIVIDE_BY_ZERO


def test_trace_through_user_functions_in_other_sources() -> None:
    err_func = Source("*udf:errFunc*", '() => abort("tracer")')
    eventually = Source("*udf:eventuallyError*", "() => errFunc()")
    query = Source("*query*", "\neventuallyError()\n")
    error = QueryError("abort", "Query aborted.", span_of(err_func, '("tracer")'))
    error.trace = [span_of(eventually, "()", 1), span_of(query, "()")]
    assert render_error(error) == ABORT_THROUGH_TWO_UDFS


def test_hint_and_named_trace_frame_on_the_same_line() -> None:
    query = Source("*query*", "let myVal = null\n[1, 2].firstWhere(v => myVal!)")
    hint = Hint("hint", "Null value created here", span_of(query, "null"))
    error = QueryError("null_value", "Null literal value", span_of(query, "myVal!"), hints=[hint])
    error.trace = [span_of(query, "(v => myVal!)")]
    assert render_error(error) == NULL_WITH_HINT_AND_TRACE


def test_multi_line_span_with_constraint_failures() -> None:
    query = Source("*query*", 'TestColl.create({\n  ts: "Thing",\n})')
    args = Span(query.text.index("("), len(query.text), query)
    error = QueryError(
        "constraint_failure",
        "Failed to create document in collection `TestColl`.",
        args,
        constraint_failures=[
            {"paths": [["ts"]], "message": "Is a reserved field and cannot be used"}
        ],
    )
    assert render_error(error) == (
        "error: Failed to create document in collection `TestColl`.\n"
        "constraint failures:\n"
        "  ts: Is a reserved field and cannot be used\n"
        "at *query*:1:16\n"
        "  |\n"
        "1 |   TestColl.create({\n"
        "  |  ________________^\n"
        '2 | |   ts: "Thing",\n'
        "3 | | })\n"
        "  | |__^\n"
        "  |"
    )


def test_gutter_grows_with_the_line_number() -> None:
    query = Source("*query*", "\n" * 9 + "1 + 'a'")
    error = QueryError("invalid_argument", "bad", span_of(query, "'a'"))
    assert render_error(error) == (
        "error: bad\nat *query*:10:5\n   |\n10 | 1 + 'a'\n   |     ^^^\n   |"
    )


def test_hint_on_another_line_of_a_multi_line_error_keeps_its_at_line() -> None:
    query = Source("*query*", "let x = null\nx.foo")
    hint = Hint("hint", "Null value created here", span_of(query, "null"))
    error = QueryError(
        "invalid_null_access", "Cannot access `foo` on null.", span_of(query, "foo"), hints=[hint]
    )
    assert "hint: Null value created here\nat *query*:1:9\n" in render_error(error)


def test_error_without_position() -> None:
    assert render_error(QueryError("internal_error", "boom")) == "error: boom"


def test_parse_error_annotation_and_clamping_at_end_of_query() -> None:
    with pytest.raises(QueryCheckError) as caught:
        parse_query("let a =\n\n")
    assert render_error(caught.value) == (
        "error: Expected expression\nat *query*:1:8\n  |\n1 | let a =\n  |        ^\n  |"
    )
    with pytest.raises(QueryCheckError) as caught:
        parse_query("let join = 1")
    assert render_error(caught.value) == (
        "error: Invalid identifier\n"
        "at *query*:1:5\n"
        "  |\n"
        "1 | let join = 1\n"
        "  |     ^^^^ `join` is a keyword\n"
        "  |"
    )


def test_several_check_diagnostics_are_separated_by_blank_lines() -> None:
    query = Source("*query*", "[.a, .b]")
    error = QueryCheckError(
        [
            CheckDiagnostic("Invalid anonymous field access", span_of(query, ".a")),
            CheckDiagnostic("Invalid anonymous field access", span_of(query, ".b")),
        ]
    )
    assert error.message == "The query failed 2 validation checks"
    first, second = render_error(error).split("\n\n")
    assert first.endswith("1 | [.a, .b]\n  |  ^^\n  |")
    assert second.endswith("1 | [.a, .b]\n  |      ^^\n  |")


def test_cause_hint_of_missing_return() -> None:
    with pytest.raises(QueryCheckError) as caught:
        parse_query("let x = 1\n")
    assert render_error(caught.value) == (
        "error: Missing return expression\n"
        "at *query*:1:10\n"
        "  |\n"
        "1 | let x = 1\n"
        "  |          ^\n"
        "  |\n"
        "cause: Statement does not return a value\n"
        "  |\n"
        "1 | let x = 1\n"
        "  | ^^^^^^^^^\n"
        "  |"
    )


def test_log_and_debug_forms() -> None:
    query = Source("*query*", 'let x = 1\nlog("hello")\ndbg(x)')
    assert render_log(span_of(query, 'log("hello")'), "hello") == "info at *query*:2: hello"
    assert render_debug(span_of(query, "(x)"), "1") == (
        "info: 1\nat *query*:3:4\n  |\n3 | dbg(x)\n  |    ^^^\n  |"
    )


def test_join_summary_skips_empty_parts() -> None:
    assert join_summary([]) == ""
    assert join_summary(["a", "", "b"]) == "a\n\nb"


def test_empty_query_renders_a_blank_line() -> None:
    with pytest.raises(QueryCheckError) as caught:
        parse_query("   ")
    assert render_error(caught.value) == (
        "error: Unexpected end of query. Expected statement or expression\n"
        "at *query*:1:1\n"
        "  |\n"
        "1 |\n"
        "  | ^\n"
        "  |"
    )
