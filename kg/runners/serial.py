"""Extraction in this process (``kg ingest``, ``jobs=1``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kg.documents import Document
from kg.runners.work import DEFAULT_BUDGET, Extracted, extract_chunk

__all__ = ["SerialRunner"]


class SerialRunner:
    """Extraction in this process, a chunk at a time."""

    def __init__(self, nlp=None, *, keep: bool = False, budget=DEFAULT_BUDGET) -> None:
        self.nlp = nlp
        self.keep = keep
        self.budget = budget

    def __enter__(self) -> "SerialRunner":
        return self

    def __exit__(self, *exc) -> None:
        pass

    def map(self, chunks: Iterable[list[Document]]) -> Iterator[list[Extracted]]:
        from kg.nlp.pipeline import load_nlp

        for chunk in chunks:
            self.nlp = self.nlp or load_nlp()
            yield extract_chunk(chunk, self.nlp, keep=self.keep, budget=self.budget)
