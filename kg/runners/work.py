"""The unit of work of every runner: annotate a chunk of documents, extract each, map it to quads."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.documents import Document
from kg.errors import InputError, KgError
from kg.extract import document_iri
from kg.extract.model import Extraction

__all__ = ["Extracted", "extract_chunk"]


@dataclass
class Extracted:
    """One document after extraction: its graph as quads, or why it failed.

    ``quads`` is a list of :class:`pyoxigraph.Quad` in the process that made it,
    or N-Quads bytes when it travels between processes.
    """

    where: str
    graph: str
    path: str | None
    quads: bytes | list | None = None
    triples: int = 0
    extraction: Extraction | None = None
    error: str | None = None


def _quads(extraction: Extraction) -> list:
    from kg.rdf.mapping import to_quads

    return to_quads(extraction)


def _extract_one(document: Document, doc, *, keep: bool, encode: bool) -> Extracted:
    from kg.extract import extract_doc

    where = document.path or document_iri(document)
    done = Extracted(where, document_iri(document), document.path)
    try:
        extraction = extract_doc(document, doc)
        quads = _quads(extraction)
    except KgError as exc:
        done.error = str(exc)
        return done
    except Exception as exc:  # a bug must not cost the other documents
        done.error = str(InputError(where, f"extraction failed ({type(exc).__name__}: {exc})"))
        return done
    done.triples = len(quads)
    done.quads = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) if encode else quads
    done.extraction = extraction if keep else None
    return done


def extract_chunk(documents: list[Document], nlp, *, keep: bool = False, encode: bool = False) -> list[Extracted]:
    """Annotate ``documents`` with ``nlp.pipe`` and extract each one: the unit of work of every runner.

    A document that fails comes back with ``error`` set; the others are unaffected.
    """
    from kg.nlp.pipeline import annotate

    try:
        docs = list(annotate([d.text for d in documents], nlp))
    except Exception:  # one bad text must not cost the chunk: annotate one at a time
        docs = []
        for d in documents:
            try:
                docs.append(next(annotate([d.text], nlp)))
            except Exception as exc:
                docs.append(exc)
    out = []
    for document, doc in zip(documents, docs):
        if isinstance(doc, Exception):
            where = document.path or document_iri(document)
            error = InputError(where, f"annotation failed ({type(doc).__name__}: {doc})")
            out.append(Extracted(where, document_iri(document), document.path, error=str(error)))
        else:
            out.append(_extract_one(document, doc, keep=keep, encode=encode))
    return out
