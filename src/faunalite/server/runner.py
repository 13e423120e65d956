"""Running the app under Uvicorn so that a shutdown does not wait for event streams.

Uvicorn shuts down gracefully: it waits for every open response to finish. A ``/stream/1``
response never finishes on its own, so ``StreamEndingServer`` first ends the app's streams
(``FaunaliteApp.close_streams``), as a FaunaDB node does when it stops: each stream body just
ends and its client reconnects from its last cursor, possibly to the restarted server.
"""

from __future__ import annotations

import socket

import uvicorn

from faunalite.server.app import FaunaliteApp


class StreamEndingServer(uvicorn.Server):
    """A ``uvicorn.Server`` for a ``FaunaliteApp`` that ends its streams on shutdown."""

    def __init__(self, config: uvicorn.Config, app: FaunaliteApp) -> None:
        super().__init__(config)
        self.faunalite_app = app

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.faunalite_app.close_streams()
        await super().shutdown(sockets)
