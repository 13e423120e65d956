"""Type annotations in FSL: ``String``, ``Int?``, ``Array<Ref<User>>``, ``A | B``, object types.

A small recursive-descent parser over the FQL ``Scanner`` (so its expectations join the
generic ``Expected ...`` error of the rest of the file). Precedence, loosest first: function
types ``A => B`` (right-associative), unions ``|``, intersections ``&``, the postfix ``?``,
then atoms: names, applications ``Name<T, ...>``, literals, object types ``{ a: T, *: T }``,
interface types ``{ a: T, ... }``, tuples ``[A, B]`` and brackets.

In a field's type (``allow_defaults``), an object type's fields may have ``= default``.
``type_scheme`` also reads a leading generic binder, ``<A, B> T`` (FaunaDB's stdlib
signatures; FSL itself has none).
This module does not check that a type exists; it only reads its shape.
"""

from __future__ import annotations

from faunalite.fql import ast
from faunalite.fql.parser import EmbeddedExpressions
from faunalite.schema import fsl_ast as f

MAX_TYPE_DEPTH = 200
"""How deeply types may nest before the parser refuses them (protects the Python stack)."""


class TypeParser:
    """Reads type expressions of one source text at given offsets."""

    def __init__(self, expressions: EmbeddedExpressions) -> None:
        self.expressions = expressions
        self.scanner = expressions.scanner
        self.depth = 0

    def type_expr(self, pos: int, *, allow_defaults: bool = False) -> tuple[f.TypeExpr, int]:
        """The type at ``pos`` and the offset just after it (trailing blanks not skipped)."""
        scanner = self.scanner
        self.depth += 1
        try:
            if self.depth > MAX_TYPE_DEPTH:
                raise scanner.failure("Type is nested too deeply", pos, pos + 1)
            start = pos
            union, end = self._union(pos, allow_defaults)
            after = scanner.skip_ws(end)
            if scanner.startswith("=>", after):
                result, end = self.type_expr(scanner.skip_nl(after + 2))
                span = scanner.span(start, end)
                return f.FunctionType(_lambda_params(union), None, result, span), end
            return union, end
        finally:
            self.depth -= 1

    def type_scheme(self, pos: int) -> tuple[f.TypeScheme, int]:
        """The type at ``pos`` after an optional ``<A, B>`` binding its generic parameters,
        and the offset just after it."""
        scanner = self.scanner
        start = pos
        params: list[str] = []
        if scanner.char(pos) == "<":
            pos = scanner.skip_nl(pos + 1)
            while True:
                name_end = scanner.identifier_end(pos)
                if name_end is None:
                    raise scanner.fail_expecting(pos, "type parameter")
                params.append(scanner.text[pos:name_end])
                pos = scanner.skip_nl(name_end)
                if scanner.char(pos) == ">":
                    break
                if scanner.char(pos) != ",":
                    raise scanner.fail_expecting(pos, "`,`", "`>`")
                pos = scanner.skip_nl(pos + 1)
            pos = scanner.skip_nl(pos + 1)
        body, end = self.type_expr(pos)
        return f.TypeScheme(tuple(params), body, scanner.span(start, end)), end

    def _union(self, pos: int, allow_defaults: bool) -> tuple[f.TypeExpr, int]:
        return self._chain(pos, "|", allow_defaults)

    def _chain(self, pos: int, operator: str, allow_defaults: bool) -> tuple[f.TypeExpr, int]:
        scanner = self.scanner
        start = pos
        members: list[f.TypeExpr] = []
        while True:
            if operator == "|":
                member, end = self._chain(pos, "&", allow_defaults)
            else:
                member, end = self._postfix(pos, allow_defaults)
            members.append(member)
            after = scanner.skip_ws(end)
            if scanner.char(after) != operator or scanner.startswith(operator * 2, after):
                break
            pos = scanner.skip_nl(after + 1)
        if len(members) == 1:
            return members[0], end
        span = scanner.span(start, end)
        if operator == "|":
            return f.UnionType(tuple(members), span), end
        return f.IntersectionType(tuple(members), span), end

    def _postfix(self, pos: int, allow_defaults: bool) -> tuple[f.TypeExpr, int]:
        scanner = self.scanner
        start = pos
        atom, end = self._atom(pos, allow_defaults)
        while scanner.char(end) == "?":
            end += 1
            atom = f.NullableType(atom, scanner.span(start, end))
        return atom, end

    def _atom(self, pos: int, allow_defaults: bool) -> tuple[f.TypeExpr, int]:
        scanner = self.scanner
        char = scanner.char(pos)
        name_end = scanner.identifier_end(pos)
        if name_end is not None:
            return self._named(pos, name_end)
        if char in "'\"":
            text, end = self._string(pos)
            return f.LiteralType(text, scanner.span(pos, end)), end
        if scanner.starts_number(pos) or (char == "-" and scanner.starts_number(pos + 1)):
            negative = char == "-"
            value, end = scanner.scan_number(pos + 1 if negative else pos)
            return f.LiteralType(-value if negative else value, scanner.span(pos, end)), end
        if char == "{":
            return self._object(pos, allow_defaults)
        if char == "[":
            elements, end = self._list(pos, "]")
            return f.TupleType(tuple(elements), scanner.span(pos, end)), end
        if char == "(":
            return self._brackets(pos)
        raise scanner.fail_expecting(pos, "type")

    def _named(self, pos: int, name_end: int) -> tuple[f.TypeExpr, int]:
        scanner = self.scanner
        name = scanner.text[pos:name_end]
        literals: dict[str, bool | None] = {"true": True, "false": False, "null": None}
        if name in literals:
            return f.LiteralType(literals[name], scanner.span(pos, name_end)), name_end
        if scanner.char(name_end) == "<":
            args, end = self._list(name_end, ">")
            return f.AppliedType(name, tuple(args), scanner.span(pos, end)), end
        return f.NamedType(name, scanner.span(pos, name_end)), name_end

    def _string(self, pos: int) -> tuple[str, int]:
        scanner = self.scanner
        if scanner.char(pos) == "'":
            return scanner.scan_single_quoted(pos)

        def no_interpolation(at: int) -> tuple[ast.Expr, int]:
            raise scanner.failure("Cannot interpolate values in a type", at, at + 2)

        parts, end = scanner.scan_double_quoted(pos, no_interpolation)
        return "".join(part for part in parts if isinstance(part, str)), end

    def _list(self, pos: int, close: str) -> tuple[list[f.TypeExpr], int]:
        """Types separated by commas between the bracket at ``pos`` and ``close``."""
        scanner = self.scanner
        items: list[f.TypeExpr] = []
        pos = scanner.skip_nl(pos + 1)
        while scanner.char(pos) != close:
            item, end = self.type_expr(pos)
            items.append(item)
            pos = scanner.skip_nl(end)
            if scanner.char(pos) != ",":
                if scanner.char(pos) != close:
                    raise scanner.fail_expecting(pos, "`,`", f"`{close}`")
                break
            pos = scanner.skip_nl(pos + 1)
        return items, pos + 1

    def _brackets(self, pos: int) -> tuple[f.TypeExpr, int]:
        """``(T)`` or the parameter list of a function type ``(a: T, ...rest: U) => R``."""
        scanner = self.scanner
        start = pos
        params: list[tuple[str | None, f.TypeExpr]] = []
        variadic: tuple[str | None, f.TypeExpr] | None = None
        pos = scanner.skip_nl(pos + 1)
        while scanner.char(pos) != ")":
            spread = scanner.startswith("...", pos)
            if spread:
                pos += 3
            label: str | None = None
            name_end = scanner.identifier_end(pos)
            if name_end is not None and scanner.char(scanner.skip_ws(name_end)) == ":":
                label = scanner.text[pos:name_end]
                pos = scanner.skip_nl(scanner.skip_ws(name_end) + 1)
                if not spread and scanner.startswith("...", pos):
                    spread = True  # FaunaDB's form: `rest: ...T`
                    pos += 3
            param, end = self.type_expr(pos)
            if spread:
                variadic = (label, param)
            else:
                params.append((label, param))
            pos = scanner.skip_nl(end)
            if scanner.char(pos) != ",":
                if scanner.char(pos) != ")":
                    raise scanner.fail_expecting(pos, "`,`", "`)`")
                break
            pos = scanner.skip_nl(pos + 1)
        end = pos + 1
        arrow = scanner.skip_ws(end)
        if scanner.startswith("=>", arrow):
            result, end = self.type_expr(scanner.skip_nl(arrow + 2))
            return f.FunctionType(tuple(params), variadic, result, scanner.span(start, end)), end
        if variadic is None and all(label is None for label, _ in params):
            if len(params) == 1:
                return params[0][1], end
            # `(A, B)` is FaunaDB's other spelling of the tuple type `[A, B]`.
            elements = tuple(param for _, param in params)
            return f.TupleType(elements, scanner.span(start, end)), end
        raise scanner.fail_expecting(arrow, "`=>`")

    def _object(self, pos: int, allow_defaults: bool) -> tuple[f.ObjectType, int]:
        scanner = self.scanner
        start = pos
        fields: list[f.ObjectTypeField] = []
        wildcard: f.TypeExpr | None = None
        interface = False
        pos = scanner.skip_nl(pos + 1)
        while scanner.char(pos) != "}":
            if scanner.startswith("...", pos):
                interface = True
                pos = scanner.skip_nl(pos + 3)
            else:
                name, field_type, default, pos = self._object_field(pos, allow_defaults)
                if name is None:
                    wildcard = field_type
                else:
                    fields.append(f.ObjectTypeField(name, field_type, default))
            if scanner.char(pos) != ",":
                if scanner.char(pos) != "}":
                    raise scanner.fail_expecting(pos, "`,`", "`}`")
                break
            pos = scanner.skip_nl(pos + 1)
        end = pos + 1
        return f.ObjectType(tuple(fields), wildcard, interface, scanner.span(start, end)), end

    def _object_field(
        self, pos: int, allow_defaults: bool
    ) -> tuple[str | None, f.TypeExpr, f.FQLExpr | None, int]:
        """``name: T [= default]`` (name ``None`` for ``*: T``), and the next offset."""
        scanner = self.scanner
        if scanner.char(pos) == "*":
            name, name_end = "*", pos + 1
        elif scanner.char(pos) in "'\"":
            name, name_end = self._string(pos)
        else:
            ident_end = scanner.identifier_end(pos)
            if ident_end is None:
                raise scanner.fail_expecting(pos, "field name", "`}`")
            name, name_end = scanner.text[pos:ident_end], ident_end
        colon = scanner.skip_ws(name_end)
        if scanner.char(colon) != ":":
            raise scanner.fail_expecting(colon, "`:`")
        field_type, end = self.type_expr(scanner.skip_nl(colon + 1), allow_defaults=allow_defaults)
        after = scanner.skip_nl(end)
        if name == "*" and scanner.char(pos) == "*":
            return None, field_type, None, after
        default: f.FQLExpr | None = None
        if allow_defaults and scanner.char(after) == "=" and scanner.char(after + 1) != ">":
            default, end = embedded_expression(self.expressions, scanner.skip_nl(after + 1))
            after = scanner.skip_nl(end)
        return name, field_type, default, after


def embedded_expression(expressions: EmbeddedExpressions, pos: int) -> tuple[f.FQLExpr, int]:
    """The FQL expression at ``pos`` with its source text."""
    node, end = expressions.expression(pos, short_lambda_ok=False)
    return expression_of(node), end


def expression_of(node: ast.Expr) -> f.FQLExpr:
    """An ``FQLExpr`` for a parsed node: the text its span covers, its continuation lines
    made relative to the line it starts on (see ``source_text``)."""
    span = node.span
    return f.FQLExpr(source_text(span.source.text, span.start, span.end), node, span)


def source_text(text: str, start: int, end: int) -> str:
    """``text[start:end]`` without the indentation of the line where it starts on its later
    lines, so an expression reads the same at any nesting (the printer indents it again)."""
    piece = text[start:end]
    if "\n" not in piece:
        return piece
    line_start = text.rfind("\n", 0, start) + 1
    line = text[line_start:start]
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    first, *rest = piece.split("\n")
    return "\n".join(
        [first, *(line[len(indent) :] if line.startswith(indent) else line for line in rest)]
    )


def _lambda_params(
    param: f.TypeExpr,
) -> tuple[tuple[str | None, f.TypeExpr], ...]:
    return ((None, param),)
