"""Moving a database's data out and back in: ``export_database`` and ``import_database``.

An export is a directory::

    manifest.json            {"format": "fauna-export", "version": 1, ...}
    schema.json              Collection, Function and Role definitions (tagged JSON)
    documents/<Coll>.jsonl   one document a line: its id, ts and fields, in the tagged format
    databases/<child>/       the same layout for each child database (``recursive=True``),
                             plus database.json, the child's Database document

Values stay in FaunaDB's tagged format end to end (an ``@long`` stays a Long, ``@ref`` stays a
reference, ``@time`` keeps its nanoseconds), and documents keep their ids; computed fields are
left out (they are derived, and cannot be written). A document's ``ts``
is written out but cannot be written back: FaunaDB stamps every write with its commit time, so
imported documents carry the import's ts. Import creates definitions that are missing (an
existing collection, function or role of the same name is left as it is) and then creates each
document, failing on an id that already exists. Only current versions travel (no history), and
no keys: their secrets cannot be read back. FSL schema files are not part of this format
yet; definitions travel as their documents.

Everything goes through a ``QueryRunner``: ``fauna.cli.connection.WireSession`` for a server over
HTTP, or an in-process engine (``faunalite`` seeds with one).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

from fauna.cli.connection import UsageError

EXPORT_FORMAT = "fauna-export"
EXPORT_VERSION = 1
PAGE_SIZE = 500
IMPORT_BATCH = 200
SCHEMA_COLLECTIONS = ("Collection", "Function", "Role")
_READ_ONLY_FIELDS = ("coll", "ts")
_DERIVED_FIELDS = ("queryable", "status")

Progress = Callable[[str], None]


class QueryRunner(Protocol):
    """Runs FQL with tagged-format arguments and returns the tagged ``data`` of the reply."""

    def query(self, fql: str, arguments: dict[str, Any] | None = None) -> Any: ...

    def child(self, database: str) -> QueryRunner: ...


def _quiet(message: str) -> None:
    return None


def _untag_object(value: Any) -> dict[str, Any]:
    """The fields of a tagged object (``{"@object": {...}}`` or a plain one)."""
    if isinstance(value, dict) and set(value) == {"@object"}:
        value = value["@object"]
    if not isinstance(value, dict):
        raise UsageError(f"expected an object, found {json.dumps(value)[:80]}")
    return dict(value)


def _tag_object(fields: dict[str, Any]) -> dict[str, Any]:
    """Fields as a tagged object argument; ``@object`` keeps keys like ``@x`` literal."""
    return {"@object": fields}


def _document_fields(tagged: Any) -> dict[str, Any]:
    if isinstance(tagged, dict) and "@doc" in tagged:
        return _untag_object(tagged["@doc"])
    return _untag_object(tagged)


def _pages(runner: QueryRunner, set_expression: str, arguments: dict[str, Any]) -> Iterator[Any]:
    page = runner.query(f"({set_expression}).paginate({PAGE_SIZE})", arguments)
    while True:
        page = _untag_object(page)
        yield from page.get("data", [])
        after = page.get("after")
        if after is None:
            return
        page = runner.query("Set.paginate(after)", {"after": after})


# -- export -------------------------------------------------------------------------------------


def _definition(tagged_doc: Any) -> dict[str, Any]:
    """A schema document as the fields to create it with (derived fields dropped)."""
    fields = _document_fields(tagged_doc)
    for name in _READ_ONLY_FIELDS:
        fields.pop(name, None)
    indexes = fields.get("indexes")
    if isinstance(indexes, dict):
        for index in indexes.values():
            for name in _DERIVED_FIELDS:
                if isinstance(index, dict):
                    index.pop(name, None)
    constraints = fields.get("constraints")
    if isinstance(constraints, list):
        for constraint in constraints:
            if isinstance(constraint, dict):
                constraint.pop("status", None)
    return fields


def export_database(
    runner: QueryRunner,
    directory: str | Path,
    *,
    recursive: bool = False,
    progress: Progress = _quiet,
) -> dict[str, int]:
    """Write the database ``runner`` reaches into ``directory``; returns documents per
    collection (children's counts under ``child/Collection``)."""
    target = Path(directory)
    (target / "documents").mkdir(parents=True, exist_ok=True)
    schema = {
        kind: [_definition(doc) for doc in _pages(runner, f"{kind}.all()", {})]
        for kind in SCHEMA_COLLECTIONS
    }
    (target / "schema.json").write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
    counts: dict[str, int] = {}
    for collection in schema["Collection"]:
        name = str(collection["name"])
        computed = collection.get("computed_fields")
        derived = set(_untag_object(computed)) if computed else set()
        count = 0
        with (target / "documents" / f"{name}.jsonl").open("w", encoding="utf-8") as out:
            for doc in _pages(runner, "Collection(name).all()", {"name": name}):
                fields = _document_fields(doc)
                for field in ("coll", *derived):
                    fields.pop(field, None)
                out.write(json.dumps(_tag_object(fields), ensure_ascii=False) + "\n")
                count += 1
                if count % (PAGE_SIZE * 10) == 0:
                    progress(f"{name}: {count} documents so far")
        counts[name] = count
        progress(f"exported {name}: {count} documents")
    children: list[str] = []
    if recursive:
        for database in _pages(runner, "Database.all()", {}):
            definition = _definition(database)
            definition.pop("global_id", None)
            child = str(definition["name"])
            children.append(child)
            child_dir = target / "databases" / child
            child_dir.mkdir(parents=True, exist_ok=True)
            (child_dir / "database.json").write_text(json.dumps(definition, indent=2) + "\n")
            child_counts = export_database(
                runner.child(child), child_dir, recursive=True, progress=progress
            )
            counts.update({f"{child}/{key}": value for key, value in child_counts.items()})
    manifest = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "collections": {name: counts[name] for name in counts if "/" not in name},
        "databases": children,
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return counts


# -- import -------------------------------------------------------------------------------------


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}")
    except ValueError as error:
        raise UsageError(f"{path} is not valid JSON: {error}")


def _check_manifest(source: Path) -> dict[str, Any]:
    manifest = _read_json(source / "manifest.json")
    if not isinstance(manifest, dict) or manifest.get("format") != EXPORT_FORMAT:
        raise UsageError(f"{source} is not a fauna export (its manifest.json has no format)")
    if manifest.get("version") != EXPORT_VERSION:
        raise UsageError(
            f"{source} is export version {manifest.get('version')}; "
            f"this fauna reads version {EXPORT_VERSION}"
        )
    return manifest


def _create_missing(kind: str) -> str:
    """FQL that creates a ``kind`` document from ``fields`` unless its name is taken."""
    return (
        f"let existing = {kind}.byName(fields.name)\n"
        f"if (existing == null) {{ {kind}.create(fields); true }} else {{ false }}"
    )


def _create_definitions(runner: QueryRunner, schema: dict[str, Any], progress: Progress) -> None:
    roles_of_functions: list[tuple[str, Any]] = []
    for kind in SCHEMA_COLLECTIONS:
        for definition in schema.get(kind, []):
            fields = _untag_object(definition)
            if kind == "Function" and "role" in fields:
                roles_of_functions.append((str(fields["name"]), fields.pop("role")))
            created = runner.query(_create_missing(kind), {"fields": _tag_object(fields)})
            if created:
                progress(f"created {kind} {fields['name']}")
    # A function's role may name a role created after it, so roles are set last.
    for name, role in roles_of_functions:
        runner.query("Function.byName(name)!.update({ role: role })", {"name": name, "role": role})


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                yield _untag_object(json.loads(line))
            except ValueError as error:
                raise UsageError(f"{path}:{number}: not a JSON document: {error}")


def _import_documents(runner: QueryRunner, collection: str, path: Path) -> int:
    count = 0
    batch: list[Any] = []

    def flush() -> None:
        runner.query(
            "let c = Collection(name)\ndocs.forEach(d => { c.create(d); null })",
            {"name": collection, "docs": batch},
        )
        batch.clear()

    for fields in _lines(path):
        fields.pop("ts", None)
        fields.pop("coll", None)
        batch.append(_tag_object(fields))
        count += 1
        if len(batch) >= IMPORT_BATCH:
            flush()
    if batch:
        flush()
    return count


def import_database(
    runner: QueryRunner, directory: str | Path, *, progress: Progress = _quiet
) -> dict[str, int]:
    """Load an export made by ``export_database`` into the database ``runner`` reaches
    (children too, creating missing child databases); returns documents per collection."""
    source = Path(directory)
    manifest = _check_manifest(source)
    schema = _read_json(source / "schema.json")
    if not isinstance(schema, dict):
        raise UsageError(f"{source / 'schema.json'} is not an object of definitions")
    _create_definitions(runner, schema, progress)
    counts: dict[str, int] = {}
    for definition in schema.get("Collection", []):
        name = str(_untag_object(definition)["name"])
        path = source / "documents" / f"{name}.jsonl"
        counts[name] = _import_documents(runner, name, path) if path.exists() else 0
        progress(f"imported {name}: {counts[name]} documents")
    for child in manifest.get("databases", []):
        child_dir = source / "databases" / str(child)
        definition = _untag_object(_read_json(child_dir / "database.json"))
        runner.query(_create_missing("Database"), {"fields": _tag_object(definition)})
        child_counts = import_database(runner.child(str(child)), child_dir, progress=progress)
        counts.update({f"{child}/{key}": value for key, value in child_counts.items()})
    return counts
