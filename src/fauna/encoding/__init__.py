"""FaunaDB's tagged wire format (encoder and decoder) and the classes of a query's outcome.

Also the bridge to user types: ``register_codec`` (a type's wire form both ways) and
``decode_into`` (what ``client.query(q, into=T)`` does to the result's data).
"""

from fauna.encoding._registry import Codec, register_codec, unregister_codec
from fauna.encoding._typed import decode_into
from fauna.encoding.decoder import FaunaDecoder
from fauna.encoding.encoder import EncodingError, FaunaEncoder
from fauna.encoding.wire_protocol import (
    ConstraintFailure,
    QueryInfo,
    QueryStats,
    QuerySuccess,
    QueryTags,
)

__all__ = [
    "Codec",
    "ConstraintFailure",
    "EncodingError",
    "FaunaDecoder",
    "FaunaEncoder",
    "QueryInfo",
    "QueryStats",
    "QuerySuccess",
    "QueryTags",
    "decode_into",
    "register_codec",
    "unregister_codec",
]
