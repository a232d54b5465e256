"""Shared fixtures: real stores on disk, the real spaCy pipeline, servers on loopback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED = SEEDS / "000_fa41a087500dd9e8.txt"
SHARED = ROOT.parent / "shared"
CONTRACTS = ROOT / "tests" / "contracts"


def result_multiset(result) -> list:
    """A query result's rows as comparable strings, in a fixed order.

    GROUP_CONCAT's order is the engine's choice, so the ``regions`` lists are sorted too.
    """
    def cell(name, value):
        if value is None:
            return ""
        return "; ".join(sorted(value.value.split("; "))) if name == "regions" else str(value)

    return sorted(tuple(cell(n, v) for n, v in zip(result.variables, row)) for row in result.rows)


@pytest.fixture(scope="session")
def nlp():
    from kg.nlp.pipeline import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def seed_extraction(nlp):
    from kg.documents import read_document
    from kg.extract import extract_doc

    document = read_document(SEED)
    return extract_doc(document, nlp(document.text))


@pytest.fixture(scope="session")
def seed_store_path(tmp_path_factory, nlp) -> Path:
    """A store with the seed ingested, closed again: open it (read) or copy it (write)."""
    from kg.api import ingest
    from kg.store import open_store

    path = tmp_path_factory.mktemp("seed-store") / "store"
    with open_store(path) as store:
        report = ingest([SEEDS], store)
    assert report.ok and len(report.ingested) == 1
    return path


@pytest.fixture
def seed_store(seed_store_path, tmp_path):
    """A private, writable copy of the seed store, open."""
    from kg.store import open_store

    copy = tmp_path / "store"
    shutil.copytree(seed_store_path, copy)
    (copy / "polkg.lock").unlink(missing_ok=True)
    with open_store(copy) as store:
        yield store
