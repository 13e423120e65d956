"""A long fuzzing campaign against ``faunalite serve`` (issue 17: nothing may crash it).

Sends ``--requests`` requests made by ``tests/fuzz/generator.py`` from ``--seed`` over
``--concurrency`` connections to a faunalite child process, restarting it if it dies or
hangs, writes every failing (or slow) request as a JSON line to ``--out``, and prints the
summary table. Exits 1 if there was any 5xx, reset, crash or hang. Usage::

    .venv/bin/python benchmarks/fuzz_campaign.py --requests 100000 --seed 17 \\
        --concurrency 4 --out fuzz-findings.jsonl

The same seed gives the same requests (their interleaving varies with ``--concurrency``).
``--replay FINDINGS`` sends a findings file's requests again, one at a time, to a new server.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fuzz.runner import REQUEST_TIMEOUT_SECONDS, replay_findings, run_campaign


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100_000, help="requests to send")
    parser.add_argument("--seed", type=int, default=17, help="seed of the request generator")
    parser.add_argument("--concurrency", type=int, default=4, help="connections in parallel")
    parser.add_argument("--out", default="fuzz-findings.jsonl", help="JSON lines of findings")
    parser.add_argument(
        "--time-budget", type=float, default=None, help="stop after this many seconds"
    )
    parser.add_argument(
        "--request-timeout",
        type=float,
        default=REQUEST_TIMEOUT_SECONDS,
        help="seconds before a request counts as slow (a hang if /ping fails too)",
    )
    parser.add_argument(
        "--replay",
        metavar="FINDINGS",
        help="instead of fuzzing, send the requests of a findings file again, one at a time",
    )
    arguments = parser.parse_args()
    # SIGTERM unwinds like Ctrl-C, so the campaign stops its server on the way out.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if arguments.replay:
        replay_findings(arguments.replay, arguments.request_timeout)
        return 0
    summary = run_campaign(
        requests=arguments.requests,
        seed=arguments.seed,
        concurrency=arguments.concurrency,
        out_path=arguments.out,
        time_budget=arguments.time_budget,
        request_timeout=arguments.request_timeout,
        progress_every=max(arguments.requests // 20, 1),
    )
    print(summary.table())
    print(f"\nfindings written to {arguments.out}")
    return 1 if summary.failures else 0


if __name__ == "__main__":
    sys.exit(main())
