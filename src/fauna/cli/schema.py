"""``fauna schema``: FaunaDB's ``/schema/1`` API (FSL files) for the command.

``SchemaApi`` makes one HTTP call per method and returns FaunaDB's JSON reply; the shapes are
FaunaDB's (``API/schema/SchemaResponse.scala``). Around it, plain functions with no network:
``gather_fsl`` reads a directory's ``*.fsl`` files, ``plan_pull`` decides what a pull adds,
overwrites or deletes, and ``schema_error`` maps a failed reply to the command's error.
Not here: flags, prompts and printing (``fauna.cli.schema_commands``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import httpx

from fauna.cli.connection import EXIT_UNAUTHORIZED, CliError, Unreachable, UsageError

DiffFormat = Literal["semantic", "summary", "textual"]

EXIT_SCHEMA_REJECTED = 5
EXIT_NO_SCHEMA_API = 6

MAX_FILES = 1024
"""FaunaDB's limit on the files of one schema, ``main.fsl`` counted even when absent
(``SchemaRequest.MaxFiles``)."""


class SchemaRejected(CliError):
    """FaunaDB refused a schema call (invalid FSL, stale version, ...): its message as sent,
    exit code 5 (3 when the secret may not do it)."""

    exit_code = EXIT_SCHEMA_REJECTED

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        if status in (401, 403):
            self.exit_code = EXIT_UNAUTHORIZED


class NoSchemaApi(CliError):
    """The endpoint has no ``/schema/1`` API (HTTP 404 or 501): exit code 6."""

    exit_code = EXIT_NO_SCHEMA_API


STALE_HINT = (
    "the schema changed on the server since it was read; run the command again, "
    "or pass --force to skip the version check"
)


def schema_error(status: int, body: Any, endpoint: str, path: str) -> CliError:
    """The error for a reply with HTTP ``status`` and JSON ``body`` (``None`` if not JSON) to
    ``path``. A 404 on a single file is that file missing; any other 404, and any 501, means
    the server does not serve the schema API at all."""
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    single_file = path.startswith("/schema/1/files/")
    if status == 501 or (status == 404 and not single_file):
        detail = f": {message}" if isinstance(message, str) and message else ""
        return NoSchemaApi(
            f"{endpoint} does not serve FaunaDB's schema API (HTTP {status} for {path}){detail}"
        )
    if not isinstance(message, str):
        return Unreachable(
            f"{endpoint} answered HTTP {status} for {path} without FaunaDB's error shape; "
            "is it a FaunaDB endpoint?"
        )
    if status == 409:
        return SchemaRejected(status, f"{message}\n({STALE_HINT})")
    return SchemaRejected(status, message)


def gather_fsl(directory: str | Path) -> dict[str, str]:
    """Every ``*.fsl`` file under ``directory`` (recursively), by its name relative to
    ``directory`` with ``/`` separators, in name order."""
    root = Path(directory)
    if not root.is_dir():
        raise UsageError(f"{directory} is not a directory")
    files: dict[str, str] = {}
    for path in sorted(root.rglob("*.fsl")):
        if not path.is_file():
            continue
        name = path.relative_to(root).as_posix()
        try:
            files[name] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UsageError(f"cannot read {path}: {error}")
    return files


def check_file_count(files: Mapping[str, str]) -> None:
    """Refuse, before sending, a set of files FaunaDB would refuse as "Too many files"."""
    limit = MAX_FILES if "main.fsl" in files else MAX_FILES - 1
    if len(files) > limit:
        raise UsageError(
            f"{len(files)} .fsl files, but FaunaDB takes at most {limit} in one schema"
            + ("" if "main.fsl" in files else " without a main.fsl")
        )


@dataclass
class PullPlan:
    """What ``fauna schema pull`` does to the local directory."""

    adds: list[str] = field(default_factory=list)
    overwrites: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)

    @property
    def loses_local_text(self) -> bool:
        """Whether carrying it out replaces or removes text that exists only locally."""
        return bool(self.overwrites or self.deletes)


def plan_pull(remote: Mapping[str, str], local: Mapping[str, str], *, delete: bool) -> PullPlan:
    """The plan for writing ``remote`` files over ``local`` ones (both name → content);
    local files the server lacks are deleted only with ``delete``."""
    plan = PullPlan()
    for name in sorted(remote):
        if name not in local:
            plan.adds.append(name)
        elif local[name] == remote[name]:
            plan.unchanged.append(name)
        else:
            plan.overwrites.append(name)
    if delete:
        plan.deletes = sorted(name for name in local if name not in remote)
    return plan


class SchemaApi:
    """Calls to ``/schema/1`` on one endpoint with one secret."""

    def __init__(self, endpoint: str, secret: str, http: httpx.Client) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.secret = secret
        self._http = http

    def _call(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None = None,
        files: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.secret}"}
        parts = None
        if files is not None:
            # FaunaDB reads one part per file, named by the file's name.
            parts = [
                (name, (name, content.encode("utf-8"), "application/octet-stream"))
                for name, content in files.items()
            ]
        try:
            response = self._http.request(
                method,
                f"{self.endpoint}{path}",
                params=dict(params or {}),
                headers=headers,
                files=parts,
            )
        except httpx.TimeoutException:
            raise Unreachable(f"no answer from {self.endpoint} in time")
        except httpx.HTTPError as error:
            raise Unreachable(f"cannot reach {self.endpoint}: {error}")
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400:
            raise schema_error(response.status_code, body, self.endpoint, path)
        if not isinstance(body, dict):
            raise Unreachable(
                f"{self.endpoint} answered {path} with a body that is not a JSON object; "
                "is it a FaunaDB endpoint?"
            )
        return body

    def files(self, *, staged: bool = False) -> dict[str, Any]:
        """``{"version": n, "files": [{"filename": ...}, ...]}``."""
        params = {"staged": "true"} if staged else {}
        return self._call("GET", "/schema/1/files", params)

    def file(self, filename: str, *, version: int | None = None, staged: bool = False) -> str:
        """The FSL text of one file (its name URL-encoded, ``/`` included)."""
        params: dict[str, str] = {"staged": "true"} if staged else {}
        if version is not None:
            params["version"] = str(version)
        reply = self._call("GET", f"/schema/1/files/{quote(filename, safe='')}", params)
        content = reply.get("content")
        if not isinstance(content, str):
            raise Unreachable(f"{self.endpoint} sent no content for {filename}")
        return content

    def update(
        self,
        files: Mapping[str, str],
        *,
        version: int | None = None,
        force: bool = False,
        staged: bool = False,
    ) -> dict[str, Any]:
        """Replace the database's schema with ``files``: ``{"version": n}``."""
        params: dict[str, str] = {}
        if force:
            params["force"] = "true"
        elif version is not None:
            params["version"] = str(version)
        if staged:
            params["staged"] = "true"
        return self._call("POST", "/schema/1/update", params, files)

    def diff(
        self,
        files: Mapping[str, str],
        *,
        format: DiffFormat = "semantic",
        staged: bool = False,
        validate_only: bool = False,
    ) -> dict[str, Any]:
        """What pushing ``files`` would change: ``{"version": n, "diff": "..."}``. With
        ``staged``, relative to the staged schema; ``validate_only`` uses ``/validate``."""
        params: dict[str, str] = {"format": format}
        if staged:
            params["staged"] = "true"
        route = "/schema/1/validate" if validate_only else "/schema/1/diff"
        return self._call("POST", route, params, files)

    def status(self, *, format: DiffFormat | None = None) -> dict[str, Any]:
        """The staged schema's state: ``{"version": n, "status": "none|pending|ready|failed"}``
        plus ``pending_summary`` and ``diff`` when ``format`` is given."""
        params = {"format": format} if format else {}
        return self._call("GET", "/schema/1/staged/status", params)

    def finish_staged(
        self, action: Literal["commit", "abandon"], *, version: int | None, force: bool = False
    ) -> dict[str, Any]:
        """Commit or abandon the staged schema: ``{"version": n}``."""
        params: dict[str, str] = {}
        if force:
            params["force"] = "true"
        elif version is not None:
            params["version"] = str(version)
        return self._call("POST", f"/schema/1/staged/{action}", params)
