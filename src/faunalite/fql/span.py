"""Source positions: where in which source text an AST node or an error sits.

A ``Span`` is a half-open range of character offsets into one ``Source``. Spans are what error
summaries point at (see ``faunalite.fql.diagnostics``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Source:
    """A named source text: ``*query*`` for the request, ``*udf:Name*`` for a function body."""

    name: str
    text: str


QUERY_SOURCE_NAME = "*query*"


@dataclass(frozen=True, slots=True)
class Span:
    """Characters ``start`` (inclusive) to ``end`` (exclusive) of ``source``."""

    start: int
    end: int
    source: Source

    def to(self, other: Span) -> Span:
        """The span covering ``self`` through ``other`` (same source)."""
        return Span(min(self.start, other.start), max(self.end, other.end), self.source)
