"""Static typechecking through the ``fauna`` driver: ``static_type``, ``X-Typecheck``, the
database's ``typechecked`` setting and ``Query.isEnvTypechecked()``."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from fauna import fql
from fauna.client import Client, QueryOptions
from fauna.errors import QueryCheckError, QueryRuntimeError
from faunalite.testing import BackgroundServer

Connect = Callable[[str], Client]
TYPECHECKED = QueryOptions(typecheck=True)
UNCHECKED = QueryOptions(typecheck=False)


def test_handles_typecheck_format(root: Client) -> None:
    # The official driver's integration test of the same name.
    success = root.query(fql("if (true) 42 else 41"), TYPECHECKED)
    assert success.data == 42
    assert success.static_type == "42 | 41"


def test_template_values_are_typed(root: Client) -> None:
    assert root.query(fql("${x} + 1", x=41), TYPECHECKED).static_type == "Number"
    assert root.query(fql("${x}", x="hi"), TYPECHECKED).static_type == '"hi"'


def test_x_typecheck_false_gives_no_static_type(root: Client) -> None:
    assert root.query(fql("if (true) 42 else 41"), UNCHECKED).static_type is None


def test_databases_are_typechecked_by_default(root: Client, db: Client) -> None:
    # FaunaDB's default (Database.isTypechecked): no database on the path says otherwise.
    assert root.query(fql("if (true) 42 else 41")).static_type == "42 | 41"
    assert db.query(fql("if (true) 42 else 41")).static_type == "42 | 41"
    assert db.query(fql("Query.isEnvTypechecked()")).data is True


def test_a_type_error_is_invalid_query_only_when_typechecked(root: Client) -> None:
    with pytest.raises(QueryCheckError) as caught:
        root.query(fql("{ foo: 1 }.bar"), TYPECHECKED)
    assert caught.value.code == "invalid_query"
    assert caught.value.message == "The query failed 1 validation check"
    assert caught.value.status_code == 400
    assert "error: Type `{ foo: 1 }` does not have field `bar`" in (caught.value.summary or "")
    assert root.query(fql("{ foo: 1 }.bar"), UNCHECKED).data is None


def test_an_untypable_query_runs_without_static_type(root: Client) -> None:
    success = root.query(fql("[3, 1, 2].order()"), TYPECHECKED)
    assert success.data == [1, 2, 3]
    assert success.static_type is None
    assert root.query(fql("Math.abs(-3)"), TYPECHECKED).static_type == "Number"


def test_is_env_typechecked_follows_the_check(root: Client) -> None:
    assert root.query(fql("Query.isEnvTypechecked()"), TYPECHECKED).data is True
    assert root.query(fql("Query.isEnvTypechecked()"), UNCHECKED).data is False


def test_database_setting_is_inherited_and_overridden_by_the_header(
    connect: Connect, root: Client
) -> None:
    root.query(fql('Database.create({ name: "tc_on", typechecked: true })'))
    root.query(fql('Database.create({ name: "tc_off", typechecked: false })'))
    checked = connect("secret:tc_on:admin")
    unchecked = connect("secret:tc_off:admin")
    checked.query(fql('Database.create({ name: "child" })'))
    child = connect("secret:tc_on/child:admin")

    assert checked.query(fql("1 ?? 2")).static_type == "2 | 1"
    assert child.query(fql("1 ?? 2")).static_type == "2 | 1"
    assert unchecked.query(fql("1 ?? 2")).static_type is None
    assert unchecked.query(fql("{}.foo")).data is None
    with pytest.raises(QueryCheckError):
        child.query(fql("{}.foo"))

    assert checked.query(fql("1 ?? 2"), UNCHECKED).static_type is None
    assert unchecked.query(fql("1 ?? 2"), TYPECHECKED).static_type == "2 | 1"


# Unbound identifiers: FaunaDB's typer reports `Unbound variable `x`` at the identifier
# (ext/fql/shared/src/main/scala/typer/TyperExprs.scala, case Expr.Id; message in
# ext/fql/shared/src/main/scala/error/package.scala, TypeError.UnboundVariable) as an
# invalid_query; unchecked, the interpreter's unbound_variable with the same text
# (reference/fql-language.md section 5.2).


def test_an_unbound_identifier_is_invalid_query_when_typechecked(db: Client) -> None:
    with pytest.raises(QueryCheckError) as caught:
        db.query(fql("1 + nope"), TYPECHECKED)
    assert caught.value.code == "invalid_query"
    assert caught.value.status_code == 400
    assert caught.value.message == "The query failed 1 validation check"
    assert caught.value.summary == (
        "error: Unbound variable `nope`\nat *query*:1:5\n  |\n1 | 1 + nope\n  |     ^^^^\n  |"
    )
    with pytest.raises(QueryRuntimeError) as unchecked:
        db.query(fql("1 + nope"), UNCHECKED)
    assert unchecked.value.code == "unbound_variable"
    assert unchecked.value.message == "Unbound variable `nope`"


def test_two_unbound_identifiers_are_two_checks(db: Client) -> None:
    with pytest.raises(QueryCheckError) as caught:
        db.query(fql("[a, b]"), TYPECHECKED)
    assert caught.value.message == "The query failed 2 validation checks"


def test_collections_udfs_and_aliases_are_in_the_global_environment(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Pet", alias: "Animal" })'))
    db.query(fql('Function.create({ name: "double", alias: "twice", body: "x => x * 2" })'))
    assert db.query(fql("Pet.all().count()"), TYPECHECKED).data == 0
    assert db.query(fql("Collection.all().count()"), TYPECHECKED).data == 1
    assert db.query(fql("Animal.all().count()"), TYPECHECKED).data == 0
    assert db.query(fql("double(2)"), TYPECHECKED).data == 4
    assert db.query(fql("twice(2)"), TYPECHECKED).data == 4
    with pytest.raises(QueryCheckError) as caught:
        db.query(fql("Pets.all()"), TYPECHECKED)
    assert "error: Unbound variable `Pets`" in (caught.value.summary or "")


def test_a_collection_is_not_bound_in_the_query_that_creates_it(db: Client) -> None:
    # reference/fql-language.md section 4.1: a collection created in a query is not a global
    # in that query; the typer's environment is the schema before the query.
    with pytest.raises(QueryCheckError) as caught:
        db.query(fql('Collection.create({ name: "Fresh" }); Fresh.all()'), TYPECHECKED)
    assert "error: Unbound variable `Fresh`" in (caught.value.summary or "")


@pytest.fixture
def schema_http(faunalite_server: BackgroundServer, db_name: str) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {faunalite_server.secret}:{db_name}:admin"}
    with httpx.Client(
        base_url=f"{faunalite_server.endpoint}/schema/1", headers=headers, timeout=10
    ) as client:
        yield client


def test_fsl_pushed_names_are_bound(db: Client, schema_http: httpx.Client) -> None:
    main = 'collection Book {}\n\nfunction shout(x) { x + "!" }\n'
    response = schema_http.post("/update", files={"main.fsl": main.encode()})
    assert response.status_code == 200, response.text
    assert db.query(fql("Book.all().count()"), TYPECHECKED).data == 0
    assert db.query(fql('shout("hi")'), TYPECHECKED).data == "hi!"


def test_a_wrong_arity_is_invalid_query_only_when_typechecked(db: Client) -> None:
    # TypeConstraintFailure.scala InvalidArity, at the parentheses (TyperCoreSpec
    # "report user-friendly arity mismatch errors"); unchecked, the runtime's
    # invalid_function_invocation (reference/fql-language.md section 5.2).
    with pytest.raises(QueryCheckError) as caught:
        db.query(fql("'abc'.concat('d', 'e')"), TYPECHECKED)
    assert caught.value.code == "invalid_query"
    assert caught.value.message == "The query failed 1 validation check"
    assert caught.value.summary == (
        "error: Function was called with too many arguments. Expected 1, received 2\n"
        "at *query*:1:13\n  |\n1 | 'abc'.concat('d', 'e')\n  |             ^^^^^^^^^^\n  |"
    )
    with pytest.raises(QueryRuntimeError) as unchecked:
        db.query(fql("'abc'.concat('d', 'e')"), UNCHECKED)
    assert unchecked.value.code == "invalid_function_invocation"


def test_user_collection_types_in_static_type(db: Client) -> None:
    # TyperCoreSpec "typecheck documents" (collection and document types named after the
    # collection: CollectionTypeInfo.scala).
    db.query(fql('Collection.create({ name: "User" })'))
    assert db.query(fql("User.all()"), TYPECHECKED).static_type == "Set<User>"
    assert db.query(fql("User"), TYPECHECKED).static_type == "UserCollection"
    created = db.query(fql('User.create({ name: "Bob" })'), TYPECHECKED)
    assert created.static_type == "User"
    assert created.data["name"] == "Bob"
    found = db.query(fql("User.byId(${id})", id=created.data.id), TYPECHECKED)
    assert found.static_type == "Ref<User>"
    assert db.query(fql("User.all().first()"), TYPECHECKED).static_type == "User | Null"
