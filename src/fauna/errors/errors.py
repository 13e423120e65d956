"""The exceptions the driver raises, and the mapping from an HTTP error response to one of them.

``error_from_response`` (also ``FaunaError.parse_error_and_throw``) is pure: status code and body
in, exception out. Sending requests and deciding on retries belong to ``fauna.client``.

Every exception pickles and unpickles with all its fields, so it can cross process boundaries
(multiprocessing, task queues).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from fauna.encoding.decoder import FaunaDecoder
from fauna.encoding.wire_protocol import ConstraintFailure, QueryInfo, QueryStats, QueryTags

__all__ = [
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
    "error_from_response",
]


class FaunaException(Exception):
    """Base class of every exception the driver raises."""


class RetryableFaunaException(FaunaException):
    """A failure worth retrying after a pause (the client does so up to ``max_attempts``)."""


class ClientError(FaunaException):
    """The driver failed before or without reaching FaunaDB (bad input, encoding, closed client)."""


class NetworkError(FaunaException):
    """The transport failed: FaunaDB could not be reached or the connection broke."""


class ProtocolError(FaunaException):
    """An HTTP response that is not a well-formed FaunaDB answer (e.g. from a proxy, or not JSON).

    ``str(error)`` is ``"<status_code>: <message>"``.
    """

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(status_code, message)
        self._status_code = status_code
        self._message = message

    @property
    def status_code(self) -> int:
        return self._status_code

    @property
    def message(self) -> str:
        return self._message

    def __str__(self) -> str:
        return f"{self._status_code}: {self._message}"

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self._status_code, self._message), self.__dict__


class FaunaError(FaunaException):
    """An error FaunaDB reported: HTTP ``status_code``, error ``code`` and ``message``.

    ``abort`` holds the (decoded) value given to FQL ``abort()``; ``constraint_failures`` the
    failed constraints of a ``constraint_failure``.
    """

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        abort: Any | None = None,
        constraint_failures: list[ConstraintFailure] | None = None,
    ) -> None:
        super().__init__(status_code, code, message)
        self._status_code = status_code
        self._code = code
        self._message = message
        self._abort = abort
        self._constraint_failures = constraint_failures

    @property
    def status_code(self) -> int:
        return self._status_code

    @property
    def code(self) -> str:
        return self._code

    @property
    def message(self) -> str:
        return self._message

    @property
    def abort(self) -> Any | None:
        return self._abort

    @property
    def constraint_failures(self) -> list[ConstraintFailure] | None:
        return self._constraint_failures

    def __str__(self) -> str:
        return f"{self._status_code}: {self._code}\n{self._message}"

    def _constructor_args(self) -> tuple[Any, ...]:
        return (
            self._status_code,
            self._code,
            self._message,
            self._abort,
            self._constraint_failures,
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), self._constructor_args(), self.__dict__

    @staticmethod
    def parse_error_and_throw(body: Any, status_code: int, endpoint: str | None = None) -> NoReturn:
        """Raise the exception for an error response; see ``error_from_response``."""
        raise error_from_response(status_code, body, endpoint)


class ServiceError(FaunaError, QueryInfo):
    """A query failure returned by FaunaDB, with the query's ``QueryInfo`` (stats, summary, ...).

    ``str(error)`` is ``"<status>: <code>\\n<message>\\n---\\n<summary>"``, with the constraint
    failures between ``---`` lines when there are any.
    """

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        summary: str | None = None,
        abort: Any | None = None,
        constraint_failures: list[ConstraintFailure] | None = None,
        query_tags: Mapping[str, str] | None = None,
        stats: QueryStats | None = None,
        txn_ts: int | None = None,
        schema_version: int | None = None,
    ) -> None:
        QueryInfo.__init__(
            self,
            query_tags=query_tags,
            stats=stats,
            summary=summary,
            txn_ts=txn_ts,
            schema_version=schema_version,
        )
        FaunaError.__init__(
            self,
            status_code=status_code,
            code=code,
            message=message,
            abort=abort,
            constraint_failures=constraint_failures,
        )

    def __str__(self) -> str:
        failures = "---"
        if self._constraint_failures:
            failures = f"---\nconstraint failures: {self._constraint_failures}\n---"
        return f"{self._status_code}: {self._code}\n{self._message}\n{failures}\n{self._summary}"

    def _constructor_args(self) -> tuple[Any, ...]:
        return (
            self._status_code,
            self._code,
            self._message,
            self._summary,
            self._abort,
            self._constraint_failures,
            self._query_tags,
            self._stats,
            self._txn_ts,
            self._schema_version,
        )


class AbortError(ServiceError):
    """The query called FQL ``abort(value)``; the value is in ``abort``."""


class InvalidRequestError(ServiceError):
    """FaunaDB rejected the request itself (body, header or argument), code ``invalid_request``."""


class QueryCheckError(ServiceError):
    """The query failed to parse or type-check (code ``invalid_query``); it did not run."""


class ContendedTransactionError(ServiceError):
    """The transaction lost to concurrent writes too many times (HTTP 409)."""


class QueryRuntimeError(ServiceError):
    """The query failed while running; ``code`` says how (e.g. ``document_not_found``)."""


class AuthenticationError(ServiceError):
    """The secret is missing or invalid (HTTP 401, code ``unauthorized``)."""


class AuthorizationError(ServiceError):
    """The secret is valid but not allowed to do this (code ``forbidden``)."""


class ThrottlingError(ServiceError, RetryableFaunaException):
    """A rate or capacity limit was hit (HTTP 429, ``limit_exceeded``); retried by the client."""


class QueryTimeoutError(ServiceError):
    """The query exceeded its query timeout (code ``time_out``, HTTP 440)."""


class ServiceInternalError(ServiceError):
    """FaunaDB failed unexpectedly (HTTP 500, ``internal_error``)."""


class ServiceTimeoutError(ServiceError):
    """FaunaDB could not serve the request in time (HTTP 503)."""


_CLIENT_ERROR_BY_CODE: dict[str, type[ServiceError]] = {
    "invalid_query": QueryCheckError,
    "invalid_request": InvalidRequestError,
    "abort": AbortError,
    "unauthorized": AuthenticationError,
    "forbidden": AuthorizationError,
    "method_not_allowed": QueryRuntimeError,
    "conflict": ContendedTransactionError,
    "contended_transaction": ContendedTransactionError,
    "request_size_exceeded": QueryRuntimeError,
    "limit_exceeded": ThrottlingError,
    "time_out": QueryTimeoutError,
}

_CLIENT_ERROR_BY_STATUS: dict[int, type[ServiceError]] = {
    401: AuthenticationError,
    403: AuthorizationError,
    409: ContendedTransactionError,
    429: ThrottlingError,
    440: QueryTimeoutError,
}

_SERVER_ERROR_BY_STATUS: dict[int, type[ServiceError]] = {
    500: ServiceInternalError,
    503: ServiceTimeoutError,
}

_SERVER_ERROR_BY_CODE: dict[str, type[ServiceError]] = {
    "internal_error": ServiceInternalError,
    "time_out": ServiceTimeoutError,
}


def error_class_for(status_code: int, code: str) -> type[ServiceError]:
    """The ``ServiceError`` subclass for an HTTP status and FaunaDB error code.

    Below 500 the code decides (falling back on the status: 401, 403, 409, 429, 440), and any
    other code is a ``QueryRuntimeError``. From 500 the status decides (500 internal, 503
    timeout), then the code (``internal_error``, ``time_out``), else plain ``ServiceError``.
    """
    if status_code < 500:
        found = _CLIENT_ERROR_BY_CODE.get(code) or _CLIENT_ERROR_BY_STATUS.get(status_code)
        return found or QueryRuntimeError
    return (
        _SERVER_ERROR_BY_STATUS.get(status_code) or _SERVER_ERROR_BY_CODE.get(code) or ServiceError
    )


def _where(endpoint: str | None) -> str:
    return f" from endpoint {endpoint}" if endpoint else ""


def _unknown_format(status_code: int, body: Any, endpoint: str | None) -> ProtocolError:
    message = f"Response is in an unknown format: \n{body!r}"
    if endpoint:
        message += f"\nendpoint: {endpoint}"
    return ProtocolError(status_code, message)


def _parse_body(status_code: int, body: bytes | bytearray | str, endpoint: str | None) -> Any:
    try:
        return FaunaDecoder.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise ProtocolError(
            status_code,
            f"Unable to decode response{_where(endpoint)}. Check that your endpoint is valid.",
        ) from error


def _constraint_failures(raw: Any) -> list[ConstraintFailure] | None:
    if not isinstance(raw, list):
        return None
    failures = []
    for item in raw:
        if isinstance(item, Mapping):
            failures.append(
                ConstraintFailure(
                    message=item.get("message", ""), name=item.get("name"), paths=item.get("paths")
                )
            )
    return failures


def error_from_response(
    status_code: int, body: Any, endpoint: str | None = None
) -> ProtocolError | ServiceError:
    """The exception for an error response with ``status_code`` and ``body``; it is returned,
    not raised.

    ``body`` is either the raw response (``bytes`` or ``str``, parsed and tag-decoded here) or
    the JSON already parsed **and** tag-decoded (``FaunaDecoder.decode``). A body that is not
    JSON, or has no ``error`` object with string ``code`` and ``message``, gives a
    ``ProtocolError`` whose message names ``endpoint`` when given. Otherwise the ``ServiceError``
    subclass chosen by ``error_class_for``, carrying code, message, summary, stats, txn_ts,
    schema_version, query tags, constraint failures and the abort value.
    """
    if isinstance(body, (bytes, bytearray, str)):
        try:
            body = _parse_body(status_code, body, endpoint)
        except ProtocolError as unreadable:
            return unreadable
    fields = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(fields, Mapping):
        return _unknown_format(status_code, body, endpoint)
    code, message = fields.get("code"), fields.get("message")
    if not isinstance(code, str) or not isinstance(message, str):
        return _unknown_format(status_code, body, endpoint)

    tags = body.get("query_tags")
    stats = body.get("stats")
    return error_class_for(status_code, code)(
        status_code=status_code,
        code=code,
        message=message,
        summary=body.get("summary"),
        abort=fields.get("abort") if code == "abort" else None,
        constraint_failures=_constraint_failures(fields.get("constraint_failures")),
        query_tags=QueryTags.decode(tags) if isinstance(tags, str) else None,
        stats=QueryStats(stats) if isinstance(stats, Mapping) else None,
        txn_ts=body.get("txn_ts"),
        schema_version=body.get("schema_version"),
    )
