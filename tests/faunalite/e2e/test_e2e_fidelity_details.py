"""Small FaunaDB behaviours checked through the ``fauna`` driver against a real server (issue
16): how a ``SetCursor`` displays, what ``String.parseLong`` returns, which database names are
identifiers, and what unknown paths answer."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from fauna import fql
from fauna.client import Client
from fauna.errors import QueryRuntimeError
from faunalite.testing import BackgroundServer


def test_a_set_cursor_to_string_is_the_after_token(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Product" })'))
    db.query(fql("Set.sequence(0, 3).forEach(n => Product.create({ n: n }))"))
    shown, after = db.query(
        fql("let page = Product.all().paginate(1)\n[page.after!.toString(), page.after]")
    ).data
    assert isinstance(shown, str)
    assert shown == after
    page = db.query(fql("Set.paginate(${cursor}).data.map(.n)", cursor=shown)).data
    assert page == [1]


def test_parse_long_is_a_long_on_the_wire(faunalite_server: BackgroundServer, db_name: str) -> None:
    replies: list[dict[str, object]] = []

    def record(response: httpx.Response) -> None:
        response.read()
        replies.append(response.json())

    secret = f"{faunalite_server.secret}:{db_name}:admin"
    with httpx.Client(event_hooks={"response": [record]}) as pool:
        client = Client(
            endpoint=faunalite_server.endpoint, secret=secret, http_client=pool, max_attempts=1
        )
        small = client.query(fql('"5".parseLong()')).data
        kinds = client.query(fql('let n = "5".parseLong()\n[n isa Long, n isa Int, n + 1]')).data
        client.close()
    assert (small, kinds) == (5, [True, False, 6])
    assert [reply["data"] for reply in replies] == [
        {"@long": "5"},
        [True, False, {"@int": "6"}],
    ]


def test_a_database_name_must_be_an_identifier(db: Client) -> None:
    # The Fauna CLI shows FaunaDB's `Invalid identifier.` for `fauna database create bad-name`.
    with pytest.raises(QueryRuntimeError) as caught:
        db.query(fql('Database.create({ name: "bad-name" })'))
    error = caught.value
    assert (error.status_code, error.code, error.message) == (
        400,
        "constraint_failure",
        "Failed to create Database.",
    )
    assert error.constraint_failures is not None
    failures = [(failure.paths, failure.message) for failure in error.constraint_failures]
    assert failures == [([["name"]], "Invalid identifier.")]
    assert db.query(fql('Database.create({ name: "good_name" }).name')).data == "good_name"


@pytest.fixture
def http(faunalite_server: BackgroundServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=faunalite_server.endpoint, timeout=5) as client:
        yield client


def test_schema_paths_answer_in_the_schema_endpoints_shape(
    http: httpx.Client, faunalite_server: BackgroundServer, db_name: str
) -> None:
    # The Fauna CLI's schema commands read `error.message`; the v4 `errors` 404 read as success.
    auth = {"Authorization": f"Bearer {faunalite_server.secret}:{db_name}:admin"}
    missing = http.get("/schema/1/nope", headers=auth)
    assert (missing.status_code, missing.json()) == (404, {"error": {"message": "Not found"}})
    wrong = http.get("/schema/1/update", headers=auth)
    assert (wrong.status_code, wrong.json()) == (405, {"error": {"message": "Method not allowed"}})
    anonymous = http.get("/schema/1/files")
    assert (anonymous.status_code, anonymous.json()) == (
        401,
        {"error": {"message": "Access token required"}},
    )
    assert anonymous.headers["www-authenticate"] == "Bearer"
    staged = http.post("/schema/1/staged/commit", headers=auth)
    assert (staged.status_code, staged.json()) == (
        400,
        {"error": {"message": "There is no staged schema to commit"}},
    )


def test_other_unknown_paths_keep_the_legacy_404(http: httpx.Client) -> None:
    response = http.get("/nope")
    assert response.status_code == 404
    assert response.json() == {"errors": [{"code": "not found", "description": "Not Found"}]}
