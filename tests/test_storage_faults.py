"""Storage faults end in one line naming the store and what to do, exit status 1, and leave
every stored document whole: a disk that fills during ingest (a real tmpfs mounted by the
test), a read-only file system (a real read-only bind mount), permission denied (a real
unprivileged user), the database held by another program, and damaged RocksDB files."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from served import KG

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = 60

pytestmark = pytest.mark.slow


def _kg(*args, preexec=None, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([*KG, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          preexec_fn=preexec, cwd="/")


def _one_line_error(done: subprocess.CompletedProcess, *phrases: str) -> str:
    assert done.returncode == 1, (done.returncode, done.stdout[-500:], done.stderr[-2000:])
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error: ")]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert len(errors) == 1, done.stderr[-2000:]
    for phrase in phrases:
        assert phrase in errors[0], errors[0]
    return errors[0]


def _mount(*args: str) -> str | None:
    """Run mount; None when it worked, else why not."""
    if os.geteuid() != 0:
        return "mounting needs root"
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    return None if done.returncode == 0 else (done.stderr.strip() or f"mount exit status {done.returncode}")


def _documents(store: Path) -> dict[str, frozenset]:
    """Each document graph of the store, as its set of quads."""
    import pyoxigraph as ox

    from kg.store import open_store

    with open_store(store, read_only=True) as opened:
        return {graph: frozenset(opened.raw.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
                for graph in opened.document_graphs()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fault-corpus")
    subprocess.run([sys.executable, str(ROOT / "bench" / "corpus.py"), "--docs", str(DOCUMENTS), "--out", str(out)],
                   check=True, capture_output=True, timeout=300)
    return out


@pytest.fixture(scope="module")
def clean(corpus, tmp_path_factory) -> tuple[Path, dict[str, frozenset]]:
    """The corpus ingested on a disk with room: the store every fault is compared with."""
    store = tmp_path_factory.mktemp("clean") / "store"
    done = _kg("--store", store, "ingest", corpus)
    assert done.returncode == 0, done.stderr
    return store, _documents(store)


@pytest.fixture
def tmpfs(tmp_path):
    where = tmp_path / "small-disk"
    where.mkdir()
    why = _mount("-t", "tmpfs", "-o", "size=64m", "tmpfs", str(where))
    if why:
        pytest.skip(f"cannot mount a tmpfs to fill: {why}")
    yield where
    subprocess.run(["umount", "-l", str(where)], check=False)


def test_storage_disk_full_during_ingest(tmpfs, corpus, clean):
    store = tmpfs / "store"
    filler = tmpfs / "filler"
    for room in (1_500_000, 4_000_000, 12_000_000, 20_000_000):  # a disk that fills after some batches, not the first
        shutil.rmtree(store, ignore_errors=True)
        filler.unlink(missing_ok=True)
        _kg("--store", store, "stats")  # creates the store and its schema
        with open(filler, "wb") as fh:
            os.posix_fallocate(fh.fileno(), 0, shutil.disk_usage(tmpfs).free - room)
        done = _kg("--store", store, "ingest", corpus)
        assert done.returncode == 1, (room, done.stdout, done.stderr[-2000:])
        line = _one_line_error(done, f"Error: {store}: no space left on the device holding the store",
                               "free some space", "documents of this run were stored before it")
        stored = int(line.split("; ")[-1].split()[0])
        if stored:
            break
    # still full: the store opens for reading, and every document in it is whole
    full = _documents(store)
    assert 0 < len(full) == stored < DOCUMENTS
    clean_docs = clean[1]
    assert all(quads == clean_docs[graph] for graph, quads in full.items())
    # a second writer on the full disk is refused in one line too
    _one_line_error(_kg("--store", store, "ingest", corpus), "no space left")
    filler.unlink()
    resumed = _kg("--store", store, "ingest", corpus)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{DOCUMENTS - stored} ingested, {stored} unchanged" in resumed.stdout
    assert _documents(store) == clean_docs


def test_storage_read_only_file_system(tmp_path, clean):
    copy = tmp_path / "data" / "store"
    shutil.copytree(clean[0], copy)
    view = tmp_path / "read-only"
    view.mkdir()
    why = _mount("--bind", str(tmp_path / "data"), str(view))
    if why:
        pytest.skip(f"cannot bind-mount: {why}")
    try:
        why = _mount("-o", "remount,ro,bind", str(view))
        if why:
            pytest.skip(f"cannot remount read-only: {why}")
        store = view / "store"
        stats = _kg("--store", store, "stats", "--format", "json", timeout=15)
        assert stats.returncode == 0, stats.stderr
        assert f'"documents": {DOCUMENTS}' in stats.stdout
        _one_line_error(_kg("--store", store, "ingest", ROOT / "seeds"),
                        f"Error: {store}: the store is on a read-only file system", "writable copy")
    finally:
        subprocess.run(["umount", "-l", str(view)], check=False)
    assert _documents(copy) == clean[1]


def test_storage_permission_denied(tmp_path, clean):
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run a command without the right to override permissions")
    owned = tmp_path / "owned"
    owned.mkdir()
    store = owned / "store"
    shutil.copytree(clean[0], store)
    os.chown(owned, 65534, 65534)
    owned.chmod(0o700)  # another user's folder; root without CAP_DAC_OVERRIDE may not enter it
    try:
        done = subprocess.run(["setpriv", "--inh-caps=-all", "--bounding-set=-all", *KG, "--store", str(store),
                               "stats"], capture_output=True, text=True, timeout=120, cwd="/")
        _one_line_error(done, f"Error: {store}: permission denied", "owner of the store")
    finally:
        owned.chmod(0o755)
    assert _documents(store) == clean[1]


def test_storage_database_held_by_another_program(tmp_path, clean):
    from kg.serve import _free_port, oxigraph_command

    store = tmp_path / "store"
    shutil.copytree(clean[0], store)
    port = _free_port()
    server = subprocess.Popen([oxigraph_command(), "serve", "--location", str(store / "oxigraph"),
                               "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        _one_line_error(_kg("--store", store, "ingest", ROOT / "seeds"),
                        f"Error: {store}: the store's database is held by another program", "oxigraph server")
    finally:
        server.terminate()
        server.wait(30)
    assert _documents(store) == clean[1]


def _damage_current(folder: Path) -> None:
    (folder / "CURRENT").write_bytes(b"")


def _damage_manifest(folder: Path) -> None:
    manifest = next(folder.glob("MANIFEST-*"))
    data = bytearray(manifest.read_bytes())
    data[100:116] = b"garbage-garbage!"
    manifest.write_bytes(bytes(data))


def _largest_sst(folder: Path) -> Path:
    return max(folder.glob("*.sst"), key=lambda p: p.stat().st_size)


def _truncate_sst(folder: Path) -> None:
    sst = _largest_sst(folder)
    os.truncate(sst, sst.stat().st_size // 2)


def _delete_sst(folder: Path) -> None:
    _largest_sst(folder).unlink()


@pytest.mark.parametrize("damage", [_damage_current, _damage_manifest, _truncate_sst, _delete_sst],
                         ids=["CURRENT emptied", "MANIFEST garbled", "SST truncated", "SST deleted"])
@pytest.mark.parametrize("command", [("stats",), ("export",), ("ingest", ROOT / "seeds")], ids=lambda c: c[0])
def test_storage_damaged_store_is_named(tmp_path, clean, damage, command):
    store = tmp_path / "store"
    shutil.copytree(clean[0], store)
    damage(store / "oxigraph")
    done = _kg("--store", store, *command)
    _one_line_error(done, f"Error: {store}: store is damaged", "kg restore")
    assert done.stdout == ""


def test_storage_backup_while_read_then_restore_a_damaged_store(tmp_path, clean):
    from kg.store import open_store

    store = tmp_path / "store"
    shutil.copytree(clean[0], store)
    with open_store(store, read_only=True) as reader:  # a reader holds the store throughout
        done = _kg("--store", store, "backup", tmp_path / "backup")
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(f"backed up {DOCUMENTS} documents")
        assert len(reader.document_graphs()) == DOCUMENTS
    assert all(p.stat().st_nlink == 1 for p in (tmp_path / "backup" / "oxigraph").iterdir())
    _one_line_error(_kg("--store", store, "backup", tmp_path / "backup"), "not empty")
    _truncate_sst(store / "oxigraph")
    _one_line_error(_kg("--store", store, "stats"), "store is damaged")
    restored = _kg("--store", store, "restore", tmp_path / "backup")
    assert restored.returncode == 0, restored.stderr
    assert _documents(store) == clean[1]
    assert len(list(store.glob("oxigraph.replaced-*"))) == 1
    _one_line_error(_kg("--store", store, "restore", tmp_path), "not a backup")
