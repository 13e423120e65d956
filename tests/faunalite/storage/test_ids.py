"""Document ids: unique, positive, time-ordered, never reissued after a restart."""

from __future__ import annotations

import threading
from pathlib import Path

from faunalite.storage import ROOT_SCOPE, SQLiteStorage, Storage
from faunalite.storage.clock import FAUNA_EPOCH_MS, SEQUENCE_BITS, SnowflakeIds


def test_ids_are_unique_positive_and_increasing(store: Storage) -> None:
    ids = [store.new_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    assert all(0 < i < 2**63 for i in ids)


def test_ids_are_unique_across_threads(store: Storage) -> None:
    results: list[list[int]] = [[] for _ in range(4)]

    def issue(into: list[int]) -> None:
        into.extend(store.new_id() for _ in range(2000))

    threads = [threading.Thread(target=issue, args=(r,)) for r in results]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = [i for r in results for i in r]
    assert len(set(everything)) == 8000


def test_ids_encode_milliseconds_since_the_fauna_epoch() -> None:
    ids = SnowflakeIds(now_ms=lambda: FAUNA_EPOCH_MS + 1234)
    first, second = ids.next_id(), ids.next_id()
    assert first >> SEQUENCE_BITS == 1234
    assert second == first + 1


def test_a_stalled_or_backward_clock_still_gives_fresh_ids() -> None:
    now = [FAUNA_EPOCH_MS + 10_000]
    ids = SnowflakeIds(now_ms=lambda: now[0])
    issued = [ids.next_id() for _ in range(3)]
    now[0] -= 5_000
    issued += [ids.next_id() for _ in range(3)]
    assert issued == sorted(set(issued))


def test_sequence_overflow_borrows_the_next_millisecond() -> None:
    ids = SnowflakeIds(now_ms=lambda: FAUNA_EPOCH_MS + 1)
    issued = [ids.next_id() for _ in range((1 << SEQUENCE_BITS) + 2)]
    assert issued[-1] >> SEQUENCE_BITS == 2
    assert len(set(issued)) == len(issued)


def test_reopened_store_never_reissues_an_id_of_a_committed_write(tmp_path: Path) -> None:
    path = tmp_path / "ids.db"
    with SQLiteStorage(path) as store:
        # Ids far in the future, as if the clock later stepped back before the restart.
        store._ids = SnowflakeIds(floor_ms=2**40)
        stored = store.new_id()
        with store.transaction(write=True) as txn:
            txn.put(ROOT_SCOPE, "Book", stored, {})
    with SQLiteStorage(path) as store:
        assert store.new_id() > stored
