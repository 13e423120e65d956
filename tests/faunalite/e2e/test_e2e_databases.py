"""Databases, scoped secrets, keys, UDFs and ``at`` through the ``fauna`` driver."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fauna import Document, NamedDocument, fql
from fauna.client import Client, QueryOptions
from fauna.errors import AuthenticationError, QueryRuntimeError
from fql_reference_summaries import ABORT_THROUGH_TWO_UDFS

Connect = Callable[[str], Client]


UNCHECKED = QueryOptions(typecheck=False)
"""For the runtime's ``unbound_variable``: typechecked (the default), FaunaDB rejects an unknown
identifier before the query runs, as ``invalid_query`` (``typer/TyperExprs.scala``, case
``Expr.Id``; tested in ``test_e2e_typecheck.py``)."""


def error_of(client: Client, query: str, options: QueryOptions | None = None) -> QueryRuntimeError:
    with pytest.raises(QueryRuntimeError) as caught:
        client.query(fql(query), options)
    return caught.value


def test_databases_are_isolated(connect: Connect, root: Client) -> None:
    root.query(fql('Database.create({ name: "iso_a" })'))
    root.query(fql('Database.create({ name: "iso_b" })'))
    a = connect("secret:iso_a:admin")
    b = connect("secret:iso_b:admin")
    a.query(fql('Collection.create({ name: "Things" })'))
    a.query(fql('Things.create({ id: "1" })'))
    for other in (b, root):
        err = error_of(other, "Things", UNCHECKED)
        assert err.code == "unbound_variable"
    b.query(fql('Collection.create({ name: "Things" })'))
    assert b.query(fql('Things.byId("1").exists()')).data is False
    assert a.query(fql('Things.byId("1").exists()')).data is True


def test_database_documents(root: Client) -> None:
    created = root.query(fql('Database.create({ name: "dbdoc", data: { x: 1 } })')).data
    assert isinstance(created, NamedDocument)
    assert created.name == "dbdoc"
    assert "global_id" in dict(created)
    assert root.query(fql('Database.byName("dbdoc")!.data')).data == {"x": 1}
    assert "dbdoc" in root.query(fql("Database.all().map(.name).toArray()")).data
    root.query(fql('Database.byName("dbdoc")!.delete()'))
    assert root.query(fql('Database.byName("dbdoc").exists()')).data is False


def test_nested_databases(connect: Connect, root: Client) -> None:
    root.query(fql('Database.create({ name: "outer" })'))
    outer = connect("secret:outer:admin")
    outer.query(fql('Database.create({ name: "inner" })'))
    inner = connect("secret:outer/inner:server")
    inner.query(fql('Collection.create({ name: "Deep" })'))
    assert inner.query(fql("Deep.create({ a: 1 }).a")).data == 1


def test_unknown_database_is_unauthorized(connect: Connect) -> None:
    client = connect("secret:nowhere:admin")
    with pytest.raises(AuthenticationError):
        client.query(fql("1"))
    with pytest.raises(AuthenticationError):
        connect("wrong").query(fql("1"))


def test_key_secret_reaches_only_its_database(connect: Connect, root: Client, db_name: str) -> None:
    key = root.query(fql("Key.create({ role: 'server', database: ${db} })", db=db_name)).data
    assert isinstance(key, Document)
    secret = key["secret"]
    assert secret.startswith("fn")
    assert key["role"] == "server"
    # The secret is shown only once.
    assert "secret" not in dict(root.query(fql("Key.byId(${id})", id=key.id)).data)
    with_key = connect(secret)
    with_key.query(fql('Collection.create({ name: "Mine" })'))
    with_key.query(fql("Mine.create({})"))
    assert error_of(root, "Mine", UNCHECKED).code == "unbound_variable"
    # A server key may not manage databases or keys.
    err = error_of(with_key, 'Database.create({ name: "nope" })')
    assert err.code == "permission_denied"
    assert err.message == "Insufficient privileges to perform the action."
    assert error_of(with_key, 'Key.create({ role: "admin" })').code == "permission_denied"
    # Deleting the key revokes it.
    root.query(fql("Key.byId(${id})!.delete()", id=key.id))
    with pytest.raises(AuthenticationError):
        with_key.query(fql("1"))


def test_user_defined_functions(db: Client) -> None:
    created = db.query(fql('Function.create({ name: "double", body: "x => x * 2" })')).data
    assert created.name == "double"
    assert created["body"] == "x => x * 2"
    assert db.query(fql("double(21)")).data == 42
    assert db.query(fql('Function("double")(4)')).data == 8
    assert db.query(fql("double.definition.body")).data == "x => x * 2"
    db.query(fql('Function.byName("double")!.update({ body: "x => x * 3" })'))
    assert db.query(fql("double(2)")).data == 6
    db.query(fql('Function.byName("double")!.delete()'))
    assert error_of(db, "double(2)", UNCHECKED).code == "unbound_variable"


def test_udf_not_usable_in_the_query_creating_it(db: Client) -> None:
    err = error_of(db, 'Function.create({ name: "f", body: "() => 1" })\nf()', UNCHECKED)
    assert err.code == "unbound_variable"


def test_udf_body_must_parse(db: Client) -> None:
    err = error_of(db, 'Function.create({ name: "bad", body: "1 +" })')
    assert err.code == "constraint_failure"
    assert err.message == "Failed to create Function."
    assert err.constraint_failures is not None
    assert err.constraint_failures[0].paths == [["body"]]
    assert err.constraint_failures[0].message.startswith("Unable to parse FQL source code.")


def test_udf_errors_render_with_udf_frames(db: Client) -> None:
    db.query(fql('Function.create({ name: "errFunc", body: "() => abort(\\"tracer\\")" })'))
    db.query(fql('Function.create({ name: "eventuallyError", body: "() => errFunc()" })'))
    with pytest.raises(Exception) as caught:
        db.query(fql("\neventuallyError()\n"))
    summary = caught.value.summary  # type: ignore[attr-defined]
    assert summary == ABORT_THROUGH_TWO_UDFS


def test_at_reads_past_versions(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Dogs" })'))
    db.query(fql('Dogs.create({ id: "1", name: "old" })'))
    then = db.query(fql("Time.now()")).data
    db.query(fql('Dogs("1")!.update({ name: "new" })'))
    assert db.query(fql('at (${t}) { Dogs("1")!.name }', t=then)).data == "old"
    assert db.query(fql('(at (${t}) { Dogs("1") }).name', t=then)).data == "old"
    assert db.query(fql('Dogs("1")!.name')).data == "new"
    err = error_of(
        db, "at (${t}) { Dogs.create({}) }".replace("${t}", "Time.now().subtract(1, 'day')")
    )
    assert err.code == "invalid_write"
    assert err.message == "Cannot write at a snapshot time in the past."
