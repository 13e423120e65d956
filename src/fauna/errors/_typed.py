"""``ResultTypeError``: a query result (or event, or page) that does not fit the ``into`` type.

Raised by ``Client.query(..., into=T)`` and its relatives after FaunaDB answered: the query ran
(and any writes it made are committed), but its value has another shape than ``T``. The error
says where (``path``, e.g. ``$.data[3].age``) and keeps the decoded value (``raw``) so nothing
FaunaDB returned is lost. Converting values is ``fauna.encoding._typed``'s job, not this module's.
"""

from __future__ import annotations

from typing import Any

from fauna.errors.errors import ClientError

__all__ = ["ResultTypeError"]


class ResultTypeError(ClientError):
    """A decoded value does not fit the type asked for with ``into``.

    ``str(error)`` is ``"<path>: <problem>"``, for example
    ``"$.data[3].age: expected int, got str"``, followed by what was being converted.

    Attributes: ``path`` (``$`` is the value ``into`` describes: a query's ``data``, one page
    of ``paginate`` as a list, an event's ``data``), ``problem`` (``"expected int, got str"``),
    ``into`` (the type asked for), ``raw`` (the whole decoded value, untouched; for a query
    it is the untyped ``QuerySuccess``).
    """

    def __init__(self, path: str, problem: str, into: Any = None, raw: Any = None) -> None:
        super().__init__(path, problem)
        self.path = path
        self.problem = problem
        self.into = into
        self.raw = raw

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.path, self.problem, self.into, self.raw)
