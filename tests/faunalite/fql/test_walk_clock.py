"""Walks over values outside the interpreter end at the deadline of the query on the thread."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from faunalite.fql.compare import (
    equal,
    structural_hash,
    structurally_equal,
    total_compare,
)
from faunalite.fql.context import QueryTimedOut
from faunalite.fql.display import debug
from faunalite.fql.walk_clock import walks_bounded_by


def shared_tree(depth: int, leaf: Any) -> Any:
    """``[t, t]`` ``depth`` times over: ``2**depth`` leaves in ``depth + 1`` objects."""
    tree = leaf
    for _ in range(depth):
        tree = [tree, tree] if not isinstance(leaf, dict) else {"l": tree, "r": tree}
    return tree


# 2**24 nodes: many seconds of walking each. (The operator comparison `<` is not here: its
# FaunaDB quirk, an exhausted left side is smaller, ends it at the first leaf.)
WALKS: dict[str, Callable[[Any, Any], object]] = {
    "equal": equal,
    "total_compare": total_compare,
    "structurally_equal": structurally_equal,
    "structural_hash": lambda a, b: structural_hash(a),
    "debug": lambda a, b: debug(a),
}


@pytest.mark.parametrize("leaf", [[1], {"v": 1}], ids=["arrays", "objects"])
@pytest.mark.parametrize("walk", list(WALKS), ids=list(WALKS))
def test_a_walk_over_shared_parts_stops_at_the_deadline(walk: str, leaf: Any) -> None:
    left, right = shared_tree(24, leaf), shared_tree(24, leaf)
    started = time.monotonic()
    with pytest.raises(QueryTimedOut), walks_bounded_by(time.monotonic() + 0.1):
        WALKS[walk](left, right)
    assert time.monotonic() - started < 1.5


def test_without_a_deadline_walks_run_to_the_end() -> None:
    assert equal(shared_tree(12, [1]), shared_tree(12, [1])) is True


def test_the_deadline_is_restored_after_the_block() -> None:
    with (
        walks_bounded_by(time.monotonic() - 1),
        walks_bounded_by(None),
        pytest.raises(QueryTimedOut),
    ):
        equal(shared_tree(14, [1]), shared_tree(14, [1]))
    assert equal(shared_tree(14, [1]), shared_tree(14, [1])) is True
