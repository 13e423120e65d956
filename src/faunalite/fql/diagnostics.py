"""FaunaDB's ``summary`` text: errors, hints, stack traces and log lines with source excerpts.

A rendered diagnostic looks like::

    error: Attempted integer division by zero.
    at *query*:1:7
      |
    1 | 234 / 0
      |       ^
      |

Hints (``hint:``, ``cause:``) and outer stack frames follow the error in the same form; their
``at`` line is left out when they sit on the same line of the same source as the error. The
summary of a response joins every rendered part with a blank line (``join_summary``).

Lines and columns are 1-based and count code points (FaunaDB counts UTF-16 units, which only
differs after characters outside the Basic Multilingual Plane). This module only formats; it
decides nothing about which span an error reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from faunalite.fql.errors import CheckDiagnostic, Hint, QueryCheckError, QueryError
from faunalite.fql.span import Span

_TEMPLATE_SIGIL = "\0"
"""FaunaDB marks template placeholders with NUL in source text and shows them as ``<``."""


def render_error(error: QueryError) -> str:
    """The summary of ``error``: every check diagnostic, or the runtime error with its trace."""
    if isinstance(error, QueryCheckError):
        return join_summary([_render_check(diagnostic) for diagnostic in error.diagnostics])
    message = error.message + _constraint_failure_lines(error.constraint_failures)
    if error.span is None:
        return f"error: {message}"
    frames = [
        Hint("trace" if index == 0 and error.hints else "", "", frame)
        for index, frame in enumerate(error.trace)
    ]
    return _render_with_hints("error", message, error.span, None, [*error.hints, *frames])


def render_log(span: Span, text: str) -> str:
    """The short form of a ``log()`` line: ``info at *query*:<line>: <text>``."""
    line = span.source.text.count("\n", 0, span.start) + 1
    return f"info at {span.source.name}:{line}: {text}"


def render_debug(span: Span, text: str) -> str:
    """The long form used by ``dbg()``: ``info: <text>`` with the source excerpt."""
    return _render_one("info", text, span, None, None)


def join_summary(parts: list[str]) -> str:
    """Join rendered diagnostics the way FaunaDB's ``summary`` does (blank line between)."""
    return "\n\n".join(part for part in parts if part)


def _render_check(diagnostic: CheckDiagnostic) -> str:
    return _render_with_hints(
        "error", diagnostic.message, diagnostic.span, diagnostic.annotation, diagnostic.hints
    )


def _render_with_hints(
    name: str, message: str, span: Span, annotation: str | None, hints: list[Hint]
) -> str:
    parts = [_render_one(name, message, span, annotation, None)]
    line, _ = _line_and_column(span)
    for hint in hints:
        if hint.span is None:
            parts.append(_header(hint.kind, hint.message))
        else:
            parts.append(_render_one(hint.kind, hint.message, hint.span, None, (line, span)))
    return "\n".join(part for part in parts if part)


def _render_one(
    name: str,
    message: str,
    span: Span,
    annotation: str | None,
    parent: tuple[int, Span] | None,
) -> str:
    """One diagnostic; ``parent`` (line, span) suppresses ``at`` for the same line and source."""
    excerpt = _annotate(span, annotation or "")
    header = _header(name, message)
    out = [header] if header else []
    same_place = parent is not None and (
        parent[0] == excerpt.line and parent[1].source == span.source
    )
    if not same_place:
        out.append(f"at {span.source.name}:{excerpt.line}:{excerpt.column}")
    out.append(excerpt.text)
    return "\n".join(out)


def _header(name: str, message: str) -> str:
    if not name:
        return ""
    return f"{name}: {message}" if message else f"{name}:"


def _constraint_failure_lines(failures: list[dict[str, Any]] | None) -> str:
    """``constraint failures:`` followed by ``  <path>: <message>`` per failure; a message's
    later lines (an error it quotes) are indented four more spaces, as FaunaDB renders them
    (``Default field evaluation failed.`` then ``      error: ...``)."""
    if not failures:
        return ""
    lines = ["constraint failures:"]
    for failure in failures:
        paths = failure.get("paths") or []
        rendered = ", ".join(".".join(str(step) for step in path) for path in paths)
        message = str(failure.get("message", "")).replace("\n", "\n    ")
        lines.append(f"  {rendered}: {message}" if rendered else f"  {message}")
    return "\n" + "\n".join(lines)


@dataclass(frozen=True, slots=True)
class _Excerpt:
    text: str
    line: int
    column: int


def _visible_text_and_span(span: Span) -> tuple[str, int, int]:
    """The source without trailing blanks, and the span moved onto it if it pointed past.

    A span at the very end of a query (``Expected expression`` after ``let a =``) is drawn
    on the last line that has visible characters.
    """
    visible = span.source.text.rstrip()
    start, end = span.start, span.end
    if start > len(visible):
        shift = start - len(visible)
        start, end = start - shift, end - shift
    return visible or " ", start, end


def _split_lines(text: str) -> list[str]:
    """Lines with their ``\\n`` kept (the last one may have none)."""
    lines = text.split("\n")
    with_breaks = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        with_breaks.append(lines[-1])
    return with_breaks or [""]


def _locate(lines: list[str], offset: int) -> tuple[int, int]:
    """Index of the line holding ``offset`` and that line's start (last line if past the end)."""
    line_start = 0
    for index, line in enumerate(lines):
        if offset < line_start + len(line) or index == len(lines) - 1:
            return index, line_start
        line_start += len(line)
    return len(lines) - 1, line_start


def _line_and_column(span: Span) -> tuple[int, int]:
    text, start, _ = _visible_text_and_span(span)
    index, line_start = _locate(_split_lines(text), start)
    return index + 1, start - line_start + 1


def _annotate(span: Span, annotation: str, underline: str = "^") -> _Excerpt:
    text, start, end = _visible_text_and_span(span)
    lines = _split_lines(text)
    index, line_start = _locate(lines, start)
    length = end - start
    indent = start - line_start
    line = lines[index]
    rows: list[tuple[str, str, str]] = [("| ", "", "")]
    rows.append((f"{index + 1} | ", "", line.replace(_TEMPLATE_SIGIL, "<")))
    has_more_lines = index + 1 < len(lines)
    if indent + length <= len(line) or not has_more_lines:
        marks = " " * indent + underline * length
        rows.append(("| ", "", f"{marks} {annotation}" if annotation else marks))
    else:
        rows.append(("| ", " _", "_" * indent + underline))
        remaining = length - (len(line) - indent)
        next_index = index + 1
        while remaining > 0:
            next_line = lines[next_index]
            rows.append((f"{next_index + 1} | ", "| ", next_line.replace(_TEMPLATE_SIGIL, "<")))
            next_index += 1
            if remaining - len(next_line) <= 0 or next_index >= len(lines):
                rows.append(("| ", "|_", "_" * (remaining - 1) + "^"))
                break
            remaining -= len(next_line)
    rows.append(("| ", "", ""))
    prefix_width = max(len(prefix) for prefix, _, _ in rows)
    gutter_width = max(len(gutter) for _, gutter, _ in rows)
    rendered = "\n".join(
        (prefix.rjust(prefix_width) + gutter.rjust(gutter_width) + content).rstrip()
        for prefix, gutter, content in rows
    )
    return _Excerpt(rendered, index + 1, indent + 1)
