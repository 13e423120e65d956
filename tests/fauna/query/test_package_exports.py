"""The public names of ``fauna``, ``fauna.query``, ``fauna.encoding`` and ``fauna.errors``."""

from __future__ import annotations

import fauna
import fauna.encoding
import fauna.errors
import fauna.query


def test_package_metadata() -> None:
    assert fauna.__version__ == "2.5.0"
    assert fauna.__api_version__ == "10"
    assert fauna.__title__ == "Fauna"
    assert fauna.__author__ == "Fauna, Inc"
    assert fauna.__license__ == "MPL 2.0"
    assert fauna.__copyright__ == "2023 Fauna, Inc"


def test_top_level_re_exports() -> None:
    for name in (
        "fql",
        "Document",
        "DocumentReference",
        "NamedDocument",
        "NamedDocumentReference",
        "NullDocument",
        "Module",
        "Page",
    ):
        assert getattr(fauna, name) is getattr(fauna.query, name)
    assert hasattr(fauna, "global_http_client")
    assert not hasattr(fauna, "Query") and not hasattr(fauna, "EventSource")


def test_subpackage_names() -> None:
    assert {
        "Document",
        "DocumentReference",
        "EventSource",
        "FaunaTime",
        "Module",
        "NamedDocument",
        "NamedDocumentReference",
        "NullDocument",
        "Page",
        "Query",
        "fql",
    } <= set(dir(fauna.query))
    assert {
        "ConstraintFailure",
        "FaunaDecoder",
        "FaunaEncoder",
        "QueryInfo",
        "QueryStats",
        "QuerySuccess",
        "QueryTags",
    } <= set(dir(fauna.encoding))
    assert {
        "AbortError",
        "AuthenticationError",
        "AuthorizationError",
        "ClientError",
        "ContendedTransactionError",
        "FaunaError",
        "FaunaException",
        "InvalidRequestError",
        "NetworkError",
        "ProtocolError",
        "QueryCheckError",
        "QueryRuntimeError",
        "QueryTimeoutError",
        "RetryableFaunaException",
        "ServiceError",
        "ServiceInternalError",
        "ServiceTimeoutError",
        "ThrottlingError",
    } <= set(dir(fauna.errors))
