"""FQL query failures: FaunaDB's error code, its message, and where it happened.

Every failure a query can meet, from a syntax error to ``abort()``, is a ``QueryError``. The
server turns it into FaunaDB's error response (HTTP 400 with ``error.code``, ``error.message``
and a rendered ``summary``). Python exceptions other than ``QueryError`` escaping the engine
are bugs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from faunalite.fql.span import Span


@dataclass(slots=True)
class Hint:
    """A secondary note rendered after the main error, e.g. ``hint: Null value created here``."""

    kind: str  # "hint" | "cause"
    message: str
    span: Span | None


class QueryError(Exception):
    """A query failure with FaunaDB's ``code`` and ``message``.

    ``span`` is the innermost place the error is reported at; ``trace`` the outer call frames
    (innermost first) added as the error unwinds through function calls. ``abort`` carries the
    value given to ``abort()``; ``constraint_failures`` the list FaunaDB returns for
    ``constraint_failure`` errors.
    """

    def __init__(
        self,
        code: str,
        message: str,
        span: Span | None = None,
        *,
        hints: list[Hint] | None = None,
        abort: Any = None,
        constraint_failures: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.span = span
        self.hints: list[Hint] = hints or []
        self.trace: list[Span] = []
        self.abort = abort
        self.constraint_failures = constraint_failures

    def at(self, span: Span | None) -> QueryError:
        """Give the error a position if it has none yet (stdlib code raises without one)."""
        if self.span is None:
            self.span = span
        return self

    def __repr__(self) -> str:
        return f"QueryError({self.code!r}, {self.message!r})"


class RequestLevelError(QueryError):
    """A failure FaunaDB reports as a protocol error, ``{"error": {code, message}}`` with no
    summary or stats, though it happens while the query runs (a read older than a
    collection's retained history)."""


@dataclass(slots=True)
class CheckDiagnostic:
    """One static-check problem (e.g. a parse error) found before the query runs."""

    message: str
    span: Span
    annotation: str | None = None
    hints: list[Hint] = field(default_factory=list)


class QueryCheckError(QueryError):
    """The query failed validation (``invalid_query``), e.g. it does not parse.

    FaunaDB's message is ``The query failed N validation check(s)``; the detail of each check
    is only in the summary.
    """

    def __init__(self, diagnostics: list[CheckDiagnostic]) -> None:
        n = len(diagnostics)
        super().__init__(
            "invalid_query",
            f"The query failed {n} validation check" + ("" if n == 1 else "s"),
            diagnostics[0].span if diagnostics else None,
        )
        self.diagnostics = diagnostics
