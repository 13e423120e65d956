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
  update." and one ``error:`` line each).
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
from faunalite.model.field_paths import parse_field_path
from faunalite.model.field_types import (
    NULL_TYPE,
    AnyType,
    DocumentShape,
    ObjectType,
    SchemaType,
    accepts_null,
    document_shape,
    matches,
    union,
    value_failures,
)
from faunalite.model.indexes import BUILD_BATCH
from faunalite.model.session import COLLECTION, QuerySession
from faunalite.model.typed_writes import evaluate_expression
from faunalite.model.writes import AFTER_WRITE, DocumentWrite
from faunalite.storage.interface import DocKey, iter_pages

SCHEMA_UPDATE_FAILED = "Invalid database schema update."
BACKFILL_FAILED = "Failed to convert backfill value."
INCOMPATIBLE = "Submitted schema is not compatible with the live schema"

FieldPath = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """One ``error:`` of a refused schema update, with its ``hint:`` lines."""

    message: str
    hints: tuple[str, ...] = ()


class MigrationRefused(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message if problems else INCOMPATIBLE)
        self.problems = problems


def schema_update_error(problems: list[Problem]) -> QueryError:
    """FaunaDB's ``invalid_schema``: the summary line, then each error and hint indented.
    Definitions written with FQL have no FSL source here, so each is ``at <no source>``."""
    lines = [SCHEMA_UPDATE_FAILED]
    for problem in problems:
        lines += [f"    error: {problem.message}", "    at <no source>"]
        for hint in problem.hints:
            lines += [f"    hint: {hint}", "    at <no source>"]
    return QueryError("invalid_schema", "\n".join(lines))


# -- the migration list ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Step:
    """One entry of ``migrations``: its kind, the field (or ``into``) it names, the
    targets of a ``split`` or ``move`` and the FQL of a ``backfill``."""

    kind: str
    path: FieldPath = ()
    targets: tuple[FieldPath, ...] = ()
    value: str | None = None

    @property
    def shown(self) -> str:
        return display_field_path(self.path)


def _path(text: Any) -> FieldPath:
    steps = parse_field_path(text) if isinstance(text, str) else None
    if steps is None or any(isinstance(step, int) for step in steps):
        raise MigrationRefused([Problem(f"Invalid migration path `{text}`")])
    return tuple(str(step) for step in steps)


def parse_steps(entries: Any) -> list[Step]:
    """The steps of a stored ``migrations`` list (``MigrationRefused`` when malformed)."""
    steps: list[Step] = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or len(entry) != 1:
            raise MigrationRefused([Problem("Invalid migration")])
        ((kind, spec),) = entry.items()
        spec = spec if isinstance(spec, dict) else {}
        if kind == "add_wildcard":
            steps.append(Step(kind))
        elif kind in ("move_conflicts", "move_wildcard"):
            steps.append(Step(kind, _path(spec.get("into"))))
        elif kind in ("add", "drop"):
            steps.append(Step(kind, _path(spec.get("field"))))
        elif kind == "backfill":
            value = spec.get("value")
            steps.append(Step(kind, _path(spec.get("field")), value=str(value)))
        elif kind == "move":
            steps.append(Step(kind, _path(spec.get("field")), (_path(spec.get("to")),)))
        elif kind == "split":
            targets = spec.get("to")
            paths = tuple(_path(t) for t in targets) if isinstance(targets, list) else ()
            steps.append(Step(kind, _path(spec.get("field")), paths))
        else:
            raise MigrationRefused([Problem(f"Invalid migration `{kind}`")])
    return steps


def new_migrations(live: list[Any], submitted: list[Any]) -> list[Any]:
    """The submitted migrations that have not run yet: those after the longest prefix of
    ``submitted`` that ends the live list (FaunaDB's ``migrationsToApply``)."""
    for kept in range(len(submitted), -1, -1):
        prefix = submitted[:kept]
        if not prefix or live[len(live) - len(prefix) :] == prefix:
            return submitted[kept:]
    return submitted


# -- the submitted schema -------------------------------------------------------------------------


def type_at(shape: DocumentShape, path: FieldPath) -> SchemaType | None:
    """The declared type of the field at ``path``, ``None`` if the schema has no such field."""
    declared = shape.fields.get(path[0])
    if declared is None:
        return None
    kind: SchemaType = declared.type
    for step in path[1:]:
        if not isinstance(kind, ObjectType) or step not in kind.fields:
            return None
        kind = kind.fields[step]
    return kind


@dataclass(slots=True)
class RewoundShape:
    """The submitted schema's top-level fields as they were just after one migration: the
    later migrations undone (FaunaDB's validator rewinds from the submitted schema). A field
    a later ``drop`` removes exists there, as a placeholder that is not declared."""

    types: dict[str, SchemaType]
    removed: set[str]

    def type_at(self, path: FieldPath) -> SchemaType | None:
        kind = self.types.get(path[0])
        for step in path[1:]:
            if isinstance(kind, AnyType) and path[0] in self.removed:
                return kind
            if not isinstance(kind, ObjectType) or step not in kind.fields:
                return None
            kind = kind.fields[step]
        return kind

    def declares(self, path: FieldPath) -> bool:
        return self.type_at(path) is not None and path[0] not in self.removed


def rewound(steps: list[Step], position: int, submitted: DocumentShape) -> RewoundShape:
    """The schema just after ``steps[position]`` (see ``RewoundShape``)."""
    shape = RewoundShape({name: item.type for name, item in submitted.fields.items()}, set())
    for step in reversed(steps[position + 1 :]):
        if len(step.path) != 1:
            continue
        name = step.path[0]
        if step.kind == "drop":
            shape.types[name] = AnyType()
            shape.removed.add(name)
        elif step.kind == "move" and len(step.targets[0]) == 1:
            moved = shape.types.pop(step.targets[0][0], AnyType())
            shape.types[name] = moved
            shape.removed.discard(name)
        elif step.kind == "split":
            members = [shape.types.get(t[0], AnyType()) for t in step.targets if len(t) == 1]
            for target in step.targets:
                if target != step.path and len(target) == 1:
                    shape.types.pop(target[0], None)
            shape.types[name] = union([*members, NULL_TYPE])
            shape.removed.discard(name)
    return shape


def default_at(shape: DocumentShape, path: FieldPath) -> str | None:
    declared = shape.fields.get(path[0])
    return declared.default if declared is not None and len(path) == 1 else None


def _backfill_after(steps: list[Step], position: int, path: FieldPath) -> Step | None:
    for step in steps[position + 1 :]:
        if step.kind == "backfill" and step.path == path:
            return step
        if step.kind in ("add", "split") and (step.path == path or path in step.targets):
            return None
    return None


def _wildcard_at(steps: list[Step], position: int, submitted: DocumentShape) -> bool:
    """Whether the schema has a wildcard at ``position`` (a later ``move_wildcard`` takes
    one away, so before it there was one)."""
    later = steps[position + 1 :]
    return submitted.has_wildcard or any(step.kind == "move_wildcard" for step in later)


def _added_again(steps: list[Step], position: int) -> bool:
    """Whether a later ``add_wildcard`` adds the wildcard again before any ``move_wildcard``
    takes it away."""
    for later in steps[position + 1 :]:
        if later.kind == "move_wildcard":
            return False
        if later.kind == "add_wildcard":
            return True
    return False


def step_problems(steps: list[Step], submitted: DocumentShape) -> list[Problem]:
    """What FaunaDB's validator refuses in ``steps`` given the submitted schema, in its
    order: it rewinds from the last migration to the first, then looks for backfills that
    no migration declared."""
    by_step: list[list[Problem]] = []
    unclaimed: list[Problem] = []
    declared: set[FieldPath] = set()
    backfilled: set[FieldPath] = set()
    for position, step in enumerate(steps):
        shown = step.shown
        schema = rewound(steps, position, submitted)
        problems: list[Problem] = []
        by_step.append(problems)
        if step.kind == "add":
            kind = schema.type_at(step.path)
            if kind is None:
                problems.append(
                    Problem(f"Cannot add field, as `{shown}` is not in the submitted schema")
                )
                continue
            declared.add(step.path)
            if any(
                later.kind == "add" and later.path == step.path for later in steps[position + 1 :]
            ):
                problems.append(Problem(f"Cannot add field `{shown}` twice"))
                continue
            has_value = (
                _backfill_after(steps, position, step.path) is not None
                or default_at(submitted, step.path) is not None
            )
            if not has_value and not accepts_null(kind):
                problems.append(
                    Problem(
                        f"Cannot declare non-nullable field `{shown}`: it has no default and"
                        " no backfill value"
                    )
                )
            conflicts_moved = any(later.kind == "move_conflicts" for later in steps[position:])
            if (
                len(step.path) == 1
                and _wildcard_at(steps, position, submitted)
                and not conflicts_moved
                and not isinstance(kind, AnyType)
            ):
                problems.append(
                    Problem(
                        f"Cannot add field, as `{shown}` conflicts with the wildcard",
                        ("Add a `move_conflicts` migration",),
                    )
                )
        elif step.kind == "backfill":
            if schema.type_at(step.path) is None:
                problems.append(
                    Problem(
                        f"Cannot backfill field `{shown}`, as it is not in the submitted schema"
                    )
                )
            elif not schema.declares(step.path):
                # FaunaDB's message for a field dropped later lacks its closing backtick.
                problems.append(
                    Problem(f"Cannot backfill field `{shown}, as it is not in the submitted schema")
                )
            elif step.path in backfilled:
                problems.append(Problem(f"Cannot backfill field `{shown}` multiple times"))
            elif step.path not in declared:
                unclaimed.append(
                    Problem(
                        f"Field `{shown}` is backfilled without being declared by an `add` or"
                        " `split` migration"
                    )
                )
            backfilled.add(step.path)
        elif step.kind == "drop":
            if schema.declares(step.path):
                problems.append(
                    Problem(
                        f"Cannot drop field `{shown}`. Dropped fields must be removed from schema"
                    )
                )
        elif step.kind == "move":
            (target,) = step.targets
            source_type = schema.type_at(step.path) if schema.declares(step.path) else None
            if target == step.path:
                problems.append(Problem("Cannot move a field to itself"))
            elif schema.type_at(target) is None:
                problems.append(
                    Problem(f"Cannot move field `{shown}`, as it is not in the live schema")
                )
            elif (
                source_type is not None
                and not accepts_null(source_type)
                and default_at(submitted, step.path) is None
            ):
                problems.append(
                    Problem(f"Cannot move field `{shown}`, as it is in the submitted schema")
                )
        elif step.kind == "split":
            if len(step.targets) < 2:
                problems.append(
                    Problem("Cannot split field: expected at least two fields to split into")
                )
            if step.path not in step.targets and schema.declares(step.path):
                problems.append(
                    Problem("Cannot split field: field is still present in submitted schema")
                )
            for target in step.targets:
                if schema.type_at(target) is None:
                    shown_target = display_field_path(target)
                    problems.append(
                        Problem(
                            f"Cannot split field, as `{shown_target}` is not in the submitted"
                            " schema"
                        )
                    )
                declared.add(target)
        elif step.kind == "move_conflicts":
            if not _wildcard_at(steps, position, submitted):
                problems.append(
                    Problem(
                        "Cannot move wildcard conflicts, as there is no wildcard in the"
                        " submitted schema"
                    )
                )
            elif schema.type_at(step.path) is None:
                problems.append(_conflicts_field_missing(shown))
        elif step.kind == "move_wildcard":
            if _wildcard_at(steps, position, submitted):
                problems.append(
                    Problem(
                        "Cannot move wildcard, as there is still a wildcard in the submitted schema"
                    )
                )
            elif schema.type_at(step.path) is None:
                problems.append(_conflicts_field_missing(shown))
        elif step.kind == "add_wildcard":
            if not _wildcard_at(steps, position, submitted):
                problems.append(
                    Problem("Cannot add wildcard, as the submitted schema lacks a wildcard")
                )
            elif _added_again(steps, position):
                problems.append(Problem("Cannot add a wildcard twice"))
    return [problem for step in reversed(by_step) for problem in step] + unclaimed


def _conflicts_field_missing(shown: str) -> Problem:
    return Problem(
        f"Cannot move wildcard conflicts to field `{shown}`, as it is not in the submitted schema"
    )


def shape_problems(
    live: DocumentShape, steps: list[Step], submitted: DocumentShape
) -> list[Problem]:
    """Whether the live schema, taken through ``steps``, has the submitted fields and
    wildcard (FaunaDB's ``IncompatibilityExplainer``, for top-level fields)."""
    present: dict[str, bool] = {name: True for name in live.fields}
    wildcard = live.has_wildcard
    problems: list[Problem] = []
    for step in steps:
        top = step.path[:1]
        if step.kind == "add":
            # Adding `.a.b` brings in the object `.a` around it when it was not there.
            present[step.path[0]] = True
        elif step.kind == "drop" and len(step.path) == 1:
            if present.pop(step.path[0], None) is None and not wildcard:
                problems.append(
                    Problem(
                        f"Field `{step.shown}` was dropped but it doesn't exist in the live schema"
                    )
                )
        elif step.kind == "move" and len(step.path) == 1 and len(step.targets[0]) == 1:
            present.pop(step.path[0], None)
            present[step.targets[0][0]] = True
        elif step.kind == "split" and top:
            if step.path not in step.targets:
                present.pop(step.path[0], None)
            for target in step.targets:
                present[target[0]] = True
        elif step.kind == "add_wildcard":
            wildcard = True
        elif step.kind == "move_wildcard":
            wildcard = False
    for name in present:
        if name not in submitted.fields:
            problems.append(
                Problem(
                    f"Field `.{name}` is missing from the submitted schema",
                    ("Drop the field and its data with a `drop` migration",),
                )
            )
    for name, declared in submitted.fields.items():
        if name in present:
            continue
        hints: tuple[str, ...] = ("Provide an `add` migration for this field",)
        if declared.default is None and not accepts_null(declared.type):
            hints += ("Add a default value to this field", "Make the field nullable")
        problems.append(Problem(f"Field `.{name}` is not present in the live schema", hints))
    if wildcard and not submitted.has_wildcard:
        problems.append(Problem("Missing wildcard definition"))
    if submitted.has_wildcard and not wildcard:
        problems.append(
            Problem(
                "Wildcard was not present in the live schema",
                ("Add the wildcard with an `add_wildcard` migration",),
            )
        )
    return problems


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
            backfill = _backfill_after(steps, position, path)
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


def wildcard_problems(submitted: DocumentShape) -> list[Problem]:
    """A collection's own wildcard takes any value (nested objects may type theirs)."""
    if submitted.wildcard is None or isinstance(submitted.wildcard, AnyType):
        return []
    return [Problem("Top-level wildcard must have type `Any`")]


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
        problems = wildcard_problems(submitted) + step_problems(steps, submitted)
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
