"""Field paths of index, unique-constraint and computed-field definitions.

A definition names a document field with a string: ``"name"``, ``".name"``,
``"address.city"``, ``".a[0].b"`` or ``'["a"]["bc"][0]'``. ``parse_field_path`` turns such a
string into its steps (``("address", "city")``, ``("a", 0, "b")``) or ``None`` when it is not
a path (empty, a dangling dot, an unclosed bracket...). ``read_path`` reads a path from a
document's stored form, the way an index sees it: ``id``, ``ts`` and ``ttl`` are the document's
metadata, ``data`` is the object of user fields, and any other first step is a user field.

Nothing here evaluates FQL: paths are data, resolved against stored values.
"""

from __future__ import annotations

import re
from typing import Any, TypeAlias

from faunalite.fql.values import ID, NULL, Time

PathStep: TypeAlias = "str | int"
FieldPath: TypeAlias = "tuple[PathStep, ...]"

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INDEX_STEP = re.compile(r"\[\s*(\d+)\s*\]")
_STRING_STEP = re.compile(r"""\[\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\]""")
_ESCAPE = re.compile(r"\\(.)")


def parse_field_path(text: str) -> FieldPath | None:
    """The steps of a path string, ``None`` if ``text`` is not a valid path."""
    steps: list[PathStep] = []
    position = 0
    length = len(text)
    if text.startswith("."):
        position = 1
    expect_name = position == 1
    while position < length:
        if text[position] == "[":
            number = _INDEX_STEP.match(text, position)
            quoted = _STRING_STEP.match(text, position)
            if number is not None:
                steps.append(int(number.group(1)))
                position = number.end()
            elif quoted is not None:
                raw = quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
                steps.append(_ESCAPE.sub(r"\1", raw))
                position = quoted.end()
            else:
                return None
            expect_name = False
            continue
        if steps and not expect_name:
            # After a step, only ``.name`` or ``[...]`` may follow.
            if text[position] != ".":
                return None
            position += 1
        name = _IDENTIFIER.match(text, position)
        if name is None:
            return None
        steps.append(name.group(0))
        position = name.end()
        expect_name = False
    if not steps or expect_name:
        return None
    return tuple(steps)


def read_path(key: Any, stored: Any, ts_micros: int, path: FieldPath) -> Any:
    """The stored value at ``path`` in a user document (``NULL`` when absent).

    ``stored`` is the document's stored form (``{"data": {...}, "ttl"?: Time}``), ``key`` its
    id and ``ts_micros`` the time of the version being indexed.
    """
    document = stored if isinstance(stored, dict) else {}
    first, rest = path[0], path[1:]
    if first == "id":
        value: Any = ID(int(key))
    elif first == "ts":
        value = Time(ts_micros * 1000)
    elif first == "ttl":
        value = document.get("ttl", NULL)
    elif first == "data":
        value = document.get("data", {})
    else:
        value = document.get("data", {})
        rest = path
    return _descend(value, rest)


def _descend(value: Any, steps: FieldPath) -> Any:
    for step in steps:
        if isinstance(step, int):
            if type(value) is not list or step >= len(value):
                return NULL
            value = value[step]
        else:
            if type(value) is not dict or step not in value:
                return NULL
            value = value[step]
    return value
