"""The user cache (kg.cache) and the fresh store's schema loaded from a prebuilt file."""

import os
import threading

import pyoxigraph as ox
import pytest

from kg.cache import cache_dir, cached_bytes
from kg.namespaces import ID
from kg.store import open_store

VERSION = ox.NamedNode(str(ID["store/version"]))


def _quads(store) -> set:
    """The store's quads, but the version of its content (an on-disk store names each write)."""
    return {q for q in store.raw.quads_for_pattern(None, None, None, None) if q.predicate != VERSION}


def test_cache_fresh_store_schema_from_the_cache_equals_a_loaded_one(tmp_path, monkeypatch):
    monkeypatch.setenv("POLKG_CACHE_DIR", str(tmp_path / "cache"))
    with open_store(None) as memory:  # in memory: the schema parsed and written quad by quad
        expected = _quads(memory)
    with open_store(tmp_path / "a") as first:  # builds the cache file
        assert _quads(first) == expected
    assert len(list((tmp_path / "cache").glob("schema-*.nq"))) == 1
    with open_store(tmp_path / "b") as second:  # reads it
        assert _quads(second) == expected
    with open_store(tmp_path / "b") as again:  # nothing stale: nothing loaded twice
        assert _quads(again) == expected


def test_cache_damaged_file_is_rebuilt_in_memory(tmp_path, monkeypatch):
    monkeypatch.setenv("POLKG_CACHE_DIR", str(tmp_path / "cache"))
    with open_store(None) as memory:
        expected = _quads(memory)
    open_store(tmp_path / "a").close()
    [cached] = (tmp_path / "cache").glob("schema-*.nq")
    cached.write_bytes(b"<broken")
    with open_store(tmp_path / "b") as store:
        assert _quads(store) == expected


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_cache_read_only_folder_still_opens_a_store(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    folder.mkdir()
    folder.chmod(0o500)
    monkeypatch.setenv("POLKG_CACHE_DIR", str(folder))
    try:
        with open_store(tmp_path / "s") as store:
            assert len(store) > 1000
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_cache_unwritable_location_builds_in_memory(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("POLKG_CACHE_DIR", str(blocker / "cache"))
    assert cached_bytes("x-1", lambda: b"data") == (b"data", None)


def test_cache_concurrent_writers_of_one_name_all_succeed(tmp_path, monkeypatch):
    monkeypatch.setenv("POLKG_CACHE_DIR", str(tmp_path))
    results, errors = [], []

    def write():
        try:
            results.append(cached_bytes("same-1", lambda: b"x" * 1_000_000))
        except Exception as exc:  # noqa: BLE001 - the test reports any
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(path == tmp_path / "same-1" for _, path in results)
    assert (tmp_path / "same-1").read_bytes() == b"x" * 1_000_000
    assert [p.name for p in tmp_path.iterdir()] == ["same-1"]  # no temporary file left


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("POLKG_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "polkg"


def test_cache_fresh_store_is_a_copy_of_the_cached_schema_database(tmp_path, monkeypatch):
    monkeypatch.setenv("POLKG_CACHE_DIR", str(tmp_path / "cache"))
    with open_store(None) as memory:
        expected = _quads(memory)
    open_store(tmp_path / "a").close()  # builds the database of the schema graphs
    [template] = (tmp_path / "cache").glob("schema-*.db")
    assert (template / "CURRENT").is_file()
    assert not [p for p in (tmp_path / "cache").iterdir() if p.name.startswith(".")]  # nothing half made
    with open_store(tmp_path / "b") as copy:  # a copy of it
        assert _quads(copy) == expected
        copy.write_graphs([("https://example.org/g", [(ox.NamedNode("https://example.org/s"),
                                                        ox.NamedNode("https://example.org/p"), ox.Literal("o"))])])
        assert copy.has_graph("https://example.org/g")
    with open_store(tmp_path / "c") as other:  # the cached database is not the store written to
        assert _quads(other) == expected


def test_cache_damaged_schema_database_still_gives_a_whole_store(tmp_path, monkeypatch):
    monkeypatch.setenv("POLKG_CACHE_DIR", str(tmp_path / "cache"))
    with open_store(None) as memory:
        expected = _quads(memory)
    open_store(tmp_path / "a").close()
    [template] = (tmp_path / "cache").glob("schema-*.db")
    for table in template.glob("*.sst"):
        table.write_bytes(b"broken")
    (template / "CURRENT").write_text("MANIFEST-999999\n")
    with open_store(tmp_path / "b") as store:
        assert _quads(store) == expected
    with open_store(tmp_path / "c") as store:  # the damaged one was made again
        assert _quads(store) == expected
    assert (template / "CURRENT").read_text() != "MANIFEST-999999\n"
