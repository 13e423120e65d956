"""The response ``stats`` count what a query read and wrote (wire-protocol.md §2.1).

FaunaDB bills by bytes (``QueryMetrics``): one read op per started 4 KiB read, one write op per
started 1 KiB written; faunalite measures the stored blobs, bills a document once per query
however often it is used, and one read op per page of a collection scan or index.
"""

from __future__ import annotations

from fauna import fql
from fauna.client import Client
from fauna.encoding import QueryStats


def stats_of(client: Client, query: str) -> QueryStats:
    return client.query(fql(query)).stats


def test_a_pure_expression_reads_and_writes_nothing(db: Client) -> None:
    stats = stats_of(db, "[1, 2].map(x => x + 1)")
    assert (stats.read_ops, stats.write_ops) == (0, 0)
    assert (stats.storage_bytes_read, stats.storage_bytes_write) == (0, 0)
    assert stats.compute_ops >= 1


def test_creating_one_document_is_one_write(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Counted" })'))
    stats = stats_of(db, 'Counted.create({ id: "1", name: "Ann" })\nnull')
    assert stats.write_ops == 1
    assert stats.storage_bytes_write > 0


def test_a_large_document_costs_a_write_op_per_kibibyte(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Counted" })'))
    text = "x" * 3000
    stats = db.query(fql("Counted.create({ id: '1', text: ${text} })\nnull", text=text)).stats
    assert stats.storage_bytes_write > 3000
    assert stats.write_ops == -(-stats.storage_bytes_write // 1024)
    read = stats_of(db, 'Counted("1")!.text.length')
    assert read.read_ops == 1
    assert read.storage_bytes_read == stats.storage_bytes_write


def test_reading_one_document_is_billed_once(db: Client) -> None:
    db.query(fql('Collection.create({ name: "Counted" })'))
    db.query(fql('Counted.create({ id: "1", name: "Ann", age: 3 })'))
    stats = stats_of(db, 'let d = Counted("1")!\n[d.name, d.age, d.name]')
    assert stats.read_ops == 1
    assert stats.storage_bytes_read > 0
    assert stats.write_ops == 0
    # A reference that is never dereferenced reads nothing.
    assert stats_of(db, 'Counted("1").id').read_ops == 0
    # A missing document reads no bytes.
    assert stats_of(db, 'Counted("2").exists()').storage_bytes_read == 0


def test_sets_bill_their_pages_and_documents(db: Client) -> None:
    db.query(
        fql('Collection.create({ name: "Counted", indexes: { byN: { terms: [{ field: "n" }] } } })')
    )
    db.query(fql("[1, 2, 3].forEach(n => Counted.create({ n: n }))"))
    scan = stats_of(db, "Counted.all().map(.n).toArray()")
    assert scan.read_ops >= 3
    assert scan.write_ops == 0
    hit = stats_of(db, "Counted.byN(2).first()!.n")
    assert hit.read_ops >= 2  # the index page and the one document it names
    assert stats_of(db, "Counted.byN(9).first()").read_ops == 1
    assert stats_of(db, "Counted.all().forEach(d => d.delete())").write_ops == 3


def test_reading_back_a_write_of_the_same_query_is_not_a_storage_read(db: Client) -> None:
    stats = stats_of(db, 'Collection.create({ name: "Counted" })')
    assert (stats.read_ops, stats.write_ops) == (0, 1)
