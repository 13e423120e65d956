"""Property test of user-defined roles: for random privileges (each action ``true``, ``false`` or
a predicate over the document) and random operations, a role is granted exactly what its
predicates allow, and a refused write leaves the data as it was (issue 11).

The oracle is the rule the README states and FaunaDB's ``RoleEvalContext`` applies: ``read``
and ``delete`` get the document, ``create`` the new document, ``write`` the old and the new one;
only exactly ``true`` grants. A document the role may not read is a null; a Set needs ``read``
to be held at all; a write or delete of a document starts by reading it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from faunalite.fql.context import QueryContext
from faunalite.fql.errors import QueryError
from faunalite.fql.interpreter import run_query
from faunalite.fql.parser import parse_query
from faunalite.model.hooks import DataModel
from faunalite.model.session import QuerySession

LEVELS = (0, 1, 2, 3)
DOCUMENTS = {"1": 0, "2": 1, "3": 2, "4": 3}
"""The documents every example starts with: id → ``level``."""


@dataclass(frozen=True)
class Policy:
    """One action's grant: always, never, or ``level < bound`` of the document it judges."""

    kind: str  # "true" | "false" | "below"
    bound: int = 0

    def as_fql(self, arguments: str, subject: str) -> bool | str:
        if self.kind == "true":
            return True
        if self.kind == "false":
            return False
        return f"{arguments} => {subject}.level < {self.bound}"

    def allows(self, level: int) -> bool:
        return self.kind == "true" or (self.kind == "below" and level < self.bound)

    @property
    def held(self) -> bool:
        return self.kind != "false"


POLICIES = st.one_of(
    st.sampled_from([Policy("true"), Policy("false")]),
    st.builds(Policy, st.just("below"), st.integers(min_value=0, max_value=4)),
)


@dataclass(frozen=True)
class Privileges:
    read: Policy
    create: Policy
    write: Policy
    delete: Policy

    def role_document(self) -> str:
        actions = {
            "read": self.read.as_fql("doc", "doc"),
            "create": self.create.as_fql("doc", "doc"),
            # The write predicate judges the new version: old and new are both passed.
            "write": self.write.as_fql("(oldDoc, newDoc)", "newDoc"),
            "delete": self.delete.as_fql("doc", "doc"),
        }
        return json.dumps([{"resource": "Things", "actions": actions}])


PRIVILEGES = st.builds(Privileges, POLICIES, POLICIES, POLICIES, POLICIES)

OPERATIONS = st.one_of(
    st.tuples(st.just("read"), st.sampled_from(sorted(DOCUMENTS))),
    st.tuples(st.just("list")),
    st.tuples(st.just("create"), st.sampled_from(LEVELS)),
    st.tuples(st.just("update"), st.sampled_from(sorted(DOCUMENTS)), st.sampled_from(LEVELS)),
    st.tuples(st.just("delete"), st.sampled_from(sorted(DOCUMENTS))),
)


def _run(session: QuerySession, query: str) -> Any:
    context = QueryContext(snapshot_time=session.transaction_time(), storage=session)
    session.query_context = context
    return run_query(parse_query(query, "*query*"), context)


def _as(model: DataModel, role: str, query: str) -> Any:
    with model.query_session((), role) as session:
        return _run(session, query)


def _levels(model: DataModel) -> dict[str, int]:
    """Every document's level as the admin sees it."""
    rows = _as(model, "admin", "Things.all().map(d => [d.id.toString(), d.level]).toArray()")
    return {str(key): int(level) for key, level in rows}


def _outcome(action: Callable[[], Any]) -> tuple[bool, Any]:
    try:
        return True, action()
    except QueryError as error:
        return False, error.code


def _model(privileges: Privileges) -> DataModel:
    model = DataModel()
    _as(model, "admin", 'Collection.create({ name: "Things" })')
    creates = "; ".join(
        f'Things.create({{ id: "{key}", level: {level} }})' for key, level in DOCUMENTS.items()
    )
    _as(model, "admin", creates)
    _as(model, "admin", f'Role.create({{ name: "R", privileges: {privileges.role_document()} }})')
    return model


@settings(max_examples=40, deadline=None)
@given(PRIVILEGES, OPERATIONS)
def test_a_role_is_granted_exactly_what_its_predicates_allow(
    privileges: Privileges, operation: tuple[Any, ...]
) -> None:
    model = _model(privileges)
    try:
        before = _levels(model)
        readable = {key for key, level in before.items() if privileges.read.allows(level)}
        kind = operation[0]
        if kind == "read":
            key = operation[1]
            granted, value = _outcome(
                lambda: _as(model, "@role/R", f'Things.byId("{key}")?.level ?? -1')
            )
            assert granted
            assert value == (before[key] if key in readable else -1)
        elif kind == "list":
            granted, value = _outcome(
                lambda: _as(model, "@role/R", "Things.all().map(d => d.id.toString()).toArray()")
            )
            if privileges.read.held:
                assert granted and sorted(str(key) for key in value) == sorted(readable)
            else:
                assert (granted, value) == (False, "permission_denied")
        elif kind == "create":
            level = operation[1]
            granted, _ = _outcome(
                lambda: _as(model, "@role/R", f"Things.create({{ level: {level} }})")
            )
            assert granted == privileges.create.allows(level)
            added = len(_levels(model)) - len(before)
            assert added == (1 if granted else 0)
        elif kind == "update":
            key, level = operation[1], operation[2]
            granted, _ = _outcome(
                lambda: _as(model, "@role/R", f'Things.byId("{key}")!.update({{ level: {level} }})')
            )
            assert granted == (key in readable and privileges.write.allows(level))
            assert _levels(model)[key] == (level if granted else before[key])
        else:
            key = operation[1]
            granted, _ = _outcome(lambda: _as(model, "@role/R", f'Things.byId("{key}")!.delete()'))
            assert granted == (key in readable and privileges.delete.allows(before[key]))
            assert (key in _levels(model)) == (not granted)
    finally:
        model.close()
