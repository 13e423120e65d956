"""Index entries: term lookups in value order, ranges, asc/desc, mixed types, paging,
temporality, unique-constraint lookups and index builds."""

from __future__ import annotations

from typing import Any

from faunalite.fql.values import NULL, Date, Time
from faunalite.storage import ROOT_SCOPE, IndexEntry, Storage, iter_pages

R = ROOT_SCOPE


def by_name_age(name: Any, age: Any, *, desc: bool = False) -> dict[str, list[IndexEntry]]:
    return {"byName": [IndexEntry((name,), (age,), (desc,))]}


def keys(hits: list[Any]) -> list[Any]:
    return [h.key for h in hits]


def fill(store: Storage, people: dict[int, tuple[Any, Any]], *, desc: bool = False) -> None:
    with store.transaction(write=True) as txn:
        for key, (name, age) in people.items():
            txn.put(
                R,
                "P",
                key,
                {"name": name, "age": age},
                index_entries=by_name_age(name, age, desc=desc),
            )


def scan(store: Storage, terms: tuple[Any, ...] = ("a",), **kwargs: Any) -> list[Any]:
    with store.transaction() as txn:
        return txn.index_scan(R, "P", "byName", terms, **kwargs)


def test_lookup_by_terms_returns_matches_in_value_order(store: Storage) -> None:
    fill(store, {1: ("a", 30), 2: ("b", 20), 3: ("a", 10), 4: ("a", 20), 5: ("a", 20)})
    hits = scan(store)
    assert keys(hits) == [3, 4, 5, 1]  # by value, ties by document id
    assert [h.values for h in hits] == [(10,), (20,), (20,), (30,)]
    assert keys(scan(store, ("b",))) == [2]
    assert scan(store, ("zzz",)) == []


def test_descending_values(store: Storage) -> None:
    fill(store, {1: ("a", 30), 2: ("a", 10), 3: ("a", 20), 4: ("a", 20)}, desc=True)
    assert keys(scan(store, descending=(True,))) == [1, 3, 4, 2]
    # Bounds follow iteration order: from the high value down to the low one.
    assert keys(scan(store, descending=(True,), lower=(20,), upper=(10,))) == [3, 4, 2]


def test_mixed_types_sort_in_the_total_order_with_nulls_last(store: Storage) -> None:
    values: list[Any] = [NULL, True, Date(1), Time(5), {"o": 1}, [1], "s", b"b", 2.5, -1]
    fill(store, {key: ("a", value) for key, value in enumerate(values, start=1)})
    assert [h.values[0] for h in scan(store)] == list(reversed(values))
    desc_first = [h.values[0] for h in scan(store, reverse=True)]
    assert desc_first[0] == NULL


def test_ints_and_doubles_interleave_numerically_and_keep_their_type(store: Storage) -> None:
    fill(store, {1: ("a", 2), 2: ("a", 1.5), 3: ("a", 1), 4: ("a", 1.0)})
    hits = scan(store)
    assert keys(hits) == [3, 4, 2, 1]
    assert [type(h.values[0]) for h in hits] == [int, float, float, int]


def test_value_ranges_are_inclusive_and_accept_prefixes(store: Storage) -> None:
    with store.transaction(write=True) as txn:
        for key, (x, y) in enumerate([(1, "a"), (1, "b"), (2, "a"), (2, "z"), (3, "a")], start=1):
            txn.put(R, "P", key, {}, index_entries={"byXY": [IndexEntry((), (x, y))]})
    with store.transaction() as txn:

        def between(**kwargs: Any) -> list[Any]:
            return keys(txn.index_scan(R, "P", "byXY", (), **kwargs))

        assert between(lower=(2,)) == [3, 4, 5]
        assert between(upper=(2,)) == [1, 2, 3, 4]  # (2, anything) is within "to 2"
        assert between(lower=(1, "b"), upper=(2, "a")) == [2, 3]
        assert between(lower=(2,), upper=(2,)) == [3, 4]
        assert between(lower=(4,)) == []


def test_key_range_for_indexes_without_values(store: Storage) -> None:
    with store.transaction(write=True) as txn:
        for key in (10, 20, 30, 40):
            txn.put(R, "P", key, {}, index_entries={"byKind": [IndexEntry(("k",))]})
    with store.transaction() as txn:
        hits = txn.index_scan(R, "P", "byKind", ("k",), key_lower=20, key_upper=30)
    assert keys(hits) == [20, 30]


def test_paging_resumes_after_a_position_both_ways(store: Storage) -> None:
    fill(store, {k: ("a", k % 4) for k in range(1, 11)})
    everything = keys(scan(store))
    with store.transaction() as txn:

        def page(after: Any, size: int) -> list[Any]:
            return txn.index_scan(R, "P", "byName", ("a",), after=after, limit=size)

        paged = keys(list(iter_pages(page, lambda hit: hit.position, 3)))
        first = txn.index_scan(R, "P", "byName", ("a",), reverse=True, limit=4)
        rest = txn.index_scan(R, "P", "byName", ("a",), reverse=True, after=first[-1].position)
    assert paged == everything
    assert keys(first) + keys(rest) == list(reversed(everything))


def test_updates_and_deletes_move_entries_and_old_entries_stay_readable_at_their_time(
    store: Storage,
) -> None:
    fill(store, {1: ("a", 1)})
    with store.transaction(write=True) as txn:
        txn.put(R, "P", 1, {}, index_entries=by_name_age("b", 1))
        moved = txn.txn_ts
    with store.transaction(write=True) as txn:
        txn.delete(R, "P", 1)
        deleted = txn.txn_ts
    assert scan(store, ("a",)) == [] and scan(store, ("b",)) == []
    assert keys(scan(store, ("a",), at_ts=moved - 1)) == [1]
    assert keys(scan(store, ("b",), at_ts=moved)) == [1]
    assert keys(scan(store, ("b",), at_ts=deleted - 1)) == [1]


def test_multi_valued_entries_and_a_write_without_entries(store: Storage) -> None:
    with store.transaction(write=True) as txn:
        tags = [IndexEntry((tag,)) for tag in ("x", "y", "x")]
        txn.put(R, "P", 1, {}, index_entries={"byTag": tags})
        txn.put(R, "P", 2, {}, index_entries={"byTag": [IndexEntry(("y",))]})
        assert keys(txn.index_scan(R, "P", "byTag", ("x",))) == [1]  # own writes are visible
    with store.transaction() as txn:
        assert keys(txn.index_scan(R, "P", "byTag", ("y",))) == [1, 2]
    with store.transaction(write=True) as txn:
        txn.put(R, "P", 1, {})  # no entries given: the document leaves every index
    with store.transaction() as txn:
        assert keys(txn.index_scan(R, "P", "byTag", ("y",))) == [2]


def test_unique_conflicts_see_live_documents_including_this_transaction(store: Storage) -> None:
    with store.transaction(write=True) as txn:
        txn.put(R, "P", 1, {}, index_entries={"unique:email": [IndexEntry(("a@x",))]})
    with store.transaction(write=True) as txn:
        assert txn.unique_conflicts(R, "P", "unique:email", ("a@x",), exclude=1) == []
        txn.put(R, "P", 2, {}, index_entries={"unique:email": [IndexEntry(("a@x",))]})
        assert txn.unique_conflicts(R, "P", "unique:email", ("a@x",), exclude=2) == [1]
        txn.delete(R, "P", 1)
        assert txn.unique_conflicts(R, "P", "unique:email", ("a@x",), exclude=2) == []
        assert txn.unique_conflicts(R, "P", "unique:email", ("b@x",)) == []


def test_building_and_dropping_an_index(store: Storage) -> None:
    with store.transaction(write=True) as txn:
        for key in range(1, 6):
            txn.put(R, "P", key, {"n": key})
    with store.transaction(write=True) as txn:
        for doc in txn.scan(R, "P"):
            txn.set_index_entries(R, "P", "byParity", doc.key, [IndexEntry((doc.data["n"] % 2,))])
        built = txn.txn_ts
    with store.transaction() as txn:
        assert keys(txn.index_scan(R, "P", "byParity", (1,))) == [1, 3, 5]
        assert txn.index_scan(R, "P", "byParity", (1,), at_ts=built - 1) == []
    with store.transaction(write=True) as txn:
        txn.drop_index(R, "P", "byParity")
    with store.transaction() as txn:
        assert txn.index_scan(R, "P", "byParity", (1,)) == []
        assert txn.get(R, "P", 1) is not None


def test_set_index_entries_touches_only_the_named_index(store: Storage) -> None:
    fill(store, {1: ("a", 1)})
    with store.transaction(write=True) as txn:
        txn.set_index_entries(R, "P", "other", 1, [IndexEntry(("o",))])
    assert keys(scan(store)) == [1]
    with store.transaction() as txn:
        assert keys(txn.index_scan(R, "P", "other", ("o",))) == [1]
