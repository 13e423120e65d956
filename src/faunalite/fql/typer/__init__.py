"""FaunaDB's static typechecker for faunalite: a stage between the parser and the interpreter.

``check_query`` infers a parsed query's type (``static_type``) and finds the type errors
FaunaDB is known to report; ``faunalite.engine`` runs it when the query is typechecked (the
database's ``typechecked`` setting, inherited from parent databases, or the ``X-Typecheck``
header). Results are cached per query text, schema version and the types of the values bound
from the request, so a repeated query is checked once.

Decision (soundness first): a construct the checker cannot type exactly as FaunaDB does is an
unknown type. It never causes an error, and the response then carries no ``static_type``
rather than a wrong one (see ``faunalite.fql.typer.infer``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import replace

from faunalite.fql.ast import QueryTree
from faunalite.fql.errors import CheckDiagnostic
from faunalite.fql.typer.infer import CollectionTables, Inference, infer_query, type_of_value
from faunalite.fql.typer.types import Type, render
from faunalite.fql.values import Value

__all__ = ["Inference", "TypecheckCache", "check_query", "static_type_of"]


def check_query(tree: QueryTree, bindings: Mapping[str, Value]) -> Inference:
    """Typecheck ``tree`` with the request's argument and template values in scope."""
    return infer_query(tree, {name: type_of_value(value) for name, value in bindings.items()})


def static_type_of(inference: Inference) -> str | None:
    """The ``static_type`` text of a checked query, ``None`` when it is unknown."""
    return None if inference.result is None else render(inference.result)


class TypecheckCache:
    """The last checks run, keyed by query text, schema version and bound value types."""

    def __init__(self, capacity: int = 512) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[tuple[object, ...], Inference] = OrderedDict()
        self._lock = threading.Lock()

    def check(
        self,
        tree: QueryTree,
        schema_version: int,
        bindings: Mapping[str, Value],
        is_schema_name: Callable[[str], bool],
        collections: CollectionTables | None = None,
        database: int | None = None,
    ) -> Inference:
        """The check of ``tree``, with an ``Unbound variable`` error for each free identifier
        that ``is_schema_name`` (the database's collections, UDFs and aliases) does not know.

        The schema's names are asked for at every call rather than kept in the cache key:
        only the free identifiers the query reads matter, and they are few. The types of the
        user ``collections`` do go into the cached result, so it is kept per ``database``
        (its scope) and schema version."""
        inference = self._cached_check(tree, schema_version, bindings, collections, database)
        unbound = inference.unbound_errors(is_schema_name)
        if not unbound:
            return inference
        errors = sorted([*inference.errors, *unbound], key=_start)
        return replace(inference, result=None, errors=errors)

    def _cached_check(
        self,
        tree: QueryTree,
        schema_version: int,
        bindings: Mapping[str, Value],
        collections: CollectionTables | None,
        database: int | None,
    ) -> Inference:
        try:
            binding_types: dict[str, Type | None] = {
                name: type_of_value(value) for name, value in bindings.items()
            }
            key = (
                tree.source.text,
                database,
                schema_version,
                tuple(sorted(binding_types.items(), key=_name)),
            )
            hash(key)
        except RecursionError:
            # An argument nested deeper than the stack: its type is unknown, never an error.
            return Inference(None)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        inference = infer_query(tree, binding_types, collections)
        with self._lock:
            self._entries[key] = inference
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
        return inference


def _name(item: tuple[str, Type | None]) -> str:
    return item[0]


def _start(diagnostic: CheckDiagnostic) -> int:
    return diagnostic.span.start
