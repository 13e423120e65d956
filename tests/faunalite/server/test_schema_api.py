"""``/schema/1`` routing and replies (``faunalite.server.schema_api``), without a server."""

from __future__ import annotations

import pytest

from faunalite.server.schema_api import is_schema_path, match_route, schema_reply


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("POST", "/schema/1/update", "route"),
        ("GET", "/schema/1/files", "route"),
        ("GET", "/schema/1/files/main%2Fcollections.fsl", "route"),
        ("GET", "/schema/1/staged/status", "route"),
        ("POST", "/schema/1/items/collections", "route"),
        ("DELETE", "/schema/1/items/roles/admin2", "route"),
        ("GET", "/schema/1/update", "method_not_allowed"),
        ("DELETE", "/schema/1/items/collections", "method_not_allowed"),
        ("PUT", "/schema/1/files", "method_not_allowed"),
        ("GET", "/schema/1", "not_found"),
        ("GET", "/schema/1/", "not_found"),
        ("GET", "/schema/1/nope", "not_found"),
        ("GET", "/schema/1/files/a/b", "not_found"),
        ("GET", "/schema/1/items/indexes/x", "not_found"),
        ("GET", "/schema/10/files", "not_found"),
    ],
)
def test_routes_are_fauna_dbs(method: str, path: str, expected: str) -> None:
    assert is_schema_path(path)
    assert match_route(method, path) == expected


def test_only_the_prefix_is_the_schema_endpoint() -> None:
    assert not is_schema_path("/schema")
    assert not is_schema_path("/query/1")


def test_replies_use_the_schema_error_shape() -> None:
    unauthorized = schema_reply("GET", "/schema/1/nope", authenticated=False)
    assert (unauthorized.status, unauthorized.body) == (
        401,
        {"error": {"message": "Access token required"}},
    )
    assert unauthorized.headers == (("www-authenticate", "Bearer"),)
    missing = schema_reply("GET", "/schema/1/nope", authenticated=True)
    assert (missing.status, missing.body) == (404, {"error": {"message": "Not found"}})
    wrong = schema_reply("GET", "/schema/1/update", authenticated=True)
    assert (wrong.status, wrong.body) == (405, {"error": {"message": "Method not allowed"}})
    unsupported = schema_reply("POST", "/schema/1/update", authenticated=True)
    assert unsupported.status == 501
    error = unsupported.body["error"]
    assert isinstance(error, dict)
    assert str(error["message"]).startswith(
        "faunalite does not implement the schema API (/schema/1/update)"
    )
