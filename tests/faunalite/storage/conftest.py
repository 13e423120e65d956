"""Fixtures: every interface test runs against each storage implementation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from faunalite.storage import SQLiteStorage, Storage
from faunalite.storage.memory import MemoryStorage

StoreFactory = Callable[[], Storage]

IMPLEMENTATIONS = ["sqlite-file", "sqlite-memory", "memory"]


@pytest.fixture(params=IMPLEMENTATIONS)
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Opens the store under test; with a file, each call reopens the same file."""
    opened: list[Storage] = []

    def open_store() -> Storage:
        if request.param == "sqlite-file":
            store: Storage = SQLiteStorage(tmp_path / "data.db")
        elif request.param == "sqlite-memory":
            store = SQLiteStorage()
        else:
            store = MemoryStorage()
        opened.append(store)
        return store

    yield open_store
    for store in opened:
        store.close()


@pytest.fixture
def store(store_factory: StoreFactory) -> Storage:
    return store_factory()
