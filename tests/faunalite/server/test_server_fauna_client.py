"""Our ``fauna`` driver against faunalite, end to end, unchanged."""

from __future__ import annotations

import pytest

from faunalite.testing import BackgroundServer


def test_driver_round_trip(faunalite_server: BackgroundServer) -> None:
    # The driver is being written alongside; until all of it imports, this test waits.
    fauna_query = pytest.importorskip("fauna.query", exc_type=ImportError)
    fauna_client = pytest.importorskip("fauna.client", exc_type=ImportError)
    fauna_errors = pytest.importorskip("fauna.errors", exc_type=ImportError)
    client = fauna_client.Client(endpoint=faunalite_server.endpoint, secret=faunalite_server.secret)
    try:
        success = client.query(fauna_query.fql("${x} + 1", x=41))
        assert success.data == 42
        assert success.txn_ts > 0
        assert success.stats.compute_ops >= 1
        with pytest.raises(fauna_errors.AbortError) as aborted:
            client.query(fauna_query.fql("abort('stop')"))
        assert aborted.value.abort == "stop"
        with pytest.raises(fauna_errors.QueryCheckError):
            client.query(fauna_query.fql("1 +"))
    finally:
        client.close()
