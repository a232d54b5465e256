"""polkg: a knowledge graph of political positions and preconditions built from news documents.

>>> import kg
>>> report = kg.ingest(["seeds/"], store=".kg")          # doctest: +SKIP
>>> kg.run_query(".kg", "preconditions", {"demander": "Russia"}).to_df()   # doctest: +SKIP

The names below are imported on first use (PEP 562), so a command that does no NLP
(``kg query``, ``kg stats``, ...) never loads spaCy or the extractor.
"""

from __future__ import annotations

import importlib

# Loaded at once (it needs no NLP): the function ``kg.query`` shares its name with the
# submodule ``kg.query``, and a submodule loaded later would otherwise replace it.
from kg.query import Result, query, run_query

_PLACES = {
    "ingest": "kg.api",
    "extract": "kg.api",
    "extract_text": "kg.api",
    "evaluate_gold": "kg.api",
    "open_store": "kg.store",
    "OxigraphStore": "kg.store",
    "Document": "kg.documents",
    "read_document": "kg.documents",
    "Extraction": "kg.extract.model",
    "KgError": "kg.errors",
    "InputError": "kg.errors",
    "DataFileError": "kg.errors",
    "QueryError": "kg.errors",
    "ShapeError": "kg.errors",
    "StoreError": "kg.errors",
}

__all__ = ["query", "run_query", "Result", *_PLACES]


def __getattr__(name: str):
    place = _PLACES.get(name)
    if place is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    value = getattr(importlib.import_module(place), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
