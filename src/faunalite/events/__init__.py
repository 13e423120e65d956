"""Event streams and feeds: event sources, their tokens, and turning commits into events.

* ``capture``: functions and values kept as FQL source text plus captured data;
* ``sources``: ``EventSourceSpec``, the signed token and the FQL ``EventSource`` value;
* ``translate``: the change log of a source read as FaunaDB's ``add``/``update``/``remove``
  events (used by ``/stream/1`` and ``/feed/1`` in ``faunalite.server.events``).

The FQL methods (``set.eventSource()``...) are in ``faunalite.fql.stdlib.event_sources``.
"""
