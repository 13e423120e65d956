"""The memory ceiling: resident memory read from a ``statm``-shaped file, compared with a limit."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from faunalite.fql.memory import MAX_MEMORY_ENV, MemoryCeiling

PAGE = os.sysconf("SC_PAGE_SIZE")


def statm(tmp_path: Path, resident_pages: int) -> str:
    path = tmp_path / "statm"
    path.write_text(f"999999 {resident_pages} 10 1 0 50 0\n")
    return str(path)


def test_resident_memory_is_the_second_field_in_pages(tmp_path: Path) -> None:
    ceiling = MemoryCeiling(100 * PAGE, statm(tmp_path, 100))
    assert ceiling.resident_bytes() == 100 * PAGE
    assert not ceiling.refresh()  # at the limit is not above it
    assert MemoryCeiling(99 * PAGE, statm(tmp_path, 100)).refresh()


def test_each_refresh_reads_the_file_afresh(tmp_path: Path) -> None:
    path = statm(tmp_path, 10)
    ceiling = MemoryCeiling(50 * PAGE, path)
    assert not ceiling.refresh()
    Path(path).write_text("999999 51 10 1 0 50 0\n")
    assert ceiling.refresh()
    assert ceiling.exceeded()  # the kept verdict
    Path(path).write_text("999999 10 10 1 0 50 0\n")
    assert not ceiling.refresh()  # memory came back: the next query runs


def test_a_half_written_reading_keeps_the_last_verdict(tmp_path: Path) -> None:
    path = statm(tmp_path, 51)
    ceiling = MemoryCeiling(50 * PAGE, path)
    assert ceiling.refresh()
    Path(path).write_text("")  # as seen between a rewrite's truncation and its write
    assert ceiling.resident_bytes() is None
    assert ceiling.refresh()


def test_the_monitor_keeps_the_verdict_current(tmp_path: Path) -> None:
    path = statm(tmp_path, 10)
    ceiling = MemoryCeiling(50 * PAGE, path, read_interval=0.001)
    assert not ceiling.exceeded()  # starts the monitor
    Path(path).write_text("999999 51 10 1 0 50 0\n")
    deadline = time.monotonic() + 10
    while not ceiling.exceeded():
        assert time.monotonic() < deadline, "the monitor never saw the change"
        time.sleep(0.005)


def test_no_ceiling_where_memory_cannot_be_read(tmp_path: Path) -> None:
    ceiling = MemoryCeiling(1, str(tmp_path / "missing"))
    assert ceiling.resident_bytes() is None
    assert not ceiling.exceeded()


def test_the_error_is_value_too_large_with_the_limit() -> None:
    error = MemoryCeiling(512 * 1024**2).error()
    assert (error.code, error.message) == (
        "value_too_large",
        "Value too large: the query's values exceed faunalite's memory limit of 512 MiB.",
    )


def test_the_environment_sets_the_ceiling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MAX_MEMORY_ENV, "300")
    assert MemoryCeiling.from_environment().limit_bytes == 300 * 1024**2
    monkeypatch.setenv(MAX_MEMORY_ENV, "lots")
    with pytest.raises(ValueError, match="FAUNALITE_MAX_MEMORY_MB must be a whole number"):
        MemoryCeiling.from_environment()
    monkeypatch.delenv(MAX_MEMORY_ENV)
    assert 0 < MemoryCeiling.from_environment().limit_bytes <= 4 * 1024**3


def test_this_process_reads_its_own_memory() -> None:
    resident = MemoryCeiling(1).resident_bytes()
    if resident is None:
        pytest.skip("no /proc/self/statm on this system")
    assert resident > 1024**2
