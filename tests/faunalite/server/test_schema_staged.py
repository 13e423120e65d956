"""Staged schema over HTTP (``/schema/1/update?staged=true``, ``staged/status``,
``staged/commit``, ``staged/abandon``), with FaunaDB's bodies and messages
(``ext/api/src/test/scala/fauna/api/test/SchemaEndpointStagedSpec.scala``)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from schema_http import new_database, schema_client

from fauna import fql
from fauna.client import Client
from fauna.errors import QueryRuntimeError
from faunalite.testing import BackgroundServer, serve_in_background

USER = "collection User {\n  name: String\n}\n"
USER_INDEXED = "collection User {\n  name: String\n\n  index byName {\n    terms [.name]\n  }\n}\n"
USER_INDEXED_VALUES = (
    "collection User {\n  name: String\n\n  index byName {\n    terms [.name]\n"
    "    values [.name]\n  }\n}\n"
)
ADD_INDEX_DIFF = (
    "* Modifying collection `User` at foo.fsl:1:1:\n  * Indexes:\n  + add index `byName`\n\n"
)


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    with serve_in_background(secret="secret") as server:
        yield server


@pytest.fixture
def database(server: BackgroundServer) -> str:
    return new_database(server, "staged")


@pytest.fixture
def http(server: BackgroundServer, database: str) -> Iterator[httpx.Client]:
    with schema_client(server, f"{server.secret}:{database}:admin") as client:
        yield client


@pytest.fixture
def db(server: BackgroundServer, database: str) -> Iterator[Client]:
    with Client(endpoint=server.endpoint, secret=f"{server.secret}:{database}:admin") as client:
        yield client


def push(http: httpx.Client, files: dict[str, str], **params: str) -> httpx.Response:
    return http.post("/update", params=params, files={n: c.encode() for n, c in files.items()})


def status(http: httpx.Client) -> str:
    """The status both routes report (FaunaDB's spec checks they agree)."""
    plain = http.get("/status")
    staged = http.get("/staged/status")
    assert plain.status_code == staged.status_code == 200
    assert plain.json() == staged.json()
    assert set(plain.json()) == {"version", "status"}
    return str(plain.json()["status"])


def foo(db: Client) -> object:
    return db.query(fql("foo()")).data


def test_a_staged_push_leaves_the_active_schema_until_committed(
    http: httpx.Client, db: Client
) -> None:
    assert push(http, {"foo.fsl": "function foo() { 1 }"}, force="true").status_code == 200
    assert status(http) == "none"
    staged = push(http, {"bar.fsl": "function foo() { 2 }"}, force="true", staged="true")
    assert staged.status_code == 200
    assert set(staged.json()) == {"version"}
    assert foo(db) == 1
    # Nothing to build: ready at once.
    assert status(http) == "ready"
    assert http.get("/status").json()["version"] == staged.json()["version"]

    assert http.get("/files").json()["files"] == [{"filename": "foo.fsl"}]
    assert http.get("/files", params={"staged": "true"}).json()["files"] == [
        {"filename": "bar.fsl"}
    ]
    assert http.get("/files/foo.fsl").json()["content"] == "function foo() { 1 }"
    staged_file = http.get("/files/bar.fsl", params={"staged": "true"})
    assert staged_file.json()["content"] == "function foo() { 2 }"
    assert http.get("/files/bar.fsl").status_code == 404

    committed = http.post("/staged/commit", params={"force": "true"})
    assert committed.status_code == 200
    assert set(committed.json()) == {"version"}
    assert foo(db) == 2
    assert status(http) == "none"
    assert http.get("/files").json()["files"] == [{"filename": "bar.fsl"}]
    assert http.get("/status").json()["version"] == committed.json()["version"]


@pytest.mark.parametrize("path", ["/abandon", "/staged/abandon"])
def test_abandon_drops_the_staged_schema(http: httpx.Client, db: Client, path: str) -> None:
    push(http, {"foo.fsl": "function foo() { 1 }"}, force="true")
    push(http, {"foo.fsl": "function foo() { 2 }"}, force="true", staged="true")
    assert status(http) == "ready"
    abandoned = http.post(path, params={"force": "true"})
    assert abandoned.status_code == 200
    assert status(http) == "none"
    assert foo(db) == 1
    assert http.get("/files/foo.fsl", params={"staged": "true"}).json()["content"] == (
        "function foo() { 1 }"
    )


def test_commit_and_abandon_with_nothing_staged(http: httpx.Client) -> None:
    for path, message in (
        ("/staged/commit", "There is no staged schema to commit"),
        ("/commit", "There is no staged schema to commit"),
        ("/abandon", "There is no staged schema to abandon"),
        ("/staged/abandon", "There is no staged schema to abandon"),
    ):
        reply = http.post(path, params={"force": "true"})
        assert (reply.status_code, reply.json()) == (400, {"error": {"message": message}})


def test_a_staged_collection_and_its_index_appear_on_commit(http: httpx.Client, db: Client) -> None:
    push(http, {"foo.fsl": USER}, force="true")
    db.query(fql('Set.sequence(0, 5).forEach(i => User.create({ name: "user-#{i}" }))'))
    push(http, {"foo.fsl": USER_INDEXED}, force="true", staged="true")
    with pytest.raises(QueryRuntimeError):
        db.query(fql('User.byName("user-0").count()'))

    semantic = http.get("/staged/status", params={"format": "semantic"})
    assert semantic.json() == {
        "version": semantic.json()["version"],
        "status": "ready",
        "pending_summary": "",
        "diff": ADD_INDEX_DIFF,
    }
    # The legacy `diff=` parameter on `/status`, as the Fauna CLI sends it.
    legacy = http.get("/status", params={"diff": "summary"}).json()
    assert legacy["diff"] == "* Modifying collection `User` at foo.fsl:1:1\n"
    assert legacy["pending_summary"] == ""

    # The CLI's `schema commit`: the version from the status, then commit with it.
    version = http.get("/staged/status", params={"diff": "true"}).json()["version"]
    assert http.post("/staged/commit", params={"version": str(version)}).status_code == 200
    assert db.query(fql('User.byName("user-0").count()')).data == 1


def test_validate_against_the_staged_schema(http: httpx.Client) -> None:
    push(http, {"foo.fsl": USER}, force="true")
    push(http, {"foo.fsl": USER_INDEXED}, force="true", staged="true")

    def validate(files: str, **params: str) -> str:
        reply = http.post("/validate", params=params, files={"foo.fsl": files.encode()})
        assert reply.status_code == 200, reply.json()
        return str(reply.json()["diff"])

    # Without `staged`: against the active schema.
    assert validate(USER_INDEXED, force="true") == ADD_INDEX_DIFF
    # With it: against the staged one.
    assert validate(USER_INDEXED, force="true", staged="true") == ""
    # FaunaDB's next line is "    + add values set to [.name]"; faunalite's diff renderer
    # words an added `values` as a change from [] (the same without staging).
    assert validate(USER_INDEXED_VALUES, force="true", staged="true").startswith(
        "* Modifying collection `User` at foo.fsl:1:1:\n  * Indexes:\n  ~ change index `byName`\n"
    )
    assert validate(USER, staged="true", diff="summary") == (
        "* Modifying collection `User` at foo.fsl:1:1\n"
    )
    assert validate(USER_INDEXED, staged="true", diff="summary") == ""


def test_a_push_while_staged_replaces_the_staged_schema(http: httpx.Client, db: Client) -> None:
    push(http, {"foo.fsl": "function foo() { 1 }"}, force="true")
    push(http, {"foo.fsl": "function foo() { 2 }"}, force="true", staged="true")
    # FaunaDB keeps the active schema pinned until a commit or an abandon, so a push
    # without `staged` changes the staged schema only.
    assert push(http, {"foo.fsl": "function foo() { 3 }"}, force="true").status_code == 200
    assert foo(db) == 1
    assert status(http) == "ready"
    assert http.post("/commit", params={"force": "true"}).status_code == 200
    assert foo(db) == 3


def test_a_staged_push_is_checked_before_it_is_kept(http: httpx.Client) -> None:
    bad = push(http, {"main.fsl": "collection {"}, force="true", staged="true")
    assert bad.status_code == 400
    assert bad.json()["error"]["message"].startswith("error:")
    # `Collection` is a reserved name, refused by the data model in the check's dry run.
    refused = push(http, {"main.fsl": "collection Collection {}\n"}, staged="true")
    assert refused.status_code == 400
    assert refused.json()["error"]["message"].startswith("Failed to create Collection.\n")
    assert status(http) == "none"


def test_staged_versions_are_checked(http: httpx.Client) -> None:
    first = push(http, {"foo.fsl": "function foo() { 1 }"}).json()["version"]
    stale = push(http, {"foo.fsl": "function foo() { 2 }"}, staged="true", version="1")
    assert (stale.status_code, stale.json()) == (
        409,
        {"error": {"message": "Stale schema version provided"}},
    )
    staged = push(
        http, {"foo.fsl": "function foo() { 2 }"}, staged="true", version=str(first)
    ).json()["version"]
    assert staged > first
    for path in ("/staged/commit", "/staged/abandon"):
        reply = http.post(path, params={"version": str(first)})
        assert (reply.status_code, reply.json()) == (
            409,
            {"error": {"message": "Stale schema version provided"}},
        )
    assert http.post("/staged/abandon", params={"version": str(staged)}).status_code == 200


def test_the_root_database_cannot_stage(server: BackgroundServer) -> None:
    message = {"error": {"message": "Schema cannot be staged in the root database"}}
    with schema_client(server, server.secret) as root:
        staged = push(root, {"foo.fsl": "function foo() { 2 }"}, force="true", staged="true")
        assert (staged.status_code, staged.json()) == (400, message)
        for path in ("/staged/commit", "/staged/abandon"):
            reply = root.post(path, params={"force": "true"})
            assert (reply.status_code, reply.json()) == (400, message)


def test_a_read_only_key_may_see_but_not_commit(server: BackgroundServer, database: str) -> None:
    with schema_client(server, f"{server.secret}:{database}:admin") as admin:
        push(admin, {"foo.fsl": USER}, force="true")
        push(admin, {"foo.fsl": USER_INDEXED}, force="true", staged="true")
    with schema_client(server, f"{server.secret}:{database}:server-readonly") as reader:
        assert status(reader) == "ready"
        shown = reader.get("/staged/status", params={"format": "semantic"})
        assert shown.json()["diff"] == ADD_INDEX_DIFF
        denied = {"error": {"message": "Access denied"}}
        for path in ("/staged/commit", "/staged/abandon"):
            reply = reader.post(path, params={"force": "true"})
            assert (reply.status_code, reply.json()) == (403, denied)
        staged = push(reader, {"foo.fsl": USER}, force="true", staged="true")
        assert (staged.status_code, staged.json()) == (403, denied)


def test_items_made_with_fql_while_staged_survive_the_commit(
    http: httpx.Client, db: Client
) -> None:
    push(http, {"main.fsl": USER}, force="true")
    push(http, {"main.fsl": USER_INDEXED}, force="true", staged="true")
    # FaunaDB puts FQL schema writes made after a staging in the staged schema;
    # faunalite applies them at once and keeps them in the staged files.
    db.query(fql('Collection.create({ name: "Extra" })'))
    staged_main = http.get("/files/main.fsl", params={"staged": "true"}).json()["content"]
    assert staged_main.startswith(USER_INDEXED.rstrip("\n") + "\n\ncollection Extra {")
    diff = http.get("/staged/status", params={"format": "summary"}).json()["diff"]
    assert diff == "* Modifying collection `User` at main.fsl:1:1\n"
    assert http.post("/staged/commit", params={"force": "true"}).status_code == 200
    names = db.query(fql("Collection.all().map(.name).toArray()")).data
    assert sorted(names) == ["Extra", "User"]
