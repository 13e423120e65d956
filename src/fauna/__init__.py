"""fauna: Python driver for FaunaDB (FQL v10), compatible with the official ``fauna`` package.

Build queries with ``fql`` and run them with ``fauna.client.Client``; results hold the types
re-exported here. ``fauna.errors`` has the exceptions, ``fauna.encoding`` the wire format.
``to_jsonable``/``from_jsonable`` turn results into plain JSON data and back.
"""

from typing import Any

from fauna.encoding.jsonable import from_jsonable, to_jsonable
from fauna.query import (
    Document,
    DocumentReference,
    Module,
    NamedDocument,
    NamedDocumentReference,
    NullDocument,
    Page,
    fql,
)

__title__ = "Fauna"
__version__ = "2.5.0"
__api_version__ = "10"
__author__ = "Fauna, Inc"
__license__ = "MPL 2.0"
__copyright__ = "2023 Fauna, Inc"

# The HTTP client shared by every Client built without its own ``http_client`` (set lazily by
# ``fauna.client``).
global_http_client: Any = None

__all__ = [
    "Document",
    "DocumentReference",
    "Module",
    "NamedDocument",
    "NamedDocumentReference",
    "NullDocument",
    "Page",
    "fql",
    "from_jsonable",
    "global_http_client",
    "to_jsonable",
]
