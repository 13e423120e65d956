"""User-defined roles at work: a ``Role``'s privileges checked against each operation.

FaunaDB (``ext/model/.../auth/RoleEvalContext.scala``, ``RoleEvalAction.scala``,
``Permissions.scala`` ``RolePermissions``) grants an action on a resource (a collection, native
or user, or a function, by name) when one of the role's policies for it is ``true`` or is a
predicate returning exactly ``true``. Predicates are FQL lambdas stored as text and get, in
FQL v10:

* ``read``, ``history_read`` (a read at a past instant) and ``delete``: the document;
* ``write``: the document as it was and as it will be (``(oldDoc, newDoc) => ...``);
* ``create`` and ``create_with_id``: the new document (a create with an id the query chose
  needs ``create_with_id``, or else both ``create`` and ``history_write``);
* ``call``: the function's arguments.

A document identity (``@doc/...``) also reads its own ``Credential`` and ``Token``s and deletes
its own tokens whatever its roles say (FaunaDB's ``InstancePermissions`` baseline).

A predicate runs with read-only rights (``access.PREDICATE_ROLE``, FaunaDB's
``InternalReadOnlyPermissions`` and its read effect limit); anything else it returns, or an
error it raises (a wrong arity, a write, a missing field), grants nothing.

What a role holds is read once per query (``QuerySession``), so a changed or deleted ``Role``
takes effect on the next query. This module does not decide who has a role (keys and scoped
secrets do, ``faunalite.server.auth``), nor the built-in roles' rights (``access``).
"""

from __future__ import annotations

from typing import Any

from faunalite.fql.errors import QueryCheckError, QueryError
from faunalite.fql.parser import parse_function_body
from faunalite.fql.values import Lambda, Value
from faunalite.model.access import ADMIN_COLLECTIONS, PREDICATE_ROLE, UserRole
from faunalite.model.documents import DocValue, from_stored, make_doc
from faunalite.model.session import CREDENTIAL, TOKEN, QuerySession, permission_denied
from faunalite.model.writes import AFTER_WRITE, BEFORE_WRITE, DocumentWrite
from faunalite.storage.interface import Document

_PREDICATES_KEY = "role_predicates"
_READ_GRANTS_KEY = "role_read_grants"
_PREDICATE_DEPTH_KEY = "role_predicate_depth"


def role_allows(
    session: QuerySession, role: UserRole, resource: str, action: str, arguments: list[Value]
) -> bool:
    """Whether ``role`` grants ``action`` on ``resource`` for these predicate arguments."""
    policies = role.policies.get((resource, action), ())
    if True in policies:
        return True
    return any(
        _predicate_holds(session, role, action, source, arguments)
        for source in policies
        if isinstance(source, str)
    )


def _predicate(session: QuerySession, role: UserRole, action: str, source: str) -> Lambda | None:
    """The predicate's lambda, parsed once per query; ``None`` when it is not one."""
    cache: dict[str, Lambda | None] = session.cache.setdefault(_PREDICATES_KEY, {})
    if source not in cache:
        try:
            node = parse_function_body(source, f"*predicate:{role.name}:{action}*")
        except QueryCheckError:
            cache[source] = None
        else:
            cache[source] = Lambda(list(node.params), node.variadic, node.body, None, node.span)
    return cache[source]


def _predicate_holds(
    session: QuerySession, role: UserRole, action: str, source: str, arguments: list[Value]
) -> bool:
    from faunalite.model.constraints import call_stored

    function = _predicate(session, role, action, source)
    if function is None:
        return False
    session.cache[_PREDICATE_DEPTH_KEY] = session.cache.get(_PREDICATE_DEPTH_KEY, 0) + 1
    try:
        with session.acting_as(PREDICATE_ROLE):
            result = call_stored(session, function, arguments)
    except QueryError:
        return False
    finally:
        session.cache[_PREDICATE_DEPTH_KEY] -= 1
    return result is True


def may_read_document(session: QuerySession, role: UserRole, doc: DocValue) -> bool:
    """``read`` of one document, remembered until the query next writes. A document read at
    a past instant (``at (ts)``) needs ``history_read`` instead (``ReadBroker.checkedGet``:
    ``checkHistoryReadPermission`` when the reference has a read ts), except in an event
    source's session, which reads each event at its own instant (``snapshot_reads``)."""
    past = doc.read_ts is not None and not session.snapshot_reads
    action = "history_read" if past else "read"
    if doc.collection in ADMIN_COLLECTIONS:
        return False
    if action == "read" and _is_own(session, doc.collection, doc.key):
        return True
    if not role.holds(doc.collection, action):
        return False
    # Keyed by the role too: a function with a role changes the role mid-query.
    grants: dict[tuple[str, str, Any, int | None], bool] = session.cache.setdefault(
        _READ_GRANTS_KEY, {}
    )
    seen = (role.name, doc.collection, doc.key, doc.read_ts)
    if seen not in grants:
        reference = make_doc(session, doc.collection, doc.key, doc.read_ts)
        grants[seen] = role_allows(session, role, doc.collection, action, [reference])
    return grants[seen]


def _is_own(session: QuerySession, collection: str, key: Any) -> bool:
    """A document identity reads its own credential and tokens whatever its roles say."""
    if collection not in (CREDENTIAL, TOKEN):
        return False
    from faunalite.model.identity import is_own_credential_or_token

    stored = session.get(collection, key)
    return stored is not None and is_own_credential_or_token(session, collection, stored.data)


def _version(write: DocumentWrite, data: Any) -> DocValue:
    """The document of ``write`` reading ``data`` (a stored form) whatever the role reads."""
    session = write.session
    doc = make_doc(session, write.collection, write.key)
    doc.pinned = Document(session.scope, write.collection, write.key, session.txn_ts, data)
    return doc


def check_write_privilege(write: DocumentWrite) -> None:
    """Refuse a user role's write its privileges do not grant (``permission_denied``), and
    any write while a predicate runs, even from a function with a role called inside it
    (FaunaDB evaluates predicates under a read effect limit)."""
    session = write.session
    if session.cache.get(_PREDICATE_DEPTH_KEY):
        raise permission_denied()
    role = session.user_role
    if role is None:
        return
    if write.collection in ADMIN_COLLECTIONS:
        raise permission_denied()
    if write.before is None and write.explicit_id:
        if not _may_create_with_id(write, role):
            raise permission_denied()
        return
    if write.collection == TOKEN and write.after is None:
        from faunalite.model.identity import is_own_credential_or_token

        if is_own_credential_or_token(session, TOKEN, write.before):
            return  # a document identity may always delete its own tokens (logout)
    if write.before is None:
        action = "create"
        arguments = [_version(write, write.after)]
    elif write.after is None:
        action = "delete"
        arguments = [_version(write, write.before)]
    else:
        action = "write"
        arguments = [_version(write, write.before), _version(write, write.after)]
    if not role_allows(session, role, write.collection, action, arguments):
        raise permission_denied()


def _may_create_with_id(write: DocumentWrite, role: UserRole) -> bool:
    """``create_with_id``, or else both ``create`` and ``history_write`` (FaunaDB's
    ``checkCreateWithIDPermission`` keeps the older rule as a fallback); ``history_write``'s
    predicate gets the document, the write's time, ``"create"`` and the written data."""
    session = write.session
    new_doc = _version(write, write.after)
    if role_allows(session, role, write.collection, "create_with_id", [new_doc]):
        return True
    if not role_allows(session, role, write.collection, "create", [new_doc]):
        return False
    stored = write.after.get("data", write.after) if isinstance(write.after, dict) else {}
    data = from_stored(session, stored, None)
    history = [new_doc, session.transaction_time(), "create", data]
    return role_allows(session, role, write.collection, "history_write", history)


def _forget_read_grants(write: DocumentWrite) -> None:
    write.session.cache.pop(_READ_GRANTS_KEY, None)


BEFORE_WRITE.insert(0, check_write_privilege)
AFTER_WRITE.append(_forget_read_grants)
