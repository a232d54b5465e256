"""polkg: a knowledge graph of political positions and preconditions built from news documents.

>>> import kg
>>> report = kg.ingest(["seeds/"], store=".kg")          # doctest: +SKIP
>>> kg.run_query(".kg", "preconditions", {"demander": "Russia"}).to_df()   # doctest: +SKIP
"""

from kg.api import evaluate_gold, extract, extract_text, ingest, query, run_query
from kg.documents import Document, read_document
from kg.errors import DataFileError, InputError, KgError, QueryError, ShapeError, StoreError
from kg.extract.model import Extraction
from kg.query import Result
from kg.store import OxigraphStore, open_store

__all__ = [
    "ingest",
    "extract",
    "extract_text",
    "query",
    "run_query",
    "evaluate_gold",
    "open_store",
    "OxigraphStore",
    "Document",
    "read_document",
    "Extraction",
    "Result",
    "KgError",
    "InputError",
    "DataFileError",
    "QueryError",
    "ShapeError",
    "StoreError",
]
