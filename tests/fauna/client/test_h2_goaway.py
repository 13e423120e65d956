"""``GoawayHold``, the frame filter that lets streams covered by a graceful GOAWAY finish.

Bytes in, bytes out, no sockets: frames are built with h2's own frame
classes (hyperframe), so what the filter parses is what goes on the wire.
The HTTP/2 behaviour end to end (both clients, a real server on loopback) is
in ``test_http2.py``.
"""

from __future__ import annotations

import httpcore
import httpx
import pytest
from hyperframe.frame import (
    ContinuationFrame,
    DataFrame,
    GoAwayFrame,
    HeadersFrame,
    RstStreamFrame,
    SettingsFrame,
)

from fauna.client._h2_goaway import PREFACE, GoawayHold, reraise_as_httpx

INTERNAL_ERROR = 0x2


def headers(stream_id: int, *flags: str) -> bytes:
    return HeadersFrame(stream_id, data=b"\x82", flags=["END_HEADERS", *flags]).serialize()


def data(stream_id: int, *flags: str) -> bytes:
    return DataFrame(stream_id, data=b"{}", flags=list(flags)).serialize()


def goaway(last_stream_id: int, error_code: int = 0) -> bytes:
    return GoAwayFrame(0, last_stream_id=last_stream_id, error_code=error_code).serialize()


def opened(*stream_ids: int) -> GoawayHold:
    """A filter on an HTTP/2 connection whose client opened ``stream_ids``."""
    hold = GoawayHold()
    hold.outgoing(PREFACE + SettingsFrame(0).serialize())
    for stream_id in stream_ids:
        hold.outgoing(headers(stream_id, "END_STREAM"))
    return hold


def test_a_graceful_goaway_waits_for_the_streams_it_covers() -> None:
    hold = opened(1, 3)
    settings = SettingsFrame(0).serialize()
    assert hold.incoming(settings + goaway(3)) == settings
    assert hold.holding and hold.waiting_streams == {1, 3}
    response = headers(1) + data(1, "END_STREAM")
    assert hold.incoming(response) == response
    assert hold.holding
    # The last covered stream ends: its frames, then the GOAWAY, in one read.
    last = headers(3) + data(3, "END_STREAM")
    assert hold.incoming(last) == last + goaway(3)
    assert not hold.holding and hold.waiting_streams == set()


def test_streams_above_the_last_stream_id_do_not_hold_the_goaway() -> None:
    hold = opened(1, 3)
    assert hold.incoming(goaway(1)) == b""
    answer = headers(1, "END_STREAM")
    assert hold.incoming(answer) == answer + goaway(1)
    assert hold.waiting_streams == {3}


def test_with_nothing_waiting_the_goaway_passes_at_once() -> None:
    hold = opened()
    assert hold.incoming(goaway(0)) == goaway(0)


def test_a_goaway_with_an_error_code_passes_at_once_and_drops_a_held_one() -> None:
    hold = opened(1)
    assert hold.incoming(goaway(1)) == b""
    assert hold.incoming(goaway(1, INTERNAL_ERROR)) == goaway(1, INTERNAL_ERROR)
    assert not hold.holding
    assert hold.incoming(data(1, "END_STREAM")) == data(1, "END_STREAM")


def test_a_later_graceful_goaway_replaces_the_held_one() -> None:
    # Servers first send a GOAWAY with the largest stream id, then one with the real last.
    hold = opened(1, 3)
    assert hold.incoming(goaway(2**31 - 1)) == b""
    assert hold.incoming(goaway(1)) == b""
    assert hold.incoming(headers(1, "END_STREAM")) == headers(1, "END_STREAM") + goaway(1)


def test_frames_split_across_reads_are_passed_whole() -> None:
    hold = opened(1)
    frames = headers(1) + data(1, "END_STREAM") + goaway(1)
    passed = b"".join(hold.incoming(frames[n : n + 5]) for n in range(0, len(frames), 5))
    assert passed == frames


def test_resets_end_streams_both_ways() -> None:
    hold = opened(1, 3)
    assert hold.incoming(goaway(3)) == b""
    hold.outgoing(RstStreamFrame(1, error_code=0x8).serialize())
    reset = RstStreamFrame(3, error_code=INTERNAL_ERROR).serialize()
    assert hold.incoming(reset) == reset + goaway(3)


def test_a_header_block_ends_its_stream_with_its_last_continuation() -> None:
    hold = opened(1)
    assert hold.incoming(goaway(1)) == b""
    start = HeadersFrame(1, data=b"\x82", flags=["END_STREAM"]).serialize()
    assert hold.incoming(start) == start
    rest = ContinuationFrame(1, data=b"\x84", flags=["END_HEADERS"]).serialize()
    assert hold.incoming(rest) == rest + goaway(1)


def test_when_the_server_hangs_up_the_held_goaway_goes_on() -> None:
    hold = opened(1)
    assert hold.incoming(goaway(1) + data(1)[:4]) == b""
    assert hold.end_of_input() == goaway(1) + data(1)[:4]
    assert hold.end_of_input() == b""


def test_http1_connections_pass_untouched() -> None:
    hold = GoawayHold()
    hold.outgoing(b"POST /query/1 HTTP/1.1\r\n\r\n")
    # Bytes that happen to look like a GOAWAY frame are not touched.
    assert hold.incoming(goaway(0)) == goaway(0)
    assert hold.incoming(b"HTTP/1.1 200 OK\r\n") == b"HTTP/1.1 200 OK\r\n"


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (httpcore.ReadTimeout("slow"), httpx.ReadTimeout),
        (httpcore.RemoteProtocolError("gone"), httpx.RemoteProtocolError),
        (httpcore.ConnectError("refused"), httpx.ConnectError),
        (httpcore.WriteError("broken"), httpx.WriteError),
    ],
)
def test_httpcore_errors_become_the_httpx_ones(raised: Exception, expected: type) -> None:
    with pytest.raises(expected) as caught:
        reraise_as_httpx(raised)
    assert type(caught.value) is expected and caught.value.__cause__ is raised
    assert str(caught.value) == str(raised)


def test_other_errors_pass_as_they_are() -> None:
    error = ValueError("not a transport error")
    with pytest.raises(ValueError) as caught:
        reraise_as_httpx(error)
    assert caught.value is error
