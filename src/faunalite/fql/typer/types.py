"""The static type language of FaunaDB's typer, and how FaunaDB renders a type as text.

A type here is what the checker infers for a value: primitives (``Int``, ``String``, ``Null``,
``Any``...), singletons (the literal types ``42``, ``"abc"``, ``true``), tuples (``[1, 2]``),
parameterised types (``Array<Int>``, ``Set<T>``), records (``{ a: 1, *: String }``) and unions.
``union`` merges members the way FaunaDB's coalescer does for a value (``CoalescedType.merge``
in ``ext/fql/shared/src/main/scala/typer/CoalescedType.scala``): a singleton is absorbed by its
primitive, ``true | false`` is ``Boolean``, records and same-length tuples merge field by
field, ``Never`` vanishes and ``Null`` prints last. ``render`` prints what FaunaDB's
``static_type`` shows.

Not here: function types and type variables (a value of function type renders as unknown, see
``faunalite.fql.typer.infer``), subtyping checks beyond what ``union`` needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TypeAlias


@dataclass(frozen=True, slots=True)
class Primitive:
    """A named type without arguments: ``Int``, ``String``, ``Null``, ``Any``, ``Never``..."""

    name: str


@dataclass(frozen=True, slots=True, eq=False)
class Singleton:
    """The type of exactly one literal value: ``42``, ``"abc"``, ``true``.

    Equal only to a singleton of the same kind of value: ``1`` is not ``true`` (as Python's
    ``1 == True`` would have it)."""

    value: bool | int | str

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Singleton)
            and type(other.value) is type(self.value)
            and other.value == self.value
        )

    def __hash__(self) -> int:
        return hash((type(self.value), self.value))


@dataclass(frozen=True, slots=True)
class TupleType:
    """An array of known length with a type per position: ``[1, "a"]``."""

    elements: tuple[Type, ...]
    size: int = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", 1 + sum(size_of(element) for element in self.elements))


@dataclass(frozen=True, slots=True)
class Applied:
    """A parameterised named type: ``Array<Int>``, ``Set<String>``, ``Page<A>``."""

    name: str
    args: tuple[Type, ...]
    size: int = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", 1 + sum(size_of(arg) for arg in self.args))


@dataclass(frozen=True, slots=True)
class Record:
    """A structural object type: known fields in order, and a ``*`` wildcard if any."""

    fields: tuple[tuple[str, Type], ...]
    wildcard: Type | None = None
    size: int = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        wildcard = 0 if self.wildcard is None else size_of(self.wildcard)
        object.__setattr__(
            self, "size", 1 + wildcard + sum(size_of(value) for _, value in self.fields)
        )

    def field(self, name: str) -> Type | None:
        for key, value in self.fields:
            if key == name:
                return value
        return None


@dataclass(frozen=True, slots=True)
class Union:
    """Two or more alternatives (always built by ``union``, never directly)."""

    members: tuple[Type, ...]
    size: int = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", 1 + sum(size_of(member) for member in self.members))


Type: TypeAlias = Primitive | Singleton | TupleType | Applied | Record | Union

INT = Primitive("Int")
LONG = Primitive("Long")
DOUBLE = Primitive("Double")
NUMBER = Primitive("Number")
STRING = Primitive("String")
BOOLEAN = Primitive("Boolean")
NULL = Primitive("Null")
TIME = Primitive("Time")
DATE = Primitive("Date")
BYTES = Primitive("Bytes")
ID_TYPE = Primitive("ID")
ANY = Primitive("Any")
NEVER = Primitive("Never")

_PRIMITIVES_OF_SINGLETON: dict[type, frozenset[str]] = {
    bool: frozenset({"Boolean"}),
    int: frozenset({"Int", "Number"}),
    str: frozenset({"String"}),
}
"""The primitives a singleton belongs to (``Type.isValueOf``): they absorb it in a union."""


def size_of(t: Type) -> int:
    """How many parts ``t`` has written out (its types are shared trees: this can be far
    more than the objects it is made of). Kept on each type, so asking is free."""
    return 1 if isinstance(t, (Primitive, Singleton)) else t.size


def members(t: Type) -> tuple[Type, ...]:
    """The alternatives of ``t``: its members if it is a union, else ``t`` alone."""
    return t.members if isinstance(t, Union) else (t,)


def union(*types: Type) -> Type:
    """The union of ``types`` as FaunaDB coalesces it for a value (see the module docstring)."""
    any_seen = False
    singles: dict[Singleton, None] = {}  # a dict: ordered, and quick to test on big arrays
    names: list[str] = []
    applied: dict[str, list[Type]] = {}
    records: list[Record] = []
    tuples: dict[int, list[TupleType]] = {}
    for t in types:
        for member in members(t):
            if member == ANY:
                any_seen = True
            elif member == NEVER:
                continue
            elif isinstance(member, Singleton):
                singles[member] = None
            elif isinstance(member, Primitive):
                if member.name not in names:
                    names.append(member.name)
            elif isinstance(member, Applied):
                applied.setdefault(member.name, []).append(member)
            elif isinstance(member, Record):
                records.append(member)
            elif isinstance(member, TupleType):
                tuples.setdefault(len(member.elements), []).append(member)
    kept = [
        single
        for single in singles
        if not (_PRIMITIVES_OF_SINGLETON[type(single.value)] & set(names))
    ]
    if Singleton(True) in singles and Singleton(False) in singles and "Boolean" not in names:
        kept = [single for single in kept if not isinstance(single.value, bool)]
        names.append("Boolean")
    result: list[Type] = [ANY] if any_seen else []
    result.extend(kept)
    result.extend(Primitive(name) for name in names if name != "Null")
    for group in applied.values():
        result.append(_merge_applied(group))
    if records:
        merged = records[0]
        for record in records[1:]:
            merged = _merge_records(merged, record)
        result.append(merged)
    for same_length in tuples.values():
        result.append(
            TupleType(
                tuple(
                    union(*column)
                    for column in zip(*(t.elements for t in same_length), strict=True)
                )
            )
            if len(same_length) > 1
            else same_length[0]
        )
    if "Null" in names:
        result.append(NULL)
    if not result:
        return NEVER
    return result[0] if len(result) == 1 else Union(tuple(result))


def _merge_applied(group: list[Type]) -> Type:
    first = group[0]
    assert isinstance(first, Applied)
    columns: list[list[Type]] = [[] for _ in first.args]
    for member in group:
        assert isinstance(member, Applied)
        for column, arg in zip(columns, member.args, strict=True):
            column.append(arg)
    return Applied(first.name, tuple(union(*column) for column in columns))


def _merge_records(left: Record, right: Record) -> Record:
    """A field of one side only survives if the other side has a wildcard to merge it with."""
    fields: list[tuple[str, Type]] = []
    for key, value in left.fields:
        other = right.field(key)
        if other is None:
            other = right.wildcard
        if other is not None:
            fields.append((key, union(value, other)))
    for key, value in right.fields:
        if left.field(key) is None and left.wildcard is not None:
            fields.append((key, union(left.wildcard, value)))
    wildcard = None
    if left.wildcard is not None and right.wildcard is not None:
        wildcard = union(left.wildcard, right.wildcard)
    return Record(tuple(fields), wildcard)


def without_null(t: Type) -> Type:
    """``t - Null``: what is left of ``t`` once null is ruled out (``??``, ``!``, ``?.``)."""
    return union(*(member for member in members(t) if member != NULL))


def widen(t: Type) -> Type:
    """The primitive a singleton belongs to (``3`` is an ``Int``), for error messages."""
    if isinstance(t, Singleton):
        if isinstance(t.value, bool):
            return BOOLEAN
        return INT if isinstance(t.value, int) else STRING
    return t


_PLAIN_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_PLAIN_STRING = re.compile(r"[^\"\\\x00-\x1f\x7f#]*\Z")


MAX_RENDERED_PARTS = 100_000
"""The most parts (types and fields) a rendered type may have: types are shared trees, so a
small query can build one whose text would be exponentially long."""


def renderable(t: Type) -> bool:
    """Whether ``render`` knows FaunaDB's exact text for ``t``, within ``MAX_RENDERED_PARTS``.

    Strings with quotes, backslashes, control characters or ``#`` (FaunaDB escapes them in a
    way not verified here) and field names that would need quoting are left out.
    """
    budget = [MAX_RENDERED_PARTS]
    return _renderable(t, budget)


def _renderable(t: Type, budget: list[int]) -> bool:
    budget[0] -= 1
    if budget[0] < 0:
        return False
    if isinstance(t, Singleton):
        return not isinstance(t.value, str) or _PLAIN_STRING.match(t.value) is not None
    if isinstance(t, Primitive):
        return True
    if isinstance(t, TupleType):
        return all(_renderable(element, budget) for element in t.elements)
    if isinstance(t, Applied):
        return all(_renderable(arg, budget) for arg in t.args)
    if isinstance(t, Record):
        return all(
            _PLAIN_FIELD_NAME.match(key) is not None and _renderable(value, budget)
            for key, value in t.fields
        ) and (t.wildcard is None or _renderable(t.wildcard, budget))
    return all(_renderable(member, budget) for member in t.members)


def render(t: Type) -> str:
    """``t`` as FaunaDB prints it in ``static_type``: ``42 | 41``, ``[1, "a"]``, ``{ a: Int }``."""
    if isinstance(t, Primitive):
        return t.name
    if isinstance(t, Singleton):
        if isinstance(t.value, bool):
            return "true" if t.value else "false"
        if isinstance(t.value, int):
            return str(t.value)
        return f'"{t.value}"'
    if isinstance(t, TupleType):
        return "[" + ", ".join(render(element) for element in t.elements) + "]"
    if isinstance(t, Applied):
        return t.name + "<" + ", ".join(render(arg) for arg in t.args) + ">"
    if isinstance(t, Record):
        parts = [f"{key}: {render(value)}" for key, value in t.fields]
        if t.wildcard is not None:
            parts.append(f"*: {render(t.wildcard)}")
        return "{ " + ", ".join(parts) + " }" if parts else "{}"
    return " | ".join(render(member) for member in t.members)
