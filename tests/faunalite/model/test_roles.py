"""Unit tests of user-defined roles: a Role document's privileges, and how its predicates are
evaluated (FaunaDB's ``RoleEvalContext``: only exactly ``true`` grants; an error, another value or
an unparsable predicate grants nothing; predicates read but never write)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from faunalite.fql.context import QueryContext
from faunalite.fql.errors import QueryError
from faunalite.fql.interpreter import run_query
from faunalite.fql.parser import parse_query
from faunalite.model.access import UserRole
from faunalite.model.hooks import DataModel, UnknownDatabase
from faunalite.model.roles import role_allows
from faunalite.model.session import QuerySession


def _run(session: QuerySession, query: str) -> Any:
    context = QueryContext(snapshot_time=session.transaction_time(), storage=session)
    session.query_context = context
    return run_query(parse_query(query, "*query*"), context)


@pytest.fixture
def model() -> Iterator[DataModel]:
    model = DataModel()
    with model.query_session((), "admin") as admin:
        _run(admin, 'Collection.create({ name: "Things" })')
    with model.query_session((), "admin") as admin:
        _run(admin, 'Things.create({ id: "1", owner: "me" }); Things.create({ id: "2" })')
    yield model
    model.close()


def _with_role(model: DataModel, actions: dict[str, Any]) -> None:
    privileges = json.dumps([{"resource": "Things", "actions": actions}])
    with model.query_session((), "admin") as admin:
        _run(
            admin,
            f'Role.byName("R")?.delete(); Role.create({{ name: "R", privileges: {privileges} }})',
        )


def _reads(model: DataModel, key: str) -> bool:
    with model.query_session((), "@role/R") as session:
        _run(session, "1")
        return bool(_run(session, f'Things.byId("{key}").exists()'))


def test_a_role_document_lists_its_granting_policies() -> None:
    role = UserRole.from_stored(
        "R",
        {
            "privileges": [
                {"resource": "A", "actions": {"read": True, "write": False, "delete": "x => true"}},
                {"resource": "A", "actions": {"read": "doc => false", "bogus": True}},
                "not a privilege",
            ]
        },
    )
    assert role.policies == {("A", "read"): (True, "doc => false"), ("A", "delete"): ("x => true",)}
    assert role.holds("A", "read") and not role.holds("A", "write")
    # A single privilege object counts as a list of one.
    single = UserRole.from_stored("R", {"privileges": {"resource": "B", "actions": {"call": True}}})
    assert single.holds("B", "call")
    assert UserRole.from_stored("R", None).policies == {}


@pytest.mark.parametrize(
    ("predicate", "first", "second"),
    [
        ("doc => doc.owner == 'me'", True, False),
        # ``!= null`` is true of a missing field: only a field access that fails denies.
        ("doc => doc.owner != null", True, False),
        ("doc => true", True, True),
        ("doc => false", False, False),
        # Anything other than exactly ``true`` grants nothing...
        ("doc => 'yes'", False, False),
        ("doc => doc.owner", False, False),
        # ... and so does an error raised inside, or a predicate that does not parse.
        ("doc => doc.owner.length > 0", True, False),
        ("doc => abort('no')", False, False),
        ("doc =>", False, False),
        # A predicate may read other documents, but it writes nothing.
        ("doc => Things.byId('1')!.owner == 'me'", True, True),
        ("doc => Things.create({}) != null", False, False),
    ],
)
def test_read_predicates(model: DataModel, predicate: str, first: bool, second: bool) -> None:
    _with_role(model, {"read": predicate})
    assert (_reads(model, "1"), _reads(model, "2")) == (first, second)


def test_predicates_get_factual_arguments(model: DataModel) -> None:
    _with_role(model, {"write": "(old, new) => old.owner == 'me' && new.owner == 'you'"})
    with model.query_session((), "@role/R") as session:
        _run(session, "1")
        role = session.user_role
        assert role is not None
        assert not role_allows(session, role, "Things", "read", [])
        assert not role_allows(session, role, "Other", "write", [])


def test_a_write_predicate_sees_the_old_and_new_versions(model: DataModel) -> None:
    _with_role(
        model,
        {"read": True, "write": "(old, new) => old.owner == 'me' && new.owner == 'you'"},
    )
    with model.query_session((), "@role/R") as session, pytest.raises(QueryError) as caught:
        _run(session, 'Things.byId("1")!.update({ n: 1 })')
    assert caught.value.code == "permission_denied"
    with model.query_session((), "@role/R") as session:
        assert _run(session, 'Things.byId("1")!.update({ owner: "you" }).owner') == "you"


def test_a_missing_role_refuses_the_query(model: DataModel) -> None:
    with pytest.raises(UnknownDatabase), model.query_session((), "@role/Nope"):
        pass


def test_a_predicate_writes_nothing_even_through_a_function_with_a_role(
    model: DataModel,
) -> None:
    with model.query_session((), "admin") as admin:
        _run(
            admin,
            'Function.create({ name: "Sneaky", role: "admin", '
            'body: "() => Things.create({ sneaky: true }) != null" })',
        )
    _with_role(model, {"read": "doc => Sneaky()"})
    assert not _reads(model, "1")
    with model.query_session((), "admin") as admin:
        assert _run(admin, "Things.all().where(.sneaky == true).count()") == 0


def test_a_function_with_a_narrower_role_reads_with_that_role(model: DataModel) -> None:
    with model.query_session((), "admin") as admin:
        _run(
            admin,
            'Role.create({ name: "Narrow", privileges: [{ resource: "Things", '
            'actions: { read: "doc => false" } }] }); '
            'Function.create({ name: "Peek", role: "Narrow", '
            "body: \"() => Things.byId('1').exists()\" })",
        )
    _with_role(model, {"read": True})
    with model.query_session((), "admin") as admin:
        _run(
            admin,
            'Role.byName("R")!.update({ privileges: [{ resource: "Things", '
            'actions: { read: true } }, { resource: "Peek", actions: { call: true } }] })',
        )
    with model.query_session((), "@role/R") as session:
        # The caller reads the document first; the function's role still may not.
        assert _run(session, 'Things.byId("1").exists() && !Peek()') is True


def test_create_with_an_id_falls_back_to_create_and_history_write(model: DataModel) -> None:
    _with_role(
        model,
        {
            "read": True,
            "create": True,
            "history_write": '(doc, ts, action, data) => action == "create" && data.owner == "me"',
        },
    )
    with model.query_session((), "@role/R") as session:
        assert _run(session, 'Things.create({ id: "7", owner: "me" }).owner') == "me"
    with model.query_session((), "@role/R") as session, pytest.raises(QueryError) as caught:
        _run(session, 'Things.create({ id: "8", owner: "you" })')
    assert caught.value.code == "permission_denied"
