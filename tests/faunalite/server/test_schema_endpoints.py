"""The ``/schema/1`` file endpoints the Fauna CLI uses (``schema push/pull/diff/status``),
over HTTP against a running server, with FaunaDB's bodies (``api/schema/SchemaResponse.scala``)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from schema_http import new_database

from fauna import fql
from fauna.client import Client
from faunalite.schema import PREAMBLE
from faunalite.testing import BackgroundServer, serve_in_background

USERS = (
    "collection User {\n"
    "  name: String\n"
    "  index byName {\n"
    "    terms [.name]\n"
    "  }\n"
    "}\n"
    "\n"
    "role reader {\n"
    "  privileges User {\n"
    "    read\n"
    "  }\n"
    "}\n"
)


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    with serve_in_background(secret="secret") as server:
        yield server


@pytest.fixture
def database(server: BackgroundServer) -> str:
    return new_database(server, "schema")


@pytest.fixture
def http(server: BackgroundServer, database: str) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {server.secret}:{database}:admin"}
    with httpx.Client(base_url=f"{server.endpoint}/schema/1", headers=headers, timeout=10) as c:
        yield c


@pytest.fixture
def db(server: BackgroundServer, database: str) -> Iterator[Client]:
    with Client(endpoint=server.endpoint, secret=f"{server.secret}:{database}:admin") as client:
        yield client


def push(http: httpx.Client, files: dict[str, str], **params: str) -> httpx.Response:
    return http.post("/update", params=params, files={n: c.encode() for n, c in files.items()})


def test_an_empty_schema_has_no_files(http: httpx.Client) -> None:
    listed = http.get("/files")
    assert (listed.status_code, listed.json()) == (200, {"version": 0, "files": []})
    missing = http.get("/files/main.fsl")
    assert (missing.status_code, missing.json()) == (404, {"error": {"message": "Not found"}})


def test_a_schema_made_with_fql_is_served_as_main_fsl(http: httpx.Client, db: Client) -> None:
    reply = db.query(
        fql('Collection.create({ name: "Dog", fields: { name: { signature: "String" } } })')
    )
    version = reply.schema_version
    assert http.get("/files").json() == {"version": version, "files": [{"filename": "main.fsl"}]}
    content = http.get("/files/main.fsl").json()
    assert content == {
        "version": version,
        "content": PREAMBLE + "\ncollection Dog {\n  name: String\n}\n",
    }


def test_validate_and_diff_show_the_changes_without_making_them(
    http: httpx.Client, db: Client
) -> None:
    files = {"main.fsl": USERS}
    semantic = http.post("/validate", files={"main.fsl": USERS.encode()})
    assert semantic.status_code == 200
    assert semantic.json() == {
        "version": 0,
        # FaunaDB's rendering (its SchemaEndpointSpec: `/schema/1/validate` of an indexed
        # collection).
        "diff": "* Adding collection `User` to main.fsl:1:1:\n"
        "  * Indexes:\n"
        "  + add index `byName`\n"
        "\n"
        "* Adding role `reader` to main.fsl:8:1\n"
        "\n",
    }
    summary = http.post("/diff", params={"format": "summary"}, files={"main.fsl": USERS.encode()})
    assert summary.json()["diff"] == (
        "* Adding collection `User` to main.fsl:1:1\n* Adding role `reader` to main.fsl:8:1\n"
    )
    textual = http.post("/diff", params={"format": "textual"}, files=files)
    assert textual.json()["diff"].startswith("main.fsl\n@ line 1 to 12\n+ collection User {\n")
    assert db.query(fql("Collection.all().count()")).data == 0


def test_a_push_is_applied_and_visible_to_fql(http: httpx.Client, db: Client) -> None:
    pushed = push(http, {"main.fsl": USERS})
    assert pushed.status_code == 200
    version = pushed.json()["version"]
    assert set(pushed.json()) == {"version"}
    reply = db.query(fql('Collection.byName("User")!.indexes.byName.terms'))
    assert reply.data == [{"field": ".name", "mva": False}]
    assert reply.schema_version == version
    assert db.query(fql('Role.byName("reader")!.privileges[0].resource')).data == "User"
    assert http.get("/files").json() == {"version": version, "files": [{"filename": "main.fsl"}]}
    assert http.get("/files/main.fsl").json() == {"version": version, "content": USERS}
    # Pushing the same files again changes nothing: the diff is empty.
    assert http.post("/diff", files={"main.fsl": USERS.encode()}).json() == {
        "version": version,
        "diff": "",
    }


def test_a_push_updates_and_deletes_items(http: httpx.Client, db: Client) -> None:
    version = push(http, {"main.fsl": USERS}).json()["version"]
    changed = "collection User {\n  name: String\n  age: Int?\n}\n"
    diff = http.post("/diff", files={"main.fsl": changed.encode()}).json()["diff"]
    assert diff.startswith("* Modifying collection `User` at main.fsl:1:1:\n")
    assert diff == (
        "* Modifying collection `User` at main.fsl:1:1:\n"
        "  * Indexes:\n"
        "  - remove index `byName`\n"
        "\n"
        "* Removing role `reader` from main.fsl:8:1\n"
        "\n"
    )
    second = push(http, {"main.fsl": changed}, version=str(version))
    assert second.status_code == 200
    assert second.json()["version"] > version
    fields = db.query(fql('Collection.byName("User")!.fields.age.signature')).data
    assert fields == "Int?"
    assert db.query(fql('Role.byName("reader") == null')).data is True


def test_a_stale_version_is_a_conflict(http: httpx.Client) -> None:
    version = push(http, {"main.fsl": USERS}).json()["version"]
    stale = push(http, {"main.fsl": "collection Other {}\n"}, version=str(version - 1))
    assert (stale.status_code, stale.json()) == (
        409,
        {"error": {"message": "Stale schema version provided"}},
    )
    assert http.get("/files", params={"version": "1"}).status_code == 409
    forced = push(http, {"main.fsl": "collection Other {}\n"}, version="1", force="true")
    assert forced.status_code == 200


def test_invalid_fsl_is_a_bad_request_with_the_diagnostics(http: httpx.Client, db: Client) -> None:
    bad = push(http, {"main.fsl": "collection User {\n  name String\n}\n"})
    assert bad.status_code == 400
    assert bad.json() == {
        "error": {
            "message": "error: Invalid field or member `name`\n"
            "at main.fsl:2:3\n"
            "  |\n"
            "2 |   name String\n"
            "  |   ^^^^\n"
            "  |"
        }
    }
    assert db.query(fql("Collection.all().count()")).data == 0
    assert http.get("/files").json()["files"] == []


def test_a_change_the_model_refuses_leaves_everything_as_it_was(
    http: httpx.Client, db: Client
) -> None:
    # `Collection` is a reserved name: refused by the data model, and nothing else is applied.
    files = {"a.fsl": "collection Ok {}\n", "b.fsl": "collection Collection {}\n"}
    refused = push(http, files)
    assert refused.status_code == 400
    assert refused.json()["error"]["message"].startswith("Failed to create Collection.\n")
    assert db.query(fql("Collection.all().count()")).data == 0
    assert (
        http.post("/validate", files={n: c.encode() for n, c in files.items()}).status_code == 400
    )


def test_items_made_with_fql_after_a_push_appear_in_main_fsl(
    http: httpx.Client, db: Client
) -> None:
    push(http, {"main.fsl": "collection A {}\n", "other/b.fsl": "collection B {}\n"})
    db.query(fql('Collection.create({ name: "C" })'))
    listed = http.get("/files").json()["files"]
    assert listed == [{"filename": "main.fsl"}, {"filename": "other/b.fsl"}]
    main = http.get("/files/main.fsl").json()["content"]
    assert main == "collection A {}\n\ncollection C {\n}\n"
    assert http.get("/files/other%2Fb.fsl").json()["content"] == "collection B {}\n"


def test_status_is_none_without_staged_schema(http: httpx.Client, server: BackgroundServer) -> None:
    assert http.get("/status").json() == {"version": 0, "status": "none"}
    assert http.get("/staged/status", params={"format": "semantic"}).json() == {
        "version": 0,
        "status": "none",
        "pending_summary": "",
        "diff": "",
    }
    root = httpx.get(
        f"{server.endpoint}/schema/1/status", headers={"Authorization": f"Bearer {server.secret}"}
    )
    assert (root.status_code, root.json()) == (
        400,
        {"error": {"message": "Schema cannot be staged in the root database"}},
    )


def test_a_staged_diff_with_nothing_staged_is_against_the_active_schema(
    http: httpx.Client,
) -> None:
    # With nothing staged, a diff against the staged schema is one against the active one
    # (what `fauna schema diff` asks for by default).
    diff = http.post(
        "/diff",
        params={"staged": "true", "diff": "semantic", "force": "true"},
        files={"main.fsl": USERS.encode()},
    )
    assert diff.json()["diff"].startswith("* Adding collection `User`")


def test_bad_uploads(http: httpx.Client) -> None:
    bad_name = push(http, {"notes.txt": "x"})
    assert (bad_name.status_code, bad_name.json()) == (
        400,
        {"error": {"message": "Invalid filename `notes.txt`"}},
    )


def test_a_client_key_may_not_read_schema(server: BackgroundServer, database: str) -> None:
    headers = {"Authorization": f"Bearer {server.secret}:{database}:client"}
    denied = httpx.get(f"{server.endpoint}/schema/1/files", headers=headers)
    assert (denied.status_code, denied.json()) == (403, {"error": {"message": "Access denied"}})
    status = httpx.get(f"{server.endpoint}/schema/1/status", headers=headers)
    assert status.status_code == 403


def test_a_read_only_key_may_not_push(server: BackgroundServer, database: str) -> None:
    headers = {"Authorization": f"Bearer {server.secret}:{database}:server-readonly"}
    url = f"{server.endpoint}/schema/1"
    assert httpx.get(f"{url}/files", headers=headers).status_code == 200
    diff = httpx.post(f"{url}/diff", headers=headers, files={"main.fsl": USERS.encode()})
    assert diff.json()["diff"].startswith("* Adding collection `User`")
    # Even files that change no item are refused.
    denied = httpx.post(f"{url}/update", headers=headers, files={"main.fsl": b""})
    assert (denied.status_code, denied.json()) == (403, {"error": {"message": "Access denied"}})


def test_pushed_files_survive_a_restart(tmp_path: object) -> None:
    data = str(tmp_path)
    with BackgroundServer(data_path=data) as first:
        headers = {"Authorization": "Bearer secret"}
        url = f"{first.endpoint}/schema/1"
        version = httpx.post(f"{url}/update", headers=headers, files={"main.fsl": USERS.encode()})
        assert version.status_code == 200
    with BackgroundServer(data_path=data) as second:
        again = httpx.get(f"{second.endpoint}/schema/1/files/main.fsl", headers=headers)
        assert again.json() == {"version": version.json()["version"], "content": USERS}


def test_files_changed_behind_the_push_are_served_as_generated(
    http: httpx.Client, db: Client
) -> None:
    push(http, {"main.fsl": "collection A {}\n", "b.fsl": "collection B {}\n"})
    db.query(fql('Collection.byName("B")!.delete()'))
    assert http.get("/files").json()["files"] == [{"filename": "main.fsl"}]
    assert http.get("/files/main.fsl").json()["content"] == PREAMBLE + "\ncollection A {\n}\n"
    db.query(fql('Collection.byName("A")!.delete()'))
    assert http.get("/files").json()["files"] == []


RICH = (
    "@alias(People)\n"
    "collection Person {\n"
    "  name: String\n"
    "  age: Int? = 0\n"
    "  compute adult: Boolean = (doc) => doc.age! >= 18\n"
    "  unique [.name]\n"
    "  check named ((doc) => doc.name.length > 0)\n"
    "  index byAge {\n"
    "    terms [.age]\n"
    "    values [desc(.name)]\n"
    "  }\n"
    "  history_days 3\n"
    "}\n"
    "\n"
    "@role(server)\n"
    "function greet(person: Person): String {\n"
    '  "hi " + person.name\n'
    "}\n"
    "\n"
    "role clerk {\n"
    "  privileges Person {\n"
    "    read\n"
    "    write {\n"
    "      predicate ((before, after) => before.name == after.name)\n"
    "    }\n"
    "  }\n"
    "  privileges greet {\n"
    "    call\n"
    "  }\n"
    "  membership Person {\n"
    "    predicate ((doc) => doc.adult)\n"
    "  }\n"
    "}\n"
)


def test_a_rich_schema_pushes_once_and_then_has_no_diff(http: httpx.Client, db: Client) -> None:
    pushed = push(http, {"main.fsl": RICH})
    assert pushed.status_code == 200, pushed.json()
    assert http.post("/diff", files={"main.fsl": RICH.encode()}).json()["diff"] == ""
    assert db.query(fql('Function.byName("greet")!.role')).data == "server"
    person = db.query(fql('Person.create({ name: "Ann", age: 20 }) { adult }')).data
    assert person == {"adult": True}
