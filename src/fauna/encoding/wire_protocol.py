"""What a query returns besides its data: stats, tags, summary, and the success envelope.

``QuerySuccess`` is the result of ``Client.query``; ``QueryInfo`` holds the fields shared with
``ServiceError``. Parsing HTTP responses is the client's job; these classes only hold values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic

if TYPE_CHECKING:
    # A default makes a bare ``QuerySuccess`` mean ``QuerySuccess[Any]`` to type checkers.
    from typing_extensions import TypeVar

    DataT = TypeVar("DataT", default=Any)
else:
    from typing import TypeVar

    DataT = TypeVar("DataT")

__all__ = ["ConstraintFailure", "QueryInfo", "QueryStats", "QuerySuccess", "QueryTags"]

_STAT_NAMES = (
    "compute_ops",
    "read_ops",
    "write_ops",
    "query_time_ms",
    "storage_bytes_read",
    "storage_bytes_write",
    "contention_retries",
)


class QueryStats:
    """The cost of a query as FaunaDB reports it; every figure is 0 when absent.

    ``attempts`` is filled in by the client: how many times the query was sent (retries included).
    """

    def __init__(self, stats: Mapping[str, Any]) -> None:
        """Read the figures from a response's ``stats`` object.

        :param stats: ``compute_ops``, ``read_ops``, ``write_ops``, ``query_time_ms``,
            ``storage_bytes_read``, ``storage_bytes_write``, ``contention_retries`` (and
            ``attempts``); other keys are ignored.
        """
        get = stats.get
        self._compute_ops: int = get("compute_ops", 0)
        self._read_ops: int = get("read_ops", 0)
        self._write_ops: int = get("write_ops", 0)
        self._query_time_ms: int = get("query_time_ms", 0)
        self._storage_bytes_read: int = get("storage_bytes_read", 0)
        self._storage_bytes_write: int = get("storage_bytes_write", 0)
        self._contention_retries: int = get("contention_retries", 0)
        self._attempts: int = get("attempts", 0)

    @property
    def compute_ops(self) -> int:
        """Transactional compute operations the query used."""
        return self._compute_ops

    @property
    def read_ops(self) -> int:
        """Transactional read operations the query used."""
        return self._read_ops

    @property
    def write_ops(self) -> int:
        """Transactional write operations the query used."""
        return self._write_ops

    @property
    def query_time_ms(self) -> int:
        """Time FaunaDB spent running the query, in milliseconds."""
        return self._query_time_ms

    @property
    def storage_bytes_read(self) -> int:
        """Bytes read from storage by the query."""
        return self._storage_bytes_read

    @property
    def storage_bytes_write(self) -> int:
        """Bytes written to storage by the query."""
        return self._storage_bytes_write

    @property
    def contention_retries(self) -> int:
        """How many times FaunaDB retried the query after transaction contention."""
        return self._contention_retries

    @property
    def attempts(self) -> int:
        """How many times the client sent the query, retries included (set by the client)."""
        return self._attempts

    @attempts.setter
    def attempts(self, value: int) -> None:
        self._attempts = value

    def as_dict(self) -> dict[str, int]:
        """The figures as a plain dict (the same keys as the ``repr``)."""
        figures = {name: getattr(self, name) for name in _STAT_NAMES}
        figures["attempts"] = self._attempts
        return figures

    def __repr__(self) -> str:
        return f"{type(self).__name__}(stats={self.as_dict()!r})"

    def __eq__(self, other: object) -> bool:
        return (
            type(self) is type(other)
            and isinstance(other, QueryStats)
            and (self.as_dict() == other.as_dict())
        )

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]


class QueryInfo:
    """Information FaunaDB returns with every query outcome, success or failure.

    Missing (or falsy) values become the defaults: no tags ``{}``, zero stats, empty summary,
    ``txn_ts`` 0 and ``schema_version`` 0.
    """

    def __init__(
        self,
        query_tags: Mapping[str, str] | None = None,
        stats: QueryStats | None = None,
        summary: str | None = None,
        txn_ts: int | None = None,
        schema_version: int | None = None,
    ) -> None:
        self._query_tags: Mapping[str, str] = query_tags or {}
        self._stats: QueryStats = stats or QueryStats({})
        self._summary: str = summary or ""
        self._txn_ts: int = txn_ts or 0
        self._schema_version: int = schema_version or 0

    @property
    def query_tags(self) -> Mapping[str, str]:
        """The query's tags, as FaunaDB echoed them."""
        return self._query_tags

    @property
    def stats(self) -> QueryStats:
        """What the query cost (``QueryStats``)."""
        return self._stats

    @property
    def summary(self) -> str:
        """FaunaDB's summary: warnings, and errors with the FQL source they point at."""
        return self._summary

    @property
    def txn_ts(self) -> int:
        """The transaction timestamp of the query, in microseconds since the epoch."""
        return self._txn_ts

    @property
    def schema_version(self) -> int:
        """The database schema version the query ran against."""
        return self._schema_version

    def _info_repr(self) -> str:
        return (
            f"query_tags={self._query_tags!r},stats={self._stats!r},summary={self._summary!r},"
            f"txn_ts={self._txn_ts!r},schema_version={self._schema_version!r}"
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._info_repr()})"


class QuerySuccess(QueryInfo, Generic[DataT]):
    """The result of a successful query: ``data`` plus the ``QueryInfo`` fields.

    ``client.query(q, into=Person)`` gives a ``QuerySuccess[Person]``, whose ``data`` is a
    ``Person``; without ``into`` it is a ``QuerySuccess[Any]``.

    ``static_type`` is the query's FQL type when type checking was on; ``traceparent`` echoes the
    response's ``traceparent`` header.
    """

    def __init__(
        self,
        data: DataT,
        query_tags: Mapping[str, str] | None,
        static_type: str | None,
        stats: QueryStats | None,
        summary: str | None,
        traceparent: str | None,
        txn_ts: int | None,
        schema_version: int | None,
    ) -> None:
        """Build a result as the client does from a response; all arguments are required.

        :param data: The decoded ``data`` of the response.
        :param query_tags: The query's tags (``None``: none).
        :param static_type: The result's FQL type, or ``None`` without type checking.
        :param stats: The query's ``QueryStats`` (``None``: all zero).
        :param summary: FaunaDB's summary of the query (``None``: empty).
        :param traceparent: The response's ``traceparent`` header, or ``None``.
        :param txn_ts: The transaction timestamp in microseconds (``None``: 0).
        :param schema_version: The schema version the query saw (``None``: 0).
        """
        super().__init__(
            query_tags=query_tags,
            stats=stats,
            summary=summary,
            txn_ts=txn_ts,
            schema_version=schema_version,
        )
        self._data = data
        self._static_type = static_type
        self._traceparent = traceparent

    @property
    def data(self) -> DataT:
        """The query's result, decoded into Python values (into ``into``'s type if given)."""
        return self._data

    def to_jsonable(self) -> dict[str, Any]:
        """The result as plain JSON values; see ``fauna.to_jsonable`` for the shape."""
        from fauna.encoding.jsonable import query_success_to_jsonable

        return query_success_to_jsonable(self)

    @property
    def static_type(self) -> str | None:
        """The result's FQL type, when the query was type checked."""
        return self._static_type

    @property
    def traceparent(self) -> str | None:
        """The ``traceparent`` header of the response (W3C trace context), if any."""
        return self._traceparent

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(query_tags={self._query_tags!r},"
            f"static_type={self._static_type!r},stats={self._stats!r},summary={self._summary!r},"
            f"traceparent={self._traceparent!r},txn_ts={self._txn_ts!r},"
            f"schema_version={self._schema_version!r},data={self._data!r})"
        )


@dataclass
class ConstraintFailure:
    """One failed constraint of a ``constraint_failure`` error.

    ``paths`` lists the offending field paths, e.g. ``[["name"], ["address", "city"]]``.
    """

    message: str
    name: str | None = None
    paths: list[Any] | None = None


class QueryTags:
    """The ``k=v,k2=v2`` form of query tags used by the ``X-Query-Tags`` header and responses."""

    @staticmethod
    def encode(tags: Mapping[str, str]) -> str:
        return ",".join(f"{key}={value}" for key, value in tags.items())

    @staticmethod
    def decode(tag_str: str) -> Mapping[str, str]:
        """Parse ``"a=b,c=d"``; a value keeps any further ``=``, empty input gives ``{}``."""
        tags: dict[str, str] = {}
        for pair in tag_str.split(","):
            if not pair:
                continue
            key, _, value = pair.partition("=")
            tags[key] = value
        return tags
