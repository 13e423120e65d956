"""The FQL v10 parser: source text to the ``ast`` tree, with FaunaDB's parse errors.

A recursive-descent parser driving the ``lexer.Scanner``. Operator chains are built with an
explicit stack (precedence climbing without recursion), so ``0+1+...`` with ten thousand
terms parses fine; genuine nesting (brackets, unary operators) is bounded by
``MAX_NESTING_DEPTH`` and reported as a parse error, never a Python ``RecursionError``.

Errors follow FaunaDB: a generic ``Expected x or y`` built from what was acceptable at the
furthest failing offset, or a specific message (``Invalid identifier``, ``Missing return
expression``, ...). Some errors (``Invalid anonymous field access``, duplicate keys or lambda
parameters) do not stop parsing, so one query may fail several checks. All of them reach the
caller as one ``QueryCheckError``.

This module does not evaluate anything, and it does not resolve names.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from faunalite.fql import ast
from faunalite.fql.context import QueryTimedOut
from faunalite.fql.errors import CheckDiagnostic, Hint, QueryCheckError
from faunalite.fql.lexer import INVALID_VARIABLE_NAMES, KEYWORDS, ParseFailure, Scanner
from faunalite.fql.parser_terms import (
    ExpressionParts,
    TypeAndPatternSkipper,
    is_short_lambda,
    wrap_short_lambda,
)
from faunalite.fql.span import QUERY_SOURCE_NAME, Source

T = TypeVar("T")

MAX_NESTING_DEPTH = 400
"""Parser recursion budget: roughly 200 levels of brackets, or 400 stacked unary operators."""
DEADLINE_CHECK_EXPRESSIONS = 1024
"""Expressions parsed between two looks at the clock (when parsing under a deadline)."""

_FRAMES_PER_LEVEL = 4
_OPERATOR_PRECEDENCE = {
    "??": 0,
    "||": 1,
    "&&": 2,
    "==": 3,
    "!=": 3,
    "=~": 3,
    "!~": 3,
    ">": 4,
    "<": 4,
    ">=": 4,
    "<=": 4,
    "isa": 5,
    "|": 6,
    "^": 7,
    "&": 8,
    "+": 9,
    "-": 9,
    "*": 10,
    "/": 10,
    "%": 10,
    "**": 11,
}
_RIGHT_ASSOCIATIVE = frozenset({"**"})
# Longest first, so `**` wins over `*` and `>=` over `>`.
_SAME_LINE_OPERATORS = ("**", "==", "!=", "=~", "!~", ">=", "<=", ">", "<", "+", "-", "*", "/", "%")
_NEWLINE_OPERATORS = ("??", "||", "&&", "|", "^", "&")
_NOT_OPERATORS = ("//", "/*", "->")
_LITERAL_KEYWORDS: dict[str, bool | None] = {"null": None, "true": True, "false": False}


def parse_query(
    text: str, source_name: str = QUERY_SOURCE_NAME, *, deadline: float | None = None
) -> ast.QueryTree:
    """Parse a whole query (statements separated by newlines or ``;``).

    Raises ``QueryCheckError`` (code ``invalid_query``) with one diagnostic per parse error,
    or ``QueryTimedOut`` once past ``deadline`` (a ``time.monotonic()`` instant): a huge
    query can take seconds to parse.
    """
    source = Source(source_name, text)
    parser = _Parser(source, deadline)
    body = parser.run(parser.query)
    return ast.QueryTree(body, source)


def parse_function_body(text: str, source_name: str) -> ast.Lambda:
    """Parse a user-defined function body, which must be one lambda (``(x) => x + 1``).

    ``source_name`` is how error summaries name the text, e.g. ``*udf:MyFunc*``.
    """
    parser = _Parser(Source(source_name, text))
    return parser.run(parser.function_body)


class EmbeddedExpressions:
    """Parses FQL expressions embedded in a larger text (an FSL file) at given offsets.

    Spans point into that text, so errors name its file, line and column. ``scanner`` is
    shared with the caller, whose own expectations then join FaunaDB's generic
    ``Expected ...`` message. Each method raises ``QueryCheckError`` when the text does not
    parse.
    """

    def __init__(self, source: Source) -> None:
        self._parser = _Parser(source)
        self.scanner = self._parser.scanner

    def expression(self, pos: int, *, short_lambda_ok: bool) -> tuple[ast.Expr, int]:
        """The expression at ``pos`` and the offset just after it (blank space not skipped)."""
        parser = self._parser
        parser.soft_errors = []
        return parser.run(lambda: parser.expr0(pos, short_lambda_ok=short_lambda_ok))

    def block(self, pos: int) -> tuple[ast.Block, int]:
        """The ``{ statements }`` block whose ``{`` is at ``pos``, and the offset after ``}``."""
        parser = self._parser
        parser.soft_errors = []

        def entry() -> tuple[ast.Block, int]:
            scanner = parser.scanner
            statements, end = parser.block_body(scanner.skip_nl(pos + 1), is_query=False)
            if scanner.char(end) != "}":
                raise scanner.fail_expecting(end, "`}`")
            return ast.Block(statements, scanner.span(pos, end + 1)), end + 1

        return parser.run(entry)


class _Parser(ExpressionParts):
    """Parses one source text. Not reusable: it keeps the error state of that text."""

    def __init__(self, source: Source, deadline: float | None = None) -> None:
        self.scanner = Scanner(source)
        self.soft_errors: list[CheckDiagnostic] = []
        self.depth = 0
        self.deadline = deadline
        self.expressions = 0
        self.types = TypeAndPatternSkipper(self.scanner)

    # -- entry points ------------------------------------------------------------------------

    def run(self, entry: Callable[[], T]) -> T:
        """Run ``entry`` and turn every way it can fail into a ``QueryCheckError``."""
        try:
            with _recursion_headroom(MAX_NESTING_DEPTH * _FRAMES_PER_LEVEL * 2):
                result = entry()
        except ParseFailure as failure:
            # FaunaDB keeps only the recorded errors when there are any: its generic
            # "Expected ..." message is the fallback for a parse with no better explanation.
            generic = failure.diagnostic.message.startswith("Expected ")
            diagnostics = (
                self.soft_errors
                if self.soft_errors and generic
                else [
                    *self.soft_errors,
                    failure.diagnostic,
                ]
            )
            raise QueryCheckError(diagnostics) from None
        except RecursionError:
            raise QueryCheckError([self._too_deep(0)]) from None
        if self.soft_errors:
            raise QueryCheckError(self.soft_errors)
        return result

    def query(self) -> ast.Block:
        scanner = self.scanner
        pos = scanner.skip_nl(0)
        statements, pos = self.block_body(pos, is_query=True)
        if pos < scanner.length:
            raise scanner.fail_expecting(pos, "end-of-input")
        return ast.Block(statements, statements[0].span.to(statements[-1].span))

    def function_body(self) -> ast.Lambda:
        scanner = self.scanner
        pos = scanner.skip_nl(0)
        statements: list[ast.Statement] = []
        while self.starts_statement(pos):
            statement, end = self.statement(pos)
            statements.append(statement)
            separator_end = scanner.block_separator_end(end)
            pos = end if separator_end is None else separator_end
            if separator_end is None:
                break
        end_of_body = scanner.skip_nl(pos)
        if not statements:
            raise scanner.failure(
                "Unexpected end of query. Expected statement or expression",
                end_of_body,
                end_of_body + 1,
            )
        only = statements[0]
        if len(statements) == 1 and isinstance(only, ast.Tuple) and len(only.elements) == 1:
            only = only.elements[0]
        if end_of_body < scanner.length:
            raise scanner.fail_expecting(end_of_body, "end-of-input")
        if len(statements) == 1 and isinstance(only, ast.Lambda):
            return only
        raise scanner.failure(
            "Body must be a lambda expression.",
            0,
            end_of_body,
            annotation="Expression is not a lambda.",
        )

    # -- statements and blocks ------------------------------------------------------------------

    def block_body(self, pos: int, *, is_query: bool) -> tuple[list[ast.Statement], int]:
        """Statements from ``pos``; returns them and the offset after trailing blank space."""
        scanner = self.scanner
        statements: list[ast.Statement] = []
        while self.starts_statement(pos):
            statement, end = self.statement(pos)
            statements.append(statement)
            separator_end = scanner.block_separator_end(end)
            if separator_end is None:
                pos = end
                break
            pos = separator_end
        after = scanner.skip_nl(pos)
        if not statements:
            what = "query" if is_query else "block"
            raise scanner.failure(
                f"Unexpected end of {what}. Expected statement or expression", after, after + 1
            )
        last = statements[-1]
        if isinstance(last, ast.Let):
            cause = Hint("cause", "Statement does not return a value", last.span)
            raise scanner.failure("Missing return expression", after, after + 1, hints=[cause])
        return statements, after

    def starts_statement(self, pos: int) -> bool:
        return self.starts_expression(pos)

    def statement(self, pos: int) -> tuple[ast.Statement, int]:
        let_end = self.scanner.keyword_end(pos, "let")
        if let_end is not None:
            return self.let_statement(pos, let_end)
        return self.expr0(pos, short_lambda_ok=False)

    def let_statement(self, start: int, let_end: int) -> tuple[ast.Let, int]:
        scanner = self.scanner
        pos = scanner.skip_nl(let_end)
        name_end = scanner.identifier_end(pos)
        if name_end is None:
            raise scanner.fail_expecting(pos, "identifier")
        name = scanner.text[pos:name_end]
        if name in INVALID_VARIABLE_NAMES:
            raise self.invalid_identifier(pos, name_end)
        name_span = scanner.span(pos, name_end)
        pos = scanner.skip_nl(name_end)
        if scanner.char(pos) == ":":
            pos = self.types.skip_type(scanner.skip_nl(pos + 1))
            pos = scanner.skip_nl(pos)
            if scanner.char(pos) != "=":
                raise scanner.fail_expecting(pos, "`=`")
        elif scanner.char(pos) != "=":
            raise scanner.fail_expecting(pos, "`:`", "`=`")
        value, end = self.expr0(scanner.skip_nl(pos + 1), short_lambda_ok=False)
        return ast.Let(name, value, name_span, scanner.span(start, value.span.end)), end

    # -- expressions ------------------------------------------------------------------------------

    def expr(self, pos: int, *, short_lambda_ok: bool) -> tuple[ast.Expr, int]:
        """An expression followed by any blank space, newlines included (list elements)."""
        expression, end = self.expr0(pos, short_lambda_ok=short_lambda_ok)
        return expression, self.scanner.skip_nl(end)

    def expr0(self, pos: int, *, short_lambda_ok: bool) -> tuple[ast.Expr, int]:
        """One expression: ``if``/``at``/``match``, a lambda, or operands with operators."""
        scanner = self.scanner
        expression: ast.Expr
        self.expressions += 1
        if (
            self.deadline is not None
            and self.expressions % DEADLINE_CHECK_EXPRESSIONS == 0
            and time.monotonic() > self.deadline
        ):
            raise QueryTimedOut()
        with self.nesting(pos):
            if (end := scanner.keyword_end(pos, "if")) is not None:
                expression, end = self.if_expression(pos, end)
            elif (end := scanner.keyword_end(pos, "at")) is not None:
                expression, end = self.at_expression(pos, end)
            elif (end := scanner.keyword_end(pos, "match")) is not None:
                expression, end = self.match_expression(pos, end)
            else:
                expression, end = self.operator_expression(pos)
        if is_short_lambda(expression) and not short_lambda_ok:
            self.soft_error("Invalid anonymous field access", expression)
        return expression, end

    def if_expression(self, start: int, keyword_end: int) -> tuple[ast.If, int]:
        condition, pos = self.parenthesised_header(keyword_end)
        then, pos = self.required_expr0(pos)
        else_branch: ast.Expr | None = None
        after_blank = self.scanner.skip_nl(pos)
        if (else_end := self.scanner.keyword_end(after_blank, "else")) is not None:
            else_branch, pos = self.required_expr0(self.scanner.skip_nl(else_end))
        last = else_branch or then
        return ast.If(condition, then, else_branch, self.scanner.span(start, last.span.end)), pos

    def at_expression(self, start: int, keyword_end: int) -> tuple[ast.At, int]:
        timestamp, pos = self.parenthesised_header(keyword_end)
        body, pos = self.required_expr0(pos)
        return ast.At(timestamp, body, self.scanner.span(start, body.span.end)), pos

    def parenthesised_header(self, keyword_end: int) -> tuple[ast.Expr, int]:
        """The ``(expr)`` after ``if`` or ``at``; returns it and the offset of the body."""
        scanner = self.scanner
        pos = scanner.skip_nl(keyword_end)
        if scanner.char(pos) != "(":
            raise scanner.fail_expecting(pos, "`(`")
        inner, pos = self.required_expr(scanner.skip_nl(pos + 1))
        if scanner.char(pos) != ")":
            raise scanner.fail_expecting(pos, "`)`")
        return inner, scanner.skip_nl(pos + 1)

    def match_expression(self, start: int, keyword_end: int) -> tuple[ast.Match, int]:
        scanner = self.scanner
        pos = scanner.skip_nl(keyword_end)
        subject, pos = self.required_term(pos)
        if scanner.char(pos) != "{":
            raise scanner.fail_expecting(pos, "`{`")
        pos = scanner.skip_nl(pos + 1)
        cases: list[ast.MatchCase] = []
        while (case_end := scanner.keyword_end(pos, "case")) is not None:
            pattern_start = scanner.skip_nl(case_end)
            pattern_end = self.types.skip_pattern(pattern_start)
            arrow = scanner.skip_nl(pattern_end)
            if not scanner.startswith("=>", arrow):
                raise scanner.fail_expecting(arrow, "`=>`")
            body, end = self.required_expr0(scanner.skip_nl(arrow + 2))
            pattern_span = scanner.span(pattern_start, pattern_end)
            cases.append(
                ast.MatchCase(pattern_span, body, scanner.span(case_end - 4, body.span.end))
            )
            separator_end = scanner.block_separator_end(end)
            pos = end if separator_end is None else separator_end
            if separator_end is None:
                break
        pos = scanner.skip_nl(pos)
        if scanner.char(pos) != "}":
            raise scanner.fail_expecting(pos, "`}`", "case")
        end = scanner.skip_ws(pos + 1)
        return ast.Match(subject, cases, scanner.span(start, pos + 1)), end

    def operator_expression(self, pos: int) -> tuple[ast.Expr, int]:
        """A lambda, or ``term (op term)* [projection]``."""
        scanner = self.scanner
        if not self.starts_expression(pos):
            raise scanner.fail_expecting(pos, "expression")
        name_end = scanner.identifier_end(pos)
        if name_end is not None and scanner.text[pos:name_end] not in _LITERAL_KEYWORDS:
            if scanner.text[pos:name_end] in KEYWORDS:
                raise self.invalid_identifier(pos, name_end)
            arrow = scanner.skip_ws(name_end)
            if scanner.startswith("=>", arrow):
                return self.single_parameter_lambda(pos, name_end, arrow)
        if scanner.char(pos) == "(":
            lambda_or_tuple, end = self.tuple_or_lambda(pos)
            if isinstance(lambda_or_tuple, ast.Lambda):
                return lambda_or_tuple, end
            first, end = self.postfix_chain(lambda_or_tuple, end)
        else:
            first, end = self.term(pos)
        expression, end = self.operator_tail(first, end)
        if scanner.char(end) == "{":
            expression, end = self.projection(expression, end)
        return expression, end

    def single_parameter_lambda(
        self, start: int, name_end: int, arrow: int
    ) -> tuple[ast.Lambda, int]:
        name = self.scanner.text[start:name_end]
        body, end = self.required_expr0(self.scanner.skip_nl(arrow + 2))
        params: list[str | None] = [None if name == "_" else name]
        span = self.scanner.span(start, body.span.end)
        return ast.Lambda(params, None, body, False, span), end

    def tuple_or_lambda(self, start: int) -> tuple[ast.Tuple | ast.Lambda, int]:
        scanner = self.scanner
        elements, variadic, close_end = self.expression_list(
            start, ")", short_lambda_ok=True, allow_variadic=True
        )
        span = scanner.span(start, close_end)
        all_names = all(isinstance(element, ast.Identifier) for element in elements)
        if variadic is not None and not all_names:
            raise scanner.failure("invalid variadic tuple", start, close_end)
        arrow = scanner.skip_ws(close_end)
        if all_names and scanner.startswith("=>", arrow):
            body, end = self.required_expr0(scanner.skip_nl(arrow + 2))
            return self.long_lambda(elements, variadic, body, start), end
        # FaunaDB silently drops a `...rest` that is not followed by `=>`.
        return ast.Tuple(elements, span), arrow

    def long_lambda(
        self,
        elements: list[ast.Expr],
        variadic: ast.Identifier | None,
        body: ast.Expr,
        start: int,
    ) -> ast.Lambda:
        names = [element for element in elements if isinstance(element, ast.Identifier)]
        seen: dict[str, ast.Identifier] = {}
        for name in [*names, *([variadic] if variadic else [])]:
            if name.name == "_":
                continue
            if name.name in seen:
                original = Hint("hint", "Argument originally defined here", seen[name.name].span)
                self.soft_errors.append(
                    CheckDiagnostic("Duplicate lambda argument", name.span, hints=[original])
                )
            else:
                seen[name.name] = name
        params: list[str | None] = [None if name.name == "_" else name.name for name in names]
        rest = variadic.name if variadic else None
        span = self.scanner.span(start, body.span.end)
        return ast.Lambda(params, rest, body, False, span)

    def operator_tail(self, first: ast.Expr, pos: int) -> tuple[ast.Expr, int]:
        """Binary operators after ``first``, combined by precedence without recursion."""
        scanner = self.scanner
        operands: list[ast.Expr] = [first]
        operators: list[tuple[str, int, int]] = []
        while (found := self.binary_operator(pos)) is not None:
            op, op_start, op_end = found
            operand, pos = self.required_term(scanner.skip_nl(op_end))
            operators.append((op, op_start, op_end))
            operands.append(operand)
        if not operators:
            return first, pos
        return self.combine_operators(operands, operators), pos

    def combine_operators(
        self, operands: list[ast.Expr], operators: list[tuple[str, int, int]]
    ) -> ast.Expr:
        any_short = False

        def unwrap(operand: ast.Expr) -> ast.Expr:
            # A short lambda operand turns the whole chain into one short lambda.
            nonlocal any_short
            if is_short_lambda(operand):
                any_short = True
                return operand.body
            if isinstance(operand, ast.Tuple) and len(operand.elements) == 1:
                inner = operand.elements[0]
                if is_short_lambda(inner):
                    any_short = True
                    return ast.Tuple([inner.body], operand.span)
            return operand

        output: list[ast.Expr] = [operands[0]]
        pending: list[tuple[str, int, int]] = []

        def reduce_top() -> None:
            op, op_start, op_end = pending.pop()
            right = unwrap(output.pop())
            left = unwrap(output.pop())
            span = left.span.to(right.span)
            output.append(ast.Binary(op, left, right, self.scanner.span(op_start, op_end), span))

        for operator, operand in zip(operators, operands[1:], strict=True):
            precedence = _OPERATOR_PRECEDENCE[operator[0]]
            while pending:
                top_precedence = _OPERATOR_PRECEDENCE[pending[-1][0]]
                if top_precedence > precedence or (
                    top_precedence == precedence and pending[-1][0] not in _RIGHT_ASSOCIATIVE
                ):
                    reduce_top()
                else:
                    break
            pending.append(operator)
            output.append(operand)
        while pending:
            reduce_top()
        result = output[0]
        return wrap_short_lambda(result) if any_short else result

    def binary_operator(self, pos: int) -> tuple[str, int, int] | None:
        """The binary operator at ``pos`` (or after newlines, for those allowed to start a line)."""
        scanner = self.scanner
        if not any(scanner.startswith(token, pos) for token in _NOT_OPERATORS):
            for op in _SAME_LINE_OPERATORS:
                if scanner.startswith(op, pos):
                    return op, pos, pos + len(op)
            isa_end = scanner.keyword_end(pos, "isa")
            if isa_end is not None:
                return "isa", pos, isa_end
        line_start = scanner.skip_nl(pos)
        for op in _NEWLINE_OPERATORS:
            if scanner.startswith(op, line_start):
                return op, line_start, line_start + len(op)
        return None

    # -- nesting guard -------------------------------------------------------------------------------

    @contextmanager
    def nesting(self, pos: int) -> Iterator[None]:
        self.depth += 1
        try:
            if self.depth > MAX_NESTING_DEPTH:
                raise ParseFailure(self._too_deep(pos))
            yield
        finally:
            self.depth -= 1

    def _too_deep(self, pos: int) -> CheckDiagnostic:
        return CheckDiagnostic("Query is nested too deeply", self.scanner.span(pos, pos + 1))


@contextmanager
def _recursion_headroom(frames: int) -> Iterator[None]:
    """Make sure ``frames`` more Python frames fit, whatever the caller already uses.

    The nesting limit, not the interpreter's, is what should stop a deep query. The limit is
    process-wide and other threads may be parsing or evaluating deeper code at the same time,
    so it is only ever raised, never restored to a lower value.
    """
    needed = _current_stack_depth() + frames
    if needed > sys.getrecursionlimit():
        sys.setrecursionlimit(needed)
    yield


def _current_stack_depth() -> int:
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    return depth
