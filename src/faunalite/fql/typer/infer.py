"""Type inference over the FQL syntax tree: the type a query's result has, and the type errors
FaunaDB is known to report, found before the query runs.

The checker walks ``faunalite.fql.ast`` only (never values or storage, except the request's
argument values, typed by ``type_of_value``). Each expression gets a type from
``faunalite.fql.typer.types``, a ``Closure`` (a lambda, typed again at each call with its
arguments' types, which is what FaunaDB's let-polymorphism gives a lambda that is called), or
**unknown**.

Soundness toward users comes first: faunalite must never reject a query FaunaDB accepts.
Whatever the checker cannot type exactly as FaunaDB does (a method without a signature, a
global, a collection, a lambda's own type, a Double literal, ...) is unknown: it absorbs every
constraint, never causes an error, and makes the whole query's ``static_type`` unknown, so the
response leaves ``static_type`` out rather than print a type FaunaDB would not print. Errors
are only reported in the forms FaunaDB's typer specs show
(``ext/fql/shared/src/test/scala/typer/TyperCoreSpec.scala``), on receivers whose type is
plain from the source: ``{}.foo``, ``{ a: 1 }['b']``, ``1.foo``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeAlias

from faunalite.fql import ast
from faunalite.fql.errors import CheckDiagnostic
from faunalite.fql.members import MISSING, builtin_global
from faunalite.fql.span import Span
from faunalite.fql.stdlib.registry import TypeTable
from faunalite.fql.typer import signatures
from faunalite.fql.typer import types as t
from faunalite.fql.typer.subtyping import (
    is_boolean_like,
    is_number_like,
    is_string_like,
    is_subtype,
    match_pattern,
)
from faunalite.fql.values import INT32_MAX, INT32_MIN, Null, Value
from faunalite.schema import fsl_ast as f

MAX_CALL_DEPTH = 32
"""How many closure calls deep the checker follows before it gives up (unknown)."""

MAX_STEPS = 50_000
"""How many expressions the checker types for one query before it gives up (unknown): a
lambda is typed again at each call, so nested calls could otherwise cost exponential time."""


MAX_TYPE_SIZE = 20_000
"""The largest type (in parts written out, ``types.size_of``) an expression may have before
the checker gives it up as unknown: a few nested lets can build exponentially large types,
and merging or printing them would cost as much."""


class _OutOfSteps(Exception):
    """The check ran past ``MAX_STEPS``."""


@dataclass(frozen=True, slots=True, eq=False)
class Closure:
    """A lambda and the variables it sees: typed again at each call."""

    node: ast.Lambda
    env: Mapping[str, Inferred]


@dataclass(frozen=True, slots=True, eq=False)
class ModuleRef:
    """A global module used as a receiver (``Math`` in ``Math.abs(1)``, ``User`` in
    ``User.all()``); ``bindings`` give a user collection's ``Doc``/``NullDoc`` parameters."""

    table: TypeTable
    bindings: Mapping[str, t.Type] | None = None


CollectionTables: TypeAlias = "Callable[[str], TypeTable | None]"
"""The database's user collections as the checker sees them: a global name to its table."""


def collection_type(name: str) -> t.Type:
    """FaunaDB's type of a user collection ``name`` itself: ``UserCollection``
    (``ext/fql/shared/src/main/scala/env/CollectionTypeInfo.scala`` ``collName``)."""
    return t.Primitive(f"{name}Collection")


def document_bindings(name: str) -> dict[str, t.Type]:
    """A user collection's document types: ``User`` and ``NullUser`` (``CollectionTypeInfo``
    ``docType`` and ``nullDocType``), for the ``Doc``/``NullDoc`` of its table's signatures."""
    return {"Doc": t.Primitive(name), "NullDoc": t.Primitive(f"Null{name}")}


Inferred: TypeAlias = "t.Type | Closure | None"
"""What an expression infers to: a type, a lambda, or ``None`` for unknown."""


@dataclass(slots=True)
class Inference:
    """The outcome of checking one query: its result type (``None`` when unknown) and errors."""

    result: t.Type | None
    errors: list[CheckDiagnostic] = field(default_factory=list)
    free_names: tuple[tuple[str, Span], ...] = ()
    """Identifiers read that are neither variables nor built-in globals, where they are read:
    the database's collections, UDFs and aliases, or else unbound (``unbound_errors``)."""

    def unbound_errors(self, is_schema_name: Callable[[str], bool]) -> list[CheckDiagnostic]:
        """FaunaDB's ``Unbound variable `x``` for each free identifier the schema lacks
        (``ext/fql/shared/src/main/scala/error/package.scala`` ``TypeError.UnboundVariable``,
        reported by ``typer/TyperExprs.scala`` at the identifier's span)."""
        return [
            CheckDiagnostic(f"Unbound variable `{name}`", span)
            for name, span in self.free_names
            if not is_schema_name(name)
        ]


def infer_query(
    tree: ast.QueryTree,
    bindings: Mapping[str, t.Type | None],
    collections: CollectionTables | None = None,
) -> Inference:
    """Check ``tree`` with ``bindings`` (argument and template-value types) in scope, and
    the database's user ``collections`` (none when not given)."""
    checker = _Checker(collections)
    try:
        result = checker.expr(tree.body, dict(bindings))
    except (RecursionError, _OutOfSteps):
        return Inference(None, checker.errors, checker.free_names())
    if not checker.complete or not isinstance(result, _TYPE_CLASSES) or not t.renderable(result):
        return Inference(None, checker.errors, checker.free_names())
    return Inference(result, checker.errors, checker.free_names())


def type_of_value(value: Value) -> t.Type | None:
    """The type FaunaDB gives a value bound from the request: its singleton, or its shape."""
    if value is None or isinstance(value, Null):
        return t.NULL
    kind = type(value)
    if kind is bool or kind is str:
        return t.Singleton(value)  # type: ignore[arg-type]
    if kind is int:
        assert isinstance(value, int)
        return t.Singleton(value) if INT32_MIN <= value <= INT32_MAX else None
    if kind is list:
        assert isinstance(value, list)
        elements = [type_of_value(element) for element in value]
        if any(element is None for element in elements):
            return None
        return t.TupleType(tuple(element for element in elements if element is not None))
    if kind is dict:
        assert isinstance(value, dict)
        fields: list[tuple[str, t.Type]] = []
        for key, item in value.items():
            item_type = type_of_value(item)
            if item_type is None:
                return None
            fields.append((key, item_type))
        return t.Record(tuple(fields))
    return None


_TYPE_CLASSES = (t.Primitive, t.Singleton, t.TupleType, t.Applied, t.Record, t.Union)

_ARITHMETIC = frozenset({"+", "-", "*", "/", "%", "**", "&", "|", "^"})
"""Number operators: FaunaDB's environment declares each on Int, Long, Double and Number as
``(other: Number) => Number`` (``static_environment_response_v1.json``), so their result is
``Number`` (its typer specs' own test environment, with Int operators, answers ``Int``)."""
_CHECKED_OPERATORS = frozenset({"+", "*", "/", "%"})
"""Number operators with one signature, ``(other: Number) => Number``, whose mismatch message
is known (``-`` is overloaded with its unary form)."""

_COMPARISONS = frozenset({"==", "!=", "<", ">", "<=", ">="})


class _Checker:
    """One walk over one query tree (see the module docstring)."""

    def __init__(self, collections: CollectionTables | None = None) -> None:
        self.collections = collections
        self.errors: list[CheckDiagnostic] = []
        self.complete = True
        self.call_depth = 0
        self.steps = 0
        self.free: dict[tuple[str, int, int], Span] = {}
        """Free identifiers read, once per place (a lambda's body is walked at each call)."""

    def free_names(self) -> tuple[tuple[str, Span], ...]:
        return tuple((key[0], span) for key, span in self.free.items())

    def unknown(self) -> None:
        self.complete = False

    def collection_table(self, name: str) -> TypeTable | None:
        """The table of the user collection a global ``name`` denotes, if it is one."""
        return None if self.collections is None else self.collections(name)

    def type_of(self, node: ast.Expr, env: dict[str, Inferred]) -> t.Type | None:
        """``node``'s type when it is a plain type (not a lambda), else unknown."""
        inferred = self.expr(node, env)
        if isinstance(inferred, Closure):
            self.unknown()
            return None
        return inferred

    def expr(self, node: ast.Expr, env: dict[str, Inferred]) -> Inferred:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise _OutOfSteps
        inferred = self.expr_unbounded(node, env)
        if isinstance(inferred, _TYPE_CLASSES) and t.size_of(inferred) > MAX_TYPE_SIZE:
            self.unknown()
            return None
        return inferred

    def expr_unbounded(self, node: ast.Expr, env: dict[str, Inferred]) -> Inferred:
        if isinstance(node, ast.Literal):
            return self.literal(node)
        if isinstance(node, ast.StringTemplate):
            for part in node.parts:
                if not isinstance(part, str):
                    self.expr(part, env)
            return t.STRING
        if isinstance(node, ast.Identifier):
            if node.name in env:
                found = env[node.name]
                if found is None:
                    self.unknown()
                return found
            if builtin_global(node.name) is MISSING:
                if self.collection_table(node.name) is not None:
                    return collection_type(node.name)
                self.free.setdefault((node.name, node.span.start, node.span.end), node.span)
            self.unknown()
            return None
        if isinstance(node, ast.ArrayExpr):
            return self.sequence(node.elements, env)
        if isinstance(node, ast.Tuple):
            if len(node.elements) == 1:
                return self.expr(node.elements[0], env)
            return self.sequence(node.elements, env)
        if isinstance(node, ast.ObjectExpr):
            fields: list[tuple[str, t.Type]] = []
            complete = True
            for entry in node.fields:
                value = self.type_of(entry.value, env)
                if value is None:
                    complete = False
                else:
                    fields.append((entry.key, value))
            return t.Record(tuple(fields)) if complete else None
        if isinstance(node, ast.Block):
            return self.block(node, env)
        if isinstance(node, ast.If):
            return self.if_(node, env)
        if isinstance(node, ast.Lambda):
            return Closure(node, env)
        if isinstance(node, ast.Call):
            return self.call(node, env)
        if isinstance(node, ast.FieldAccess):
            return self.field_access(node, env)
        if isinstance(node, ast.MethodCall):
            return self.method_call(node, env)
        if isinstance(node, ast.Index):
            return self.index(node, env)
        if isinstance(node, ast.NonNull):
            inner = self.type_of(node.expr, env)
            if inner is None or inner == t.NULL:
                self.unknown()
                return None
            return t.without_null(inner)
        if isinstance(node, ast.Unary):
            return self.unary(node, env)
        if isinstance(node, ast.Binary):
            return self.binary(node, env)
        if isinstance(node, ast.Projection):
            return self.projection(node, env)
        # `at` (reads a snapshot: Time-typed) and `match` are not modelled.
        self.unknown()
        return None

    def literal(self, node: ast.Literal) -> Inferred:
        value = node.value
        if value is None:
            return t.NULL
        if isinstance(value, float):
            self.unknown()  # FaunaDB's rendering of Double literal types is not verified
            return None
        return t.Singleton(value)

    def sequence(self, elements: list[ast.Expr], env: dict[str, Inferred]) -> Inferred:
        types = [self.type_of(element, env) for element in elements]
        if any(element is None for element in types):
            return None
        return t.TupleType(tuple(element for element in types if element is not None))

    def block(self, node: ast.Block, env: dict[str, Inferred]) -> Inferred:
        scope = dict(env)
        result: Inferred = t.NULL
        for statement in node.statements:
            if isinstance(statement, ast.Let):
                value = self.expr(statement.value, scope)
                if _is_annotated(statement):
                    # FaunaDB types the variable as its annotation, which the tree drops.
                    self.unknown()
                    value = None
                scope[statement.name] = value
                result = t.NULL
            else:
                result = self.expr(statement, scope)
        return result

    def if_(self, node: ast.If, env: dict[str, Inferred]) -> Inferred:
        condition = self.type_of(node.cond, env)
        if condition is not None and not is_boolean_like(condition):
            self.unknown()
        then = self.type_of(node.then, env)
        otherwise = t.NULL if node.else_ is None else self.type_of(node.else_, env)
        if then is None or otherwise is None:
            return None
        return t.union(then, otherwise)

    def call(self, node: ast.Call, env: dict[str, Inferred]) -> Inferred:
        args = [self.expr(arg, env) for arg in node.args]
        callee_node = node.callee
        if (
            isinstance(callee_node, ast.Identifier)
            and callee_node.name not in env
            and signatures.is_global_function(callee_node.name)
            and not node.optional
        ):
            expected = signatures.global_function_arity(callee_node.name)
            if expected is not None and expected != len(args):
                self.wrong_arity(expected, len(args), node.args_span)
                self.unknown()
                return None
            member = signatures.global_function_overload(callee_node.name, len(args))
            if member is None:
                self.unknown()
                return None
            return self.checked_call(member, args)
        if (
            isinstance(callee_node, ast.Identifier)
            and callee_node.name not in env
            and not node.optional
        ):
            table = signatures.module_table(callee_node.name)
            if table is not None:
                expected = signatures.module_apply_arity(table)
                if expected is not None and expected != len(args):
                    self.wrong_arity(expected, len(args), node.args_span)
                    self.unknown()
                    return None
                applied = signatures.module_apply_overload(table, len(args))
                if applied is None:
                    self.unknown()
                    return None
                return self.checked_call(applied, args)
        callee = self.expr(callee_node, env)
        if not isinstance(callee, Closure) or node.optional:
            self.unknown()
            return None
        return self.apply(callee, args)

    def apply(self, closure: Closure, args: list[Inferred]) -> Inferred:
        lam = closure.node
        if lam.variadic is not None or len(lam.params) != len(args):
            self.unknown()
            return None
        if any(isinstance(arg, Closure) for arg in args):
            # A lambda bound to a parameter is monomorphic in FaunaDB (only `let` generalises):
            # typing it again at each of its calls would give more precise types than FaunaDB's.
            self.unknown()
            return None
        if self.call_depth >= MAX_CALL_DEPTH:
            self.unknown()
            return None
        scope = dict(closure.env)
        for name, arg in zip(lam.params, args, strict=True):
            if name is not None:
                scope[name] = arg
        self.call_depth += 1
        try:
            return self.expr(lam.body, scope)
        finally:
            self.call_depth -= 1

    def receiver(
        self, node: ast.Expr, optional: bool, env: dict[str, Inferred]
    ) -> t.Type | ModuleRef | None:
        """The receiver's type for a member access (a global module is a ``ModuleRef``).

        A receiver that may be null is unknown when the access is ``?.`` or follows a ``?.``
        in the chain (FaunaDB short-circuits the chain; not modelled here)."""
        if isinstance(node, ast.Identifier) and node.name not in env:
            table = signatures.module_table(node.name)
            if table is not None:
                return ModuleRef(table)
            if builtin_global(node.name) is MISSING:
                table = self.collection_table(node.name)
                if table is not None:
                    return ModuleRef(table, document_bindings(node.name))
        receiver = self.type_of(node, env)
        if receiver is None:
            return None
        if t.NULL in t.members(receiver) and (optional or _in_optional_chain(node)):
            self.unknown()
            return None
        return receiver

    def field_access(self, node: ast.FieldAccess, env: dict[str, Inferred]) -> Inferred:
        if node.optional and not _in_optional_chain(node.receiver):
            # `x?.f` on a last link: the field of what is not null, or null.
            maybe_null = self.type_of(node.receiver, env)
            if maybe_null is None or t.NULL not in t.members(maybe_null):
                receiver: t.Type | ModuleRef | None = maybe_null
            else:
                rest = t.without_null(maybe_null)
                if rest == t.NEVER:
                    return t.NULL
                found = self.field_of(node, rest)
                return t.union(found, t.NULL) if isinstance(found, _TYPE_CLASSES) else None
        else:
            receiver = self.receiver(node.receiver, node.optional, env)
        if receiver is None:
            return None
        return self.field_of(node, receiver)

    def field_of(self, node: ast.FieldAccess, receiver: t.Type | ModuleRef) -> Inferred:
        if isinstance(receiver, t.Record):
            found = receiver.field(node.name)
            if found is not None:
                return found
            if receiver.wildcard is not None:
                return t.ANY if receiver.wildcard == t.ANY else t.union(receiver.wildcard, t.NULL)
            if _is_plain_source(node.receiver):
                self.no_field(receiver, node.name, node.name_span)
            self.unknown()
            return None
        member = self.member(node.receiver, receiver, node.name, node.name_span, None)
        return None if member is None else self.field_result(member)

    def method_call(self, node: ast.MethodCall, env: dict[str, Inferred]) -> Inferred:
        receiver = self.receiver(node.receiver, node.optional, env)
        args = [self.expr(arg, env) for arg in node.args]
        if receiver is None or node.apply_optional:
            self.unknown()
            return None
        if isinstance(receiver, t.Record):
            if (
                receiver.field(node.name) is None
                and receiver.wildcard is None
                and _is_plain_source(node.receiver)
            ):
                # Objects have no methods: a missing field is all FaunaDB can find.
                self.no_field(receiver, node.name, node.name_span)
            self.unknown()
            return None
        table = self.table_of(receiver)
        if table is not None and signatures.member_exists(table, node.name):
            expected = signatures.method_arity(table, node.name)
            if expected is not None and expected != len(args):
                self.wrong_arity(expected, len(args), node.args_span)
                self.unknown()
                return None
        member = self.member(node.receiver, receiver, node.name, node.name_span, len(args))
        if member is None:
            return None
        if isinstance(node.receiver, ast.Literal) and member.params is not None:
            self.literal_argument_mismatches(member, node.args)
        if isinstance(receiver, ModuleRef) and receiver.bindings is not None:
            return self.collection_call(member)
        return self.checked_call(member, args)

    def collection_call(self, overload: signatures.Overload) -> Inferred:
        """The result of a user collection's method (``create``, ``byId``, ``all``...): its
        signature's result under the collection's document types. It depends on no argument
        type, so whenever FaunaDB accepts the call this is its type (TyperCoreSpec "typecheck
        documents": ``User.create({ name: 'Bob' })`` is ``User``); the arguments are not
        matched here (a mismatch is FaunaDB's to report, its form unverified)."""
        free = overload.variables - set(overload.bindings)
        if overload.params is None or _mentions(overload.result, free):
            self.unknown()
            return None
        return self.field_result(overload)

    def literal_argument_mismatches(
        self, member: signatures.Overload, arg_nodes: list[ast.Expr]
    ) -> None:
        """Report a literal argument whose type is not a plain parameter type
        (TyperCoreSpec: `'foo'.concat(2)` is "Type `Int` is not a subtype of `String`")."""
        for arg_node, param in zip(arg_nodes, member.params or (), strict=True):
            expected = signatures.convert(param, member.variables, member.bindings)
            if not isinstance(arg_node, ast.Literal) or not isinstance(expected, t.Primitive):
                continue
            actual = _plain_literal_type(arg_node)
            if actual is not None and not is_subtype(actual, expected):
                self.not_a_subtype(t.widen(actual), expected, arg_node.span)

    def wrong_arity(self, expected: int, provided: int, args_span: Span) -> None:
        """FaunaDB's arity error at the call's parentheses (``TypeConstraintFailure.scala``
        ``InvalidArity``; TyperCoreSpec "report user-friendly arity mismatch errors")."""
        if provided > expected:
            message = f"Function was called with too many arguments. Expected {expected}, "
        else:
            message = f"Function was not called with enough arguments. Expected {expected}, "
        self.errors.append(CheckDiagnostic(f"{message}received {provided}", args_span))

    @staticmethod
    def table_of(receiver: t.Type | ModuleRef) -> TypeTable | None:
        """The stdlib table of a receiver's members: a module's own, or its type's."""
        if isinstance(receiver, ModuleRef):
            return receiver.table
        return signatures.receiver_table(receiver)

    def not_a_subtype(self, actual: t.Type, expected: t.Type, span: Span) -> None:
        self.errors.append(
            CheckDiagnostic(
                f"Type `{t.render(actual)}` is not a subtype of `{t.render(expected)}`", span
            )
        )

    def member(
        self,
        receiver_node: ast.Expr,
        receiver: t.Type | ModuleRef,
        name: str,
        name_span: Span,
        arg_count: int | None,
    ) -> signatures.Overload | None:
        """The signature of a stdlib member access (``arg_count`` ``None`` for a field)."""
        table = self.table_of(receiver)
        if table is None:
            self.unknown()
            return None
        if not signatures.member_exists(table, name):
            if isinstance(receiver_node, ast.Literal) and not isinstance(receiver, ModuleRef):
                self.no_field(t.widen(receiver), name, name_span)
            elif (
                isinstance(receiver_node, ast.ArrayExpr)
                and isinstance(receiver, t.TupleType)
                and receiver.elements
            ):
                # TyperCoreSpec: `[1, 2].foo()` is "Type `Array<1 | 2>` does not have field".
                element = t.union(*receiver.elements)
                self.no_field(t.Applied("Array", (element,)), name, name_span)
            self.unknown()
            return None
        if isinstance(receiver, ModuleRef):
            overload = signatures.member_overload(table, None, name, arg_count, receiver.bindings)
        else:
            overload = signatures.member_overload(table, receiver, name, arg_count)
        if overload is None:
            self.unknown()
        return overload

    def field_result(self, overload: signatures.Overload) -> Inferred:
        result = signatures.convert(overload.result, overload.variables, overload.bindings)
        if result is None:
            self.unknown()
        return result

    def checked_call(self, overload: signatures.Overload, args: list[Inferred]) -> Inferred:
        """The result of calling ``overload`` with ``args``, when every argument is shown to
        fit its parameter (binding the signature's type variables on the way); otherwise
        unknown: a mismatch is not reported, its form being unverified.

        A type variable is bound once, from the first place it is matched: a lambda's result
        or a plain argument. Later occurrences must then already fit, so the answer never
        claims less than FaunaDB's union of all of them would."""
        params = overload.params or ()
        if len(params) != len(args):
            self.unknown()
            return None
        bindings = dict(overload.bindings)
        variables = overload.variables
        for arg, param in zip(args, params, strict=True):
            if isinstance(param, f.FunctionType):
                produced = self.callback_result(arg, param, variables, bindings)
                if produced is None or not match_pattern(
                    param.result, produced, variables, bindings
                ):
                    self.unknown()
                    return None
            elif not isinstance(arg, _TYPE_CLASSES) or not match_pattern(
                param, arg, variables, bindings
            ):
                self.unknown()
                return None
        result = signatures.convert(overload.result, variables, bindings)
        if result is None:
            self.unknown()
        return result

    def callback_result(
        self,
        arg: Inferred,
        param: f.FunctionType,
        variables: frozenset[str],
        bindings: dict[str, t.Type],
    ) -> t.Type | None:
        """What a lambda passed for a function parameter returns, given the parameter types."""
        if not isinstance(arg, Closure) or param.variadic is not None:
            return None
        inputs = [signatures.convert(p, variables, bindings) for _, p in param.params]
        if any(input_type is None for input_type in inputs):
            return None
        produced = self.apply(arg, list(inputs))
        return produced if isinstance(produced, _TYPE_CLASSES) else None

    def index(self, node: ast.Index, env: dict[str, Inferred]) -> Inferred:
        receiver = self.receiver(node.receiver, node.optional, env)
        args = [self.type_of(arg, env) for arg in node.args]
        if receiver is None or len(args) != 1 or args[0] is None:
            self.unknown()
            return None
        key = args[0]
        if isinstance(receiver, t.TupleType) and isinstance(key, t.Singleton):
            position = key.value
            if type(position) is int and 0 <= position < len(receiver.elements):
                return receiver.elements[position]
        if isinstance(receiver, t.Record) and isinstance(key, t.Singleton):
            name = key.value
            if isinstance(name, str):
                found = receiver.field(name)
                if found is not None:
                    return found
                if receiver.wildcard is None and _is_plain_source(node.receiver):
                    self.no_field(receiver, name, node.args[0].span)
        self.unknown()
        return None

    def unary(self, node: ast.Unary, env: dict[str, Inferred]) -> Inferred:
        operand = self.type_of(node.operand, env)
        if operand is None:
            return None
        if node.op in ("-", "~") and is_number_like(operand):
            return t.NUMBER
        if node.op == "!" and is_boolean_like(operand):
            return t.BOOLEAN
        self.unknown()
        return None

    def binary(self, node: ast.Binary, env: dict[str, Inferred]) -> Inferred:
        op = node.op
        if op == "isa":
            left = self.type_of(node.left, env)
            if not isinstance(node.right, ast.Identifier):
                self.expr(node.right, env)
                self.unknown()
            return None if left is None else t.BOOLEAN
        left = self.type_of(node.left, env)
        right = self.type_of(node.right, env)
        if left is None or right is None:
            return None
        if op in _COMPARISONS:
            return t.BOOLEAN
        if op == "??":
            return t.union(right, t.without_null(left))
        if op in ("&&", "||") and is_boolean_like(left) and is_boolean_like(right):
            return t.BOOLEAN
        if op in _ARITHMETIC and is_number_like(left) and is_number_like(right):
            return t.NUMBER
        if op == "+" and is_string_like(left) and is_string_like(right):
            return t.STRING
        if op in _CHECKED_OPERATORS and isinstance(node.left, ast.Literal) and is_number_like(left):
            # FQL2BasicSpec: `2 + "a"` is "Type `String` is not a subtype of `Number`" at "a".
            actual = (
                _plain_literal_type(node.right) if isinstance(node.right, ast.Literal) else None
            )
            if actual is not None and not is_number_like(actual):
                self.not_a_subtype(t.widen(actual), t.NUMBER, node.right.span)
        self.unknown()
        return None

    def projection(self, node: ast.Projection, env: dict[str, Inferred]) -> Inferred:
        receiver = self.type_of(node.receiver, env)
        if receiver is None:
            return None
        return self.project(receiver, node.body, env)

    def project(
        self, receiver: t.Type, body: ast.ProjectionBody, env: dict[str, Inferred]
    ) -> Inferred:
        if receiver == t.NULL:
            return t.NULL
        if isinstance(receiver, t.TupleType) and receiver.elements:
            # Projecting an array projects each element: `Array<{ ... }>`.
            projected = self.project(t.union(*receiver.elements), body, env)
            if not isinstance(projected, t.Record):
                self.unknown()
                return None
            return t.Applied("Array", (projected,))
        if not isinstance(receiver, t.Record) or body.star:
            self.unknown()
            return None
        fields: list[tuple[str, t.Type]] = []
        for item in body.items:
            if isinstance(item, ast.ProjectAlias):
                value = self.type_of(item.value, {**env, ast.IMPLICIT_PARAM: receiver})
                if value is None:
                    return None
                fields.append((item.name, value))
                continue
            found = receiver.field(item.name)
            if found is None:
                self.unknown()
                return None
            if item.sub is not None:
                projected = self.project(found, item.sub, env)
                if not isinstance(projected, (t.Primitive, t.Record)):
                    self.unknown()
                    return None
                found = projected
            fields.append((item.name, found))
        return t.Record(tuple(fields))

    def no_field(self, receiver: t.Type, name: str, span: Span) -> None:
        if t.renderable(receiver):
            self.errors.append(
                CheckDiagnostic(f"Type `{t.render(receiver)}` does not have field `{name}`", span)
            )


def _mentions(expr: f.TypeExpr, names: frozenset[str] | set[str]) -> bool:
    """Whether a signature's type expression names any of ``names`` (type variables)."""
    if isinstance(expr, f.NamedType):
        return expr.name in names
    if isinstance(expr, f.AppliedType):
        return any(_mentions(arg, names) for arg in expr.args)
    if isinstance(expr, f.NullableType):
        return _mentions(expr.base, names)
    if isinstance(expr, f.UnionType):
        return any(_mentions(member, names) for member in expr.members)
    if isinstance(expr, f.TupleType):
        return any(_mentions(element, names) for element in expr.elements)
    # A literal names no variable; anything else (objects, functions) counts as naming one.
    return not isinstance(expr, f.LiteralType)


def _plain_literal_type(node: ast.Literal) -> t.Type | None:
    """A literal's type when it is a string, boolean, null or an Int (a Long or Double literal
    is not modelled)."""
    value = node.value
    if value is None:
        return t.NULL
    if isinstance(value, (bool, str)) or (type(value) is int and INT32_MIN <= value <= INT32_MAX):
        return t.Singleton(value)
    return None


def _is_annotated(statement: ast.Let) -> bool:
    """Whether ``let name: Type = value`` has a type annotation (a ``:`` between the name and
    the value: the parser checks the annotation but keeps no node for it)."""
    text = statement.name_span.source.text
    return ":" in text[statement.name_span.end : statement.value.span.start]


def _is_plain_source(node: ast.Expr) -> bool:
    """A receiver whose type FaunaDB reports without an "inferred here" hint: a literal."""
    return isinstance(node, (ast.Literal, ast.ObjectExpr, ast.ArrayExpr))


def _in_optional_chain(node: ast.Expr) -> bool:
    while isinstance(node, (ast.FieldAccess, ast.MethodCall, ast.Index, ast.Call, ast.NonNull)):
        if isinstance(node, ast.NonNull):
            return False
        if node.optional:
            return True
        node = node.callee if isinstance(node, ast.Call) else node.receiver
    return False
