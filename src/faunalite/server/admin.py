"""faunalite's own HTTP routes, under ``/faunalite/``, in front of the FaunaDB-compatible app.

``POST /faunalite/reset`` with the root secret (``Authorization: Bearer <secret>``) empties the
server (``faunalite.admin.reset``) and answers ``200 {"reset": true}``; a missing or other
secret gets FaunaDB's 401 body, another method a 405. FaunaDB has no such path, so a client
written for FaunaDB never reaches these routes; every other request goes to the wrapped app.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

import anyio.to_thread

from faunalite.admin import reset
from faunalite.engine import unauthorized
from faunalite.server.app import FaunaliteApp, Receive, Scope, Send

RESET_PATH = "/faunalite/reset"


class AdminRoutes:
    """An ASGI app: faunalite's admin routes, then ``app`` for everything else."""

    def __init__(self, app: FaunaliteApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != RESET_PATH:
            await self.app(scope, receive, send)
            return
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in scope["headers"]
        }
        body: dict[str, Any]
        if scope["method"] != "POST":
            status, body = 405, {"error": {"code": "method_not_allowed", "message": "Use POST."}}
        elif not self._is_root(headers.get("authorization", "")):
            result = unauthorized()
            status, body = result.status, result.body
        else:
            await anyio.to_thread.run_sync(reset, self.app.engine)
            status, body = 200, {"reset": True}
        payload = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json;charset=utf-8"),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    def _is_root(self, authorization: str) -> bool:
        scheme, _, secret = authorization.partition(" ")
        return scheme == "Bearer" and hmac.compare_digest(
            secret.encode(), self.app.root_secret.encode()
        )
