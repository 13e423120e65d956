"""Check constraints and computed fields: FQL bodies stored in a collection definition.

* Check constraints run after every create/update/replace of a document (an ``AFTER_WRITE``
  hook, so the body reads the new version). ``true`` passes; ``false`` or ``null`` fails with
  ``Document failed check constraint `name` ``; any other value fails with ``Error evaluating
  check constraint `name`: function returned a non-boolean value``; an error raised inside the
  body propagates unchanged.
* Computed fields are evaluated when a document is read: ``UserDoc`` asks the resolver
  registered here for them, so they appear at top level in field access, ``Object.keys`` and
  the wire output. Writing one is refused by the index write hook (``indexes``).

Bodies are evaluated in the running query's context (``QuerySession.query_context``), so their
logs, limits and statistics count toward it. Each body is parsed once per query.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from faunalite.fql.errors import QueryError
from faunalite.fql.values import Lambda, Null, Value
from faunalite.model.collection_schema import parse_one_argument_lambda
from faunalite.model.documents import COMPUTED_FIELD_RESOLVERS, UserDoc
from faunalite.model.indexes import collection_schema, write_failure_message
from faunalite.model.session import QuerySession, is_user_collection
from faunalite.model.writes import AFTER_WRITE, DocumentWrite

_BODIES_KEY = "definition_bodies"


def _body_function(session: QuerySession, body: str, source_name: str) -> Lambda:
    """The lambda of a stored body, parsed once per query (bodies were validated on write)."""
    cache: dict[tuple[str, str], Lambda] = session.cache.setdefault(_BODIES_KEY, {})
    key = (source_name, body)
    function = cache.get(key)
    if function is None:
        node = parse_one_argument_lambda(body, source_name)
        assert node is not None
        function = Lambda(list(node.params), node.variadic, node.body, None, node.span)
        cache[key] = function
    return function


def call_body(session: QuerySession, function: Lambda, argument: Value) -> Value:
    """Apply ``function`` to ``argument`` in the query's context (see ``call_stored``)."""
    return call_stored(session, function, [argument])


def call_stored(session: QuerySession, function: Lambda, arguments: list[Value]) -> Value:
    """Apply ``function`` (FQL stored in a definition) to ``arguments`` in the query's context.
    After the query body has finished (results are rendered afterwards) a fresh interpreter
    evaluates it."""
    from faunalite.fql.context import QueryContext
    from faunalite.fql.interpreter import Interpreter

    context = session.query_context
    if context is None:
        context = QueryContext(snapshot_time=session.transaction_time(), storage=session)
        session.query_context = context
    if context.interpreter is not None:
        return context.call(function, arguments)
    context.interpreter = Interpreter(context)
    try:
        return context.call(function, arguments)
    finally:
        context.interpreter = None


# -- check constraints ----------------------------------------------------------------------------


def _run_checks(write: DocumentWrite) -> None:
    if write.after is None or not is_user_collection(write.collection):
        return
    schema = collection_schema(write.session, write.collection)
    if schema is None or not schema.checks:
        return
    session = write.session
    document = UserDoc(session, write.collection, write.key)
    failures: list[dict[str, Any]] = []
    for check in schema.checks:
        function = _body_function(session, check.body, f"*check:{check.name}*")
        result = call_body(session, function, document)
        if result is True:
            continue
        if result is False or isinstance(result, Null):
            message = f"Document failed check constraint `{check.name}`"
        else:
            message = (
                f"Error evaluating check constraint `{check.name}`: "
                "function returned a non-boolean value"
            )
        failures.append({"paths": [], "message": message})
    if failures:
        raise QueryError(
            "constraint_failure", write_failure_message(write), constraint_failures=failures
        )


AFTER_WRITE.append(_run_checks)


# -- computed fields ------------------------------------------------------------------------------


def _computed_fields(doc: UserDoc) -> dict[str, Callable[[], Value]]:
    schema = collection_schema(doc.session, doc.collection)
    if schema is None or not schema.computed:
        return {}
    session = doc.session

    def compute(name: str, body: str) -> Callable[[], Value]:
        def value() -> Value:
            function = _body_function(session, body, f"*computed_field:{name}*")
            return call_body(session, function, doc)

        return value

    return {name: compute(name, body) for name, body in schema.computed.items()}


COMPUTED_FIELD_RESOLVERS.append(_computed_fields)
