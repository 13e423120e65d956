"""The operand half of the FQL parser: terms, postfix chains, literals and brackets.

``parser.py`` holds statements, ``if``/``at``/``match``, lambdas and operators; this module
the things operators apply to: literals and strings, identifiers, ``(...)``, ``[...]``,
``{...}`` (object or block), short lambdas (``.foo``), postfix chains (``.x``, ``?.x``,
``(args)``, ``[index]``, ``!``), projections, and the skipping of type annotations and
``match`` patterns (which FQL parses but faunalite never uses).

``ExpressionParts`` is a base class of the parser and only makes sense inside it.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TypeGuard

from faunalite.fql import ast
from faunalite.fql.errors import CheckDiagnostic, Hint
from faunalite.fql.lexer import KEYWORDS, ParseFailure, Scanner
from faunalite.fql.span import Span

_LITERAL_KEYWORDS: dict[str, bool | None] = {"null": None, "true": True, "false": False}
_CLOSING = {"(": ")", "[": "]", "{": "}", "<": ">"}


class ExpressionParts:
    """Operand parsing; the statement/operator half is supplied by the subclass."""

    scanner: Scanner
    soft_errors: list[CheckDiagnostic]

    def expr(self, pos: int, *, short_lambda_ok: bool) -> tuple[ast.Expr, int]:
        raise NotImplementedError

    def expr0(self, pos: int, *, short_lambda_ok: bool) -> tuple[ast.Expr, int]:
        raise NotImplementedError

    def block_body(self, pos: int, *, is_query: bool) -> tuple[list[ast.Statement], int]:
        raise NotImplementedError

    def nesting(self, pos: int) -> AbstractContextManager[None]:
        raise NotImplementedError

    # -- helpers shared with the parser -------------------------------------------------------------

    def starts_expression(self, pos: int) -> bool:
        """Whether some expression can start at ``pos`` (decides "is there a statement?")."""
        scanner = self.scanner
        char = scanner.char(pos)
        if not char:
            return False
        if scanner.identifier_end(pos) is not None or "0" <= char <= "9":
            return True
        if char in "-~!([{'\"":
            return True
        if char == "+":
            return scanner.starts_number(pos)
        if char == ".":
            return not scanner.startswith("...", pos)
        if char == "<":
            return scanner.startswith("<<-", pos) or scanner.startswith("<<+", pos)
        return scanner.placeholder_end(pos) is not None

    def invalid_identifier(self, start: int, end: int) -> ParseFailure:
        name = self.scanner.text[start:end]
        return self.scanner.failure(
            "Invalid identifier", start, end, annotation=f"`{name}` is a keyword"
        )

    def soft_error(self, message: str, node: ast.Expr) -> None:
        self.soft_errors.append(CheckDiagnostic(message, node.span))

    def required_expr(self, pos: int) -> tuple[ast.Expr, int]:
        if not self.starts_expression(pos):
            raise self.scanner.fail_expecting(pos, "expression")
        return self.expr(pos, short_lambda_ok=False)

    def required_expr0(self, pos: int) -> tuple[ast.Expr, int]:
        if not self.starts_expression(pos):
            raise self.scanner.fail_expecting(pos, "expression")
        return self.expr0(pos, short_lambda_ok=False)

    def required_term(self, pos: int) -> tuple[ast.Expr, int]:
        if not self.starts_expression(pos):
            raise self.scanner.fail_expecting(pos, "expression")
        return self.term(pos)

    # -- terms ------------------------------------------------------------------------------------

    def term(self, pos: int) -> tuple[ast.Expr, int]:
        """A prefix operator applied to a term, or a primary with its postfix chain."""
        scanner = self.scanner
        with self.nesting(pos):
            char = scanner.char(pos)
            if char in ("-", "~", "!") and not scanner.starts_number(pos):
                operand, end = self.required_term(scanner.skip_ws(pos + 1))
                short = is_short_lambda(operand)
                inner = operand.body if isinstance(operand, ast.Lambda) and short else operand
                span = scanner.span(pos, inner.span.end)
                unary = ast.Unary(char, inner, scanner.span(pos, pos + 1), span)
                return (wrap_short_lambda(unary) if short else unary), end
            primary, end = self.primary(pos)
            return self.postfix_chain(primary, end)

    def primary(self, pos: int) -> tuple[ast.Expr, int]:
        """A literal, string, identifier or bracketed expression, and the blanks after it."""
        scanner = self.scanner
        char = scanner.char(pos)
        node: ast.Expr
        if scanner.starts_number(pos):
            value, end = scanner.scan_number(pos)
            node = ast.Literal(value, scanner.span(pos, end))
        elif char == "'":
            text, end = scanner.scan_single_quoted(pos)
            node = ast.Literal(text, scanner.span(pos, end))
        elif char == '"':
            parts, end = scanner.scan_double_quoted(pos, self.interpolation)
            node = _string_node(parts, scanner.span(pos, end))
        elif scanner.startswith("<<-", pos) or scanner.startswith("<<+", pos):
            interpolate = self.interpolation if scanner.char(pos + 2) == "+" else None
            parts, end = scanner.scan_heredoc(pos, interpolate)
            node = _string_node(parts, scanner.span(pos, end))
        elif char == "{":
            node, end = self.object_or_block(pos)
        elif char == "[":
            elements, _, end = self.expression_list(pos, "]", short_lambda_ok=False)
            node = ast.ArrayExpr(elements, scanner.span(pos, end))
        elif char == "(":
            elements, _, end = self.expression_list(pos, ")", short_lambda_ok=True)
            node = ast.Tuple(elements, scanner.span(pos, end))
        elif char == "." and not scanner.startswith("...", pos):
            return self.short_lambda_start(pos)
        elif (name_end := scanner.identifier_end(pos)) is not None:
            name = scanner.text[pos:name_end]
            end = name_end
            if name in _LITERAL_KEYWORDS:
                node = ast.Literal(_LITERAL_KEYWORDS[name], scanner.span(pos, end))
            elif name in KEYWORDS:
                raise self.invalid_identifier(pos, end)
            else:
                node = ast.Identifier(name, scanner.span(pos, end))
        elif (placeholder_end := scanner.placeholder_end(pos)) is not None:
            end = placeholder_end
            node = ast.Identifier(scanner.text[pos:end], scanner.span(pos, end))
        else:
            raise scanner.fail_expecting(pos, "expression")
        return node, scanner.skip_ws(end)

    def interpolation(self, pos: int) -> tuple[ast.Expr, int]:
        """The expression of a ``#{...}`` whose body starts at ``pos``; returns it and the end."""
        expression, end = self.required_expr(self.scanner.skip_nl(pos))
        if self.scanner.char(end) != "}":
            raise self.scanner.fail_expecting(end, "`}`")
        return expression, end + 1

    def short_lambda_start(self, dot: int) -> tuple[ast.Expr, int]:
        """``.foo``, ``.foo(...)``, ``.(...)`` or ``.[...]`` on the implicit parameter."""
        scanner = self.scanner
        this = ast.Identifier(ast.IMPLICIT_PARAM, scanner.span(dot, dot))
        pos = scanner.skip_nl(dot + 1)
        first, end, _ = self.chain_element(this, dot, pos, optional=False)
        if first is None:
            raise scanner.fail_expecting(pos, "`(`", "`[`", "identifier")
        return self.postfix_chain(wrap_short_lambda(first, dot), end)

    # -- postfix chains ---------------------------------------------------------------------------------

    def postfix_chain(self, receiver: ast.Expr, pos: int) -> tuple[ast.Expr, int]:
        """Apply ``.x``, ``?.x``, ``(args)``, ``[index]`` and ``!`` after ``receiver``."""
        scanner = self.scanner
        short = is_short_lambda(receiver)
        node = receiver.body if isinstance(receiver, ast.Lambda) and short else receiver
        element_start = node.span.start
        while True:
            after_blank = scanner.skip_nl(pos)
            if scanner.char(after_blank) == "." and not scanner.startswith("...", after_blank):
                name_pos = scanner.skip_nl(after_blank + 1)
                if scanner.identifier_end(name_pos) is None:
                    raise scanner.fail_expecting(name_pos, "identifier")
                chained, pos, element_start = self.chain_element(
                    node, after_blank, name_pos, optional=False
                )
            elif scanner.startswith("?.", after_blank):
                target = scanner.skip_nl(after_blank + 2)
                chained, pos, element_start = self.chain_element(
                    node, after_blank, target, optional=True
                )
                if chained is None:
                    raise scanner.fail_expecting(target, "`(`", "`[`", "identifier")
            elif scanner.char(pos) in ("(", "["):
                chained, pos, element_start = self.chain_element(node, pos, pos, optional=False)
            elif scanner.char(pos) == "!" and scanner.char(pos + 1) not in ("=", "~"):
                report = scanner.span(element_start, pos + 1)
                chained = ast.NonNull(node, report, scanner.span(node.span.start, pos + 1))
                element_start = pos
                pos = scanner.skip_ws(pos + 1)
            else:
                break
            assert chained is not None
            node = chained
        return (wrap_short_lambda(node) if short else node), pos

    def chain_element(
        self, receiver: ast.Expr, marker: int, pos: int, *, optional: bool
    ) -> tuple[ast.Expr | None, int, int]:
        """One chain element at ``pos`` (after ``.``/``?.`` at ``marker``, or a bracket).

        Returns the new node (None if nothing valid is at ``pos``), the offset after it and
        where the element starts for ``!`` error spans.
        """
        scanner = self.scanner
        start = receiver.span.start
        char = scanner.char(pos)
        if char == "(":
            args, _, end = self.expression_list(pos, ")", short_lambda_ok=True)
            span = scanner.span(pos, end)
            apply = ast.Call(receiver, args, optional, span, scanner.span(start, end))
            return apply, scanner.skip_ws(end), pos
        if char == "[":
            args, _, end = self.expression_list(pos, "]", short_lambda_ok=True)
            span = scanner.span(pos, end)
            index = ast.Index(receiver, args, optional, span, scanner.span(start, end))
            return index, scanner.skip_ws(end), pos
        name_end = scanner.identifier_end(pos)
        if name_end is None:
            return None, pos, pos
        name = scanner.text[pos:name_end]
        name_span = scanner.span(pos, name_end)
        after = scanner.skip_ws(name_end)
        apply_optional = False
        args_start = after
        if scanner.char(after) != "(":
            after_blank = scanner.skip_nl(after)
            if scanner.startswith("?.", after_blank):
                candidate = scanner.skip_nl(after_blank + 2)
                if scanner.char(candidate) == "(":
                    apply_optional, args_start = True, candidate
        if scanner.char(args_start) == "(":
            args, _, end = self.expression_list(args_start, ")", short_lambda_ok=True)
            args_span = scanner.span(args_start, end)
            method_call = ast.MethodCall(
                receiver,
                name,
                args,
                optional,
                apply_optional,
                name_span,
                args_span,
                scanner.span(start, end),
            )
            return method_call, scanner.skip_ws(end), args_start
        span = scanner.span(start, name_end)
        return ast.FieldAccess(receiver, name, optional, name_span, span), after, marker

    def expression_list(
        self, open_pos: int, close: str, *, short_lambda_ok: bool, allow_variadic: bool = False
    ) -> tuple[list[ast.Expr], ast.Identifier | None, int]:
        """``(a, b, ...rest)`` / ``[a, b]``: the elements, the ``...rest`` name, the end."""
        scanner = self.scanner
        pos = scanner.skip_nl(open_pos + 1)
        elements: list[ast.Expr] = []
        while not (allow_variadic and scanner.startswith("...", pos)):
            if not self.starts_expression(pos):
                scanner.expect(pos, "expression")
                break
            element, pos = self.expr(pos, short_lambda_ok=short_lambda_ok)
            elements.append(element)
            if scanner.char(pos) != ",":
                scanner.expect(pos, "`,`")
                break
            pos = scanner.skip_nl(pos + 1)
        variadic: ast.Identifier | None = None
        if allow_variadic:
            if scanner.startswith("...", pos):
                name_pos = scanner.skip_nl(pos + 3)
                name_end = scanner.identifier_end(name_pos)
                if name_end is None:
                    raise scanner.fail_expecting(name_pos, "identifier")
                if scanner.text[name_pos:name_end] in KEYWORDS:
                    raise self.invalid_identifier(name_pos, name_end)
                name = scanner.text[name_pos:name_end]
                variadic = ast.Identifier(name, scanner.span(name_pos, name_end))
                pos = name_end
            else:
                scanner.expect(pos, "`...`")
        if scanner.char(pos) != close:
            raise scanner.fail_expecting(pos, f"`{close}`")
        return elements, variadic, pos + 1

    # -- objects and blocks ------------------------------------------------------------------------------

    def object_or_block(self, start: int) -> tuple[ast.Expr, int]:
        """``{}`` and ``{ key: value, ... }`` are objects; any other ``{ ... }`` is a block."""
        scanner = self.scanner
        pos = scanner.skip_nl(start + 1)
        if scanner.char(pos) == "}":
            return ast.ObjectExpr([], scanner.span(start, pos + 1)), pos + 1
        errors_before = len(self.soft_errors)
        key = self.object_key(pos)
        if key is not None and scanner.char(scanner.skip_ws(key[3])) == ":":
            return self.object_fields(start, pos)
        # The look-ahead may have parsed an interpolation the block will parse again.
        del self.soft_errors[errors_before:]
        statements, pos = self.block_body(pos, is_query=False)
        if scanner.char(pos) != "}":
            raise scanner.fail_expecting(pos, "`}`")
        return ast.Block(statements, scanner.span(start, pos + 1)), pos + 1

    def object_key(self, pos: int) -> tuple[str, ast.Expr | None, int, int] | None:
        """The key at ``pos``: text, first interpolation (an error if used), start, end."""
        scanner = self.scanner
        char = scanner.char(pos)
        name_end = scanner.identifier_end(pos)
        if name_end is not None:
            return scanner.text[pos:name_end], None, pos, name_end
        if char == "'":
            text, end = scanner.scan_single_quoted(pos)
            return text, None, pos, end
        if char == '"':
            parts, end = scanner.scan_double_quoted(pos, self.interpolation)
            interpolated = next((part for part in parts if not isinstance(part, str)), None)
            text = "".join(part for part in parts if isinstance(part, str))
            return text, interpolated, pos, end
        return None

    def object_fields(self, start: int, pos: int) -> tuple[ast.ObjectExpr, int]:
        scanner = self.scanner
        fields: list[ast.ObjectField] = []
        seen: dict[str, ast.ObjectField] = {}
        while True:
            key = self.object_key(pos)
            if key is None:
                raise scanner.fail_expecting(pos, "`}`", "identifier")
            text, interpolated, key_start, key_end = key
            key_span = scanner.span(key_start, key_end)
            if interpolated is not None:
                hint = Hint("hint", "Use Object.fromEntries if you need a dynamic key", key_span)
                raise scanner.failure(
                    "Object keys do not support interpolation",
                    interpolated.span.start,
                    interpolated.span.end,
                    hints=[hint],
                )
            colon = scanner.skip_ws(key_end)
            if scanner.char(colon) != ":":
                raise scanner.fail_expecting(colon, "`:`")
            value, pos = self.required_expr(scanner.skip_nl(colon + 1))
            field = ast.ObjectField(text, value, key_span)
            if text in seen:
                original = Hint("hint", "Key originally used here", seen[text].key_span)
                self.soft_errors.append(
                    CheckDiagnostic("Duplicate key", key_span, hints=[original])
                )
            else:
                seen[text] = field
            fields.append(field)
            if scanner.char(pos) != ",":
                scanner.expect(pos, "`,`")
                break
            pos = scanner.skip_nl(pos + 1)
            if self.object_key_start(pos) is False:
                break
        if scanner.char(pos) != "}":
            raise scanner.fail_expecting(pos, "`}`")
        return ast.ObjectExpr(fields, scanner.span(start, pos + 1)), pos + 1

    def object_key_start(self, pos: int) -> bool:
        scanner = self.scanner
        return scanner.identifier_end(pos) is not None or scanner.char(pos) in ("'", '"')

    # -- projections -----------------------------------------------------------------------------------------

    def projection(self, receiver: ast.Expr, pos: int) -> tuple[ast.Expr, int]:
        """``receiver { ... }``: the brace is on the receiver's line, at ``pos``."""
        short = is_short_lambda(receiver)
        target = receiver.body if isinstance(receiver, ast.Lambda) and short else receiver
        body, end = self.projection_body(pos)
        node = ast.Projection(target, body, self.scanner.span(target.span.start, end))
        return (wrap_short_lambda(node) if short else node), self.scanner.skip_ws(end)

    def projection_body(self, start: int) -> tuple[ast.ProjectionBody, int]:
        scanner = self.scanner
        pos = scanner.skip_nl(start + 1)
        items: list[ast.ProjectItem] = []
        star = scanner.char(pos) == "*"
        if star:
            pos = scanner.skip_nl(pos + 1)
        while not star:
            name_end = scanner.identifier_end(pos)
            if name_end is None:
                first = not items
                raise scanner.fail_expecting(pos, "`*`" if first else "`}`", "identifier")
            if scanner.text[pos:name_end] in KEYWORDS:
                raise self.invalid_identifier(pos, name_end)
            items.append(self.projection_item(pos, name_end))
            pos = scanner.skip_nl(items[-1].span.end)
            if scanner.char(pos) != ",":
                scanner.expect(pos, "`,`")
                break
            pos = scanner.skip_nl(pos + 1)
            if scanner.identifier_end(pos) is None:
                break
        if scanner.char(pos) != "}":
            raise scanner.fail_expecting(pos, "`}`")
        return ast.ProjectionBody(items, star, scanner.span(start, pos + 1)), pos + 1

    def projection_item(self, start: int, name_end: int) -> ast.ProjectItem:
        scanner = self.scanner
        name = scanner.text[start:name_end]
        name_span = scanner.span(start, name_end)
        after = scanner.skip_ws(name_end)
        if scanner.char(after) == ":":
            value_start = scanner.skip_nl(after + 1)
            if not self.starts_expression(value_start):
                raise scanner.fail_expecting(value_start, "expression")
            value, _ = self.expr0(value_start, short_lambda_ok=True)
            # The alias value sees the projected value as the implicit parameter.
            if isinstance(value, ast.Lambda) and value.short:
                value = value.body
            return ast.ProjectAlias(name, value, name_span, scanner.span(start, value.span.end))
        if scanner.char(after) == "{":
            sub, end = self.projection_body(after)
            return ast.ProjectField(name, sub, name_span, scanner.span(start, end))
        return ast.ProjectField(name, None, name_span, name_span)


class TypeAndPatternSkipper:
    """Skips type annotations (``let x: Array<Int> = ...``) and ``match`` patterns.

    faunalite has no type checker and does not evaluate ``match``, so these only need to be
    recognised well enough to find where they end.
    """

    def __init__(self, scanner: Scanner) -> None:
        self.scanner = scanner

    def skip_type(self, pos: int) -> int:
        scanner = self.scanner
        pos = self._type_atom(pos)
        while scanner.char(after := scanner.skip_ws(pos)) in ("|", "&") and after < scanner.length:
            pos = self._type_atom(scanner.skip_nl(after + 1))
        return pos

    def _type_atom(self, pos: int) -> int:
        scanner = self.scanner
        char = scanner.char(pos)
        if (name_end := scanner.identifier_end(pos)) is not None:
            end = name_end
            after = scanner.skip_ws(end)
            scanner.expect(after, "`<`")
            if scanner.char(after) == "<":
                end = self._balanced(after)
        elif char in ("{", "[", "("):
            end = self._balanced(pos)
            arrow = scanner.skip_ws(end)
            if char == "(" and scanner.startswith("=>", arrow):
                end = self.skip_type(scanner.skip_nl(arrow + 2))
        elif char == "'":
            end = scanner.scan_single_quoted(pos)[1]
        elif char == '"':
            end = scanner.scan_double_quoted(pos, self._no_interpolation)[1]
        elif scanner.starts_number(pos):
            end = scanner.scan_number(pos)[1]
        else:
            raise scanner.fail_expecting(pos, "type")
        after = scanner.skip_ws(end)
        if scanner.char(after) == "?" and scanner.char(after + 1) not in ("?", "."):
            end = after + 1
        return end

    def skip_pattern(self, pos: int) -> int:
        scanner = self.scanner
        char = scanner.char(pos)
        if char in ("{", "[", "("):
            end = self._balanced(pos)
        elif char == "'":
            end = scanner.scan_single_quoted(pos)[1]
        elif char == '"':
            end = scanner.scan_double_quoted(pos, self._no_interpolation)[1]
        elif scanner.starts_number(pos):
            end = scanner.scan_number(pos)[1]
        elif (name_end := scanner.identifier_end(pos)) is not None:
            end = name_end
        else:
            raise scanner.fail_expecting(pos, "pattern")
        after = scanner.skip_ws(end)
        if scanner.char(after) == ":":
            return self.skip_type(scanner.skip_nl(after + 1))
        if scanner.char(after) in ("@", "|") and after < scanner.length:
            return self.skip_pattern(scanner.skip_nl(after + 1))
        return end

    def _balanced(self, pos: int) -> int:
        """The offset after the bracket group opening at ``pos`` (strings skipped whole)."""
        scanner = self.scanner
        stack = [_CLOSING[scanner.char(pos)]]
        pos += 1
        while stack:
            char = scanner.char(pos)
            if pos >= scanner.length:
                raise scanner.fail_expecting(pos, f"`{stack[-1]}`")
            if char in _CLOSING and (char != "<" or stack[-1] == ">"):
                stack.append(_CLOSING[char])
                pos += 1
            elif char == stack[-1]:
                stack.pop()
                pos += 1
            elif char == "'":
                pos = scanner.scan_single_quoted(pos)[1]
            elif char == '"':
                pos = scanner.scan_double_quoted(pos, self._no_interpolation)[1]
            else:
                pos += 1
        return pos

    def _no_interpolation(self, pos: int) -> tuple[None, int]:
        raise self.scanner.fail_expecting(pos - 2, '`"`')


def is_short_lambda(expression: ast.Expr) -> TypeGuard[ast.Lambda]:
    return isinstance(expression, ast.Lambda) and expression.short


def wrap_short_lambda(body: ast.Expr, start: int | None = None) -> ast.Lambda:
    """Wrap ``body`` (which uses ``$this``) as a short lambda, its span from ``start``."""
    span = body.span if start is None else body.span.to(Span(start, start, body.span.source))
    return ast.Lambda([ast.IMPLICIT_PARAM], None, body, True, span)


def _string_node(parts: list[str | ast.Expr], span: Span) -> ast.Expr:
    if not parts:
        return ast.Literal("", span)
    if len(parts) == 1 and isinstance(parts[0], str):
        return ast.Literal(parts[0], span)
    return ast.StringTemplate(parts, span)
