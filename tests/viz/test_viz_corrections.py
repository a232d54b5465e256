"""Corrections: made in the page (Chromium), exported as JSON, written by `kg correct`, drawn by `kg view`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import CEASEFIRE, NATO, RUSSIA
from test_viz_browser import chromium, visit, viz_store_path  # noqa: F401 (fixtures)
from test_viz_workbench import bench_store_path  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow

@pytest.fixture
def store_copy(bench_store_path, tmp_path) -> Path:
    path = tmp_path / "store"
    shutil.copytree(bench_store_path, path)
    (path / "polkg.lock").unlink(missing_ok=True)
    return path


def view_graph(path: Path, *, raw: bool = False):
    from kg.store import open_store
    from kg.viz import to_view_graph

    with open_store(path, read_only=True) as store:
        return to_view_graph(store, raw=raw)


def test_corrections_round_trip_through_the_page(kg_cli, store_copy, tmp_path, visit):
    G = view_graph(store_copy)
    crimea = next(n for n, d in G.nodes(data=True) if d["type"] == "Precondition" and d["demander"].endswith("/Ukraine")
                  and any(r.endswith("/Crimea") for r in d["regions"]))
    wrong = next(n for n, d in G.nodes(data=True) if d["type"] == "Position" and "<script>" in d["quote"])
    page_path = tmp_path / "graph.html"
    assert kg_cli("--store", store_copy, "view", "-o", page_path).exit_code == 0
    page = visit(page_path.as_uri())
    # fix the demander and the outcome of one precondition, with a hostile note
    page.js("(id) => window.polkg.showNode(id)", crimea)
    form = f'#details form[data-assertion="{crimea}"]'
    outcome = page.js("() => window.polkg.data.vocab.Outcome.find(p => p[0].endsWith('/ceasefire'))[0]")
    page.page.select_option(f'{form} select[name="demander"]', NATO)
    page.page.select_option(f'{form} select[name="forOutcome"]', outcome)
    page.page.fill(f'{form} input[name="note"]', "<img src=x onerror=alert(9)> NATO said it")
    page.page.click(f"{form} button[type=submit]")
    # mark a position wrong
    page.js("(id) => window.polkg.showNode(id)", wrong)
    form = f'#details form[data-assertion="{wrong}"]'
    page.page.check(f'{form} input[name="wrong"]')
    page.page.click(f"{form} button[type=submit]")
    assert page.page.inner_text("#correction-count") == "2 corrections to export."
    page.page.click("#export-corrections")
    assert page.page.inner_text("#correction-count").startswith("Give your name first")
    page.page.fill("#author", "A. Reviewer <b>")
    with page.page.expect_download() as info:
        page.page.click("#export-corrections")
    exported = tmp_path / "corrections.json"
    shutil.copy(info.value.path(), exported)
    assert page.js("() => [document.querySelectorAll('img').length, document.querySelectorAll('b[onmouseover]').length]") \
        == [0, 0]
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert data["author"] == "A. Reviewer <b>" and len(data["corrections"]) == 2
    assert data["corrections"][0]["set"] == {"demander": NATO, "forOutcome": outcome}

    result = kg_cli("--store", store_copy, "correct", exported)
    assert result.exit_code == 0, result.output
    assert result.output == f"{exported}: 2 corrections written (1 marked wrong, 1 fixed)\n"
    # the corrected view by default, the extractor's with --raw
    G2 = view_graph(store_copy)
    assert G2.nodes[crimea]["demander"] == NATO and G2.nodes[crimea]["outcome"] == "ceasefire"
    assert G2.has_edge(NATO, crimea) and not G2.has_edge("https://w3id.org/polkg/ref/Ukraine", crimea)
    assert wrong not in G2
    raw = view_graph(store_copy, raw=True)
    assert raw.nodes[crimea]["demander"] == G.nodes[crimea]["demander"] and wrong in raw
    # kg query and kg analyze read the same corrected view (the extractor's with --raw)
    sparql = f"SELECT ?d ?o WHERE {{ <{crimea}> pol:demander ?d ; pol:forOutcome ?o }}"
    for extra, demander, goal in (([], NATO, outcome), (["--raw"], G.nodes[crimea]["demander"], None)):
        rows = json.loads(kg_cli("--store", store_copy, "query", sparql, "--format", "json", *extra).stdout)
        found = [(row["d"]["value"], row["o"]["value"]) for row in rows["results"]["bindings"]]
        assert len(found) == 1 and found[0][0] == demander and (goal is None or found[0][1] == goal)
    ask = f"SELECT (COUNT(*) AS ?n) WHERE {{ <{wrong}> a pol:Position ; pol:holder ?h }}"
    for extra, count in (([], "0"), (["--raw"], "1")):
        rows = json.loads(kg_cli("--store", store_copy, "query", ask, "--format", "json", *extra).stdout)
        assert rows["results"]["bindings"][0]["n"]["value"] == count
    table = json.loads(kg_cli("--store", store_copy, "analyze", "preconditions", "--format", "json").stdout)
    assert any(row.get("demander") == "NATO" and "Crimea" in json.dumps(row) for row in table), table
    # kept apart: the document graphs are unchanged, the corrections graph holds PROV-O
    from kg.corrections import CORRECTIONS_GRAPH
    from kg.store import open_store

    with open_store(store_copy, read_only=True) as store:
        rows = list(store.query("""
            PREFIX prov: <http://www.w3.org/ns/prov#>
            SELECT ?g ?activity ?who ?time ?assertion WHERE { GRAPH ?g {
              ?activity a prov:Activity ; prov:wasAssociatedWith ?agent ; prov:endedAtTime ?time ; prov:used ?assertion .
              ?agent rdfs:label ?who } }"""))
        assert {row["g"].value for row in rows} == {CORRECTIONS_GRAPH}
        assert {row["assertion"].value for row in rows} == {crimea, wrong}
        assert {row["who"].value for row in rows} == {"A. Reviewer <b>"}
        elsewhere = list(store.query("""
            PREFIX prov: <http://www.w3.org/ns/prov#>
            SELECT ?g WHERE { GRAPH ?g { { ?s prov:wasInvalidatedBy ?o } UNION { ?s prov:wasRevisionOf ?o } } }"""))
        assert {row["g"].value for row in elsewhere} == {CORRECTIONS_GRAPH}
    # the new page says so, and shows the hostile note nowhere as markup
    result = kg_cli("--store", store_copy, "view", "-o", page_path)
    page = visit(page_path.as_uri())
    assert "With 2 reviewer's corrections" in page.page.inner_text("#notes")
    page.js("(id) => window.polkg.showNode(id)", crimea)
    assert "Demander: NATO" in page.details() and "Corrected: " in page.details()
    # writing the same file again adds nothing
    with open_store(store_copy, read_only=True) as store:
        before = len(list(store.raw.quads_for_pattern(None, None, None, None)))
    assert kg_cli("--store", store_copy, "correct", exported).exit_code == 0
    with open_store(store_copy, read_only=True) as store:
        assert len(list(store.raw.quads_for_pattern(None, None, None, None))) == before


def test_corrections_survive_re_ingesting_the_document(kg_cli, store_copy, tmp_path):
    from kg.api import ingest
    from kg.store import open_store

    from viewer_data import WORKBENCH

    G = view_graph(store_copy)
    target = next(n for n, d in G.nodes(data=True) if d["type"] == "Precondition" and "Crimea" in d["quote"])
    doc = G.nodes[target]["document"]
    file = tmp_path / "c.json"
    file.write_text(json.dumps({"format": "polkg-corrections", "version": 1, "author": "R",
                                "corrections": [{"assertion": target, "time": "2026-12-02T20:00:00Z",
                                                 "set": {"demander": RUSSIA}}]}), encoding="utf-8")
    assert kg_cli("--store", store_copy, "correct", file).exit_code == 0
    with open_store(store_copy) as store:
        store.remove_graph(doc)
        report = ingest([WORKBENCH], store)
        assert doc in report.ingested or len(report.ingested) == 1
    G2 = view_graph(store_copy)
    assert G2.nodes[target]["demander"] == RUSSIA


@pytest.mark.parametrize("content, message", [
    ("not json", "not a JSON corrections file"),
    ('{"format": "other"}', 'not a corrections file'),
    ('{"format": "polkg-corrections", "version": 1, "author": "", "corrections": []}', "author: must be a non-empty string"),
    ('{"format": "polkg-corrections", "version": 1, "author": "R", "corrections": [{"assertion": "javascript:x", '
     '"time": "2026-12-02T20:00:00Z", "wrong": true}]}', "correction 1: assertion: not a polkg IRI"),
    ('{"format": "polkg-corrections", "version": 1, "author": "R", "corrections": [{"assertion": '
     '"https://w3id.org/polkg/id/nothing", "time": "2026-12-02T20:00:00Z", "wrong": true}]}',
     "correction 1: no assertion https://w3id.org/polkg/id/nothing in the store"),
    ('{"format": "polkg-corrections", "version": 1, "author": "R", "corrections": [{"assertion": '
     '"https://w3id.org/polkg/id/x", "time": "yesterday", "wrong": true}]}', "correction 1: time: not an ISO 8601"),
    ('{"format": "polkg-corrections", "version": 1, "author": "R", "corrections": [{"assertion": '
     '"https://w3id.org/polkg/id/x", "time": "2026-12-02T20:00:00Z"}]}', "mark it wrong or set a field"),
])
def test_correct_refuses_a_bad_file_in_one_line(kg_cli, content, message, store_copy, tmp_path):
    file = tmp_path / "bad.json"
    file.write_text(content, encoding="utf-8")
    result = kg_cli("--store", store_copy, "correct", file)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {file}: ") and message in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_correct_checks_values_against_the_store(kg_cli, store_copy, tmp_path):
    G = view_graph(store_copy)
    target = next(n for n, d in G.nodes(data=True) if d["type"] == "Precondition")
    file = tmp_path / "c.json"
    file.write_text(json.dumps({"format": "polkg-corrections", "version": 1, "author": "R",
                                "corrections": [{"assertion": target, "time": "2026-12-02T20:00:00Z",
                                                 "set": {"demander": CEASEFIRE}}]}), encoding="utf-8")
    result = kg_cli("--store", store_copy, "correct", file)
    assert result.exit_code == 1
    assert result.output == f"Error: {file}: correction 1: demander: {CEASEFIRE} is no Actor in the store\n"


def test_corrections_of_every_field_from_the_page_reach_the_store(kg_cli, store_copy, tmp_path, visit):
    """Addressees, regions, action (a precondition) and stance (a position), fixed in the page,
    are what kg query answers after kg correct; --raw still gives the extractor's."""
    G = view_graph(store_copy)
    kherson = next(n for n, d in G.nodes(data=True) if d["type"] == "Precondition"
                   and d["quote"].startswith("On 14 June 2024, Russia demanded"))
    position = next(n for n, d in G.nodes(data=True) if d["type"] == "Position" and d["stance"] == "supports"
                    and "<" not in d["quote"])
    crimea = next(n for n, d in G.nodes(data=True) if d["type"] == "Region" and d["name"] == "Crimea")
    ukraine = next(n for n, d in G.nodes(data=True) if d["name"] == "Ukraine" and d["type"] == "State")
    page_path = tmp_path / "graph.html"
    assert kg_cli("--store", store_copy, "view", "-o", page_path).exit_code == 0
    page = visit(page_path.as_uri())
    action = page.js("() => window.polkg.data.vocab.Action.find(p => p[0].endsWith('/renounce_alliance'))[0]")
    opposes = page.js("() => window.polkg.data.vocab.Stance.find(p => p[0].endsWith('/opposes'))[0]")
    page.js("(id) => window.polkg.showNode(id)", kherson)
    form = f'#details form[data-assertion="{kherson}"]'
    page.page.select_option(f'{form} select[name="addressee"]', [ukraine, NATO])
    page.page.select_option(f'{form} select[name="region"]', [crimea])
    page.page.select_option(f'{form} select[name="action"]', action)
    page.page.click(f"{form} button[type=submit]")
    page.js("(id) => window.polkg.showNode(id)", position)
    form = f'#details form[data-assertion="{position}"]'
    page.page.select_option(f'{form} select[name="stance"]', opposes)
    page.page.click(f"{form} button[type=submit]")
    page.page.fill("#author", "B. Reviewer")
    with page.page.expect_download() as info:
        page.page.click("#export-corrections")
    exported = tmp_path / "corrections.json"
    shutil.copy(info.value.path(), exported)
    sets = [c["set"] for c in json.loads(exported.read_text(encoding="utf-8"))["corrections"]]
    assert sets == [{"action": action, "addressee": sorted([ukraine, NATO]), "region": [crimea]}, {"stance": opposes}]
    assert kg_cli("--store", store_copy, "correct", exported).exit_code == 0

    def values(assertion, prop, *extra):
        sparql = f"SELECT ?v WHERE {{ <{assertion}> pol:{prop} ?v }}"
        rows = json.loads(kg_cli("--store", store_copy, "query", sparql, "--format", "json", *extra).stdout)
        return sorted(row["v"]["value"] for row in rows["results"]["bindings"])

    assert values(kherson, "addressee") == sorted([ukraine, NATO]) and values(kherson, "addressee", "--raw") == [ukraine]
    assert values(kherson, "region") == [crimea] and len(values(kherson, "region", "--raw")) == 2
    assert values(kherson, "action") == [action] and values(kherson, "action", "--raw") != [action]
    assert values(position, "stance") == [opposes] and values(position, "stance", "--raw") != [opposes]
    G2 = view_graph(store_copy)
    assert G2.nodes[position]["stance"] == "opposes" and G2.nodes[kherson]["regions"] == [crimea]
    assert sorted(G2.nodes[kherson]["addressees"]) == sorted([ukraine, NATO])
