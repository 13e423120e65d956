"""A bounded fuzzing run: no request may make the server answer 5xx, reset, crash or hang.

About 35 seconds of requests from a fixed seed (``FUZZ_SEED`` in the environment picks
another) against a ``faunalite serve`` child process; the summary table is printed (``-s``
shows it) and each failure is listed in the assertion message. The long campaign is
``benchmarks/fuzz_campaign.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from fuzz.runner import run_campaign

SEED = int(os.environ.get("FUZZ_SEED", "20261204"))
REQUESTS = 3000
TIME_BUDGET_SECONDS = 35.0
CONCURRENCY = 2


def _findings(path: Path, limit: int = 5) -> str:
    if not path.exists():
        return ""
    lines = path.read_text(encoding="utf-8").splitlines()
    shown = []
    for line in lines[:limit]:
        record = json.loads(line)
        request = record["request"]
        shown.append(
            f"{record['verdict']} {record['status']} {request['method']} {request['path']} "
            f"{request['body'][:200]!r} -> {record['detail'][:200]}"
        )
    return "\n".join(shown)


def test_fuzzed_requests_never_break_the_server(tmp_path: Path) -> None:
    findings = tmp_path / "findings.jsonl"
    summary = run_campaign(
        requests=REQUESTS,
        seed=SEED,
        concurrency=CONCURRENCY,
        out_path=findings,
        time_budget=TIME_BUDGET_SECONDS,
    )
    print()
    print(summary.table())
    assert summary.requests >= 200, "too few requests to mean anything"
    failures = {kind: summary.outcomes[kind] for kind in ("5xx", "reset", "crash", "hang")}
    assert not any(failures.values()), f"{failures}\n{_findings(findings)}"
