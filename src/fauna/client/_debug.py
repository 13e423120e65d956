"""Logging of requests and responses on the ``fauna`` logger, secrets redacted.

Levels:

* ``DEBUG``: every request (method, URL, headers, body) and response (status,
  headers, body), and every stream line.
* ``INFO``: retries after throttling and stream reconnects.

Secrets never reach the log: the ``Authorization`` header shows as
``Bearer ***``, and in bodies and stream lines every JSON ``"secret"`` field
(the secret ``Key.create`` or ``Credential.login`` returns, say) shows as
``"***"``.

Nothing is configured by default; applications use stdlib logging as usual.
Setting ``FAUNA_DEBUG`` when a client is created is a shortcut: ``1``,
``true``, ``yes``, ``on`` or ``debug`` set the ``fauna`` logger to ``DEBUG``,
``info`` sets it to ``INFO``; either way a stderr handler is attached if the
logger has none. ``0``, ``false``, ``no``, ``off`` or empty change nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from fauna.client.headers import _Header

logger = logging.getLogger("fauna")

_DEBUG_VALUES = {"1", "true", "yes", "on", "debug"}
_INFO_VALUES = {"info"}
_REDACTED = "Bearer ***"
# A JSON member named "secret" whose value is a string, escapes included.
_SECRET_MEMBER = re.compile(r'("secret"\s*:\s*)"(?:[^"\\]|\\.)*"')


def level_from_env(value: str) -> int | None:
    """The logging level ``FAUNA_DEBUG=value`` asks for, or ``None``."""
    normalized = value.strip().lower()
    if normalized in _DEBUG_VALUES:
        return logging.DEBUG
    if normalized in _INFO_VALUES:
        return logging.INFO
    return None


def configure_from_env(value: str) -> None:
    """Apply ``FAUNA_DEBUG``; see the module docstring."""
    level = level_from_env(value)
    if level is None:
        return
    logger.setLevel(level)
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)


def redact(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``headers`` with the secret hidden."""
    return {
        name: (_REDACTED if name.lower() == _Header.Authorization.lower() else value)
        for name, value in headers.items()
    }


def redact_body(text: str) -> str:
    """``text`` (JSON, possibly cut short) with every ``"secret"`` string replaced by ``"***"``."""
    if '"secret"' not in text:
        return text
    return _SECRET_MEMBER.sub(r'\1"***"', text)


def _body_text(body: bytes) -> str:
    return redact_body(body.decode("utf-8", "replace"))


def log_request(method: str, url: str, headers: Mapping[str, str], body: bytes) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "request method=%s url=%s headers=%s body=%s",
            method,
            url,
            redact(headers),
            _body_text(body),
        )


def log_response(url: str, status: int, headers: Mapping[str, str], body: bytes) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "response url=%s status=%s headers=%s body=%s",
            url,
            status,
            dict(headers),
            _body_text(body),
        )


def log_stream_line(url: str, line: str) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug("stream url=%s line=%s", url, redact_body(line))


def log_retry(what: str, url: str, attempt: int, delay: float, error: BaseException) -> None:
    logger.info(
        "%s to %s: attempt %d failed (%s); retrying in %.3f s",
        what,
        url,
        attempt,
        type(error).__name__,
        delay,
    )
