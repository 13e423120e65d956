"""FaunaDB's verbatim error summaries from the reference notes (fql-language.md §5.4).

Shared by the renderer's unit tests and the end-to-end tests that check the same summaries
through the driver, so each expected text is written once.
"""

DIVIDE_BY_ZERO = (
    "error: Attempted integer division by zero.\nat *query*:1:7\n  |\n1 | 234 / 0\n  |       ^\n  |"
)
"""``234 / 0``."""

NULL_WITH_HINT_AND_TRACE = (
    "error: Null literal value\n"
    "at *query*:2:24\n"
    "  |\n"
    "2 | [1, 2].firstWhere(v => myVal!)\n"
    "  |                        ^^^^^^\n"
    "  |\n"
    "hint: Null value created here\n"
    "at *query*:1:13\n"
    "  |\n"
    "1 | let myVal = null\n"
    "  |             ^^^^\n"
    "  |\n"
    "trace:\n"
    "  |\n"
    "2 | [1, 2].firstWhere(v => myVal!)\n"
    "  |                  ^^^^^^^^^^^^^\n"
    "  |"
)
"""``let myVal = null\\n[1, 2].firstWhere(v => myVal!)``."""

ABORT_THROUGH_TWO_UDFS = (
    "error: Query aborted.\n"
    "at *udf:errFunc*:1:12\n"
    "  |\n"
    '1 | () => abort("tracer")\n'
    "  |            ^^^^^^^^^^\n"
    "  |\n"
    "at *udf:eventuallyError*:1:14\n"
    "  |\n"
    "1 | () => errFunc()\n"
    "  |              ^^\n"
    "  |\n"
    "at *query*:2:16\n"
    "  |\n"
    "2 | eventuallyError()\n"
    "  |                ^^\n"
    "  |"
)
"""``\\neventuallyError()\\n`` with ``errFunc`` = ``() => abort("tracer")`` and
``eventuallyError`` = ``() => errFunc()``."""
