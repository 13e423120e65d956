"""Declared field types enforced on every document write; defaults filled on create.

A ``BEFORE_WRITE`` hook, first in line (index entries must see the defaults): a ``create``,
``update``, ``replace`` or their ``*Data`` variants of a document in a collection that declares
``fields`` or a ``wildcard`` is checked against that shape (``field_types``). On create, each
declared field the document lacks and that has a ``default`` gets the value of the default's
FQL, evaluated in the running query. A document that does not fit fails with FaunaDB's
``constraint_failure`` (``Failed to create document in collection `C`.`` or ``Failed to update
document with id N in collection `C`.``) and one ``constraint_failures`` item per problem.

Documents rewritten by a migration (action ``migrate``) are checked by ``migrations`` instead.
"""

from __future__ import annotations

from typing import Any

from faunalite.fql.diagnostics import render_error
from faunalite.fql.errors import QueryError
from faunalite.fql.values import Lambda, Null
from faunalite.model.constraints import call_stored
from faunalite.model.field_types import DocumentShape, Failures, document_shape
from faunalite.model.indexes import write_failure_message
from faunalite.model.session import COLLECTION, QuerySession, is_user_collection
from faunalite.model.writes import BEFORE_WRITE, DocumentWrite, constraint_failure, to_stored
from faunalite.schema.fsl_convert import parse_expression
from faunalite.schema.fsl_errors import SchemaError

CHECKED_ACTIONS = frozenset({"create", "update", "replace", "updatedata", "replacedata"})
DEFAULT_FAILURE = "Default field evaluation failed."
_SHAPES_KEY = "document_shapes"
_EXPRESSIONS_KEY = "field_expressions"


def collection_shape(session: QuerySession, collection: str) -> DocumentShape | None:
    """The shape ``collection`` declares now (memoised per definition version)."""
    found = session.get(COLLECTION, collection)
    if found is None or not isinstance(found.data, dict):
        return None
    cache: dict[tuple[str, int], DocumentShape] = session.cache.setdefault(_SHAPES_KEY, {})
    version = (collection, found.ts)
    shape = cache.get(version)
    if shape is None or found.ts >= session.txn_ts:
        # This query's own version of a definition may still change: parse it again.
        shape = document_shape(found.data)
        cache[version] = shape
    return shape


def evaluate_expression(session: QuerySession, text: str, source_name: str) -> Any:
    """The stored form of the value of FQL ``text`` (a default or a backfill), evaluated in
    the running query (parsed once per query). Raises ``QueryError``."""
    cache: dict[tuple[str, str], Lambda] = session.cache.setdefault(_EXPRESSIONS_KEY, {})
    function = cache.get((source_name, text))
    if function is None:
        try:
            expression = parse_expression(text, source_name)
        except SchemaError as error:
            raise QueryError("invalid_query", error.message) from None
        node = expression.node
        function = Lambda([], None, node, None, node.span)
        cache[(source_name, text)] = function
    return to_stored(session, call_stored(session, function, []))


def _indented(text: str) -> str:
    return "\n".join("  " + line if line else line for line in text.split("\n"))


def _with_defaults(
    session: QuerySession, collection: str, shape: DocumentShape, data: dict[str, Any]
) -> tuple[dict[str, Any], Failures]:
    filled = dict(data)
    failures: Failures = []
    for name, declared in shape.fields.items():
        if name in filled or declared.default is None:
            continue
        try:
            value = evaluate_expression(session, declared.default, f"*field:{collection}:{name}*")
        except QueryError as error:
            failures.append(([name], f"{DEFAULT_FAILURE}\n{_indented(render_error(error))}"))
            continue
        if not isinstance(value, Null):
            filled[name] = value
    return filled, failures


def _check_typed_write(write: DocumentWrite) -> None:
    if (
        write.after is None
        or write.action not in CHECKED_ACTIONS
        or not is_user_collection(write.collection)
        or not isinstance(write.after, dict)
    ):
        return
    session = write.session
    shape = collection_shape(session, write.collection)
    if shape is None or not shape.checks_documents:
        return
    data = write.after.get("data")
    data = data if isinstance(data, dict) else {}
    failures: Failures = []
    if write.action == "create":
        data, failures = _with_defaults(session, write.collection, shape, data)
        write.after = {**write.after, "data": data}
    failed_defaults = [path for path, _ in failures]
    failures += [item for item in shape.failures(data) if item[0] not in failed_defaults]
    if failures:
        raise constraint_failure(write_failure_message(write), failures)


BEFORE_WRITE.insert(0, _check_typed_write)
