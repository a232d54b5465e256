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

from rdflib import Literal, URIRef

from kg.documents import JSONL_SUFFIXES, Document, iter_documents, iter_paths
from kg.errors import InputError, KgError, StoreError
from kg.extract import DOC_BASE, document_iri
from kg.extract.model import Extraction
from kg.namespaces import DCTERMS
from kg.budget import Budget
from kg.runners import DEFAULT_BUDGET, Extracted, make_runner
from kg.sparql import DOCUMENT_METADATA, GRAPHS_AT_LOCATION

__all__ = [
    "IngestReport",
    "ingest_documents",
    "ingest",
    "count_documents",
    "BATCH_SIZE",
    "CHUNK_SIZE",
]

BATCH_SIZE = 32
"""Documents per atomic write (and per flush)."""
CHUNK_SIZE = 8
"""Documents per unit of work sent to a worker process or a Dask worker."""
_METADATA = (str(DCTERMS.title), str(DCTERMS.date), str(DCTERMS.source))


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


def _doc_graphs_at(store, path: str) -> set[str]:
    """The document graphs whose document was read from ``path``."""
    rows = store.query(GRAPHS_AT_LOCATION, {"path": Literal(path)})
    return {row["graph"].value for row in rows if row["graph"].value.startswith(DOC_BASE)}


def metadata(document: Document) -> tuple:
    """What of ``document`` besides its text goes into its graph and may change: title, date, source."""
    return tuple([value] if value else [] for value in (document.title, document.published, document.source))


def stored_metadata(store, graph: str) -> tuple:
    """The title, date and source that the document graph ``graph`` holds, as :func:`metadata` gives them."""
    found: dict[str, list[str]] = {p: [] for p in _METADATA}
    for row in store.query(DOCUMENT_METADATA, {"graph": URIRef(graph)}):
        if row["p"].value in found:
            found[row["p"].value].append(row["o"].value)
    return tuple(sorted(found[p]) for p in _METADATA)


def _write(store, batch: list[Extracted], report: IngestReport) -> None:
    """Write ``batch`` in one atomic step of the store, with the old graphs it replaces (those
    of a file whose content changed); a document stored already (with new metadata) takes
    its graph's place. See :meth:`kg.store.Store.write_graphs`."""
    started = time.perf_counter()
    last = {item.graph: i for i, item in enumerate(batch)}
    batch = [item for i, item in enumerate(batch) if last[item.graph] == i]  # a later version wins
    replaces: dict[str, list[str]] = {}
    for item in batch:
        if item.path is not None:
            old = sorted(_doc_graphs_at(store, item.path) - {item.graph})
            if old:
                replaces.setdefault(item.graph, []).extend(old)
    try:
        store.write_graphs([(item.graph, item.quads) for item in batch], replaces=replaces)
    except StoreError as exc:
        raise StoreError(f"{exc}; {len(report.ingested)} documents of this run were stored before it") from exc
    report.triples += sum(item.triples for item in batch)
    report.replaced.extend(item.where for item in batch if item.graph in replaces)
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
    budget: Budget | None = DEFAULT_BUDGET,
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

    ``budget`` (a :class:`kg.budget.Budget`) is the time and memory one document may take
    while it is annotated and extracted; one that goes over is refused by name (in
    ``failed``) and the others go on. ``None`` sets no limit.
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
    rewritten: set[str] = set()  # graphs of stored texts written again with new metadata
    if store.read_only:
        raise StoreError(f"{store.path}: the store was opened read-only; ingest needs the writer")

    def pending() -> Iterator[Document]:
        for item in documents:
            if isinstance(item, KgError):
                report.failed.append(item)
                notify("failed", str(item))
                continue
            iri = document_iri(item)
            known = seen.get(iri)
            if known is None and store.has_graph(iri):
                known = stored_metadata(store, iri)
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
        _write(store, ready, report)
        for item in ready:
            _landed(item.graph)
            report.ingested.append(item.where)
            if item.graph in updating:
                report.updated.append(item.where)
                rewritten.add(item.graph)
            if keep_extractions and item.extraction is not None:
                report.extractions.append(item.extraction)
            notify("ingested", item.where)
        ready.clear()

    with make_runner(nlp=nlp, jobs=jobs, scheduler=scheduler, keep=keep_extractions, budget=budget) as runner:
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
    if claims and (report.ingested or report.replaced):
        from kg.claims import update_claims

        update_claims(store, changed=rewritten)
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
