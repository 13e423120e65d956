"""Export → import round trips, run in-process on a faunalite engine (``EngineRunner``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from fauna.cli.connection import QueryFailed, UsageError
from fauna.cli.transfer import export_database, import_database
from faunalite.admin import EngineRunner
from faunalite.engine import Engine


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = Engine()
    yield engine
    engine.close()


def populate(runner: EngineRunner) -> None:
    runner.query(
        "Collection.create({ name: 'Dog', indexes: { byName: { terms: [{ field: '.name' }] } },"
        " constraints: [{ unique: ['name'] }],"
        " computed_fields: { shout: { body: '(d) => d.name.toUpperCase()' } } })"
    )
    runner.query("Collection.create({ name: 'Empty' })")
    runner.query(
        "Role.create({ name: 'reader', privileges: [{ resource: 'Dog', actions: { read: true } }] })"
    )
    runner.query("Function.create({ name: 'double', body: 'x => x * 2', role: 'reader' })")
    runner.query(
        "Dog.create({ id: '1', name: 'Rex', big: 5000000000, small: 5, x: 1.5,"
        " when: Time('2020-01-01T00:00:00.123456789Z'), day: Date('2020-01-02'),"
        " raw: Bytes.fromBase64('AQID'), nested: { list: [null, true] } })"
    )
    runner.query("Dog.create({ id: '2', name: 'Fido', friend: Dog.byId('1') })")
    runner.query("Dog.create({ id: '3', name: 'Odd', tricky: 1 })")
    runner.query("Dog.byId('3')!.update({ tricky: null })")
    runner.query("Database.create({ name: 'inner', data: { purpose: 'test' } })")
    inner = runner.child("inner")
    inner.query("Collection.create({ name: 'Cat' })")
    inner.query("Cat.create({ id: '9', lives: 9 })")


SNAPSHOT = """{
  dogs: Dog.all().map(d => d { id, name, big, small, x, when, day, raw, nested, friend { id, name }, tricky, shout })
    .toArray(),
  dog: Collection.byName('Dog') { indexes, constraints },
  double: Function.byName('double') { body, role },
  reader: Role.byName('reader') { privileges },
  empty: Collection.byName('Empty') != null,
  byName: Dog.byName('Rex').count()
}"""


def test_round_trip_keeps_documents_types_ids_and_definitions(
    engine: Engine, tmp_path: Path
) -> None:
    source = EngineRunner(engine).child("src")
    EngineRunner(engine).query("Database.create({ name: 'src' }); Database.create({ name: 'dst' })")
    populate(source)
    messages: list[str] = []
    counts = export_database(source, tmp_path, recursive=True, progress=messages.append)
    assert counts == {"Dog": 3, "Empty": 0, "inner/Cat": 1}
    assert "exported Dog: 3 documents" in messages
    first = json.loads((tmp_path / "documents" / "Dog.jsonl").read_text().splitlines()[0])
    assert first["@object"]["id"] == "1"
    assert first["@object"]["big"] == {"@long": "5000000000"}
    assert first["@object"]["when"] == {"@time": "2020-01-01T00:00:00.123456789Z"}
    assert "@time" in first["@object"]["ts"]
    assert "shout" not in first["@object"]

    target = EngineRunner(engine).child("dst")
    assert import_database(target, tmp_path) == counts
    assert target.query(SNAPSHOT) == source.query(SNAPSHOT)
    assert target.child("inner").query("Cat.byId('9')!.lives") == {"@int": "9"}
    assert target.query("Database.byName('inner')!.data") == {"purpose": "test"}


def test_imported_documents_get_new_timestamps(engine: Engine, tmp_path: Path) -> None:
    runner = EngineRunner(engine)
    runner.query("Database.create({ name: 'a' }); Database.create({ name: 'b' })")
    runner.child("a").query("Collection.create({ name: 'T' })")
    runner.child("a").query("T.create({ id: '1' })")
    export_database(runner.child("a"), tmp_path)
    import_database(runner.child("b"), tmp_path)
    old = runner.child("a").query("T.byId('1')!.ts")
    new = runner.child("b").query("T.byId('1')!.ts")
    assert new["@time"] > old["@time"]


def test_field_names_that_look_like_tags_survive(engine: Engine, tmp_path: Path) -> None:
    runner = EngineRunner(engine)
    runner.query("Database.create({ name: 'a' }); Database.create({ name: 'b' })")
    runner.child("a").query("Collection.create({ name: 'T' })")
    runner.child("a").query("T.create({ id: '1', '@int': 'not a number', inner: { '@doc': 1 } })")
    export_database(runner.child("a"), tmp_path)
    import_database(runner.child("b"), tmp_path)
    export_database(runner.child("b"), tmp_path / "again")
    [line] = (tmp_path / "again" / "documents" / "T.jsonl").read_text().splitlines()
    fields = json.loads(line)["@object"]
    assert fields["@int"] == "not a number"
    assert fields["inner"] == {"@object": {"@doc": {"@int": "1"}}}


def test_existing_ids_fail_the_import(engine: Engine, tmp_path: Path) -> None:
    runner = EngineRunner(engine)
    runner.query("Collection.create({ name: 'T' })")
    runner.query("T.create({ id: '1' })")
    export_database(runner, tmp_path)
    with pytest.raises(QueryFailed) as failure:
        import_database(runner, tmp_path)
    assert failure.value.code == "document_id_exists"


def test_bad_exports_are_usage_errors(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read"):
        import_database(EngineRunner(engine), tmp_path)
    (tmp_path / "manifest.json").write_text('{"format": "other"}')
    with pytest.raises(UsageError, match="is not a fauna export"):
        import_database(EngineRunner(engine), tmp_path)
    (tmp_path / "manifest.json").write_text('{"format": "fauna-export", "version": 99}')
    with pytest.raises(UsageError, match="export version 99"):
        import_database(EngineRunner(engine), tmp_path)
    (tmp_path / "manifest.json").write_text('{"format": "fauna-export", "version": 1}')
    (tmp_path / "schema.json").write_text('{"Collection": [{"name": "T"}]}')
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "T.jsonl").write_text("{not json\n")
    with pytest.raises(UsageError, match=r"T.jsonl:1: not a JSON document"):
        import_database(EngineRunner(engine), tmp_path)
