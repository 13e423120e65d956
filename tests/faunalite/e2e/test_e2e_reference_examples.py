"""Every concrete example of the reference notes, run through the driver against a real server.

``fql-language.md`` states expected results for many queries (§1.6 parse errors, §2 values,
equality, ordering and display, §3 stdlib messages, §5.2 error messages, §5.4 verbatim summaries,
§7 gotchas). Each row of ``EXAMPLES`` is one of them: the query and either the expected value or
an ``Err`` (code, message and optionally the whole summary or its first line).

All rows share one database of their own (a child of the root, created once for this module) with
a collection ``RefEx`` holding the document ``1``, so they cannot disturb other tests.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import pytest

from fauna import fql
from fauna.client import Client
from fauna.errors import ServiceError
from fauna.query.models import Document, NullDocument, Page
from faunalite.testing import BackgroundServer
from fql_reference_summaries import ABORT_THROUGH_TWO_UDFS, DIVIDE_BY_ZERO, NULL_WITH_HINT_AND_TRACE

_databases = itertools.count()


@dataclass(frozen=True)
class Err:
    """An expected error. ``summary`` is compared whole; ``first_line`` only to its first line."""

    code: str
    message: str | None = None
    summary: str | None = None
    first_line: str | None = None


def parse_error(message: str) -> Err:
    """A §1.6 parse error: one failed check, the detail only in the summary."""
    return Err(
        "invalid_query", "The query failed 1 validation check", first_line=f"error: {message}"
    )


NAN = float("nan")

EXAMPLES: list[tuple[str, Any]] = [
    # §1.6 parse errors
    ("", parse_error("Unexpected end of query. Expected statement or expression")),
    ("2 3", parse_error("Expected end-of-input")),
    ("{", parse_error("Unexpected end of block. Expected statement or expression")),
    ("{ a: }", parse_error("Expected expression")),
    ("{ a: [3 }", parse_error("Expected `,` or `]`")),
    ("if true", parse_error("Expected `(`")),
    ("let a", parse_error("Expected `:` or `=`")),
    ("foo(a", parse_error("Expected `)` or `,`")),
    ("foo { 3 }", parse_error("Expected `*` or identifier")),
    ("'\\3'", parse_error("Expected escape code")),
    ("3.", parse_error("Expected digit or identifier")),
    ("let join = 1\njoin", parse_error("Invalid identifier")),
    ("let x = 1", parse_error("Missing return expression")),
    ("{ a: 1, a: 2 }", parse_error("Duplicate key")),
    ("(a, a) => 1", parse_error("Duplicate lambda argument")),
    (".foo", parse_error("Invalid anonymous field access")),
    ('{ "#{1}": 1 }', parse_error("Object keys do not support interpolation")),
    # §1.1 lexical forms
    ("1_000", 1000),
    ("0x1F", 31),
    ("0o17", 15),
    ("0b101", 5),
    ("+1e3", 1000.0),
    ("- 1", -1),
    ("-1.toString()", "-1"),
    ("1.toString()", "1"),
    ("2.0.toString()", "2"),
    ("/* a /* b */ c */ 1", 1),
    ("let foo' = 1\nfoo'", 1),
    ("{ 'if': 1 }.if", 1),
    ("true.toString()", "true"),
    ('"a#b"', "a#b"),
    ('"\\#{x}"', "#{x}"),
    ('"#{1 + 1}!"', "2!"),
    ("'\\u{1F600}'.length", 1),
    ("<<-END\n  a\n   b\n  END", "a\n b\n"),
    ("<<+END\n  #{1 + 2}\nEND", "3\n"),
    # §1.4 / §1.5 constructs
    ("()", []),
    ("(1, 2)", [1, 2]),
    ("(1)", 1),
    ("(x => {})(1)", {}),
    ("(x => { a: 1 })(1)", {"a": 1}),
    ("(x => { x })(7)", 7),
    ("let f = (x, ...rest) => rest\nf(1, 2, 3)", [2, 3]),
    ("if (false) 1", None),
    ("if (1) 2", Err("type_mismatch", "expected type: Boolean, received Int")),
    ("if (null) 1", Err("type_mismatch", "expected type: Boolean, received Null")),
    ("at (1) 2", Err("type_mismatch", "expected type: Time, received Int")),
    (
        'at (Time.now().add(1, "day")) 1',
        Err("invalid_argument", "invalid argument `at_time`: cannot evaluate `at` in the future"),
    ),
    ("true && 1", Err("type_mismatch", "expected type: Boolean, received Int")),
    ("x", Err("unbound_variable", "Unbound variable `x`")),
    ("1 =~ 2", Err("invalid_function_invocation", "The function `=~` does not exist on `Int`")),
    (
        "let f = (x, y) => x\nf(1)",
        Err(
            "invalid_function_invocation",
            "callee function expects exactly 2 arguments, but 1 was provided.",
        ),
    ),
    ("let x = 1\nx(2)", Err("type_mismatch", "expected type: Function, received Int")),
    ("null.name", Err("invalid_null_access", "Cannot access `name` on null.")),
    ("null[0]", Err("invalid_null_access", "Cannot access `[]` on null.")),
    ("{ f: x => x }.f(1)", 1),
    ("{ a: 1 }.a(1)", Err("invalid_function_invocation", "`a`: Expected a function, found `Int`")),
    (
        '"abc".conct("d")',
        Err("invalid_function_invocation", "The function `conct` does not exist on `String`"),
    ),
    (
        '"abc".length()',
        Err("invalid_function_invocation", "`length`: Expected a function, found `Int`"),
    ),
    (
        "let n = 1\nn[0]",
        Err("invalid_function_invocation", "The function `[]` does not exist on `Int`"),
    ),
    ("null?.a.b.c", None),
    (
        "null?.a + 1",
        Err("invalid_function_invocation", "The function `+` does not exist on `Null`"),
    ),
    ('"a" - 1', Err("invalid_function_invocation", "The function `-` does not exist on `String`")),
    ("null ?? 2", 2),
    ("1 ?? 2", 1),
    (
        "1 isa 2",
        Err("invalid_argument", "invalid argument `type_object`: expected a module object"),
    ),
    ("{ a: 1 } { * }", Err("invalid_query", first_line="error: project expr not supported")),
    ("{ a: 1, b: 2 } { a, c }", {"a": 1, "c": None}),
    ("{ a: { b: 1, c: 2 } } { a { b } }", {"a": {"b": 1}}),
    ("[{ a: 1 }, { a: 2 }] { a }", [{"a": 1}, {"a": 2}]),
    ("null { a }", None),
    ("3 { a }", 3),
    ("{ a: 2 } { b: .a + 1 }", {"b": 3}),
    # §2.2 numbers
    ("9000000000000000000 + 9000000000000000000", 1.8e19),
    ("1000000000 + 2000000000", 3000000000),
    ("9223372036854775808", 9223372036854775808.0),
    ("234 / 0.0", math.inf),
    ("2.34 / 0", math.inf),
    ("-7 / 2", -3),
    ("-7 % 2", -1),
    ("7.5 % 2", 1.5),
    ("5 % 0", Err("divide_by_zero", "Attempted integer division by zero.")),
    ("2 ** 10", 1024),
    ("2 ** 64", 18446744073709551616.0),
    ("2 ** -1", 0.5),
    ("-1 ** 3", -1),
    ("0 ** 5", 0),
    ("2 ** 3 ** 2", 512),
    ("2.0 ** 2", 4.0),
    ("5.9 & 3", 1),
    ("~0", -1),
    ("-(2.0)", -2.0),
    ("1 == 1.0", True),
    ("[1, 2].take(1.0)", [1]),
    ("1e21.toString()", "1000000000000000000000"),
    ("12345678.5.toString()", "1.23456785E7"),
    ("0.00000015.toString()", "1.5E-7"),
    ("0.5.toString()", "0.5"),
    ("Math.NaN.toString()", "NaN"),
    ("Math.Infinity.toString()", "Infinity"),
    ("[2.0].toString()", "[2.0]"),
    (
        '1 + "a"',
        Err("invalid_argument", "expected value for `other` of type Number, received String"),
    ),
    # §2.3 strings
    ('"😀a".length', 2),
    ('"😀a"[1]', "a"),
    ('"😀a".slice(1)', "a"),
    ('"😀a".indexOf("a")', 1),
    ('"abcd"[4]', Err("index_out_of_bounds", "index 4 out of bounds for length 4")),
    ('"abcd".at(-1)', Err("index_out_of_bounds", "index -1 out of bounds for length 4")),
    ('"a.b".replaceAll(".", "$")', "a$b"),
    # §2.4 null causes
    ("null!", Err("null_value", "Null literal value")),
    ("{}.x!", Err("null_value", "Null value, due to missing field `x`")),
    ('"abc".parseInt()!', Err("null_value", "Null value, due to invalid number")),
    ("[].first()!", Err("null_value", "Null value, due to empty array")),
    ("[].toSet().first()!", Err("null_value", "Null value, due to empty set")),
    ("[1].firstWhere(x => false)!", Err("null_value", "Null value, due to no element found")),
    ('"abc".indexOf("z")!', Err("null_value", "Null value, due to no element found")),
    # §2.5 time
    ('Time("2023-02-10T12:00:00Z")', datetime(2023, 2, 10, 12, tzinfo=timezone.utc)),
    ('Time("2023-02-10T12:00:00Z").toString()', "2023-02-10T12:00:00Z"),
    ('Time("2023-02-10T12:00:00.1Z").toString()', "2023-02-10T12:00:00.100Z"),
    ('Time("2023-02-10T12:00:00.0001Z").toString()', "2023-02-10T12:00:00.000100Z"),
    ('Time("2023-02-10T12:00:00+01:00").toString()', "2023-02-10T11:00:00Z"),
    ('Time("2023-02-10T12:00:00+0100").toString()', "2023-02-10T11:00:00Z"),
    ('Time("2023-02-10T12:00:00Z").dayOfWeek', 5),
    ('Time("2023-02-10T12:00:00Z").add(1, " half day ").toString()', "2023-02-11T00:00:00Z"),
    ('Time("2023-02-10T12:00:00Z").add(1.5, "hours").toString()', "2023-02-10T13:30:00Z"),
    ('Time("2023-02-10T12:00:00Z").difference(Time("2023-02-09T12:00:01Z"), "days")', 0),
    ('Time("nope")', Err("invalid_time", "`nope` is not a valid time.")),
    ('Date("nope")', Err("invalid_date", "`nope` is not a valid date.")),
    ('Date("2023-02-10").add(1, "hour")', Err("invalid_unit", "`hour` is not a valid date unit.")),
    (
        'Time("2023-02-10T12:00:00Z").add(1, "parsec")',
        Err("invalid_unit", "`parsec` is not a valid time unit."),
    ),
    ('Date("2023-02-10").add(2, "days").toString()', "2023-02-12"),
    ('Date("2023-02-10").difference(Date("2023-02-01"))', 9),
    ("Time.now() == Time.now()", True),
    ('"#{TransactionTime()}"', "[transaction time]"),
    ("[TransactionTime()].toString()", "[TransactionTime()]"),
    ("TransactionTime() == TransactionTime()", True),
    # §2.6 ID, Bytes
    ('ID("abc")', Err("invalid_id", '`"abc"` is not a valid ID.')),
    ('ID("123")', "123"),
    ('ID("123") == "123"', True),
    ("ID(123) == 123", True),
    ("newId() isa ID", True),
    ('Bytes("AQID").toBase64()', "AQID"),
    ('Bytes("AQID")', b"\x01\x02\x03"),
    ('"#{Bytes("AQID")}"', "AQID"),
    # §2.7 documents
    ('RefEx.byId("999") == null', True),
    ('RefEx.byId("999") != null', False),
    ('RefEx.byId("1") == null', False),
    ('RefEx.byId("999").id', "999"),
    ('RefEx.byId("999").exists()', False),
    ('RefEx.byId("999") ?? "none"', "none"),
    ('RefEx.byId("999")?.name', None),
    (
        'RefEx.byId("999").name',
        Err("document_not_found", "Collection `RefEx` does not contain document with id 999."),
    ),
    (
        'RefEx.byId("999")!',
        Err("document_not_found", "Collection `RefEx` does not contain document with id 999."),
    ),
    ('Collection.byName("Nope")!', Err("document_not_found", "Collection `Nope` not found.")),
    ('RefEx("1")!.name', "one"),
    ('RefEx("1")!.data', {"name": "one", "n": 1}),
    ('Object.keys(RefEx("1")!)', ["id", "coll", "ts", "name", "n"]),
    ('RefEx("1") == RefEx.byId(1)', True),
    ('RefEx("1")!.id == "1"', True),
    (
        'RefEx.create({ coll: "x" })',
        Err(
            "constraint_failure",
            "Failed to create document in collection `RefEx`.",
            first_line="error: Failed to create document in collection `RefEx`.",
        ),
    ),
    (
        'RefEx.create({ id: "1" })',
        Err("document_id_exists", "Collection `RefEx` already contains document with id 1."),
    ),
    (
        "RefEx.create({ f: x => x })",
        Err("invalid_type", "Anonymous functions cannot be stored. Use a string of FQL instead."),
    ),
    (
        'RefEx.create({ ttl: "soon" })',
        Err("constraint_failure", "Failed to create document in collection `RefEx`."),
    ),
    (
        "RefEx.all().map(d => RefEx.create({}))",
        Err("invalid_effect", "`create` performs a write, which is not allowed in set functions."),
    ),
    (
        'at (Time("2020-01-01T00:00:00Z")) RefEx.create({})',
        Err("invalid_write", "Cannot write at a snapshot time in the past."),
    ),
    ('RefEx.byId("999")!.update({ a: 1 })', Err("document_not_found")),
    ('RefEx.byId("999")?.update({ a: 1 })', None),
    (
        'Collection("Nope")',
        Err("invalid_argument", "invalid argument `collection`: No such user collection `Nope`."),
    ),
    ('RefEx.createData({ id: "7", coll: 1 }).data', {"id": "7", "coll": 1}),
    # §2.9 equality and ordering
    ("[1, 2] == [1, 2.0]", True),
    ("{ a: 1, b: 2 } == { b: 2, a: 1 }", True),
    ('2 < "x"', False),
    ('2 > "x"', False),
    ("1 < true", False),
    ("null < 1", False),
    ("null == null", True),
    ('"B" < "a"', True),
    ("false < true", True),
    ("[1, 2] < [1, 3]", True),
    ("[1] < [1, 0]", True),
    ('ID("5") == 5', True),
    ('ID("5") < 6', True),
    ('[null, "a", 1, true, [1], {}].order()', [1, "a", [1], {}, True, None]),
    ("[3, 1, 3, 2].toSet().distinct().toArray()", [1, 2, 3]),
    ("[3, 1, 3, 2].distinct()", [3, 1, 2]),
    ("[1, 1.0].distinct()", [1]),
    ("[3, null, 1].order(desc(x => x))", [None, 3, 1]),
    ("[{ a: 2 }, { a: 1 }].order(.a)", [{"a": 1}, {"a": 2}]),
    # §2.10 display and debug strings
    ('"#{null}"', "null"),
    ('"#{true}"', "true"),
    ('"#{[1, "a"]}"', '[1, "a"]'),
    ('"#{{ a: 1, "b c": 2 }}"', '{ a: 1, "b c": 2 }'),
    ('"#{{}}"', "{}"),
    ('"#{Math}"', "Math"),
    ('"#{[1].toSet()}"', "[set]"),
    ('"#{x => x}"', "[function <lambda>]"),
    ('"#{ID("1")}"', "1"),
    ('"#{[ID("1")]}"', '[ID("1")]'),
    ('"#{Date("2023-01-01")}"', "2023-01-01"),
    ('"#{[Date("2023-01-01")]}"', '[Date("2023-01-01")]'),
    ('"#{[Time("2023-01-01T00:00:00Z")]}"', '[Time("2023-01-01T00:00:00Z")]'),
    ('"#{[Bytes("AQID")]}"', '[Bytes("AQID")]'),
    ('"#{[\'a\\"\\n\']}"', '["a\\"\\n"]'),
    ('"a" + 1', "a1"),
    ('"a" + null', "anull"),
    ('"a" + [1]', "a[1]"),
    ('"a" + 2.0', "a2"),
    ("Object.toString({ a: 1 })", "{ a: 1 }"),
    ("Object.toString([1.5])", "[1.5]"),
    (
        "{ a: 1 }.toString()",
        Err(
            "invalid_function_invocation", "The function `toString` does not exist on `{ *: Any }`"
        ),
    ),
    ("{ toString: 1 }.toString", 1),
    ("[1, 2].toString()", "[1, 2]"),
    ("RefEx.toString()", "RefEx"),
    # §3.3-3.4 Number and Math
    ("Math.acos(2)", Err("invalid_argument", "invalid argument `x`: argument must lie in [-1, 1]")),
    (
        "Math.asin(-2)",
        Err("invalid_argument", "invalid argument `x`: argument must lie in [-1, 1]"),
    ),
    ("Math.log(0)", Err("invalid_argument", "invalid argument `x`: x must be positive")),
    ("Math.log10(-1)", Err("invalid_argument", "invalid argument `x`: x must be positive")),
    ("Math.sqrt(-1)", Err("invalid_argument", "invalid argument `x`: x must be nonnegative")),
    (
        'Math.sum([1, "a"])',
        Err("invalid_argument", "invalid argument `numbers`: all array elements must be numbers"),
    ),
    ("Math.sum([1, 2])", 3),
    ("Math.mean([1, 2])", 1.5),
    ("Math.sum([1, 2].toSet())", 3),
    ("Math.abs(-3)", 3),
    ("Math.abs(-3.5)", 3.5),
    ("Math.ceil(1.2)", 2.0),
    ("Math.floor(3)", 3),
    ("Math.sign(-5.0)", -1),
    ("Math.pow(2, 2)", 4.0),
    ("Math.round(1.2345, 2)", 1.23),
    ("Math.round(1234, -2)", 1200),
    ("Math.trunc(1.789, 1)", 1.7),
    ("Math.max(1, 2.0)", 2.0),
    ("Math.hypot(3, 4)", 5.0),
    # §3.5 String
    ('"abc".replace("b", "x")', "axc"),
    ('"abab".replace("b", "x")', "axab"),
    ('"abab".replace("b", "x", 2)', "axax"),
    (
        '"abab".replace("b", "x", 0)',
        Err("invalid_argument", "invalid argument `count`: must be greater than or equal to 1"),
    ),
    ('"abab".replaceRegex("b+", "$1")', "a$1ab"),
    ('"abc".includesRegex("(")', Err("invalid_regex")),
    ('"f b ".split(" ")', ["f", "b", ""]),
    ('"abc".slice(-5, 100)', "abc"),
    ('"abc".splitAt(1)', ["a", "bc"]),
    ('"abc".insert(3, "d")', "abcd"),
    ('"ff".parseInt(16)', 255),
    (
        '"1".parseInt(1)',
        Err(
            "invalid_argument",
            "invalid argument `format`: invalid radix, expected a number from 2-36",
        ),
    ),
    ('"1.5".parseNumber()', 1.5),
    ('"3000000000".parseNumber()', 3000000000),
    ('"abc".parseDouble()', None),
    ('"a1b2".matches("[0-9]")', ["1", "2"]),
    ('"a1b2".matchIndexes("[0-9]")', [[1, "1"], [3, "2"]]),
    ('"abc".lastIndexOf("c")', 2),
    ('"ABC".casefold()', "abc"),
    # §3.6 Array
    ("Array.sequence(0, 3)", [0, 1, 2]),
    (
        "Array.sequence(0, 16001)",
        Err("value_too_large", "Value too large: range size 16001 exceeds limit 16000."),
    ),
    (
        "[1, 2].reduce(x => x)",
        Err(
            "invalid_argument",
            "`reducer` should accept 2 parameters, provided function requires exactly 1 parameter.",
        ),
    ),
    ("[].reduce((a, b) => a)", None),
    ("[1, 2, 3].aggregate(0, (a, b) => a + b)", 6),
    ("[].aggregate(5, (a, b) => a + b)", 5),
    ('[3, 1, 2].foldRight("", (acc, x) => acc + x.toString())', "213"),
    ('[3, 1, 2].fold("", (acc, x) => acc + x.toString())', "312"),
    ("[[1], [2, 3]].flatten()", [1, 2, 3]),
    ("[1, 2, 3].take(-1)", []),
    ("[1, 2, 3].drop(-1)", [1, 2, 3]),
    ("[1, 2, 3].slice(1, 100)", [2, 3]),
    ("[1, 2].entries()", [[0, 1], [1, 2]]),
    ("[1, 2].where(x => null)", []),
    ("[1, 2].any(x => null)", False),
    ("[1, 2].map(.x)", [None, None]),
    ('let f = "ab".toUpperCase\nf()', "AB"),
    ("[1, 2].includes(2.0)", True),
    ("[1, 2, 1].lastIndexOf(1)", 2),
    ("[1, 2].at(2)", Err("index_out_of_bounds", "index 2 out of bounds for length 2")),
    ("[1][1]", Err("index_out_of_bounds", "index 1 out of bounds for length 1")),
    ("[].first()", None),
    ("[1, 2].append(3).prepend(0)", [0, 1, 2, 3]),
    # §3.7 Set
    (
        "[1, 2].toSet().take(-1)",
        Err("invalid_bounds", "expected `limit` to be greater than 0, received -1"),
    ),
    ("[1, 2].toSet().take(0).toArray()", []),
    (
        "[1].toSet().pageSize(0)",
        Err("invalid_bounds", "expected `size` to be between 1 and 16000 (inclusive), received 0"),
    ),
    (
        "[1].toSet().pageSize(16001)",
        Err(
            "invalid_bounds",
            "expected `size` to be between 1 and 16000 (inclusive), received 16001",
        ),
    ),
    ("Set.single(1).toArray()", [1]),
    ("Set.sequence(0, 3).toArray()", [0, 1, 2]),
    ("Set.sequence(0, 3).reverse().toArray()", [2, 1, 0]),
    ("Set.sequence(0, 5).drop(2).take(2).toArray()", [2, 3]),
    ("Set.sequence(0, 3).count()", 3),
    ("[1].toSet().toString()", "[set]"),
    ('Set.paginate("bogus")', Err("invalid_cursor", "Cursor cursor is invalid or expired.")),
    (
        "Set.sequence(0, 16001).toArray()",
        Err(
            "value_too_large", "Value too large: exceeded maximum number of elements (limit=16000)."
        ),
    ),
    ("Set.sequence(0, 3).paginate(2).data", [0, 1]),
    # §3.8 Object
    ('Object.fromEntries([["a", 1], ["a", 2]])', {"a": 2}),
    ('Object.select({ a: { b: 1 } }, ["a", "b"])', 1),
    ('Object.select({ a: 1 }, ["b"])', None),
    ('Object.hasPath({ a: 1 }, ["b"])', False),
    ("Object.assign({ a: 1 }, { a: 2, b: 3 })", {"a": 2, "b": 3}),
    ("Object.entries({ a: 1 })", [["a", 1]]),
    ("Object.values({ a: 1, b: 2 })", [1, 2]),
    ('{ a: 1 }["a"]', 1),
    ('{ a: 1 }["b"]', None),
    # §3.8, §3.10, §3.13, §4 messages
    (
        'Object.keys(RefEx.byId("999"))',
        Err(
            "invalid_argument",
            "invalid argument `object`: collection `RefEx` does not contain document with id 999.",
        ),
    ),
    ("Query.identity()", None),
    ("Query.identity()!", Err("null_value", "Null value, due to missing identity")),
    ("Query.token()!", Err("null_value", "Null value, due to no token")),
    (
        'Collection.createData({ name: "X" })',
        Err(
            "invalid_function_invocation",
            "The function `createData` does not exist on `Collection`",
        ),
    ),
    (
        "RefEx.byyName(1)",
        Err("invalid_function_invocation", "The function `byyName` does not exist on `RefEx`"),
    ),
    ("(RefEx.byN(1) { name }).toArray()", [{"name": "one"}]),
    ("RefEx.byN(1) { name }.toArray()", parse_error("Expected end-of-input")),
    (
        'Object.select({ a: 1 }, ["b"])!',
        Err("null_value", "Null value, due to no value in object found at path"),
    ),
    ("Query.isEnvProtected()", False),
    (
        "RefEx.byN(x => x)",
        Err("invalid_argument", "invalid argument `term1`: Argument cannot be used as lookup term"),
    ),
    (
        "RefEx.byN(1, { from: x => x })",
        Err(
            "invalid_argument",
            "invalid argument `range`: The `from` field should be either an indexable value or an array of values",
        ),
    ),
    (
        "RefEx.byN(1, { bogus: 1 })",
        Err(
            "invalid_argument",
            "invalid argument `range`: should be an object contining `{ from }`, `{ to }`, or `{ from, to }` fields",
        ),
    ),
    (
        "RefEx.all().distinct().toStream()",
        Err(
            "invalid_receiver",
            "can't call `.toStream()` because streaming is not supported on distinct sets.",
        ),
    ),
    (
        'Uniq.create({ name: "a" })\nUniq.create({ name: "a" })',
        Err("constraint_failure", "Failed unique constraint."),
    ),
    (
        "Checked.create({ x: 1 })",
        Err(
            "constraint_failure",
            "Failed to create document in collection `Checked`.",
            first_line="error: Failed to create document in collection `Checked`.",
        ),
    ),
    (
        'Checked.create({ x: "s" })',
        Err("constraint_failure", "Failed to create document in collection `Checked`."),
    ),
    (
        'Collection.create({ name: "Math" })',
        Err("constraint_failure", "Failed to create Collection."),
    ),
    (
        'RefEx("1")!.update({ ts: 1 })',
        Err("constraint_failure", "Failed to update document with id 1 in collection `RefEx`."),
    ),
    (
        "RefEx.definition.update({ data: { a: 1 } })\nRefEx.create({})",
        Err("invalid_write", "Cannot modify a document and its collection in the same query."),
    ),
    ('"x" * 2', Err("invalid_function_invocation", "The function `*` does not exist on `String`")),
    (
        'Time("+999999999-12-31T23:59:59Z").add(1, "day")',
        Err("invalid_time", "Time exceeds the maximum value."),
    ),
    # §3.1 globals
    ("abort(1)", Err("abort", "Query aborted.")),
    ("asc(x => x)", "__skip__"),
    # §3.14 isa
    ("1 isa Number", True),
    ("1 isa Int", True),
    ("1 isa Long", False),
    ("3000000000 isa Long", True),
    ("1.0 isa Double", True),
    ("1.0 isa Float", True),
    ("{} isa Struct", True),
    ("{} isa Object", True),
    ('RefEx("1")! isa Object', True),
    ('RefEx("1")! isa Struct', False),
    ('RefEx("1")! isa RefEx', True),
    ('RefEx("1")! isa Doc', True),
    ("(x => x) isa Function", True),
    ('"a".toUpperCase isa Function', True),
    ("1 isa String", False),
    ("null isa Null", True),
    ("Math isa Math", True),
    ("[1].toSet() isa Set", True),
    # §7 gotchas not covered above
    ("Set.sequence(0, 20)", "__page16__"),
]

# §5.4 verbatim summaries, and §5.3 log forms.
SUMMARIES: list[tuple[str, Err]] = [
    (
        "234 / 0",
        Err(
            "divide_by_zero",
            "Attempted integer division by zero.",
            DIVIDE_BY_ZERO,
        ),
    ),
    (
        "let myVal = null\n[1, 2].firstWhere(v => myVal!)",
        Err(
            "null_value",
            "Null literal value",
            NULL_WITH_HINT_AND_TRACE,
        ),
    ),
    (
        'RefEx.create({\n  ts: "Thing",\n})',
        Err(
            "constraint_failure",
            "Failed to create document in collection `RefEx`.",
            "error: Failed to create document in collection `RefEx`.\n"
            "constraint failures:\n"
            "  ts: Is a reserved field and cannot be used\n"
            "at *query*:1:13\n"
            "  |\n"
            "1 |   RefEx.create({\n"
            "  |  _____________^\n"
            '2 | |   ts: "Thing",\n'
            "3 | | })\n"
            "  | |__^\n"
            "  |",
        ),
    ),
    (
        "\neventuallyError()\n",
        Err(
            "abort",
            "Query aborted.",
            ABORT_THROUGH_TWO_UDFS,
        ),
    ),
    ("recurse(1)", Err("stack_overflow", "number of stack frames exceeded limit of 2048")),
]


@pytest.fixture(scope="module")
def client(faunalite_server: BackgroundServer) -> Iterator[Client]:
    """A client on a database of this module's own, holding ``RefEx`` and two UDFs."""
    name = f"ref_examples_{next(_databases)}"
    with Client(
        endpoint=faunalite_server.endpoint, secret=faunalite_server.secret, max_attempts=1
    ) as root:
        root.query(fql("Database.create({ name: ${name} })", name=name))
    secret = f"{faunalite_server.secret}:{name}:admin"
    # The notes state each database's untyped answers (FaunaDB's typechecked ones differ for
    # some rows: `{}.x!` is a type error there), so these queries run with typecheck off.
    with Client(
        endpoint=faunalite_server.endpoint, secret=secret, max_attempts=1, typecheck=False
    ) as db:
        db.query(fql('Collection.create({ name: "RefEx" })'))
        db.query(fql('Function.create({ name: "errFunc", body: "() => abort(\\"tracer\\")" })'))
        db.query(fql('Function.create({ name: "eventuallyError", body: "() => errFunc()" })'))
        db.query(fql('Function.create({ name: "recurse", body: "x => recurse(x)" })'))
        db.query(fql('RefEx.create({ id: "1", name: "one", n: 1 })'))
        db.query(
            fql(
                'RefEx.definition.update({ indexes: { byN: { terms: [{ field: "n" }], '
                'values: [{ field: "name" }] } } })'
            )
        )
        db.query(fql('Collection.create({ name: "Uniq", constraints: [{ unique: ["name"] }] })'))
        db.query(
            fql(
                'Collection.create({ name: "Checked", constraints: [{ check: { name: "a", '
                'body: "doc => if (doc.x == \\"s\\") doc.x else doc.x == 0" } }] })'
            )
        )
        yield db


def _same(actual: Any, expected: Any) -> bool:
    """Equal and of the same representation: an Int result is not a Double one."""
    if isinstance(expected, float):
        return isinstance(actual, float) and (
            actual == expected or (math.isnan(actual) and math.isnan(expected))
        )
    if isinstance(expected, bool) or expected is None:
        return actual is expected
    if isinstance(expected, int):
        return type(actual) is int and actual == expected
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(map(_same, actual, expected))
        )
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and list(actual) == list(expected)
            and all(_same(actual[k], expected[k]) for k in expected)
        )
    return bool(actual == expected)


def _run(client: Client, query: str) -> Any:
    # ``$`` starts a driver template placeholder; ``$$`` is a literal dollar.
    return client.query(fql(query.replace("$", "$$")))


def _check_error(client: Client, query: str, expected: Err) -> None:
    with pytest.raises(ServiceError) as caught:
        _run(client, query)
    err = caught.value
    assert (err.code, err.message if expected.message is not None else None) == (
        expected.code,
        expected.message,
    )
    if expected.summary is not None:
        assert err.summary == expected.summary
    if expected.first_line is not None:
        assert err.summary.split("\n")[0] == expected.first_line


@pytest.mark.parametrize(("query", "expected"), EXAMPLES, ids=[q for q, _ in EXAMPLES])
def test_reference_example(client: Client, query: str, expected: Any) -> None:
    if isinstance(expected, Err):
        _check_error(client, query, expected)
    elif expected == "__skip__":
        assert _run(client, query).data is not None
    elif expected == "__page16__":
        page = _run(client, query).data
        assert isinstance(page, Page)
        assert page.data == list(range(16))
        assert page.after is not None
    else:
        actual = _run(client, query).data
        if isinstance(actual, Document):
            actual = dict(actual)
        assert _same(actual, expected), f"{actual!r} != {expected!r}"


@pytest.mark.parametrize(("query", "expected"), SUMMARIES, ids=[q for q, _ in SUMMARIES])
def test_reference_summary(client: Client, query: str, expected: Err) -> None:
    _check_error(client, query, expected)


def test_log_summary_form(client: Client) -> None:
    result = client.query(fql('log("a", 1)\n2'))
    assert result.data == 2
    assert result.summary == "info at *query*:1: a 1"


def test_delete_returns_a_null_document_and_a_second_delete_fails(client: Client) -> None:
    deleted = client.query(fql('RefEx.create({ id: "50" }).delete()')).data
    assert isinstance(deleted, NullDocument)
    with pytest.raises(ServiceError) as caught:
        client.query(fql('RefEx.byId("50")!.delete()'))
    assert caught.value.code == "document_not_found"
    assert caught.value.message == "Collection `RefEx` does not contain document with id 50."
