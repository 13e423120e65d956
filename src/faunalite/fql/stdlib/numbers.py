"""The Number prototype (shared by Int, Long and Double) and the number modules.

The arithmetic, bitwise and comparison operators are in ``faunalite.fql.operators``; what is
left as a method is ``toString()``. ``Number``, ``Int``, ``Long``, ``Double`` and ``Float``
exist as modules only for ``isa``.
"""

from __future__ import annotations

from faunalite.fql.display import display
from faunalite.fql.stdlib.registry import PROTOTYPES, CallContext, module, prototype
from faunalite.fql.values import Long

NUMBER = prototype(int, "Number")
PROTOTYPES[float] = NUMBER
PROTOTYPES[Long] = NUMBER

for _name in ("Number", "Int", "Long", "Double", "Float"):
    module(_name)

_BINARY = "(other: Number) => Number"
NUMBER.operator_signatures.update(
    {
        **{op: _BINARY for op in ("%", "&", "*", "/", "^", "|")},
        "**": "(exponent: Number) => Number",
        "-": f"({_BINARY}) & (() => Number)",
        "~": "() => Number",
    }
)
"""FaunaDB's ``ops`` of numbers (``+`` and comparisons are ``OPERATOR_SIGNATURES``)."""


@NUMBER.method("toString", 0, signature="() => String")
def to_string(ctx: CallContext, receiver: int | float) -> str:
    return display(receiver)
