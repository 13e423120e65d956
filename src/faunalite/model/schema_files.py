"""The FSL files pushed to a database (``/schema/1/update``), kept with its schema.

They live in the database's ``#schema`` bookkeeping collection (``SCHEMA_META``), document
``files``: ``{"files": {filename: content, ...}}``, written in the transaction that applies
them, so they share the database's storage, its lifetime and its durability. A database whose
schema was only made with FQL has no such document (``stored_files`` is ``None``).

This module stores and reads; what a push changes is ``faunalite.schema_sync``'s business.
"""

from __future__ import annotations

from collections.abc import Mapping

from faunalite.model.session import SCHEMA_META, QuerySession

FILES_KEY = "files"


def stored_files(session: QuerySession) -> dict[str, str] | None:
    """The pushed files by name, in push order; ``None`` if none were ever pushed."""
    found = session.txn.get(session.scope, SCHEMA_META, FILES_KEY)
    if found is None or not isinstance(found.data, dict):
        return None
    files = found.data.get("files")
    if not isinstance(files, dict):
        return None
    return {str(name): str(content) for name, content in files.items()}


def store_files(session: QuerySession, files: Mapping[str, str]) -> None:
    """Replace the stored files with ``files`` (the caller also marks the schema changed)."""
    session.txn.put(session.scope, SCHEMA_META, FILES_KEY, {"files": dict(files)})
