"""Schema migrations: a collection's existing documents rewritten when its schema changes.

An ``AFTER_WRITE`` hook on ``Collection`` writes (``Collection.create``, ``.update``,
``.replace``, and so an FSL push, which replaces definitions). Its rules are FaunaDB's
(``fql.migration.MigrationValidator``, ``IncompatibilityExplainer``, ``MigrationConverter``
and ``fauna.repo.schema.migration.Migration``):

* Which migrations are new: the submitted ``migrations`` after the longest prefix of them
  that is a suffix of the live list. Only those run; the list is kept as submitted.
* Each migration is checked against the submitted schema (``Cannot add field, as `.x` is
  not in the submitted schema``, ``Cannot drop field `.x`. Dropped fields must be removed
  from schema``...). A collection with documents must also end up with the fields and
  wildcard the submitted schema declares (``Field `.x` is not present in the live schema``,
  ``Field `.x` is missing from the submitted schema``, ``Missing wildcard definition``...).
  Any of these refuses the write with ``invalid_schema`` ("Invalid database schema
  update." and one ``error:`` line each). Those checks live in ``migration_checks``.
* Then every document is rewritten, migration by migration: ``add`` (a value already of the
  field's type stays; another one goes to the conflicts; the ``backfill`` or the field's
  default fills the field), ``drop``, ``move``, ``split`` (values of the first target's type
  stay, the others move on to the next target; backfills fill what is left empty),
  ``move_conflicts`` (conflicts into an object field, a name taken gets ``_`` prefixed),
  ``move_wildcard`` (undeclared top-level fields into an object field) and ``add_wildcard``
  (nothing to rewrite). Each rewritten document is checked against the submitted field types
  and reindexed in every index of the collection.

Everything happens in the query's transaction: a refused migration leaves the schema and
every document as they were. Unlike FaunaDB, which migrates a document lazily when it is
next read or written, faunalite rewrites all documents at once; each gets a new version at
the schema change's timestamp.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from faunalite.fql.errors import QueryError
from faunalite.fql.values import Null
from faunalite.model.collection_schema import display_field_path, parse_schema
from faunalite.model.field_types import (
    DocumentShape,
    SchemaType,
    document_shape,
    matches,
    value_failures,
)
from faunalite.model.indexes import BUILD_BATCH
from faunalite.model.migration_checks import (
    INCOMPATIBLE,
    FieldPath,
    MigrationRefused,
    Problem,
    Step,
    backfill_after,
    default_at,
    new_migrations,
    parse_steps,
    persistence_problems,
    schema_update_error,
    shape_problems,
    step_problems,
    type_at,
    wildcard_problems,
)
from faunalite.model.session import COLLECTION, QuerySession
from faunalite.model.typed_writes import evaluate_expression
from faunalite.model.writes import AFTER_WRITE, DocumentWrite
from faunalite.storage.interface import DocKey, iter_pages

BACKFILL_FAILED = "Failed to convert backfill value."


# -- rewriting one document -----------------------------------------------------------------------


@dataclass(slots=True)
class Rewrite:
    """The internal migrations of one schema change, with their values evaluated once."""

    steps: list[Step]
    submitted: DocumentShape
    values: dict[tuple[int, FieldPath], Any] = field(default_factory=dict)
    """(step position, field) → the value that fills the field (backfill or default)."""

    def value(self, position: int, path: FieldPath) -> Any:
        return self.values.get((position, path))


def _get(data: dict[str, Any], path: FieldPath) -> Any:
    value: Any = data
    for step in path:
        if not isinstance(value, dict) or step not in value:
            return None
        value = value[step]
    return value


def _remove(data: dict[str, Any], path: FieldPath) -> None:
    parent = _get(data, path[:-1]) if len(path) > 1 else data
    if isinstance(parent, dict):
        parent.pop(path[-1], None)


def _insert(data: dict[str, Any], path: FieldPath, value: Any) -> None:
    parent = data
    for step in path[:-1]:
        child = parent.get(step)
        if not isinstance(child, dict):
            child = {}
            parent[step] = child
        parent = child
    parent[path[-1]] = value


class DocumentConflict(Exception):
    """A migration would overwrite a value the document already has."""


def migrate_document(rewrite: Rewrite, data: dict[str, Any]) -> dict[str, Any]:
    """The document's user data after every step of ``rewrite`` (``data`` is left as is)."""
    migrated: dict[str, Any] = _copy(data)
    conflicts: dict[str, Any] = {}
    submitted = rewrite.submitted
    for position, step in enumerate(rewrite.steps):
        if step.kind == "add":
            _add(
                migrated,
                conflicts,
                step.path,
                type_at(submitted, step.path),
                rewrite.value(position, step.path),
            )
        elif step.kind == "drop":
            _remove(migrated, step.path)
        elif step.kind == "move":
            _move(migrated, step.path, step.targets[0])
        elif step.kind == "split":
            _split(rewrite, position, step, migrated)
        elif step.kind == "move_conflicts":
            _move_conflicts(migrated, conflicts, step.path)
        elif step.kind == "move_wildcard":
            _move_wildcard(migrated, step.path, set(submitted.fields))
    if conflicts:
        raise DocumentConflict(INCOMPATIBLE)
    return migrated


def _copy(value: Any) -> Any:
    if type(value) is dict:
        return {name: _copy(item) for name, item in value.items()}
    if type(value) is list:
        return [_copy(item) for item in value]
    return value


def _add(
    data: dict[str, Any],
    conflicts: dict[str, Any],
    path: FieldPath,
    kind: SchemaType | None,
    value: Any,
) -> None:
    for length in range(1, len(path)):
        if _get(data, path[:length]) is None:
            _insert(data, path[:length], {})
    previous = _get(data, path)
    if previous is not None:
        if kind is None or matches(kind, previous):
            return
        _remove(data, path)
        _insert(conflicts, path, previous)
    if value is not None:
        _insert(data, path, value)


def _move(data: dict[str, Any], source: FieldPath, target: FieldPath) -> None:
    if _get(data, target) is not None:
        raise DocumentConflict(
            f"Cannot move field `{display_field_path(source)}`: the document already has"
            f" `{display_field_path(target)}`"
        )
    value = _get(data, source)
    if value is not None:
        _remove(data, source)
        _insert(data, target, value)


def _split(rewrite: Rewrite, position: int, step: Step, data: dict[str, Any]) -> None:
    targets = step.targets
    if targets[0] != step.path:
        _move(data, step.path, targets[0])
    for source, spill in itertools.pairwise(targets):
        if _get(data, spill) is not None:
            raise DocumentConflict(
                f"Cannot split into `{display_field_path(spill)}`: the document already has it"
            )
        kind = type_at(rewrite.submitted, source)
        source_fill = rewrite.value(position, source)
        spill_fill = rewrite.value(position, spill)
        previous = _get(data, source)
        if previous is None:
            if source_fill is not None:
                _insert(data, source, source_fill)
            if spill_fill is not None:
                _insert(data, spill, spill_fill)
        elif kind is None or matches(kind, previous):
            if spill_fill is not None:
                _insert(data, spill, spill_fill)
        else:
            _remove(data, source)
            if source_fill is not None:
                _insert(data, source, source_fill)
            _insert(data, spill, previous)


def _free_name(taken: dict[str, Any] | set[str], name: str) -> str:
    while name in taken:
        name = "_" + name
    return name


def _move_conflicts(data: dict[str, Any], conflicts: dict[str, Any], into: FieldPath) -> None:
    if not conflicts:
        return
    target = _get(data, into)
    if target is None:
        target = {}
        _insert(data, into, target)
    elif not isinstance(target, dict):
        raise DocumentConflict(f"Cannot move conflicts into `{display_field_path(into)}`")
    for name, value in conflicts.items():
        target[_free_name(target, name)] = value
    conflicts.clear()


def _move_wildcard(data: dict[str, Any], into: FieldPath, keep: set[str]) -> None:
    moving = [name for name in data if name not in keep]
    if not moving:
        return
    target = _get(data, into)
    if target is None:
        target = {}
    elif not isinstance(target, dict):
        raise DocumentConflict(f"Cannot move fields into `{display_field_path(into)}`")
    # Names with fewer leading underscores first, so that renaming is the same every time.
    moving.sort(key=lambda name: len(name) - len(name.lstrip("_")))
    taken = set(target)
    values = {name: data.pop(name) for name in moving}
    for name in moving:
        free = _free_name(taken, name)
        taken.add(free)
        target[free] = values[name]
    _insert(data, into, target)


# -- the hook -------------------------------------------------------------------------------------


def _fill_values(session: QuerySession, rewrite: Rewrite) -> None:
    """Evaluate, once, the backfill (or default) of every field an ``add`` or ``split``
    fills, and check it against the field's type."""
    steps = rewrite.steps
    for position, step in enumerate(steps):
        if step.kind == "add":
            paths: tuple[FieldPath, ...] = (step.path,)
        elif step.kind == "split":
            paths = step.targets
        else:
            continue
        for path in paths:
            backfill = backfill_after(steps, position, path)
            text = backfill.value if backfill is not None else default_at(rewrite.submitted, path)
            if text is None:
                continue
            value = evaluate_expression(session, text, "*backfill*")
            if isinstance(value, Null):
                continue
            kind = type_at(rewrite.submitted, path)
            failures = value_failures(kind, value, list(path)) if kind is not None else []
            if failures:
                raise QueryError(
                    "constraint_failure",
                    BACKFILL_FAILED,
                    constraint_failures=[
                        {"paths": [where], "message": message} for where, message in failures
                    ],
                )
            rewrite.values[(position, path)] = value


def _has_documents(session: QuerySession, collection: str) -> bool:
    return bool(session.txn.scan(session.scope, collection, limit=1))


def _migrate_collection(write: DocumentWrite) -> None:
    if write.collection != COLLECTION or not isinstance(write.after, dict):
        return
    session = write.session
    collection = str(write.key)
    submitted = document_shape(write.after)
    submitted_list = write.after.get("migrations") or []
    before = write.before if isinstance(write.before, dict) else None
    if before is not None and all(
        before.get(part) == write.after.get(part) for part in ("fields", "wildcard", "migrations")
    ):
        return
    has_documents = before is not None and _has_documents(session, collection)
    if before is not None:
        live = document_shape(before)
        live_list = before.get("migrations") or []
        pending = new_migrations(live_list, submitted_list) if has_documents else submitted_list
    else:
        live = submitted
        pending = submitted_list
    try:
        steps = parse_steps(pending)
        problems = persistence_problems(write.after) + wildcard_problems(submitted)
        problems += step_problems(steps, submitted)
        if has_documents:
            problems += shape_problems(live, steps, submitted)
        if problems:
            raise MigrationRefused(problems)
        if has_documents:
            rewrite = Rewrite(steps, submitted)
            _fill_values(session, rewrite)
            _rewrite_documents(session, collection, rewrite, live, write.after)
    except MigrationRefused as refused:
        raise schema_update_error(refused.problems) from None


def _rewrite_documents(
    session: QuerySession,
    collection: str,
    rewrite: Rewrite,
    live: DocumentShape,
    definition: dict[str, Any],
) -> None:
    txn = session.txn
    indexes = list(parse_schema(definition).storage_indexes())
    submitted = rewrite.submitted

    def fetch(after: DocKey | None, size: int) -> list[Any]:
        return txn.scan(session.scope, collection, after=after, limit=size)

    for document in iter_pages(fetch, lambda doc: doc.key, BUILD_BATCH):
        stored = document.data if isinstance(document.data, dict) else {}
        data = stored.get("data")
        data = data if isinstance(data, dict) else {}
        try:
            migrated = migrate_document(rewrite, data) if rewrite.steps else data
        except DocumentConflict as conflict:
            raise MigrationRefused([Problem(str(conflict))]) from None
        failures = submitted.failures(migrated)
        if failures:
            raise MigrationRefused(_type_problems(live, submitted, failures))
        if migrated == data:
            continue
        new_stored = {**stored, "data": migrated}
        entries = {
            index.storage_name: index.entries(document.key, new_stored, session.txn_ts)
            for index in indexes
        }
        txn.put(session.scope, collection, document.key, new_stored, index_entries=entries)


def _type_problems(
    live: DocumentShape, submitted: DocumentShape, failures: list[tuple[list[Any], str]]
) -> list[Problem]:
    """Why documents do not fit the submitted types: a field whose type changed, in
    FaunaDB's words, or the generic incompatibility."""
    problems: list[Problem] = []
    for path, _ in failures:
        name = path[0] if path and path[0] != "data" else (path[1] if len(path) > 1 else None)
        old = live.fields.get(str(name)) if name is not None else None
        new = submitted.fields.get(str(name)) if name is not None else None
        if old is not None and new is not None and old.signature != new.signature:
            problem = Problem(
                f"Field `.{name}` of type `{new.signature}` does not match the live type"
                f" `{old.signature}`",
                ("Add a migration to split the invalid types into another field",),
            )
        else:
            problem = Problem(INCOMPATIBLE)
        if problem not in problems:
            problems.append(problem)
    return problems


AFTER_WRITE.append(_migrate_collection)
