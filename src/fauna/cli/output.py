"""How the ``fauna`` command prints a query's data in each ``--format``.

``json`` is FaunaDB's simple format (plain JSON, for scripts and ``jq``), ``tagged`` its tagged
format (types kept: ``{"@int": "1"}``), ``pretty`` its decorated format (FQL-like text, what a
person reads). Each maps to the ``X-Format`` the query is sent with.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from fauna.cli.connection import WireFormat

OutputFormat = Literal["json", "tagged", "pretty"]
OUTPUT_FORMATS: tuple[OutputFormat, ...] = ("json", "tagged", "pretty")

WIRE_FORMAT: dict[OutputFormat, WireFormat] = {
    "json": "simple",
    "tagged": "tagged",
    "pretty": "decorated",
}


def render(data: Any, output: OutputFormat) -> str:
    """The text to print for ``data`` as received in ``WIRE_FORMAT[output]``."""
    if output == "pretty" and isinstance(data, str):
        return data
    return json.dumps(data, indent=2, ensure_ascii=False)
