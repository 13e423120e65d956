"""The evaluator, construct by construct: values, scoping, calls, chains, errors and limits."""

from __future__ import annotations

import time

import pytest

import faunalite.fql.stdlib  # noqa: F401  (registers the tables)
from faunalite.fql.context import DebugEntry, LogEntry, QueryContext, QueryTimedOut
from faunalite.fql.display import debug
from faunalite.fql.errors import QueryCheckError, QueryError
from faunalite.fql.interpreter import run_query
from faunalite.fql.parser import parse_query
from faunalite.fql.values import Time

SNAPSHOT = Time(1_700_000_000_000_000_000)


def evaluate(source: str, context: QueryContext | None = None) -> object:
    return run_query(parse_query(source), context or QueryContext(snapshot_time=SNAPSHOT))


def run(source: str) -> str:
    """The debug form of the query's value (shows Int vs Double: ``2`` vs ``2.0``)."""
    return debug(evaluate(source))


def failure(source: str) -> QueryError:
    with pytest.raises(QueryError) as caught:
        evaluate(source)
    return caught.value


def located(source: str, err: QueryError) -> str:
    assert err.span is not None
    return source[err.span.start : err.span.end]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("null", "null"),
        ("[1, 'a', true, 2.5]", '[1, "a", true, 2.5]'),
        ("{ a: 1, 'b c': [] }", '{ a: 1, "b c": [] }'),
        ("()", "[]"),
        ("(1)", "1"),
        ("(1, 2)", "[1, 2]"),
        ('"x#{1 + 1}y#{[2.0]}"', '"x2y[2.0]"'),
        ("let x = 1\nlet x = x + 1\nx", "2"),
        ("let x = 1\n{ let x = 5; x }\nx", "1"),
        ("if (true) 1 else 2", "1"),
        ("if (false) 1", "null"),
        ("let f = x => x * 2; f(21)", "42"),
        ("let y = 1; let f = () => y; let y = 2; f()", "1"),
        ("let f = (a, ...rest) => [a, rest]; f(1, 2, 3)", "[1, [2, 3]]"),
        ("let f = (_, b) => b; f(1, 2)", "2"),
        ("let f = x => {}; f(1)", "{}"),
        ("[{ a: 1 }, { a: 2 }].map(.a)", "[1, 2]"),
        ("[1, 2].map(.x)", "[null, null]"),
        ("{ f: x => x + 1 }.f(1)", "2"),
        ("null ?? 1", "1"),
        ("0 ?? 1", "0"),
        ("null?.a.b.c", "null"),
        ("null?.a()", "null"),
        ("let o = null; o?.[0]", "null"),
        ("{ a: null }.a?.b", "null"),
        ("{ a: 1 }.m?.()", "null"),
        ("true && false", "false"),
        ("false && 1", "false"),
        ("true || 1", "true"),
        ("1 isa Number", "true"),
        ("1 isa Int", "true"),
        ("5000000000 isa Long", "true"),
        ("1.0 isa Int", "false"),
        ("{} isa Object", "true"),
        ("[] isa Array", "true"),
        ("Math isa Math", "true"),
        ("null isa Null", "true"),
        ("FQL.Math.PI > 3", "true"),
        ("FQL.log", "[function log()]"),
        ("{ a: 1, b: 2 } { a }", "{ a: 1 }"),
        ("{ a: 1 } { a, z }", "{ a: 1, z: null }"),
        ("[{ a: 1, b: 2 }, { a: 3 }] { b }", "[{ b: 2 }, { b: null }]"),
        ("{ a: { b: 1, c: 2 } } { a { c } }", "{ a: { c: 2 } }"),
        ("{ a: 1, b: 2 } { total: .a + .b }", "{ total: 3 }"),
        ("null { a }", "null"),
        ("5 { a }", "5"),
        ("at (Time.now()) 1", "1"),
        ("[1, 2][1]", "2"),
        ("{ a: 1 }['a']", "1"),
        ('"héllo"[1]', '"é"'),
        ("Math.max", "[function max()]"),
        ("$0", "7"),
    ],
)
def test_constructs(source: str, expected: str) -> None:
    context = QueryContext(snapshot_time=SNAPSHOT, bindings={"$0": 7})
    assert debug(evaluate(source, context)) == expected


@pytest.mark.parametrize(
    ("source", "code", "message", "at"),
    [
        ("if (1) 2", "type_mismatch", "expected type: Boolean, received Int", "1"),
        ("if (null) 2", "type_mismatch", "expected type: Boolean, received Null", "null"),
        ("1 && true", "type_mismatch", "expected type: Boolean, received Int", "1"),
        ("true && 'x'", "type_mismatch", "expected type: Boolean, received String", "'x'"),
        ("x", "unbound_variable", "Unbound variable `x`", "x"),
        (
            "let f = (a, b) => a; f(1)",
            "invalid_function_invocation",
            "callee function expects exactly 2 arguments, but 1 was provided.",
            "(1)",
        ),
        (
            "let f = (a, ...r) => a; f()",
            "invalid_function_invocation",
            "callee function expects at least 1 argument, but 0 were provided.",
            "()",
        ),
        (
            "Math.abs(1, 2)",
            "invalid_function_invocation",
            "callee function expects exactly 1 argument, but 2 were provided.",
            "(1, 2)",
        ),
        (
            "'abc'.conct('d')",
            "invalid_function_invocation",
            "The function `conct` does not exist on `String`",
            "conct",
        ),
        (
            "'abc'.length()",
            "invalid_function_invocation",
            "`length`: Expected a function, found `Int`",
            "length",
        ),
        (
            "{ a: 1 }.toString()",
            "invalid_function_invocation",
            "The function `toString` does not exist on `{ *: Any }`",
            "toString",
        ),
        ("let x = 1; x(2)", "type_mismatch", "expected type: Function, received Int", "(2)"),
        ("1[0]", "invalid_function_invocation", "The function `[]` does not exist on `Int`", "[0]"),
        (
            "'a' - 1",
            "invalid_function_invocation",
            "The function `-` does not exist on `String`",
            "-",
        ),
        (
            "1 =~ 1",
            "invalid_function_invocation",
            "The function `=~` does not exist on `Int`",
            "=~",
        ),
        ("-'a'", "invalid_function_invocation", "The function `-` does not exist on `String`", "-"),
        ("null.x", "invalid_null_access", "Cannot access `x` on null.", "x"),
        ("null.m()", "invalid_null_access", "Cannot access `m` on null.", "m"),
        ("let n = null; n[0]", "invalid_null_access", "Cannot access `[]` on null.", "[0]"),
        ("null!", "null_value", "Null literal value", "null!"),
        ("{ a: 1 }.b!", "null_value", "Null value, due to missing field `b`", ".b!"),
        ("[].first()!", "null_value", "Null value, due to empty array", "()!"),
        ("[1, 2][2]", "index_out_of_bounds", "index 2 out of bounds for length 2", "[2]"),
        ("[1, 2][-1]", "index_out_of_bounds", "index -1 out of bounds for length 2", "[-1]"),
        (
            "[1]['a']",
            "invalid_argument",
            "expected value for `index` of type Int, received String",
            "['a']",
        ),
        (
            "1 isa 2",
            "invalid_argument",
            "invalid argument `type_object`: expected a module object",
            "2",
        ),
        ("at (1) 2", "type_mismatch", "expected type: Time, received Int", "1"),
        (
            "at (Time.now().add(1, 'day')) 2",
            "invalid_argument",
            "invalid argument `at_time`: cannot evaluate `at` in the future",
            "Time.now().add(1, 'day')",
        ),
        ("abort({ a: 1 })", "abort", "Query aborted.", "({ a: 1 })"),
        (
            "1 + 'a'",
            "invalid_argument",
            "expected value for `other` of type Number, received String",
            "'a'",
        ),
        (
            "2 ** 'a'",
            "invalid_argument",
            "expected value for `exponent` of type Number, received String",
            "'a'",
        ),
        ("234 / 0", "divide_by_zero", "Attempted integer division by zero.", "0"),
        ("5 % 0", "divide_by_zero", "Attempted integer division by zero.", "0"),
    ],
)
def test_errors(source: str, code: str, message: str, at: str) -> None:
    err = failure(source)
    assert (err.code, err.message) == (code, message)
    assert located(source, err) == at


def test_abort_carries_its_value() -> None:
    assert failure("abort({ a: 1 })").abort == {"a": 1}


def test_null_access_hint_points_at_the_null() -> None:
    source = "let v = null\nv.name"
    err = failure(source)
    assert [(hint.message, located_span(source, hint.span)) for hint in err.hints] == [
        ("Null value created here", "null")
    ]


def located_span(source: str, span: object) -> str:
    assert span is not None
    return source[span.start : span.end]  # type: ignore[attr-defined]


def test_null_value_error_has_origin_hint_and_trace() -> None:
    source = "let myVal = null\n[1, 2].firstWhere(v => myVal!)"
    err = failure(source)
    assert (err.code, err.message, located(source, err)) == (
        "null_value",
        "Null literal value",
        "myVal!",
    )
    assert [located_span(source, hint.span) for hint in err.hints] == ["null"]
    assert [located_span(source, span) for span in err.trace] == ["(v => myVal!)"]


def test_trace_lists_each_call_site_innermost_first() -> None:
    source = "let inner = () => abort(1)\nlet outer = () => inner()\nouter()"
    err = failure(source)
    assert located(source, err) == "(1)"
    assert [located_span(source, span) for span in err.trace] == ["()", "()"]
    assert [span.start for span in err.trace] == [source.index("inner()") + 5, len(source) - 2]


def test_operator_on_null_hints_at_the_null() -> None:
    err = failure("null - 1")
    assert err.message == "The function `-` does not exist on `Null`"
    assert [hint.message for hint in err.hints] == ["Null value created here"]


def test_match_is_refused_as_a_check_error() -> None:
    with pytest.raises(QueryCheckError):
        evaluate("match 1 { case 1 => 2 }")


def test_stack_overflow_is_an_fql_error() -> None:
    err = failure("let f = (f, n) => f(f, n + 1); f(f, 0)")
    assert (err.code, err.message) == (
        "stack_overflow",
        "number of stack frames exceeded limit of 2048",
    )


def test_deep_recursion_through_natives_stays_an_fql_error() -> None:
    err = failure("let f = (f, n) => [n].map(x => f(f, x + 1)); f(f, 0)")
    assert err.code == "stack_overflow"


def test_recursion_below_the_limit_succeeds() -> None:
    assert run("let f = (f, n) => if (n == 0) 0 else 1 + f(f, n - 1); f(f, 2000)") == "2000"


def test_long_operator_chains_do_not_recurse() -> None:
    assert run("+".join(["1"] * 20_000)) == "20000"


def test_deadline_stops_a_runaway_query() -> None:
    context = QueryContext(snapshot_time=SNAPSHOT, deadline=time.monotonic() + 0.05)
    with pytest.raises(QueryTimedOut):
        evaluate("Array.sequence(0, 16000).map(x => Array.sequence(0, 16000).map(y => y))", context)


def test_compute_ops_bill_one_per_fifty_calls() -> None:
    context = QueryContext(snapshot_time=SNAPSHOT)
    evaluate("Array.sequence(0, 100).map(x => x)", context)
    assert context.stats.compute_calls == 102
    assert context.stats.compute_ops == 3
    assert QueryContext(snapshot_time=SNAPSHOT).stats.compute_ops == 1


def test_log_and_dbg_record_diagnostics() -> None:
    context = QueryContext(snapshot_time=SNAPSHOT)
    value = evaluate("log('a', 1, [2.0])\ndbg([2.0])", context)
    assert value == [2.0]
    assert [type(entry) for entry in context.diagnostics] == [LogEntry, DebugEntry]
    assert [entry.message for entry in context.diagnostics] == ["a 1 [2.0]", "[2.0]"]
    assert all(entry.span is not None for entry in context.diagnostics)


def test_new_id_uses_the_id_source() -> None:
    context = QueryContext(snapshot_time=SNAPSHOT, id_source=lambda: 42)
    assert debug(evaluate("newId()", context)) == 'ID("42")'


def test_string_interpolation_limit() -> None:
    chunk = "x" * 1100
    source = f'let parts = Array.sequence(0, 16000).map(_ => "{chunk}")\n"#{{parts}}"'
    err = failure(source)
    assert err.code == "value_too_large"
    assert err.message.startswith("Value too large: string size ")
    assert err.message.endswith(" exceeds limit 16777216.")
