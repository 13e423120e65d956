"""Export and import speed over HTTP against an in-process faunalite (``fauna.cli.transfer``).

    .venv/bin/python benchmarks/transfer.py [--documents 5000]

Creates the documents in one collection, exports them, imports them into a second database,
and prints documents per second for each step, with import's speed relative to export's.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from fauna.cli.connection import WireSession
from fauna.cli.transfer import export_database, import_database
from faunalite.testing import serve_in_background


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=5000)
    count = parser.parse_args().documents
    with (
        serve_in_background() as server,
        WireSession(server.endpoint, server.secret) as root,
        tempfile.TemporaryDirectory() as directory,
    ):
        root.query("Database.create({ name: 'source' }); Database.create({ name: 'copy' })")
        source = root.child("source")
        source.query("Collection.create({ name: 'Item' })")
        source.query(
            "Set.sequence(0, n).forEach(i => { Item.create({ i: i, label: 'item ' + i.toString(),"
            " at: Time.now(), tags: ['a', 'b'] }); null })",
            {"n": {"@int": str(count)}},
        )
        started = time.perf_counter()
        export_database(source, directory)
        exported = time.perf_counter() - started
        started = time.perf_counter()
        import_database(root.child("copy"), directory)
        imported = time.perf_counter() - started
    print(f"export: {count / exported:9.0f} documents/s")
    print(f"import: {count / imported:9.0f} documents/s")
    print(f"import / export speed: {exported / imported:5.2f}x")


if __name__ == "__main__":
    main()
