"""Backups of the embedded store, taken while it is in use, and bringing one back.

:func:`backup_store` opens the store as a reader (beside other readers, and
beside a writer through its snapshot) and writes a RocksDB checkpoint of it:
a consistent copy as of one moment, every document in it whole. RocksDB makes a
checkpoint of hard links where it can; the backup replaces them by copies, so
damage to the store's files never reaches its backup.

:func:`restore_store` takes the store's writer lock, checks that the backup
opens, sets the current database aside (``oxigraph.replaced-<time>``, removed
by hand once the restored store is checked) and puts a copy of the backup in
its place.

:class:`Replacement` builds a new database beside the current one and puts it in that place
the same way (``kg rebuild``): the old database can be read meanwhile, as a read-only store.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreError
from kg.namespaces import ID
from kg.store.faults import store_fault
from kg.store.integrity import record_files, verify_files
from kg.store.locks import _Lock
from kg.store.oxigraph import OxigraphStore

__all__ = ["BackupReport", "backup_store", "restore_store", "Replacement"]

_DATA = "oxigraph"
_RECORD = "polkg-backup.json"


@dataclass
class BackupReport:
    """What a backup or a restore copied."""

    path: str
    documents: int
    quads: int
    bytes: int
    seconds: float

    def summary(self, verb: str = "backed up") -> str:
        return (f"{verb} {self.documents} documents ({self.quads:,} quads, {self.bytes / 2**20:,.1f} MB) "
                f"{'to' if verb == 'backed up' else 'from'} {self.path} in {self.seconds:.1f} s")


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _unlink_copies(folder: Path) -> None:
    """Replace every hard-linked file in ``folder`` by a copy of its own."""
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_nlink > 1:
            copy = path.with_name(path.name + ".copy")
            shutil.copy2(path, copy)
            os.replace(copy, path)


def backup_store(store, target) -> BackupReport:
    """Write a consistent backup of the store at ``store`` into the new folder ``target``.

    Raises
    ------
    StoreError
        ``target`` exists and is not empty, or the store or the disk fails (one line).
    """
    from kg.store import open_store

    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise StoreError(f"{target}: the backup folder exists and is not empty; give a new folder")
    started = time.perf_counter()
    unfinished = target.with_name(f".{target.name}.unfinished")
    shutil.rmtree(unfinished, ignore_errors=True)
    try:
        with open_store(store, read_only=True) as opened:
            documents = len(opened.document_graphs())
            quads = len(opened)
            unfinished.mkdir(parents=True)
            opened.raw.backup(str(unfinished / _DATA))
        _unlink_copies(unfinished / _DATA)
        record_files(unfinished / _DATA)  # so that damage to the backup is found before it is restored
        (unfinished / _RECORD).write_text(json.dumps(
            {"store": str(Path(store).resolve()), "documents": documents, "quads": quads,
             "taken": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}) + "\n", encoding="utf-8")
        if target.exists():
            target.rmdir()
        os.rename(unfinished, target)
    except (OSError, RuntimeError) as exc:
        shutil.rmtree(unfinished, ignore_errors=True)
        raise store_fault(target, exc, doing="writing the backup") from exc
    return BackupReport(str(target), documents, quads, _size(target), time.perf_counter() - started)


def restore_store(backup, store, *, wait: float = 0) -> BackupReport:
    """Replace the database of the store at ``store`` by the backup in ``backup``.

    The store's current database is kept beside it as ``oxigraph.replaced-<time>``.

    Raises
    ------
    StoreError
        ``backup`` is not a polkg backup or does not open, the store is in use, or
        the disk fails (one line).
    """
    backup, store = Path(backup), Path(store)
    if not (backup / _DATA / "CURRENT").is_file():
        raise StoreError(f"{backup}: not a backup of a polkg store (no {_DATA}/CURRENT); make one with kg backup DIR")
    started = time.perf_counter()
    try:
        verify_files(backup, backup / _DATA)
        checked = ox.Store.read_only(str(backup / _DATA))
        quads = len(checked)
        documents = sum(1 for g in checked.named_graphs()
                        if isinstance(g, ox.NamedNode) and g.value.startswith(str(ID["doc/"])))
        del checked
    except (OSError, RuntimeError) as exc:
        raise store_fault(backup, exc, doing="opening the backup") from exc
    store.mkdir(parents=True, exist_ok=True)
    lock = _Lock(store, wait=wait)
    try:
        incoming = store / f".{_DATA}.restoring"
        shutil.rmtree(incoming, ignore_errors=True)
        shutil.copytree(backup / _DATA, incoming)
        _put_in_place(store, incoming)
    except OSError as exc:
        raise store_fault(store, exc, doing="restoring the backup") from exc
    finally:
        lock.release()
    return BackupReport(str(backup), documents, quads, _size(store / _DATA), time.perf_counter() - started)


def _put_in_place(store: Path, incoming: Path) -> Path | None:
    """Make the database ``incoming`` the store's, keeping the current one beside it as
    ``oxigraph.replaced-<time>`` (returned; None when there was none)."""
    current, kept = store / _DATA, None
    if current.exists():
        kept = store / f"{_DATA}.replaced-{time.strftime('%Y%m%dT%H%M%S')}"
        os.rename(current, kept)
    os.rename(incoming, current)
    return kept


class Replacement:
    """A new database for the store at ``store``, built beside the current one, which takes its
    place at :meth:`put_in_place` (the current one kept as ``oxigraph.replaced-<time>``).

    It holds the store's writer lock until :meth:`close` (``wait``: seconds to wait for it), so
    that no writer or reader uses the store while it is replaced. Use as a context manager;
    without :meth:`put_in_place`, the store is left as it was.

    Raises
    ------
    StoreError
        The store is in use, or its folder cannot be created.
    """

    def __init__(self, store, *, wait: float = 0) -> None:
        self.path = Path(store)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise store_fault(self.path, exc, doing="creating the store") from exc
        self._lock = _Lock(self.path, wait=wait)
        self._work = self.path / ".rebuilding"
        shutil.rmtree(self._work, ignore_errors=True)

    @property
    def has_current(self) -> bool:
        """Whether the store has a database now."""
        return (self.path / _DATA / "CURRENT").exists()

    def open_current(self):
        """The current database as a read-only store; close it before :meth:`put_in_place`.

        Raises :class:`~kg.errors.StoreError` (one line) when it cannot be opened."""
        try:
            raw = ox.Store.read_only(str(self.path / _DATA))
        except (OSError, RuntimeError) as exc:
            raise store_fault(self.path, exc, doing="opening the database") from exc
        current = OxigraphStore.wrap(raw)
        current.path, current.read_only = self.path, True
        return current

    def open_new(self):
        """The new database, empty but for the ontology and reference data, as a writable store.
        Close it before :meth:`put_in_place`."""
        return OxigraphStore(self._work)

    def put_in_place(self) -> str | None:
        """Make the new database the store's; returns the name the old one is kept under (None
        when there was none)."""
        try:
            kept = _put_in_place(self.path, self._work / _DATA)
            shutil.rmtree(self._work, ignore_errors=True)
        except OSError as exc:
            raise store_fault(self.path, exc, doing="putting the rebuilt database in place") from exc
        return kept.name if kept else None

    def close(self) -> None:
        shutil.rmtree(self._work, ignore_errors=True)
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> "Replacement":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
