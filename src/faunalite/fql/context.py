"""What one running query carries besides its syntax tree: the ``QueryContext``.

The server builds a ``QueryContext`` per request and hands it to
``faunalite.fql.interpreter.run_query``. It holds the inputs (template placeholders and
arguments, the snapshot time, the deadline, the id source, the storage handle) and collects the
outputs other than the result value: the runtime diagnostics of ``log()``/``dbg()`` for the
``summary``, and the counters behind ``stats``.

The context is also what native stdlib code sees as its ``CallContext``: ``call`` re-enters the
interpreter that is running the query (attached by ``run_query``). Nothing here evaluates FQL.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from faunalite.fql.arity import arity_of
from faunalite.fql.errors import QueryError
from faunalite.fql.span import Span
from faunalite.fql.values import Function, Time, Value

if TYPE_CHECKING:
    from faunalite.fql.interpreter import Interpreter
    from faunalite.fql.stdlib.registry import TypeTable

COMPUTE_CALLS_PER_OP = 50
"""FaunaDB bills one compute op per 50 function applications (``BaselineCompute``)."""


class QueryTimedOut(QueryError):
    """The query ran past its deadline (``X-Query-Timeout-Ms``).

    FaunaDB reports this as the protocol error ``time_out`` (HTTP 440/503) rather than as a
    query failure, so the server maps it separately.
    """

    def __init__(self) -> None:
        super().__init__("time_out", "Read timed out")


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One ``log(...)`` call: the joined display strings and where it was called.

    FaunaDB renders it in the summary as ``info at *query*:<line>: <text>`` (no excerpt).
    """

    message: str
    span: Span | None


@dataclass(frozen=True, slots=True)
class DebugEntry:
    """One ``dbg(x)`` call: the debug string of ``x`` and where it was called.

    FaunaDB renders it as ``info: <text>`` followed by the annotated source excerpt.
    """

    message: str
    span: Span | None


RuntimeDiagnostic = LogEntry | DebugEntry


@dataclass(slots=True)
class QueryStats:
    """Counters for the response ``stats``. ``compute_calls`` counts every function application
    (lambda, native method, operator); ``compute_ops`` bills them per ``COMPUTE_CALLS_PER_OP``
    with a minimum of 1, as FaunaDB does. The storage layer adds to ``read_ops``/``write_ops``."""

    compute_calls: int = 0
    read_ops: int = 0
    write_ops: int = 0
    storage_bytes_read: int = 0
    storage_bytes_write: int = 0

    @property
    def compute_ops(self) -> int:
        return max(1, math.ceil(self.compute_calls / COMPUTE_CALLS_PER_OP))


class StorageHooks(Protocol):
    """What the interpreter asks of the data-model layer. Every method may answer "not mine"
    (``None``/``False``) so that a context without storage behaves as an empty database.

    * ``resolve_global(name)``: a user collection or user function by name or alias, reached
      after the stdlib globals; ``None`` if there is none.
    * ``module_table(name)``: the static members of a non-stdlib module (a collection object);
      ``None`` if unknown.
    * ``missing_document_error(value)``: for a storage value that is a reference to a
      non-existent or unreadable document, the error using it must raise
      (``document_not_found``...); ``None`` for a live document or any other value. ``?.``,
      ``??``, ``!``, ``== null`` and projection consult it.
    * ``is_member(value, module_name)``: ``isa`` for modules the core does not know (user
      collections, ``Doc``, ``Collection``...); ``None`` if the module is not a storage one.
    * ``reading_at(ts)``: a context manager under which reads see the snapshot at ``ts``
      (``at (ts) expr``); ``ts`` is a ``Time`` or ``TRANSACTION_TIME``.
    """

    def resolve_global(self, name: str) -> Value | None: ...

    def module_table(self, name: str) -> TypeTable | None: ...

    def missing_document_error(self, value: Value) -> QueryError | None: ...

    def is_member(self, value: Value, module_name: str) -> bool | None: ...

    def reading_at(self, ts: Value) -> Any: ...


def _default_id_source() -> Callable[[], int]:
    """Unique, positive, roughly time-ordered 64-bit ids shaped like FaunaDB's snowflakes
    (milliseconds since 2012-05-05T22:20:50Z, then a 20-bit sequence)."""
    epoch_ms = 1336256450000
    sequence = itertools.count()

    def next_id() -> int:
        millis = int(time.time() * 1000) - epoch_ms
        return (millis << 20) | (next(sequence) & 0xFFFFF)

    return next_id


@dataclass(slots=True)
class QueryContext:
    """Everything one query evaluation needs and produces besides the result value.

    ``bindings``: variables visible to the whole query (``$0``... placeholders and the
    request's ``arguments`` by name). ``snapshot_time``: the transaction's read time
    (``Time.now()``). ``deadline``: a ``time.monotonic()`` instant after which evaluation stops
    with ``QueryTimedOut``. ``id_source``: returns fresh document ids (``newId()``).
    ``storage``: the data-model hooks (see ``StorageHooks``), ``None`` for storage-free
    evaluation. ``diagnostics`` and ``stats`` are filled while the query runs.
    """

    snapshot_time: Time
    bindings: dict[str, Value] = field(default_factory=dict)
    deadline: float | None = None
    id_source: Callable[[], int] = field(default_factory=_default_id_source)
    storage: StorageHooks | None = None
    diagnostics: list[RuntimeDiagnostic] = field(default_factory=list)
    stats: QueryStats = field(default_factory=QueryStats)
    interpreter: Interpreter | None = field(default=None, repr=False)
    current_span: Span | None = field(default=None, repr=False)
    """The innermost call site being evaluated, so ``log``/``dbg`` know where they were called."""
    set_function_depth: int = 0
    typechecked: bool = False
    """Whether the static typechecker checked this query (``Query.isEnvTypechecked()``)."""
    """How many set functions are running: lambdas a lazy Set's ``map``/``where``/``flatMap``/
    ``order`` calls while it is iterated. They may not write; every write checks this through
    ``faunalite.model.sets.check_write_allowed`` (FaunaDB's ``invalid_effect``)."""

    def _running(self) -> Interpreter:
        if self.interpreter is None:
            raise RuntimeError("QueryContext.call used outside run_query")
        return self.interpreter

    # -- the registry's CallContext protocol --------------------------------------------------

    def call(self, function: Function, args: list[Value]) -> Value:
        interpreter = self.interpreter  # ``_running()``, written out: once per callback call
        if interpreter is None:
            raise RuntimeError("QueryContext.call used outside run_query")
        return interpreter.apply_function(function, args)

    def function_arity(self, function: Function) -> tuple[int, ...] | None:
        return arity_of(function).counts

    def log(self, message: str) -> None:
        self.diagnostics.append(LogEntry(message, self.current_span))

    def debug(self, message: str) -> None:
        self.diagnostics.append(DebugEntry(message, self.current_span))

    def new_id(self) -> int:
        return self.id_source()

    def check_deadline(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise QueryTimedOut()

    def seconds_left(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()
