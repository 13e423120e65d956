"""The ``Object`` module (static helpers over objects and documents) and ``Struct`` (``isa``).

Plain objects have no methods of their own (``obj.x`` always reads the key ``x``), so every
object operation is a static function here. Documents are accepted where FaunaDB accepts
them: a storage value that implements ``fql_fields() -> dict`` (its fields, in order) and
raises ``QueryError`` itself when the document does not exist.
"""

from __future__ import annotations

from faunalite.fql.display import display
from faunalite.fql.errors import QueryError
from faunalite.fql.stdlib.args import expect_array, invalid_argument, wrong_type
from faunalite.fql.stdlib.registry import CallContext, module
from faunalite.fql.values import Module, Null, StorageValue, Value, type_name

OBJECT = module("Object")
module("Struct")

NO_VALUE_AT_PATH = "no value in object found at path"


def fields_of(value: Value, param: str) -> dict[str, Value]:
    """The fields of an object or document argument named ``param``."""
    if type(value) is dict:
        return value
    if isinstance(value, StorageValue):
        reader = getattr(value, "fql_fields", None)
        if reader is not None:
            try:
                fields: dict[str, Value] = reader()
            except QueryError as missing:
                if missing.code != "document_not_found":
                    raise
                # FaunaDB reports a missing document argument as a bad argument, reusing
                # the not-found text uncapitalised: "... `object`: collection `X` does not..."
                text = missing.message
                raise invalid_argument(param, text[:1].lower() + text[1:]) from None
            return fields
    raise wrong_type(param, "{ *: Any }", value)


@OBJECT.method("keys", 1, signature="(object: Any) => Array<String>")
def keys(ctx: CallContext, _: Module, obj: Value) -> list[Value]:
    return list(fields_of(obj, "object"))


@OBJECT.method("values", 1, signature="<A> (object: { *: A }) => Array<A>")
def values(ctx: CallContext, _: Module, obj: Value) -> list[Value]:
    return list(fields_of(obj, "object").values())


@OBJECT.method("entries", 1, signature="<A> (object: { *: A }) => Array<[String, A]>")
def entries(ctx: CallContext, _: Module, obj: Value) -> list[Value]:
    return [[key, value] for key, value in fields_of(obj, "object").items()]


@OBJECT.method("fromEntries", 1, signature="<A> (entries: Array<[String, A]>) => { *: A }")
def from_entries(ctx: CallContext, _: Module, pairs: Value) -> dict[str, Value]:
    result: dict[str, Value] = {}
    for index, pair in enumerate(expect_array(pairs, "entries")):
        if type(pair) is not list:
            raise invalid_argument(
                "entries",
                "expected an array for each element of the outer array, "
                f"but saw type {type_name(pair)} at index {index}",
            )
        if len(pair) != 2:
            raise invalid_argument(
                "entries",
                f"expected inner array of length 2 but saw length {len(pair)} at index {index}",
            )
        key = pair[0]
        if type(key) is not str:
            raise invalid_argument(
                "entries",
                "expected a string for the first element of each inner array, "
                f"but saw type {type_name(key)} at index {index}",
            )
        # Later duplicates win, but the key keeps its first position, as in an ordered map.
        result[key] = pair[1]
    return result


@OBJECT.method(
    "assign", 2, signature="<A, B> (destination: { *: A }, source: { *: B }) => { *: A | B }"
)
def assign(ctx: CallContext, _: Module, destination: Value, source: Value) -> dict[str, Value]:
    merged = dict(fields_of(destination, "destination"))
    merged.update(fields_of(source, "source"))
    return merged


def _select(obj: Value, path: Value) -> tuple[bool, Value]:
    """Follow ``path`` from ``obj``: (found, value)."""
    if type(obj) is not dict:
        raise wrong_type("object", "{ *: Any }", obj)
    steps = expect_array(path, "path")
    current: Value = obj
    for step in steps:
        if type(step) is not str:
            raise QueryError(
                "invalid_argument", "invalid argument `path`: expected an array of strings"
            )
        if type(current) is not dict or step not in current:
            return False, None
        current = current[step]
    return True, current


@OBJECT.method("select", 2, signature="(object: { *: Any }, path: Array<String>) => Any")
def select(ctx: CallContext, _: Module, obj: Value, path: Value) -> Value:
    found, value = _select(obj, path)
    return value if found else Null(NO_VALUE_AT_PATH)


@OBJECT.method("hasPath", 2, signature="(object: { *: Any }, path: Array<String>) => Boolean")
def has_path(ctx: CallContext, _: Module, obj: Value, path: Value) -> bool:
    return _select(obj, path)[0]


@OBJECT.method("toString", 1, signature="(object: Any) => String")
def to_string(ctx: CallContext, _: Module, obj: Value) -> str:
    return display(obj)
