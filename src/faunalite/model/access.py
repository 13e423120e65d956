"""What FaunaDB's built-in roles may do: one table, read by every access check.

FaunaDB (``ext/model/.../auth/Permissions.scala``) gives each built-in role a fixed set of
rights in the database its secret names:

* ``admin``: everything, including keys, child databases, roles and access providers;
* ``server``: read and write every other document (user documents, collections, functions),
  but no access at all to the *admin collections* (``Database``, ``Key``, ``Role``,
  ``AccessProvider``);
* ``server-readonly``: the reads ``server`` has, and no writes;
* ``client``: nothing beyond evaluating FQL that reads no data.

Only ``admin`` and ``server`` may call user-defined functions (``CallFunction`` is ``False``
for ``server-readonly`` and ``client``).

A user-defined role (``@role/<name>``: a scoped secret, or a key whose role names a ``Role``)
has none of these rights: what it may do is the ``Role`` document's privileges
(``UserRole``, checked by ``faunalite.model.roles``). A document identity (``@doc/<Coll>/<id>``:
a token's, or a scoped secret's) has none either: it gets the privileges of the roles whose
``membership`` takes that document (``faunalite.model.identity``). Any role this table does
not name has no rights, so an unknown role can only ever be refused, never widened.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ADMIN_COLLECTIONS = frozenset({"Database", "Key", "Role", "AccessProvider"})
"""The collections only ``admin`` may read or write (FaunaDB's root classes)."""


@dataclass(frozen=True, slots=True)
class RoleRights:
    """What one built-in role may do in its own database."""

    read: bool
    """Read documents outside ``ADMIN_COLLECTIONS`` (user documents and schema)."""
    write: bool
    """Create, update and delete documents outside ``ADMIN_COLLECTIONS``."""
    admin: bool
    """Read and write ``ADMIN_COLLECTIONS`` (databases, keys, roles)."""
    call: bool
    """Call user-defined functions."""


BUILTIN_ROLES: dict[str, RoleRights] = {
    "admin": RoleRights(read=True, write=True, admin=True, call=True),
    "server": RoleRights(read=True, write=True, admin=False, call=True),
    "server-readonly": RoleRights(read=True, write=False, admin=False, call=False),
    "client": RoleRights(read=False, write=False, admin=False, call=False),
}

PREDICATE_ROLE = "#predicate"
"""The rights a role's predicate runs with (FaunaDB's ``InternalReadOnlyPermissions``): it
reads every document outside ``ADMIN_COLLECTIONS`` and calls functions, and writes nothing.
Not a role a secret can name (``BUILTIN_ROLES`` does not hold it)."""

_INTERNAL_ROLES: dict[str, RoleRights] = {
    PREDICATE_ROLE: RoleRights(read=True, write=False, admin=False, call=True),
}

_NO_RIGHTS = RoleRights(read=False, write=False, admin=False, call=False)

USER_ROLE_PREFIX = "@role/"
"""A principal's role string for a user-defined role: ``@role/<Role name>``."""


def rights_of(role: str) -> RoleRights:
    """The rights of ``role``; a role that is not built in has none."""
    return BUILTIN_ROLES.get(role) or _INTERNAL_ROLES.get(role, _NO_RIGHTS)


def user_role_name(role: str) -> str | None:
    """The ``Role`` name a principal's role string names, ``None`` for a built-in role."""
    if role.startswith(USER_ROLE_PREFIX):
        return role[len(USER_ROLE_PREFIX) :]
    return None


DOC_ROLE_PREFIX = "@doc/"
"""A principal's role string for a document identity: ``@doc/<Collection>/<id>``."""


def identity_role(collection: str, key: int) -> str:
    """The principal's role string of the document ``collection``/``key``."""
    return f"{DOC_ROLE_PREFIX}{collection}/{key}"


def identity_of_role(role: str) -> tuple[str, int] | None:
    """The document (collection, id) a ``@doc/<Collection>/<id>`` role acts as, ``None`` for
    any other role or a malformed one."""
    if not role.startswith(DOC_ROLE_PREFIX):
        return None
    collection, slash, key = role[len(DOC_ROLE_PREFIX) :].partition("/")
    if not slash or not collection or not key.isascii() or not key.isdigit():
        return None
    return collection, int(key)


def principal_role(name: str) -> str:
    """A role as a key or function stores it (``server``, ``MyRole``) → a principal's role."""
    return name if name in BUILTIN_ROLES else USER_ROLE_PREFIX + name


ACTIONS = (
    "read",
    "write",
    "create",
    "create_with_id",
    "delete",
    "history_read",
    "history_write",
    "unrestricted_read",
    "call",
)
"""The privilege actions of a ``Role`` (FaunaDB's ``ActionNames``)."""

Policy = bool | str
"""One grant of an action: ``True`` (always) or an FQL predicate's source."""


@dataclass(frozen=True, slots=True)
class UserRole:
    """A ``Role`` document's privileges: ``(resource, action)`` → the policies granting it.

    As in FaunaDB's ``RoleEvalContext``, ``false`` grants nothing and is not kept, so an action
    is *held* (``holds``) when some policy names it, and *granted* for one operation when a
    policy is ``True`` or a predicate returns exactly ``true``.
    """

    name: str
    policies: Mapping[tuple[str, str], tuple[Policy, ...]]

    def holds(self, resource: str, action: str) -> bool:
        return bool(self.policies.get((resource, action)))

    @classmethod
    def from_stored(cls, name: str, data: Any) -> UserRole:
        privileges = data.get("privileges") if isinstance(data, dict) else None
        if isinstance(privileges, dict):
            privileges = [privileges]
        policies: dict[tuple[str, str], list[Policy]] = {}
        for privilege in privileges if isinstance(privileges, list) else []:
            if not isinstance(privilege, dict):
                continue
            resource, actions = privilege.get("resource"), privilege.get("actions")
            if not isinstance(resource, str) or not isinstance(actions, dict):
                continue
            for action, policy in actions.items():
                # Anything but ``true`` or a predicate's source grants nothing.
                if action in ACTIONS and (policy is True or isinstance(policy, str)):
                    policies.setdefault((resource, action), []).append(policy)
        return cls(name, {key: tuple(found) for key, found in policies.items()})


def can_read(role: str, collection: str | None = None) -> bool:
    """Whether ``role`` may read documents of ``collection`` (``None``: any readable one)."""
    rights = rights_of(role)
    if collection in ADMIN_COLLECTIONS:
        return rights.admin
    return rights.read


def can_write(role: str, collection: str | None = None) -> bool:
    """Whether ``role`` may write documents of ``collection`` (``None``: any writable one)."""
    rights = rights_of(role)
    if collection in ADMIN_COLLECTIONS:
        return rights.admin
    return rights.write


def sees_unreadable_as_empty(role: str) -> bool:
    """FaunaDB checks a Set of documents twice: the role must be allowed to read the
    collection at all (``client`` is not: ``permission_denied``), and then each document is
    read or silently skipped. ``server`` roles pass the first check for every collection and
    fail the second for every admin document, so their ``Key.all()`` is empty, not an error."""
    return rights_of(role).read
