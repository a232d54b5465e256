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
RUSSIA = "https://w3id.org/polkg/ref/Russia"
NATO = "https://w3id.org/polkg/ref/NATO"
CEASEFIRE = "https://w3id.org/polkg/vocab/outcome/ceasefire"
"""IRIs of the reference data and vocabularies that tests name (the corrections' tests, among others)."""


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


@pytest.fixture
def kg_cli():
    """Run the ``kg`` command in this process on a real store: ``kg_cli("--store", path, "query", ...)``
    returns click's ``Result`` (exit code, stdout, stderr); arguments may be paths; an exception
    the command does not turn into its one-line error fails the test."""
    from click.testing import CliRunner

    from kg.cli import main

    def invoke(*args):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture
def corrected(kg_cli, seed_store_path, tmp_path):
    """A copy of the seed store with two corrections: the withdrawal demand's demander is NATO
    (not Russia), and the alliance demand is marked wrong."""
    import json

    from kg.store import open_store
    from kg.viz import to_view_graph

    path = tmp_path / "store"
    shutil.copytree(seed_store_path, path)
    (path / "polkg.lock").unlink(missing_ok=True)
    with open_store(path, read_only=True) as store:
        G = to_view_graph(store)
    pre = {d["action_code"]: n for n, d in G.nodes(data=True) if d["type"] == "Precondition"}
    file = tmp_path / "corrections.json"
    file.write_text(json.dumps({"format": "polkg-corrections", "version": 1, "author": "R. Viewer", "corrections": [
        {"assertion": pre["withdraw_forces"], "time": "2026-12-03T06:00:00Z", "set": {"demander": NATO}},
        {"assertion": pre["renounce_alliance"], "time": "2026-12-03T06:01:00Z", "wrong": True}]}), encoding="utf-8")
    result = kg_cli("--store", path, "correct", file)
    assert result.exit_code == 0, result.output
    return path, pre
