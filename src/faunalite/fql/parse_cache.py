"""A bounded, thread-safe cache of parsed queries, keyed by their text and source name.

Drivers send the same query text again and again with different arguments (template values
are placeholders ``$0``, ``$1``... in the text, bound at run time), so a repeated query can
skip lexing and parsing. A parse depends only on the text and the source name, and the tree is
never changed by evaluation (the interpreter keeps its state in scopes and the query context,
not on nodes), so one tree serves any number of queries, also at once on several threads.

Only successful parses are kept: a text that fails to parse (or times out while parsing) is
parsed again each time, so its diagnostics are always fresh objects. Not for FSL or function
bodies, which have their own lifetimes (schema versions).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from faunalite.fql import ast
from faunalite.fql.parser import parse_query
from faunalite.fql.span import QUERY_SOURCE_NAME

MAX_ENTRIES = 1024
"""Distinct query texts kept."""
MAX_TOTAL_CHARS = 4 * 1024 * 1024
"""Query text kept, summed over the entries: a tree's size grows with its text's, so this
bounds the memory the cache holds."""
MAX_TEXT_CHARS = MAX_TOTAL_CHARS // 64
"""Longer texts are not kept: they are rare, and one would push out many ordinary queries."""


class ParseCache:
    """Least-recently-used trees of parsed query texts."""

    def __init__(
        self,
        max_entries: int = MAX_ENTRIES,
        max_total_chars: int = MAX_TOTAL_CHARS,
        max_text_chars: int = MAX_TEXT_CHARS,
    ) -> None:
        self.max_entries = max_entries
        self.max_total_chars = max_total_chars
        self.max_text_chars = max_text_chars
        self._trees: OrderedDict[tuple[str, str], ast.QueryTree] = OrderedDict()
        self._total_chars = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._trees)

    def parse(
        self, text: str, source_name: str = QUERY_SOURCE_NAME, *, deadline: float | None = None
    ) -> ast.QueryTree:
        """``parse_query(text, source_name, deadline=deadline)``, from the cache when this
        text was parsed before. Raises what ``parse_query`` raises."""
        key = (text, source_name)
        with self._lock:
            tree = self._trees.get(key)
            if tree is not None:
                self._trees.move_to_end(key)
                self.hits += 1
                return tree
            self.misses += 1
        # Parsed outside the lock: a long parse must not hold up other threads' hits. Two
        # threads parsing the same new text both store it; the trees are equal.
        tree = parse_query(text, source_name, deadline=deadline)
        if len(text) <= self.max_text_chars:
            self._store(key, tree)
        return tree

    def _store(self, key: tuple[str, str], tree: ast.QueryTree) -> None:
        with self._lock:
            if key in self._trees:
                return
            self._trees[key] = tree
            self._total_chars += len(key[0])
            while len(self._trees) > self.max_entries or self._total_chars > self.max_total_chars:
                (old_text, _), _ = self._trees.popitem(last=False)
                self._total_chars -= len(old_text)

    def clear(self) -> None:
        with self._lock:
            self._trees.clear()
            self._total_chars = 0
