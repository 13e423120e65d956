"""``/schema/1`` routing and replies (``faunalite.server.schema_api``), without a server."""

from __future__ import annotations

import pytest

from faunalite.engine import Principal
from faunalite.schema_sync import SchemaFailure, SchemaParams
from faunalite.server.schema_api import (
    is_schema_path,
    is_valid_filename,
    match_route,
    read_upload,
    schema_reply,
)


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
    unauthorized = schema_reply("GET", "/schema/1/nope", principal=None)
    assert (unauthorized.status, unauthorized.body) == (
        401,
        {"error": {"message": "Access token required"}},
    )
    assert unauthorized.headers == (("www-authenticate", "Bearer"),)
    root = Principal()
    missing = schema_reply("GET", "/schema/1/nope", principal=root)
    assert (missing.status, missing.body) == (404, {"error": {"message": "Not found"}})
    wrong = schema_reply("GET", "/schema/1/update", principal=root)
    assert (wrong.status, wrong.body) == (405, {"error": {"message": "Method not allowed"}})
    unsupported = schema_reply("POST", "/schema/1/staged/commit", principal=root)
    assert unsupported.status == 501
    error = unsupported.body["error"]
    assert isinstance(error, dict)
    assert error["message"] == (
        "No schema service answers /schema/1/staged/commit here: it needs an engine."
    )


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("main.fsl", True),
        ("app/collections.fsl", True),
        ("main.txt", False),
        ("/abs.fsl", False),
        ("a//b.fsl", False),
        ("../up.fsl", False),
        ("dir/.fsl", False),
    ],
)
def test_filenames_are_relative_fsl_paths(name: str, valid: bool) -> None:
    assert is_valid_filename(name) is valid


def multipart(*parts: tuple[str, str]) -> tuple[str, bytes]:
    boundary = "----faunalite-test"
    body = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="blob"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n{content}\r\n"
        for name, content in parts
    )
    return f"multipart/form-data; boundary={boundary}", f"{body}--{boundary}--\r\n".encode()


def test_uploads_are_one_file_per_form_field() -> None:
    content_type, body = multipart(("main.fsl", "collection A {}\n"), ("b/c.fsl", "é"))
    assert read_upload(content_type, body) == {"main.fsl": "collection A {}\n", "b/c.fsl": "é"}
    assert read_upload(None, b"") == {}
    assert read_upload("text/plain", b"collection A {}") == {}


def test_an_upload_with_a_bad_filename_is_refused() -> None:
    content_type, body = multipart(("notes.txt", "x"))
    with pytest.raises(SchemaFailure) as caught:
        read_upload(content_type, body)
    assert (caught.value.status, caught.value.message) == (400, "Invalid filename `notes.txt`")


def test_params_are_fauna_dbs() -> None:
    params = SchemaParams.from_query({"version": "12", "force": "true", "diff": "true"})
    assert params == SchemaParams(version=12, force=True, staged=False, diff_format="semantic")
    assert SchemaParams.from_query({"format": "summary", "staged": "true"}) == SchemaParams(
        staged=True, diff_format="summary"
    )
    assert SchemaParams.from_query({"version": "x", "force": "1"}) == SchemaParams()


@pytest.mark.parametrize("body", [b"garbage", b"--x\r\n\r\n--x--", b"--other\r\n"])
def test_a_malformed_upload_is_a_bad_request_never_an_empty_schema(body: bytes) -> None:
    # Taken as "no files", it would delete every item on /update.
    with pytest.raises(SchemaFailure) as caught:
        read_upload("multipart/form-data; boundary=x", body)
    assert (caught.value.status, caught.value.message) == (
        400,
        "Request is not a valid multipart request",
    )
