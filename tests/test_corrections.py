"""The reviewers' corrections as every reader sees them: kg query, kg analyze and kg eval use the
corrected view by default and the extractor's with --raw; the store keeps the extractor's triples."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SEEDS

CONTRACTS = Path(__file__).resolve().parent / "contracts"
RUSSIA = "https://w3id.org/polkg/ref/Russia"
NATO = "https://w3id.org/polkg/ref/NATO"
CEASEFIRE = "https://w3id.org/polkg/vocab/outcome/ceasefire"


def run(*args):
    from kg.cli import main

    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def corrected(seed_store_path, tmp_path):
    """A copy of the seed store with two corrections: the withdrawal demand's demander is NATO
    (not Russia), and the alliance demand is marked wrong."""
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
    result = run("--store", path, "correct", file)
    assert result.exit_code == 0, result.output
    return path, pre


def preconditions(path, *extra):
    result = run("--store", path, "query", "--name", "preconditions", "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["results"]["bindings"]
    return {(row["demander"]["value"], row["action"]["value"].rsplit("/", 1)[-1]) for row in rows}, result.stderr


def test_query_reads_the_corrected_view_and_raw_the_extractors(seed_store_path, corrected):
    path, _ = corrected
    before, note = preconditions(seed_store_path)
    assert note == ""
    actions = {action for _, action in before}
    assert {"withdraw_forces", "renounce_alliance"} <= actions
    assert all(demander.endswith("/Russia") or demander == "Russia" for demander, _ in before)

    after, note = preconditions(path)
    assert note.strip() == "With 2 reviewer's corrections (kg query --raw for the extractor's assertions)."
    assert {action for _, action in after} == actions - {"renounce_alliance"}
    withdraw = {demander for demander, action in after if action == "withdraw_forces"}
    assert withdraw and all("NATO" in demander for demander in withdraw)

    raw, note = preconditions(path, "--raw")
    assert raw == before and note == ""
    # arbitrary SPARQL too, and the store on disk still holds the extractor's triples
    sparql = "SELECT (COUNT(*) AS ?n) WHERE { ?p a pol:Precondition ; pol:demander <%s> }" % NATO
    assert json.loads(run("--store", path, "query", sparql, "--format", "json").stdout)[
        "results"]["bindings"][0]["n"]["value"] == "1"
    assert json.loads(run("--store", path, "query", sparql, "--format", "json", "--raw").stdout)[
        "results"]["bindings"][0]["n"]["value"] == "0"


def test_analyze_uses_the_corrections_unless_raw(seed_store_path, corrected):
    path, pre = corrected
    result = run("--store", path, "analyze", "preconditions", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "With 2 reviewer's corrections (kg analyze --raw" in result.stderr
    rows = json.loads(result.stdout)
    assert [row["action"] for row in rows] == ["withdraw_forces"] and "NATO" in json.dumps(rows)
    raw = json.loads(run("--store", path, "analyze", "preconditions", "--format", "json", "--raw").stdout)
    seed = json.loads(run("--store", seed_store_path, "analyze", "preconditions", "--format", "json").stdout)
    assert raw == seed and sorted(row["action"] for row in raw) == ["renounce_alliance", "withdraw_forces"]

    from kg.analysis import read_facts
    from kg.corrections import ExtractorView
    from kg.store import open_store

    with open_store(path, read_only=True) as store:
        facts = read_facts(store)
        assert facts.corrections == 2 and pre["renounce_alliance"] not in facts.assertions
        assert facts.assertions[pre["withdraw_forces"]].actor == NATO
        raw_facts = read_facts(ExtractorView(store))
        assert raw_facts.corrections == 0 and raw_facts.assertions[pre["withdraw_forces"]].actor == RUSSIA


def test_eval_scores_the_corrected_view(corrected):
    path, _ = corrected
    gold = CONTRACTS / "seed_gold.jsonl"
    plain = json.loads(run("--store", path, "eval", gold, "--docs", SEEDS, "--format", "json").stdout)
    assert plain["types"]["preconditions"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "tp": 2, "fp": 0, "fn": 0}
    result = run("--store", path, "eval", gold, "--docs", SEEDS, "--format", "json", "--corrected")
    assert result.exit_code == 0, result.output
    # the gold says Russia demands the withdrawal: NATO's is a false positive; the alliance demand, marked wrong, a miss
    assert json.loads(result.stdout)["types"]["preconditions"] == {
        "precision": 0.0, "recall": 0.0, "f1": 0.0, "tp": 0, "fp": 1, "fn": 2}


def test_corrected_copy_of_a_store_in_memory_and_on_disk(corrected):
    import pyoxigraph as ox

    from kg.corrections import corrected_store
    from kg.store import open_store
    from kg.store.oxigraph import OxigraphStore

    path, pre = corrected
    sparql = "SELECT ?d WHERE { ?p pol:action ?a ; pol:demander ?d } ORDER BY ?d"
    with open_store(path, read_only=True) as store:
        memory = OxigraphStore.wrap(ox.Store())
        memory.raw.extend(store.raw.quads_for_pattern(None, None, None, None))
        for source in (store, memory):
            copy = corrected_store(source)
            assert copy is not source and copy.corrections == 2
            folder = copy.folder
            assert (folder is not None) == (source is store)
            assert [row["d"].value for row in copy.query(sparql)] == [NATO]
            assert sorted(row["d"].value for row in source.query(sparql)) == [RUSSIA, RUSSIA]
            copy.close()
            assert folder is None or not folder.exists()


def test_python_query_uses_the_corrections_unless_raw(corrected):
    import kg

    path, _ = corrected
    sparql = "SELECT ?d WHERE { ?p pol:action ?a ; pol:demander ?d }"
    result = kg.query(str(path), sparql)
    assert [row[0].value for row in result.rows] == [NATO]
    assert result.notes == ["With 2 reviewer's corrections (raw=True for the extractor's assertions)."]
    raw = kg.query(str(path), sparql, raw=True)
    assert raw.notes == [] and len(raw) == 2


def test_view_of_a_construct_query_draws_the_corrected_view(corrected):
    from kg.store import open_store
    from kg.viz import build_view

    path, pre = corrected
    construct = "CONSTRUCT { ?p pol:demander ?d } WHERE { ?p a pol:Precondition ; pol:demander ?d }"
    with open_store(path, read_only=True) as store:
        G, _, notes = build_view(store, query=construct)
        raw, _, raw_notes = build_view(store, query=construct, raw=True)
    assert {(u, v) for u, v in G.edges()} == {(pre["withdraw_forces"], NATO)}
    assert {(u, v) for u, v in raw.edges()} == {(pre["withdraw_forces"], RUSSIA), (pre["renounce_alliance"], RUSSIA)}
    assert any("2 reviewer's corrections" in note for note in notes)
    assert not any("reviewer's correction" in note for note in raw_notes)
