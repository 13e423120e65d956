"""FaunaDB's single-item schema routes (``/schema/1/items/{kind}[/{name}]``), without HTTP.

``SchemaEndpoint.singleItemEndpoints`` in FaunaDB's ``ext/api`` serves, for each kind
(``collections``, ``functions``, ``roles``, ``access_providers``):

* ``GET /items/{kind}/{name}``: where the item is declared: ``filename``, ``span``
  (``start``/``end`` character offsets in that file), ``content`` (the item's FSL) and
  ``definition`` (its schema document in the simple format), with the schema ``version``;
* ``POST /items/{kind}`` with one item's FSL as the body: the item is appended to ``main.fsl``
  and the files are applied as a push would apply them;
* ``POST /items/{kind}/{name}``: the item's declaration is replaced by the body (which may
  rename it);
* ``DELETE /items/{kind}/{name}``: the declaration is removed from its file.

A write replies with the new version, the file, the item's span in it, the FSL sent (the
removed FSL for a delete) and the item's definition. With ``validate=true`` nothing is written
and the reply is the diff the write would make (``{"version", "diff"}``). An item is looked up
in the files ``GET /files`` serves; while a schema is staged, in the staged files, and a write
then changes the staged files (checked as a staged push is) and leaves the active schema. A
rename while a schema is staged is refused: FaunaDB allows it, but faunalite keeps a staged
schema as files, where a rename reads as a delete and a create.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from faunalite.engine import Principal, QueryResult
from faunalite.schema import SchemaError, parse_fsl, parse_schema
from faunalite.schema import fsl_ast as f
from faunalite.schema.fsl_diff import item_kind, render_diff
from faunalite.schema_sync import (
    MAIN_FILE,
    STALE_VERSION,
    SchemaFailure,
    SchemaParams,
    SchemaService,
    _apply,
    _commit_files,
    _evaluate,
    _served_files,
    staged_view,
)

if TYPE_CHECKING:
    from faunalite.model.session import QuerySession


@dataclass(frozen=True, slots=True)
class ItemKind:
    """One kind of item the routes serve: its path segment and how FaunaDB names it."""

    segment: str
    fsl_kind: str
    """``fsl_diff.item_kind``'s name for it."""
    description: str
    """As in FaunaDB's "Wrong FSL snippet. Expected ..." message."""
    module: str
    """The FQL module holding its documents."""


ITEM_KINDS: dict[str, ItemKind] = {
    kind.segment: kind
    for kind in (
        ItemKind("collections", "collection", "a collection", "Collection"),
        ItemKind("functions", "function", "a function", "Function"),
        ItemKind("roles", "role", "a role", "Role"),
        ItemKind("access_providers", "access provider", "an access provider", "AccessProvider"),
    )
}

NO_SNIPPET = "No FSL snippet provided"
RENAME_WHILE_STAGED = (
    "faunalite cannot rename a schema item while a schema is staged: commit or abandon the "
    "staged schema (fauna schema commit / abandon), then rename it."
)
SNIPPET_FILENAME = "main.fsl"
"""The name a snippet's parse errors point at (it is meant for ``main.fsl``)."""


@dataclass(frozen=True, slots=True)
class _Located:
    """Where an item is declared: its file and the characters of its declaration."""

    filename: str
    start: int
    end: int
    content: str


@dataclass(frozen=True, slots=True)
class _Write:
    """What an item write does: the files after it, the item's kind and name afterwards, and
    the reply's ``content``; ``rename`` is ``(old, new)`` when the item is renamed."""

    kind: ItemKind
    files: dict[str, str]
    name: str
    content: str
    rename: tuple[str, str] | None = None
    deleted: bool = False


Plan = Callable[[Mapping[str, str]], _Write]
"""How a route changes the files (given the current ones)."""


class SchemaItems:
    """The single-item routes over a ``SchemaService``'s engine."""

    def __init__(self, service: SchemaService) -> None:
        self.service = service

    def get(self, principal: Principal, params: SchemaParams, kind: str, name: str) -> QueryResult:
        item = ITEM_KINDS[kind]

        def answer(session: QuerySession) -> QueryResult:
            version = self.service._checked_version(session, params)
            files, _ = _current_files(session)
            found = _locate(files, item, name)
            if found is None:
                raise SchemaFailure(404, "Not found")
            definition = _doc(session, item, name)
            return QueryResult(200, {"version": version, **_described(found, definition)})

        return self.service._run(principal, answer)

    def create(
        self, principal: Principal, params: SchemaParams, kind: str, body: bytes
    ) -> QueryResult:
        item = ITEM_KINDS[kind]

        def plan(files: Mapping[str, str]) -> _Write:
            declared, snippet = _snippet(body, item)
            main = files.get(MAIN_FILE, "").rstrip("\n")
            updated = (main + "\n\n" if main else "") + snippet
            return _Write(item, {**files, MAIN_FILE: updated}, declared.name.text, snippet)

        return self._write(principal, params, plan)

    def replace(
        self, principal: Principal, params: SchemaParams, kind: str, name: str, body: bytes
    ) -> QueryResult:
        item = ITEM_KINDS[kind]

        def plan(files: Mapping[str, str]) -> _Write:
            declared, snippet = _snippet(body, item)
            found = _locate(files, item, name)
            if found is None:
                raise SchemaFailure(404, "Not found")
            text = files[found.filename]
            patched = text[: found.start] + snippet + text[found.end :]
            new_name = declared.name.text
            rename = (name, new_name) if new_name != name else None
            return _Write(item, {**files, found.filename: patched}, new_name, snippet, rename)

        return self._write(principal, params, plan)

    def delete(
        self, principal: Principal, params: SchemaParams, kind: str, name: str
    ) -> QueryResult:
        item = ITEM_KINDS[kind]

        def plan(files: Mapping[str, str]) -> _Write:
            found = _locate(files, item, name)
            if found is None:
                raise SchemaFailure(404, "Not found")
            text = files[found.filename]
            before, after = text[: found.start].rstrip(), text[found.end :].lstrip()
            remaining = before + ("\n\n" if before and after else "") + after
            if remaining and not remaining.endswith("\n"):
                remaining += "\n"
            files_after = {**files, found.filename: remaining}
            return _Write(item, files_after, name, found.content, deleted=True)

        return self._write(principal, params, plan)

    # -- machinery ------------------------------------------------------------------------------

    def _write(self, principal: Principal, params: SchemaParams, plan: Plan) -> QueryResult:
        """Run ``plan`` as FaunaDB runs an item write: with ``validate=true`` only the diff;
        else checked, applied (or, while a schema is staged, staged) and described."""
        service = self.service
        if params.validate:
            return service._run(
                principal,
                lambda session: _validate(service, session, params, plan),
                write=True,
                commit=False,
            )
        if not service._has_staged(principal):
            return service._run(
                principal,
                lambda session: _apply_item(service, session, params, plan),
                write=True,
            )
        # Staged: check and describe in a transaction that is rolled back, then keep the
        # files as the staged schema.
        staged_files_after: dict[str, dict[str, str]] = {}

        def check(session: QuerySession) -> QueryResult:
            return _apply_item(service, session, params, plan, staging=staged_files_after)

        checked = service._run(principal, check, write=True, commit=False)
        if checked.status != 200:
            return checked

        def store(session: QuerySession) -> QueryResult:
            from faunalite.model.schema import mark_schema_changed
            from faunalite.schema_staged import stage_files

            service._write_checks(session, params)
            stage_files(session, staged_files_after["files"], _served_files(session))
            mark_schema_changed(session)
            return QueryResult(200, {**checked.body, "version": session.txn_ts})

        return service._run(principal, store, write=True)


def _validate(
    service: SchemaService, session: QuerySession, params: SchemaParams, plan: Plan
) -> QueryResult:
    """``validate=true``: the diff the write would make (the session is rolled back)."""
    version = service.engine.model.schema_version(session)
    files, staged = _current_files(session)
    write = plan(files)
    if not session.rights.write:
        changes = _apply(session, write.files, dry=True)
    else:
        if staged:
            _commit_files(session, files)
        _rename(session, write)
        changes = _apply(session, write.files)
    text = render_diff(changes, files, write.files, params.diff_format or "semantic")
    return QueryResult(200, {"version": version, "diff": text})


def _apply_item(
    service: SchemaService,
    session: QuerySession,
    params: SchemaParams,
    plan: Plan,
    *,
    staging: dict[str, dict[str, str]] | None = None,
) -> QueryResult:
    """Make the write ``plan`` calls for in ``session`` and describe the item after it.
    With ``staging``, the staged files are made current first and the files after the
    write are put in ``staging["files"]`` (the caller rolls the session back)."""
    from faunalite.model.schema import mark_schema_changed
    from faunalite.model.schema_files import store_files

    service._write_checks(session, params)
    files, staged = _current_files(session)
    if staged != (staging is not None):
        # A schema was staged, committed or abandoned since the caller looked.
        raise SchemaFailure(409, STALE_VERSION)
    write = plan(files)
    if staging is not None and write.rename is not None:
        # The staged schema is kept as files, which cannot say that an item was renamed: the
        # commit would delete the old collection (and its documents) and create the new one.
        raise SchemaFailure(400, RENAME_WHILE_STAGED)
    if staging is not None:
        _commit_files(session, files)
        staging["files"] = write.files
    removed = _locate(files, write.kind, write.name) if write.deleted else None
    definition = _doc(session, write.kind, write.name) if write.deleted else None
    _rename(session, write)
    # Applied first: files that do not parse or that the model refuses say why here.
    changes = _apply(session, write.files)
    located = removed or _locate(write.files, write.kind, write.name)
    if located is None:  # the plan always declares (or removes) the item it names
        raise SchemaFailure(
            400, f"The files do not declare {write.kind.description} `{write.name}`"
        )
    if not changes and write.rename is None and staging is None:
        # Nothing to change: FaunaDB answers with the item as it is (and writes nothing).
        session.rollback()
        version = service.engine.model.schema_version(session)
        current = _locate(files, write.kind, write.name) or located
        described = _described(current, _doc(session, write.kind, write.name))
        return QueryResult(200, {"version": version, **described, "content": write.content})
    store_files(session, write.files)
    mark_schema_changed(session)
    if not write.deleted:
        definition = _doc(session, write.kind, write.name)
    described = _described(located, definition)
    return QueryResult(200, {"version": session.txn_ts, **described, "content": write.content})


def _rename(session: QuerySession, write: _Write) -> None:
    """Rename the item first, so its documents (a collection's) stay with it."""
    if write.rename is None:
        return
    old, new = write.rename
    _evaluate(
        session,
        f"{write.kind.module}.byName(oldName)!.update({{ name: newName }})\nnull",
        {"oldName": old, "newName": new},
    )


def _current_files(session: QuerySession) -> tuple[dict[str, str], bool]:
    """The files items are looked up in, and whether they are the staged ones."""
    staged = staged_view(session)
    if staged is not None:
        return staged, True
    return _served_files(session), False


def _snippet(body: bytes, kind: ItemKind) -> tuple[f.Item, str]:
    """The one item of ``kind`` a request's body declares, and the body's text (FaunaDB's
    ``parseSingleSchemaItem``)."""
    text = body.decode("utf-8", errors="replace")
    if not text.strip():
        raise SchemaFailure(400, NO_SNIPPET)
    items = parse_fsl(text, SNIPPET_FILENAME).items
    if len(items) != 1:
        raise SchemaFailure(400, f"Expected a single schema item, got: {len(items)}")
    if item_kind(items[0]) != kind.fsl_kind:
        raise SchemaFailure(400, f"Wrong FSL snippet. Expected {kind.description}")
    return items[0], text


def _locate(files: Mapping[str, str], kind: ItemKind, name: str) -> _Located | None:
    """Where ``files`` declare the item of ``kind`` called ``name``."""
    try:
        schemas = parse_schema(files)
    except SchemaError:
        return None
    for schema in schemas:
        for item in schema.items:
            if item_kind(item) == kind.fsl_kind and item.name.text == name and item.span:
                text = files[schema.filename]
                start, end = item.span.start, item.span.end
                return _Located(schema.filename, start, end, text[start:end])
    return None


def _described(found: _Located, definition: Any) -> dict[str, Any]:
    """FaunaDB's ``SourceItem`` fields (after ``version``)."""
    return {
        "filename": found.filename,
        "span": {"start": found.start, "end": found.end},
        "content": found.content,
        "definition": definition,
    }


def _doc(session: QuerySession, kind: ItemKind, name: str) -> Any:
    """The item's schema document in the simple format."""
    return _evaluate(session, f"{kind.module}.byName(itemName)", {"itemName": name})


__all__ = ["ITEM_KINDS", "NO_SNIPPET", "RENAME_WHILE_STAGED", "ItemKind", "SchemaItems"]
