"""The exception hierarchy and the mapping from an HTTP error response to an exception."""

from __future__ import annotations

import json
import pickle
from datetime import datetime, timezone
from typing import Any

import pytest

from fauna.encoding import ConstraintFailure, FaunaDecoder, QueryStats
from fauna.errors import (
    AbortError,
    AuthenticationError,
    AuthorizationError,
    ClientError,
    ContendedTransactionError,
    FaunaError,
    FaunaException,
    InvalidRequestError,
    NetworkError,
    ProtocolError,
    QueryCheckError,
    QueryRuntimeError,
    QueryTimeoutError,
    RetryableFaunaException,
    ServiceError,
    ServiceInternalError,
    ServiceTimeoutError,
    ThrottlingError,
    error_class_for,
    error_from_response,
)
from fauna.query import Document, DocumentReference

ENDPOINT = "http://localhost:8443/query/1"


def body(code: str, message: str = "m", **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}, **extra}


def test_hierarchy() -> None:
    for cls in (ClientError, NetworkError, ProtocolError, FaunaError, RetryableFaunaException):
        assert issubclass(cls, FaunaException)
    for cls in (
        AbortError,
        InvalidRequestError,
        QueryCheckError,
        ContendedTransactionError,
        QueryRuntimeError,
        AuthenticationError,
        AuthorizationError,
        QueryTimeoutError,
        ServiceInternalError,
        ServiceTimeoutError,
        ThrottlingError,
    ):
        assert issubclass(cls, ServiceError) and issubclass(cls, FaunaError)
    assert issubclass(ThrottlingError, RetryableFaunaException)
    assert not issubclass(QueryTimeoutError, RetryableFaunaException)


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (400, "invalid_query", QueryCheckError),
        (400, "invalid_request", InvalidRequestError),
        (400, "abort", AbortError),
        (401, "unauthorized", AuthenticationError),
        (403, "forbidden", AuthorizationError),
        (410, "forbidden", AuthorizationError),
        (405, "method_not_allowed", QueryRuntimeError),
        (409, "conflict", ContendedTransactionError),
        (409, "contended_transaction", ContendedTransactionError),
        (413, "request_size_exceeded", QueryRuntimeError),
        (429, "limit_exceeded", ThrottlingError),
        (440, "time_out", QueryTimeoutError),
        (400, "constraint_failure", QueryRuntimeError),
        (400, "divide_by_zero", QueryRuntimeError),
        (400, "document_not_found", QueryRuntimeError),
        (400, "permission_denied", QueryRuntimeError),
        (400, "something_new", QueryRuntimeError),
        (401, "something_new", AuthenticationError),
        (403, "something_new", AuthorizationError),
        (409, "something_new", ContendedTransactionError),
        (429, "something_new", ThrottlingError),
        (440, "something_new", QueryTimeoutError),
        (404, "not_found", QueryRuntimeError),
        (500, "internal_error", ServiceInternalError),
        (500, "anything", ServiceInternalError),
        (503, "time_out", ServiceTimeoutError),
        (503, "anything", ServiceTimeoutError),
        (540, "internal_error", ServiceInternalError),
        (502, "bad_gateway", ServiceError),
        (504, "gateway_timeout", ServiceError),
        (599, "time_out", ServiceTimeoutError),
    ],
)
def test_status_and_code_mapping(status: int, code: str, expected: type[ServiceError]) -> None:
    assert error_class_for(status, code) is expected
    error = error_from_response(status, body(code), ENDPOINT)
    assert type(error) is expected
    assert isinstance(error, ServiceError)
    assert error.status_code == status
    assert error.code == code
    with pytest.raises(expected):
        FaunaError.parse_error_and_throw(body(code), status)


def test_every_field_of_a_full_error_body() -> None:
    raw = {
        "error": {
            "code": "constraint_failure",
            "message": "Failed unique constraint.",
            "constraint_failures": [
                {"paths": [["name"], ["address", "city"]], "message": "Unique violated."},
                {"message": "Check failed.", "name": "positive"},
            ],
        },
        "summary": "error: Failed unique constraint.\nat *query*:1:12",
        "txn_ts": 1702346199930000,
        "stats": {"compute_ops": 1, "read_ops": 2, "write_ops": 0, "contention_retries": 1},
        "query_tags": "project=teapot,env=test",
        "schema_version": 1702346199,
    }
    error = error_from_response(400, FaunaDecoder.decode(raw), ENDPOINT)
    assert isinstance(error, QueryRuntimeError)
    assert error.message == "Failed unique constraint."
    assert error.summary == "error: Failed unique constraint.\nat *query*:1:12"
    assert error.txn_ts == 1702346199930000
    assert error.schema_version == 1702346199
    assert error.query_tags == {"project": "teapot", "env": "test"}
    assert error.stats == QueryStats(raw["stats"])
    assert error.abort is None
    assert error.constraint_failures == [
        ConstraintFailure(message="Unique violated.", paths=[["name"], ["address", "city"]]),
        ConstraintFailure(message="Check failed.", name="positive"),
    ]
    assert str(error) == (
        "400: constraint_failure\nFailed unique constraint.\n---\nconstraint failures: "
        "[ConstraintFailure(message='Unique violated.', name=None, paths=[['name'], "
        "['address', 'city']]), ConstraintFailure(message='Check failed.', name='positive', "
        "paths=None)]\n---\nerror: Failed unique constraint.\nat *query*:1:12"
    )


def test_a_protocol_shaped_error_gets_the_query_info_defaults() -> None:
    error = error_from_response(401, body("unauthorized", "Access token required"))
    assert isinstance(error, AuthenticationError)
    assert error.summary == "" and error.txn_ts == 0 and error.schema_version == 0
    assert error.query_tags == {} and error.stats == QueryStats({})
    assert error.constraint_failures is None
    assert str(error) == "401: unauthorized\nAccess token required\n---\n"


def test_abort_values_are_decoded_from_the_tagged_format() -> None:
    abort = {"@doc": {"id": "1", "coll": {"@mod": "C"}, "ts": {"@time": "2023-01-01T00:00:00Z"}}}
    raw = {"error": {"code": "abort", "message": "Query aborted.", "abort": abort}}
    expected = Document(id="1", coll="C", ts=datetime(2023, 1, 1, tzinfo=timezone.utc))
    decoded_first = error_from_response(400, FaunaDecoder.decode(raw))
    from_bytes = error_from_response(400, json.dumps(raw).encode())
    from_text = error_from_response(400, json.dumps(raw))
    for error in (decoded_first, from_bytes, from_text):
        assert isinstance(error, AbortError)
        assert error.abort == expected
    assert error_from_response(400, body("other", abort=1)).abort is None


@pytest.mark.parametrize(
    "raw",
    [
        "<html>502 Bad Gateway</html>",
        b"\xff\xfe",
        b"",
    ],
)
def test_a_body_that_is_not_json_is_a_protocol_error_naming_the_endpoint(raw: Any) -> None:
    error = error_from_response(502, raw, ENDPOINT)
    assert type(error) is ProtocolError
    assert error.status_code == 502
    assert error.message == (
        f"Unable to decode response from endpoint {ENDPOINT}. Check that your endpoint is valid."
    )
    assert str(error) == f"502: {error.message}"
    assert isinstance(error.__cause__, ValueError)


@pytest.mark.parametrize(
    "raw",
    [
        {"error": "bad request"},
        {"errors": [{"code": "x", "description": "y"}]},
        {"error": {"code": "x"}},
        {"error": {"message": "y"}},
        {"error": {"code": 1, "message": "y"}},
        ["not", "an", "object"],
        None,
        '{"error": "internal server error"}',
    ],
)
def test_a_malformed_error_body_is_a_protocol_error_naming_the_endpoint(raw: Any) -> None:
    error = error_from_response(500, raw, ENDPOINT)
    assert type(error) is ProtocolError
    assert error.message.startswith("Response is in an unknown format: \n")
    assert error.message.endswith(f"\nendpoint: {ENDPOINT}")
    with pytest.raises(ProtocolError, match="unknown format"):
        FaunaError.parse_error_and_throw(raw, 500, ENDPOINT)


def test_without_an_endpoint_the_message_is_the_official_drivers() -> None:
    error = error_from_response(400, {"foo": "bar"})
    assert str(error) == "400: Response is in an unknown format: \n{'foo': 'bar'}"


def test_str_and_repr_of_the_simple_errors() -> None:
    assert str(ProtocolError(502, "Bad gateway")) == "502: Bad gateway"
    assert str(FaunaError(400, "code", "message")) == "400: code\nmessage"
    assert str(ServiceError(503, "whatever", "m", summary="sum")) == "503: whatever\nm\n---\nsum"
    assert str(NetworkError("boom")) == "boom"
    assert str(ClientError("bad")) == "bad"
    assert repr(QueryRuntimeError(400, "c", "m")) == "QueryRuntimeError(400, 'c', 'm')"
    with pytest.raises(QueryRuntimeError, match="did not jump"):
        raise QueryRuntimeError(400, "c", "the cow did not jump")


def full_error(cls: type[ServiceError]) -> ServiceError:
    stats = QueryStats({"compute_ops": 3})
    stats.attempts = 2
    return cls(
        429,
        "limit_exceeded",
        "Rate limit exceeded",
        summary="summary",
        abort={"ref": DocumentReference("C", "1")},
        constraint_failures=[ConstraintFailure("m", "n", [["a"]])],
        query_tags={"k": "v"},
        stats=stats,
        txn_ts=12,
        schema_version=34,
    )


FIELDS = (
    "status_code",
    "code",
    "message",
    "summary",
    "abort",
    "constraint_failures",
    "query_tags",
    "stats",
    "txn_ts",
    "schema_version",
)


@pytest.mark.parametrize(
    "cls",
    [
        ServiceError,
        AbortError,
        InvalidRequestError,
        QueryCheckError,
        ContendedTransactionError,
        QueryRuntimeError,
        AuthenticationError,
        AuthorizationError,
        ThrottlingError,
        QueryTimeoutError,
        ServiceInternalError,
        ServiceTimeoutError,
    ],
)
def test_service_errors_pickle_with_every_field(cls: type[ServiceError]) -> None:
    error = full_error(cls)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        restored = pickle.loads(pickle.dumps(error, protocol))
        assert type(restored) is cls
        for field in FIELDS:
            assert getattr(restored, field) == getattr(error, field), field
        assert str(restored) == str(error)
        assert restored.args == error.args


def test_mapped_errors_pickle() -> None:
    raw = {
        "error": {"code": "abort", "message": "Query aborted.", "abort": {"@int": "5"}},
        "summary": "s",
        "txn_ts": 1,
        "stats": {"compute_ops": 1},
        "query_tags": "a=b",
        "schema_version": 2,
    }
    error = error_from_response(400, json.dumps(raw), ENDPOINT)
    restored = pickle.loads(pickle.dumps(error))
    assert type(restored) is AbortError
    for field in FIELDS:
        assert getattr(restored, field) == getattr(error, field), field


def test_other_errors_pickle() -> None:
    values: list[FaunaException] = [
        ProtocolError(502, "Bad gateway"),
        FaunaError(400, "c", "m", abort=1, constraint_failures=[ConstraintFailure("x")]),
        NetworkError("boom"),
        ClientError("bad"),
        RetryableFaunaException("again"),
        FaunaException("base"),
    ]
    for error in values:
        restored = pickle.loads(pickle.dumps(error))
        assert type(restored) is type(error)
        assert str(restored) == str(error)
        assert restored.args == error.args
    fauna_error = pickle.loads(pickle.dumps(values[1]))
    assert isinstance(fauna_error, FaunaError)
    assert fauna_error.abort == 1
    assert fauna_error.constraint_failures == [ConstraintFailure("x")]
    protocol_error = pickle.loads(pickle.dumps(values[0]))
    assert isinstance(protocol_error, ProtocolError)
    assert (protocol_error.status_code, protocol_error.message) == (502, "Bad gateway")


def test_subclass_attributes_survive_pickling() -> None:
    error = QueryRuntimeError(400, "c", "m")
    error.note = "extra"  # type: ignore[attr-defined]
    assert pickle.loads(pickle.dumps(error)).note == "extra"
