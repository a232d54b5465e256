"""A lost or damaged store is never lost work: ``kg ingest --archive`` keeps every text, and
``kg rebuild`` re-creates the store from the archive or from the documents' recorded locations,
quad for quad. JSON Lines files stream, with the size limit per record, and a text that comes
again with other metadata updates its document."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from served import KG

ROOT = Path(__file__).resolve().parent.parent
TEXT = ("Ukraine said on Monday that Russia must withdraw its troops from Kherson before any talks. "
        "Russia rejected the demand.")


def _kg(*args, cwd="/", timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run([*KG, *map(str, args)], capture_output=True, text=True, timeout=timeout, cwd=cwd)


def _quads(store: Path) -> frozenset:
    """The store's quads, but the version of its content (a new name at every write, not content)."""
    import pyoxigraph as ox

    from kg.namespaces import ID

    version = ox.NamedNode(str(ID["store/version"]))
    raw = ox.Store.read_only(str(store / "oxigraph"))
    try:
        return frozenset(q for q in raw.quads_for_pattern(None, None, None, None) if q.predicate != version)
    finally:
        del raw


def _one_line_error(done: subprocess.CompletedProcess, *phrases: str) -> str:
    assert done.returncode == 1, (done.returncode, done.stdout[-500:], done.stderr[-2000:])
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, done.stderr[-2000:]
    for phrase in phrases:
        assert phrase in errors[0], errors[0]
    return errors[0]


@pytest.fixture(scope="module")
def archived(tmp_path_factory):
    """A corpus (files and a JSON Lines file) ingested with --archive in two runs."""
    base = tmp_path_factory.mktemp("rebuild")
    subprocess.run([sys.executable, str(ROOT / "bench" / "corpus.py"), "--docs", "6", "--out", str(base / "corpus")],
                   check=True, capture_output=True, timeout=300)
    records = [{"text": TEXT, "title": "Kherson first", "date": "2024-03-01", "url": "https://example.org/a"},
               {"text": TEXT.replace("Monday", "Tuesday"), "title": "Kherson again"}]
    (base / "corpus" / "wire.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    store, archive = base / "store", base / "archive.jsonl"
    first = _kg("--store", store, "ingest", base / "corpus" / "d000", "--archive", archive)
    assert first.returncode == 0, first.stderr
    done = _kg("--store", store, "ingest", base / "corpus", "--archive", archive)
    assert done.returncode == 0, done.stderr
    assert "8 documents" in _kg("--store", store, "check").stdout
    return base, store, archive


@pytest.mark.slow
def test_archive_holds_every_document_once(archived):
    base, store, archive = archived
    lines = archive.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 8
    records = [json.loads(line) for line in lines]
    assert {r["title"] for r in records} >= {"Kherson first", "Kherson again"}
    assert _kg("--store", store, "ingest", base / "corpus", "--archive", archive).returncode == 0
    assert len(archive.read_text(encoding="utf-8").splitlines()) == 8  # unchanged documents are not added again


@pytest.mark.slow
def test_rebuild_from_archive_and_from_locations_is_quad_for_quad(archived, tmp_path):
    _, original, archive = archived
    store = tmp_path / "store"
    shutil.copytree(original, store)
    want = _quads(original)
    done = _kg("--store", store, "rebuild", "--archive", archive, "--no-progress")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"rebuilt the store from {archive}: 8 documents")
    assert _quads(store) == want
    assert len(list(store.glob("oxigraph.replaced-*"))) == 1
    # without an archive: the files are read again from where the store says they were
    done = _kg("--store", store, "rebuild", "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "from the documents' recorded locations: 8 documents" in done.stdout
    assert _quads(store) == want
    assert _kg("--store", store, "check").returncode == 0


@pytest.mark.slow
def test_rebuild_a_lost_or_damaged_store_from_its_archive(archived, tmp_path):
    _, original, archive = archived
    store = tmp_path / "store"
    shutil.copytree(original, store)
    table = max((store / "oxigraph").glob("*.sst"), key=lambda p: p.stat().st_size)
    with open(table, "r+b") as fh:
        fh.seek(table.stat().st_size // 2)
        fh.write(b"\x00" * 4096)
    line = _one_line_error(_kg("--store", store, "stats"), "store is damaged", "kg rebuild --archive")
    # the locations are read as far as the damaged store can be read (an index RocksDB reads whole, or an error)
    done = _kg("--store", store, "rebuild", "--no-progress")
    assert done.returncode == 0, (line, done.stderr)
    assert _quads(store) == _quads(original)
    table = max((store / "oxigraph").glob("*.sst"), key=lambda p: p.stat().st_size)
    with open(table, "r+b") as fh:
        fh.seek(table.stat().st_size // 2)
        fh.write(b"\x00" * 4096)
    done = _kg("--store", store, "rebuild", "--archive", archive, "--no-progress")
    assert done.returncode == 0, (line, done.stderr)
    assert _quads(store) == _quads(original)
    shutil.rmtree(store)  # the store is gone altogether
    assert _kg("--store", store, "rebuild", "--archive", archive, "--no-progress").returncode == 0
    assert _quads(store) == _quads(original)


@pytest.mark.slow
def test_rebuild_names_a_damaged_archive_line_and_goes_on(archived, tmp_path):
    _, _, archive = archived
    lines = archive.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    record["text"] += " Altered."  # no longer the text its SHA-256 names
    bad = tmp_path / "archive.jsonl"
    bad.write_text("\n".join([json.dumps(record), lines[1], '{"text": "cut sho']) + "\n", encoding="utf-8")
    done = _kg("--store", tmp_path / "store", "rebuild", "--archive", bad, "--no-progress")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = sorted(line for line in done.stderr.splitlines() if line.startswith("Error: "))
    assert errors == [f"Error: {bad}:1: the text does not match its recorded SHA-256 (the archive is damaged)",
                      f"Error: {bad}:3: malformed JSON (the archive is damaged, or its last write was cut)"]
    assert "1 documents (1 ingested, 0 unchanged, 2 refused" in done.stdout


# -- JSON Lines: streaming, the limit per record, metadata updates --------------------------------


def test_jsonl_file_over_the_limit_streams_record_by_record(tmp_path):
    from kg.documents import MAX_BYTES, read_jsonl

    path = tmp_path / "many.jsonl"
    record = json.dumps({"text": TEXT + " {}", "title": "t"})
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(60_000):
            fh.write(record.replace("{}", str(i)) + "\n")
    assert path.stat().st_size > MAX_BYTES
    tracemalloc.start()
    count = sum(1 for item in read_jsonl(path) if not isinstance(item, Exception))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 60_000
    assert peak < 2 * 2**20, peak  # one record at a time, not the file


@pytest.mark.slow
def test_jsonl_oversized_record_is_refused_by_name_and_the_rest_ingest(tmp_path):
    from kg.documents import MAX_BYTES

    path = tmp_path / "wire.jsonl"
    padding = "x" * (MAX_BYTES // 8)  # small texts, large records: the file is over the limit, each record under
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"text": TEXT, "notes": padding}) + "\n")
        fh.write(json.dumps({"text": "Kyiv said " + "no " * (MAX_BYTES // 3)}) + "\n")  # over the limit alone
        for day in ("Tuesday", "Wednesday", "Thursday"):
            fh.write(json.dumps({"text": TEXT.replace("Monday", day), "notes": padding * 2}) + "\n")
    assert path.stat().st_size > 1.5 * MAX_BYTES
    done = _kg("--store", tmp_path / "store", "ingest", path, "--no-progress")
    _one_line_error(done, f"Error: {path}:2: record too big (", "a record)")
    assert done.stdout.startswith("4 ingested, 0 unchanged, 1 refused")


@pytest.mark.slow
def test_same_text_with_new_metadata_updates_the_document(tmp_path):
    first, second = tmp_path / "one" / "wire.jsonl", tmp_path / "two" / "wire.jsonl"
    first.parent.mkdir()
    second.parent.mkdir()
    first.write_text(json.dumps({"text": TEXT, "title": "Old title", "date": "2024-03-01"}) + "\n", encoding="utf-8")
    second.write_text(json.dumps({"text": TEXT, "title": "New title", "date": "2024-03-02",
                                  "url": "https://example.org/new"}) + "\n", encoding="utf-8")
    store = tmp_path / "store"
    assert _kg("--store", store, "ingest", first.parent, "--no-progress").returncode == 0
    unchanged = _kg("--store", store, "ingest", first.parent, "--no-progress")
    assert unchanged.stdout.startswith("0 ingested, 1 unchanged")
    # the record of the same text, now with a new title, date and URL, in its place
    shutil.copy(second, first)
    done = _kg("--store", store, "ingest", first.parent, "--no-progress")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("1 ingested, 1 of them updating the metadata of a stored text, 0 unchanged")
    fresh = tmp_path / "fresh"
    assert _kg("--store", fresh, "ingest", first.parent, "--no-progress").returncode == 0
    assert _quads(store) == _quads(fresh)  # as if it had always had the new metadata, claim layer included
    rows = _kg("--store", store, "query", "SELECT ?t WHERE { ?d a pol:Document ; dcterms:title ?t }", "--format", "csv")
    assert rows.stdout.split() == ["t", "New", "title"], rows.stderr


@pytest.mark.slow
def test_rebuild_keeps_the_graphs_texts_do_not_make(archived, tmp_path):
    """The reviewers' corrections, and a document whose file is gone, come over from the old database."""
    import pyoxigraph as ox

    base, original, archive = archived
    store = tmp_path / "store"
    shutil.copytree(original, store)
    correction = ox.Quad(ox.NamedNode("https://w3id.org/polkg/id/correction/1"),
                         ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"), ox.Literal("checked"),
                         ox.NamedNode("https://w3id.org/polkg/id/graph/corrections"))
    raw = ox.Store(str(store / "oxigraph"))
    raw.add(correction)
    raw.flush()
    del raw
    want = _quads(store)
    lines = archive.read_text(encoding="utf-8").splitlines()
    partial = tmp_path / "partial.jsonl"  # an archive that lacks one document
    partial.write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")
    done = _kg("--store", store, "rebuild", "--archive", partial, "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "8 documents (7 ingested" in done.stdout and "2 other graphs copied from the old database" in done.stdout
    assert _quads(store) == want


@pytest.mark.slow
def test_archive_on_a_full_disk_stops_before_the_store_is_written(tmp_path):
    import os

    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    disk = tmp_path / "small-disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.decode().strip()}")
    try:
        with open(disk / "filler", "wb") as fh:
            os.posix_fallocate(fh.fileno(), 0, shutil.disk_usage(disk).free - 1024)
        wire = tmp_path / "wire.jsonl"
        wire.write_text("".join(json.dumps({"text": TEXT.replace("Monday", day) + " " + "Talks. " * 300}) + "\n"
                                for day in ("Monday", "Friday")), encoding="utf-8")
        store, archive = tmp_path / "store", disk / "archive.jsonl"
        done = _kg("--store", store, "ingest", wire, "--archive", archive, "--no-progress")
        _one_line_error(done, f"Error: {archive}: cannot write the archive (No space left on device)",
                        "nothing of this batch was stored")
        assert "0 documents" in _kg("--store", store, "check").stdout
        (disk / "filler").unlink()
        assert _kg("--store", store, "ingest", wire, "--archive", archive, "--no-progress").returncode == 0
        assert len(archive.read_text(encoding="utf-8").splitlines()) == 2
        assert "2 documents" in _kg("--store", store, "check").stdout
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
