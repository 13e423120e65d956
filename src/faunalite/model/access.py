"""What FaunaDB's built-in roles may do: one table, read by every access check.

FaunaDB (``ext/model/.../auth/Permissions.scala``) gives each built-in role a fixed set of
rights in the database its secret names:

* ``admin``: everything, including keys, child databases, roles and access providers;
* ``server``: read and write every other document (user documents, collections, functions),
  but no access at all to the *admin collections* (``Database``, ``Key``, ``Role``,
  ``AccessProvider``);
* ``server-readonly``: the reads ``server`` has, and no writes;
* ``client``: nothing beyond evaluating FQL that reads no data.

User-defined roles (``@role/<name>``, a key whose role names a ``Role``) and document identity
(``@doc/<Collection>/<id>``) are not implemented: a secret asking for one is refused
(401 ``unauthorized``), so nothing here ever sees them. Any role this table does not name has no
rights, so an unknown role can only ever be refused, never widened.
"""

from __future__ import annotations

from dataclasses import dataclass

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


BUILTIN_ROLES: dict[str, RoleRights] = {
    "admin": RoleRights(read=True, write=True, admin=True),
    "server": RoleRights(read=True, write=True, admin=False),
    "server-readonly": RoleRights(read=True, write=False, admin=False),
    "client": RoleRights(read=False, write=False, admin=False),
}

_NO_RIGHTS = RoleRights(read=False, write=False, admin=False)


def rights_of(role: str) -> RoleRights:
    """The rights of ``role``; a role that is not built in has none."""
    return BUILTIN_ROLES.get(role, _NO_RIGHTS)


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
