"""The staged schema of a database (``/schema/1/update?staged=true``), kept beside its files.

FaunaDB stages a push by pinning the active schema version and writing the new schema after
it (``model/schema/SchemaStatus.scala``: ``pin``, ``commit``, ``abandon``): queries keep seeing
the pinned schema until the staged one is committed or abandoned. faunalite keeps the staged
files themselves instead, unapplied, in the database's ``#schema`` bookkeeping collection
(``SCHEMA_META``), document ``staged_files``: ``{"files": {filename: content, ...}}``, so they
share the database's storage, lifetime and durability. Committing applies them as a push
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


def stage_files(session: QuerySession, files: Mapping[str, str]) -> None:
    """Make ``files`` the staged schema, replacing any staged before."""
    session.txn.put(session.scope, SCHEMA_META, STAGED_FILES_KEY, {"files": dict(files)})


def clear_staged_files(session: QuerySession) -> None:
    """Drop the staged schema (after a commit or an abandon)."""
    session.txn.delete(session.scope, SCHEMA_META, STAGED_FILES_KEY)


__all__ = ["STAGED_FILES_KEY", "clear_staged_files", "stage_files", "staged_files"]
