"""Fixtures shared by faunalite's tests: ``engine``, a fresh in-memory engine per test.

A test module that needs one seeded (collections made once, module scope) defines its own
``engine`` fixture, which takes precedence over this one.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from faunalite.engine import Engine


@pytest.fixture
def engine() -> Iterator[Engine]:
    running = Engine()
    yield running
    running.close()
