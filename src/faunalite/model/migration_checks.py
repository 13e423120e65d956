"""Whether a collection's migrations and its new fields fit: FaunaDB's refusals of a schema
change, before any document is touched.

* ``parse_steps`` reads a stored ``migrations`` list; ``new_migrations`` picks the ones that
  have not run (those after the longest prefix of the submitted list that ends the live list,
  FaunaDB's ``migrationsToApply``).
* ``step_problems`` checks each migration against the submitted schema as it was just after
  that migration (``rewound``: FaunaDB's ``MigrationValidator`` rewinds from the submitted
  schema, last migration first, and reports in that order).
* ``shape_problems`` checks that the live fields, taken through the new migrations, are the
  submitted ones, wildcard included (FaunaDB's ``IncompatibilityExplainer``, top-level
  fields); ``wildcard_problems`` that a top-level wildcard is ``Any`` and
  ``persistence_problems`` that every field type can be stored (not ``ID``, a function
  type, or a collection ``C`` without ``NullC``: ``Ref<C>``).
* ``schema_update_error`` turns problems into FaunaDB's ``invalid_schema`` error.

Nothing here reads or writes documents: ``migrations`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from faunalite.fql.errors import QueryError
from faunalite.model.collection_schema import display_field_path
from faunalite.model.field_paths import parse_field_path
from faunalite.model.field_types import (
    NULL_TYPE,
    AnyType,
    DocumentShape,
    ObjectType,
    SchemaType,
    accepts_null,
    union,
)
from faunalite.schema import fsl_ast as f
from faunalite.schema.fsl_convert import parse_type
from faunalite.schema.fsl_errors import SchemaError
from faunalite.schema.fsl_printer import type_text

SCHEMA_UPDATE_FAILED = "Invalid database schema update."
INCOMPATIBLE = "Submitted schema is not compatible with the live schema"

FieldPath = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """One ``error:`` of a refused schema update, with its ``hint:`` lines and the
    ``cause:`` lines (each with the hint that goes with it) that explain it."""

    message: str
    hints: tuple[str, ...] = ()
    causes: tuple[tuple[str, str | None], ...] = ()


class MigrationRefused(Exception):
    """A schema change refused for ``problems`` (raised as ``schema_update_error``)."""

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
        for cause, cause_hint in problem.causes:
            lines.append(f"    cause: {cause}")
            if cause_hint is not None:
                lines.append(f"    hint: {cause_hint}")
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


def backfill_after(steps: list[Step], position: int, path: FieldPath) -> Step | None:
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
                backfill_after(steps, position, step.path) is not None
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


def wildcard_problems(submitted: DocumentShape) -> list[Problem]:
    """A collection's own wildcard takes any value (nested objects may type theirs)."""
    if submitted.wildcard is None or isinstance(submitted.wildcard, AnyType):
        return []
    return [Problem("Top-level wildcard must have type `Any`")]


PERSISTABLE_NAMES = frozenset(
    {"String", "Int", "Long", "Double", "Float", "Number", "Boolean", "Time", "Date", "Bytes"}
    | {"Null", "UUID", "Any"}
)
"""Named types a document can store. ``ID`` cannot be (an ``id`` is the document's own)."""

Cause = tuple[str, "str | None"]


def _unpersistable(expr: f.TypeExpr, union_names: frozenset[str]) -> list[Cause]:
    """Why a field type cannot be stored: FaunaDB stores a document as a reference, so a
    collection ``C`` is only persistable next to ``NullC`` (``Ref<C>``'s spelling)."""
    if isinstance(expr, f.NamedType):
        name = expr.name
        if name in PERSISTABLE_NAMES:
            return []
        if name == "ID":
            return [("Type ID is not persistable", None)]
        collection = name[4:] if name.startswith("Null") and len(name) > 4 else name
        partner = collection if collection != name else f"Null{name}"
        if partner in union_names:
            return []
        hint = f"Use Ref<{collection}> as the type of a reference to a {collection} document"
        return [(f"Type {name} is not persistable", hint)]
    if isinstance(expr, f.AppliedType):
        if expr.name == "Ref":
            return []
        if expr.name == "Array":
            return [cause for arg in expr.args for cause in _unpersistable(arg, frozenset())]
        return [(f"Type {type_text(expr)} is not persistable", None)]
    if isinstance(expr, f.UnionType):
        names = frozenset(m.name for m in expr.members if isinstance(m, f.NamedType))
        return [cause for member in expr.members for cause in _unpersistable(member, names)]
    if isinstance(expr, f.NullableType):
        return _unpersistable(expr.base, frozenset())
    if isinstance(expr, f.ObjectType):
        parts = [item.type for item in expr.fields]
        if expr.wildcard is not None:
            parts.append(expr.wildcard)
        return [cause for part in parts for cause in _unpersistable(part, frozenset())]
    if isinstance(expr, f.TupleType):
        return [cause for item in expr.elements for cause in _unpersistable(item, frozenset())]
    if isinstance(expr, f.LiteralType):
        return []
    return [(f"Type {type_text(expr)} is not persistable", None)]


def persistence_problems(definition: dict[str, Any]) -> list[Problem]:
    """The declared fields whose type a document cannot store (``Field `a` in collection C
    is not persistable``, each cause beneath)."""
    collection = definition.get("name")
    problems: list[Problem] = []
    declared = definition.get("fields")
    for name, spec in declared.items() if isinstance(declared, dict) else ():
        signature = spec.get("signature") if isinstance(spec, dict) else None
        if not isinstance(signature, str):
            continue
        try:
            causes = _unpersistable(parse_type(signature), frozenset())
        except SchemaError:
            continue  # the definition's own check reports it
        if causes:
            message = f"Field `{name}` in collection {collection} is not persistable"
            problems.append(Problem(message, causes=tuple(causes)))
    return problems
