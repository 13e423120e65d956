"""faunalite: a local FaunaDB (FQL v10 engine on SQLite with FaunaDB's HTTP wire protocol)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from faunalite.testing import BackgroundServer, serve_in_background

__all__ = ["BackgroundServer", "serve_in_background"]


def __getattr__(name: str) -> Any:
    # Loaded on first use so that importing the FQL packages does not start the server stack.
    if name in __all__:
        from faunalite import testing

        return getattr(testing, name)
    raise AttributeError(f"module 'faunalite' has no attribute {name!r}")
