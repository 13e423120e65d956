"""The staged schema of a database (``/schema/1/update?staged=true``), kept beside its files.

FaunaDB stages a push by pinning the active schema version and writing the new schema after
it (``model/schema/SchemaStatus.scala``: ``pin``, ``commit``, ``abandon``): queries keep seeing
the pinned schema until the staged one is committed or abandoned. faunalite keeps the staged
files themselves instead, unapplied, in the database's ``#schema`` bookkeeping collection
(``SCHEMA_META``), document ``staged_files``: ``{"files": {filename: content, ...}, "base":
{...}}``, so they share the database's storage, lifetime and durability. ``base`` is what
``GET /files`` served when they were staged, so that items created with FQL since can be told
apart (FaunaDB puts such writes in the staged schema). Committing applies them as a push
would; abandoning drops them. A database with nothing staged has no such document.

This module stores and reads; what staging, committing and abandoning mean is
``faunalite.schema_sync``'s business.
"""

from __future__ import annotations

from collections.abc import Mapping

from faunalite.model.session import SCHEMA_META, QuerySession

STAGED_FILES_KEY = "staged_files"


def staged_files(session: QuerySession) -> dict[str, str] | None:
    """The staged files by name, in push order; ``None`` when nothing is staged (an empty
    mapping is a staged schema that deletes every item)."""
    found = session.txn.get(session.scope, SCHEMA_META, STAGED_FILES_KEY)
    if found is None or not isinstance(found.data, dict):
        return None
    files = found.data.get("files")
    if not isinstance(files, dict):
        return None
    return {str(name): str(content) for name, content in files.items()}


def staged_base(session: QuerySession) -> dict[str, str] | None:
    """The active files as they were served when the staged files were staged."""
    found = session.txn.get(session.scope, SCHEMA_META, STAGED_FILES_KEY)
    if found is None or not isinstance(found.data, dict):
        return None
    base = found.data.get("base")
    if not isinstance(base, dict):
        return None
    return {str(name): str(content) for name, content in base.items()}


def stage_files(session: QuerySession, files: Mapping[str, str], base: Mapping[str, str]) -> None:
    """Make ``files`` the staged schema, replacing any staged before; ``base`` is the active
    files as served now."""
    document = {"files": dict(files), "base": dict(base)}
    session.txn.put(session.scope, SCHEMA_META, STAGED_FILES_KEY, document)


def clear_staged_files(session: QuerySession) -> None:
    """Drop the staged schema (after a commit or an abandon)."""
    session.txn.delete(session.scope, SCHEMA_META, STAGED_FILES_KEY)


__all__ = [
    "STAGED_FILES_KEY",
    "clear_staged_files",
    "stage_files",
    "staged_base",
    "staged_files",
]
