"""The parser: tree shapes, precedence, newline rules, spans and FaunaDB's parse errors."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faunalite.fql import ast
from faunalite.fql.context import QueryTimedOut
from faunalite.fql.diagnostics import render_error
from faunalite.fql.errors import QueryCheckError
from faunalite.fql.parser import parse_function_body, parse_query


def tree(text: str) -> str:
    """The dump of the only statement of ``text``."""
    statements = parse_query(text).body.statements
    assert len(statements) == 1
    return ast.dump(statements[0])


def statements(text: str) -> list[str]:
    return [ast.dump(statement) for statement in parse_query(text).body.statements]


def only(text: str) -> ast.Statement:
    return parse_query(text).body.statements[0]


def errors(text: str) -> list[tuple[str, int, int]]:
    with pytest.raises(QueryCheckError) as caught:
        parse_query(text)
    return [(d.message, d.span.start, d.span.end) for d in caught.value.diagnostics]


def summary(text: str) -> str:
    with pytest.raises(QueryCheckError) as caught:
        parse_query(text)
    return render_error(caught.value)


# -- literals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("null", None),
        ("true", True),
        ("false", False),
        ("0x_ff", 255),
        ("-1", -1),
        ("- 1", -1),
        ("+1e3", 1000.0),
        ("9223372036854775808", 9223372036854775808.0),
        ("'it''s'", None),
        ("'a\\'b'", "a'b"),
        ('"plain"', "plain"),
        ('""', ""),
        ("<<-X\n  a\n  X", "a\n"),
        ("<<+X\n  plain\n  X", "plain\n"),
    ],
)
def test_literal_values(text: str, value: object) -> None:
    if text == "'it''s'":
        assert errors(text) == [("Expected end-of-input", 4, 5)]
        return
    node = only(text)
    assert isinstance(node, ast.Literal)
    assert node.value == value and type(node.value) is type(value)


def test_string_templates() -> None:
    assert tree('"a#{1 + 2}b #c"') == (
        "(StringTemplate ['a' (Binary + (Literal 1) (Literal 2)) 'b #c'])"
    )
    assert tree('"#{ x\n }"') == "(StringTemplate [(Identifier x)])"
    assert tree("<<+END\n  x #{y}\n    z\nEND") == (
        "(StringTemplate ['x ' (Identifier y) '\\n  z\\n'])"
    )


def test_collections() -> None:
    assert tree("[1, 2,]") == "(ArrayExpr [(Literal 1) (Literal 2)])"
    assert tree("[\n1\n,\n2\n]") == "(ArrayExpr [(Literal 1) (Literal 2)])"
    assert tree("{}") == "(ObjectExpr [])"
    assert tree("{ a: 1, 'b c': 2, \"d\": 3, if: 4, }") == (
        "(ObjectExpr [('a': (Literal 1)) ('b c': (Literal 2)) ('d': (Literal 3)) "
        "('if': (Literal 4))])"
    )
    assert tree("{ a }") == "(Block [(Identifier a)])"
    assert tree("{ let a = 1\n a }") == "(Block [(Let a (Literal 1)) (Identifier a)])"
    assert tree("()") == "(Tuple [])"
    assert tree("(1)") == "(Tuple [(Literal 1)])"
    assert tree("(1, 2)") == "(Tuple [(Literal 1) (Literal 2)])"


def test_placeholders_are_identifiers() -> None:
    assert tree("$0 + $12") == "(Binary + (Identifier $0) (Identifier $12))"


# -- operators ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", "(Binary + (Literal 1) (Binary * (Literal 2) (Literal 3)))"),
        ("a - b - c", "(Binary - (Binary - (Identifier a) (Identifier b)) (Identifier c))"),
        ("2 ** 3 ** 2", "(Binary ** (Literal 2) (Binary ** (Literal 3) (Literal 2)))"),
        ("a ?? b || c", "(Binary ?? (Identifier a) (Binary || (Identifier b) (Identifier c)))"),
        ("a || b && c", "(Binary || (Identifier a) (Binary && (Identifier b) (Identifier c)))"),
        ("a && b == c", "(Binary && (Identifier a) (Binary == (Identifier b) (Identifier c)))"),
        ("a == b < c", "(Binary == (Identifier a) (Binary < (Identifier b) (Identifier c)))"),
        ("a < b isa c", "(Binary < (Identifier a) (Binary isa (Identifier b) (Identifier c)))"),
        ("a isa b | c", "(Binary isa (Identifier a) (Binary | (Identifier b) (Identifier c)))"),
        ("a | b ^ c", "(Binary | (Identifier a) (Binary ^ (Identifier b) (Identifier c)))"),
        ("a ^ b & c", "(Binary ^ (Identifier a) (Binary & (Identifier b) (Identifier c)))"),
        ("a & b + c", "(Binary & (Identifier a) (Binary + (Identifier b) (Identifier c)))"),
        ("a + b % c", "(Binary + (Identifier a) (Binary % (Identifier b) (Identifier c)))"),
        ("a / b ** c", "(Binary / (Identifier a) (Binary ** (Identifier b) (Identifier c)))"),
        ("a != b =~ c", "(Binary =~ (Binary != (Identifier a) (Identifier b)) (Identifier c))"),
        ("a >= b !~ c", "(Binary !~ (Binary >= (Identifier a) (Identifier b)) (Identifier c))"),
        ("-x ** 2", "(Binary ** (Unary - (Identifier x)) (Literal 2))"),
        ("!a.b", "(Unary ! (FieldAccess (Identifier a) b False))"),
        ("~ ~a", "(Unary ~ (Unary ~ (Identifier a)))"),
        ("-1.abs", "(FieldAccess (Literal -1) abs False)"),
        ("a -1", "(Binary - (Identifier a) (Literal 1))"),
        ("a - -1", "(Binary - (Identifier a) (Literal -1))"),
        ("a!= b", "(Binary != (Identifier a) (Identifier b))"),
        ("a! == b", "(Binary == (NonNull (Identifier a)) (Identifier b))"),
        ("a /* c */ + 1 // c", "(Binary + (Identifier a) (Literal 1))"),
    ],
)
def test_precedence_and_associativity(text: str, expected: str) -> None:
    assert tree(text) == expected


def test_ten_thousand_term_chain_parses_without_recursion() -> None:
    node = only("+".join(["1"] * 10001))
    depth = 0
    while isinstance(node, ast.Binary):
        node, depth = node.left, depth + 1
    assert depth == 10000


def test_operator_spans() -> None:
    node = only("234 / 0")
    assert isinstance(node, ast.Binary)
    assert (node.op_span.start, node.right.span.start, node.span.end) == (4, 6, 7)


# -- newline rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\n- 1", ["(Identifier a)", "(Literal -1)"]),
        ("a\n(1)", ["(Identifier a)", "(Tuple [(Literal 1)])"]),
        ("a\n[1]", ["(Identifier a)", "(ArrayExpr [(Literal 1)])"]),
        ("a\n.b\n?.c", ["(FieldAccess (FieldAccess (Identifier a) b False) c True)"]),
        ("a // note\n  .b", ["(FieldAccess (Identifier a) b False)"]),
        ("a\n?? b", ["(Binary ?? (Identifier a) (Identifier b))"]),
        ("a\n|| b\n&& c", ["(Binary || (Identifier a) (Binary && (Identifier b) (Identifier c)))"]),
        ("a +\n b", ["(Binary + (Identifier a) (Identifier b))"]),
        ("x\n{ a: 1 }", ["(Identifier x)", "(ObjectExpr [('a': (Literal 1))])"]),
        ("if (a) 1\n\nelse 2", ["(If (Identifier a) (Literal 1) (Literal 2))"]),
        ("if (a)\n 1", ["(If (Identifier a) (Literal 1) None)"]),
        ("1; 2;", ["(Literal 1)", "(Literal 2)"]),
        ("\n\n1\n\n", ["(Literal 1)"]),
        ("foo(\n  1,\n  2,\n)", ["(Call (Identifier foo) [(Literal 1) (Literal 2)] False)"]),
    ],
)
def test_newline_rules(text: str, expected: list[str]) -> None:
    assert statements(text) == expected


def test_newline_before_binary_operator_that_cannot_start_a_line() -> None:
    assert errors("a\n== b") == [("Expected end-of-input", 2, 3)]
    assert errors("x\n=> 1") == [("Expected end-of-input", 2, 3)]


# -- constructs ------------------------------------------------------------------------------------


def test_lambdas() -> None:
    assert tree("x => x + 1") == "(Lambda [x] None (Binary + (Identifier x) (Literal 1)) False)"
    assert tree("(x, y) => x") == "(Lambda [x y] None (Identifier x) False)"
    assert tree("(x, ...rest) => rest") == "(Lambda [x] rest (Identifier rest) False)"
    assert tree("(...rest) => rest") == "(Lambda [] rest (Identifier rest) False)"
    assert tree("(_, ..._) => 1") == "(Lambda [None] _ (Literal 1) False)"
    assert tree("_ => 1") == "(Lambda [None] None (Literal 1) False)"
    assert tree("() =>\n  1") == "(Lambda [] None (Literal 1) False)"
    assert tree("x => {}") == "(Lambda [x] None (ObjectExpr []) False)"
    assert tree("x => { a: 1 }") == "(Lambda [x] None (ObjectExpr [('a': (Literal 1))]) False)"
    assert tree("x => { x }") == "(Lambda [x] None (Block [(Identifier x)]) False)"


def test_short_lambdas() -> None:
    this = "(Identifier $this)"
    assert (
        tree("f(.a)")
        == f"(Call (Identifier f) [(Lambda [$this] None (FieldAccess {this} a False) True)] False)"
    )
    assert tree("f(.a + .b)") == (
        f"(Call (Identifier f) [(Lambda [$this] None (Binary + (FieldAccess {this} a False) "
        f"(FieldAccess {this} b False)) True)] False)"
    )
    assert (
        tree("f(.[0])")
        == f"(Call (Identifier f) [(Lambda [$this] None (Index {this} [(Literal 0)] False) True)] False)"
    )
    assert tree("f(.m(1).n)") == (
        f"(Call (Identifier f) [(Lambda [$this] None (FieldAccess (MethodCall {this} m "
        "[(Literal 1)] False False) n False) True)] False)"
    )
    assert (
        tree("f(!.flag)")
        == f"(Call (Identifier f) [(Lambda [$this] None (Unary ! (FieldAccess {this} flag False)) True)] False)"
    )
    assert tree("(.a)") == f"(Tuple [(Lambda [$this] None (FieldAccess {this} a False) True)])"


def test_short_lambdas_are_rejected_outside_arguments() -> None:
    assert errors(".a") == [("Invalid anonymous field access", 0, 2)]
    assert errors("[.a, .b]") == [
        ("Invalid anonymous field access", 1, 3),
        ("Invalid anonymous field access", 5, 7),
    ]
    assert errors("x => .a") == [("Invalid anonymous field access", 5, 7)]
    assert errors("{ a: .b }") == [("Invalid anonymous field access", 5, 7)]


def test_postfix_chains() -> None:
    assert tree("a.b(1)?.c[0]!") == (
        "(NonNull (Index (FieldAccess (MethodCall (Identifier a) b [(Literal 1)] False False) "
        "c True) [(Literal 0)] False))"
    )
    assert tree("a?.b?.(1)") == "(MethodCall (Identifier a) b [(Literal 1)] True True)"
    assert (
        tree("a?.[0]?.(1)") == "(Call (Index (Identifier a) [(Literal 0)] True) [(Literal 1)] True)"
    )
    assert tree("f(1)(2)") == "(Call (Call (Identifier f) [(Literal 1)] False) [(Literal 2)] False)"
    assert (
        tree("(a.f)(1)")
        == "(Call (Tuple [(FieldAccess (Identifier a) f False)]) [(Literal 1)] False)"
    )
    assert tree("true.toString()") == "(MethodCall (Literal True) toString [] False False)"
    assert tree("{ 'if': 1 }.if") == "(FieldAccess (ObjectExpr [('if': (Literal 1))]) if False)"
    assert tree("2.0.toString()") == "(MethodCall (Literal 2.0) toString [] False False)"
    assert tree("1.toString()") == "(MethodCall (Literal 1) toString [] False False)"


def test_chain_spans_used_in_error_messages() -> None:
    call = only("Author.byId('1')!")
    assert isinstance(call, ast.NonNull) and isinstance(call.expr, ast.MethodCall)
    text = "Author.byId('1')!"
    assert text[call.report_span.start : call.report_span.end] == "('1')!"
    assert text[call.expr.args_span.start : call.expr.args_span.end] == "('1')"
    assert text[call.expr.name_span.start : call.expr.name_span.end] == "byId"
    bang = only("myVal!")
    assert isinstance(bang, ast.NonNull)
    assert (bang.report_span.start, bang.report_span.end) == (0, 6)
    index = only("a[0]")
    assert isinstance(index, ast.Index)
    assert (index.bracket_span.start, index.bracket_span.end) == (1, 4)


def test_if_at_let_and_blocks() -> None:
    assert tree("if (a) 1 else if (b) 2 else 3") == (
        "(If (Identifier a) (Literal 1) (If (Identifier b) (Literal 2) (Literal 3)))"
    )
    assert tree("at (Time.now()) x") == (
        "(At (MethodCall (Identifier Time) now [] False False) (Identifier x))"
    )
    assert statements("let x: Array<Int | Null>? = 1\nx") == [
        "(Let x (Literal 1))",
        "(Identifier x)",
    ]
    assert statements("let x = 1; let x = x + 1; x")[-1] == "(Identifier x)"


def test_projection() -> None:
    assert tree("x { a, b { c }, d: .e + 1 }") == (
        "(Projection (Identifier x) (ProjectionBody [(ProjectField a None) (ProjectField b "
        "(ProjectionBody [(ProjectField c None)] False)) (ProjectAlias d (Binary + "
        "(FieldAccess (Identifier $this) e False) (Literal 1)))] False))"
    )
    assert tree("a + b { x }") == (
        "(Projection (Binary + (Identifier a) (Identifier b)) (ProjectionBody "
        "[(ProjectField x None)] False))"
    )
    assert tree("x { * }") == "(Projection (Identifier x) (ProjectionBody [] True))"
    assert errors("x { a } + 1") == [("Expected end-of-input", 8, 9)]


def test_match_is_parsed() -> None:
    node = only("match x { case [a, ...rest] => a\n case { b: 1 } => 2 }")
    assert isinstance(node, ast.Match) and len(node.cases) == 2


def test_query_tree_and_block_span() -> None:
    query = parse_query("\n let a = 1\n a \n", "*query*")
    assert query.source.name == "*query*"
    assert (query.body.span.start, query.body.span.end) == (2, 14)


def test_function_bodies() -> None:
    body = parse_function_body("(x) => x + 1", "*udf:Add*")
    assert ast.dump(body) == "(Lambda [x] None (Binary + (Identifier x) (Literal 1)) False)"
    assert body.span.source.name == "*udf:Add*"
    assert parse_function_body("(.a)", "*udf:A*").short
    with pytest.raises(QueryCheckError) as caught:
        parse_function_body("1 + 1", "*body*")
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.message == "Body must be a lambda expression."
    assert diagnostic.annotation == "Expression is not a lambda."
    assert (diagnostic.span.start, diagnostic.span.end) == (0, 5)


# -- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "at"),
    [
        ("", "Unexpected end of query. Expected statement or expression", 0),
        ("2 3", "Expected end-of-input", 2),
        ("{", "Unexpected end of block. Expected statement or expression", 1),
        ("{ a:", "Expected expression", 4),
        ("{ a: }", "Expected expression", 5),
        ("{ a: (3 }", "Expected `)`, `,`, or `...`", 8),
        ("{ a: [3 }", "Expected `,` or `]`", 8),
        ("if", "Expected `(`", 2),
        ("if true", "Expected `(`", 3),
        ("if true 3 else", "Expected `(`", 3),
        ("if (true)", "Expected expression", 9),
        ("if (true) 3 else", "Expected expression", 16),
        ("##", "Unexpected end of query. Expected statement or expression", 0),
        ("let", "Expected identifier", 3),
        ("let.foo", "Expected identifier", 3),
        ("let a", "Expected `:` or `=`", 5),
        ("let a:", "Expected type", 6),
        ("let a: int", "Expected `<` or `=`", 10),
        ("let a =", "Expected expression", 7),
        ("let a: int =", "Expected expression", 12),
        ("3.", "Expected digit or identifier", 2),
        ("foo(,)", "Expected `)` or expression", 4),
        ("foo(", "Expected `)` or expression", 4),
        ("foo(a", "Expected `)` or `,`", 5),
        ("foo(3", "Expected `)` or `,`", 5),
        ("'\\u12'", "Expected hex digit", 5),
        ("'\\uz'", "Expected `{` or hex digit", 3),
        ("'\\u{1234'", "Expected `}` or hex digit", 8),
        ("'\\3'", "Expected escape code", 2),
        ("foo { 3 }", "Expected `*` or identifier", 6),
        ("foo { foo: }", "Expected expression", 11),
        ("foo { foo: 3 bar }", "Expected `,` or `}`", 13),
        ("{ 2 3 }", "Expected `}`", 4),
        ("1 +", "Expected expression", 3),
        ("a.", "Expected identifier", 2),
        ("let x = 1", "Missing return expression", 9),
        ("1 + if (a) 1 else 2", "Invalid identifier", 4),
        ("let FQL = 1\nFQL", "Invalid identifier", 4),
        ("(a.b, ...c) => 1", "invalid variadic tuple", 0),
        ("'\\ud83d'", "Invalid escape", 1),
    ],
)
def test_parse_error_messages(text: str, message: str, at: int) -> None:
    assert errors(text)[0][:2] == (message, at)


def test_invalid_identifier_summary() -> None:
    assert summary("join + 1") == (
        "error: Invalid identifier\n"
        "at *query*:1:1\n"
        "  |\n"
        "1 | join + 1\n"
        "  | ^^^^ `join` is a keyword\n"
        "  |"
    )


def test_duplicate_key_and_argument_summaries() -> None:
    assert summary("{ a: 1, a: 2 }") == (
        "error: Duplicate key\n"
        "at *query*:1:9\n"
        "  |\n"
        "1 | { a: 1, a: 2 }\n"
        "  |         ^\n"
        "  |\n"
        "hint: Key originally used here\n"
        "  |\n"
        "1 | { a: 1, a: 2 }\n"
        "  |   ^\n"
        "  |"
    )
    assert errors("(x, x) => 1") == [("Duplicate lambda argument", 4, 5)]


def test_interpolated_object_key_is_rejected() -> None:
    assert errors('{ "a#{1}": 2 }')[0] == ("Object keys do not support interpolation", 6, 7)


def test_unexpected_end_of_block_summary() -> None:
    assert summary("{") == (
        "error: Unexpected end of block. Expected statement or expression\n"
        "at *query*:1:2\n"
        "  |\n"
        "1 | {\n"
        "  |  ^\n"
        "  |"
    )


# -- robustness --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000 + "]" * 5000,
        "(" * 5000 + "1" + ")" * 5000,
        "-" * 5000 + "1",
        "x => " * 5000 + "1",
        '"#{' * 5000,
        "f(" * 5000,
    ],
)
def test_deep_nesting_is_a_clean_error(text: str) -> None:
    assert errors(text)[0][0] == "Query is nested too deeply"


def test_moderate_nesting_parses() -> None:
    assert isinstance(only("[" * 150 + "]" * 150), ast.ArrayExpr)


_SINGLE_CHARACTERS = list("ab_09 \t\n;,.:?!(){}[]<>=+-*/%&|^~'\"#\\$`@\0\ud800é😀")
_TOKENS = ["if ", "else ", "let ", "=>", "...", "#{", "<<-A\n", "<<+A\n", "A\n", "0x", "1e"]
_MORE_TOKENS = ["/*", "*/", "//", "isa ", "?.", "??", "match ", "case ", "at ", "null", "\\u{"]
_FRAGMENTS = st.sampled_from([*_SINGLE_CHARACTERS, *_TOKENS, *_MORE_TOKENS, "x =>"])


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(_FRAGMENTS, max_size=30).map("".join)))
def test_any_input_gives_a_tree_or_a_check_error(text: str) -> None:
    for parse in (parse_query, lambda source: parse_function_body(source, "*udf:f*")):
        try:
            parse(text)
        except QueryCheckError as error:
            assert error.diagnostics
            assert render_error(error).startswith("error: ")


def test_parsing_stops_past_its_deadline() -> None:
    text = "[" + ",".join(["1"] * 5000) + "]"
    with pytest.raises(QueryTimedOut):
        parse_query(text, deadline=time.monotonic() - 1)
    assert len(parse_query(text, deadline=time.monotonic() + 600).body.statements) == 1
