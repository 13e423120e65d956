"""FaunaDB's schema language (FSL): parse schema files, print schema trees.

* ``parse_fsl(text, filename)`` / ``parse_schema({filename: text, ...})``: ``fsl_ast`` trees,
  or a ``SchemaError`` whose diagnostics name file, line and column.
* ``print_fsl(tree)``: canonical FSL text; ``parse_fsl(print_fsl(x)) == x``.
* ``collection_definition(collection)`` / ``collection_from_definition(document)``: an FSL
  collection as the document ``Collection.create({...})`` takes, and back.

Applying a schema to a database (the ``/schema/1`` endpoints) is not done here.
"""

from faunalite.schema.fsl_convert import collection_definition, collection_from_definition
from faunalite.schema.fsl_errors import SchemaError
from faunalite.schema.fsl_parser import parse_fsl, parse_schema
from faunalite.schema.fsl_printer import print_fsl

__all__ = [
    "SchemaError",
    "collection_definition",
    "collection_from_definition",
    "parse_fsl",
    "parse_schema",
    "print_fsl",
]
