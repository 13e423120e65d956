"""Documents: create, replace, delete, versions, as-of reads and collection scans."""

from __future__ import annotations

import pytest

from faunalite.fql.values import Time
from faunalite.storage import ROOT_SCOPE, DocRef, ReadOnlyTransactionError, Storage

R = ROOT_SCOPE


def write(store: Storage, key: int, data: object, coll: str = "Book") -> int:
    with store.transaction(write=True) as txn:
        txn.put(R, coll, key, data)
        return txn.txn_ts


def test_put_then_get_returns_the_data_at_the_commit_ts(store: Storage) -> None:
    with store.transaction(write=True) as txn:
        written = txn.put(R, "Book", 1, {"title": "Dune", "at": Time(5)})
        assert txn.get(R, "Book", 1) == written  # a transaction sees its own writes
        ts = txn.txn_ts
    with store.transaction() as txn:
        doc = txn.get(R, "Book", 1)
    assert doc is not None
    assert (doc.key, doc.ts, doc.data) == (1, ts, {"title": "Dune", "at": Time(5)})
    assert store.last_txn_ts == ts


def test_missing_documents_and_other_collections_read_as_none(store: Storage) -> None:
    write(store, 1, {"a": 1})
    with store.transaction() as txn:
        assert txn.get(R, "Book", 2) is None
        assert txn.get(R, "Author", 1) is None


def test_every_write_is_a_version_readable_as_of_its_time(store: Storage) -> None:
    t1 = write(store, 1, {"v": 1})
    t2 = write(store, 1, {"v": 2})
    with store.transaction(write=True) as txn:
        txn.delete(R, "Book", 1)
        t3 = txn.txn_ts
    assert t1 < t2 < t3
    with store.transaction() as txn:
        assert txn.get(R, "Book", 1) is None
        assert txn.get(R, "Book", 1, at_ts=t1 - 1) is None
        assert txn.get(R, "Book", 1, at_ts=t1).data == {"v": 1}  # type: ignore[union-attr]
        assert txn.get(R, "Book", 1, at_ts=t2 - 1).data == {"v": 1}  # type: ignore[union-attr]
        assert txn.get(R, "Book", 1, at_ts=t2).data == {"v": 2}  # type: ignore[union-attr]
        assert txn.get(R, "Book", 1, at_ts=t3) is None
        history = txn.history(R, "Book", 1)
    assert [(v.ts, v.deleted) for v in history] == [(t3, True), (t2, False), (t1, False)]
    assert history[1].data == {"v": 2}


def test_delete_returns_the_deleted_version_and_a_second_delete_does_nothing(
    store: Storage,
) -> None:
    t1 = write(store, 1, {"v": 1})
    with store.transaction(write=True) as txn:
        deleted = txn.delete(R, "Book", 1)
        assert deleted is not None and (deleted.ts, deleted.data) == (t1, {"v": 1})
        assert txn.delete(R, "Book", 1) is None
        assert txn.delete(R, "Book", 99) is None


def test_recreating_a_deleted_document(store: Storage) -> None:
    write(store, 1, {"v": 1})
    with store.transaction(write=True) as txn:
        txn.delete(R, "Book", 1)
    t3 = write(store, 1, {"v": 3})
    with store.transaction() as txn:
        doc = txn.get(R, "Book", 1)
        assert doc is not None and (doc.ts, doc.data) == (t3, {"v": 3})
        assert len(txn.history(R, "Book", 1)) == 3


def test_several_writes_in_one_transaction_leave_one_version(store: Storage) -> None:
    t1 = write(store, 1, {"v": 1})
    with store.transaction(write=True) as txn:
        txn.put(R, "Book", 1, {"v": 2})
        txn.put(R, "Book", 1, {"v": 3})
        txn.put(R, "Book", 2, {"v": 1})
        txn.delete(R, "Book", 2)  # created and deleted here: no trace
        t2 = txn.txn_ts
    with store.transaction() as txn:
        assert [(v.ts, v.data) for v in txn.history(R, "Book", 1)] == [
            (t2, {"v": 3}),
            (t1, {"v": 1}),
        ]
        assert txn.history(R, "Book", 2) == []


def test_delete_after_update_in_the_same_transaction_keeps_the_old_version(
    store: Storage,
) -> None:
    t1 = write(store, 1, {"v": 1})
    with store.transaction(write=True) as txn:
        txn.put(R, "Book", 1, {"v": 2})
        txn.delete(R, "Book", 1)
        t2 = txn.txn_ts
    with store.transaction() as txn:
        assert [(v.ts, v.deleted) for v in txn.history(R, "Book", 1)] == [(t2, True), (t1, False)]
        assert txn.get(R, "Book", 1, at_ts=t2 - 1).data == {"v": 1}  # type: ignore[union-attr]


def test_named_documents_are_keyed_by_name(store: Storage) -> None:
    with store.transaction(write=True) as txn:
        txn.put(R, "Collection", "Book", {"name": "Book", "indexes": {}})
        txn.put(R, "Collection", "Author", {"name": "Author"})
        txn.put(R, "Book", 1, {"author": DocRef("Author", 7), "kind": DocRef("Collection", "Book")})
    with store.transaction() as txn:
        assert [d.key for d in txn.scan(R, "Collection")] == ["Author", "Book"]
        book = txn.get(R, "Book", 1)
        assert book is not None
        assert book.data["author"] == DocRef("Author", 7)


def test_scan_lists_live_documents_in_key_order_with_bounds_and_paging(store: Storage) -> None:
    with store.transaction(write=True) as txn:
        for key in [30, 10, 50, 20, 40]:
            txn.put(R, "Book", key, {"k": key})
        txn.put(R, "Other", 15, {})
    with store.transaction(write=True) as txn:
        txn.delete(R, "Book", 40)
        deleted_at = txn.txn_ts
    with store.transaction() as txn:
        assert [d.key for d in txn.scan(R, "Book")] == [10, 20, 30, 50]
        assert [d.key for d in txn.scan(R, "Book", start=20, end=30)] == [20, 30]
        assert [d.key for d in txn.scan(R, "Book", after=20, limit=2)] == [30, 50]
        assert [d.key for d in txn.scan(R, "Book", reverse=True)] == [50, 30, 20, 10]
        assert [d.key for d in txn.scan(R, "Book", reverse=True, after=30)] == [20, 10]
        assert [d.key for d in txn.scan(R, "Book", at_ts=deleted_at - 1)] == [10, 20, 30, 40, 50]
        assert txn.scan(R, "Book", limit=1)[0].data == {"k": 10}


def test_read_only_transactions_refuse_writes(store: Storage) -> None:
    with store.transaction() as txn:
        with pytest.raises(ReadOnlyTransactionError):
            txn.put(R, "Book", 1, {})
        with pytest.raises(ReadOnlyTransactionError):
            txn.create_database(R, "x")


def test_data_given_to_put_is_copied(store: Storage) -> None:
    data = {"tags": ["a"]}
    with store.transaction(write=True) as txn:
        txn.put(R, "Book", 1, data)
    data["tags"].append("b")
    with store.transaction() as txn:
        assert txn.get(R, "Book", 1).data == {"tags": ["a"]}  # type: ignore[union-attr]


def test_drop_and_rename_collection(store: Storage) -> None:
    write(store, 1, {"v": 1}, coll="Old")
    write(store, 2, {"v": 2}, coll="Gone")
    with store.transaction(write=True) as txn:
        txn.rename_collection(R, "Old", "New")
        txn.drop_collection(R, "Gone")
    with store.transaction() as txn:
        assert txn.get(R, "Old", 1) is None
        assert txn.get(R, "New", 1).data == {"v": 1}  # type: ignore[union-attr]
        assert txn.get(R, "Gone", 2) is None and txn.history(R, "Gone", 2) == []


def test_prune_history_forgets_old_versions_but_keeps_current_ones(store: Storage) -> None:
    t1 = write(store, 1, {"v": 1})
    t2 = write(store, 1, {"v": 2})
    write(store, 2, {"v": 1})
    with store.transaction(write=True) as txn:
        txn.delete(R, "Book", 2)
        t4 = txn.txn_ts
    with store.transaction(write=True) as txn:
        assert txn.prune_history(R, "Book", t4) == 2
    with store.transaction() as txn:
        assert [v.ts for v in txn.history(R, "Book", 1)] == [t2]
        assert txn.get(R, "Book", 1, at_ts=t1) is None
        assert txn.get(R, "Book", 1).data == {"v": 2}  # type: ignore[union-attr]
        assert txn.history(R, "Book", 2) == []


def test_reads_within_a_transaction_see_its_later_writes(store: Storage) -> None:
    write(store, 1, {"v": 1})
    with store.transaction(write=True) as txn:
        start = txn.snapshot_ts
        assert txn.get(R, "Book", 2) is None
        before = txn.get(R, "Book", 1)
        assert before is not None and before.data == {"v": 1}
        txn.put(R, "Book", 1, {"v": 2})
        txn.put(R, "Book", 2, {"v": 3})
        after = txn.get(R, "Book", 1)
        assert after is not None and after.data == {"v": 2}
        created = txn.get(R, "Book", 2)
        assert created is not None and created.data == {"v": 3}
        old = txn.get(R, "Book", 1, at_ts=start)
        assert old is not None and old.data == {"v": 1}
        txn.delete(R, "Book", 2)
        assert txn.get(R, "Book", 2) is None


def test_a_reader_reads_a_document_once_however_often_it_asks() -> None:
    from faunalite.storage import SQLiteStorage
    from faunalite.storage.sqlite_txn import READ_CACHE_ENTRIES

    store = SQLiteStorage()
    try:
        for key in range(READ_CACHE_ENTRIES + 2):
            write(store, key, {"v": key})
        with store.transaction() as txn:
            first = txn.get(R, "Book", 0)
            assert txn.get(R, "Book", 0) is first
            assert txn.get(R, "Book", 0, at_ts=txn.snapshot_ts) is first  # the same instant
            for key in range(READ_CACHE_ENTRIES + 2):
                found = txn.get(R, "Book", key)
                assert found is not None and found.data == {"v": key}
            # Bounded: the oldest reads were forgotten, and reading again reads the same data.
            again = txn.get(R, "Book", 0)
            assert again is not first and again == first
    finally:
        store.close()


def test_a_short_scan_answers_later_point_reads_and_a_write_forgets_them() -> None:
    from faunalite.storage import SQLiteStorage

    store = SQLiteStorage()
    try:
        write(store, 1, {"v": 1})
        with store.transaction(write=True) as txn:
            (scanned,) = txn.scan(R, "Book")
            assert txn.get(R, "Book", 1) is scanned
            txn.put(R, "Book", 1, {"v": 2})
            again = txn.get(R, "Book", 1)
            assert again is not None and again.data == {"v": 2}
    finally:
        store.close()
