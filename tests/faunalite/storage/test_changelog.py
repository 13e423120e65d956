"""The change log (feeds, stream replay) and commit notifications (live streams)."""

from __future__ import annotations

import asyncio
import threading

from faunalite.storage import (
    ROOT_SCOPE,
    ChangeAction,
    CommitInfo,
    EventCursor,
    Storage,
    async_commit_queue,
)

R = ROOT_SCOPE
START = EventCursor(0, 0)


def test_events_record_each_commit_in_order_with_before_and_after(store: Storage) -> None:
    with store.transaction(write=True) as txn:
        txn.put(R, "Book", 1, {"v": 1})
        txn.put(R, "Book", 2, {"v": 1})
        t1 = txn.txn_ts
    with store.transaction(write=True) as txn:
        txn.put(R, "Book", 2, {"v": 2})
        txn.delete(R, "Book", 1)
        t2 = txn.txn_ts
    with store.transaction() as txn:
        events = txn.events_after(R, None, START)
    assert [(e.cursor, e.key, e.action) for e in events] == [
        (EventCursor(t1, 1), 1, ChangeAction.CREATE),
        (EventCursor(t1, 2), 2, ChangeAction.CREATE),
        (EventCursor(t2, 1), 2, ChangeAction.UPDATE),
        (EventCursor(t2, 2), 1, ChangeAction.DELETE),
    ]
    assert (events[0].before, events[0].after) == (None, {"v": 1})
    assert (events[2].before, events[2].after) == ({"v": 1}, {"v": 2})
    assert (events[3].before, events[3].after) == ({"v": 1}, None)


def test_cursors_resume_strictly_after_an_event_or_a_time(store: Storage) -> None:
    stamps = []
    for n in range(5):
        with store.transaction(write=True) as txn:
            txn.put(R, "Book", n, {})
            txn.put(R, "Book", n + 100, {})
            stamps.append(txn.txn_ts)
    with store.transaction() as txn:
        everything = txn.events_after(R, ["Book"], START)
        assert len(everything) == 10
        resumed = txn.events_after(R, ["Book"], everything[2].cursor, limit=3)
        assert resumed == everything[3:6]
        after_time = txn.events_after(R, ["Book"], EventCursor.after_ts(stamps[1]))
        assert [e.cursor.txn_ts for e in after_time] == [stamps[2]] * 2 + [stamps[3]] * 2 + [
            stamps[4]
        ] * 2
        from_time = txn.events_after(R, ["Book"], EventCursor(stamps[1], 0))
        assert from_time == everything[2:]


def test_events_are_filtered_by_collection(store: Storage) -> None:
    with store.transaction(write=True) as txn:
        txn.put(R, "A", 1, {})
        txn.put(R, "B", 1, {})
        txn.put(R, "C", 1, {})
    with store.transaction() as txn:
        assert [e.collection for e in txn.events_after(R, ["A", "C"], START)] == ["A", "C"]
        assert txn.events_after(R, [], START) == []
        assert [e.collection for e in txn.events_after(R, None, START)] == ["A", "B", "C"]


def test_one_event_per_document_per_transaction(store: Storage) -> None:
    with store.transaction(write=True) as txn:
        txn.put(R, "Book", 1, {"v": 1})
    with store.transaction(write=True) as txn:
        txn.put(R, "Book", 1, {"v": 2})
        txn.put(R, "Book", 1, {"v": 3})  # one update, from the state before the txn
        txn.put(R, "Book", 2, {"v": 1})
        txn.put(R, "Book", 2, {"v": 2})  # one create with the final state
        txn.put(R, "Book", 3, {})
        txn.delete(R, "Book", 3)  # created and deleted: no event
        ts = txn.txn_ts
    with store.transaction() as txn:
        events = txn.events_after(R, None, EventCursor(ts, 0))
    assert [(e.key, e.action, e.before, e.after) for e in events] == [
        (1, ChangeAction.UPDATE, {"v": 1}, {"v": 3}),
        (2, ChangeAction.CREATE, None, {"v": 2}),
    ]


def test_rolled_back_transactions_leave_no_events(store: Storage) -> None:
    try:
        with store.transaction(write=True) as txn:
            txn.put(R, "Book", 1, {})
            raise RuntimeError
    except RuntimeError:
        pass
    with store.transaction() as txn:
        assert txn.events_after(R, None, START) == []


def test_subscribers_hear_of_each_commit_after_it_is_visible(store: Storage) -> None:
    heard: list[tuple[CommitInfo, bool]] = []

    def on_commit(info: CommitInfo) -> None:
        # The callback may read: the commit is durable and the writer lock released.
        with store.transaction() as txn:
            heard.append((info, txn.get(R, "Book", 1) is not None))

    unsubscribe = store.subscribe(on_commit)
    with store.transaction(write=True) as txn:
        txn.put(R, "Book", 1, {})
        txn.put(R, "Author", 1, {})
        ts = txn.txn_ts
    unsubscribe()
    with store.transaction(write=True) as txn:
        txn.put(R, "Book", 2, {})
    assert heard == [(CommitInfo(ts, frozenset({(R, "Book"), (R, "Author")})), True)]


def test_a_failing_subscriber_does_not_affect_the_commit_or_the_others(store: Storage) -> None:
    heard: list[int] = []

    def broken(info: CommitInfo) -> None:
        raise ValueError("subscriber bug")

    store.subscribe(broken)
    store.subscribe(lambda info: heard.append(info.txn_ts))
    with store.transaction(write=True) as txn:
        txn.put(R, "Book", 1, {})
    assert heard == [store.last_txn_ts]


def test_wait_for_commit_wakes_up_on_a_commit_from_another_thread(store: Storage) -> None:
    before = store.last_txn_ts
    assert store.wait_for_commit(before, timeout=0.01) == before  # times out, nothing new

    def commit_soon() -> None:
        with store.transaction(write=True) as txn:
            txn.put(R, "Book", 1, {})

    thread = threading.Timer(0.05, commit_soon)
    thread.start()
    assert store.wait_for_commit(before, timeout=5) > before
    thread.join()


async def test_asyncio_consumers_get_commits_through_a_queue(store: Storage) -> None:
    queue, stop = async_commit_queue(store.subscribe, asyncio.get_running_loop())

    def commit() -> int:
        with store.transaction(write=True) as txn:
            txn.put(R, "Book", 1, {})
            return txn.txn_ts

    ts = await asyncio.to_thread(commit)
    info = await asyncio.wait_for(queue.get(), timeout=5)
    assert info.txn_ts == ts
    stop()
