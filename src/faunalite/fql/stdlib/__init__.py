"""The FQL standard library: one module per type, each filling the tables in ``registry``.

Importing this package registers every method. To see what exists for a type, read its module;
to add a method, add a decorated function there.
"""
