"""The public Python API; the CLI (``kg ...``) calls these and only prints."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from kg.documents import Document, document_from_text, iter_documents
from kg.errors import InputError, KgError, QueryError
from kg.extract.model import Extraction
from kg.ingest import IngestReport, ingest_documents
from kg.query import Result, opened_store, query, run_query
from kg.store import DEFAULT_STORE

__all__ = ["ingest", "extract", "extract_text", "query", "run_query", "evaluate_gold"]


def ingest(paths: Iterable[str | os.PathLike], store=DEFAULT_STORE, **kwargs) -> IngestReport:
    """Ingest files and folders (txt, md, html, jsonl) into ``store`` (a path or an open store)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    opened, close = opened_store(store)
    try:
        return ingest_documents(iter_documents(paths), opened, **kwargs)
    finally:
        if close:
            opened.close()


def extract(path: str | os.PathLike) -> list[Extraction]:
    """Extract every document of a file (one, or one per JSON Lines line).

    Raises
    ------
    InputError
        The first document of the file that cannot be read.
    """
    from kg.extract import extract_doc
    from kg.nlp.pipeline import annotate_text, load_nlp

    nlp = load_nlp()
    out = []
    for item in iter_documents([path]):
        if isinstance(item, KgError):
            raise item
        out.append(extract_doc(item, annotate_text(item.text, nlp)))
    return out


def extract_text(text: str, *, title: str | None = None, published: str | None = None,
                 source: str | None = None) -> Extraction:
    """Extract from a string."""
    from kg.extract import extract_doc
    from kg.nlp.pipeline import annotate_text

    document = document_from_text(text, title=title, published=published, source=source)
    return extract_doc(document, annotate_text(document.text))


def evaluate_gold(gold_path: str | os.PathLike, documents: str | os.PathLike | None = None, *,
                  learned=True, corrected=None):
    """Extract every document of a gold file and score it (:mod:`kg.eval`).

    The documents are beside the gold file unless ``documents`` names their folder;
    ``learned=False`` scores the rules alone (see :func:`kg.extract.extract_doc`).
    ``corrected`` (an open store) scores each extraction as the reviewers' corrections
    in that store amend it (:func:`kg.corrections.correct_extraction`).
    """
    from kg.corrections import correct_extraction, read_corrections, store_labels

    corrections = read_corrections(corrected) if corrected is not None else {}
    labels = store_labels(corrected) if corrections else {}
    from kg.eval import evaluate
    from kg.extract import extract_doc
    from kg.documents import read_document
    from kg.nlp.pipeline import load_nlp

    nlp = load_nlp()

    def run(path: Path, line: dict) -> Extraction:
        document = read_document(path)
        if line.get("published") and not document.published:
            document = document_from_text(document.text, path=document.path, title=document.title,
                                          published=line["published"], source=line.get("outlet"))
        return correct_extraction(extract_doc(document, nlp(document.text), learned=learned), corrections, labels)

    return evaluate(gold_path, run, documents=documents)
