"""The declared field types of a collection, checked against document data.

A collection definition may declare ``fields`` (each a ``signature``, the FSL type text, and
an optional ``default``, FQL text) and a ``wildcard`` (the type of undeclared fields).
``document_shape(definition)`` reads them into a ``DocumentShape``; ``DocumentShape.failures``
checks a document's stored ``data`` against it and returns FaunaDB's constraint failures
(``fauna.repo.schema.ConstraintFailure``): ``Expected T, provided U``, ``Missing required
field of type T``, ``Unexpected field provided``, ``Invalid tuple arity`` and ``Union requires fields [a] or
[b]``. A reference type ``Ref<C>`` shows as ``C | NullC``; a document provided in its place
shows as ``Document``.

Rules, as FaunaDB's ``SchemaType.validate``: a collection without declared fields accepts
anything (its wildcard is implicit); once fields are declared, undeclared ones are refused
unless a wildcard types them. A field whose type accepts ``Null`` may be absent. Integers
are ``Int`` when they fit 32 bits, else ``Long``; a ``Long`` field takes either, ``Double``
takes only doubles, ``Number`` any number. The provided type of a string or boolean that
misses a literal type is the literal itself (``provided "c"``).

This module reads types and checks values; evaluating defaults and migrations is the job of
``typed_writes`` and ``migrations``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from faunalite.fql.values import INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, Date, Null, Time
from faunalite.model.writes import schema_type_name
from faunalite.schema import fsl_ast as f
from faunalite.schema.fsl_convert import parse_type
from faunalite.schema.fsl_errors import SchemaError
from faunalite.storage.interface import DocRef

Path: TypeAlias = "list[str | int]"
Failures: TypeAlias = "list[tuple[Path, str]]"

_SCALARS = frozenset(
    {"String", "Int", "Long", "Double", "Float", "Number", "Boolean", "Time", "Date", "Bytes"}
    | {"Null", "ID", "UUID"}
)
DOCUMENT_METADATA = frozenset({"id", "coll", "ts", "ttl", "data"})
"""Top-level names of a document that are not user fields: a failure on a user field of such a
name keeps the ``data`` prefix (FaunaDB's disambiguation)."""


# -- the types ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnyType:
    def display(self) -> str:
        return "Any"


@dataclass(frozen=True, slots=True)
class ScalarType:
    name: str

    def display(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class LiteralType:
    value: str | int | float | bool | None

    def display(self) -> str:
        if self.value is None:
            return "null"
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        if isinstance(self.value, str):
            return json.dumps(self.value, ensure_ascii=False)
        return repr(self.value)


@dataclass(frozen=True, slots=True)
class RefType:
    """A reference to a document of ``collection``: ``Ref<C>``, which FaunaDB spells
    ``C | NullC`` (a live document or a missing one), and shows that way."""

    collection: str

    def display(self) -> str:
        return f"{self.collection} | Null{self.collection}"


@dataclass(frozen=True, slots=True)
class ArrayType:
    element: SchemaType

    def display(self) -> str:
        return f"Array<{self.element.display()}>"


@dataclass(frozen=True, slots=True)
class TupleType:
    elements: tuple[SchemaType, ...]

    def display(self) -> str:
        return "[" + ", ".join(element.display() for element in self.elements) + "]"


@dataclass(frozen=True, slots=True)
class ObjectType:
    fields: dict[str, SchemaType] = field(hash=False)
    wildcard: SchemaType | None = None

    def display(self) -> str:
        parts = [f"{_field_name(name)}: {kind.display()}" for name, kind in self.fields.items()]
        if self.wildcard is not None:
            parts.append(f"*: {self.wildcard.display()}")
        return "{ " + ", ".join(parts) + " }" if parts else "{}"


@dataclass(frozen=True, slots=True)
class UnionType:
    members: tuple[SchemaType, ...]

    def display(self) -> str:
        return " | ".join(member.display() for member in self.members)


SchemaType: TypeAlias = (
    "AnyType | ScalarType | LiteralType | RefType | ArrayType | TupleType | ObjectType | UnionType"
)

NULL_TYPE = ScalarType("Null")


def _field_name(name: str) -> str:
    if name.isidentifier():
        return name
    return json.dumps(name, ensure_ascii=False)


def schema_type(expr: f.TypeExpr) -> SchemaType:
    """The checkable type of an FSL type expression."""
    if isinstance(expr, f.NamedType):
        if expr.name == "Any":
            return AnyType()
        if expr.name in _SCALARS:
            return ScalarType(expr.name)
        # A collection name stands for its documents and ``NullC`` for a missing one of
        # ``C``; FaunaDB stores either as a reference, so both read as ``Ref<C>``.
        name = expr.name
        if name.startswith("Null") and len(name) > 4:
            return RefType(name[4:])
        return RefType(name)
    if isinstance(expr, f.AppliedType):
        args = [schema_type(arg) for arg in expr.args]
        if expr.name == "Array" and len(args) == 1:
            return ArrayType(args[0])
        if expr.name == "Ref" and len(expr.args) == 1 and isinstance(expr.args[0], f.NamedType):
            return RefType(expr.args[0].name)
        return AnyType()
    if isinstance(expr, f.LiteralType):
        return LiteralType(expr.value)
    if isinstance(expr, f.NullableType):
        return union([schema_type(expr.base), NULL_TYPE])
    if isinstance(expr, f.UnionType):
        return union([schema_type(member) for member in expr.members])
    if isinstance(expr, f.TupleType):
        return TupleType(tuple(schema_type(element) for element in expr.elements))
    if isinstance(expr, f.ObjectType):
        wildcard = schema_type(expr.wildcard) if expr.wildcard is not None else None
        if expr.interface:
            wildcard = AnyType()
        return ObjectType({item.name: schema_type(item.type) for item in expr.fields}, wildcard)
    # Intersections and function types are not persistable; FaunaDB refuses them when the
    # collection is defined, so a write never meets one.
    return AnyType()


def union(members: list[SchemaType]) -> SchemaType:
    """``A | B`` with nested unions flattened and repeats removed."""
    flat: list[SchemaType] = []
    for member in members:
        for item in member.members if isinstance(member, UnionType) else (member,):
            if item not in flat:
                flat.append(item)
    return flat[0] if len(flat) == 1 else UnionType(tuple(flat))


def parse_signature(text: str) -> SchemaType:
    """The type of a stored ``signature`` (``Any`` for text that does not parse)."""
    try:
        return schema_type(parse_type(text))
    except SchemaError:
        return AnyType()


# -- checking values ------------------------------------------------------------------------------


def accepts_null(kind: SchemaType) -> bool:
    if isinstance(kind, AnyType):
        return True
    if isinstance(kind, UnionType):
        return any(accepts_null(member) for member in kind.members)
    return kind == NULL_TYPE or kind == LiteralType(None)


def matches(kind: SchemaType, value: Any) -> bool:
    """Whether a stored value has type ``kind`` (FaunaDB's ``isValueOfType``)."""
    return not value_failures(kind, value, [])


def value_failures(kind: SchemaType, value: Any, path: Path) -> Failures:
    """Why ``value`` (stored form; ``Null`` for absent) is not of type ``kind``."""
    if isinstance(kind, AnyType):
        return []
    if isinstance(kind, UnionType):
        return _union_failures(kind, value, path)
    if isinstance(kind, ObjectType):
        if type(value) is not dict:
            return _mismatch(kind, value, path)
        return _object_failures(kind, value, path)
    if isinstance(kind, ArrayType):
        if type(value) is not list:
            return _mismatch(kind, value, path)
        failures: Failures = []
        for position, element in enumerate(value):
            failures += value_failures(kind.element, element, [*path, position])
        return failures
    if isinstance(kind, TupleType):
        if type(value) is not list:
            return _mismatch(kind, value, path)
        if len(value) != len(kind.elements):
            return [(path, "Invalid tuple arity")]
        failures = []
        for position, (element_type, element) in enumerate(zip(kind.elements, value, strict=True)):
            failures += value_failures(element_type, element, [*path, position])
        return failures
    if isinstance(kind, RefType):
        if isinstance(value, DocRef) and value.collection == kind.collection:
            return []
        return _mismatch(kind, value, path)
    if isinstance(kind, LiteralType):
        return [] if _literal_matches(kind, value) else _mismatch(kind, value, path)
    return [] if _scalar_matches(kind.name, value) else _mismatch(kind, value, path)


def _scalar_matches(name: str, value: Any) -> bool:
    kind = type(value)
    is_integer = kind is int
    if name == "String":
        return kind is str
    if name == "Int":
        return is_integer and INT32_MIN <= value <= INT32_MAX
    if name in ("Long", "ID"):
        return is_integer and INT64_MIN <= value <= INT64_MAX
    if name in ("Double", "Float"):
        return kind is float
    if name == "Number":
        return is_integer or kind is float
    if name == "Boolean":
        return kind is bool
    if name == "Time":
        return kind is Time
    if name == "Date":
        return kind is Date
    if name == "Bytes":
        return kind is bytes
    if name == "Null":
        return isinstance(value, Null)
    return True


def _literal_matches(kind: LiteralType, value: Any) -> bool:
    expected = kind.value
    if expected is None:
        return isinstance(value, Null)
    if isinstance(expected, bool) or type(value) is bool:
        return type(value) is bool and value is expected
    if isinstance(expected, str):
        return type(value) is str and value == expected
    return type(value) in (int, float) and value == expected


def _mismatch(kind: SchemaType, value: Any, path: Path) -> Failures:
    if isinstance(value, Null):
        return [(path, f"Missing required field of type {kind.display()}")]
    return [(path, f"Expected {kind.display()}, provided {provided_type(kind, value)}")]


def provided_type(kind: SchemaType, value: Any) -> str:
    """How FaunaDB names a value that failed ``kind``: a string or boolean missing a literal
    of its own kind is shown as that literal; anything else by its type."""
    literals = [
        member.value
        for member in (kind.members if isinstance(kind, UnionType) else (kind,))
        if isinstance(member, LiteralType)
    ]
    if type(value) is str and any(isinstance(item, str) for item in literals):
        return json.dumps(value, ensure_ascii=False)
    if type(value) is bool and any(isinstance(item, bool) for item in literals):
        return "true" if value else "false"
    if isinstance(value, DocRef):
        return "Document"
    return schema_type_name(value)


def _object_failures(kind: ObjectType, value: dict[str, Any], path: Path) -> Failures:
    failures: Failures = []
    for name, item in value.items():
        declared = kind.fields.get(name)
        if declared is not None:
            failures += value_failures(declared, item, [*path, name])
        elif kind.wildcard is not None:
            failures += value_failures(kind.wildcard, item, [*path, name])
        else:
            failures.append(([*path, name], "Unexpected field provided"))
    for name, declared in kind.fields.items():
        if name not in value and not accepts_null(declared):
            failures.append(([*path, name], f"Missing required field of type {declared.display()}"))
    return failures


def _union_failures(kind: UnionType, value: Any, path: Path) -> Failures:
    if any(matches(member, value) for member in kind.members):
        return []
    records = [member for member in kind.members if isinstance(member, ObjectType)]
    if type(value) is dict and records:
        # FaunaDB's answer for an object that fits no record of the union: the fields no
        # record declares, then which fields each record would need.
        unexpected: Failures = []
        missing: list[list[str]] = []
        for record in records:
            for name in value:
                if name not in record.fields and record.wildcard is None:
                    failure = ([*path, name], "Unexpected field provided")
                    if failure not in unexpected and all(
                        name not in other.fields for other in records
                    ):
                        unexpected.append(failure)
            needed = [
                name
                for name, declared in record.fields.items()
                if name not in value and not accepts_null(declared)
            ]
            if needed:
                missing.append(needed)
        if missing and len(missing) == len(records):
            shown = ["[" + ", ".join(names) + "]" for names in missing]
            if len(shown) == 1:
                text = shown[0]
            elif len(shown) == 2:
                text = f"{shown[0]} or {shown[1]}"
            else:
                text = ", ".join(shown[:-1]) + f", or {shown[-1]}"
            return [*unexpected, (path, f"Union requires fields {text}")]
    return _mismatch(kind, value, path)


# -- a collection's shape -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeclaredField:
    name: str
    signature: str
    type: SchemaType
    default: str | None


@dataclass(frozen=True, slots=True)
class DocumentShape:
    """What a collection's documents must look like (see the module docstring)."""

    fields: dict[str, DeclaredField]
    wildcard: SchemaType | None
    wildcard_signature: str | None

    @property
    def checks_documents(self) -> bool:
        """False for a collection without declared fields nor wildcard: anything goes."""
        return bool(self.fields) or self.wildcard is not None

    @property
    def has_wildcard(self) -> bool:
        """An explicit wildcard, or the implicit one of a collection without fields."""
        return self.wildcard is not None or not self.fields

    def object_type(self) -> ObjectType:
        return ObjectType(
            {name: declared.type for name, declared in self.fields.items()},
            self.wildcard if self.fields or self.wildcard is not None else AnyType(),
        )

    def failures(self, data: dict[str, Any]) -> Failures:
        """FaunaDB's constraint failures of a document's stored ``data``, with the paths it
        reports (user paths; ``data.`` kept before a name that is also document metadata)."""
        if not self.checks_documents:
            return []
        return [
            (["data", *path] if path and path[0] in DOCUMENT_METADATA else path, message)
            for path, message in _object_failures(self.object_type(), data, [])
        ]


def document_shape(definition: dict[str, Any]) -> DocumentShape:
    """The shape a stored collection definition declares."""
    fields: dict[str, DeclaredField] = {}
    declared = definition.get("fields")
    if isinstance(declared, dict):
        for name, spec in declared.items():
            if not isinstance(spec, dict) or not isinstance(spec.get("signature"), str):
                continue
            default = spec.get("default")
            signature = spec["signature"]
            fields[name] = DeclaredField(
                name,
                signature,
                parse_signature(signature),
                default if isinstance(default, str) else None,
            )
    wildcard_text = definition.get("wildcard")
    wildcard = parse_signature(wildcard_text) if isinstance(wildcard_text, str) else None
    return DocumentShape(
        fields, wildcard, wildcard_text if isinstance(wildcard_text, str) else None
    )


# -- the definition -------------------------------------------------------------------------------


SIGNATURE_FAILURE = "Failed parsing user-provided signature."


def _signature_failures(path: Path, text: str, source_name: str) -> Failures:
    try:
        parse_type(text, source_name)
    except SchemaError as error:
        rendered = "\n".join("  " + line if line else line for line in error.message.split("\n"))
        return [(path, f"{SIGNATURE_FAILURE}\n{rendered}")]
    return []


def definition_failures(definition: dict[str, Any]) -> Failures:
    """Why a collection definition's ``fields`` and ``wildcard`` are malformed: each field
    is ``{ signature: String, default: String | Null }`` whose signature parses."""
    failures: Failures = []
    declared = definition.get("fields")
    if isinstance(declared, dict):
        for name, spec in declared.items():
            path: Path = ["fields", name]
            if type(spec) is not dict:
                shown = schema_type_name(spec)
                expected = "{ signature: String, default: String | Null }"
                failures.append((path, f"Expected {expected}, provided {shown}"))
                continue
            failures += [
                ([*path, key], "Unexpected field provided")
                for key in spec
                if key not in ("signature", "default")
            ]
            signature = spec.get("signature")
            if signature is None or isinstance(signature, Null):
                failures.append(([*path, "signature"], "Missing required field of type String"))
            elif type(signature) is not str:
                shown = schema_type_name(signature)
                failures.append(([*path, "signature"], f"Expected String, provided {shown}"))
            else:
                failures += _signature_failures([*path, "signature"], signature, "*signature*")
            default = spec.get("default")
            if default is not None and not isinstance(default, Null) and type(default) is not str:
                shown = schema_type_name(default)
                failures.append(([*path, "default"], f"Expected String | Null, provided {shown}"))
    wildcard = definition.get("wildcard")
    if type(wildcard) is str:
        failures += _signature_failures(["wildcard"], wildcard, "*wildcard*")
    return failures
