"""The archive of ingested texts, and rebuilding a store from it.

``kg ingest --archive FILE.jsonl`` appends one JSON object a line for every
document it ingests (and for every unchanged one the archive lacks): its text
as polkg read it, its metadata and where it was read. A record is written and
synced to disk before the batch holding its document is written to the store,
so every document in the store is in the archive. The archive is ordinary
JSON Lines: ``kg ingest FILE.jsonl`` reads it too.

:func:`rebuild_store` re-creates a store from the archive (``kg rebuild
--archive FILE``), or, without one, from the documents' recorded locations
(the files are read again), into a new database that then takes the place of
the old one (kept beside it, as ``kg restore`` does).
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from rdflib import URIRef

from kg.documents import Document, content_hash
from kg.errors import InputError, KgError, StoreError
from kg.namespaces import ID
from kg.sparql import stored_query
from kg.store.backup import Replacement
from kg.store.faults import store_fault

__all__ = ["Archive", "read_archive", "rebuild_store", "RebuildReport"]

_FIELDS = ("title", "published", "source")
_DOC = str(ID["doc/"])
LOCATION_QUERY = stored_query("archive_locations")


def _key(document: Document) -> tuple:
    return (document.id, document.path, document.title, document.published, document.source)


def _record(document: Document) -> dict:
    record = {"text": document.text, "title": document.title, "published": document.published,
              "source": document.source, "path": document.path, "relative_path": document.relative_path,
              "sha256": document.id}
    if document.meta:
        record["meta"] = document.meta
    return record


def _document(record: dict, where: str) -> Document:
    text = record.get("text")
    if not isinstance(text, str):
        raise InputError(where, "an archive record without its 'text'")
    if record.get("sha256") not in (None, content_hash(text)):
        raise InputError(where, "the text does not match its recorded SHA-256 (the archive is damaged)")
    values = {name: record.get(name) for name in (*_FIELDS, "path", "relative_path")}
    if not all(v is None or isinstance(v, str) for v in values.values()):
        raise InputError(where, "an archive record whose metadata are not strings")
    meta = record.get("meta") if isinstance(record.get("meta"), dict) else {}
    return Document(text=text, id=content_hash(text), meta=meta, **values)


def read_archive(path) -> Iterator[Document | InputError]:
    """The documents of the archive at ``path``, in the order they were archived (or the
    error that refused a line; the others still come)."""
    path = Path(path)
    try:
        fh = open(path, encoding="utf-8", errors="strict")
    except OSError as exc:
        yield InputError(path, f"cannot read the archive ({exc.strerror or exc})")
        return
    with fh:
        number = 0
        while True:
            try:
                line = fh.readline()
            except UnicodeDecodeError:
                yield InputError(f"{path}:{number + 1}", "not UTF-8 (the archive is damaged)")
                return
            if not line:
                return
            number += 1
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                record = json.loads(line)
            except ValueError:
                yield InputError(where, "malformed JSON (the archive is damaged, or its last write was cut)")
                continue
            if not isinstance(record, dict):
                yield InputError(where, "expected a JSON object")
                continue
            try:
                yield _document(record, where)
            except InputError as exc:
                yield exc


class Archive:
    """An archive file opened for appending; ``add`` documents, ``sync`` before the store write."""

    def __init__(self, path) -> None:
        self.path = Path(path)
        self._known: set[tuple] = set()
        self._pending = 0
        if self.path.exists():
            for item in read_archive(self.path):
                if isinstance(item, Document):
                    self._known.add(_key(item))
        try:
            if self.path.parent != Path(""):
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "a", encoding="utf-8")
            if self._fh.tell() and not self._ends_with_newline():
                self._fh.write("\n")  # a line cut by a crash stays a bad line of its own
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot write the archive ({exc.strerror or exc})") from exc

    def _ends_with_newline(self) -> bool:
        with open(self.path, "rb") as fh:
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) == b"\n"

    def add(self, document: Document) -> None:
        """Append ``document`` unless the archive holds it already (same text, place and metadata)."""
        key = _key(document)
        if key in self._known or self._from_archive(document):
            return
        try:
            self._fh.write(json.dumps(_record(document), ensure_ascii=False) + "\n")
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot write the archive ({exc.strerror or exc})") from exc
        self._known.add(key)
        self._pending += 1

    def _from_archive(self, document: Document) -> bool:
        """Whether ``document`` was read from this archive (an archive inside a folder being ingested)."""
        if not document.path or ":" not in document.path:
            return False
        try:
            return os.path.samefile(document.path.rsplit(":", 1)[0], self.path)
        except OSError:
            return False

    def sync(self) -> None:
        """Make what was added durable (before the store holds it)."""
        if not self._pending:
            return
        try:
            self._fh.flush()
            os.fsync(self._fh.fileno())
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot write the archive ({exc.strerror or exc}); "
                             "nothing of this batch was stored") from exc
        self._pending = 0

    def close(self) -> None:
        try:
            self.sync()
        finally:
            try:
                self._fh.close()
            except OSError:
                pass  # what could not be written was reported by sync, naming the archive

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# -- rebuilding -------------------------------------------------------------------------


@dataclass
class RebuildReport:
    """What a rebuild did: the ingest's report, and where the old database went."""

    source: str
    ingest: object
    documents: int
    kept: str | None
    seconds: float
    carried: list[str] = field(default_factory=list)
    """Graphs of the old database the rebuild did not make, copied over (corrections...)."""
    unread: str | None = None
    """Why the old database could not be read for those graphs, if it could not."""

    def summary(self) -> str:
        kept = f"; the old database is kept as {self.kept}" if self.kept else ""
        carried = f"; {len(self.carried)} other graphs copied from the old database" if self.carried else ""
        unread = (f"; the old database could not be read for graphs the texts do not make, such as corrections "
                  f"({self.unread})") if self.unread else ""
        return (f"rebuilt the store from {self.source}: {self.documents} documents "
                f"({self.ingest.summary()}) in {self.seconds:.1f} s{carried}{unread}{kept}")


_RECORD_LINE = re.compile(r"^(?P<file>.+\.(?:jsonl|ndjson)):(?P<line>\d+)$", re.IGNORECASE)


def _locations_of(store, graph: str | None = None) -> list[tuple[str, str, str | None]]:
    """``(graph, prov:atLocation, pol:relativePath)`` of the document graphs of ``store`` (or of
    the one ``graph``) that say where they were read."""
    rows = store.query(LOCATION_QUERY, {"graph": URIRef(graph)} if graph else None)
    return [(row["graph"].value, row["path"].value, row["relative"].value if row["relative"] is not None else None)
            for row in rows if row["graph"].value.startswith(_DOC)]


def _recorded_locations(replacement: Replacement) -> list[tuple[str, str | None]]:
    """``(prov:atLocation, pol:relativePath)`` of every document the database being replaced
    records, read as far as it can be read."""
    hint = "rebuild from an archive instead (kg rebuild --archive FILE)"
    try:
        with replacement.open_current() as current:
            found: dict[tuple[str, str], str | None] = {}
            for graph, path, relative in _locations_of(current):
                found.setdefault((graph, path), relative)
    except StoreError as exc:
        raise StoreError(f"{exc}; {hint}") from exc
    except (KgError, OSError, RuntimeError) as exc:
        fault = store_fault(replacement.path, exc, doing="reading the documents' recorded locations")
        raise StoreError(f"{fault}; {hint}") from exc
    return sorted(set((path, relative) for (_, path), relative in found.items()))


def _from_locations(locations: list[tuple[str, str | None]]) -> Iterator[Document | KgError]:
    """Read each recorded location again: a file, or one line of a JSON Lines file."""
    from dataclasses import replace

    from kg.documents import read_document, read_jsonl

    lines: dict[str, dict[int, str | None]] = {}
    for location, relative in locations:
        match = _RECORD_LINE.match(location)
        if match and not Path(location).exists():
            lines.setdefault(match["file"], {})[int(match["line"])] = relative
            continue
        try:
            yield replace(read_document(location), relative_path=relative)
        except KgError as exc:
            yield exc
    for file, wanted in lines.items():
        for item in read_jsonl(file):
            if isinstance(item, Document):
                number = int(item.path.rsplit(":", 1)[1])
                if number in wanted:
                    yield replace(item, relative_path=wanted.pop(number))
            elif item.path.rsplit(":", 1)[-1].isdigit() and int(item.path.rsplit(":", 1)[-1]) in wanted:
                wanted.pop(int(item.path.rsplit(":", 1)[-1]))
                yield item
            elif not item.path.rsplit(":", 1)[-1].isdigit():
                yield item  # the file itself cannot be read
                wanted.clear()
        for number in sorted(wanted):
            yield InputError(f"{file}:{number}", "recorded line no longer in the file")


def rebuild_store(store, *, archive=None, wait: float = 0, on_document=None, **ingest_options) -> RebuildReport:
    """Re-create the store at ``store`` from ``archive`` (a file of ``kg ingest --archive``),
    or else from its documents' recorded locations.

    The new database is built beside the old one and takes its place only when the
    ingest is finished; the old one is kept as ``oxigraph.replaced-<time>``.

    Raises
    ------
    StoreError
        The store is in use, the archive cannot be read, or (without an archive) the
        store cannot be read to find the locations.
    """
    from kg.ingest import ingest_documents

    store = Path(store)
    started = time.perf_counter()
    if archive is not None and not Path(archive).is_file():
        raise StoreError(f"{archive}: no such archive file")
    if archive is None and not (store / "oxigraph" / "CURRENT").exists():
        raise StoreError(f"{store}: no store to read the documents' locations from; "
                         "give the archive (kg rebuild --archive FILE)")
    with Replacement(store, wait=wait) as replacement:  # no writer or reader may use the store meanwhile
        if archive is not None:
            documents, source = read_archive(archive), str(archive)
        else:
            documents, source = _from_locations(_recorded_locations(replacement)), "the documents' recorded locations"
        with replacement.open_new() as fresh:
            report = ingest_documents(documents, fresh, on_document=on_document, **ingest_options)
            carried, note = _carry_graphs(replacement, fresh)
            count = len(fresh.document_graphs())
        kept = replacement.put_in_place()
    return RebuildReport(source, report, count, kept, time.perf_counter() - started, carried, note)


_CARRY_BATCH = 64
"""Graphs copied from the old database per write."""


def _carry_graphs(replacement: Replacement, fresh) -> tuple[list[str], str | None]:
    """Copy into the rebuilt store ``fresh`` each named graph of the old database that the rebuild
    did not make: the reviewers' corrections, and a document whose file could not be read again
    (unless a document now read from the same place replaces it). Returns the graphs copied, and
    why the old database could not be read (None when it could)."""
    if not replacement.has_current:
        return [], None
    placed = {path for _, path, _ in _locations_of(fresh)}
    carried, documents, batch = [], 0, []
    try:
        with replacement.open_current() as old:
            made = set(fresh.named_graphs())
            for graph in old.named_graphs():
                if graph in made:
                    continue
                if graph.startswith(_DOC):
                    if any(path in placed for _, path, _ in _locations_of(old, graph)):
                        continue  # an older version of a document read again from its place
                    documents += 1
                batch.append((graph, old.graph_triples(graph)))
                if len(batch) >= _CARRY_BATCH:
                    fresh.write_graphs(batch)
                    carried += [g for g, _ in batch]
                    batch = []
            if batch:
                fresh.write_graphs(batch)
                carried += [g for g, _ in batch]
    except (KgError, OSError, RuntimeError) as exc:
        return carried, " ".join(str(exc).split())[:160]
    if documents:
        from kg.claims import update_claims

        update_claims(fresh)
    return carried, None
