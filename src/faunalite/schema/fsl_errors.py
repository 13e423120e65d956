"""Schema (FSL) errors: each problem with its file, line and column, in FaunaDB's form.

A ``SchemaError`` holds one ``CheckDiagnostic`` per problem, each with a span into the named
schema file. Its ``message`` renders them the way FaunaDB's schema endpoints do, one after
another::

    error: Invalid field or member `colour`
    at main.fsl:3:3
      |
    3 |   colour String
      |   ^^^^^^
      |

This module only reports; ``fsl_parser`` decides what is wrong.
"""

from __future__ import annotations

from faunalite.fql.diagnostics import render_error
from faunalite.fql.errors import CheckDiagnostic, QueryCheckError


class SchemaError(Exception):
    """A schema that does not parse or does not make sense; ``diagnostics`` says where."""

    def __init__(self, diagnostics: list[CheckDiagnostic]) -> None:
        self.diagnostics = diagnostics
        self.message = "\n".join(
            render_error(QueryCheckError([diagnostic])) for diagnostic in diagnostics
        )
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"SchemaError({[d.message for d in self.diagnostics]!r})"
