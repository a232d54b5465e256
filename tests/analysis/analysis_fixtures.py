"""Stores the analysis tests read: the seed, and five short documents with two opposed camps.

The documents of ``data/``: Ukraine (Kuleba) and Russia (Peskov) each demand that
the other withdraw from Kherson Oblast; Ukraine and Poland oppose a ceasefire
that would freeze the front line and support a just peace; Russia and Belarus
support a ceasefire along the front line and oppose Kyiv's peace plan; a later
JSON Lines document (published 2023-04-02) has Russia support grain talks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_fa41a087500dd9e8.txt"
DATA = Path(__file__).resolve().parent / "data"
REF = "https://w3id.org/polkg/ref/"


@pytest.fixture(scope="session")
def seed_facts(seed_store_path):
    """What kg.analysis reads from the seed store."""
    from kg.analysis import read_facts
    from kg.store import open_store

    with open_store(seed_store_path, read_only=True) as store:
        return read_facts(store)


@pytest.fixture(scope="session")
def two_camps_store_path(tmp_path_factory, nlp) -> Path:
    """A closed store with the documents of ``data/`` ingested."""
    from kg.api import ingest
    from kg.store import open_store

    path = tmp_path_factory.mktemp("two-camps") / "store"
    with open_store(path) as store:
        report = ingest([DATA], store, nlp=nlp)
    assert report.ok and len(report.ingested) == 5, report.summary()
    return path


@pytest.fixture(scope="session")
def two_camps_facts(two_camps_store_path):
    from kg.analysis import read_facts
    from kg.store import open_store

    with open_store(two_camps_store_path, read_only=True) as store:
        return read_facts(store)
