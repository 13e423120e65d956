"""faunalite's HTTP server: FaunaDB's wire protocol over an ``Engine``, as an ASGI app.

``create_app(engine, root_secret=...)`` builds the app; ``faunalite.cli`` and
``faunalite.testing`` run it under Uvicorn.
"""

from faunalite.server.app import FaunaliteApp, create_app
from faunalite.server.body import MAX_BODY_BYTES

__all__ = ["MAX_BODY_BYTES", "FaunaliteApp", "create_app"]
