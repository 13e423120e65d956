"""Event sources in FQL: ``eventSource``/``toStream``/``eventsOn``/``changesOn`` on Sets, and the
``EventSource`` prototype (``where``, ``map``, ``toString``).

A Set is streamable when its plan is a streamable source (``Coll.all()``, an index call,
``Set.single(doc)``) wrapped only in ``where``/``map``; anything else is FaunaDB's
``invalid_receiver`` ("can't call `.toStream()` because streaming is not supported on distinct
sets."). The value returned carries a signed token (``faunalite.events.sources``) that
``/stream/1`` and ``/feed/1`` accept.

``eventsOn(.a, .b.c)`` (alias ``changesOn``) takes field-path short lambdas only. faunalite
allows ``where`` before it (the paths still name fields of the source's documents) but not
``map``, whose elements are no longer those documents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from faunalite.events.capture import NotCapturable, capture_function
from faunalite.events.sources import (
    EventSourceSpec,
    EventSourceValue,
    FieldPath,
    SourceRoot,
    SourceStep,
    encode_token,
    signing_key,
    watched_paths,
)
from faunalite.fql import ast
from faunalite.fql.errors import QueryError
from faunalite.fql.stdlib.iterables import callback
from faunalite.fql.stdlib.registry import prototype
from faunalite.fql.values import Function, Lambda, Value
from faunalite.model.set_sources import SequenceSource, SingleSource, StreamRoot
from faunalite.model.sets import MapNode, SetNode, SetValue, SourceNode, WhereNode

if TYPE_CHECKING:
    from faunalite.fql.context import QueryContext
    from faunalite.model.session import QuerySession

SET = prototype(SetValue, "Set", "<A> Set<A>")
EVENT_SOURCE = prototype(EventSourceValue, "EventSource", "<A> EventSource<A>")


def _not_streamable(method: str, reason: str) -> QueryError:
    return QueryError("invalid_receiver", f"can't call `.{method}()` because {reason}.")


def _unsupported(method: str, kind: str) -> QueryError:
    return _not_streamable(method, f"streaming is not supported on {kind} sets")


# -- from a Set to a spec --------------------------------------------------------------------------


def _blocker_kind(node: SetNode) -> str:
    """How FaunaDB would name the operation that makes ``node`` unstreamable."""
    if isinstance(node, SourceNode):
        if node.reverse:
            return "reverse"
        source = node.source
        if isinstance(source, SequenceSource):
            return "sequence"
        if getattr(source, "start", None) is not None or getattr(source, "end", None) is not None:
            return "ranged"
        return "array"
    blocker = node.stream_blocker
    return "flatMap" if blocker == "flatmap" else blocker


def _root(method: str, node: SourceNode) -> SourceRoot:
    source = node.source
    root = source.stream_root
    if isinstance(source, SingleSource):
        from faunalite.model.documents import DocValue

        element = source.element
        if not isinstance(element, DocValue):
            raise _unsupported(method, "single non-document")
        return SourceRoot("single", element.collection, element.key)
    collection = getattr(source, "collection", None)
    if root is None or not isinstance(collection, str):
        raise _unsupported(method, _blocker_kind(node))
    if getattr(source, "read_ts", None) is not None:
        # A set made inside `at (ts) { ... }` reads the past; its future has no events.
        raise _not_streamable(method, "streaming is not supported on sets created by `at`")
    if root is StreamRoot.INDEX:
        index, terms = getattr(source, "index", None), getattr(source, "terms", None)
        if not isinstance(index, str) or not isinstance(terms, tuple):
            raise _unsupported(method, _blocker_kind(node))
        return SourceRoot("index", collection, text=source.describe(), index=index, terms=terms)
    return SourceRoot("collection", collection)


def _capture(ctx: QueryContext, method: str, function: Function) -> Any:
    try:
        return capture_function(ctx, function)
    except NotCapturable as error:
        raise _not_streamable(
            method,
            f"the set uses a {error.kind} value, which faunalite cannot keep in an event source",
        ) from None


def _spec_of_set(
    ctx: QueryContext, session: QuerySession, set_value: SetValue, method: str
) -> EventSourceSpec:
    steps: list[SourceStep] = []
    node = set_value.node
    while isinstance(node, (MapNode, WhereNode)):
        if isinstance(node, MapNode):
            steps.append(SourceStep("map", _capture(ctx, method, node.mapper)))
        else:
            steps.append(SourceStep("where", _capture(ctx, method, node.predicate)))
        node = node.inner
    if not isinstance(node, SourceNode) or node.stream_source() is None:
        raise _unsupported(method, _blocker_kind(node))
    return EventSourceSpec(
        session.scope, session.txn_ts, _root(method, node), tuple(reversed(steps))
    )


def _event_source(ctx: QueryContext, spec: EventSourceSpec) -> EventSourceValue:
    from faunalite.model.session import session_of

    key = signing_key(session_of(ctx).txn, create=True)
    assert key is not None
    return EventSourceValue(spec, encode_token(spec, key))


def _stream_session(ctx: QueryContext) -> QuerySession:
    """The session, once the principal may make event sources at all: a built-in role must
    read documents; a user-defined role is judged per source (``_readable_spec``)."""
    from faunalite.model.session import session_of

    session = session_of(ctx)
    if session.user_role is None:
        session.require_read()
    return session


def _readable_spec(session: QuerySession, spec: EventSourceSpec) -> EventSourceSpec:
    """A user-defined role makes sources only on collections it holds ``read`` on
    (``permission_denied`` otherwise, as its Sets are refused); which documents it then sees
    is decided per event (``faunalite.events.translate``)."""
    if session.user_role is not None:
        session.set_is_readable(spec.root.collection)
    return spec


def _to_event_source(ctx: QueryContext, receiver: SetValue, method: str) -> EventSourceValue:
    session = _stream_session(ctx)
    return _event_source(ctx, _readable_spec(session, _spec_of_set(ctx, session, receiver, method)))


@SET.method("eventSource", 0, signature="<A> () => EventSource<A>")
def event_source(ctx: QueryContext, receiver: SetValue) -> Value:
    return _to_event_source(ctx, receiver, "eventSource")


@SET.method("toStream", 0, signature="<A> () => EventSource<A>")
def to_stream(ctx: QueryContext, receiver: SetValue) -> Value:
    return _to_event_source(ctx, receiver, "toStream")


# -- eventsOn / changesOn --------------------------------------------------------------------------


def _bad_field_path() -> QueryError:
    return QueryError(
        "invalid_argument",
        "invalid argument `fields`: expected field paths such as `.name` or `.address.city`",
    )


def _field_path(value: Value) -> FieldPath:
    """The path of a field-path short lambda (``.a``, ``.a.b``, ``.["a"]``, ``.[0]``)."""
    if not isinstance(value, Lambda) or value.params != [ast.IMPLICIT_PARAM] or value.variadic:
        raise _bad_field_path()
    steps: list[str | int] = []
    node = value.body
    while not (isinstance(node, ast.Identifier) and node.name == ast.IMPLICIT_PARAM):
        if isinstance(node, ast.FieldAccess) and not node.optional:
            steps.append(node.name)
            node = node.receiver
        elif (
            isinstance(node, ast.Index)
            and not node.optional
            and len(node.args) == 1
            and isinstance(node.args[0], ast.Literal)
            and type(node.args[0].value) in (str, int)
        ):
            step = node.args[0].value
            assert isinstance(step, (str, int))
            if isinstance(step, int) and step < 0:
                raise _bad_field_path()
            steps.append(step)
            node = node.receiver
        else:
            raise _bad_field_path()
    if not steps:
        raise _bad_field_path()
    return tuple(reversed(steps))


def _events_on(ctx: QueryContext, receiver: SetValue, fields: list[Value], method: str) -> Value:
    session = _stream_session(ctx)
    if not fields:
        raise _bad_field_path()
    paths = watched_paths([_field_path(field) for field in fields])
    spec = _readable_spec(session, _spec_of_set(ctx, session, receiver, method))
    if any(step.kind == "map" for step in spec.steps):
        raise _not_streamable(method, "it must be called on the source set itself")
    return _event_source(
        ctx, EventSourceSpec(spec.scope, spec.created_ts, spec.root, spec.steps, paths)
    )


@SET.method("eventsOn", None, signature="<A> (fields: ...A => Any) => EventSource<A>")
def events_on(ctx: QueryContext, receiver: SetValue, *fields: Value) -> Value:
    return _events_on(ctx, receiver, list(fields), "eventsOn")


@SET.method("changesOn", None, signature="<A> (fields: ...A => Any) => EventSource<A>")
def changes_on(ctx: QueryContext, receiver: SetValue, *fields: Value) -> Value:
    return _events_on(ctx, receiver, list(fields), "changesOn")


# -- the EventSource prototype ---------------------------------------------------------------------


@EVENT_SOURCE.method(
    "where", 1, signature="<A> (predicate: (A => Boolean | Null)) => EventSource<A>"
)
def where(ctx: QueryContext, receiver: EventSourceValue, predicate: Value) -> Value:
    function = callback(predicate, "predicate", "A => Boolean | Null", "predicate", 1)
    step = SourceStep("where", _capture(ctx, "where", function))
    return _event_source(ctx, receiver.spec.with_step(step))


@EVENT_SOURCE.method("map", 1, signature="<A, B> (mapper: (A => B)) => EventSource<B>")
def map_(ctx: QueryContext, receiver: EventSourceValue, mapper: Value) -> Value:
    function = callback(mapper, "mapper", "A => B", "mapper", 1)
    step = SourceStep("map", _capture(ctx, "map", function))
    return _event_source(ctx, receiver.spec.with_step(step))


@EVENT_SOURCE.method("toString", 0, signature="() => String")
def to_string(ctx: QueryContext, receiver: EventSourceValue) -> Value:
    return "[event source]"
