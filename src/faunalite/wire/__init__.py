"""FaunaDB's wire formats: values to and from JSON, and the request's query template.

``encode_tagged``/``encode_simple`` (and ``ValueEncoder`` for per-response options) write
values; ``decode_tagged``/``decode_simple`` read request arguments and template values;
``flatten_query`` turns a request's ``query`` into FQL text with placeholders. No I/O here.
"""

from faunalite.wire.decoding import (
    STDLIB_RESOLVER,
    InvalidValue,
    StdlibResolver,
    ValueResolver,
    decode_simple,
    decode_tagged,
)
from faunalite.wire.encoding import (
    JSON,
    UnencodableValueError,
    ValueEncoder,
    encode_simple,
    encode_tagged,
    register_storage_encoder,
)
from faunalite.wire.template import (
    FlatQuery,
    InvalidTemplate,
    Placeholder,
    flatten_query,
    json_object_from_pairs,
)

__all__ = [
    "JSON",
    "STDLIB_RESOLVER",
    "FlatQuery",
    "InvalidTemplate",
    "InvalidValue",
    "Placeholder",
    "StdlibResolver",
    "UnencodableValueError",
    "ValueEncoder",
    "ValueResolver",
    "decode_simple",
    "decode_tagged",
    "encode_simple",
    "encode_tagged",
    "flatten_query",
    "json_object_from_pairs",
    "register_storage_encoder",
]
