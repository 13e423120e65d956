"""The FQL v10 language: lexer, parser, AST, interpreter and standard library.

Data flows one way: ``lexer`` turns source text into tokens, ``parser`` turns tokens into the
``ast`` tree, ``interpreter`` evaluates the tree over the runtime ``values``, calling the
``stdlib`` method tables. Nothing here does I/O; storage is reached through the interface in
``faunalite.storage``.
"""

import sys

PYTHON_RECURSION_LIMIT = 100_000
"""Python frames the engine may need: FaunaDB allows 2048 nested FQL calls, each several Python
frames deep. Raised once, at import, because the limit is process-wide: raising and restoring it
around each query would race between the server's worker threads."""

if sys.getrecursionlimit() < PYTHON_RECURSION_LIMIT:
    sys.setrecursionlimit(PYTHON_RECURSION_LIMIT)
