"""OpenTelemetry for the Fauna clients (the ``fauna[otel]`` extra).

Turn it on for every client::

    import fauna.telemetry
    fauna.telemetry.instrument()        # OpenTelemetry's global tracer and meter providers

or for one client, ``Client(telemetry=True)`` (or a ``Telemetry`` naming its
own providers); ``Client(telemetry=False)`` keeps one client out of it.
Each query, each page of ``paginate``, each feed page and each stream gets
a CLIENT span following the OpenTelemetry database conventions, and every
operation but streams is timed in the ``db.client.operation.duration``
histogram; requests carry the current span as ``traceparent``. What the
spans hold is described in ``fauna.client._telemetry``.

This module imports nothing from OpenTelemetry itself; ``instrument()`` and
``Telemetry`` clients raise ``ImportError`` when it is not installed.
"""

from fauna.client._telemetry import (
    DURATION_METRIC,
    SYSTEM_NAME,
    Telemetry,
    instrument,
    uninstrument,
)

__all__ = ["DURATION_METRIC", "SYSTEM_NAME", "Telemetry", "instrument", "uninstrument"]
