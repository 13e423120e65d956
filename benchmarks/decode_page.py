"""Decode cost of a 1000-document ``/query/1`` body: ``json.loads`` against ``FaunaDecoder.loads``.

Both bodies of ``client_overhead.py`` are used: documents sharing one ``ts``, and a distinct
``ts`` per document. Usage: ``.venv/bin/python benchmarks/decode_page.py``
"""

from __future__ import annotations

import json
import timeit
from collections.abc import Callable
from functools import partial

from client_overhead import BODIES

from fauna.encoding import FaunaDecoder


def best_ms(call: Callable[[], object], number: int = 20, repeat: int = 9) -> float:
    return min(timeit.repeat(call, number=number, repeat=repeat)) / number * 1e3


def main() -> None:
    for case in ("page1000", "page1000ts"):
        body = BODIES[case]
        raw = best_ms(partial(json.loads, body))
        ours = best_ms(partial(FaunaDecoder.loads, body))
        print(
            f"{case:<11} json.loads {raw:6.2f} ms   FaunaDecoder.loads {ours:6.2f} ms   "
            f"{ours / raw:4.2f}x"
        )


if __name__ == "__main__":
    main()
