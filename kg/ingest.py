"""Ingest documents into a store: read, annotate, extract, map, write.

The loop streams: documents are read one by one, a document whose content hash
is already in the store is skipped before any NLP runs, the others go in
chunks to the extraction stage, and the single writer (this process) writes
their graphs a batch at a time. Memory stays flat however large the corpus.

Extraction runs where the caller says, in one of the runners of :mod:`kg.runners`:
in this process (``jobs=1``), in ``jobs`` worker processes on this machine, or on
a Dask cluster (``scheduler="tcp://host:8786"``). Every runner returns the same
per-document results, in input order, so the store ends up the same.

A batch of documents is written in one atomic call and flushed, so a crash
leaves every document complete or absent. A file whose content changed gets a
new graph (its IRI comes from the new content hash) and the graph of its old
content, found by its ``prov:atLocation``, is removed: the intent to replace is
recorded in the same atomic call as the new graph, so an ingest that stops
between the two steps is completed by the next one. A bad document is reported
and skipped; the others still go in.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.documents import JSONL_SUFFIXES, Document, iter_documents, iter_paths
from kg.errors import InputError, KgError, StoreError
from kg.extract import DOC_BASE, document_iri
from kg.extract.model import Extraction
from kg.runners import Extracted, make_runner

__all__ = [
    "IngestReport",
    "ingest_documents",
    "ingest",
    "count_documents",
    "BATCH_SIZE",
    "BULK_QUADS",
    "CHUNK_SIZE",
]

BATCH_SIZE = 32
"""Documents per atomic write (and per flush)."""
CHUNK_SIZE = 8
"""Documents per unit of work sent to a worker process or a Dask worker."""
BULK_QUADS = 5_000
"""A write batch of this many quads or more goes through the bulk loader."""

_AT_LOCATION = ox.NamedNode("http://www.w3.org/ns/prov#atLocation")
_META = ox.NamedNode("https://w3id.org/polkg/id/graph/meta")
_REPLACES = ox.NamedNode("https://w3id.org/polkg/id/ingest/replaces")
"""``<new graph> replaces <old graph>`` in the meta graph: a replacement not yet finished."""


@dataclass
class IngestReport:
    """What an ingest did. ``replaced`` names the documents whose old graph was removed."""

    ingested: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[KgError] = field(default_factory=list)
    triples: int = 0
    extractions: list[Extraction] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    """Documents whose text was stored already with other metadata (title, date, source): their
    graph was extracted again with the new metadata and took the old one's place."""
    seconds_writing: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        changed = f", {len(self.replaced)} of them replacing an older version" if self.replaced else ""
        if self.updated:
            changed += f", {len(self.updated)} of them updating the metadata of a stored text"
        return (
            f"{len(self.ingested)} ingested{changed}, {len(self.skipped)} unchanged, "
            f"{len(self.failed)} refused; {self.triples} triples written"
        )


# -- writing ---------------------------------------------------------------------


def _doc_graphs_at(raw: ox.Store, path: str) -> set[str]:
    """The document graphs whose document was read from ``path``."""
    found = set()
    for q in raw.quads_for_pattern(None, _AT_LOCATION, ox.Literal(path), None):
        g = q.graph_name
        if isinstance(g, ox.NamedNode) and g == q.subject and g.value.startswith(DOC_BASE):
            found.add(g.value)
    return found


_TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
_DATE = ox.NamedNode("http://purl.org/dc/terms/date")
_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")


def metadata(document: Document) -> tuple:
    """What of ``document`` besides its text goes into its graph and may change: title, date, source."""
    return tuple([value] if value else [] for value in (document.title, document.published, document.source))


def stored_metadata(raw: ox.Store, graph: str) -> tuple:
    """The title, date and source that the document graph ``graph`` holds, as :func:`metadata` gives them."""
    node = ox.NamedNode(graph)
    return tuple(sorted(q.object.value for q in raw.quads_for_pattern(node, p, None, node))
                 for p in (_TITLE, _DATE, _SOURCE))


def finish_replacements(raw: ox.Store) -> int:
    """Remove the old graphs of replacements an earlier ingest recorded but did not finish.

    Returns how many old graphs were removed.
    """
    removed = 0
    for marker in list(raw.quads_for_pattern(None, _REPLACES, None, _META)):
        if raw.contains_named_graph(marker.subject) and raw.contains_named_graph(marker.object):
            raw.remove_graph(marker.object)
            removed += 1
        raw.remove(marker)
    return removed


def _write(store, batch: list[Extracted], report: IngestReport) -> None:
    """Write ``batch`` in one atomic call, then remove the graphs it replaces, then flush.

    A batch of ``BULK_QUADS`` quads or more goes through pyoxigraph's bulk loader
    (about twice as fast as ``extend`` here, and a smaller store): since pyoxigraph
    0.5.1 it commits all its files in one RocksDB ingestion at the end, unless
    partial commits are asked for, so it is as atomic as ``extend``.
    """
    started = time.perf_counter()
    raw = store.raw
    last = {item.graph: i for i, item in enumerate(batch)}
    batch = [item for i, item in enumerate(batch) if last[item.graph] == i]  # a later version wins
    # a document stored already (new metadata): its new graph is added to the old one in the atomic
    # call below, then what only the old one had is removed; a crash in between leaves both, and the
    # next ingest, finding two titles or dates, does the update again
    stale: list = []
    for item in batch:
        if raw.contains_named_graph(ox.NamedNode(item.graph)):
            new = item.quads if not isinstance(item.quads, bytes) else list(
                ox.parse(item.quads, format=ox.RdfFormat.N_QUADS))
            stale.extend(set(raw.quads_for_pattern(None, None, None, ox.NamedNode(item.graph))) - set(new))
    replacing: list[tuple[ox.NamedNode, ox.NamedNode]] = []
    for item in batch:
        if item.path is not None:
            for old in sorted(_doc_graphs_at(raw, item.path) - {item.graph}):
                replacing.append((ox.NamedNode(item.graph), ox.NamedNode(old)))
    markers = [ox.Quad(new, _REPLACES, old, _META) for new, old in replacing]
    triples = sum(item.triples for item in batch)
    if all(isinstance(item.quads, bytes) for item in batch):
        data = b"".join([item.quads for item in batch] + [ox.serialize(markers, format=ox.RdfFormat.N_QUADS)])
        if triples >= BULK_QUADS:
            raw.bulk_load(data, format=ox.RdfFormat.N_QUADS)
        else:
            raw.extend(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    else:
        quads = [q for item in batch for q in (
            ox.parse(item.quads, format=ox.RdfFormat.N_QUADS) if isinstance(item.quads, bytes) else item.quads)]
        quads.extend(markers)
        if triples >= BULK_QUADS:
            raw.bulk_extend(quads)
        else:
            raw.extend(quads)
    # the batch, and the intent to replace, are in the store now (or nothing is)
    for quad in stale:
        raw.remove(quad)
    if markers:
        finish_replacements(raw)
    if store.path is not None:
        raw.flush()
    report.triples += triples
    replaced = {new.value for new, _ in replacing}
    report.replaced.extend(item.where for item in batch if item.graph in replaced)
    report.seconds_writing += time.perf_counter() - started


def _write_fault(store, exc: BaseException, batch: list[Extracted], report: IngestReport) -> StoreError:
    """The one-line error for a storage fault while writing ``batch``: what the store
    holds (every document written before, whole) and what was not stored."""
    doing = f"writing a batch of {len(batch)} document{'s' if len(batch) != 1 else ''}"
    if hasattr(store, "fault"):
        fault = store.fault(exc, doing)
    else:
        fault = StoreError(f"{getattr(store, 'path', 'store')}: {doing}: {' '.join(str(exc).split())}")
    return StoreError(f"{fault}; {len(report.ingested)} documents of this run were stored before it")


def _write_generic(store, batch: list[Extracted], report: IngestReport) -> None:
    """Write through the store's ``write_graphs`` (a store without a pyoxigraph handle)."""
    from rdflib import Graph

    from kg.store.oxigraph import from_ox

    started = time.perf_counter()
    graphs = []
    for item in batch:
        quads = ox.parse(item.quads, format=ox.RdfFormat.N_QUADS) if isinstance(item.quads, bytes) else item.quads
        graph = Graph()
        for q in quads:
            graph.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
        graphs.append((item.graph, graph))
    report.triples += store.write_graphs(graphs)
    report.seconds_writing += time.perf_counter() - started


# -- the loop --------------------------------------------------------------------


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def ingest_documents(
    documents: Iterable[Document | KgError],
    store,
    *,
    nlp=None,
    on_document: Callable[[str, str], None] | None = None,
    keep_extractions: bool = False,
    batch_size: int = BATCH_SIZE,
    jobs: int = 1,
    scheduler: str | None = None,
    chunk_size: int = CHUNK_SIZE,
    claims: bool = True,
    archive=None,
) -> IngestReport:
    """Ingest ``documents`` (documents or the errors that refused them) into ``store``.

    ``on_document(kind, what)`` is called once per input, ``kind`` being
    ``"ingested"``, ``"skipped"`` or ``"failed"``: progress bars hang on it.
    ``jobs`` > 1 runs the NLP in that many worker processes; ``scheduler`` (a
    Dask scheduler address) runs it on a Dask cluster. Worker processes build the
    default pipeline once each: ``nlp`` is used only when extraction runs here.
    ``batch_size`` documents are written per atomic call. ``claims`` brings the
    claim layer (:func:`kg.claims.update_claims`) up to date at the end, for the
    documents added and removed. ``archive`` (a :class:`kg.archive.Archive`) receives every
    document written, before its batch is written, and every unchanged one it lacks.

    A text stored already whose title, date or source differ (another record of the same
    text) is extracted again with the new metadata, and its graph updated.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    if batch_size < 1 or chunk_size < 1:
        raise ValueError("batch_size and chunk_size must be at least 1")
    report = IngestReport()
    notify = on_document or (lambda kind, what: None)
    seen: dict[str, tuple] = {}
    inflight: dict[str, list] = {}  # graph -> [the latest document sent for it, how many are in flight]
    updating: set[str] = set()
    if getattr(store, "read_only", False):
        raise StoreError(f"{store.path}: the store was opened read-only; ingest needs the writer")
    fast = hasattr(store, "raw")
    if fast:
        try:
            finish_replacements(store.raw)
        except (OSError, RuntimeError) as exc:
            raise _write_fault(store, exc, [], report) from exc
    write = _write if fast else _write_generic

    def pending() -> Iterator[Document]:
        for item in documents:
            if isinstance(item, KgError):
                report.failed.append(item)
                notify("failed", str(item))
                continue
            iri = document_iri(item)
            known = seen.get(iri)
            if known is None and store.has_graph(iri):
                known = stored_metadata(store.raw, iri) if fast else metadata(item)
            if known is not None:
                if known == metadata(item):
                    report.skipped.append(item.path or iri)
                    notify("skipped", item.path or iri)
                    if archive is not None:
                        archive.add(item)
                    continue
                updating.add(iri)
            seen[iri] = metadata(item)
            inflight[iri] = [item, inflight.get(iri, [None, 0])[1] + 1]
            yield item

    def _landed(graph: str) -> None:
        entry = inflight.get(graph)
        if entry is not None:
            entry[1] -= 1
            if entry[1] <= 0:
                del inflight[graph]

    size = chunk_size if (jobs > 1 or scheduler) else batch_size
    ready: list[Extracted] = []

    def flush() -> None:
        if archive is not None:
            for item in ready:
                archive.add(inflight[item.graph][0])
            archive.sync()  # the archive holds the batch before the store does
        try:
            write(store, ready, report)
        except (OSError, RuntimeError) as exc:
            raise _write_fault(store, exc, ready, report) from exc
        for item in ready:
            _landed(item.graph)
            report.ingested.append(item.where)
            if item.graph in updating:
                report.updated.append(item.where)
            if keep_extractions and item.extraction is not None:
                report.extractions.append(item.extraction)
            notify("ingested", item.where)
        ready.clear()

    with make_runner(nlp=nlp, jobs=jobs, scheduler=scheduler, keep=keep_extractions) as runner:
        for results in runner.map(_batches(pending(), size)):
            for item in results:
                if item.error is not None:
                    _landed(item.graph)
                    error = InputError(item.where, item.error.removeprefix(f"{item.where}: "))
                    report.failed.append(error)
                    notify("failed", str(error))
                else:
                    ready.append(item)
            if len(ready) >= batch_size:
                flush()
        if ready:
            flush()
    if claims and fast and report.updated:
        from kg.claims.layer import rebuild_claims

        rebuild_claims(store)  # a document changed in place: the incremental update tells only added and removed
    elif claims and fast and (report.ingested or report.replaced):
        from kg.claims import update_claims

        update_claims(store)
    return report


def ingest(paths, store, **kwargs) -> IngestReport:
    """Ingest the files and folders ``paths`` into ``store``."""
    return ingest_documents(iter_documents(paths), store, **kwargs)


def count_documents(paths: Iterable[str | os.PathLike]) -> int:
    """How many documents ``paths`` hold (files, and lines of JSON Lines files), for a progress bar.

    Only lists the folders and counts line ends: no document is parsed.
    """
    total = 0
    for item in iter_paths(paths):
        if isinstance(item, KgError):
            total += 1
        elif item.suffix.lower() in JSONL_SUFFIXES:
            try:
                with item.open("rb") as fh:
                    total += sum(1 for line in fh if line.strip())
            except OSError:
                total += 1
        else:
            total += 1
    return total
