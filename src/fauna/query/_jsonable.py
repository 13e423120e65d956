"""``ToJsonable``: the ``.to_jsonable()`` method the ``fauna.query`` models share.

It only forwards to ``fauna.encoding.jsonable.to_jsonable``, which knows the shape; the import
is deferred because ``fauna.encoding`` itself imports the models.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ToJsonable"]


class ToJsonable:
    """Adds ``to_jsonable()``: the value as plain JSON data (see ``fauna.to_jsonable``)."""

    __slots__ = ()

    def to_jsonable(self) -> Any:
        """This value as JSON-ready data that ``fauna.from_jsonable`` turns back into it."""
        from fauna.encoding.jsonable import to_jsonable

        return to_jsonable(self)
