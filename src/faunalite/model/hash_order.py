"""The order in which FaunaDB walks a Scala hash set or map of strings.

Where FaunaDB builds output by iterating an immutable Scala ``HashSet``/``HashMap`` (the
``data`` object of a document, the duplicate-name failures of a collection definition), the
order is that of Scala 2.13's CHAMP trie: each string's ``hashCode`` is spread by
``scala.collection.Hashing.improve`` and consumed five bits at a time, a node yields the
entries stored in it (by those bits, ascending) before descending into its sub-nodes in the
same order. This module computes that order; it is not a general Scala emulation.
"""

from __future__ import annotations

from collections.abc import Iterable

_MASK32 = 0xFFFFFFFF
_BITS = 5


def java_string_hash(text: str) -> int:
    """``String.hashCode`` over UTF-16 code units, as an unsigned 32-bit number."""
    value = 0
    units = text.encode("utf-16-be", "surrogatepass")
    for i in range(0, len(units), 2):
        value = (31 * value + ((units[i] << 8) | units[i + 1])) & _MASK32
    return value


def improved_hash(text: str) -> int:
    """``Hashing.improve(text.##)``: the hash the trie is keyed by."""
    h = java_string_hash(text)
    h = (h + (~(h << 9) & _MASK32)) & _MASK32
    h ^= h >> 14
    h = (h + (h << 4)) & _MASK32
    return h ^ (h >> 10)


def hash_set_order(names: Iterable[str]) -> list[str]:
    """``names`` (distinct) in the order a Scala immutable hash set of them iterates."""
    keyed = [(improved_hash(name), name) for name in dict.fromkeys(names)]
    return _walk(keyed, 0)


def _walk(keyed: list[tuple[int, str]], shift: int) -> list[str]:
    if len(keyed) <= 1 or shift >= 32:
        return [name for _, name in keyed]
    slots: dict[int, list[tuple[int, str]]] = {}
    for entry in keyed:
        slots.setdefault((entry[0] >> shift) & 31, []).append(entry)
    ordered = sorted(slots.items())
    here = [group[0][1] for _, group in ordered if len(group) == 1]
    below = [name for _, group in ordered if len(group) > 1 for name in _walk(group, shift + _BITS)]
    return here + below
