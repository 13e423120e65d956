"""Building queries (``fql``, ``Query``) and the Python values of FaunaDB types."""

from fauna.query.fauna_time import FaunaTime
from fauna.query.models import (
    Document,
    DocumentReference,
    EventSource,
    Module,
    NamedDocument,
    NamedDocumentReference,
    NullDocument,
    Page,
)
from fauna.query.query_builder import Query, fql

__all__ = [
    "Document",
    "DocumentReference",
    "EventSource",
    "FaunaTime",
    "Module",
    "NamedDocument",
    "NamedDocumentReference",
    "NullDocument",
    "Page",
    "Query",
    "fql",
]
