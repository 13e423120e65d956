"""Queries first tried on a snapshot reader, through the driver: a query that turns out to
write is run again as a writer and commits exactly once; a read-only one reads at "now"."""

from __future__ import annotations

from fauna import fql
from fauna.client import Client, QueryOptions


def test_a_write_hidden_behind_a_function_commits_once(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Note" })'))
    # The calling query names no write method, so it starts on a reader and must fall back.
    db.query(fql('Function.create({ name: "addNote", body: "x => Note.create({ x: x })" })'))
    added = db.query(fql('addNote("hi") { x }'))
    assert added.data == {"x": "hi"}
    assert db.query(fql("Note.all().count()")).data == 1


def test_a_read_only_query_runs_after_the_last_write(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Note" })'))
    written = db.query(fql("Note.create({ x: 1 }) { ts }"))
    read = db.query(fql("Time.now()"))
    assert read.txn_ts >= written.txn_ts
    assert read.data >= written.data["ts"]


def test_a_linearized_read_sees_the_latest_write(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Note" })'))
    db.query(fql("Note.create({ x: 1 })"))
    counted = db.query(fql("Note.all().count()"), QueryOptions(linearized=True))
    assert counted.data == 1
