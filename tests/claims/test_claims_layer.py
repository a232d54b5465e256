"""The claim layer in a real store: built at ingest, kept up to date incrementally, equal to a rebuild."""

from __future__ import annotations

import json
import shutil

import pyoxigraph as ox
import pytest

from conftest import ROOT
from kg.api import ingest
from kg.claims import CLAIMS_GRAPH, read_claims, rebuild_claims, update_claims
from kg.store import open_store

THREAD = ROOT / "tests" / "data" / "claims" / "thread.jsonl"
POL = "https://w3id.org/polkg/ontology#"


def _claim_graph(store) -> set:
    return {(q.subject, q.predicate, q.object)
            for q in store.raw.quads_for_pattern(None, None, None, ox.NamedNode(CLAIMS_GRAPH))}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("thread")
    paths = []
    for i, line in enumerate(THREAD.read_text(encoding="utf-8").splitlines()):
        path = folder / f"{i}.jsonl"
        path.write_text(line + "\n", encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def built(tmp_path_factory, files, nlp):
    """Documents ingested one run at a time: each run updates the claim layer incrementally."""
    path = tmp_path_factory.mktemp("claims") / "store"
    with open_store(path) as store:
        for file in files:
            assert ingest([file], store, nlp=nlp).ok
    return path


def _copy(src, tmp_path):
    dst = tmp_path / "store"
    shutil.copytree(src, dst)
    return dst


def test_claims_incremental_equals_rebuild(built, tmp_path):
    with open_store(_copy(built, tmp_path)) as store:
        incremental = _claim_graph(store)
        rebuild_claims(store)
        assert _claim_graph(store) == incremental
        assert len(incremental) > 100


def test_claims_merge_across_documents(built, tmp_path):
    with open_store(_copy(built, tmp_path)) as store:
        rows = list(store.query(f"""
            SELECT ?claim ?docs ?outlets WHERE {{ GRAPH <{CLAIMS_GRAPH}> {{
              ?claim a pol:Claim ; pol:claimStance st:supports ; pol:documentCount ?docs ; pol:outletCount ?outlets }} }}"""))
        assert [(int(r["docs"].value), int(r["outlets"].value)) for r in rows] == [(2, 2)]
        derived = list(store.query(f"SELECT ?a WHERE {{ GRAPH <{CLAIMS_GRAPH}> {{ ?c pol:claimStance st:supports ; "
                                   f"prov:wasDerivedFrom ?a }} ?a a pol:Position }}"))
        assert len(derived) == 2


def test_claims_two_times_in_the_graph(built, tmp_path):
    with open_store(_copy(built, tmp_path)) as store:
        said = {r["date"].value for r in store.query(
            f"SELECT ?date WHERE {{ GRAPH <{CLAIMS_GRAPH}> {{ ?a pol:saidOn ?date }} }}")}
        assert {"2022-03-01", "2022-03-02", "2022-03-03", "2023-01-10", "2024-05"} <= said
        unplaced = list(store.query(f"SELECT ?a WHERE {{ GRAPH <{CLAIMS_GRAPH}> {{ ?a pol:saidUnplaced true }} }}"))
        assert unplaced, "a statement the text does not date says so"
        reported = {r["date"].value for r in store.query(
            f"SELECT ?date WHERE {{ GRAPH <{CLAIMS_GRAPH}> {{ ?a pol:reportedOn ?date }} }}")}
        assert "2024-06-01" in reported and "2024-06-01" not in said


def test_claims_changes_and_contradictions(built, tmp_path):
    with open_store(_copy(built, tmp_path)) as store:
        layer = read_claims(store)
        types = sorted({(ch.basis, ch.type) for ch in layer.changes})
        assert ("reported", "hardened") in types and ("reported", "softened") in types
        assert ("said", "reversed") in types
        (found,) = layer.contradictions
        assert {"example-a.org", "example-b.net", "example-c.com"} == set(found.first_outlets + found.second_outlets)


def test_claims_follow_a_replaced_document(built, tmp_path, files, nlp):
    """A document whose file changed replaces its old graph: the claims citing it are rebuilt, nothing else."""
    with open_store(_copy(built, tmp_path)) as store:
        record = json.loads(files[2].read_text(encoding="utf-8"))
        record["text"] = record["text"].replace("opposes", "supports")
        changed = tmp_path / files[2].name
        changed.write_text(json.dumps(record) + "\n", encoding="utf-8")
        shutil.copy(changed, files[2])
        try:
            report = ingest([files[2]], store, nlp=nlp)
            assert report.ok and report.replaced
            incremental = _claim_graph(store)
            rebuild_claims(store)
            assert _claim_graph(store) == incremental
            assert read_claims(store).contradictions == []
        finally:
            files[2].write_text(THREAD.read_text(encoding="utf-8").splitlines()[2] + "\n", encoding="utf-8")


def test_claims_follow_a_document_whose_metadata_changed(built, tmp_path, files, nlp):
    """The same text with another publication date is written again in place: the claims citing it
    take its new reported-time, as a full build gives them."""
    with open_store(_copy(built, tmp_path)) as store:
        original = files[1].read_text(encoding="utf-8")
        record = json.loads(original)
        record["published"] = "2022-03-20"
        try:
            files[1].write_text(json.dumps(record) + "\n", encoding="utf-8")
            report = ingest([files[1]], store, nlp=nlp)
            assert report.ok and report.updated and not report.replaced
            incremental = _claim_graph(store)
            assert any(o.value == "2022-03-20" for _, p, o in incremental if p.value == POL + "reportedOn")
            rebuild_claims(store)
            assert _claim_graph(store) == incremental
        finally:
            files[1].write_text(original, encoding="utf-8")


def test_claims_update_is_a_no_op_when_nothing_changed(built, tmp_path):
    with open_store(_copy(built, tmp_path)) as store:
        assert update_claims(store).threads == 0


def test_claims_unfinished_update_is_rebuilt(built, tmp_path):
    with open_store(_copy(built, tmp_path)) as store:
        before = _claim_graph(store)
        graph = ox.NamedNode(CLAIMS_GRAPH)
        store.raw.add(ox.Quad(graph, ox.NamedNode(POL + "updating"), ox.Literal("true", datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#boolean")), graph))
        update_claims(store)
        assert _claim_graph(store) == before


def test_claims_named_queries_and_cli(built):
    from click.testing import CliRunner

    from kg.cli import main

    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, ["--store", str(built), *args], catch_exceptions=False)

    result = run("query", "--name", "claims", "-p", "actor=Moscow", "-p", "kind=position", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["results"]["bindings"]
    assert sorted((r["stanceCode"]["value"], r["documents"]["value"]) for r in rows) == [("opposes", "2"),
                                                                                         ("supports", "2")]
    result = run("query", "--name", "changes", "-p", "basis=reported", "-p", "type=hardened", "--format", "json")
    rows = json.loads(result.output)["results"]["bindings"]
    assert len(rows) == 1 and "Zaporizhzhia" in rows[0]["toQuote"]["value"]
    assert "Zaporizhzhia" not in rows[0]["fromQuote"]["value"]
    result = run("query", "--name", "contradictions", "-p", "actor=Russia", "--format", "json")
    rows = json.loads(result.output)["results"]["bindings"]
    assert len(rows) == 1 and {rows[0]["firstStance"]["value"], rows[0]["secondStance"]["value"]} == {
        "supports", "opposes"}
    result = run("analyze", "changes", "Russia", "--by", "said", "--format", "json")
    assert result.exit_code == 0, result.output
    changes = json.loads(result.output)
    assert {c["basis"] for c in changes} == {"said"}
    # the demand each first sentence's "Lavrov said on March 1" / "Peskov said on Wednesday" frames
    # is dated too: said on March 1 and 2, widened in January 2023, narrowed in May 2024
    assert [c["type"] for c in changes if c["thread"] == "withdraw_forces"] == [
        "new", "reaffirmed", "hardened", "softened"]
    result = run("analyze", "timeline", "Russia", "--by", "reported", "--format", "json")
    events = json.loads(result.output)
    assert [e["first"] for e in events] == sorted(e["first"] for e in events)
    assert {e["outlets"] for e in events} >= {1, 2}
    result = run("analyze", "changes")
    assert result.exit_code != 0 and "changes takes one ACTOR, got 0" in result.output


def test_claims_graph_projection(built):
    from kg.analysis import claim_graph

    with open_store(built, read_only=True) as store:
        G = claim_graph(store)
    weights = sorted((d["kind"], d["documents"], d["outlets"]) for _, _, d in G.edges(data=True))
    assert ("supports", 2, 2) in weights and ("demands_of", 2, 2) in weights
    assert any(d["contradicted"] for _, _, d in G.edges(data=True))
