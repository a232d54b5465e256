"""The embedded store: Oxigraph on disk, one named graph per document.

Writes go straight to pyoxigraph, one ``extend`` call per batch of documents
(Oxigraph applies each call atomically) followed by ``flush``: a document is in
the store whole or not at all. The rdflib API is available over the same store
through oxrdflib (:meth:`OxigraphStore.dataset`).

One writer, many readers. Opening a store takes a lock on ``polkg.lock`` in
its folder: a writer's is exclusive and records its pid, so a second writer is
told which process holds the store (or waits, ``wait=SECONDS``). A reader
(``read_only=True``) takes a shared lock, so readers run side by side; while
a writer holds the store, a reader asks it for a snapshot (a RocksDB
checkpoint: hard links, taken between two atomic writes, so every document in
it is whole) and reads that instead. Oxigraph's own read-only mode is only
ever used on files no process is writing: opening it beside a writer is
undefined.

::

    .kg/polkg.lock                 who holds the store (flock; the writer's pid)
    .kg/oxigraph/                  the RocksDB database
    .kg/snapshots/REQUEST          readers append a byte to ask the writer for a snapshot
    .kg/snapshots/<time_ns>/       a snapshot; its polkg-reader.lock is held by its readers
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import tempfile
import threading
import time
import weakref
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox
from rdflib import Graph

from kg import resources
from kg.errors import QueryError, StoreError
from kg.namespaces import ID, POL, QUERY_PREFIXES
from kg.sparql import syntax_error
from kg.store.faults import is_store_fault, store_fault
from kg.store.integrity import record_files, verify_files
from kg.store.locks import _LOCK, _POLL, _Lock, _flock, _holders
from kg.terms import from_ox, to_ox

__all__ = [
    "OxigraphStore",
    "open_store",
    "DEFAULT_STORE",
    "REFERENCE_GRAPH",
    "ONTOLOGY_GRAPH",
    "VOCAB_GRAPH",
    "SNAPSHOT_WAIT",
    "BULK_QUADS",
    "finish_replacements",
    "to_ox",
    "from_ox",
]

DEFAULT_STORE = ".kg"
_ID = str(ID)
REFERENCE_GRAPH = _ID + "graph/reference"
ONTOLOGY_GRAPH = _ID + "graph/ontology"
VOCAB_GRAPH = _ID + "graph/vocab"
META_GRAPH = _ID + "graph/meta"
_HASH = str(POL.contentHash)
_DATA = "oxigraph"
_SNAPSHOTS = "snapshots"
_REQUEST = "REQUEST"
_SERVING = "SERVING"
_READER_LOCK = "polkg-reader.lock"
_SNAPSHOT_NAME = re.compile(r"^\d{20}$")
SNAPSHOT_WAIT = 20.0
"""Seconds a reader waits for the writer's snapshot before it gives up."""
BULK_QUADS = 5_000
"""A write batch of this many quads or more goes through the bulk loader."""
_REPLACES = ox.NamedNode(_ID + "ingest/replaces")
"""``<new graph> replaces <old graph>`` in the meta graph: a replacement not yet finished."""
_VERSION = ox.NamedNode(_ID + "store/version")
"""``<meta graph> version "N"`` in the meta graph: names the store's content (a new name after every write)."""
_CHANGING = ox.NamedNode(_ID + "store/changing")
"""``<meta graph> changing true`` in the meta graph while a write is under way: the content has no version."""
_DERIVED = "derived"


def _files_hash(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


# -- snapshots: what readers read while a writer holds the store -------------------


def _snapshot_names(folder: Path) -> list[str]:
    try:
        return sorted(n for n in os.listdir(folder) if _SNAPSHOT_NAME.match(n))
    except OSError:
        return []


def _prune_snapshots(folder: Path, keep: set[str] = frozenset(), *, leftovers: bool = False) -> None:
    """Remove the snapshots no reader holds (and, with ``leftovers``, unfinished ones)."""
    try:
        entries = os.listdir(folder)
    except OSError:
        return
    for name in entries:
        path = folder / name
        if leftovers and name.startswith(".") and name.endswith(".tmp"):
            shutil.rmtree(path, ignore_errors=True)
            continue
        if name in keep or not _SNAPSHOT_NAME.match(name):
            continue
        try:
            with open(path / _READER_LOCK, "r") as fh:
                if _flock(fh, fcntl.LOCK_EX, 0):
                    shutil.rmtree(path, ignore_errors=True)
        except FileNotFoundError:  # unfinished or half removed: nobody can hold it
            shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue


class _SnapshotService:
    """In the writer: takes a snapshot when a reader asks for one.

    A thread looks for requests every fraction of a second; it holds the store
    only weakly, so a store that is dropped without ``close`` is still freed.
    """

    def __init__(self, store: "OxigraphStore") -> None:
        self.folder = store.path / _SNAPSHOTS
        self.request = self.folder / _REQUEST
        self.folder.mkdir(exist_ok=True)
        _prune_snapshots(self.folder, leftovers=True)
        self.request.unlink(missing_ok=True)
        (self.folder / _SERVING).write_text(str(os.getpid()), encoding="ascii")
        self.served = 0
        self._stop = threading.Event()
        self._store = weakref.ref(store)
        self._thread = threading.Thread(target=self._run, name=f"polkg-snapshots {store.path}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(_POLL):
            store = self._store()
            if store is None or store._store is None:
                return
            try:
                asked = self.request.stat().st_size
            except OSError:
                asked = 0
            if asked > self.served:
                self.served = asked
                try:
                    self.take(store._store)
                except (OSError, RuntimeError):
                    pass  # the reader waiting for it says it got none
            del store

    def take(self, raw: ox.Store) -> str:
        """Write a snapshot of ``raw`` now and return its name."""
        name = f"{time.time_ns():020d}"
        unfinished = self.folder / f".{name}.tmp"
        raw.backup(str(unfinished))
        (unfinished / _READER_LOCK).touch()
        os.rename(unfinished, self.folder / name)
        _prune_snapshots(self.folder, keep={name})
        return name

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join()
        _prune_snapshots(self.folder, leftovers=True)
        self.request.unlink(missing_ok=True)
        (self.folder / _SERVING).unlink(missing_ok=True)


def _takes_snapshots(directory: Path) -> bool:
    """Whether the process writing ``directory`` answers readers' requests for snapshots
    (True when that cannot be told)."""
    holders = [pid for pid, mode in _holders(directory / _LOCK) if mode == "WRITE"]
    if not holders:
        return True
    try:
        serving = int((directory / _SNAPSHOTS / _SERVING).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return False
    return serving in holders


def _ask_for_snapshot(directory: Path, timeout: float):
    """Ask the writer of ``directory`` for a snapshot.

    Returns ``(its path, its reader lock)`` once one taken after the request
    exists; a :class:`_Lock` (shared) if the writer lets go of the store first;
    None after ``timeout`` seconds.
    """
    folder = directory / _SNAPSHOTS
    asked = time.time_ns()
    try:
        with open(folder / _REQUEST, "ab") as fh:
            fh.write(b".")
    except OSError:
        pass  # no snapshot will come; the writer may still finish in time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name in reversed(_snapshot_names(folder)):
            if int(name) < asked:
                break
            try:
                fh = open(folder / name / _READER_LOCK, "r")
            except OSError:
                continue
            if _flock(fh, fcntl.LOCK_SH, 0) and os.fstat(fh.fileno()).st_nlink > 0:
                return folder / name, fh
            fh.close()
        try:
            return _Lock(directory, shared=True)
        except StoreError:
            time.sleep(_POLL / 2)
    return None


def _schema_nquads(stale: dict[str, tuple[list[Path], str]]) -> bytes:
    """The schema graphs (ontology, vocabularies, reference data) and their digests in the meta
    graph, as N-Quads: what ``ensure_schema`` writes into a fresh store."""
    quads = []
    for graph, (paths, digest) in stale.items():
        node = ox.NamedNode(graph)
        for path in paths:
            for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
                quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, node))
        quads.append(ox.Quad(node, ox.NamedNode(_HASH), ox.Literal(digest), ox.NamedNode(META_GRAPH)))
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)


def _schema_key(stale: dict[str, tuple[list[Path], str]]) -> str:
    """The name of the schema graphs' files in the user cache (their digests, the Oxigraph version)."""
    key = hashlib.sha256("".join(f"{g} {d}\n" for g, (_, d) in sorted(stale.items())).encode()).hexdigest()
    return f"schema-{key[:32]}-ox{ox.__version__}"


def _bulk_load_schema(raw: ox.Store, stale: dict[str, tuple[list[Path], str]]) -> None:
    """Load the schema graphs into the empty store ``raw`` in one atomic bulk load, from a
    prebuilt N-Quads file in the user cache (named by the files' digests; built when missing)."""
    from kg.cache import cached_bytes

    data, path = cached_bytes(f"{_schema_key(stale)}.nq", lambda: _schema_nquads(stale))
    if path is not None:
        try:
            raw.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
            return
        except (SyntaxError, OSError, ValueError):  # a damaged cache file: build it again here
            data = _schema_nquads(stale)
    raw.bulk_load(data, format=ox.RdfFormat.N_QUADS)


def _new_database(data: Path, files: dict[str, list[Path]]) -> Path | None:
    """Make the database folder ``data`` of a new store a copy of a database that holds only the
    schema graphs (the files ``files`` of each graph, and their digests), kept in the user cache
    under the files' digests and built there when missing: copying it takes a few milliseconds,
    loading the graphs a few tenths of a second. The copy is made beside ``data`` and renamed
    into place, so ``data`` is whole or absent. Returns the cached database copied, or None (and
    nothing made) when the cache cannot be used: the schema is then loaded into the new store
    as usual.
    """
    from kg.cache import cache_dir

    stale = {graph: (paths, _files_hash(paths)) for graph, paths in files.items()}
    folder = cache_dir()
    template = folder / f"{_schema_key(stale)}.db"
    copy = data.with_name(f".{data.name}.new")
    try:
        if not (template / "CURRENT").is_file():
            folder.mkdir(parents=True, exist_ok=True)
            build = Path(tempfile.mkdtemp(prefix=f".{template.name}.", suffix=".tmp", dir=folder))
            try:
                raw = ox.Store(str(build))
                _bulk_load_schema(raw, stale)
                raw.flush()
                del raw  # closes the database
                try:
                    os.rename(build, template)  # atomic; another process may have made it first
                except OSError:
                    if not (template / "CURRENT").is_file():
                        raise
            finally:
                shutil.rmtree(build, ignore_errors=True)
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(template, copy)
        os.rename(copy, data)
    except (OSError, RuntimeError, SyntaxError, ValueError):
        shutil.rmtree(copy, ignore_errors=True)
        return None
    return template


def finish_replacements(raw: ox.Store) -> int:
    """Remove the old graphs of replacements that a write recorded but did not finish.

    Returns how many old graphs were removed.
    """
    removed = 0
    meta = ox.NamedNode(META_GRAPH)
    for marker in list(raw.quads_for_pattern(None, _REPLACES, None, meta)):
        if raw.contains_named_graph(marker.subject) and raw.contains_named_graph(marker.object):
            raw.remove_graph(marker.object)
            removed += 1
        raw.remove(marker)
    return removed


def _count(content) -> int:
    if isinstance(content, (bytes, bytearray)):
        return content.count(b"\n")
    return len(content)


def _triple(item) -> tuple:
    """Subject, predicate and object of a pyoxigraph triple or an rdflib triple, as pyoxigraph terms."""
    if isinstance(item, ox.Triple):
        return item.subject, item.predicate, item.object
    return tuple(to_ox(t) for t in item)


def _quads_in(name: ox.NamedNode, content) -> list:
    """A graph's content as quads: N-Quads bytes and quads as they are (they name their graph),
    triples (pyoxigraph or rdflib) put in the graph ``name``."""
    if isinstance(content, (bytes, bytearray)):
        return list(ox.parse(bytes(content), format=ox.RdfFormat.N_QUADS))
    return [q if isinstance(q, ox.Quad) else ox.Quad(*_triple(q), name) for q in content]


def _is_empty(raw: ox.Store) -> bool:
    return next(iter(raw.quads_for_pattern(None, None, None, None)), None) is None


class OxigraphStore:
    """A persistent Oxigraph store in ``path`` (or in memory when ``path`` is None).

    ``read_only=True`` opens it for reading only, beside other readers and
    beside a writer (through a snapshot, see the module's notes); ``wait`` is
    how many seconds to wait for a process that holds the store. Use as a
    context manager, or call :meth:`close`.

    Raises
    ------
    StoreError
        The store is held by another process (the message names it), or cannot
        be created or opened.
    """

    def __init__(self, path: str | os.PathLike | None = DEFAULT_STORE, *, wait: float = 0,
                 read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        self.read_only = bool(read_only) and self.path is not None
        self.snapshot: Path | None = None
        """The snapshot this reader reads (a writer held the store), or None."""
        self.derived: Path | None = None
        """The derived copy (:meth:`open_derived`) this reader reads, or None."""
        self._lock = None
        self._snapshot_lock = None
        self._derived_lock = None
        self._snapshots: _SnapshotService | None = None
        self._store = None
        self._faulted = False
        if self.path is None:
            self._store = ox.Store()
            self.ensure_schema()
        elif self.read_only:
            self._open_reader(wait)
        else:
            self._open_writer(wait)

    @classmethod
    def wrap(cls, raw: ox.Store) -> "OxigraphStore":
        """A store over ``raw`` as it is, a pyoxigraph store of its own that nothing else holds
        (no lock, no schema loaded; ``close`` drops it, writing nothing)."""
        store = cls.__new__(cls)
        store.path, store.read_only, store.snapshot, store.derived = None, False, None, None
        store._lock = store._snapshot_lock = store._snapshots = store._derived_lock = None
        store._faulted = False
        store._store = raw
        return store

    def _open_writer(self, wait: float) -> None:
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot create the store ({exc.strerror})") from exc
        self._lock = _Lock(self.path, wait=wait)
        try:
            # readers that come while the schema loads wait for the snapshot taken after it
            (self.path / _SNAPSHOTS).mkdir(exist_ok=True)
            (self.path / _SNAPSHOTS / _SERVING).write_text(str(os.getpid()), encoding="ascii")
        except OSError:
            pass
        data = self.path / _DATA
        template = None if data.exists() else _new_database(data, self._schema_files())
        try:
            verify_files(self.path, data)
            try:
                self._store = ox.Store(str(data))
            except (OSError, RuntimeError):
                if template is None:
                    raise
                # a damaged copy: make this store as usual, and the cached database again next time
                shutil.rmtree(data, ignore_errors=True)
                shutil.rmtree(template, ignore_errors=True)
                self._store = ox.Store(str(data))
        except StoreError:
            self.close()
            raise
        except (OSError, RuntimeError) as exc:
            self.close()
            raise store_fault(self.path, exc, doing="opening the store") from exc
        try:
            with self._faults("loading the ontology and reference data"):
                self.ensure_schema()
            with self._faults("finishing an interrupted replacement"):
                finish_replacements(self._store)
                if self.version is None:  # a store written before versions, or a write that did not finish
                    with self._change(self._store):
                        pass
            self._snapshots = _SnapshotService(self)
        except BaseException:
            self._faulted = True
            self.close()
            raise

    def _open_reader(self, wait: float) -> None:
        deadline = time.monotonic() + wait
        reloads = 0
        while True:
            if not (self.path / _DATA / "CURRENT").exists():
                # a new store: create it (and its schema) as a writer would, then read it
                try:
                    OxigraphStore(self.path, wait=max(0.0, deadline - time.monotonic())).close()
                except StoreError:
                    pass  # a writer holds it: read its snapshot below
            try:
                self._lock = _Lock(self.path, shared=True)
            except StoreError as busy:
                holder = str(busy).split("; ")[0]
                if not _takes_snapshots(self.path):
                    if time.monotonic() < deadline:
                        time.sleep(_POLL)
                        continue
                    raise StoreError(f"{holder}, which takes no snapshots for readers; "
                                     "try again when it has finished") from None
                found = _ask_for_snapshot(self.path, max(SNAPSHOT_WAIT, deadline - time.monotonic()))
                if isinstance(found, _Lock):  # the writer has finished: read the store itself
                    self._lock = found
                    if not (self.path / _DATA / "CURRENT").exists():  # it died before making one
                        self.close()
                        continue
                elif found is not None and self._read_snapshot(*found):
                    return
                elif time.monotonic() < deadline:
                    continue
                else:
                    raise StoreError(f"{holder} and took no snapshot for readers within {SNAPSHOT_WAIT:.0f} s; "
                                     "try again when it has finished") from None
            try:
                verify_files(self.path, self.path / _DATA)
                self._store = ox.Store.read_only(str(self.path / _DATA))
            except StoreError:
                self.close()
                raise
            except (OSError, RuntimeError) as exc:
                self.close()
                raise store_fault(self.path, exc, doing="opening the store") from exc
            stale = self._stale_schema()
            if reloads or not (stale or self.version is None):
                return
            # ontology or reference files changed since the last writer: let a writer load them,
            # then read what there is (others may be reading: the next writer loads them); likewise
            # a store whose content has no version yet (written by an older polkg, or a write that
            # stopped half way), which a writer gives one, if it can have the store at once
            self.close()
            reloads += 1
            try:
                OxigraphStore(self.path, wait=max(0.0, deadline - time.monotonic()) if stale else 0).close()
            except StoreError:
                pass

    def _read_snapshot(self, folder: Path, lock) -> bool:
        try:
            self._store = ox.Store.read_only(str(folder))
        except (OSError, RuntimeError):
            lock.close()
            return False
        self.snapshot, self._snapshot_lock = folder, lock
        return True

    # -- life cycle ---------------------------------------------------------

    def __enter__(self) -> "OxigraphStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._snapshots is not None:
            self._snapshots.stop()
            self._snapshots = None
        if getattr(self, "_store", None) is not None:
            try:
                if self.path is not None and not self.read_only and not self._faulted:
                    with self._faults("closing the store"):
                        self._store.flush()
            finally:
                self._store = None
                if self.path is not None and not self.read_only and self._lock is not None and not self._faulted:
                    # closed cleanly: every table file there is the database's (after a fault, one may be
                    # a half-written file RocksDB deletes at the next open)
                    record_files(self.path / _DATA)
                if self._lock is not None and self._faulted:
                    self._lock.release()
                    self._lock = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        if self._snapshot_lock is not None:
            # the last reader of a snapshot removes it; a writer removes any left over
            if _flock(self._snapshot_lock, fcntl.LOCK_EX, 0):
                shutil.rmtree(self.snapshot, ignore_errors=True)
            self._snapshot_lock.close()
            self._snapshot_lock = None
        if getattr(self, "_temporary", None) is not None:
            shutil.rmtree(self._temporary, ignore_errors=True)
            self._temporary = None
        if getattr(self, "_derived_lock", None) is not None:
            self._derived_lock.close()  # a derived copy stays for later readers
            self._derived_lock = None

    @contextmanager
    def _faults(self, doing: str, *, every: bool = False):
        """Turn a storage fault met while ``doing`` into a one-line :class:`StoreError`
        (with ``every``, any error of the engine); after one, ``close`` does not write again."""
        try:
            yield
        except (OSError, RuntimeError) as exc:
            if not every and not is_store_fault(exc) and not isinstance(exc, OSError):
                raise
            self._faulted = True
            raise store_fault(self.path, exc, doing=doing) from exc

    def fault(self, exc: BaseException, doing: str) -> StoreError:
        """The one-line error for a storage fault met while ``doing`` something with
        :attr:`raw`; ``close`` then writes nothing more."""
        self._faulted = True
        return store_fault(self.path, exc, doing=doing)

    @property
    def raw(self) -> ox.Store:
        """The underlying :class:`pyoxigraph.Store`."""
        if self._store is None:
            raise StoreError(f"{self.path}: the store is closed")
        return self._store

    def _writable(self) -> ox.Store:
        if self.read_only:
            raise StoreError(f"{self.path}: the store was opened read-only")
        return self.raw

    # -- versions of the content, and copies derived from one ---------------------

    @property
    def version(self) -> str | None:
        """The name of the store's content as it is now: every write gives it a new one.

        None in memory, while a write is under way, and after a write that did not finish
        (until the next writer opens the store). Kept in the meta graph, so a snapshot or a
        backup has the version of the content it holds.
        """
        if self.path is None:
            return None
        meta = ox.NamedNode(META_GRAPH)
        raw = self.raw
        if next(iter(raw.quads_for_pattern(meta, _CHANGING, None, meta)), None) is not None:
            return None
        found = [q.object.value for q in raw.quads_for_pattern(meta, _VERSION, None, meta)]
        return found[0] if len(found) == 1 and _SNAPSHOT_NAME.match(found[0]) else None

    @contextmanager
    def _change(self, raw: ox.Store):
        """Around a write: the content has no version while the write is under way (nor after
        one that stops half way), and a new one once it is done."""
        if self.path is None:
            yield
            return
        meta = ox.NamedNode(META_GRAPH)
        changing = ox.Quad(meta, _CHANGING, ox.Literal(True), meta)
        raw.add(changing)
        yield
        for quad in list(raw.quads_for_pattern(meta, _VERSION, None, meta)):
            raw.remove(quad)
        raw.add(ox.Quad(meta, _VERSION, ox.Literal(f"{time.time_ns():020d}"), meta))
        raw.remove(changing)
        raw.flush()

    def open_derived(self, name: str, build) -> "OxigraphStore":
        """A read-only store of this store's content as ``build`` changes it (the reviewers'
        corrections applied, say), made once per :attr:`version` of the content.

        ``build`` is handed a writable copy of the content and changes it through this
        protocol's operations. The result is kept beside the database, in
        ``derived/NAME/VERSION/`` (an Oxigraph backup: hard links to the database's
        files where it can), so that each later reader of the same content opens it
        instead of making it again; copies of older versions are removed once no reader
        holds them. Without a version (in memory, or while a write is under way) the copy
        is made for this reader alone and removed when it is closed. Close the result.
        """
        version = self.version
        if version is None:
            return self._temporary_copy(build)
        folder = self.path / _DERIVED / name
        target = folder / version
        view = self._open_derived_at(target)
        if view is not None:
            if any(n != version and _SNAPSHOT_NAME.match(n) for n in os.listdir(folder)):
                _prune_snapshots(folder, keep={version})  # older ones a reader held when this was made
            return view
        unfinished = folder / f".{version}.tmp"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with open(folder / "BUILD.lock", "a") as building:
                fcntl.flock(building, fcntl.LOCK_EX)  # one process makes it; the others wait, then open it
                view = self._open_derived_at(target)
                if view is None:
                    shutil.rmtree(unfinished, ignore_errors=True)
                    self.raw.backup(str(unfinished))
                    copy = OxigraphStore.wrap(ox.Store(str(unfinished)))
                    try:
                        build(copy)
                        copy.raw.flush()
                    finally:
                        copy.close()
                    (unfinished / _READER_LOCK).touch()
                    shutil.rmtree(target, ignore_errors=True)  # one that could not be opened
                    os.rename(unfinished, target)
                    view = self._open_derived_at(target)
                _prune_snapshots(folder, keep={version}, leftovers=True)
        except (OSError, RuntimeError):  # no room for it: a copy in memory for this reader
            shutil.rmtree(unfinished, ignore_errors=True)
            return self._temporary_copy(build, on_disk=False)
        return view if view is not None else self._temporary_copy(build)

    def _open_derived_at(self, target: Path) -> "OxigraphStore | None":
        try:
            lock = open(target / _READER_LOCK, "r")
        except OSError:
            return None
        if not _flock(lock, fcntl.LOCK_SH, 0) or os.fstat(lock.fileno()).st_nlink == 0:
            lock.close()  # being removed
            return None
        try:
            raw = ox.Store.read_only(str(target))
        except (OSError, RuntimeError):
            lock.close()
            return None
        view = self._view(raw)
        view._derived_lock, view.derived = lock, target
        return view

    def _temporary_copy(self, build, *, on_disk: bool = True) -> "OxigraphStore":
        """``build`` applied to a copy of the content for one reader (removed when it is closed):
        an Oxigraph backup in a temporary folder for a store on disk, else a copy in memory."""
        folder = None
        if on_disk and self.path is not None:
            try:
                folder = Path(tempfile.mkdtemp(prefix="polkg-derived-"))
                self.raw.backup(str(folder / _DATA))
                raw = ox.Store(str(folder / _DATA))
            except (OSError, RuntimeError):
                shutil.rmtree(folder, ignore_errors=True)
                folder = None
        if folder is None:
            raw = ox.Store()
            raw.bulk_extend(self.raw.quads_for_pattern(None, None, None, None))
        copy = OxigraphStore.wrap(raw)
        copy._temporary = folder
        try:
            build(copy)
        except BaseException:
            copy.close()
            raise
        copy.read_only = True
        return copy

    # -- schema and reference data -------------------------------------------

    @staticmethod
    def _schema_files() -> dict[str, list[Path]]:
        return {
            ONTOLOGY_GRAPH: [resources.ontology_file()],
            VOCAB_GRAPH: resources.vocab_files(),
            REFERENCE_GRAPH: resources.reference_files(),
        }

    def _stale_schema(self) -> dict[str, tuple[list[Path], str]]:
        """The schema graphs whose files changed since they were loaded: graph -> (files, digest)."""
        stale = {}
        for graph, paths in self._schema_files().items():
            digest = _files_hash(paths)
            node = ox.NamedNode(graph)
            current = [q.object.value for q in
                       self.raw.quads_for_pattern(node, ox.NamedNode(_HASH), None, ox.NamedNode(META_GRAPH))]
            if current != [digest]:
                stale[graph] = (paths, digest)
        return stale

    def ensure_schema(self) -> None:
        """Load the ontology, the vocabularies and the reference data, each in its own
        named graph, when they are missing or their files changed."""
        stale = self._stale_schema()
        if not stale:
            return
        raw = self._writable()
        fresh = self.path is not None and len(stale) == len(self._schema_files()) and _is_empty(raw)
        with self._change(raw):
            self._load_schema(raw, stale, fresh=fresh)

    def _load_schema(self, raw: ox.Store, stale: dict[str, tuple[list[Path], str]], *, fresh: bool) -> None:
        if fresh:
            _bulk_load_schema(raw, stale)  # a fresh store: one bulk load of a prebuilt file
            raw.flush()
            return
        for graph, (paths, digest) in stale.items():
            node = ox.NamedNode(graph)
            quads = []
            for path in paths:
                for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
                    quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, node))
            meta = ox.Quad(node, ox.NamedNode(_HASH), ox.Literal(digest), ox.NamedNode(META_GRAPH))
            # a crash between these calls leaves the graph without its digest: reloaded next time
            for old in list(raw.quads_for_pattern(node, ox.NamedNode(_HASH), None, ox.NamedNode(META_GRAPH))):
                raw.remove(old)
            if raw.contains_named_graph(node):
                raw.remove_graph(node)
            raw.extend(quads + [meta])
        if self.path is not None:
            raw.flush()

    # -- documents --------------------------------------------------------------

    def has_graph(self, graph_iri: str) -> bool:
        with self._faults("reading"):
            return self.raw.contains_named_graph(ox.NamedNode(graph_iri))

    def write_graph(self, graph_iri: str, graph: Graph, *, replace: bool = True) -> int:
        """Write ``graph`` as the named graph ``graph_iri`` in one atomic call, then flush.

        Returns the number of triples written.
        """
        name = ox.NamedNode(graph_iri)
        quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), name) for s, p, o in graph]
        self.write_quads(graph_iri, quads, replace=replace)
        return len(quads)

    def write_graphs(self, graphs, *, replaces=None) -> int:
        """Write a batch of named graphs and drop the graphs they replace, as one atomic step; flush once.

        ``graphs`` are ``(graph IRI, content)`` pairs (:data:`kg.store.base.GraphContent`;
        quads, as objects or N-Quads bytes, must already name their graph). ``replaces``
        maps a new graph to the old graphs it replaces. The batch and the intent to
        replace (a marker in the meta graph) go in one call, so a crash leaves every
        graph of it whole or absent; the old graphs are removed after it, and a removal
        that did not happen is done by the next write or the next writer to open the store.
        A graph of the same name as one in the batch is replaced: the new graph is added to
        it in that call, and what only the old one had is removed after it (a crash in
        between leaves both versions' triples, which the next write of it settles).

        A batch of :data:`BULK_QUADS` quads or more goes through pyoxigraph's bulk loader
        (about twice as fast as ``extend`` here, and a smaller store): since pyoxigraph
        0.5.1 it commits all its files in one RocksDB ingestion at the end, unless partial
        commits are asked for, so it is as atomic as ``extend``.

        Returns the number of triples written.
        """
        raw = self._writable()
        doing = f"writing a batch of {len(graphs)} document{'s' if len(graphs) != 1 else ''}"
        with self._faults(doing, every=True), self._change(raw):
            return self._write_batch(raw, graphs, replaces or {})

    def _write_batch(self, raw: ox.Store, graphs, replaces) -> int:
        meta = ox.NamedNode(META_GRAPH)
        markers = [ox.Quad(ox.NamedNode(new), _REPLACES, ox.NamedNode(old), meta)
                   for new, olds in replaces.items() for old in sorted(olds) if old != new]
        contents = [content if isinstance(content, (bytes, bytearray, list)) else list(content)
                    for _, content in graphs]
        # a graph stored already: the new one is added to it in the atomic call below, then what only
        # the old one had is removed; a crash in between leaves both, which the next write settles
        stale = []
        for (iri, _), content in zip(graphs, contents):
            name = ox.NamedNode(iri)
            if raw.contains_named_graph(name):
                stale.extend(set(raw.quads_for_pattern(None, None, None, name)) - set(_quads_in(name, content)))
        triples = sum(_count(c) for c in contents)
        if all(isinstance(c, (bytes, bytearray)) for c in contents):
            data = b"".join(contents + [ox.serialize(markers, format=ox.RdfFormat.N_QUADS)])
            if triples >= BULK_QUADS:
                raw.bulk_load(data, format=ox.RdfFormat.N_QUADS)
            else:
                raw.extend(ox.parse(data, format=ox.RdfFormat.N_QUADS))
        else:
            quads = [q for (iri, _), content in zip(graphs, contents) for q in _quads_in(ox.NamedNode(iri), content)]
            quads.extend(markers)
            if triples >= BULK_QUADS:
                raw.bulk_extend(quads)
            else:
                raw.extend(quads)
        # the batch, and the intent to replace, are in the store now (or nothing is)
        for quad in stale:
            raw.remove(quad)
        finish_replacements(raw)
        if self.path is not None:
            raw.flush()
        return triples

    def drop_graphs(self, graph_iris: Iterable[str]) -> None:
        """Remove the named graphs ``graph_iris``; flush."""
        raw = self._writable()
        with self._faults("removing graphs"), self._change(raw):
            for iri in graph_iris:
                raw.remove_graph(ox.NamedNode(iri))
            if self.path is not None:
                raw.flush()

    def write_quads(self, graph_iri: str, quads: list, *, replace: bool = True) -> None:
        raw = self._writable()
        name = ox.NamedNode(graph_iri)
        with self._faults("writing a document"), self._change(raw):
            if replace and raw.contains_named_graph(name):
                # a crash between the two calls leaves the document absent, never half-written
                raw.remove_graph(name)
            raw.extend(quads)
            if self.path is not None:
                raw.flush()

    def document_graphs(self) -> list[str]:
        prefix = _ID + "doc/"
        return sorted(g.value for g in self.raw.named_graphs() if isinstance(g, ox.NamedNode) and g.value.startswith(prefix))

    def named_graphs(self) -> list[str]:
        with self._faults("reading"):
            return sorted(g.value for g in self.raw.named_graphs() if isinstance(g, ox.NamedNode))

    def graph_triples(self, graph_iri: str) -> list[ox.Triple]:
        with self._faults("reading"):
            return [q.triple for q in self.raw.quads_for_pattern(None, None, None, ox.NamedNode(graph_iri))]

    def remove_graph(self, graph_iri: str) -> None:
        raw = self._writable()
        with self._faults("removing a document"), self._change(raw):
            raw.remove_graph(ox.NamedNode(graph_iri))
            if self.path is not None:
                raw.flush()

    def replace_in_graph(self, graph_iri: str, subjects: Iterable[str] | None, triples: list, *,
                         remove: Iterable = (), marker=None) -> int:
        """In the named graph ``graph_iri``, remove the triples of ``subjects`` (IRIs; None: the whole
        graph) and the triples ``remove``, then add ``triples`` (rdflib terms); flush. For a derived graph
        (the claim layer) that is changed in place rather than rewritten.

        pyoxigraph has no transaction over several calls: ``marker`` (a triple) is written first and
        removed last, so a reader can tell an update that did not finish and build the graph again.
        Returns the number of triples added.
        """
        raw = self._writable()
        with self._change(raw):
            return self._replace_in_graph(raw, ox.NamedNode(graph_iri), subjects, triples, remove, marker)

    def _replace_in_graph(self, raw: ox.Store, name: ox.NamedNode, subjects, triples: list, remove, marker) -> int:
        if marker is not None:
            raw.add(ox.Quad(*(to_ox(t) for t in marker), name))
        if subjects is None:
            if raw.contains_named_graph(name):
                raw.remove_graph(name)
        else:
            old = [q for s in subjects for q in raw.quads_for_pattern(ox.NamedNode(s), None, None, name)]
            old.extend(ox.Quad(*(to_ox(t) for t in triple), name) for triple in remove)
            for quad in old:
                raw.remove(quad)
        raw.extend([ox.Quad(to_ox(s), to_ox(p), to_ox(o), name) for s, p, o in triples])
        if marker is not None:
            raw.remove(ox.Quad(*(to_ox(t) for t in marker), name))
        if self.path is not None:
            raw.flush()
        return len(triples)

    # -- reading ------------------------------------------------------------------

    def query(self, sparql: str, bindings: dict | None = None, *, union: bool = True):
        """Run SPARQL on the union of all graphs; ``bindings`` (``{name: rdflib term}``)
        are substituted by the engine, never pasted into the text. The prefixes of
        :data:`kg.namespaces.QUERY_PREFIXES` need no declaration."""
        substitutions = {ox.Variable(k): to_ox(v) for k, v in (bindings or {}).items()}
        try:
            return self.raw.query(sparql, use_default_graph_as_union=union, substitutions=substitutions or None,
                                  prefixes=QUERY_PREFIXES)
        except SyntaxError as exc:
            raise QueryError("query", syntax_error(sparql, str(exc))) from exc
        except (RuntimeError, OSError) as exc:
            if is_store_fault(exc) and self.path is not None:
                raise store_fault(self.path, exc, doing="reading") from exc
            raise QueryError("query", str(exc)) from exc

    def open_snapshot(self) -> "OxigraphStore":
        """A read-only store of this store's content now, which later writes do not change.

        A writer takes a RocksDB checkpoint (hard links) in ``snapshots/``, removed when the
        last reader of it closes; a reader (whose content cannot change while it is open)
        gives a view of itself, valid while it stays open; a store in memory gives a copy.
        """
        raw = self.raw
        if self.read_only:
            return self._view(raw)
        if self.path is None:
            copy = ox.Store()
            copy.bulk_extend(raw)
            return self._view(copy)
        folder = self.path / _SNAPSHOTS
        name = f"{time.time_ns():020d}"
        unfinished = folder / f".{name}.tmp"
        with self._faults("taking a snapshot", every=True):
            folder.mkdir(exist_ok=True)
            raw.backup(str(unfinished))
            (unfinished / _READER_LOCK).touch()
            lock = open(unfinished / _READER_LOCK, "r")
            fcntl.flock(lock, fcntl.LOCK_SH)  # held before it is visible: nobody prunes it
            os.rename(unfinished, folder / name)
            view = self._view(ox.Store.read_only(str(folder / name)))
        view.snapshot, view._snapshot_lock = folder / name, lock
        return view

    def _view(self, raw: ox.Store) -> "OxigraphStore":
        view = object.__new__(OxigraphStore)
        view.path, view.read_only, view.snapshot, view.derived = self.path, True, None, None
        view._lock = view._snapshot_lock = view._snapshots = view._derived_lock = None
        view._store, view._faulted = raw, False
        return view

    def dataset(self):
        """An rdflib :class:`~rdflib.Dataset` over this store (oxrdflib)."""
        from oxrdflib import OxigraphStore as RdflibOxigraph
        from rdflib import Dataset

        return Dataset(store=RdflibOxigraph(store=self.raw), default_union=True)

    def __len__(self) -> int:
        return len(self.raw)

    def dump(self, fmt: ox.RdfFormat, *, graphs: Iterable[str] | None = None,
             prefixes: dict[str, str] | None = None, merged: bool = False) -> bytes:
        """The named ``graphs`` (default: all) in ``fmt``; ``prefixes`` for formats that use them.
        ``merged``: their triples as one graph (for a format without named graphs)."""
        if merged:
            out = ox.Store()
            names = [ox.NamedNode(g) for g in graphs] if graphs is not None else list(self.raw.named_graphs())
            for name in names:
                out.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                           for q in self.raw.quads_for_pattern(None, None, None, name))
            return out.dump(format=fmt, from_graph=ox.DefaultGraph(), prefixes=prefixes)
        if graphs is None:
            return self.raw.dump(format=fmt, prefixes=prefixes)
        out = ox.Store()
        for g in graphs:
            out.extend(self.raw.quads_for_pattern(None, None, None, ox.NamedNode(g)))
        return out.dump(format=fmt, prefixes=prefixes)


def open_store(path: str | os.PathLike | None = DEFAULT_STORE, *, wait: float = 0,
               read_only: bool = False) -> OxigraphStore:
    """Open (creating if needed) the embedded store at ``path``.

    ``read_only=True`` opens it for reading: beside other readers, and beside a
    writer through a snapshot of the store the writer takes on request.
    """
    return OxigraphStore(path, wait=wait, read_only=read_only)
