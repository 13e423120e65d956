"""The FSL parser: schema files to ``fsl_ast`` trees, with FaunaDB's schema errors.

A recursive-descent parser over the FQL ``Scanner``. FQL inside FSL (defaults, computed
fields, checks, predicates, function bodies) is parsed by faunalite's FQL parser at its
offset in the file (``EmbeddedExpressions``), so every span, FQL or FSL, points into the
schema file and errors name that file's line and column.

Syntax errors stop the file (FaunaDB's generic ``Expected ...`` or a specific message);
problems of meaning (a duplicate index, an unknown action, a field named ``id``) are
collected, and parsing goes on so that one run reports all of them. Either way the caller
gets one ``SchemaError``. ``parse_schema`` also checks names across files: collections and
functions share one namespace, roles and access providers have their own.

This module builds trees; it does not apply a schema to a database.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Literal

from faunalite.fql.errors import CheckDiagnostic, Hint, QueryCheckError
from faunalite.fql.lexer import ParseFailure
from faunalite.fql.parser import EmbeddedExpressions
from faunalite.fql.span import Source, Span
from faunalite.schema import fsl_ast as f
from faunalite.schema.fsl_errors import SchemaError
from faunalite.schema.fsl_roles import RoleParsers
from faunalite.schema.fsl_types import TypeParser, source_text

DEFAULT_FILENAME = "main.fsl"


def parse_fsl(text: str, filename: str = DEFAULT_FILENAME) -> f.SchemaFile:
    """Parse one schema file. Raises ``SchemaError`` listing every problem found."""
    return parse_schema({filename: text})[0]


def parse_schema(files: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[f.SchemaFile]:
    """Parse a multi-file schema (filename → text), checking names across the files."""
    pairs = list(files.items()) if isinstance(files, Mapping) else list(files)
    parsed: list[f.SchemaFile] = []
    errors: list[CheckDiagnostic] = []
    for filename, text in pairs:
        try:
            parsed.append(_FileParser(text, filename).run())
        except SchemaError as error:
            errors.extend(error.diagnostics)
    if not errors:
        errors = _duplicate_names([item for schema in parsed for item in schema.items])
    if errors:
        raise SchemaError(errors)
    return parsed


def _duplicate_names(items: list[f.Item]) -> list[CheckDiagnostic]:
    """FaunaDB's cross-item checks: one namespace for collections and functions (aliases
    included), one for roles and one for access providers."""
    seen: dict[str, dict[str, f.Name]] = {}
    errors: list[CheckDiagnostic] = []
    collection_names = {item.name.text for item in items if isinstance(item, f.Collection)}

    def check(kind: str, name: f.Name) -> None:
        namespace = seen.setdefault(kind, {})
        first = namespace.get(name.text)
        if first is None:
            namespace[name.text] = name
        elif name.span is not None:
            hints = [Hint("hint", "Originally defined here", first.span)] if first.span else []
            errors.append(
                CheckDiagnostic(f"Duplicate {kind} `{name.text}`", name.span, None, hints)
            )

    for item in items:
        if isinstance(item, f.Collection):
            check("collection or function", item.name)
            if item.alias is not None:
                check("collection or function", item.alias)
        elif isinstance(item, f.Function):
            # A function may take a collection's name when it has an alias to be called by.
            if not (item.alias is not None and item.name.text in collection_names):
                check("collection or function", item.name)
            if item.alias is not None:
                check("collection or function", item.alias)
        elif isinstance(item, f.Role):
            check("role", item.name)
        else:
            check("access provider", item.name)
    return errors


class _FileParser(RoleParsers):
    """Parses one schema file. Not reusable: it keeps the errors of that file."""

    def __init__(self, text: str, filename: str) -> None:
        self.source = Source(filename, text)
        self.expressions = EmbeddedExpressions(self.source)
        self.scanner = self.expressions.scanner
        self.types = TypeParser(self.expressions)
        self.errors: list[CheckDiagnostic] = []

    def run(self) -> f.SchemaFile:
        try:
            items = self.items()
        except ParseFailure as failure:
            self.errors.append(failure.diagnostic)
        except QueryCheckError as error:
            self.errors.extend(error.diagnostics)
        if self.errors:
            raise SchemaError(self.errors)
        return f.SchemaFile(self.source.name, tuple(items))

    # -- items ---------------------------------------------------------------------------------

    def items(self) -> list[f.Item]:
        scanner = self.scanner
        items: list[f.Item] = []
        pos, doc_start, _ = self.item_separators(0)
        while pos < scanner.length:
            item, end = self.item(pos)
            if item is not None and doc_start is not None and item.span is not None:
                doc = scanner.text[doc_start:pos].rstrip("\r\n")
                item = dataclasses.replace(
                    item, span=scanner.span(doc_start, item.span.end), doc=doc
                )
            if item is not None:
                items.append(item)
            pos, doc_start, separated = self.item_separators(end)
            if pos < scanner.length and not separated:
                raise scanner.fail_expecting(pos, "end-of-input")
        return items

    def item_separators(self, pos: int) -> tuple[int, int | None, bool]:
        """Skip what separates items: blanks, newlines, ``;`` and comments. Returns where the
        next item starts, where its doc comment starts (comments that run up to the item,
        as FaunaDB attaches them), and whether anything but blanks separated the items."""
        scanner = self.scanner
        doc_start: int | None = None
        separated = False
        while pos < scanner.length:
            char = scanner.char(pos)
            if char in " \t;\r\n":
                separated = separated or (char != " " and char != "\t")
                doc_start = None
                pos += 1
            elif scanner.startswith("//", pos):
                newline = scanner.text.find("\n", pos)
                doc_start = pos if doc_start is None else doc_start
                pos = scanner.length if newline < 0 else newline + 1
                separated = True
            elif scanner.startswith("/*", pos):
                end = scanner.skip_ws(pos)
                if end == pos:
                    break
                doc_start = pos if doc_start is None else doc_start
                pos = end + 1 if scanner.char(end) == "\n" else end
                separated = True
            else:
                break
        return pos, doc_start, separated

    def item(self, start: int) -> tuple[f.Item | None, int]:
        scanner = self.scanner
        pos = start
        annotations: list[f.Annotation] = []
        while scanner.char(pos) == "@":
            annotation, pos = self.annotation(pos)
            annotations.append(annotation)
            pos = scanner.skip_nl(pos)
        keyword_end = scanner.identifier_end(pos)
        if keyword_end is None:
            raise scanner.fail_expecting(pos, "schema item")
        keyword = scanner.text[pos:keyword_end]
        keyword_span = scanner.span(pos, keyword_end)
        if keyword == "collection":
            self.allowed_annotations(annotations, {"alias"})
            return self.collection(start, keyword_span, annotations)
        if keyword == "function":
            self.allowed_annotations(annotations, {"alias", "role"})
            return self.function(start, keyword_span, annotations)
        if keyword == "role":
            self.no_annotations(annotations)
            return self.role(start, keyword_span)
        provider = scanner.skip_ws(keyword_end)
        provider_end = scanner.keyword_end(provider, "provider")
        if keyword == "access" and provider_end is not None:
            self.no_annotations(annotations)
            return self.access_provider(start, scanner.span(pos, provider_end))
        self.error(f"Invalid schema item `{keyword}`", keyword_span)
        return None, self.skip_invalid(keyword_end)

    def annotation(self, start: int) -> tuple[f.Annotation, int]:
        scanner = self.scanner
        pos = start + 1
        word_end = scanner.identifier_end(pos)
        if word_end is None or scanner.text[pos:word_end] not in ("alias", "role"):
            raise scanner.fail_expecting(pos, "alias", "role")
        keyword: Literal["alias", "role"] = (
            "alias" if scanner.text[pos:word_end] == "alias" else "role"
        )
        pos = scanner.skip_nl(word_end)
        if scanner.char(pos) != "(":
            raise scanner.fail_expecting(pos, "`(`")
        pos = scanner.skip_nl(pos + 1)
        value, pos = self.name(pos, scanner.span(start, word_end))
        if value is None:
            raise scanner.fail_expecting(pos, "identifier")
        pos = scanner.skip_nl(pos)
        if scanner.char(pos) != ")":
            raise scanner.fail_expecting(pos, "`)`")
        return f.Annotation(keyword, value, scanner.span(start, pos + 1)), pos + 1

    def allowed_annotations(self, annotations: list[f.Annotation], allowed: set[str]) -> None:
        for annotation in annotations:
            if annotation.keyword not in allowed and annotation.span is not None:
                self.error("Annotation not supported here", annotation.span)

    def no_annotations(self, annotations: list[f.Annotation]) -> None:
        if annotations and annotations[0].span is not None:
            self.error("Annotations are not allowed here", annotations[0].span)

    def annotation_value(self, annotations: list[f.Annotation], keyword: str) -> f.Name | None:
        matching = [annotation for annotation in annotations if annotation.keyword == keyword]
        for duplicate in matching[1:]:
            if duplicate.span is not None:
                self.error(
                    f"Duplicate annotation `{keyword}`",
                    duplicate.span,
                    hints=[Hint("hint", "Originally defined here", matching[0].span)],
                )
        return matching[0].value if matching else None

    # -- collections ---------------------------------------------------------------------------

    def collection(
        self, start: int, keyword_span: Span, annotations: list[f.Annotation]
    ) -> tuple[f.Collection | None, int]:
        scanner = self.scanner
        name, pos = self.name(scanner.skip_ws(keyword_span.end), keyword_span)
        body = self.new_collection_body()
        end = self.block(scanner.skip_ws(pos), lambda at: self.collection_member(at, body))
        alias = self.annotation_value(annotations, "alias")
        if name is None:
            return None, end
        collection = f.Collection(
            name,
            alias,
            tuple(body.fields),
            tuple(body.indexes),
            tuple(body.uniques),
            tuple(body.checks),
            body.history_days,
            body.ttl_days,
            body.document_ttls,
            body.migrations,
            scanner.span(start, end),
        )
        return collection, end

    # -- functions -----------------------------------------------------------------------------

    def function(
        self, start: int, keyword_span: Span, annotations: list[f.Annotation]
    ) -> tuple[f.Function | None, int]:
        scanner = self.scanner
        name, pos = self.name(scanner.skip_ws(keyword_span.end), keyword_span)
        pos = scanner.skip_ws(pos)
        if scanner.char(pos) != "(":
            raise scanner.fail_expecting(pos, "`(`")
        arguments, close = self.arguments(pos)
        pos = scanner.skip_ws(close + 1)
        result: f.TypeExpr | None = None
        result_span: Span | None = None
        if scanner.char(pos) == ":":
            type_start = scanner.skip_nl(pos + 1)
            result, pos = self.types.type_expr(type_start)
            result_span = scanner.span(type_start, pos)
            pos = scanner.skip_ws(pos)
        pos = scanner.skip_nl(pos)
        if scanner.char(pos) != "{":
            raise scanner.fail_expecting(pos, "`{`")
        block, end = self.expressions.block(pos)
        self.check_signature(arguments, scanner.span(close, close + 1), result_span)
        alias = self.annotation_value(annotations, "alias")
        role = self.annotation_value(annotations, "role")
        if name is None:
            return None, end
        body = f.FQLExpr(source_text(scanner.text, pos, end), block, block.span)
        span = scanner.span(start, end)
        return f.Function(name, tuple(arguments), body, result, alias, role, span), end

    def arguments(self, open_paren: int) -> tuple[list[f.Argument], int]:
        """The arguments between ``(`` at ``open_paren`` and ``)``; returns them and ``)``."""
        scanner = self.scanner
        arguments: list[f.Argument] = []
        pos = scanner.skip_nl(open_paren + 1)
        while scanner.char(pos) != ")":
            start = pos
            variadic = scanner.startswith("...", pos)
            if variadic:
                pos += 3
            name_end = scanner.identifier_end(pos)
            if name_end is None:
                raise scanner.fail_expecting(pos, "identifier", "`)`")
            name = f.Name(scanner.text[pos:name_end], scanner.span(pos, name_end))
            pos = scanner.skip_nl(name_end)
            arg_type: f.TypeExpr | None = None
            if scanner.char(pos) == ":":
                arg_type, pos = self.types.type_expr(scanner.skip_nl(pos + 1))
                pos = scanner.skip_nl(pos)
            if arguments and arguments[-1].variadic:
                self.error("Variadic argument must be the last argument.", self.arg_span(start))
            arguments.append(f.Argument(name, arg_type, variadic))
            if scanner.char(pos) != ",":
                if scanner.char(pos) != ")":
                    raise scanner.fail_expecting(pos, "`,`", "`)`")
                break
            pos = scanner.skip_nl(pos + 1)
        return arguments, pos

    def arg_span(self, start: int) -> Span:
        return self.scanner.span(start, start + 3)

    def check_signature(
        self, arguments: list[f.Argument], close: Span, result: Span | None
    ) -> None:
        """All or no arguments typed; a return type exactly when they are."""
        if not arguments:
            return
        first = arguments[0]
        typed = first.type is not None
        first_type_span = _type_span(first.type)
        for argument in arguments:
            if (argument.type is not None) == typed or argument.name.span is None:
                continue
            hint = (
                Hint("hint", "Expecting types due to this type annotation", first_type_span)
                if typed
                else Hint(
                    "hint",
                    "Expecting no types due to this argument not having a type",
                    first.name.span,
                )
            )
            self.error("All or no arguments must have a type", argument.name.span, hints=[hint])
        if typed and result is None:
            self.error(
                "Return type is required when arguments have a type",
                close,
                hints=[
                    Hint("hint", "Expecting types due to this type annotation", first_type_span)
                ],
            )
        elif not typed and result is not None:
            self.error(
                "Return type is not allowed when arguments do not have a type",
                result,
                hints=[
                    Hint(
                        "hint",
                        "Expecting no types due to this argument not having a type",
                        first.name.span,
                    )
                ],
            )


def _type_span(type_expr: f.TypeExpr | None) -> Span | None:
    return None if type_expr is None else type_expr.span
