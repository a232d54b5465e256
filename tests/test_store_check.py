"""A damaged store is found and refused in one line, under a memory limit, never read into an
out-of-memory kill: 4 KB of random bytes in a table file (with and without the checksum record),
and ``kg check`` on a whole store, a damaged one and one with a document's metadata removed."""

from __future__ import annotations

import random
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from served import KG

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = 16
MEMORY = 2 * 2**30  # what kg stats may take here; a damaged block once took more than 20 GB

pytestmark = pytest.mark.slow


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _kg(*args, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([*KG, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          preexec_fn=_limited, cwd="/")


def _one_line_error(done: subprocess.CompletedProcess, *phrases: str) -> str:
    assert done.returncode == 1, (done.returncode, done.stdout[-500:], done.stderr[-2000:])
    assert "Traceback" not in done.stderr and "memory allocation" not in done.stderr, done.stderr[-3000:]
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and len(done.stderr.splitlines()) == 1, done.stderr[-2000:]
    for phrase in phrases:
        assert phrase in errors[0], errors[0]
    return errors[0]


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("check")
    subprocess.run([sys.executable, str(ROOT / "bench" / "corpus.py"), "--docs", str(DOCUMENTS), "--out",
                    str(out / "corpus")], check=True, capture_output=True, timeout=300)
    done = _kg("--store", out / "store", "ingest", out / "corpus")
    assert done.returncode == 0, done.stderr
    return out / "store"


def _copy(clean: Path, tmp_path: Path) -> Path:
    store = tmp_path / "store"
    shutil.copytree(clean, store)
    return store


def _garble(store: Path) -> Path:
    """4 KB of random bytes into the middle of the largest table file, where its data blocks are."""
    table = max((store / "oxigraph").glob("*.sst"), key=lambda p: p.stat().st_size)
    with open(table, "r+b") as fh:
        fh.seek(table.stat().st_size // 2)
        fh.write(random.Random(4).randbytes(4096))
    return table


def test_whole_store_checks_clean(clean, tmp_path):
    store = _copy(clean, tmp_path)
    assert (store / "oxigraph" / "polkg-checksums.json").is_file()  # the writer recorded its files
    done = _kg("--store", store, "check")
    assert done.returncode == 0, done.stderr
    assert f"{DOCUMENTS} documents" in done.stdout
    assert "every index read and consistent, every document graph has its metadata" in done.stdout
    assert "not in the checksum record" not in done.stdout


@pytest.mark.parametrize("command", [("stats",), ("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?c }"),
                                     ("export",), ("ingest", ROOT / "seeds"), ("check",)],
                         ids=lambda c: c[0])
def test_garbled_block_is_refused_by_its_checksum(clean, tmp_path, command):
    store = _copy(clean, tmp_path)
    table = _garble(store)
    done = _kg("--store", store, *command)
    _one_line_error(done, f"Error: {store}: store is damaged ({table.name} does not match its checksum)",
                    "kg restore")


def test_garbled_block_without_record_is_found_by_check(clean, tmp_path):
    """A store whose files were never recorded (written before records were kept): kg check
    reads every index, RocksDB's block checksums find the damage, within the memory limit."""
    store = _copy(clean, tmp_path)
    (store / "oxigraph" / "polkg-checksums.json").unlink()
    table = _garble(store)
    done = _kg("--store", store, "check")
    line = _one_line_error(done, f"Error: {store}: store is damaged (Corruption: block checksum mismatch",
                           table.name, "kg restore")
    assert "damaged: Corruption: block checksum mismatch" in done.stdout, line


def test_check_names_a_document_without_its_metadata(clean, tmp_path):
    import pyoxigraph as ox

    store = _copy(clean, tmp_path)
    raw = ox.Store(str(store / "oxigraph"))
    graph = next(g for g in raw.named_graphs() if g.value.startswith("https://w3id.org/polkg/id/doc/"))
    hashes = list(raw.quads_for_pattern(graph, ox.NamedNode("https://w3id.org/polkg/ontology#contentHash"),
                                        None, graph))
    assert len(hashes) == 1
    raw.remove(hashes[0])
    raw.flush()
    del raw
    done = _kg("--store", store, "check")
    short = graph.value.rsplit("/", 1)[1]
    _one_line_error(done, f"store is damaged (document graph {short} has content hash none", "kg restore")


def test_damaged_backup_is_not_restored(clean, tmp_path):
    store = _copy(clean, tmp_path)
    backup = tmp_path / "backup"
    assert _kg("--store", store, "backup", backup).returncode == 0
    assert (backup / "oxigraph" / "polkg-checksums.json").is_file()
    table = _garble(backup)
    before = sorted(p.name for p in (store / "oxigraph").iterdir())
    _one_line_error(_kg("--store", store, "restore", backup), f"Error: {backup}: store is damaged ({table.name}")
    assert sorted(p.name for p in (store / "oxigraph").iterdir()) == before
    assert _kg("--store", store, "check").returncode == 0


def test_check_names_a_missing_document_graph(clean, tmp_path):
    import pyoxigraph as ox

    store = _copy(clean, tmp_path)
    raw = ox.Store(str(store / "oxigraph"))
    graph = next(g for g in raw.named_graphs() if g.value.startswith("https://w3id.org/polkg/id/doc/"))
    raw.remove_graph(graph)  # a document lost from the store, its claims still there
    raw.flush()
    del raw
    done = _kg("--store", store, "check")
    short = graph.value.rsplit("/", 1)[1]
    _one_line_error(done, f"store is damaged (document graph {short} is missing (the claim layer was built from it))")


def test_copy_without_its_times_opens_and_damage_is_still_found(clean, tmp_path):
    """A copy that does not keep the files' times has every file read against its CRC-32 once."""
    store = tmp_path / "store"
    shutil.copytree(clean, store, copy_function=shutil.copyfile)
    done = _kg("--store", store, "stats", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert f'"documents": {DOCUMENTS}' in done.stdout
    table = _garble(store)
    _one_line_error(_kg("--store", store, "stats"), f"store is damaged ({table.name} does not match its checksum)")
