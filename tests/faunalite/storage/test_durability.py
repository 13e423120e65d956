"""A SIGKILL never loses an acknowledged commit nor exposes half of a transaction.

A child process commits transactions and prints each one's number only after ``COMMIT``
returned (the acknowledgement a client would get). The parent kills it with SIGKILL while it
is writing, reopens the file and checks every acknowledged transaction, and that each
transaction present is present whole.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from faunalite.storage import ROOT_SCOPE, EventCursor, SQLiteStorage

DOCS_PER_TXN = 20

WRITER = textwrap.dedent(
    f"""
    import sys
    from faunalite.storage import SQLiteStorage, IndexEntry

    store = SQLiteStorage(sys.argv[1])
    n = 0
    while True:
        n += 1
        with store.transaction(write=True) as txn:
            for part in range({DOCS_PER_TXN}):
                key = n * 1000 + part
                txn.put(0, "Item", key, {{"txn": n, "pad": "x" * 2000}},
                        index_entries={{"byTxn": [IndexEntry((n,))]}})
            txn.put(0, "Counter", 1, {{"last": n}})
        print(n, flush=True)
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_sigkill_keeps_every_acknowledged_commit_and_no_partial_one(tmp_path: Path) -> None:
    path = tmp_path / "durable.db"
    SQLiteStorage(path).close()  # create the file before the child races to open it
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    acknowledged: list[int] = []
    deadline = time.monotonic() + 10
    assert child.stdout is not None
    while time.monotonic() < deadline and len(acknowledged) < 60:
        line = child.stdout.readline()
        if not line:
            break
        acknowledged.append(int(line))
    child.send_signal(signal.SIGKILL)
    assert child.wait(timeout=10) == -signal.SIGKILL  # killed mid-stream, not finished
    assert acknowledged, f"the writer acknowledged nothing: {child.stderr.read()}"  # type: ignore[union-attr]

    with SQLiteStorage(path) as store, store.transaction() as txn:
        counter = txn.get(ROOT_SCOPE, "Counter", 1)
        assert counter is not None
        last = counter.data["last"]
        assert last >= acknowledged[-1]
        for n in range(1, last + 1):
            docs = txn.scan(ROOT_SCOPE, "Item", start=n * 1000, end=n * 1000 + 999)
            assert len(docs) == DOCS_PER_TXN, f"transaction {n} is incomplete"
            assert len(txn.index_scan(ROOT_SCOPE, "Item", "byTxn", (n,))) == DOCS_PER_TXN
        # Nothing of a transaction after the last complete one is visible.
        assert txn.scan(ROOT_SCOPE, "Item", start=(last + 1) * 1000) == []
        events = txn.events_after(ROOT_SCOPE, ["Item"], EventCursor(0, 0))
        assert len(events) == last * DOCS_PER_TXN
