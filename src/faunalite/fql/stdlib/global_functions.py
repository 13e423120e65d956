"""The global functions (``abort``, ``log``, ``dbg``, ``newId``, ``asc``, ``desc``) and the
``FQL`` module, through which every built-in global stays reachable as ``FQL.X``.

``asc``/``desc`` only package their accessor as ``{ asc: f }``/``{ desc: f }``; ``order()``
interprets those objects (see ``faunalite.fql.stdlib.arrays``).
"""

from __future__ import annotations

from faunalite.fql.arity import check_callback
from faunalite.fql.display import debug, display
from faunalite.fql.errors import QueryError
from faunalite.fql.stdlib.args import expect_function
from faunalite.fql.stdlib.registry import CallContext, global_function, module
from faunalite.fql.values import ID, Null, Value

module("FQL")  # members are resolved by the interpreter: FQL.X is the built-in X


@global_function("abort", 1, signature="(return: Any) => Never")
def abort(ctx: CallContext, _: None, value: Value) -> Value:
    raise QueryError("abort", "Query aborted.", abort=value)


@global_function("log", None, signature="(args: ...Any) => Null")
def log(ctx: CallContext, _: None, *values: Value) -> Value:
    ctx.log(" ".join(display(value) for value in values))
    return Null()


@global_function("dbg", 1, signature="<A> (value: A) => A")
def dbg(ctx: CallContext, _: None, value: Value) -> Value:
    ctx.debug(debug(value))
    return value


@global_function("newId", 0, signature="() => ID")
def new_id(ctx: CallContext, _: None) -> Value:
    return ID(ctx.new_id())


def _ordering(direction: str, accessor: Value) -> dict[str, Value]:
    function = expect_function(accessor, "accessor", "A => Any")
    check_callback(function, "accessor", 1)
    return {direction: function}


@global_function("asc", 1, signature="<A> (accessor: (A => Any)) => { asc: A => Any }")
def asc(ctx: CallContext, _: None, accessor: Value) -> Value:
    return _ordering("asc", accessor)


@global_function("desc", 1, signature="<A> (accessor: (A => Any)) => { desc: A => Any }")
def desc(ctx: CallContext, _: None, accessor: Value) -> Value:
    return _ordering("desc", accessor)
