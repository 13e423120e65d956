"""Set-pagination state, with no I/O.

FaunaDB returns the first page of a set as ``@set {data, after}``; the next
page comes from running ``Set.paginate(<after>)``, whose result is a plain
``{data, after}`` object. ``SetPagination`` turns results into pages and
says which query to run next; the shells run the queries.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fauna.query import Page, Query, fql


def next_page_query(after: str) -> Query:
    """The query that fetches the page after cursor ``after``."""
    return fql("Set.paginate(${after})", after=after)


class SetPagination:
    """Pages of a set, starting from a ``Query`` or a ``Page`` found in a result."""

    def __init__(self, start: Query | Page) -> None:
        if isinstance(start, Page):
            self._pending_query: Query | None = None
            self._after: str | None = None
            self._initial: list[Any] | None = self._take(start.data, start.after)
        elif isinstance(start, Query):
            self._pending_query = start
            self._initial = None
            self._after = None
        else:
            raise TypeError(
                # The original driver's wording, which existing code may match on.
                f"'fql' must be a Query but was a {type(start)}. You can build a Query by "
                "calling fauna.fql()"
            )
        self._first = isinstance(start, Query)

    def initial_page(self) -> list[Any] | None:
        """Items already at hand when starting from a ``Page`` (no request needed)."""
        page, self._initial = self._initial, None
        return page

    def next_query(self) -> Query | None:
        """The query producing the next page, or ``None`` when the set is exhausted."""
        if self._pending_query is not None:
            query, self._pending_query = self._pending_query, None
            return query
        if self._after is not None:
            return next_page_query(self._after)
        return None

    def accept(self, data: Any) -> list[Any]:
        """The items of the page in query result ``data``."""
        first, self._first = self._first, False
        if isinstance(data, Page):
            return self._take(data.data, data.after) or []
        if not first and isinstance(data, Mapping) and "data" in data:
            return self._take(data.get("data"), data.get("after")) or []
        # A query whose result is not a set is a single page holding that value.
        self._after = None
        return [data]

    def _take(self, items: Any, after: Any) -> list[Any] | None:
        self._after = after if isinstance(after, str) else None
        return None if items is None else list(items)
