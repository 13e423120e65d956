"""FaunaDB's schema language (FSL): parse schema files, print schema trees.

* ``parse_fsl(text, filename)`` / ``parse_schema({filename: text, ...})``: ``fsl_ast`` trees,
  or a ``SchemaError`` whose diagnostics name file, line and column.
* ``print_fsl(tree)``: canonical FSL text; ``parse_fsl(print_fsl(x)) == x``.
* ``definition(item)`` (``collection_definition``, ``function_definition``, ...) and
  ``collection_from_definition(document)`` (and the function, role and access-provider
  ones): an FSL item as the document ``Collection.create({...})`` & co. take, and back.
* ``generated_schema(items)``: the ``main.fsl`` FaunaDB derives from a schema made in FQL.

``fsl_diff`` compares items and renders FaunaDB's schema diffs. Applying a schema to a
database (the ``/schema/1`` endpoints) is not done here but in ``faunalite.schema_sync``.
"""

from faunalite.schema.fsl_convert import collection_definition, collection_from_definition
from faunalite.schema.fsl_definitions import (
    PREAMBLE,
    access_provider_definition,
    access_provider_from_definition,
    definition,
    function_definition,
    function_from_definition,
    generated_schema,
    role_definition,
    role_from_definition,
)
from faunalite.schema.fsl_errors import SchemaError
from faunalite.schema.fsl_parser import parse_fsl, parse_schema
from faunalite.schema.fsl_printer import print_fsl

__all__ = [
    "PREAMBLE",
    "SchemaError",
    "access_provider_definition",
    "access_provider_from_definition",
    "collection_definition",
    "collection_from_definition",
    "definition",
    "function_definition",
    "function_from_definition",
    "generated_schema",
    "parse_fsl",
    "parse_schema",
    "print_fsl",
    "role_definition",
    "role_from_definition",
]
