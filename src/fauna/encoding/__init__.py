"""FaunaDB's tagged wire format (encoder and decoder) and the classes of a query's outcome."""

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
    "ConstraintFailure",
    "EncodingError",
    "FaunaDecoder",
    "FaunaEncoder",
    "QueryInfo",
    "QueryStats",
    "QuerySuccess",
    "QueryTags",
]
