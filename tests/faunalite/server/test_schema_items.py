"""The single-item schema routes over HTTP (``/schema/1/items/{kind}[/{name}]``), with
FaunaDB's bodies and messages (``ext/api/.../api/schema/SchemaEndpoint.scala``,
``singleItemEndpoints``; ``SchemaResponse.scala``, ``SourceItem`` and ``ItemUpdated``)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from schema_http import new_database, schema_client

from fauna import fql
from fauna.client import Client
from faunalite.testing import BackgroundServer, serve_in_background

MAIN = "collection Foo {\n  name: String\n}\n\nfunction foo() { 1 }\n"
FOO = "collection Foo {\n  name: String\n}"


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    with serve_in_background(secret="secret") as server:
        yield server


@pytest.fixture
def database(server: BackgroundServer) -> str:
    return new_database(server, "items")


@pytest.fixture
def http(server: BackgroundServer, database: str) -> Iterator[httpx.Client]:
    with schema_client(server, f"{server.secret}:{database}:admin") as client:
        assert client.post("/update", files={"main.fsl": MAIN.encode()}).status_code == 200
        yield client


@pytest.fixture
def db(server: BackgroundServer, database: str) -> Iterator[Client]:
    with Client(endpoint=server.endpoint, secret=f"{server.secret}:{database}:admin") as client:
        yield client


def main_fsl(http: httpx.Client, **params: str) -> str:
    return str(http.get("/files/main.fsl", params=params).json()["content"])


def test_get_an_item(http: httpx.Client, db: Client) -> None:
    version = http.get("/files").json()["version"]
    reply = http.get("/items/collections/Foo")
    assert reply.status_code == 200
    body = reply.json()
    assert body["definition"]["name"] == "Foo"
    assert body["definition"]["coll"] == "Collection"
    assert body["definition"]["fields"] == {"name": {"signature": "String"}}
    assert body == {
        "version": version,
        "filename": "main.fsl",
        "span": {"start": 0, "end": len(FOO)},
        "content": FOO,
        "definition": body["definition"],
    }
    function = http.get("/items/functions/foo").json()
    start = MAIN.index("function")
    assert (function["span"], function["content"]) == (
        {"start": start, "end": start + len("function foo() { 1 }")},
        "function foo() { 1 }",
    )
    assert function["definition"]["body"] == "() => { 1 }"
    for path in ("/items/functions/Foo", "/items/roles/foo", "/items/access_providers/x"):
        missing = http.get(path)
        assert (missing.status_code, missing.json()) == (404, {"error": {"message": "Not found"}})


def test_create_an_item_appends_it_to_main_fsl(http: httpx.Client, db: Client) -> None:
    reply = http.post("/items/functions", content=b"function bar() { 2 }")
    assert reply.status_code == 200
    body = reply.json()
    start = len(MAIN.rstrip("\n")) + 2
    assert body["version"] == http.get("/files").json()["version"]
    assert {key: body[key] for key in ("filename", "span", "content")} == {
        "filename": "main.fsl",
        "span": {"start": start, "end": start + len("function bar() { 2 }")},
        "content": "function bar() { 2 }",
    }
    assert body["definition"]["body"] == "() => { 2 }"
    assert main_fsl(http) == MAIN + "\nfunction bar() { 2 }"
    assert db.query(fql("bar()")).data == 2


def test_snippet_errors(http: httpx.Client) -> None:
    for body, message in (
        (b"", "No FSL snippet provided"),
        (b"  \n", "No FSL snippet provided"),
        (b"collection Bar {}", "Wrong FSL snippet. Expected a function"),
        (b"function a() { 1 }\nfunction b() { 2 }", "Expected a single schema item, got: 2"),
    ):
        reply = http.post("/items/functions", content=body)
        assert (reply.status_code, reply.json()) == (400, {"error": {"message": message}})
    bad = http.post("/items/roles", content=b"role {")
    assert bad.status_code == 400
    assert bad.json()["error"]["message"].startswith("error:")
    # A second `foo` in main.fsl: refused with the parser's diagnostics.
    clash = http.post("/items/functions", content=b"function foo() { 2 }")
    assert clash.status_code == 400
    assert clash.json()["error"]["message"].startswith("error:")
    assert main_fsl(http) == MAIN


def test_replace_an_item(http: httpx.Client, db: Client) -> None:
    reply = http.post("/items/functions/foo", content=b"function foo() { 10 }")
    assert reply.status_code == 200
    body = reply.json()
    start = MAIN.index("function")
    assert (body["span"], body["content"], body["definition"]["body"]) == (
        {"start": start, "end": start + len("function foo() { 10 }")},
        "function foo() { 10 }",
        "() => { 10 }",
    )
    assert db.query(fql("foo()")).data == 10
    missing = http.post("/items/functions/nope", content=b"function nope() { 1 }")
    assert (missing.status_code, missing.json()) == (404, {"error": {"message": "Not found"}})


def test_replacing_with_the_same_item_changes_nothing(http: httpx.Client) -> None:
    version = http.get("/files").json()["version"]
    reply = http.post("/items/collections/Foo", content=FOO.encode())
    assert reply.status_code == 200
    assert reply.json()["version"] == version
    assert reply.json()["content"] == FOO
    assert http.get("/files").json()["version"] == version


def test_renaming_a_collection_keeps_its_documents(http: httpx.Client, db: Client) -> None:
    db.query(fql('Foo.create({ name: "kept" })'))
    renamed = http.post("/items/collections/Foo", content=b"collection Bar {\n  name: String\n}")
    assert renamed.status_code == 200
    assert renamed.json()["definition"]["name"] == "Bar"
    assert db.query(fql("Bar.all().map(.name).toArray()")).data == ["kept"]
    assert main_fsl(http).startswith("collection Bar {")
    assert http.get("/items/collections/Foo").status_code == 404


def test_delete_an_item(http: httpx.Client, db: Client) -> None:
    start = MAIN.index("function")
    reply = http.delete("/items/functions/foo")
    assert reply.status_code == 200
    body = reply.json()
    assert (body["span"], body["content"], body["definition"]["name"]) == (
        {"start": start, "end": start + len("function foo() { 1 }")},
        "function foo() { 1 }",
        "foo",
    )
    assert main_fsl(http) == FOO + "\n"
    assert db.query(fql("Function.all().count()")).data == 0
    missing = http.delete("/items/functions/foo")
    assert (missing.status_code, missing.json()) == (404, {"error": {"message": "Not found"}})


def test_validate_answers_the_diff_and_writes_nothing(http: httpx.Client, db: Client) -> None:
    version = http.get("/files").json()["version"]
    created = http.post(
        "/items/functions", params={"validate": "true"}, content=b"function bar() { 2 }"
    )
    # The diff of the whole files with the item appended to main.fsl.
    appended = MAIN + "\nfunction bar() { 2 }"
    whole = http.post("/validate", files={"main.fsl": appended.encode()}).json()["diff"]
    assert whole.startswith("* Adding function `bar` to main.fsl:7:1")
    assert created.json() == {"version": version, "diff": whole}
    deleted = http.delete("/items/functions/foo", params={"validate": "true", "diff": "summary"})
    assert deleted.json() == {
        "version": version,
        "diff": "* Removing function `foo` from main.fsl:5:1\n",
    }
    assert main_fsl(http) == MAIN
    assert db.query(fql("Function.all().count()")).data == 1


def test_writes_need_write_permission_and_a_current_version(
    server: BackgroundServer, database: str, http: httpx.Client
) -> None:
    stale = http.post("/items/functions", params={"version": "1"}, content=b"function b() { 1 }")
    assert (stale.status_code, stale.json()) == (
        409,
        {"error": {"message": "Stale schema version provided"}},
    )
    with schema_client(server, f"{server.secret}:{database}:server-readonly") as reader:
        assert reader.get("/items/functions/foo").status_code == 200
        denied = {"error": {"message": "Access denied"}}
        for reply in (
            reader.post("/items/functions", content=b"function b() { 1 }"),
            reader.post("/items/functions/foo", content=b"function foo() { 2 }"),
            reader.delete("/items/functions/foo"),
        ):
            assert (reply.status_code, reply.json()) == (403, denied)


def test_while_staged_item_writes_change_the_staged_schema(http: httpx.Client, db: Client) -> None:
    staged = http.post(
        "/update",
        params={"staged": "true"},
        files={"main.fsl": (MAIN + "\nfunction bar() { 2 }\n").encode()},
    )
    assert staged.status_code == 200
    # Looked up in the staged files.
    assert http.get("/items/functions/bar").json()["content"] == "function bar() { 2 }"
    reply = http.post("/items/functions/bar", content=b"function bar() { 3 }")
    assert reply.status_code == 200
    assert reply.json()["definition"]["body"] == "() => { 3 }"
    assert reply.json()["version"] > staged.json()["version"]
    assert "function bar() { 3 }" in main_fsl(http, staged="true")
    renamed = http.post("/items/collections/Foo", content=b"collection Bar {}")
    assert (renamed.status_code, renamed.json()) == (
        400,
        {
            "error": {
                "message": "faunalite cannot rename a schema item while a schema is staged: "
                "commit or abandon the staged schema (fauna schema commit / abandon), then "
                "rename it."
            }
        },
    )
    assert main_fsl(http) == MAIN
    assert db.query(fql("Function.all().count()")).data == 1
    assert http.post("/staged/commit", params={"force": "true"}).status_code == 200
    assert db.query(fql("bar()")).data == 3
