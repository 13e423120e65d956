"""Two views of one collection: its FSL declaration and its FQL definition document.

``collection_definition(collection)`` is the document FaunaDB stores for an FSL
``collection`` (what ``Collection.create({...})`` would take: ``name``, ``alias``,
``fields``, ``computed_fields``, ``wildcard``, ``indexes``, ``constraints``, ``migrations``,
``history_days``, ``ttl_days``, ``document_ttls``), following FaunaDB's ``SchemaToStruct``:
paths are written ``.a.b``, index values carry their ``order`` and every entry its ``mva``,
``history_days`` is always set, the parts with nothing in them are left out.

``collection_from_definition(document)`` is the inverse (FaunaDB's ``SchemaTranslator``):
a collection made with FQL, as FSL. Server-maintained parts of a read definition (``coll``,
``ts``, an index's ``status`` and ``queryable``) are ignored; ``history_days 0`` (the
default) is not declared.

This module converts; it does not validate a definition (the model does) or store one.
Field paths are read with FQL's string escapes, as FaunaDB reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from faunalite.fql.errors import CheckDiagnostic, QueryCheckError
from faunalite.fql.lexer import ParseFailure
from faunalite.fql.parser import EmbeddedExpressions, parse_function_body
from faunalite.fql.span import Source, Span
from faunalite.schema import fsl_ast as f
from faunalite.schema.fsl_errors import SchemaError
from faunalite.schema.fsl_members import MIGRATIONS, MemberParsers
from faunalite.schema.fsl_printer import lambda_source, path_text, type_text
from faunalite.schema.fsl_types import TypeParser, expression_of

# -- FSL → definition ----------------------------------------------------------------------------


def collection_definition(collection: f.Collection) -> dict[str, Any]:
    """The FQL definition document of an FSL collection."""
    document: dict[str, Any] = {"name": collection.name.text}
    if collection.alias is not None:
        document["alias"] = collection.alias.text
    document["history_days"] = collection.history_days or 0
    if collection.ttl_days is not None:
        document["ttl_days"] = collection.ttl_days
    fields: dict[str, Any] = {}
    computed: dict[str, Any] = {}
    for item in collection.fields:
        if isinstance(item, f.DefinedField):
            spec = {"signature": type_text(item.type)}
            if item.default is not None:
                spec["default"] = item.default.text
            fields[item.name.text] = spec
        elif isinstance(item, f.ComputedField):
            spec = {"body": lambda_source(item.body)}
            if item.type is not None:
                spec["signature"] = type_text(item.type)
            computed[item.name.text] = spec
        else:
            document["wildcard"] = type_text(item.type)
    if collection.document_ttls is not None:
        document["document_ttls"] = collection.document_ttls
    document["indexes"] = {index.name.text: _index(index) for index in collection.indexes}
    constraints: list[dict[str, Any]] = [
        {"unique": [_term(term) for term in unique.terms]} for unique in collection.uniques
    ]
    constraints += [
        {"check": {"name": check.name.text, "body": lambda_source(check.predicate)}}
        for check in collection.checks
    ]
    document["constraints"] = constraints
    if computed:
        document["computed_fields"] = computed
    if fields:
        document["fields"] = fields
    if collection.migrations:
        document["migrations"] = [_migration(m) for m in collection.migrations]
    return document


def _index(index: f.Index) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if index.terms:
        spec["terms"] = [_term(term) for term in index.terms]
    if index.values:
        spec["values"] = [
            {
                "field": path_text(value.path),
                "order": "asc" if value.ascending else "desc",
                "mva": value.mva,
            }
            for value in index.values
        ]
    return spec


def _term(term: f.IndexTerm) -> dict[str, Any]:
    return {"field": path_text(term.path), "mva": term.mva}


def _migration(migration: f.Migration) -> dict[str, Any]:
    if migration.path is None:
        return {"add_wildcard": {}}
    path = path_text(migration.path)
    if migration.kind in ("move_conflicts", "move_wildcard"):
        return {migration.kind: {"into": path}}
    spec: dict[str, Any] = {"field": path}
    if migration.kind == "backfill" and migration.value is not None:
        spec["value"] = migration.value.text
    elif migration.kind == "split":
        spec["to"] = [path_text(target) for target in migration.targets]
    elif migration.kind == "move":
        spec["to"] = path_text(migration.targets[0])
    return {migration.kind: spec}


# -- definition → FSL ----------------------------------------------------------------------------


def collection_from_definition(document: Mapping[str, Any]) -> f.Collection:
    """The FSL declaration of a collection definition (as stored or as read back).

    Raises ``SchemaError`` if a stored type, expression or path does not parse.
    """
    name = str(document["name"])
    alias = document.get("alias")
    fields: list[f.Field] = []
    for field_name, spec in (document.get("fields") or {}).items():
        source = f"*field:{name}:{field_name}*"
        default = spec.get("default")
        fields.append(
            f.DefinedField(
                f.Name(field_name),
                parse_type(str(spec["signature"]), source),
                None if default is None else parse_expression(str(default), source),
            )
        )
    for field_name, spec in (document.get("computed_fields") or {}).items():
        source = f"*computed_field:{name}:{field_name}*"
        signature = spec.get("signature")
        fields.append(
            f.ComputedField(
                f.Name(field_name),
                None if signature is None else parse_type(str(signature), source),
                parse_lambda(str(spec["body"]), source),
            )
        )
    if document.get("wildcard") is not None:
        fields.append(f.WildcardField(parse_type(str(document["wildcard"]), "*wildcard*")))
    uniques: list[f.Unique] = []
    checks: list[f.Check] = []
    for constraint in document.get("constraints") or []:
        if "unique" in constraint:
            uniques.append(f.Unique(tuple(_term_of(entry) for entry in constraint["unique"])))
        elif "check" in constraint:
            check = constraint["check"]
            body = parse_lambda(str(check["body"]), f"*check:{check['name']}*")
            checks.append(f.Check(f.Name(str(check["name"])), body))
    history_days = document.get("history_days")
    return f.Collection(
        f.Name(name),
        None if alias is None else f.Name(str(alias)),
        tuple(fields),
        tuple(_index_of(n, spec) for n, spec in (document.get("indexes") or {}).items()),
        tuple(uniques),
        tuple(checks),
        None if not history_days else int(history_days),
        None if document.get("ttl_days") is None else int(document["ttl_days"]),
        document.get("document_ttls"),
        tuple(_migration_of(m) for m in document["migrations"])
        if document.get("migrations")
        else None,
    )


def _index_of(name: str, spec: Mapping[str, Any]) -> f.Index:
    terms = [_term_of(entry) for entry in spec.get("terms") or []]
    values = [
        f.IndexValue(
            _path_of(entry if isinstance(entry, str) else entry["field"]),
            not isinstance(entry, str) and entry.get("mva") is True,
            isinstance(entry, str) or entry.get("order") != "desc",
        )
        for entry in spec.get("values") or []
    ]
    return f.Index(f.Name(name), tuple(terms) or None, tuple(values) or None)


def _term_of(entry: Any) -> f.IndexTerm:
    if isinstance(entry, str):
        return f.IndexTerm(_path_of(entry))
    return f.IndexTerm(_path_of(entry["field"]), entry.get("mva") is True)


def _path_of(text: str) -> f.FieldPath:
    """A stored field path (``name``, ``.a.b``, ``.["a b"][0]``), read with FQL's string
    escapes."""
    text = str(text)
    source = text if text.startswith(".") else "." + text
    reader = MemberParsers()
    reader.expressions = EmbeddedExpressions(Source("*path*", source))
    reader.scanner = reader.expressions.scanner
    reader.errors = []
    try:
        path, end = reader.field_path(0)
        if end < len(source) or not path.steps:
            raise reader.scanner.fail_expecting(end, "end-of-input")
    except ParseFailure:
        raise SchemaError([_diagnostic(f"Invalid field path `{text}`", "*path*", text)]) from None
    return f.FieldPath(path.steps)


def _migration_of(entry: Mapping[str, Any]) -> f.Migration:
    ((name, spec),) = entry.items()
    kind = next((known for known in MIGRATIONS if known == name), None)
    if kind is None:
        raise SchemaError([_diagnostic(f"Invalid migration `{name}`", "*migrations*", name)])
    if kind == "add_wildcard":
        return f.Migration(kind)
    if kind in ("move_conflicts", "move_wildcard"):
        return f.Migration(kind, _path_of(spec["into"]))
    path = _path_of(spec["field"])
    if kind == "backfill":
        return f.Migration(kind, path, value=parse_expression(str(spec["value"]), "*value*"))
    if kind == "split":
        return f.Migration(kind, path, tuple(_path_of(target) for target in spec["to"]))
    if kind == "move":
        return f.Migration(kind, path, (_path_of(spec["to"]),))
    return f.Migration(kind, path)


# -- stored text → FSL pieces ---------------------------------------------------------------------


def parse_type(text: str, source_name: str = "*signature*") -> f.TypeExpr:
    """A type from its text (a stored ``signature``, ``wildcard``)."""
    expressions = EmbeddedExpressions(Source(source_name, text))
    scanner = expressions.scanner
    try:
        type_expr, end = TypeParser(expressions).type_expr(scanner.skip_nl(0), allow_defaults=True)
        end = scanner.skip_nl(end)
        if end < scanner.length:
            raise scanner.fail_expecting(end, "end-of-input")
    except ParseFailure as failure:
        raise SchemaError([failure.diagnostic]) from None
    except QueryCheckError as error:
        raise SchemaError(error.diagnostics) from None
    return type_expr


def parse_expression(text: str, source_name: str = "*value*") -> f.FQLExpr:
    """An FQL expression from its text (a stored default or backfill value)."""
    expressions = EmbeddedExpressions(Source(source_name, text))
    scanner = expressions.scanner
    try:
        node, end = expressions.expression(scanner.skip_nl(0), short_lambda_ok=False)
        end = scanner.skip_nl(end)
        if end < scanner.length:
            raise scanner.fail_expecting(end, "end-of-input")
    except ParseFailure as failure:
        raise SchemaError([failure.diagnostic]) from None
    except QueryCheckError as error:
        raise SchemaError(error.diagnostics) from None
    return expression_of(node)


def parse_lambda(text: str, source_name: str = "*body*") -> f.FQLExpr:
    """A stored lambda (``doc => ...``, or ``(.a > 0)``) as the lambda FSL shows."""
    try:
        return expression_of(parse_function_body(text, source_name))
    except QueryCheckError as error:
        raise SchemaError(error.diagnostics) from None


def _diagnostic(message: str, source_name: str, text: str) -> CheckDiagnostic:
    source = Source(source_name, text)
    return CheckDiagnostic(message, Span(0, len(text), source))
