"""What an open of the store reads of its files: a copy that did not keep the files' times is read
whole once, then known again by its record, and damage done after that is still refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg.store.integrity as integrity
from kg.errors import StoreError
from kg.store import open_store

DOCUMENT = "https://w3id.org/polkg/id/doc/"


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    """A store whose writer wrote several table files and recorded them when it closed."""
    path = tmp_path_factory.mktemp("open") / "store"
    for batch in range(3):
        with open_store(path) as store:
            for d in range(batch * 20, batch * 20 + 20):
                graph = f"{DOCUMENT}{d:04d}"
                store.write_quads(graph, [ox.Quad(ox.NamedNode(f"{graph}#s{i}"), ox.NamedNode("http://p"),
                                                  ox.Literal(f"text {d} {i} " * 4), ox.NamedNode(graph))
                                          for i in range(200)])
    assert len(list((path / "oxigraph").glob("*.sst"))) >= 2
    return path


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The table files whose bytes are read (checksummed), in order."""
    seen: list[str] = []
    crc = integrity._crc

    def counted(path: Path) -> int:
        seen.append(path.name)
        return crc(path)

    monkeypatch.setattr(integrity, "_crc", counted)
    return seen


def _copy_without_times(written: Path, tmp_path: Path) -> Path:
    store = tmp_path / "copy"
    shutil.copytree(written, store, copy_function=shutil.copyfile)
    return store


def _tables(store: Path) -> set[str]:
    return {p.name for p in (store / "oxigraph").glob("*.sst")}


def _recorded(store: Path) -> set[str]:
    return set(json.loads((store / "oxigraph" / integrity.RECORD).read_text())["files"])


def test_an_unchanged_store_opens_without_reading_its_files(written, reads):
    for read_only in (True, False, True):
        before = _recorded(written)
        with open_store(written, read_only=read_only) as store:
            assert len(store.document_graphs()) == 60
        # only a file the writer made as it opened or closed (RocksDB's own log flushed) is read, once
        assert not set(reads) & before, (read_only, reads)
        reads.clear()


def test_a_copy_without_times_is_read_once_by_a_reader(written, tmp_path, reads):
    store = _copy_without_times(written, tmp_path)
    with open_store(store, read_only=True) as opened:
        assert len(opened.document_graphs()) == 60
    assert sorted(reads) == sorted(_tables(store))  # every file read whole once, and found whole
    record = json.loads((store / "oxigraph" / integrity.RECORD).read_text())["files"]
    for name in _tables(store):
        assert record[name][2] == (store / "oxigraph" / name).stat().st_mtime_ns
    reads.clear()
    for _ in range(3):
        with open_store(store, read_only=True) as opened:
            assert len(opened.document_graphs()) == 60
    assert reads == []
    assert not list((store / "oxigraph").glob(".*.tmp"))


def test_a_copy_without_times_is_read_once_by_a_writer(written, tmp_path, reads):
    store = _copy_without_times(written, tmp_path)
    copied = _tables(store)
    with open_store(store) as opened:  # the open checks the files and the close records them
        assert len(opened.document_graphs()) == 60
    assert sorted(r for r in reads if r in copied) == sorted(copied)  # each once, not again at the close
    reads.clear()
    with open_store(store, read_only=True):
        pass
    assert reads == []


def test_damage_after_the_record_was_refreshed_is_refused(written, tmp_path):
    store = _copy_without_times(written, tmp_path)
    with open_store(store, read_only=True):
        pass
    table = max((store / "oxigraph").glob("*.sst"), key=lambda p: p.stat().st_size)
    with open(table, "r+b") as fh:
        fh.seek(table.stat().st_size // 2)
        byte = fh.read(1)
        fh.seek(-1, 1)
        fh.write(bytes([byte[0] ^ 0xFF]))
    for read_only in (True, False):
        with pytest.raises(StoreError, match=rf"store is damaged \({table.name} does not match its checksum\)"):
            open_store(store, read_only=read_only)


def test_a_record_that_cannot_be_written_leaves_the_open_whole(written, tmp_path, reads, monkeypatch):
    """A store on a read-only file system: each open reads the changed files again, and opens."""
    store = _copy_without_times(written, tmp_path)
    monkeypatch.setattr(integrity, "_write_record", lambda data, files: False)
    for _ in range(2):
        with open_store(store, read_only=True) as opened:
            assert len(opened.document_graphs()) == 60
    assert len(reads) == 2 * len(_tables(store))
