"""The String prototype: ``"abc".length``, ``.slice()``, ``.replace()``, ``.parseInt()``…

Indices are code points, as in FaunaDB (a surrogate pair counts once); Python strings are
already sequences of code points. Sizes checked against the 16 MiB limit are counted in
UTF-16 units, as Java counts them. Regex methods use ``faunalite.fql.stdlib.regex``.

Quirks kept on purpose because FaunaDB has them: ``replace`` replaces only the first match
by default; repeated matching (``replaceAll``, ``split``) re-searches the *rest* of the
string, so ``^`` matches again after each match; ``split`` keeps empty pieces like
JavaScript; ``parseNumber`` tries Int, then Long, then Double.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from faunalite.fql.display import display
from faunalite.fql.errors import QueryError
from faunalite.fql.javanumbers import parse_java_double, parse_java_integer
from faunalite.fql.stdlib.args import (
    as_int,
    expect_int,
    expect_string,
    invalid_argument,
    wrong_overload,
)
from faunalite.fql.stdlib.regex import compile_java_regex
from faunalite.fql.stdlib.registry import CallContext, module, prototype
from faunalite.fql.values import INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, Long, Null, Value

MAX_STRING_SIZE = 16 * 1024 * 1024
"""The longest string a query may build, in UTF-16 units (FaunaDB's transaction size)."""

NO_ELEMENT = "no element found"
INVALID_NUMBER = "invalid number"

STRING = prototype(str, "String")
module("String")  # exists for `isa String`; it has no static members


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units (characters above U+FFFF count twice)."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for char in text if char > "\uffff")


def too_large(size: int) -> QueryError:
    return QueryError(
        "value_too_large",
        f"Value too large: string size {size} exceeds limit {MAX_STRING_SIZE}.",
    )


def check_size(text: str) -> str:
    size = utf16_length(text)
    if size > MAX_STRING_SIZE:
        raise too_large(size)
    return text


def concatenate(left: str, right: str) -> str:
    """``left + right`` within the string size limit (also the ``+`` operator's work)."""
    return check_size(left + right)


def out_of_bounds(index: int, length: int) -> QueryError:
    return QueryError("index_out_of_bounds", f"index {index} out of bounds for length {length}")


def _checked_index(text: str, index: int) -> int:
    """A code point index that must name a character of ``text``."""
    if not 0 <= index < len(text):
        raise out_of_bounds(index, len(text))
    return index


def _inclusive_index(text: str, index: int) -> int:
    """A code point index that may also be the end of ``text`` (insertion points)."""
    if not 0 <= index <= len(text):
        raise out_of_bounds(index, len(text))
    return index


def _clamped_index(text: str, index: int) -> int:
    return min(max(index, 0), len(text))


def _int_overload(name: str, signatures: list[str], args: list[Value]) -> int:
    """The Int argument at the end of an overloaded call (e.g. ``indexOf``'s ``start``)."""
    number = as_int(args[-1])
    if number is None or any(type(arg) is not str for arg in args[:-1]):
        raise wrong_overload(name, signatures, args)
    return number


def _strings_overload(name: str, signatures: list[str], args: list[Value]) -> None:
    if any(type(arg) is not str for arg in args):
        raise wrong_overload(name, signatures, args)


# --- fields and simple methods --------------------------------------------------------------


@STRING.field("length", signature="Number")
def length(receiver: str) -> int:
    return len(receiver)


@STRING.method("at", 1, signature="(index: Number) => String")
def at(ctx: CallContext, receiver: str, index: Value) -> str:
    return receiver[_checked_index(receiver, expect_int(index, "index"))]


@STRING.method("concat", 1, signature="(other: String) => String")
def concat(ctx: CallContext, receiver: str, other: Value) -> str:
    return concatenate(receiver, expect_string(other, "other"))


@STRING.method("endsWith", 1, signature="(suffix: String) => Boolean")
def ends_with(ctx: CallContext, receiver: str, suffix: Value) -> bool:
    return receiver.endswith(expect_string(suffix, "suffix"))


@STRING.method("startsWith", 1, signature="(prefix: String) => Boolean")
def starts_with(ctx: CallContext, receiver: str, prefix: Value) -> bool:
    return receiver.startswith(expect_string(prefix, "prefix"))


@STRING.method("includes", 1, signature="(pattern: String) => Boolean")
def includes(ctx: CallContext, receiver: str, pattern: Value) -> bool:
    return expect_string(pattern, "pattern") in receiver


@STRING.method("includesRegex", 1, signature="(regex: String) => Boolean")
def includes_regex(ctx: CallContext, receiver: str, regex: Value) -> bool:
    return compile_java_regex(expect_string(regex, "regex")).search(receiver) is not None


@STRING.method("insert", 2, signature="(index: Number, other: String) => String")
def insert(ctx: CallContext, receiver: str, index: Value, other: Value) -> str:
    position = expect_int(index, "index")
    text = expect_string(other, "other")
    position = _inclusive_index(receiver, position)
    return check_size(receiver[:position] + text + receiver[position:])


@STRING.method("toLowerCase", 0, signature="() => String")
def to_lower_case(ctx: CallContext, receiver: str) -> str:
    return receiver.lower()


@STRING.method("toUpperCase", 0, signature="() => String")
def to_upper_case(ctx: CallContext, receiver: str) -> str:
    return receiver.upper()


@STRING.method("toString", 0, signature="() => String")
def to_string(ctx: CallContext, receiver: str) -> str:
    return display(receiver)


_CASEFOLD_FORMATS: dict[str, Callable[[str], str]] = {
    # NFKC_Casefold: compatibility-decompose, fold case, recompose (close to ICU's mapping).
    "NFKCCaseFold": lambda text: unicodedata.normalize(
        "NFKC", unicodedata.normalize("NFKC", text).casefold()
    ),
    "NFC": lambda text: unicodedata.normalize("NFC", text),
    "NFD": lambda text: unicodedata.normalize("NFD", text),
    "NFKC": lambda text: unicodedata.normalize("NFKC", text),
    "NFKD": lambda text: unicodedata.normalize("NFKD", text),
}


@STRING.method("casefold", (0, 1), signature="(() => String) & ((format: String) => String)")
def casefold(ctx: CallContext, receiver: str, *args: Value) -> str:
    if not args:
        return _CASEFOLD_FORMATS["NFKCCaseFold"](receiver)
    _strings_overload("casefold", ["(String)"], list(args))
    normalize = _CASEFOLD_FORMATS.get(args[0])
    if normalize is None:
        raise invalid_argument(
            "format",
            "expected a casefold format (one of NFKCCaseFold, NFC, NFD, NFKC, or NFKD)",
        )
    return normalize(receiver)


# --- searching ------------------------------------------------------------------------------


def _found(index: int) -> int | Null:
    return index if index >= 0 else Null(NO_ELEMENT)


@STRING.method(
    "indexOf",
    (1, 2),
    signature="((pattern: String) => Number | Null) & ((pattern: String, start: Number) => Number | Null)",
)
def index_of(ctx: CallContext, receiver: str, *args: Value) -> int | Null:
    if len(args) == 1:
        _strings_overload("indexOf", ["(String)"], list(args))
        return _found(receiver.find(args[0]))
    start = _int_overload("indexOf", ["(String, Int)"], list(args))
    return _found(receiver.find(args[0], _checked_index(receiver, start)))


@STRING.method(
    "lastIndexOf",
    (1, 2),
    signature="((pattern: String) => Number | Null) & ((pattern: String, end: Number) => Number | Null)",
)
def last_index_of(ctx: CallContext, receiver: str, *args: Value) -> int | Null:
    pattern = args[0]
    if len(args) == 1:
        _strings_overload("lastIndexOf", ["(String)"], list(args))
        return _found(receiver.rfind(pattern))
    end = _checked_index(receiver, _int_overload("lastIndexOf", ["(String, Int)"], list(args)))
    # The match may start at `end` at the latest.
    return _found(receiver.rfind(pattern, 0, end + len(pattern)))


@STRING.method(
    "indexOfRegex",
    (1, 2),
    signature="((regex: String) => Number | Null) & ((regex: String, start: Number) => Number | Null)",
)
def index_of_regex(ctx: CallContext, receiver: str, *args: Value) -> int | Null:
    start = 0
    if len(args) == 1:
        _strings_overload("indexOfRegex", ["(String)"], list(args))
    else:
        start = _checked_index(
            receiver, _int_overload("indexOfRegex", ["(String, Int)"], list(args))
        )
    regex = compile_java_regex(args[0])
    # FaunaDB searches the slice from `start`, so `^` matches at `start`.
    match = regex.search(receiver[start:])
    return start + match.start() if match else Null(NO_ELEMENT)


@STRING.method("matches", 1, signature="(regex: String) => Array<String>")
def matches(ctx: CallContext, receiver: str, regex: Value) -> list[Value]:
    pattern = compile_java_regex(expect_string(regex, "regex"))
    return [match.group() for match in pattern.finditer(receiver)]


@STRING.method("matchIndexes", 1, signature="(regex: String) => Array<[Number, String]>")
def match_indexes(ctx: CallContext, receiver: str, regex: Value) -> list[Value]:
    pattern = compile_java_regex(expect_string(regex, "regex"))
    return [[match.start(), match.group()] for match in pattern.finditer(receiver)]


# --- slicing and splitting ------------------------------------------------------------------


@STRING.method(
    "slice",
    (1, 2),
    signature="((start: Number) => String) & ((start: Number, end: Number) => String)",
)
def slice_(ctx: CallContext, receiver: str, *args: Value) -> str:
    bounds = [as_int(arg) for arg in args]
    if None in bounds:
        raise wrong_overload("slice", ["(Int)" if len(args) == 1 else "(Int, Int)"], list(args))
    # Out-of-range bounds clamp (a negative one means 0, not "from the end").
    start, end = (_clamped_index(receiver, bound or 0) for bound in [*bounds, len(receiver)][:2])
    return receiver[start:end]


@STRING.method("splitAt", 1, signature="(index: Number) => [String, String]")
def split_at(ctx: CallContext, receiver: str, index: Value) -> list[Value]:
    position = _inclusive_index(receiver, expect_int(index, "index"))
    return [receiver[:position], receiver[position:]]


Matcher = Callable[[str, int], "tuple[int, int] | None"]
"""``find(text, position)``: the first match in ``text[position:]``, as offsets from
``position``, or ``None``."""


def _literal_matcher(needle: str) -> Matcher:
    def find(text: str, position: int) -> tuple[int, int] | None:
        # Searched in place: copying the rest of the text for each match would make splitting
        # a long string quadratic (hours for a 16 MiB one).
        index = text.find(needle, position)
        return None if index < 0 else (index - position, index - position + len(needle))

    return find


def _regex_matcher(regex: re.Pattern[str], ctx: CallContext) -> Matcher:
    def find(text: str, position: int) -> tuple[int, int] | None:
        # On the rest as a string of its own, as FaunaDB matches it: `^` holds at each start.
        # That copy makes many matches in a long string slow, so the deadline is checked.
        ctx.check_deadline()
        match = regex.search(text[position:])
        return None if match is None else match.span()

    return find


def _split(text: str, find: Matcher) -> list[Value]:
    pieces: list[Value] = []
    position = 0
    while position < len(text):
        found = find(text, position)
        if found is None:
            break
        start, end = found
        if start == end:
            # An empty match splits off one character, wherever the match was.
            pieces.append(text[position : position + 1])
            position += 1
            if position == len(text) - 1:
                break
        else:
            pieces.append(text[position : position + start])
            position += end
    pieces.append(text[position:])
    return pieces


@STRING.method("split", 1, signature="(separator: String) => Array<String>")
def split(ctx: CallContext, receiver: str, separator: Value) -> list[Value]:
    return _split(receiver, _literal_matcher(expect_string(separator, "separator")))


@STRING.method("splitRegex", 1, signature="(regex: String) => Array<String>")
def split_regex(ctx: CallContext, receiver: str, regex: Value) -> list[Value]:
    return _split(receiver, _regex_matcher(compile_java_regex(expect_string(regex, "regex")), ctx))


# --- replacing ------------------------------------------------------------------------------


def _replace(text: str, find: Matcher, replacement: str, count: int | None) -> str:
    """Replace up to ``count`` matches (all if ``None``), searching the rest after each."""
    if count is not None and count < 1:
        raise invalid_argument("count", "must be greater than or equal to 1")
    replacement_size = utf16_length(replacement)
    parts: list[str] = []
    built = 0  # UTF-16 size of `parts`
    position = 0
    remaining = count
    while remaining is None or remaining > 0:
        found = find(text, position)
        if found is None:
            break
        start, end = found
        head = text[position : position + start]
        step = utf16_length(head) + replacement_size
        if start == end:
            # The same empty match repeats forever: jump straight to the outcome.
            return _repeat_empty_match(text, parts, built, position, head, replacement, remaining)
        if built + step > MAX_STRING_SIZE:
            raise too_large(built + step)
        parts += (head, replacement)
        built += step
        position += end
        remaining = None if remaining is None else remaining - 1
    tail = text[position:]
    if built + utf16_length(tail) > MAX_STRING_SIZE:
        raise too_large(built + utf16_length(tail))
    return "".join(parts) + tail


def _repeat_empty_match(
    text: str,
    parts: list[str],
    built: int,
    position: int,
    head: str,
    replacement: str,
    times: int | None,
) -> str:
    """Finish a replacement whose match is empty and so never advances.

    FaunaDB appends ``head + replacement`` ``times`` times (forever when replacing all,
    until the size limit stops it). An unbounded repeat that adds nothing would never end
    there; here it leaves the text unchanged.
    """
    step = utf16_length(head) + utf16_length(replacement)
    if step == 0:
        return "".join(parts) + text[position:]
    first_failing = (MAX_STRING_SIZE - built) // step
    if times is None or first_failing < times:
        raise too_large(built + first_failing * step + step)
    result = "".join(parts) + (head + replacement) * times + text[position:]
    return check_size(result)


def _replacement_args(
    name: str, args: tuple[Value, ...], signatures: list[str]
) -> tuple[str, str, int | None]:
    count: int | None = None
    if len(args) == 3:
        count = as_int(args[2])
        if count is None:
            raise wrong_overload(name, signatures[1:], list(args))
    if type(args[0]) is not str or type(args[1]) is not str:
        raise wrong_overload(name, signatures[len(args) - 2 : len(args) - 1], list(args))
    return args[0], args[1], count


@STRING.method(
    "replace",
    (2, 3),
    signature="((pattern: String, replacement: String) => String) & ((pattern: String, replacement: String, amount: Number) => String)",
)
def replace(ctx: CallContext, receiver: str, *args: Value) -> str:
    pattern, replacement, count = _replacement_args(
        "replace", args, ["(String, String)", "(String, String, Int)"]
    )
    return _replace(receiver, _literal_matcher(pattern), replacement, 1 if count is None else count)


@STRING.method("replaceAll", 2, signature="(pattern: String, replacement: String) => String")
def replace_all(ctx: CallContext, receiver: str, pattern: Value, replacement: Value) -> str:
    needle = expect_string(pattern, "pattern")
    return _replace(
        receiver, _literal_matcher(needle), expect_string(replacement, "replacement"), None
    )


@STRING.method(
    "replaceRegex",
    (2, 3),
    signature="((regex: String, replacement: String) => String) & ((regex: String, replacement: String, amount: Number) => String)",
)
def replace_regex(ctx: CallContext, receiver: str, *args: Value) -> str:
    pattern, replacement, count = _replacement_args(
        "replaceRegex", args, ["(String, String)", "(String, String, Int)"]
    )
    regex = compile_java_regex(pattern)
    return _replace(
        receiver, _regex_matcher(regex, ctx), replacement, 1 if count is None else count
    )


@STRING.method("replaceAllRegex", 2, signature="(pattern: String, replacement: String) => String")
def replace_all_regex(ctx: CallContext, receiver: str, pattern: Value, replacement: Value) -> str:
    regex = compile_java_regex(expect_string(pattern, "pattern"))
    return _replace(
        receiver, _regex_matcher(regex, ctx), expect_string(replacement, "replacement"), None
    )


# --- parsing numbers ------------------------------------------------------------------------


def _radix(name: str, args: tuple[Value, ...]) -> int:
    if not args:
        return 10
    radix = as_int(args[0])
    if radix is None:
        raise wrong_overload(name, ["(Int)"], list(args))
    if not 2 <= radix <= 36:
        raise invalid_argument("format", "invalid radix, expected a number from 2-36")
    return radix


def _integer_or_null(text: str, radix: int, low: int, high: int) -> int | Null:
    number = parse_java_integer(text, radix)
    if number is None or not low <= number <= high:
        return Null(INVALID_NUMBER)
    return number


@STRING.method(
    "parseInt", (0, 1), signature="(() => Number | Null) & ((radix: Number) => Number | Null)"
)
def parse_int(ctx: CallContext, receiver: str, *args: Value) -> int | Null:
    return _integer_or_null(receiver, _radix("parseInt", args), INT32_MIN, INT32_MAX)


@STRING.method(
    "parseLong", (0, 1), signature="(() => Number | Null) & ((radix: Number) => Number | Null)"
)
def parse_long(ctx: CallContext, receiver: str, *args: Value) -> int | Null:
    # Always a Long, however small (FaunaDB: Value.Long(JLong.parseLong(...))).
    number = _integer_or_null(receiver, _radix("parseLong", args), INT64_MIN, INT64_MAX)
    return number if isinstance(number, Null) else Long(number)


def _double_or_null(text: str) -> float | Null:
    number = parse_java_double(text)
    return Null(INVALID_NUMBER) if number is None else number


@STRING.method("parseDouble", 0, signature="() => Number | Null")
def parse_double(ctx: CallContext, receiver: str) -> float | Null:
    return _double_or_null(receiver)


@STRING.method("parseNumber", 0, signature="() => Number | Null")
def parse_number(ctx: CallContext, receiver: str) -> int | float | Null:
    integer = parse_java_integer(receiver, 10)
    if integer is not None and INT64_MIN <= integer <= INT64_MAX:
        return integer
    return _double_or_null(receiver)
