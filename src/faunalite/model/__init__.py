"""faunalite's data model: the FQL values backed by storage (sets, documents, collections).

This package sits between the FQL engine (``faunalite.fql``) and storage
(``faunalite.storage``). Import the submodules directly; this package imports nothing so that
``faunalite.fql.stdlib`` can load its pieces without import cycles.
"""
