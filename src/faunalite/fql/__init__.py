"""The FQL v10 language: lexer, parser, AST, interpreter and standard library.

Data flows one way: ``lexer`` turns source text into tokens, ``parser`` turns tokens into the
``ast`` tree, ``interpreter`` evaluates the tree over the runtime ``values``, calling the
``stdlib`` method tables. Nothing here does I/O; storage is reached through the interface in
``faunalite.storage``.
"""

import sys
import threading

PYTHON_RECURSION_LIMIT = 100_000
"""Python frames the engine may need: FaunaDB allows 2048 nested FQL calls, each several Python
frames deep. Raised once, at import, because the limit is process-wide: raising and restoring it
around each query would race between the server's worker threads."""

QUERY_THREAD_STACK_BYTES = 512 * 1024 * 1024
"""The C stack a thread needs for ``PYTHON_RECURSION_LIMIT`` frames of the deepest walks over
values (display, equality, encoding: a value built at run time can be that deep). Measured on
CPython 3.11: 99 000 levels of recursion through C calls need 32-64 MiB, so this leaves eight
times that. Only address space is reserved; pages are committed as the stack grows. With the
default 8 MiB stack such a walk ends the process with SIGSEGV instead of a ``RecursionError``."""


def ensure_recursion_limit() -> None:
    """Raise the process's recursion limit to ``PYTHON_RECURSION_LIMIT`` if it is lower.

    Called at import and again before each query: other code may lower the limit after
    the import (Hypothesis, for one, restores the limit it saw when a test began), and the
    engine's FQL stack limit is only FaunaDB's if the Python frames fit under it."""
    if sys.getrecursionlimit() < PYTHON_RECURSION_LIMIT:
        sys.setrecursionlimit(PYTHON_RECURSION_LIMIT)


ensure_recursion_limit()


def use_query_thread_stacks() -> None:
    """Make threads started from now on big enough for ``PYTHON_RECURSION_LIMIT`` (the
    server calls this before its worker threads exist). Process-wide, like the limit."""
    if threading.stack_size() < QUERY_THREAD_STACK_BYTES:
        threading.stack_size(QUERY_THREAD_STACK_BYTES)
