"""The members of FSL collections: fields, indexes, constraints, migrations, and the blocks,
names, literals and field paths every FSL item uses.

``MemberParsers`` is the part of the FSL parser that reads what sits inside a collection's
``{ ... }`` (``fsl_roles`` adds roles and access providers, ``fsl_parser`` reads the items
themselves and drives both). Error messages are FaunaDB's (``SchemaItemConverter``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, get_args

from faunalite.fql import ast
from faunalite.fql.errors import CheckDiagnostic, Hint
from faunalite.fql.lexer import KEYWORDS, Scanner
from faunalite.fql.parser import EmbeddedExpressions
from faunalite.fql.span import Span
from faunalite.schema import fsl_ast as f
from faunalite.schema.fsl_types import TypeParser, expression_of

RESERVED_FIELD_NAMES = frozenset(
    {"id", "coll", "ts", "ttl", "data"}
    | {"delete", "update", "replace", "updateData", "replaceData", "exists"}
)
"""Names a collection's fields may not take: document metadata and document methods
(FaunaDB's ``SpecialFieldNames``)."""

ACTIONS: tuple[f.Action, ...] = get_args(f.Action)
MIGRATIONS: tuple[f.MigrationKind, ...] = get_args(f.MigrationKind)
_LEGACY_NAME = re.compile(r"[a-zA-Z0-9;@+$\-_.!~%]+")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def is_identifier(text: str) -> bool:
    """Whether ``text`` can be written bare (otherwise FSL quotes it)."""
    return _IDENTIFIER.fullmatch(text) is not None and text not in KEYWORDS


@dataclass(slots=True)
class CollectionBody:
    """What a collection's block declared so far, with the first place of each name."""

    fields: list[f.Field] = field(default_factory=list)
    indexes: list[f.Index] = field(default_factory=list)
    uniques: list[f.Unique] = field(default_factory=list)
    checks: list[f.Check] = field(default_factory=list)
    history_days: int | None = None
    ttl_days: int | None = None
    document_ttls: bool | None = None
    migrations: tuple[f.Migration, ...] | None = None
    seen: dict[tuple[str, str], Span] = field(default_factory=dict)


class MemberParsers:
    """Parsers for the inside of FSL items (mixed into the file parser)."""

    scanner: Scanner
    expressions: EmbeddedExpressions
    types: TypeParser
    errors: list[CheckDiagnostic]

    # -- blocks -------------------------------------------------------------------------

    def block(self, pos: int, member: Callable[[int], int]) -> int:
        """``{ member; member ... }`` at ``pos``: returns the offset after ``}``."""
        scanner = self.scanner
        if scanner.char(pos) != "{":
            raise scanner.fail_expecting(pos, "`{`")
        pos = self.skip_separators(pos + 1)
        while scanner.char(pos) != "}":
            if pos >= scanner.length:
                raise scanner.fail_expecting(pos, "`}`")
            end = member(pos)
            after = scanner.skip_ws(end)
            if scanner.char(after) == "}":
                pos = after
                break
            separator_end = scanner.block_separator_end(after)
            if separator_end is None:
                raise scanner.fail_expecting(after, "`}`")
            pos = self.skip_separators(separator_end)
        return pos + 1

    def skip_separators(self, pos: int) -> int:
        """Skip blank space, comments, newlines and ``;`` between items."""
        scanner = self.scanner
        while True:
            pos = scanner.skip_nl(pos)
            if scanner.char(pos) != ";":
                return pos
            pos += 1

    # -- errors and recovery -------------------------------------------------------------------

    def error(
        self,
        message: str,
        span: Span,
        annotation: str | None = None,
        hints: list[Hint] | None = None,
    ) -> None:
        self.errors.append(CheckDiagnostic(message, span, annotation, hints or []))

    def first_time(
        self, seen: dict[tuple[str, str], Span], key: tuple[str, str], span: Span, message: str
    ) -> bool:
        """Record ``key``; if it was seen before, report ``message`` and return False."""
        first = seen.get(key)
        if first is None:
            seen[key] = span
            return True
        self.error(message, span, hints=[Hint("hint", "Originally defined here", first)])
        return False

    def claim(
        self, seen: dict[tuple[str, str], Span], kind: str, name: f.Name | None, message: str
    ) -> f.Name | None:
        """``name`` if it is the first of ``kind`` in ``seen``; otherwise report ``message``."""
        if name is None or name.span is None:
            return name
        return name if self.first_time(seen, (kind, name.text), name.span, message) else None

    def skip_invalid(self, pos: int) -> int:
        """Skip the rest of a member FaunaDB does not know: to the end of its line, or past
        its brackets if it opens any (strings and comments do not count)."""
        scanner = self.scanner
        depth = 0
        while pos < scanner.length:
            char = scanner.char(pos)
            if char in "'\"":
                pos = self._string_end(pos)
                continue
            if scanner.startswith("//", pos) or scanner.startswith("/*", pos):
                skipped = scanner.skip_nl(pos) if char == "/" else pos
                if skipped == pos:
                    pos += 1
                elif depth == 0 and "\n" in scanner.text[pos:skipped]:
                    return pos
                else:
                    pos = skipped
                continue
            if depth == 0 and char in "\r\n;}":
                return pos
            if char in "([{":
                depth += 1
            elif char in ")]}":
                depth = max(depth - 1, 0)
            pos += 1
        return pos

    def _string_end(self, pos: int) -> int:
        scanner = self.scanner
        quote = scanner.char(pos)
        pos += 1
        while pos < scanner.length and scanner.char(pos) != quote:
            pos += 2 if scanner.char(pos) == "\\" else 1
        return pos + 1

    # -- names ---------------------------------------------------------------------------------

    def name(self, pos: int, keyword_span: Span) -> tuple[f.Name | None, int]:
        """A schema name at ``pos``: an identifier or a quoted legacy name."""
        scanner = self.scanner
        # Not the FQL lexer's identifier, which lets ``'`` follow the first character.
        bare = _IDENTIFIER.match(scanner.text, pos)
        if bare is not None:
            name_end = bare.end()
            return f.Name(scanner.text[pos:name_end], scanner.span(pos, name_end)), name_end
        quote = scanner.char(pos)
        if quote in "'\"":
            match = _LEGACY_NAME.match(scanner.text, pos + 1)
            end = match.end() if match else pos + 1
            if scanner.char(end) != quote:
                raise scanner.fail_expecting(pos, "identifier")
            return f.Name(scanner.text[pos + 1 : end], scanner.span(pos, end + 1)), end + 1
        self.error("Missing required name", keyword_span)
        return None, pos

    def identifier(self, pos: int, keyword_span: Span) -> tuple[f.Name | None, int]:
        """A name that must be an identifier (index, check constraint, field)."""
        name, end = self.name(pos, keyword_span)
        if name is not None and not is_identifier(name.text) and name.span is not None:
            self.error(f"Invalid identifier `{name.text}`", name.span)
            return None, end
        return name, end

    # -- collection members --------------------------------------------------------------------

    def new_collection_body(self) -> CollectionBody:
        return CollectionBody()

    def collection_member(self, pos: int, body: CollectionBody) -> int:
        scanner = self.scanner
        char = scanner.char(pos)
        if char == "*":
            return self.wildcard_field(pos, body)
        if char in "'\"":
            return self.defined_field(pos, body)
        word_end = scanner.identifier_end(pos)
        if word_end is None:
            raise scanner.fail_expecting(pos, "field or member")
        word = scanner.text[pos:word_end]
        word_span = scanner.span(pos, word_end)
        after = scanner.skip_ws(word_end)
        if scanner.char(after) in (":", "="):
            return self.defined_field(pos, body)
        if word == "compute" and (
            scanner.identifier_end(after) is not None or scanner.char(after) in "'\""
        ):
            return self.computed_field(pos, after, body)
        members: dict[str, Callable[[int, Span, CollectionBody], int]] = {
            "index": self.index,
            "unique": self.unique,
            "check": self.check,
            "migrations": self.migrations,
            "history_days": self.history_days,
            "ttl_days": self.ttl_days,
            "document_ttls": self.document_ttls,
        }
        member = members.get(word)
        if member is None:
            self.error(f"Invalid field or member `{word}`", word_span)
            return self.skip_invalid(word_end)
        return member(after, word_span, body)

    def field_name(self, pos: int) -> tuple[f.Name | None, int]:
        return self.identifier(pos, self.scanner.span(pos, pos + 1))

    def accept_field(self, name: f.Name | None, span: Span, body: CollectionBody) -> bool:
        """Whether a field may take ``name``: not reserved, not declared before."""
        if name is None or name.span is None:
            return False
        if name.text in RESERVED_FIELD_NAMES:
            self.error(f"Invalid reserved name `{name.text}`", span)
            return False
        message = f"Duplicate field `{name.text}`"
        return self.first_time(body.seen, ("field", name.text), name.span, message)

    def defined_field(self, start: int, body: CollectionBody) -> int:
        scanner = self.scanner
        name, pos = self.field_name(start)
        pos = scanner.skip_ws(pos)
        if scanner.char(pos) != ":":
            value_end = self.skip_invalid(pos)
            self.error("Expected a type signature", scanner.span(start, value_end))
            return value_end
        field_type, end = self.types.type_expr(scanner.skip_nl(pos + 1), allow_defaults=True)
        default: f.FQLExpr | None = None
        after = scanner.skip_ws(end)
        if scanner.char(after) == "=":
            default, end = self.literal(scanner.skip_nl(after + 1))
        span = scanner.span(start, end)
        if self.accept_field(name, span, body) and name is not None:
            body.fields.append(f.DefinedField(name, field_type, default, span))
        return end

    def wildcard_field(self, start: int, body: CollectionBody) -> int:
        scanner = self.scanner
        star = scanner.span(start, start + 1)
        pos = scanner.skip_ws(start + 1)
        if scanner.char(pos) != ":":
            raise scanner.fail_expecting(pos, "`:`")
        field_type, end = self.types.type_expr(scanner.skip_nl(pos + 1))
        after = scanner.skip_ws(end)
        if scanner.char(after) == "=":
            default, value_end = self.literal(scanner.skip_nl(after + 1))
            assert default.span is not None
            self.error("No default allowed for wildcard field", default.span)
            return value_end
        if self.first_time(body.seen, ("field", "*"), star, "Duplicate field `*`"):
            body.fields.append(f.WildcardField(field_type, scanner.span(start, end)))
        return end

    def computed_field(self, start: int, name_pos: int, body: CollectionBody) -> int:
        scanner = self.scanner
        keyword_span = scanner.span(start, start + len("compute"))
        name, pos = self.field_name(name_pos)
        pos = scanner.skip_ws(pos)
        field_type: f.TypeExpr | None = None
        if scanner.char(pos) == ":":
            field_type, pos = self.types.type_expr(scanner.skip_nl(pos + 1))
            pos = scanner.skip_ws(pos)
        if scanner.char(pos) != "=":
            self.error("Computed fields require a value", keyword_span)
            return pos
        value, end = self.expressions.expression(scanner.skip_nl(pos + 1), short_lambda_ok=True)
        lambda_node = _lambda_in(value)
        span = scanner.span(start, end)
        if lambda_node is None:
            self.error("Expected lambda", value.span)
        elif self.accept_field(name, span, body) and name is not None:
            body.fields.append(f.ComputedField(name, field_type, expression_of(lambda_node), span))
        return end

    def index(self, pos: int, keyword_span: Span, body: CollectionBody) -> int:
        scanner = self.scanner
        name, pos = self.identifier(pos, keyword_span)
        if name is not None:
            name = self.claim(body.seen, "index", name, f"Duplicate index name `{name.text}`")
        parts: dict[str, Any] = {}
        seen: dict[tuple[str, str], Span] = {}

        def member(at: int) -> int:
            word_end = scanner.identifier_end(at)
            word = scanner.text[at:word_end] if word_end is not None else ""
            if word_end is None or word not in ("terms", "values"):
                if word_end is None:
                    raise scanner.fail_expecting(at, "terms", "values")
                self.error(f"Invalid member `{word}`", scanner.span(at, word_end))
                return self.skip_invalid(word_end)
            entries, end = self.index_entries(scanner.skip_ws(word_end), values=word == "values")
            span = scanner.span(at, end)
            if self.first_time(seen, (word, ""), span, f"Duplicate {word} definition"):
                parts[word] = tuple(entries) if entries else None
            return end

        end = self.block(scanner.skip_ws(pos), member)
        if name is not None:
            index = f.Index(
                name,
                parts.get("terms"),
                parts.get("values"),
                keyword_span.to(scanner.span(end - 1, end)),
            )
            body.indexes.append(index)
        return end

    def unique(self, pos: int, keyword_span: Span, body: CollectionBody) -> int:
        scanner = self.scanner
        entries, end = self.index_entries(pos, values=False)
        span = scanner.span(pos, end)
        if not entries:
            self.error("Expected non-empty terms for a unique constraint", span)
            return end
        terms = tuple(entry for entry in entries if isinstance(entry, f.IndexTerm))
        key = ("unique", repr(sorted(repr(term) for term in terms)))
        first = body.seen.get(key)
        if first is not None:
            hint = Hint("hint", "This unique constraint covers the same fields.", first)
            self.error("Duplicate unique constraint.", span, hints=[hint])
            return end
        body.seen[key] = span
        body.uniques.append(f.Unique(terms, keyword_span.to(span)))
        return end

    def check(self, pos: int, keyword_span: Span, body: CollectionBody) -> int:
        scanner = self.scanner
        name, pos = self.identifier(pos, keyword_span)
        if name is not None:
            message = f"Duplicate check constraint name `{name.text}`"
            name = self.claim(body.seen, "check", name, message)
        value, end = self.expressions.expression(scanner.skip_ws(pos), short_lambda_ok=False)
        predicate = self.bracketed_lambda(value, "Expected lambda check predicate")
        if isinstance(value, ast.Lambda):
            self.errors[-1].annotation = "Check constraints require parenthesis around the lambda"
        if name is not None and predicate is not None:
            body.checks.append(f.Check(name, predicate, keyword_span.to(value.span)))
        return end

    def bracketed_lambda(self, value: ast.Expr, message: str) -> f.FQLExpr | None:
        """The lambda of ``(lambda)``; reports ``message`` for anything else."""
        if isinstance(value, ast.Tuple) and len(value.elements) == 1:
            inner = value.elements[0]
            if isinstance(inner, ast.Lambda):
                return expression_of(inner)
        self.error(message, value.span)
        return None

    def literal(self, pos: int) -> tuple[f.FQLExpr, int]:
        node, end = self.expressions.expression(pos, short_lambda_ok=False)
        return expression_of(node), end

    def history_days(self, pos: int, keyword_span: Span, body: CollectionBody) -> int:
        value, end = self.integer(pos)
        span = keyword_span.to(self.scanner.span(end, end))
        if self.first_time(body.seen, ("history_days", ""), span, "Duplicate history days"):
            body.history_days = value
        return end

    def ttl_days(self, pos: int, keyword_span: Span, body: CollectionBody) -> int:
        value, end = self.integer(pos)
        span = keyword_span.to(self.scanner.span(end, end))
        if self.first_time(body.seen, ("ttl_days", ""), span, "Duplicate ttl days"):
            body.ttl_days = value
        return end

    def document_ttls(self, pos: int, keyword_span: Span, body: CollectionBody) -> int:
        node, end = self.expressions.expression(pos, short_lambda_ok=False)
        value: bool | None = None
        if isinstance(node, ast.Literal) and isinstance(node.value, bool):
            value = node.value
        else:
            self.error("Expected boolean literal", node.span)
        span = keyword_span.to(node.span)
        if self.first_time(body.seen, ("document_ttls", ""), span, "Duplicate document TTLs"):
            body.document_ttls = value
        return end

    def integer(self, pos: int) -> tuple[int | None, int]:
        node, end = self.expressions.expression(pos, short_lambda_ok=False)
        if isinstance(node, ast.Literal) and type(node.value) is int:
            return node.value, end
        self.error("Expected integer literal", node.span)
        return None, end

    def string(self, pos: int) -> tuple[str | None, int]:
        node, end = self.expressions.expression(pos, short_lambda_ok=False)
        if isinstance(node, ast.Literal) and isinstance(node.value, str):
            return node.value, end
        if isinstance(node, ast.StringTemplate):
            for part in node.parts:
                if not isinstance(part, str):
                    self.error("Cannot interpolate values in a string literal", part.span)
            return None, end
        self.error("Expected string literal", node.span)
        return None, end

    # -- index terms and field paths -----------------------------------------------------------

    def index_entries(
        self, pos: int, *, values: bool
    ) -> tuple[list[f.IndexTerm | f.IndexValue], int]:
        scanner = self.scanner
        if scanner.char(pos) != "[":
            end = self.skip_invalid(pos)
            what = "values" if values else "terms"
            self.error(f"Expected an array of {what}", scanner.span(pos, max(end, pos + 1)))
            return [], end
        entries: list[f.IndexTerm | f.IndexValue] = []
        pos = scanner.skip_nl(pos + 1)
        while scanner.char(pos) != "]":
            entry, end = self.index_entry(pos, values=values)
            entries.append(entry)
            pos = scanner.skip_nl(end)
            if scanner.char(pos) != ",":
                if scanner.char(pos) != "]":
                    raise scanner.fail_expecting(pos, "`,`", "`]`")
                break
            pos = scanner.skip_nl(pos + 1)
        return entries, pos + 1

    def index_entry(self, start: int, *, values: bool) -> tuple[f.IndexTerm | f.IndexValue, int]:
        """``.a``, ``mva(.a)``; for values also ``asc(...)``, ``desc(...)`` around them."""
        scanner = self.scanner
        wrappers: list[tuple[str, Span]] = []
        pos = start
        while (word_end := scanner.identifier_end(pos)) is not None:
            wrappers.append((scanner.text[pos:word_end], scanner.span(pos, word_end)))
            pos = scanner.skip_ws(word_end)
            if scanner.char(pos) != "(":
                raise scanner.fail_expecting(pos, "`(`")
            pos = scanner.skip_nl(pos + 1)
        path, pos = self.field_path(pos)
        for _ in wrappers:
            pos = scanner.skip_nl(pos)
            if scanner.char(pos) != ")":
                raise scanner.fail_expecting(pos, "`)`")
            pos += 1
        span = scanner.span(start, pos)
        names = sorted(wrappers)  # "asc" < "desc" < "mva"
        if not values:
            if wrappers and (len(wrappers) > 1 or wrappers[0][0] != "mva"):
                self.error("Expected 'mva'", wrappers[0][1])
            return f.IndexTerm(path, bool(wrappers), span), pos
        valid = (len(names) <= 1 and all(name in ("asc", "desc", "mva") for name, _ in names)) or (
            len(names) == 2 and names[0][0] in ("asc", "desc") and names[1][0] == "mva"
        )
        if not valid:
            bad = next(
                (s for name, s in names if name not in ("asc", "desc", "mva")), wrappers[-1][1]
            )
            self.error("Expected 'asc', 'desc', or 'mva'", bad)
        words = {name for name, _ in wrappers}
        return f.IndexValue(path, "mva" in words, "desc" not in words, span), pos

    def field_path(self, start: int) -> tuple[f.FieldPath, int]:
        """``.a.b``, ``.["a b"]``, ``.a[0]``."""
        scanner = self.scanner
        if scanner.char(start) != ".":
            raise scanner.fail_expecting(start, "field path")
        steps: list[f.PathStep] = []
        pos = start
        while True:
            char = scanner.char(pos)
            if char == "." and scanner.char(pos + 1) == "[" and not steps:
                step, pos = self.bracket_step(pos + 1)
            elif char == ".":
                name_end = scanner.identifier_end(pos + 1)
                if name_end is None:
                    raise scanner.fail_expecting(pos + 1, "identifier")
                step, pos = scanner.text[pos + 1 : name_end], name_end
            elif char == "[" and steps:
                step, pos = self.bracket_step(pos)
            else:
                break
            steps.append(step)
        return f.FieldPath(tuple(steps), scanner.span(start, pos)), pos

    def bracket_step(self, pos: int) -> tuple[f.PathStep, int]:
        scanner = self.scanner
        pos = scanner.skip_ws(pos + 1)
        char = scanner.char(pos)
        step: f.PathStep
        if char == "'":
            step, pos = scanner.scan_single_quoted(pos)
        elif char == '"':
            parts, pos = scanner.scan_double_quoted(pos, self._no_interpolation)
            step = "".join(part for part in parts if isinstance(part, str))
        elif scanner.starts_number(pos):
            number, pos = scanner.scan_number(pos)
            if type(number) is not int:
                raise scanner.fail_expecting(pos, "integer")
            step = number
        else:
            raise scanner.fail_expecting(pos, "string", "integer")
        pos = scanner.skip_ws(pos)
        if scanner.char(pos) != "]":
            raise scanner.fail_expecting(pos, "`]`")
        return step, pos + 1

    def _no_interpolation(self, pos: int) -> tuple[ast.Expr, int]:
        raise self.scanner.failure("Cannot interpolate values in a field path", pos, pos + 2)

    # -- migrations ----------------------------------------------------------------------------

    def migrations(self, pos: int, keyword_span: Span, body: CollectionBody) -> int:
        scanner = self.scanner
        found: list[f.Migration] = []
        if scanner.char(pos) != "{" and (
            scanner.char(pos) in "'\"" or scanner.identifier_end(pos) is not None
        ):
            name, name_end = self.name(pos, keyword_span)
            if name is not None and name.span is not None:
                self.error("Name is not allowed here", name.span)
            pos = scanner.skip_ws(name_end)
        end = self.block(pos, lambda at: self.migration(at, found))
        span = keyword_span.to(scanner.span(end - 1, end))
        if not self.first_time(body.seen, ("migrations", ""), span, "Duplicate migration block"):
            return end
        if not found and scanner.text[pos:end].strip("{} \t\r\n;") == "":
            self.error("Empty migration blocks are not allowed", span)
        body.migrations = tuple(found)
        return end

    def migration(self, start: int, found: list[f.Migration]) -> int:
        scanner = self.scanner
        word_end = scanner.identifier_end(start)
        if word_end is None:
            raise scanner.fail_expecting(start, "migration")
        word = scanner.text[start:word_end]
        kind = next((k for k in MIGRATIONS if k == word), None)
        if kind is None:
            end = self.skip_invalid(word_end)
            self.error("Expected a migration", scanner.span(start, end))
            return end
        if kind == "add_wildcard":
            found.append(f.Migration(kind, span=scanner.span(start, word_end)))
            return word_end
        path, pos = self.migration_path(scanner.skip_ws(word_end))
        targets: list[f.FieldPath] = []
        value: f.FQLExpr | None = None
        after = scanner.skip_ws(pos)
        if kind == "backfill":
            if scanner.char(after) != "=":
                raise scanner.fail_expecting(after, "`=`")
            value, pos = self.literal(scanner.skip_nl(after + 1))
        elif kind in ("split", "move"):
            if not scanner.startswith("->", after):
                raise scanner.fail_expecting(after, "`->`")
            pos = scanner.skip_nl(after + 2)
            while True:
                target, pos = self.migration_path(pos)
                targets.append(target)
                after = scanner.skip_ws(pos)
                if kind == "move" or scanner.char(after) != ",":
                    break
                pos = scanner.skip_nl(after + 1)
        span = scanner.span(start, pos)
        if kind == "split" and len(targets) < 2:
            self.error("Expected at least two fields to split into", span)
            return pos
        if kind == "split" and len(set(targets)) < len(targets):
            assert targets[0].span is not None and targets[-1].span is not None
            self.error(
                "Expected list of fields with no duplicates", targets[0].span.to(targets[-1].span)
            )
            return pos
        found.append(f.Migration(kind, path, tuple(targets), value, span))
        return pos

    def migration_path(self, pos: int) -> tuple[f.FieldPath, int]:
        path, end = self.field_path(pos)
        if any(isinstance(step, int) for step in path.steps):
            self.error("Cannot index into an item in a migration path", self.scanner.span(pos, end))
        return path, end


def _lambda_in(value: ast.Expr) -> ast.Lambda | None:
    """The lambda of a computed field: written bare or in brackets."""
    if isinstance(value, ast.Lambda):
        return value
    if isinstance(value, ast.Tuple) and len(value.elements) == 1:
        inner = value.elements[0]
        if isinstance(inner, ast.Lambda):
            return inner
    return None
