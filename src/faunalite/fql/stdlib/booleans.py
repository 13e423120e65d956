"""Boolean and Null: their ``toString`` and the modules that exist for ``isa``.

Boolean's ``!`` and the comparison operators are handled by ``faunalite.fql.operators``;
``&&``/``||`` are special forms of the interpreter. Null has no fields: any ``.x`` or ``[k]``
on null is ``invalid_null_access``, except calling ``toString()``.
"""

from __future__ import annotations

from faunalite.fql.stdlib.registry import CallContext, module, prototype
from faunalite.fql.values import Null

BOOLEAN = prototype(bool, "Boolean")
NULL = prototype(Null, "Null")
module("Boolean")
module("Null")

BOOLEAN.operator_signatures.update(
    {"!": "() => Boolean", "&&": "(other: Boolean) => Boolean", "||": "(other: Boolean) => Boolean"}
)
"""FaunaDB's ``ops`` of Booleans."""


@BOOLEAN.method("toString", 0, signature="() => String")
def boolean_to_string(ctx: CallContext, receiver: bool) -> str:
    return "true" if receiver else "false"


@NULL.method("toString", 0, signature="() => String")
def null_to_string(ctx: CallContext, receiver: Null) -> str:
    return "null"
