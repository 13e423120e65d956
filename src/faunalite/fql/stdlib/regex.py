"""Java regular expressions for the String regex methods, matched by the ``regex`` package.

FaunaDB compiles FQL regexes with ``java.util.regex``. The common syntax is shared; this
module rewrites the parts that differ (named groups, ``\\Q…\\E``, ``\\z``, ``\\h``, POSIX
``\\p{…}`` classes, ``\\e``, ``\\x{…}``), gives ``\\w``/``\\d``/``\\s`` and ``.`` their Java
(ASCII, line-terminator aware) meaning, and reports syntax errors with Java's descriptions:
``Invalid regular expression. Unclosed group at index 4`` (``invalid_regex``).

Matching runs in the ``regex`` package rather than ``re``: ``re`` holds the GIL for as long
as a match takes, so one catastrophic pattern (``(a|aa)+$`` against ``"aaa…!"``) froze every
other request and ``/ping``. ``JavaRegex`` matches with ``concurrent=True`` (the GIL is let go)
and a timeout of the query's time left, which ends the query with ``time_out`` at its
deadline. (That limit counts the process's CPU time, so on a machine too busy to give the
process a core a match may outlast the deadline somewhat; the server's watchdog answers the
client in time regardless.) Patterns are still checked by ``re`` first, whose errors this
module words as Java's; ``regex`` runs in its ``re``-compatible mode (``VERSION0``).

``regex`` expands counted repetition when it compiles: ``a{100000}`` takes tens of
milliseconds with the GIL held and ``a{1000000}`` crashes the process in its C code. A pattern
whose counted repetitions would expand past ``MAX_EXPANDED_SIZE`` therefore matches with the
``re`` pattern it was checked with (``re`` keeps a count as a number); such a match holds the
GIL, and its deadline is only checked between matches.

Not covered: character-class union and intersection (``[a-z&&[^b]]``), inline flags in the
middle of a pattern, and Unicode ``\\p{…}`` properties other than letters and digits.
"""

from __future__ import annotations

import re
from functools import lru_cache

import regex

from faunalite.fql.context import QueryTimedOut
from faunalite.fql.errors import QueryError
from faunalite.fql.stdlib.registry import CallContext

_POSIX_CLASSES = {
    "Lower": "a-z",
    "Upper": "A-Z",
    "ASCII": "\\x00-\\x7f",
    "Alpha": "a-zA-Z",
    "Digit": "0-9",
    "Alnum": "a-zA-Z0-9",
    "Punct": "!-/:-@\\[-`{-~",
    "Graph": "!-~",
    "Print": " -~",
    "Blank": " \\t",
    "Cntrl": "\\x00-\\x1f\\x7f",
    "XDigit": "0-9a-fA-F",
    "Space": " \\t\\n\\x0b\\f\\r",
}
# Unicode properties usable outside a character class only.
_UNICODE_CLASSES = {
    "L": ("[^\\W\\d_]", "[\\W\\d_]"),
    "IsL": ("[^\\W\\d_]", "[\\W\\d_]"),
    "IsLetter": ("[^\\W\\d_]", "[\\W\\d_]"),
    "IsAlphabetic": ("[^\\W\\d_]", "[\\W\\d_]"),
    "N": ("\\d", "\\D"),
    "Nd": ("\\d", "\\D"),
    "IsDigit": ("\\d", "\\D"),
}
_HORIZONTAL_SPACE = " \\t\\xa0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000"
_NOT_LINE_TERMINATOR = "[^\\n\\r\\u0085\\u2028\\u2029]"


class _Translator:
    """Rewrites a Java pattern, remembering for each output piece where it came from."""

    def __init__(self, pattern: str) -> None:
        self.source = pattern
        self.pos = 0
        self.pieces: list[tuple[str, int]] = []
        self.in_class = False
        self._class_open = 0
        self.dotall = False

    def emit(self, text: str, origin: int) -> None:
        self.pieces.append((text, origin))

    def translate(self) -> str:
        src = self.source
        leading_flags = re.match(r"\(\?([a-zA-Z]*)\)", src)
        if leading_flags and "s" in leading_flags[1]:
            self.dotall = True
        while self.pos < len(src):
            char = src[self.pos]
            start = self.pos
            if char == "\\" and self.pos + 1 < len(src):
                self._escape()
                continue
            if self.in_class:
                if char == "]" and not self._class_just_opened():
                    self.in_class = False
                self.emit(char, start)
            elif char == "[":
                self.in_class = True
                self._class_open = start
                self.emit(char, start)
            elif char == "." and not self.dotall:
                self.emit(_NOT_LINE_TERMINATOR, start)
            elif src.startswith("(?<", start) and src[start + 3 : start + 4] not in ("=", "!"):
                self.emit("(?P<", start)
                self.pos += 3
                continue
            else:
                self.emit(char, start)
            self.pos += 1
        return "".join(text for text, _ in self.pieces)

    def _class_just_opened(self) -> bool:
        # A `]` right after `[` or `[^` is a literal member in Java and Python alike.
        opened = self._class_open
        return self.pos == opened + 1 or (self.pos == opened + 2 and self.source[opened + 1] == "^")

    def _escape(self) -> None:
        src, start = self.source, self.pos
        code = src[start + 1]
        self.pos += 2
        if code == "Q":
            end = src.find("\\E", self.pos)
            literal = src[self.pos :] if end < 0 else src[self.pos : end]
            self.emit(re.escape(literal), start)
            self.pos = len(src) if end < 0 else end + 2
        elif code == "z":
            self.emit("\\Z", start)
        elif code == "Z":
            self.emit("(?=\\n?\\Z)", start)
        elif code == "e":
            self.emit("\\x1b", start)
        elif code in "hH":
            negate = "^" if code == "H" else ""
            body = _HORIZONTAL_SPACE
            self.emit(body if self.in_class and not negate else f"[{negate}{body}]", start)
        elif code == "k" and src.startswith("<", self.pos):
            end = src.find(">", self.pos)
            name = src[self.pos + 1 : end] if end > 0 else ""
            self.emit(f"(?P={name})", start)
            self.pos = end + 1 if end > 0 else len(src)
        elif code == "x" and src.startswith("{", self.pos):
            end = src.find("}", self.pos)
            digits = src[self.pos + 1 : end] if end > 0 else ""
            self.emit(f"\\U{int(digits or '0', 16):08x}", start)
            self.pos = end + 1 if end > 0 else len(src)
        elif code == "c" and self.pos < len(src):
            self.emit(re.escape(chr(ord(src[self.pos]) ^ 64)), start)
            self.pos += 1
        elif code in "pP" and src.startswith("{", self.pos):
            self._property(code == "P", start)
        else:
            self.emit(src[start : start + 2], start)

    def _property(self, negate: bool, start: int) -> None:
        src = self.source
        end = src.find("}", self.pos)
        name = src[self.pos + 1 : end] if end > 0 else ""
        name = name[2:] if name.startswith("Is") and name[2:] in _POSIX_CLASSES else name
        self.pos = end + 1 if end > 0 else len(src)
        if name in _POSIX_CLASSES:
            body = _POSIX_CLASSES[name]
            if self.in_class and not negate:
                self.emit(body, start)
            else:
                self.emit(f"[{'^' if negate else ''}{body}]", start)
        elif name in _UNICODE_CLASSES and not self.in_class:
            self.emit(_UNICODE_CLASSES[name][1 if negate else 0], start)
        else:
            raise _JavaSyntaxError("Unknown character property name {" + name + "}", start + 2)

    def original_index(self, translated_index: int) -> int:
        """The position in the Java pattern of a position in the translated one."""
        offset = 0
        for text, origin in self.pieces:
            if translated_index < offset + len(text):
                return origin
            offset += len(text)
        return len(self.source)


class _JavaSyntaxError(Exception):
    def __init__(self, description: str, index: int) -> None:
        super().__init__(description)
        self.description = description
        self.index = index


def invalid_regex(description: str, index: int) -> QueryError:
    return QueryError(
        "invalid_regex", f"Invalid regular expression. {description} at index {index}"
    )


def _java_description(error: re.error, pattern: str, index: int) -> tuple[str, int]:
    """Java's wording and error index for a Python ``re`` syntax error at ``index``."""
    message = error.msg
    if message.startswith("missing ), unterminated subpattern"):
        return "Unclosed group", len(pattern)
    if message in ("nothing to repeat", "multiple repeat"):
        return f"Dangling meta character '{pattern[index]}'", index
    if message.startswith("unterminated character set"):
        return "Unclosed character class", len(pattern) - 1
    if message.startswith("unbalanced parenthesis"):
        return "Unmatched closing ')'", max(index - 1, 0)
    if message.startswith("bad escape"):
        return "Illegal/unsupported escape sequence", index + 1
    if message.startswith("bad character range"):
        return "Illegal character range", index + len(message.split()[-1]) - 1
    if message.startswith("unknown extension") or message.startswith("unknown flag"):
        return "Unknown inline modifier", index + 2
    return message[0].upper() + message[1:], index


Match = regex.Match[str] | re.Match[str]


class JavaRegex:
    """A compiled Java regex. Each match lets other threads run and ends at the deadline of
    the query it runs for (``QueryTimedOut``); a pattern too big for ``regex`` (``fallback``)
    matches with ``re``."""

    __slots__ = ("compiled", "fallback")

    def __init__(
        self, compiled: regex.Pattern[str] | None, fallback: re.Pattern[str] | None = None
    ) -> None:
        self.compiled = compiled
        self.fallback = fallback

    def search(self, text: str, ctx: CallContext) -> Match | None:
        """The first match in ``text``, or ``None``."""
        if self.compiled is None:
            assert self.fallback is not None
            _time_left(ctx)
            return self.fallback.search(text)
        try:
            return self.compiled.search(text, concurrent=True, timeout=_time_left(ctx))
        except TimeoutError:
            raise QueryTimedOut() from None

    def find_all(self, text: str, ctx: CallContext) -> list[Match]:
        """Every non-overlapping match in ``text``, left to right."""
        found: list[Match] = []
        if self.compiled is None:
            assert self.fallback is not None
            _time_left(ctx)
            for plain in self.fallback.finditer(text):
                found.append(plain)
                if len(found) % _MATCHES_PER_DEADLINE_CHECK == 0:
                    ctx.check_deadline()
            return found
        try:
            for match in self.compiled.finditer(text, concurrent=True, timeout=_time_left(ctx)):
                found.append(match)
                if len(found) % _MATCHES_PER_DEADLINE_CHECK == 0:
                    ctx.check_deadline()
        except TimeoutError:
            raise QueryTimedOut() from None
        return found


MAX_EXPANDED_SIZE = 10_000
"""The most pattern elements counted repetition may expand to for ``regex`` to compile it
(about 50 ms at the limit); bigger patterns match with ``re``."""

_COUNTED = re.compile(r"\{(\d*)(?:(,)(\d*))?\}")


def expanded_size(pattern: str) -> int:
    """How many elements a Python-syntax ``pattern`` holds once its counted repetitions
    (``x{m}``, ``x{m,n}``, ``x{m,}``) are written out: a generous estimate (alternatives are
    added, not compared), capped so a pathological pattern stays a small number to compute."""
    cap = MAX_EXPANDED_SIZE * 1000
    frames = [[0, 0]]  # per open group: [elements so far, elements of the last atom]
    index, length = 0, len(pattern)
    while index < length:
        char = pattern[index]
        frame = frames[-1]
        if char == "(":
            frames.append([0, 0])
            index += 1
            continue
        if char == ")" and len(frames) > 1:
            inner = frames.pop()
            atom = max(inner[0], 1)
            frames[-1][0] = min(frames[-1][0] + atom, cap)
            frames[-1][1] = atom
            index += 1
            continue
        if char == "{":
            counted = _COUNTED.match(pattern, index)
            if counted is not None and (counted[1] or counted[3]):
                count = max(int(counted[1] or 0), int(counted[3] or 0))
                frame[0] = min(frame[0] + frame[1] * max(count - 1, 0), cap)
                frame[1] = min(frame[1] * count, cap)
                index = counted.end()
                continue
        if char == "\\":
            index += 2
        elif char == "[":
            index = _class_end(pattern, index)
        else:
            index += 1
        frame[0] = min(frame[0] + 1, cap)
        frame[1] = 1
    return max(frames[0][0], max((frame[0] for frame in frames), default=0))


def _class_end(pattern: str, start: int) -> int:
    """The index just past the character class opening at ``start``."""
    index = start + 1
    if index < len(pattern) and pattern[index] == "^":
        index += 1
    if index < len(pattern) and pattern[index] == "]":
        index += 1
    while index < len(pattern) and pattern[index] != "]":
        index += 2 if pattern[index] == "\\" else 1
    return index + 1


_MATCHES_PER_DEADLINE_CHECK = 1024
"""Matches collected by ``find_all`` between two looks at the clock."""


def _time_left(ctx: CallContext) -> float | None:
    """Seconds the regex engine may match for, ``None`` for no limit; ``QueryTimedOut`` if
    the query is already past its deadline."""
    left = ctx.seconds_left()
    if left is not None and left <= 0:
        raise QueryTimedOut()
    return left


@lru_cache(maxsize=256)
def compile_java_regex(pattern: str) -> JavaRegex:
    """Compile a Java regex, or raise ``invalid_regex`` with Java's description."""
    translator = _Translator(pattern)
    try:
        translated = translator.translate()
    except _JavaSyntaxError as error:
        raise invalid_regex(error.description, error.index) from None
    flags: int = re.ASCII
    leading = re.match(r"\(\?([a-zA-Z]*)\)", pattern)
    if leading and ("u" in leading[1] or "U" in leading[1]):
        # Java's UNICODE_CASE / UNICODE_CHARACTER_CLASS: Python's default Unicode matching.
        flags = 0
        translated = re.sub(
            r"^\(\?([a-zA-Z]*)\)",
            lambda m: (
                "(?" + m[1].replace("U", "").replace("u", "") + ")" if m[1].strip("uU") else ""
            ),
            translated,
        )
    try:
        # Checked by `re`, whose error messages and positions map onto Java's.
        checked = re.compile(translated, flags)
    except OverflowError:
        # A repetition count past what ``re`` holds (2**32 - 2); Java's limit is lower still.
        huge = re.search(r"\{\d*,?\d{10,}", pattern)
        raise invalid_regex("Illegal repetition range", huge.start() if huge else 0) from None
    except re.error as error:
        index = translator.original_index(error.pos or 0)
        description, java_index = _java_description(error, pattern, index)
        raise invalid_regex(description, java_index) from None
    if expanded_size(translated) > MAX_EXPANDED_SIZE:
        return JavaRegex(None, checked)
    engine_flags = regex.VERSION0 | (regex.ASCII if flags == re.ASCII else regex.UNICODE)
    try:
        return JavaRegex(regex.compile(translated, engine_flags))
    except (regex.error, OverflowError) as error:
        raise invalid_regex(str(error).capitalize(), 0) from None
