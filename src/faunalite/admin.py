"""Administration of a running faunalite that FaunaDB has no query for: reset, seed, schema.

``reset(engine)`` empties the root database (child databases with everything in them, keys,
functions, roles, collections and their documents) without a restart; ``seed(engine, dir)``
loads a ``fauna export`` directory (``fauna.cli.transfer``) into it. Both run ordinary FQL as the
root admin through ``EngineRunner``, the in-process counterpart of ``fauna.cli``'s HTTP
``WireSession``, so they obey the same rules as any query. ``load_schema(engine, dir)`` pushes
the ``.fsl`` files of a directory into the root database as ``/schema/1/update`` would
(``faunalite.schema_sync``). Not here: the HTTP route (``faunalite.server.admin``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fauna.cli.connection import QueryFailed
from fauna.cli.transfer import Progress, import_database
from faunalite.engine import Engine, Principal, QueryRequest
from faunalite.wire.request import parse_query_body

# Roles go before collections and functions because their privileges name them.
_RESET_QUERY = """
Database.all().forEach(.delete())
Key.all().forEach(.delete())
Role.all().forEach(.delete())
Function.all().forEach(.delete())
Collection.all().forEach(.delete())
null
"""


class EngineRunner:
    """Runs tagged-format queries on ``engine`` as admin of the database at ``path``."""

    def __init__(self, engine: Engine, path: tuple[str, ...] = ()) -> None:
        self.engine = engine
        self.path = path

    def child(self, database: str) -> EngineRunner:
        return EngineRunner(self.engine, (*self.path, database))

    def query(self, fql: str, arguments: dict[str, Any] | None = None) -> Any:
        body = parse_query_body(json.dumps({"query": fql, "arguments": arguments or {}}).encode())
        request = QueryRequest(body=body, principal=Principal(self.path), format="tagged")
        result = self.engine.run(request)
        error = result.body.get("error")
        if isinstance(error, dict):
            summary = result.body.get("summary")
            raise QueryFailed(
                result.status,
                str(error.get("code")),
                str(error.get("message")),
                summary if isinstance(summary, str) else "",
            )
        return result.body.get("data")


def reset(engine: Engine) -> None:
    """Delete everything in the root database: afterwards it is as a fresh server's."""
    EngineRunner(engine).query(_RESET_QUERY)


def seed(engine: Engine, directory: str | Path, *, progress: Progress | None = None) -> int:
    """Import a ``fauna export`` directory into the root database; the documents loaded."""
    counts = import_database(EngineRunner(engine), directory, progress=progress or _quiet)
    return sum(counts.values())


def _quiet(message: str) -> None:
    return None


class SchemaLoadFailed(Exception):
    """FaunaDB's refusal of a schema (its ``/schema/1`` message: FSL errors with positions)."""


def load_schema(engine: Engine, directory: str | Path) -> int:
    """Push every ``.fsl`` file under ``directory`` into the root database, applied at once
    (``/schema/1/update?force=true``); returns how many files. Raises ``SchemaLoadFailed``."""
    from fauna.cli.schema import gather_fsl
    from faunalite.schema_sync import SchemaParams, SchemaService

    files = gather_fsl(Path(directory))
    reply = SchemaService(engine).update(Principal(), SchemaParams(force=True), files)
    if reply.status != 200:
        error = reply.body.get("error")
        message = error.get("message") if isinstance(error, dict) else None
        raise SchemaLoadFailed(str(message or reply.body))
    return len(files)
