"""What a collection definition declares about its documents: indexes, constraints, computed
fields. Validation of those parts of ``Collection.create``/``update``, their stored (echoed)
form, and their parsed form the write and read paths use.

* ``schema_failures(stored)``: the constraint failures of a definition's ``indexes``,
  ``constraints`` and ``computed_fields`` (field paths, ``mva``, ``order``, check and computed
  bodies that must be one-argument lambdas, check names that are identifiers) and, once those
  hold, what FaunaDB's collection write hook refuses (check names used twice, unique
  constraints without fields or on the same paths).
* ``normalized_definition(stored)``: the definition as FaunaDB echoes it: each index gains
  ``queryable`` (default true) and its build ``status``, each value its ``order``, each unique
  constraint its ``status``.
* ``parse_schema(stored)`` → ``CollectionSchema``; ``IndexDef.entries`` computes the index
  entries of one document version, which is all index maintenance needs.

A unique constraint is kept as a hidden index (``#unique:`` + its fields) whose terms are the
unique fields; its name depends only on the fields, so reordering constraints keeps it.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from faunalite.fql import ast
from faunalite.fql.errors import QueryCheckError
from faunalite.fql.parser import parse_function_body
from faunalite.fql.values import NULL, Null, type_name
from faunalite.model.field_paths import FieldPath, parse_field_path, read_path
from faunalite.model.hash_order import hash_set_order
from faunalite.storage.interface import DocKey, IndexEntry
from faunalite.storage.keys import tuple_key

Failures = list[tuple[list[Any], str]]

INDEX_STATUS_BUILT = "complete"
"""FaunaDB's ``status`` of an index whose build finished (faunalite builds synchronously)."""
UNIQUE_STATUS_ACTIVE = "active"
UNIQUE_INDEX_PREFIX = "#unique:"

_VALID_IDENTIFIER = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_INVALID_IDENTIFIERS = frozenset(
    {"if", "else", "at", "match", "case", "let", "null", "true", "false", "isa", "join", "on"}
    | {"of"}
)
"""Keywords that are not identifiers (``Tokens.invalidIdents``)."""

TERM_FORBIDDEN = frozenset({"id", "coll", "ts"})
VALUE_FORBIDDEN = frozenset({"coll"})

_TERM_TYPE = "Array<{ field: String, mva: Boolean | Null }> | Null"
_VALUE_TYPE = 'Array<{ field: String, mva: Boolean | Null, order: "asc" | "desc" | Null }> | Null'
_UNIQUE_TYPE = "Array<String> | Array<{ field: String, mva: Boolean | Null }>"


# -- parsed form ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndexedField:
    """One term or value of an index: where it reads, whether arrays fan out, its order."""

    path: FieldPath
    mva: bool = False
    descending: bool = False


@dataclass(frozen=True, slots=True)
class IndexDef:
    """An index as maintained in storage (user index or the hidden index of a unique
    constraint). ``name`` is the user's name; ``storage_name`` the storage index."""

    name: str
    storage_name: str
    terms: tuple[IndexedField, ...]
    values: tuple[IndexedField, ...] = ()
    queryable: bool = True

    @property
    def descending(self) -> tuple[bool, ...]:
        return tuple(value.descending for value in self.values)

    @property
    def shape(self) -> tuple[Any, ...]:
        """What the stored entries depend on: a change of shape means a rebuild."""
        return (self.terms, self.values)

    def entries(self, key: DocKey, stored: Any, ts_micros: int) -> list[IndexEntry]:
        """The document's entries: one per combination of ``mva`` elements; none when a term
        is missing (FaunaDB does not index a document lacking a term)."""
        term_choices = [
            _choices(key, stored, ts_micros, term, skip_null=True) for term in self.terms
        ]
        if any(not choices for choices in term_choices):
            return []
        value_choices = [
            _choices(key, stored, ts_micros, value, skip_null=False) for value in self.values
        ]
        descending = self.descending
        seen: set[bytes] = set()
        entries: list[IndexEntry] = []
        for terms in itertools.product(*term_choices):
            for values in itertools.product(*value_choices):
                identity = tuple_key(terms) + b"\x00" + tuple_key(values)
                if identity not in seen:
                    seen.add(identity)
                    entries.append(IndexEntry(tuple(terms), tuple(values), descending))
        return entries


def _choices(
    key: DocKey, stored: Any, ts_micros: int, indexed: IndexedField, *, skip_null: bool
) -> list[Any]:
    value = read_path(key, stored, ts_micros, indexed.path)
    if indexed.mva and type(value) is list:
        elements = list(value)
        if not skip_null and not elements:
            return [NULL]
    else:
        elements = [value]
    if skip_null:
        return [element for element in elements if not isinstance(element, Null)]
    return elements


@dataclass(frozen=True, slots=True)
class CheckDef:
    name: str
    body: str


@dataclass(slots=True)
class CollectionSchema:
    """The parsed declarations of one collection definition."""

    indexes: dict[str, IndexDef] = field(default_factory=dict)
    uniques: list[tuple[IndexDef, list[list[Any]]]] = field(default_factory=list)
    """Each unique constraint's hidden index and the paths its failures report."""
    checks: list[CheckDef] = field(default_factory=list)
    computed: dict[str, str] = field(default_factory=dict)
    """Computed field name → body."""

    def storage_indexes(self) -> Iterator[IndexDef]:
        """Every index whose entries storage keeps (user indexes, then unique ones)."""
        yield from self.indexes.values()
        for index, _ in self.uniques:
            yield index

    @property
    def is_empty(self) -> bool:
        return not (self.indexes or self.uniques or self.checks or self.computed)


def _field_spec(entry: Any) -> tuple[str, bool, bool]:
    """(path text, mva, descending) of a term/value/unique entry already validated."""
    if isinstance(entry, str):
        return entry, False, False
    return str(entry["field"]), entry.get("mva") is True, entry.get("order") == "desc"


def _indexed(entry: Any) -> IndexedField:
    text, mva, descending = _field_spec(entry)
    path = parse_field_path(text)
    assert path is not None
    return IndexedField(path, mva, descending)


def unique_index(fields: list[Any]) -> tuple[IndexDef, list[list[Any]]]:
    """The hidden index of a unique constraint and the paths its failures report."""
    indexed = tuple(_indexed(entry) for entry in fields)
    signature = json.dumps([[list(f.path), f.mva] for f in indexed], separators=(",", ":"))
    index = IndexDef("", UNIQUE_INDEX_PREFIX + signature, indexed)
    return index, [list(f.path) for f in indexed]


def parse_schema(stored: dict[str, Any]) -> CollectionSchema:
    """The declarations of a stored (validated) collection definition."""
    schema = CollectionSchema()
    indexes = stored.get("indexes")
    if isinstance(indexes, dict):
        for name, definition in indexes.items():
            schema.indexes[name] = IndexDef(
                name,
                name,
                tuple(_indexed(term) for term in definition.get("terms") or []),
                tuple(_indexed(value) for value in definition.get("values") or []),
                definition.get("queryable") is not False,
            )
    for constraint in stored.get("constraints") or []:
        if "unique" in constraint:
            schema.uniques.append(unique_index(list(constraint["unique"])))
        elif "check" in constraint:
            check = constraint["check"]
            schema.checks.append(CheckDef(str(check["name"]), str(check["body"])))
    computed = stored.get("computed_fields")
    if isinstance(computed, dict):
        schema.computed = {name: str(spec["body"]) for name, spec in computed.items()}
    return schema


# -- the echoed definition -----------------------------------------------------------------------


def normalized_definition(stored: dict[str, Any]) -> dict[str, Any]:
    """``stored`` with the server-maintained parts FaunaDB shows (see the module docstring)."""
    result = dict(stored)
    indexes = stored.get("indexes")
    if isinstance(indexes, dict):
        result["indexes"] = {name: _normalized_index(spec) for name, spec in indexes.items()}
    constraints = stored.get("constraints")
    if isinstance(constraints, list):
        result["constraints"] = [_normalized_constraint(item) for item in constraints]
    return result


def _normalized_index(spec: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if "terms" in spec:
        result["terms"] = spec["terms"]
    if "values" in spec:
        result["values"] = [
            value if "order" in value else {**value, "order": "asc"} for value in spec["values"]
        ]
    result["queryable"] = spec.get("queryable", True)
    result["status"] = INDEX_STATUS_BUILT
    return result


def _normalized_constraint(item: dict[str, Any]) -> dict[str, Any]:
    if "unique" in item:
        return {"unique": item["unique"], "status": UNIQUE_STATUS_ACTIVE}
    return item


# -- validation ---------------------------------------------------------------------------------


def schema_failures(stored: dict[str, Any]) -> Failures:
    """Why a definition's ``indexes``/``constraints``/``computed_fields`` are invalid."""
    failures: Failures = []
    indexes = stored.get("indexes")
    if isinstance(indexes, dict):
        for name, spec in indexes.items():
            failures += _index_failures(["indexes", name], spec)
    constraints = stored.get("constraints")
    if isinstance(constraints, list):
        failures += _constraint_failures(constraints)
    computed = stored.get("computed_fields")
    if isinstance(computed, dict):
        for name, spec in computed.items():
            failures += _computed_failures(["computed_fields", name], spec)
    if not failures and isinstance(constraints, list):
        failures += _redundant_constraint_failures(constraints)
    return failures


def _redundant_constraint_failures(constraints: list[Any]) -> Failures:
    """What FaunaDB's collection write hook refuses once the definition is well formed
    (``CollectionSchemaHooks.validateCollection``): check names used twice, unique
    constraints without fields or on the same paths as another. Duplicate names come in the
    order of the Scala hash map FaunaDB groups them in."""
    failures: Failures = []
    names = [item["check"]["name"] for item in constraints if "check" in item]
    for name in hash_set_order(names):
        if names.count(name) > 1:
            failures.append((["constraints"], f"Duplicate check constraint name '{name}'"))
    groups: dict[tuple[FieldPath, ...], int] = {}
    for item in constraints:
        if "unique" in item:
            paths = tuple(_unique_path(field) for field in item["unique"])
            groups[paths] = groups.get(paths, 0) + 1
    if () in groups:
        failures.append((["constraints"], "Unique constraints must have at least one term"))
    for paths, count in groups.items():
        if count > 1:
            shown = ", ".join(display_field_path(path) for path in paths)
            failures.append((["constraints"], f"Duplicate unique constraint on path [{shown}]"))
    return failures


def _unique_path(field: Any) -> FieldPath:
    text = field if type(field) is str else field["field"]
    steps = parse_field_path(text)
    assert steps is not None
    return steps


def display_field_path(path: FieldPath) -> str:
    """A field path as FaunaDB prints it in messages: ``.foo.bar``, ``.a[0]``."""
    shown = []
    for position, step in enumerate(path):
        if isinstance(step, int):
            shown.append(f"[{step}]")
        elif _VALID_IDENTIFIER.fullmatch(step):
            shown.append(f".{step}")
        else:
            quoted = json.dumps(step, ensure_ascii=False)
            shown.append(f".[{quoted}]" if position == 0 else f"[{quoted}]")
    return "".join(shown)


def is_valid_identifier(name: str) -> bool:
    """FaunaDB's ``Tokens.isValidIdent``: an identifier that is not a keyword."""
    return _VALID_IDENTIFIER.fullmatch(name) is not None and name not in _INVALID_IDENTIFIERS


def _unexpected(path: list[Any], spec: dict[str, Any], allowed: tuple[str, ...]) -> Failures:
    return [([*path, name], "Unexpected field provided") for name in spec if name not in allowed]


def _expected(path: list[Any], expected: str, value: Any) -> Failures:
    return [(path, f"Expected {expected}, provided {type_name(value)}")]


def _index_failures(path: list[Any], spec: Any) -> Failures:
    if type(spec) is not dict:
        return _expected(path, "{ terms: ..., values: ..., queryable: Boolean | Null }", spec)
    failures = _unexpected(path, spec, ("terms", "values", "queryable", "status"))
    queryable = spec.get("queryable")
    if queryable is not None and type(queryable) is not bool:
        failures += _expected([*path, "queryable"], "Boolean | Null", queryable)
    for part, forbidden, expected in (
        ("terms", TERM_FORBIDDEN, _TERM_TYPE),
        ("values", VALUE_FORBIDDEN, _VALUE_TYPE),
    ):
        items = spec.get(part)
        if items is None:
            continue
        if type(items) is not list:
            failures += _expected([*path, part], expected, items)
            continue
        for position, item in enumerate(items):
            failures += _field_failures(
                [*path, part, position], item, forbidden, ordered=part == "values"
            )
    if not failures and not spec.get("terms") and not spec.get("values"):
        failures.append((path, "Index must have at least one term or value."))
    return failures


def _field_failures(
    path: list[Any], item: Any, forbidden: frozenset[str], *, ordered: bool
) -> Failures:
    allowed = ("field", "mva", "order") if ordered else ("field", "mva")
    if type(item) is not dict:
        return _expected(path, "{ field: String, mva: Boolean | Null }", item)
    failures = _unexpected(path, item, allowed)
    text = item.get("field")
    if text is None:
        failures.append(([*path, "field"], "Missing required field of type String"))
    elif type(text) is not str:
        failures += _expected([*path, "field"], "String", text)
    else:
        failures += _path_failures([*path, "field"], text, forbidden)
    mva = item.get("mva")
    if mva is not None and type(mva) is not bool:
        failures += _expected([*path, "mva"], "Boolean | Null", mva)
    order = item.get("order")
    if ordered and order is not None and order not in ("asc", "desc"):
        failures += _expected([*path, "order"], '"asc" | "desc" | Null', order)
    return failures


def _path_failures(path: list[Any], text: str, forbidden: frozenset[str]) -> Failures:
    steps = parse_field_path(text)
    if steps is None:
        return [(path, f"Invalid field path `{text}`.")]
    if steps[0] in forbidden:
        return [(path, f"Cannot index the `{steps[0]}` field.")]
    return []


def _constraint_failures(constraints: list[Any]) -> Failures:
    failures: Failures = []
    for position, item in enumerate(constraints):
        path: list[Any] = ["constraints", position]
        if type(item) is not dict or not ({"unique", "check"} & set(item)):
            failures += _expected(
                path, "{ unique: Array<String> } | { check: { name: String, body: String } }", item
            )
            continue
        if "unique" in item:
            failures += _unexpected(path, item, ("unique", "status"))
            failures += _unique_failures([*path, "unique"], item["unique"])
            continue
        failures += _unexpected(path, item, ("check",))
        check = item["check"]
        if type(check) is not dict:
            failures += _expected([*path, "check"], "{ name: String, body: String }", check)
            continue
        failures += _unexpected([*path, "check"], check, ("name", "body"))
        name = check.get("name")
        if type(name) is not str:
            failures += _required_string([*path, "check", "name"], name)
        elif not is_valid_identifier(name):
            failures.append(([*path, "check", "name"], "Invalid identifier."))
        failures += _body_failures([*path, "check", "body"], check.get("body"))
    return failures


def _unique_failures(path: list[Any], fields: Any) -> Failures:
    if type(fields) is not list:
        return _expected(path, _UNIQUE_TYPE, fields)
    failures: Failures = []
    for position, item in enumerate(fields):
        if type(item) is str:
            failures += _path_failures([*path, position], item, TERM_FORBIDDEN)
        else:
            failures += _field_failures([*path, position], item, TERM_FORBIDDEN, ordered=False)
    return failures


def _computed_failures(path: list[Any], spec: Any) -> Failures:
    if type(spec) is not dict:
        return _expected(path, "{ body: String, signature: String | Null }", spec)
    failures = _unexpected(path, spec, ("body", "signature"))
    signature = spec.get("signature")
    if signature is not None and type(signature) is not str:
        failures += _expected([*path, "signature"], "String | Null", signature)
    return failures + _body_failures([*path, "body"], spec.get("body"))


def _required_string(path: list[Any], value: Any) -> Failures:
    if value is None:
        return [(path, "Missing required field of type String")]
    return _expected(path, "String", value)


def _body_failures(path: list[Any], body: Any) -> Failures:
    """A check or computed body: FQL text of a lambda taking exactly one argument."""
    if type(body) is not str:
        return _required_string(path, body)
    try:
        parsed = parse_one_argument_lambda(body)
    except QueryCheckError as error:
        from faunalite.fql.diagnostics import render_error

        rendered = "\n".join(
            "  " + line if line else line for line in render_error(error).split("\n")
        )
        return [(path, "Unable to parse FQL source code.\n" + rendered)]
    if parsed is None:
        # FaunaDB's lambda validator counts the named parameters only.
        count = len(parse_function_body(body, "*body*").params)
        message = "Invalid function arity. Expected exactly 1 argument, but the function was"
        return [(path, f"{message} defined with {count} arguments")]
    return []


def parse_one_argument_lambda(body: str, source_name: str = "*body*") -> ast.Lambda | None:
    """The lambda of a check or computed body; ``None`` if it does not take exactly one
    argument. Raises ``QueryCheckError`` when ``body`` is not a lambda."""
    parsed = parse_function_body(body, source_name)
    if parsed.variadic is not None or len(parsed.params) != 1:
        return None
    return parsed
