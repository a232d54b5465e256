"""Ingest documents into a store: read, annotate, extract, map, write — one document at a time.

A document whose content hash is already in the store is skipped before any
NLP runs. Each document's graph is written in one atomic call and flushed, so a
crash leaves every document complete or absent. A bad document is reported and
skipped; the others still go in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from kg.documents import Document, iter_documents
from kg.errors import InputError, KgError
from kg.extract import document_iri, extract_doc
from kg.extract.model import Extraction
from kg.rdf.mapping import to_graph

__all__ = ["IngestReport", "ingest_documents", "BATCH_SIZE"]

BATCH_SIZE = 32


@dataclass
class IngestReport:
    """What an ingest did."""

    ingested: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[KgError] = field(default_factory=list)
    triples: int = 0
    extractions: list[Extraction] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        return (
            f"{len(self.ingested)} ingested, {len(self.skipped)} unchanged, "
            f"{len(self.failed)} refused; {self.triples} triples written"
        )


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
) -> IngestReport:
    """Ingest ``documents`` (documents or the errors that refused them) into ``store``.

    ``on_document(kind, what)`` is called once per input, ``kind`` being
    ``"ingested"``, ``"skipped"`` or ``"failed"``: progress bars hang on it.
    """
    from kg.nlp.pipeline import load_nlp

    report = IngestReport()
    notify = on_document or (lambda kind, what: None)
    seen: set[str] = set()

    def pending() -> Iterator[Document]:
        for item in documents:
            if isinstance(item, KgError):
                report.failed.append(item)
                notify("failed", str(item))
                continue
            iri = document_iri(item)
            if iri in seen or store.has_graph(iri):
                report.skipped.append(item.path or iri)
                notify("skipped", item.path or iri)
                continue
            seen.add(iri)
            yield item

    for batch in _batches(pending(), batch_size):
        nlp = nlp or load_nlp()
        docs = nlp.pipe([d.text for d in batch])
        ready: list[tuple[str, Extraction, object]] = []
        for document, doc in zip(batch, docs):
            where = document.path or document_iri(document)
            try:
                extraction = extract_doc(document, doc)
                ready.append((where, extraction, to_graph(extraction)))
            except KgError as exc:
                report.failed.append(exc)
                notify("failed", str(exc))
            except Exception as exc:  # a bug must not cost the other documents
                error = InputError(where, f"extraction failed ({type(exc).__name__}: {exc})")
                report.failed.append(error)
                notify("failed", str(error))
        if not ready:
            continue
        report.triples += store.write_graphs([(e.document.id, g) for _, e, g in ready])
        for where, extraction, _ in ready:
            report.ingested.append(where)
            if keep_extractions:
                report.extractions.append(extraction)
            notify("ingested", where)
    return report


def ingest(paths, store, **kwargs) -> IngestReport:
    """Ingest the files and folders ``paths`` into ``store``."""
    return ingest_documents(iter_documents(paths), store, **kwargs)
