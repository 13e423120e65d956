"""Logging a failure the server did not expect (a faunalite bug), without making it worse.

A failure inside a deep walk over a query's value carries a traceback tens of thousands of
frames long; formatting and writing all of it would hold the worker for minutes and, with a
piped stderr nobody reads, block the whole process. Only the innermost frames, where the
fault is, are logged.
"""

from __future__ import annotations

import logging
import traceback

logger = logging.getLogger("faunalite.server")

LOGGED_TRACEBACK_FRAMES = 40
"""Innermost frames kept in the log for one unexpected failure."""


def log_unexpected(error: BaseException, during: str) -> None:
    """Log ``error`` (raised while ``during``) with a bounded traceback."""
    lines = traceback.format_exception(error, limit=-LOGGED_TRACEBACK_FRAMES, chain=False)
    logger.error("unexpected error %s\n%s", during, "".join(lines).rstrip())
