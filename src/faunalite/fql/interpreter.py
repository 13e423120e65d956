"""The FQL evaluator: walks a parsed query and produces its value, as FaunaDB does.

Entry point: ``run_query(tree, context)``. Evaluation is a recursive walk over the ``ast`` nodes
with an immutable ``environment.Scope`` for variables; method chains (``a.b?.c(1)[0]!``) are
evaluated with a "short-circuited" flag so that ``?.`` skips the rest of its chain. Member
lookup rules live in ``members``, operators in ``operators``, equality and ordering in
``compare``.

Errors: every failure is a ``QueryError``. Code that cannot know the position (stdlib
natives, arity checks) raises without a span, and the innermost call site it unwinds through
gives it one; each further call site it unwinds through is appended to ``QueryError.trace``,
which is FaunaDB's stack trace (spans of the ``(args)`` of each call, innermost first).

Limits: at most ``MAX_STACK_FRAMES`` nested calls (``stack_overflow``); the ``deadline`` is
checked every ``DEADLINE_CHECK_INTERVAL`` function applications (``QueryTimedOut``), and so is
the process's memory (``faunalite.fql.memory``, ``value_too_large``), and walks over values
outside the interpreter (equality, rendering...) check both too (``walk_clock``); a Python
``RecursionError`` from pathologically nested syntax is reported as ``stack_overflow`` too.
"""

from __future__ import annotations

import operator
import time
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from faunalite.fql import ast, ensure_recursion_limit
from faunalite.fql.arity import Arity, arity_of, wrong_argument_count
from faunalite.fql.compare import equal
from faunalite.fql.context import QueryContext, QueryTimedOut
from faunalite.fql.display import display
from faunalite.fql.environment import Scope, bind
from faunalite.fql.errors import CheckDiagnostic, QueryCheckError, QueryError
from faunalite.fql.members import (
    MISSING,
    access_method,
    builtin_global,
    callable_module,
    core_membership,
    find_method,
    invalid_null_access,
    missing_field,
    null_origin_hint,
    read_member,
)
from faunalite.fql.memory import PROCESS_MEMORY
from faunalite.fql.operators import (
    apply_binary,
    apply_unary,
    function_missing,
    has_binary_operator,
    has_unary_operator,
)
from faunalite.fql.projection import project
from faunalite.fql.span import Span
from faunalite.fql.stdlib.registry import NativeMethod, TypeTable
from faunalite.fql.stdlib.strings import MAX_STRING_SIZE, too_large, utf16_length
from faunalite.fql.values import (
    INT64_MAX,
    INT64_MIN,
    TRANSACTION_TIME,
    Function,
    Lambda,
    Module,
    NativeFunction,
    Null,
    StorageValue,
    Time,
    Value,
    type_name,
)
from faunalite.fql.walk_clock import walks_bounded_by

MAX_STACK_FRAMES = 2048
"""FaunaDB's ``DefaultFQLXMaxStackFrames``."""

DEADLINE_CHECK_INTERVAL = 64
"""Function applications between two looks at the clock."""

_CHAIN_NODES = (ast.FieldAccess, ast.MethodCall, ast.Call, ast.Index, ast.NonNull)


def run_query(tree: ast.QueryTree, context: QueryContext) -> Value:
    """Evaluate a parsed query. Raises ``QueryError`` (including ``QueryTimedOut``)."""
    ensure_recursion_limit()
    interpreter = Interpreter(context)
    context.interpreter = interpreter
    try:
        with walks_bounded_by(context.deadline):
            return interpreter.eval(tree.body, None)
    except RecursionError:
        raise stack_overflow().at(tree.body.span) from None
    finally:
        context.interpreter = None


def stack_overflow() -> QueryError:
    return QueryError(
        "stack_overflow", f"number of stack frames exceeded limit of {MAX_STACK_FRAMES}"
    )


def type_mismatch(expected: str, received: Value) -> QueryError:
    """``expected type: Boolean, received Int``."""
    return QueryError("type_mismatch", f"expected type: {expected}, received {type_name(received)}")


def null_value_error(value: Null, span: Span) -> QueryError:
    """The ``null_value`` error of ``value!``, worded after the null's cause."""
    message = "Null literal value" if value.cause is None else f"Null value, due to {value.cause}"
    origin = value.origin
    overlaps = (
        origin is not None
        and origin.source is span.source
        and (origin.start < span.end and span.start < origin.end)
    )
    hints = [] if origin is None or overlaps else null_origin_hint(value)
    return QueryError("null_value", message, span, hints=hints)


class Interpreter:
    """Evaluates the nodes of one query against its ``QueryContext``."""

    def __init__(self, context: QueryContext) -> None:
        self.context = context
        self.depth = 0
        storage = context.storage
        self.module_tables: Callable[[str], TypeTable | None] | None = (
            storage.module_table if storage is not None else None
        )

    def eval(self, node: ast.Expr, scope: Scope | None) -> Value:
        return _DISPATCH[type(node)](self, node, scope)

    # -- calls and frames ---------------------------------------------------------------------

    def in_frame(self, frame: Span, action: Callable[..., Value], *args: Any) -> Value:
        """Run ``action`` as the call at ``frame``: errors without a position get ``frame``,
        errors from deeper down get ``frame`` appended to their trace."""
        self.depth += 1
        try:
            return action(*args)
        except QueryError as err:
            if err.span is None:
                err.span = frame
            elif not isinstance(err, QueryCheckError):
                err.trace.append(frame)
            raise
        finally:
            self.depth -= 1

    def _count_call(self) -> None:
        stats = self.context.stats
        stats.compute_calls += 1
        if stats.compute_calls % DEADLINE_CHECK_INTERVAL == 0:
            self._periodic_checks()

    def _periodic_checks(self) -> None:
        """What is looked at every ``DEADLINE_CHECK_INTERVAL`` calls: the clock, the memory."""
        deadline = self.context.deadline
        if deadline is not None and time.monotonic() > deadline:
            raise QueryTimedOut()
        if PROCESS_MEMORY.exceeded():
            raise PROCESS_MEMORY.error()

    def apply_function(self, function: Function, args: list[Value]) -> Value:
        """Apply a function value to already evaluated arguments (no new frame)."""
        if type(function) is Lambda:
            # The hot path (a callback of map/fold/where...): the checks of the general path
            # below, in the same order, written out.
            stats = self.context.stats
            stats.compute_calls += 1
            if stats.compute_calls % DEADLINE_CHECK_INTERVAL == 0:
                self._periodic_checks()
            params = function.params
            variadic = function.variadic
            if len(args) != len(params) if variadic is None else len(args) < len(params):
                raise wrong_argument_count(arity_of(function), len(args))
            if self.depth - 1 > MAX_STACK_FRAMES:
                raise stack_overflow()
            scope: Scope | None = function.closure
            for index, name in enumerate(params):
                if name is not None:
                    scope = Scope(name, args[index], scope)
            if variadic is not None:
                scope = Scope(variadic, list(args[len(params) :]), scope)
            body = function.body
            return _DISPATCH[type(body)](self, body, scope)
        self._count_call()
        arity = arity_of(function)
        if not arity.accepts(len(args)):
            raise wrong_argument_count(arity, len(args))
        if isinstance(function, Lambda):
            if self.depth - 1 > MAX_STACK_FRAMES:
                raise stack_overflow()
            scope = function.closure
            for name, arg in zip(function.params, args, strict=False):
                if name is not None:
                    scope = bind(scope, name, arg)
            if function.variadic is not None:
                scope = bind(scope, function.variadic, list(args[len(function.params) :]))
            return self.eval(function.body, scope)
        if isinstance(function, NativeFunction):
            return _invoke(function.impl, self.context, args)
        custom = getattr(function, "fql_call", None)
        if custom is None:
            raise type_mismatch("Function", function)
        result: Value = custom(self.context, args)
        return result

    def _call_at(self, frame: Span, function: Function, args: list[Value]) -> Value:
        self.context.current_span = frame
        return self.in_frame(frame, self.apply_function, function, args)

    def _call_native(
        self, frame: Span, method: NativeMethod, receiver: Value, args: list[Value]
    ) -> Value:
        self.context.current_span = frame
        return self.in_frame(frame, self.run_native, method, receiver, args)

    def run_native(self, method: NativeMethod, receiver: Value, args: list[Value]) -> Value:
        if method.arity is not None and len(args) not in method.arity:
            raise wrong_argument_count(Arity(method.arity), len(args))
        self._count_call()
        return _invoke(method.impl, self.context, [receiver, *args])

    def _args(self, nodes: list[ast.Expr], scope: Scope | None) -> list[Value]:
        return [self.eval(node, scope) for node in nodes]

    # -- storage hooks ----------------------------------------------------------------------

    def missing_document_error(self, value: Value) -> QueryError | None:
        storage = self.context.storage
        if storage is None or not isinstance(value, StorageValue):
            return None
        return storage.missing_document_error(value)

    def is_missing_document(self, value: Value) -> bool:
        return self.missing_document_error(value) is not None

    def _is_nullish(self, value: Value) -> bool:
        return isinstance(value, Null) or self.is_missing_document(value)

    # -- simple expressions -----------------------------------------------------------------

    def _literal(self, node: ast.Literal, scope: Scope | None) -> Value:
        if node.value is None:
            return Null(None, node.span)
        return node.value

    def _string_template(self, node: ast.StringTemplate, scope: Scope | None) -> Value:
        pieces: list[str] = []
        size = 0
        for part in node.parts:
            text = part if isinstance(part, str) else display(self.eval(part, scope))
            size += utf16_length(text)
            if size > MAX_STRING_SIZE:
                raise too_large(size).at(node.span)
            pieces.append(text)
        return "".join(pieces)

    def _identifier(self, node: ast.Identifier, scope: Scope | None) -> Value:
        name = node.name
        while scope is not None:  # ``environment.lookup``, written out: every variable read
            if scope.name == name:
                return scope.value
            scope = scope.parent
        return self.resolve_global(name, node.span)

    def resolve_global(self, name: str, span: Span | None) -> Value:
        """Bindings, then built-in globals, then the storage hook, else ``unbound_variable``."""
        bindings = self.context.bindings
        if name in bindings:
            return bindings[name]
        value = builtin_global(name)
        if value is not MISSING:
            return value
        storage = self.context.storage
        if storage is not None:
            resolved = storage.resolve_global(name)
            if resolved is not None:
                return resolved
        raise QueryError("unbound_variable", f"Unbound variable `{name}`", span)

    def _array(self, node: ast.ArrayExpr, scope: Scope | None) -> Value:
        return [self.eval(element, scope) for element in node.elements]

    def _object(self, node: ast.ObjectExpr, scope: Scope | None) -> Value:
        return {entry.key: self.eval(entry.value, scope) for entry in node.fields}

    def _tuple(self, node: ast.Tuple, scope: Scope | None) -> Value:
        if len(node.elements) == 1:
            return self.eval(node.elements[0], scope)
        return [self.eval(element, scope) for element in node.elements]

    def _block(self, node: ast.Block, scope: Scope | None) -> Value:
        result: Value = None
        for statement in node.statements:
            if isinstance(statement, ast.Let):
                scope = bind(scope, statement.name, self.eval(statement.value, scope))
            else:
                result = self.eval(statement, scope)
        return result

    def _if(self, node: ast.If, scope: Scope | None) -> Value:
        condition = self.eval(node.cond, scope)
        if condition is True:
            return self.eval(node.then, scope)
        if condition is False:
            if node.else_ is None:
                return Null(None, node.span)
            return self.eval(node.else_, scope)
        raise type_mismatch("Boolean", condition).at(node.cond.span)

    def _at(self, node: ast.At, scope: Scope | None) -> Value:
        ts = self.eval(node.ts, scope)
        if type(ts) is Time:
            if ts.epoch_ns > self.context.snapshot_time.epoch_ns:
                raise QueryError(
                    "invalid_argument",
                    "invalid argument `at_time`: cannot evaluate `at` in the future",
                    node.ts.span,
                )
        elif ts is not TRANSACTION_TIME:
            raise type_mismatch("Time", ts).at(node.ts.span)
        storage = self.context.storage
        # Without storage there is nothing to read in the past: the body runs as is.
        reading = storage.reading_at(ts) if storage is not None else nullcontext()
        with reading:
            return self.eval(node.body, scope)

    def _lambda(self, node: ast.Lambda, scope: Scope | None) -> Value:
        return Lambda(list(node.params), node.variadic, node.body, scope, node.span)

    def _match(self, node: ast.Match, scope: Scope | None) -> Value:
        raise QueryCheckError([CheckDiagnostic("match expr not supported", node.span)])

    # -- operators ----------------------------------------------------------------------------

    def _unary(self, node: ast.Unary, scope: Scope | None) -> Value:
        operand = self.eval(node.operand, scope)
        if not has_unary_operator(node.op, operand):
            raise self._operator_missing(node.op, operand, node.op_span)
        self._count_call()
        return apply_unary(node.op, operand)

    def _operator_missing(self, op: str, receiver: Value, span: Span) -> QueryError:
        err = function_missing(op, type_name(receiver)).at(span)
        if isinstance(receiver, Null):
            err.hints.extend(null_origin_hint(receiver))
        return err

    def _binary(self, node: ast.Binary, scope: Scope | None) -> Value:
        # Walk down the left spine first: `0 + 1 + ... + n` nests n deep on the left, and
        # evaluating it bottom-up in a loop keeps long chains off the Python stack.
        left_node = node.left
        if type(left_node) is not ast.Binary:
            left = _DISPATCH[type(left_node)](self, left_node, scope)
            if type(left) is int and node.op in _INT_ARITHMETIC:
                # ``_apply_operator``'s Int fast path, inlined for the commonest shape
                # (``x * 2``, ``a + b``): one Python call less per operation.
                right_node = node.right
                right = _DISPATCH[type(right_node)](self, right_node, scope)
                if type(right) is not int:
                    return self._finish_operator(node, left, right)
                stats = self.context.stats
                stats.compute_calls += 1
                if stats.compute_calls % DEADLINE_CHECK_INTERVAL == 0:
                    self._periodic_checks()
                result = _INT_ARITHMETIC[node.op](left, right)
                return result if INT64_MIN <= result <= INT64_MAX else float(result)
            return self._apply_operator(node, left, scope)
        spine: list[ast.Binary] = []
        current: ast.Expr = node
        while type(current) is ast.Binary:
            spine.append(current)
            current = current.left
        value = self.eval(current, scope)
        for binary in reversed(spine):
            value = self._apply_operator(binary, value, scope)
        return value

    def _apply_operator(self, node: ast.Binary, left: Value, scope: Scope | None) -> Value:
        op = node.op
        if type(left) is int and op in _INT_ARITHMETIC:
            right_node = node.right
            right = _DISPATCH[type(right_node)](self, right_node, scope)
            if type(right) is int:
                stats = self.context.stats
                stats.compute_calls += 1
                if stats.compute_calls % DEADLINE_CHECK_INTERVAL == 0:
                    self._periodic_checks()
                result = _INT_ARITHMETIC[op](left, right)
                return result if INT64_MIN <= result <= INT64_MAX else float(result)
            return self._finish_operator(node, left, right)
        if op not in _SHORT_CIRCUIT_OPERATORS:
            if not has_binary_operator(op, left):
                raise self._operator_missing(op, left, node.op_span)
            return self._finish_operator(node, left, self.eval(node.right, scope))
        if op == "&&" or op == "||":
            if type(left) is not bool:
                raise type_mismatch("Boolean", left).at(node.left.span)
            if left is (op == "||"):
                return left
            right = self.eval(node.right, scope)
            if type(right) is not bool:
                raise type_mismatch("Boolean", right).at(node.right.span)
            return right
        if op == "??":
            return self.eval(node.right, scope) if self._is_nullish(left) else left
        return self._isa(left, self.eval(node.right, scope), node.right.span)

    def _finish_operator(self, node: ast.Binary, left: Value, right: Value) -> Value:
        """``left op right`` once both are evaluated (``op`` is defined on ``left``)."""
        op = node.op
        self._count_call()
        try:
            return apply_binary(op, left, right, self.is_missing_document)
        except QueryError as err:
            raise err.at(node.right.span) from None

    def _isa(self, value: Value, module: Value, span: Span) -> bool:
        if type(module) is not Module:
            raise QueryError(
                "invalid_argument",
                "invalid argument `type_object`: expected a module object",
                span,
            )
        storage = self.context.storage
        if storage is not None:
            answer = storage.is_member(value, module.name)
            if answer is not None:
                return answer
        core = core_membership(value, module.name)
        if core is not None:
            return core
        return equal(value, module)

    # -- method chains ------------------------------------------------------------------------

    def _chain_value(self, node: ast.Expr, scope: Scope | None) -> Value:
        return self._chain(node, scope)[0]

    def _receiver(self, node: ast.Expr, scope: Scope | None) -> tuple[Value, bool]:
        if isinstance(node, _CHAIN_NODES):
            return self._chain(node, scope)
        return self.eval(node, scope), False

    def _chain(self, node: ast.Expr, scope: Scope | None) -> tuple[Value, bool]:
        """Evaluate one chain element: (value, whether the chain is short-circuited)."""
        if type(node) is ast.NonNull:
            return self._non_null(node, scope)
        if type(node) is ast.FieldAccess:
            return self._field_access(node, scope)
        if type(node) is ast.MethodCall:
            return self._method_call(node, scope)
        if type(node) is ast.Call:
            return self._call(node, scope)
        assert type(node) is ast.Index
        return self._index(node, scope)

    def _non_null(self, node: ast.NonNull, scope: Scope | None) -> tuple[Value, bool]:
        value, skipping = self._receiver(node.expr, scope)
        if isinstance(value, Null):
            raise null_value_error(value, node.report_span)
        missing = self.missing_document_error(value)
        if missing is not None:
            raise missing.at(node.report_span)
        return value, skipping

    def _step_receiver(
        self, receiver: ast.Expr, optional: bool, scope: Scope | None
    ) -> tuple[Value, bool]:
        """The receiver of a ``.``/``?.``/``[]`` step, and whether the step is skipped: the
        chain was already short-circuited, or ``?.`` met null or a missing document (then the
        value is the null the step yields)."""
        value, skipping = self._receiver(receiver, scope)
        if skipping:
            return value, True
        if optional:
            if isinstance(value, Null):
                return value, True
            if self.is_missing_document(value):
                return Null(None, getattr(value, "origin", None)), True
        return value, False

    def _call_value(
        self, callee: Value, node: ast.MethodCall | ast.Call, scope: Scope | None
    ) -> Value:
        """Call a function value or a callable module with ``node``'s arguments; ``MISSING``
        (nothing evaluated) when ``callee`` cannot be called."""
        if isinstance(callee, Function):
            args = self._args(node.args, scope)
            return self._call_at(node.args_span, callee, args)
        apply = callable_module(callee, self.module_tables)
        if apply is None:
            return MISSING
        args = self._args(node.args, scope)
        return self._call_native(node.args_span, apply, callee, args)

    def read_field(
        self, value: Value, name: str, name_span: Span, receiver_span: Span | None = None
    ) -> Value:
        """``value.name`` (``value`` not null): a missing member is a null that remembers it.

        Reading a field of a document that does not exist fails at ``receiver_span`` (the
        expression that produced the document), where FaunaDB reports it, when one is given.
        """
        try:
            member = read_member(value, name, self.module_tables)
        except QueryError as err:
            if receiver_span is not None and self.is_missing_document(value):
                raise err.at(receiver_span) from None
            raise err.at(name_span) from None
        return missing_field(name, name_span) if member is MISSING else member

    def _field_access(self, node: ast.FieldAccess, scope: Scope | None) -> tuple[Value, bool]:
        value, skipped = self._step_receiver(node.receiver, node.optional, scope)
        if skipped:
            return value, True
        if isinstance(value, Null):
            raise invalid_null_access(node.name, value, node.name_span)
        field = self.read_field(value, node.name, node.name_span, node.receiver.span)
        return field, False

    def _method_call(self, node: ast.MethodCall, scope: Scope | None) -> tuple[Value, bool]:
        value, skipped = self._step_receiver(node.receiver, node.optional, scope)
        if skipped:
            return value, True
        method = find_method(value, node.name, self.module_tables)
        if method is None and isinstance(value, Null):
            raise invalid_null_access(node.name, value, node.name_span)
        if method is not None:
            args = self._args(node.args, scope)
            return self._call_native(node.args_span, method, value, args), False
        try:
            member = read_member(value, node.name, self.module_tables)
        except QueryError as err:
            raise err.at(node.name_span) from None
        if member is MISSING:
            if node.apply_optional:
                return missing_field(node.name, node.name_span), True
            raise function_missing(node.name, type_name(value)).at(node.name_span)
        if isinstance(member, Null) and node.apply_optional:
            return member, True
        result = self._call_value(member, node, scope)
        if result is MISSING:
            raise QueryError(
                "invalid_function_invocation",
                f"`{node.name}`: Expected a function, found `{type_name(member)}`",
                node.name_span,
            )
        return result, False

    def _call(self, node: ast.Call, scope: Scope | None) -> tuple[Value, bool]:
        callee, skipping = self._receiver(node.callee, scope)
        if skipping:
            return callee, True
        if node.optional and isinstance(callee, Null):
            return callee, True
        result = self._call_value(callee, node, scope)
        if result is MISSING:
            raise type_mismatch("Function", callee).at(node.args_span)
        return result, False

    def _index(self, node: ast.Index, scope: Scope | None) -> tuple[Value, bool]:
        value, skipped = self._step_receiver(node.receiver, node.optional, scope)
        if skipped:
            return value, True
        if isinstance(value, Null):
            raise invalid_null_access("[]", value, node.bracket_span)
        access = access_method(value)
        if access is None:
            raise function_missing("[]", type_name(value)).at(node.bracket_span)
        args = self._args(node.args, scope)
        try:
            return self._call_native(node.bracket_span, access, value, args), False
        except QueryError as err:
            # As for `.field`: reading a missing document fails where it was produced.
            if err.span == node.bracket_span and not err.trace and self.is_missing_document(value):
                err.span = node.receiver.span
            raise

    # -- projection ---------------------------------------------------------------------------

    def _projection(self, node: ast.Projection, scope: Scope | None) -> Value:
        value = self.eval(node.receiver, scope)
        return self.in_frame(node.span, project, self, value, node.body, scope)


_DISPATCH: dict[type, Callable[[Interpreter, Any, Scope | None], Value]] = {
    ast.Literal: Interpreter._literal,
    ast.StringTemplate: Interpreter._string_template,
    ast.Identifier: Interpreter._identifier,
    ast.ArrayExpr: Interpreter._array,
    ast.ObjectExpr: Interpreter._object,
    ast.Tuple: Interpreter._tuple,
    ast.Block: Interpreter._block,
    ast.If: Interpreter._if,
    ast.At: Interpreter._at,
    ast.Lambda: Interpreter._lambda,
    ast.Unary: Interpreter._unary,
    ast.Binary: Interpreter._binary,
    ast.Projection: Interpreter._projection,
    ast.Match: Interpreter._match,
    ast.FieldAccess: Interpreter._chain_value,
    ast.MethodCall: Interpreter._chain_value,
    ast.Call: Interpreter._chain_value,
    ast.Index: Interpreter._chain_value,
    ast.NonNull: Interpreter._chain_value,
}
"""Node type → its evaluator, built once (not per query): ``Interpreter.eval`` dispatches
through it."""

_SHORT_CIRCUIT_OPERATORS = frozenset({"&&", "||", "??", "isa"})
"""Infix operators whose right operand is evaluated (or not) by the operator itself."""

_INT_ARITHMETIC: dict[str, Callable[[int, int], int]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
}
"""Operators with a fast path for two ``int`` (Int, not Long) operands: the same result as
``apply_binary``'s (``values.normalize_int`` of the exact integer), without its dispatch."""


def _invoke(impl: Callable[..., Value], context: QueryContext, args: list[Value]) -> Value:
    """Call a native implementation; fixed small arities avoid ``*args`` so that deep FQL
    recursion through natives does not also grow the C stack."""
    count = len(args)
    if count == 0:
        return impl(context)
    if count == 1:
        return impl(context, args[0])
    if count == 2:
        return impl(context, args[0], args[1])
    if count == 3:
        return impl(context, args[0], args[1], args[2])
    return impl(context, *args)
