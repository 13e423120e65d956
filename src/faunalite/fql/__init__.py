"""The FQL v10 language: lexer, parser, AST, interpreter and standard library.

Data flows one way: ``lexer`` turns source text into tokens, ``parser`` turns tokens into the
``ast`` tree, ``interpreter`` evaluates the tree over the runtime ``values``, calling the
``stdlib`` method tables. Nothing here does I/O; storage is reached through the interface in
``faunalite.storage``.
"""
