"""The database tree: isolated namespaces, paths, subtree deletion, schema versions."""

from __future__ import annotations

import pytest

from faunalite.storage import (
    ROOT_SCOPE,
    DuplicateDatabaseError,
    EventCursor,
    IndexEntry,
    Storage,
    StorageError,
    UnknownDatabaseError,
)

R = ROOT_SCOPE


def test_root_exists_with_an_empty_path(store: Storage) -> None:
    with store.transaction() as txn:
        root = txn.find_database(())
        assert root is not None
        assert (root.scope, root.parent, root.path, root.schema_version) == (R, None, (), 0)


def test_children_are_found_by_path(store: Storage) -> None:
    with store.transaction(write=True) as txn:
        app = txn.create_database(R, "app")
        tenant = txn.create_database(app.scope, "tenant1")
        txn.create_database(app.scope, "another")
    assert tenant.path == ("app", "tenant1")
    with store.transaction() as txn:
        assert txn.find_database(("app", "tenant1")) == tenant
        assert txn.find_database(("app", "nope")) is None
        assert [d.name for d in txn.child_databases(app.scope)] == ["another", "tenant1"]
        assert txn.database(tenant.scope) == tenant


def test_names_are_unique_per_parent(store: Storage) -> None:
    with store.transaction(write=True) as txn:
        app = txn.create_database(R, "app")
        txn.create_database(app.scope, "app")  # same name, other parent: fine
        with pytest.raises(DuplicateDatabaseError):
            txn.create_database(R, "app")
        with pytest.raises(UnknownDatabaseError):
            txn.create_database(12345, "x")


def test_each_database_has_its_own_namespace(store: Storage) -> None:
    with store.transaction(write=True) as txn:
        a = txn.create_database(R, "a").scope
        b = txn.create_database(R, "b").scope
        txn.put(a, "Book", 1, {"in": "a"}, index_entries={"byX": [IndexEntry(("x",))]})
        txn.put(b, "Book", 1, {"in": "b"}, index_entries={"byX": [IndexEntry(("x",))]})
    with store.transaction() as txn:
        assert txn.get(a, "Book", 1).data == {"in": "a"}  # type: ignore[union-attr]
        assert txn.get(b, "Book", 1).data == {"in": "b"}  # type: ignore[union-attr]
        assert txn.get(R, "Book", 1) is None
        assert [h.key for h in txn.index_scan(a, "Book", "byX", ("x",))] == [1]
        assert txn.unique_conflicts(a, "Book", "byX", ("x",), exclude=1) == []
        assert [e.scope for e in txn.events_after(a, None, EventCursor(0, 0))] == [a]


def test_deleting_a_database_removes_its_subtree_and_its_data(store: Storage) -> None:
    with store.transaction(write=True) as txn:
        app = txn.create_database(R, "app")
        child = txn.create_database(app.scope, "child")
        grandchild = txn.create_database(child.scope, "grandchild")
        keep = txn.create_database(R, "keep")
        for db in (app, child, grandchild, keep):
            txn.put(db.scope, "Book", 1, {}, index_entries={"i": [IndexEntry((1,))]})
    with store.transaction(write=True) as txn:
        txn.delete_database(app.scope)
    with store.transaction() as txn:
        for gone in (app, child, grandchild):
            assert txn.database(gone.scope) is None
            assert txn.get(gone.scope, "Book", 1) is None
            assert txn.index_scan(gone.scope, "Book", "i", (1,)) == []
            assert txn.events_after(gone.scope, None, EventCursor(0, 0)) == []
        assert txn.find_database(("app",)) is None
        assert txn.get(keep.scope, "Book", 1) is not None
    with store.transaction(write=True) as txn:
        again = txn.create_database(R, "app")
    assert again.scope not in (app.scope, child.scope, grandchild.scope)


def test_root_cannot_be_deleted_or_renamed(store: Storage) -> None:
    with store.transaction(write=True) as txn:
        with pytest.raises(StorageError):
            txn.delete_database(R)
        with pytest.raises(StorageError):
            txn.rename_database(R, "x")


def test_rename_keeps_the_scope_and_its_data(store: Storage) -> None:
    with store.transaction(write=True) as txn:
        old = txn.create_database(R, "old")
        txn.create_database(R, "taken")
        txn.put(old.scope, "Book", 1, {})
        with pytest.raises(DuplicateDatabaseError):
            txn.rename_database(old.scope, "taken")
        renamed = txn.rename_database(old.scope, "new")
    assert (renamed.scope, renamed.path) == (old.scope, ("new",))
    with store.transaction() as txn:
        assert txn.find_database(("new",)) == renamed
        assert txn.get(renamed.scope, "Book", 1) is not None


def test_schema_version_counts_schema_changes_per_database(store: Storage) -> None:
    with store.transaction(write=True) as txn:
        app = txn.create_database(R, "app").scope
        assert txn.bump_schema_version(R) == 1
        assert txn.bump_schema_version(R) == 2
    with store.transaction() as txn:
        assert txn.schema_version(R) == 2
        assert txn.schema_version(app) == 0
        assert txn.database(R).schema_version == 2  # type: ignore[union-attr]
