"""Well-known FaunaDB endpoints.

Only named constants live here; which endpoint a client uses is decided in
``fauna.client._config``. FaunaDB is self-hosted now, so ``Default`` (the
retired hosted service) is kept for compatibility but is never a fallback.
"""


class Endpoints:
    """Named endpoint URLs."""

    Default = "https://db.fauna.com"
    """The former hosted Fauna service. Kept as a constant only."""

    Local = "http://localhost:8443"
    """A FaunaDB node on this machine (the API listener's default port)."""
