"""FaunaDB's schema file endpoints (``/schema/1``) over an ``Engine``, without HTTP.

``SchemaService(engine)`` answers each endpoint for a principal with FaunaDB's reply
(``api/schema/SchemaEndpoint.scala``, bodies from ``SchemaResponse.scala``):

* ``files`` / ``file``: the pushed files, or, for a schema made with FQL, the ``main.fsl``
  FaunaDB generates from it (``generated_schema``). Items created with FQL after a push are
  appended to ``main.fsl``, as FaunaDB adds them there; once FQL changes or deletes a pushed
  item, the generated ``main.fsl`` is served instead (FaunaDB edits the files in place).
* ``diff`` (also ``/validate``): the changes the files would make, rendered in ``format``.
  They are really applied, in a transaction that is then rolled back, so every check the data
  model makes (unknown collections in a role, bad index terms...) is reported here too.
* ``update``: the same changes, committed in one transaction with the files
  (``faunalite.model.schema_files``); the reply's ``version`` is that transaction's ts.
* ``update?staged=true``: the files are checked as a push would be (applied in a transaction
  that is rolled back), then kept unapplied as the staged schema
  (``faunalite.schema_staged``); queries keep seeing the active schema. A push without
  ``staged`` while a schema is staged replaces the staged files and leaves the active schema
  alone, as in FaunaDB, where the active schema stays pinned until a commit or an abandon.
* ``status`` / ``staged/status``: ``none`` with nothing staged, else ``ready``: faunalite builds
  a staged schema's indexes in the commit's own transaction (one node, no background build),
  so nothing is ever ``pending``. With ``format``, the staged diff against the active schema.
* ``commit`` / ``abandon``: apply the staged files (as ``update`` would) or drop them.
* ``files``, ``file`` and ``diff`` with ``staged=true``: the staged files, and the diff of the
  given files against the staged schema.

Changes go through FQL (``Collection.create(...)``, ``.replace(...)``, ``.delete()`` and the
same for functions, roles and access providers), so they are checked as any query's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from faunalite.engine import Engine, Principal, QueryResult
from faunalite.fql.errors import QueryCheckError, QueryError
from faunalite.schema import (
    PREAMBLE,
    SchemaError,
    access_provider_from_definition,
    collection_from_definition,
    definition,
    function_from_definition,
    generated_schema,
    parse_schema,
    role_from_definition,
)
from faunalite.schema import fsl_ast as f
from faunalite.schema.fsl_diff import (
    DiffFormat,
    SchemaChange,
    item_kind,
    render_diff,
    schema_changes,
)

if TYPE_CHECKING:
    from faunalite.model.session import QuerySession

MAIN_FILE = "main.fsl"
STALE_VERSION = "Stale schema version provided"
ROOT_STAGING = "Schema cannot be staged in the root database"
NOTHING_TO_COMMIT = "There is no staged schema to commit"
NOTHING_TO_ABANDON = "There is no staged schema to abandon"

_MODULES = {
    "collection": "Collection",
    "function": "Function",
    "role": "Role",
    "access provider": "AccessProvider",
}
_CURRENT_ITEMS = (
    "{ collections: Collection.all().toArray(), functions: Function.all().toArray(), "
    "roles: Role.all().toArray(), access_providers: AccessProvider.all().toArray() }"
)

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class SchemaParams:
    """The query parameters FaunaDB reads (``SchemaRequest.Authenticated``)."""

    version: int | None = None
    force: bool = False
    staged: bool = False
    diff_format: DiffFormat | None = None
    validate: bool = False
    """``validate=true``: a single-item write only answers the diff it would make."""

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> SchemaParams:
        version_text = params.get("version", "")
        try:
            version: int | None = int(version_text)
        except ValueError:
            version = None
        diff_format: DiffFormat | None = None
        chosen = params.get("format")
        if chosen in ("semantic", "summary", "textual"):
            diff_format = chosen  # type: ignore[assignment]
        else:
            legacy = params.get("diff")
            if legacy in ("semantic", "true"):
                diff_format = "semantic"
            elif legacy in ("summary", "textual"):
                diff_format = legacy  # type: ignore[assignment]
        return cls(
            version=version,
            force=params.get("force") == "true",
            staged=params.get("staged") == "true",
            diff_format=diff_format,
            validate=params.get("validate") == "true",
        )


class SchemaFailure(Exception):
    """A reply other than 200: FaunaDB's ``{"error": {"message": ...}}`` with a status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_reply(status: int, message: str) -> QueryResult:
    return QueryResult(status, {"error": {"message": message}})


class SchemaService:
    """The schema endpoints of one engine; every method returns the whole reply."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- endpoints ------------------------------------------------------------------------------

    def files(self, principal: Principal, params: SchemaParams) -> QueryResult:
        def answer(session: QuerySession) -> QueryResult:
            version = self._checked_version(session, params)
            names = list(_files_for(session, staged=params.staged))
            return QueryResult(
                200, {"version": version, "files": [{"filename": name} for name in names]}
            )

        return self._run(principal, answer)

    def file(self, principal: Principal, params: SchemaParams, filename: str) -> QueryResult:
        def answer(session: QuerySession) -> QueryResult:
            version = self._checked_version(session, params)
            content = _files_for(session, staged=params.staged).get(filename)
            if content is None:
                raise SchemaFailure(404, "Not found")
            return QueryResult(200, {"version": version, "content": content})

        return self._run(principal, answer)

    def diff(
        self, principal: Principal, params: SchemaParams, files: Mapping[str, str]
    ) -> QueryResult:
        """``/diff`` and ``/validate``: the diff, ``semantic`` unless ``format`` says. With
        ``staged=true`` it is against the staged schema (the active one when nothing is
        staged, as in FaunaDB)."""

        def answer(session: QuerySession) -> QueryResult:
            version = self._checked_version(session, params)
            # A key that may not write gets the diff without the model's checks (the dry run
            # would be refused for its writes, not for the schema).
            dry = not session.rights.write
            staged = staged_view(session) if params.staged else None
            if staged is None:
                before = _served_files(session)
                changes = _apply(session, files, dry=dry)
            elif dry:
                before = staged
                changes = schema_changes(proposed_items(staged), proposed_items(files))
            else:
                # Make the staged schema current in this (rolled back) transaction, then
                # apply the files over it, so the model checks them against it.
                before = staged
                _commit_files(session, staged)
                changes = _apply(session, files)
            text = render_diff(changes, before, files, params.diff_format or "semantic")
            return QueryResult(200, {"version": version, "diff": text})

        return self._run(principal, answer, write=True, commit=False)

    def update(
        self, principal: Principal, params: SchemaParams, files: Mapping[str, str]
    ) -> QueryResult:
        """``/update``: apply ``files``; with ``staged=true``, or while a schema is staged,
        check them and keep them as the staged schema instead."""
        if params.staged or self._has_staged(principal):
            return self._stage(principal, params, files)

        def answer(session: QuerySession) -> QueryResult:
            self._write_checks(session, params)
            _commit_files(session, files)
            return QueryResult(200, {"version": session.txn_ts})

        return self._run(principal, answer, write=True)

    def status(self, principal: Principal, params: SchemaParams) -> QueryResult:
        def answer(session: QuerySession) -> QueryResult:
            version = self._checked_version(session, params)
            if not principal.database:
                raise SchemaFailure(400, ROOT_STAGING)
            staged = staged_view(session)
            body: dict[str, Any] = {
                "version": version,
                "status": "none" if staged is None else "ready",
            }
            if params.diff_format is not None:
                text = ""
                if staged is not None:
                    before = _served_files(session)
                    dry = not session.rights.write
                    # The staged files are applied (then rolled back) so that a staged schema
                    # the data no longer allows is reported, as FaunaDB reports it here.
                    changes = _apply(session, staged, dry=dry)
                    text = render_diff(changes, before, staged, params.diff_format)
                # Nothing is ever building, so nothing is pending.
                body.update({"pending_summary": "", "diff": text})
            return QueryResult(200, body)

        # Only the diff needs the (rolled back) writes; a plain status is a read.
        diffing = params.diff_format is not None
        return self._run(principal, answer, write=diffing, commit=False)

    def commit(self, principal: Principal, params: SchemaParams) -> QueryResult:
        """``/staged/commit``: the staged files become the active schema."""

        def answer(session: QuerySession) -> QueryResult:
            from faunalite.schema_staged import clear_staged_files

            self._staged_checks(session, principal, params)
            staged = staged_view(session)
            if staged is None:
                raise SchemaFailure(400, NOTHING_TO_COMMIT)
            clear_staged_files(session)
            _commit_files(session, staged)
            return QueryResult(200, {"version": session.txn_ts})

        return self._run(principal, answer, write=True)

    def abandon(self, principal: Principal, params: SchemaParams) -> QueryResult:
        """``/staged/abandon``: the staged files are dropped; the active schema stays."""

        def answer(session: QuerySession) -> QueryResult:
            from faunalite.model.schema import mark_schema_changed
            from faunalite.schema_staged import clear_staged_files, staged_files

            self._staged_checks(session, principal, params)
            if staged_files(session) is None:
                raise SchemaFailure(400, NOTHING_TO_ABANDON)
            clear_staged_files(session)
            mark_schema_changed(session)
            return QueryResult(200, {"version": session.txn_ts})

        return self._run(principal, answer, write=True)

    # -- machinery ------------------------------------------------------------------------------

    def _stage(
        self, principal: Principal, params: SchemaParams, files: Mapping[str, str]
    ) -> QueryResult:
        """Check ``files`` as a push (applied, then rolled back), then keep them staged."""

        def check(session: QuerySession) -> QueryResult:
            self._write_checks(session, params)
            if not principal.database:
                raise SchemaFailure(400, ROOT_STAGING)
            _apply(session, files)
            return QueryResult(200, {})

        checked = self._run(principal, check, write=True, commit=False)
        if checked.status != 200:
            return checked

        def store(session: QuerySession) -> QueryResult:
            from faunalite.model.schema import mark_schema_changed
            from faunalite.schema_staged import stage_files

            self._write_checks(session, params)
            stage_files(session, files, _served_files(session))
            mark_schema_changed(session)
            return QueryResult(200, {"version": session.txn_ts})

        return self._run(principal, store, write=True)

    def _has_staged(self, principal: Principal) -> bool:
        """Whether the principal's database has a staged schema (``False`` when it cannot be
        read: the endpoint then reports why)."""
        from faunalite.schema_staged import staged_files

        def answer(session: QuerySession) -> QueryResult:
            return QueryResult(200, {"staged": staged_files(session) is not None})

        found = self._run(principal, answer)
        return found.status == 200 and found.body == {"staged": True}

    def _write_checks(self, session: QuerySession, params: SchemaParams) -> None:
        """FaunaDB's ``checkWritePermission`` then ``checkSchemaVersion``: a key that may not
        write schema may not store files either, even when they change no item."""
        session.require_write()
        self._checked_version(session, params)

    def _staged_checks(
        self, session: QuerySession, principal: Principal, params: SchemaParams
    ) -> None:
        """What ``commit`` and ``abandon`` check first, in FaunaDB's order: write
        permission, not the root database, then the version."""
        session.require_write()
        if not principal.database:
            raise SchemaFailure(400, ROOT_STAGING)
        self._checked_version(session, params)

    def _checked_version(self, session: QuerySession, params: SchemaParams) -> int:
        """FaunaDB's ``checkSchemaVersion``: the current version, or a stale-version failure
        when ``version`` is given, ``force`` is not, and they differ. Every route needs the
        right to read schema first."""
        session.require_read()
        current = self.engine.model.schema_version(session)
        if not params.force and params.version is not None and params.version != current:
            raise SchemaFailure(409, STALE_VERSION)
        return current

    def _run(
        self,
        principal: Principal,
        answer: Callable[[QuerySession], QueryResult],
        *,
        write: bool = False,
        commit: bool = True,
    ) -> QueryResult:
        from faunalite.model.hooks import UnknownDatabase

        try:
            with self._session(principal, write=write, commit=commit) as session:
                try:
                    return answer(session)
                except (SchemaFailure, SchemaError, QueryError):
                    session.rollback()
                    raise
        except SchemaFailure as failure:
            return error_reply(failure.status, failure.message)
        except SchemaError as error:
            return error_reply(400, error.message)
        except QueryError as error:
            if error.code == "permission_denied":
                return error_reply(403, "Access denied")
            return error_reply(400, _failure_message(error))
        except UnknownDatabase:
            return QueryResult(
                401,
                {"error": {"message": "Access token required"}},
                (("www-authenticate", "Bearer"),),
            )

    @contextmanager
    def _session(self, principal: Principal, *, write: bool, commit: bool) -> Iterator[Any]:
        model = self.engine.model
        if not write:
            with model.query_session(principal.database, principal.role, write=False) as session:
                yield session
            return
        # Writers (queries and schema pushes alike) queue for the storage's single writer.
        with model.query_session(principal.database, principal.role) as session:
            yield session
            if not commit:
                session.rollback()


def _failure_message(error: QueryError) -> str:
    """A refused change's message, with the constraint failures that say why."""
    lines = [error.message]
    if error.constraint_failures:
        lines.append("constraint failures:")
        for failure in error.constraint_failures:
            paths = failure.get("paths") or [[]]
            where = ".".join(str(part) for part in paths[0]) if paths else ""
            lines.append(
                f"  {where}: {failure.get('message', '')}"
                if where
                else f"  {failure.get('message', '')}"
            )
    return "\n".join(lines)


# -- reading the current schema ------------------------------------------------------------------


def _evaluate(session: QuerySession, text: str, bindings: Mapping[str, Any]) -> Any:
    """Run FQL ``text`` in ``session`` with ``bindings`` (plain JSON) as variables; the result
    in the simple format. Raises ``QueryError``."""
    from faunalite.fql.context import QueryContext
    from faunalite.fql.interpreter import run_query
    from faunalite.fql.parser import parse_query
    from faunalite.fql.values import Time
    from faunalite.model.set_cursors import materialize_result
    from faunalite.wire.decoding import decode_simple
    from faunalite.wire.encoding import ValueEncoder

    context = QueryContext(
        snapshot_time=Time(session.txn_ts * 1000),
        id_source=session.new_id,
        storage=session,
    )
    context.bindings = {name: decode_simple(value) for name, value in bindings.items()}
    session.stats = context.stats
    session.query_context = context
    try:
        tree = parse_query(text, "*schema*")
    except QueryCheckError as error:  # a bug here: the text is ours
        raise QueryError("invalid_query", error.diagnostics[0].message) from error
    value = materialize_result(run_query(tree, context), context)
    return ValueEncoder(tagged=False, transaction_time=context.snapshot_time).encode(value)


def current_items(session: QuerySession) -> list[f.Item]:
    """The database's collections, functions, roles and access providers, as FSL items."""
    found = _evaluate(session, _CURRENT_ITEMS, {})
    items: list[f.Item] = [collection_from_definition(doc) for doc in found["collections"]]
    items += [function_from_definition(doc) for doc in found["functions"]]
    items += [role_from_definition(doc) for doc in found["roles"]]
    items += [access_provider_from_definition(doc) for doc in found["access_providers"]]
    return items


def _files_for(session: QuerySession, *, staged: bool) -> dict[str, str]:
    """The files ``GET /files`` serves: with ``staged``, the staged files when a schema is
    staged; otherwise (and when nothing is staged) the active ones."""
    found = staged_view(session) if staged else None
    return found if found is not None else _served_files(session)


def staged_view(session: QuerySession) -> dict[str, str] | None:
    """The staged schema's files, ``None`` when nothing is staged.

    In FaunaDB, schema written with FQL after a staging goes to the staged schema, and the
    staged files then include it. faunalite applies such writes at once; the items created
    with FQL since the staging (not in the files served then, nor in the staged files) are
    added to the staged ``main.fsl`` here, so a commit keeps them."""
    from faunalite.schema_staged import staged_base, staged_files

    staged = staged_files(session)
    base = staged_base(session) if staged is not None else None
    if staged is None or base is None:
        return staged
    try:
        declared = {
            (item_kind(item), item.name.text)
            for files in (base, staged)
            for schema in parse_schema(files)
            for item in schema.items
        }
    except SchemaError:
        return staged
    added = [
        item for item in current_items(session) if (item_kind(item), item.name.text) not in declared
    ]
    if not added:
        return staged
    extra = generated_schema(added).removeprefix(PREAMBLE).lstrip("\n")
    main = staged.get(MAIN_FILE, "").rstrip("\n")
    return {**staged, MAIN_FILE: (main + "\n\n" if main else "") + extra}


def _served_files(session: QuerySession) -> dict[str, str]:
    """What ``GET /files`` lists: the files that describe the database's schema.

    For a schema made with FQL, the generated ``main.fsl`` (no file for an empty schema).
    After a push, the pushed files, with items created in FQL since appended to ``main.fsl``
    (where FaunaDB adds them); once FQL has changed or deleted a pushed item the files no
    longer describe the schema, and the generated ``main.fsl`` is served instead."""
    from faunalite.model.schema_files import stored_files

    items = current_items(session)
    pushed = stored_files(session)
    generated = generated_schema(items)
    regenerated = {MAIN_FILE: generated} if generated else {}
    if pushed is None:
        return regenerated
    try:
        declared = [item for schema in parse_schema(pushed) for item in schema.items]
    except SchemaError:
        return regenerated
    drift = schema_changes(items, declared)
    if any(change.action != "delete" for change in drift):
        return regenerated
    added = [change.item for change in drift]
    if not added:
        return pushed
    extra = generated_schema(added).removeprefix(PREAMBLE).lstrip("\n")
    main = pushed.get(MAIN_FILE, "").rstrip("\n")
    return {**pushed, MAIN_FILE: (main + "\n\n" if main else "") + extra}


# -- applying a schema ---------------------------------------------------------------------------


def proposed_items(files: Mapping[str, str]) -> list[f.Item]:
    """The items of pushed files (``SchemaError`` when they do not parse or clash)."""
    return [item for schema in parse_schema(files) for item in schema.items]


def change_query(changes: list[SchemaChange]) -> tuple[str, dict[str, Any]]:
    """The FQL that makes ``changes`` (one statement each) and its variables."""
    lines: list[str] = []
    bindings: dict[str, Any] = {}
    for number, change in enumerate(changes):
        module = _MODULES[change.kind]
        name_var, doc_var = f"fslName{number}", f"fslItem{number}"
        bindings[name_var] = change.name
        if change.action == "create":
            bindings[doc_var] = definition(change.item)
            lines.append(f"{module}.create({doc_var})")
        elif change.action == "update":
            bindings[doc_var] = definition(change.item)
            lines.append(f"{module}.byName({name_var})!.replace({doc_var})")
        else:
            lines.append(f"{module}.byName({name_var})!.delete()")
    lines.append("null")
    return "\n".join(lines), bindings


def _located(session: QuerySession, items: list[f.Item]) -> list[f.Item]:
    """``items`` with each one the pushed files still declare as it is replaced by that
    declaration, so a diff can say where a removed item was."""
    from faunalite.model.schema_files import stored_files

    pushed = stored_files(session)
    if not pushed:
        return items
    try:
        declared = {
            (item_kind(item), item.name.text): item
            for schema in parse_schema(pushed)
            for item in schema.items
        }
    except SchemaError:
        return items
    located: list[f.Item] = []
    for item in items:
        found = declared.get((item_kind(item), item.name.text))
        same = found is not None and definition(found) == definition(item)
        located.append(found if same and found is not None else item)
    return located


def _commit_files(session: QuerySession, files: Mapping[str, str]) -> None:
    """Make ``files`` the database's schema in ``session``: apply them, store them and
    record the schema change."""
    from faunalite.model.schema import mark_schema_changed
    from faunalite.model.schema_files import store_files

    _apply(session, files)
    store_files(session, files)
    mark_schema_changed(session)


def _apply(
    session: QuerySession, files: Mapping[str, str], *, dry: bool = False
) -> list[SchemaChange]:
    """Make the changes ``files`` call for in ``session`` (only compute them if ``dry``);
    return them."""
    changes = schema_changes(_located(session, current_items(session)), proposed_items(files))
    if changes and not dry:
        text, bindings = change_query(changes)
        _evaluate(session, text, bindings)
    return changes


__all__ = [
    "MAIN_FILE",
    "NOTHING_TO_ABANDON",
    "NOTHING_TO_COMMIT",
    "ROOT_STAGING",
    "STALE_VERSION",
    "SchemaFailure",
    "SchemaParams",
    "SchemaService",
    "change_query",
    "current_items",
    "proposed_items",
    "staged_view",
]
