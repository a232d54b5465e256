"""kg analyze on real stores: output, exit codes and exact messages."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from analysis_fixtures import REF, SEED
from kg.cli import main


@pytest.fixture
def run(seed_store_path, tmp_path):
    copy = tmp_path / "store"
    shutil.copytree(seed_store_path, copy)
    (copy / "polkg.lock").unlink(missing_ok=True)

    def invoke(*args):
        return CliRunner().invoke(main, ["--store", str(copy), *args], catch_exceptions=False)

    return invoke


def test_analysis_cli_actors_json(run):
    result = run("analyze", "actors", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert rows[0]["actor"] == "Russia" and rows[0]["iri"] == REF + "Russia"
    assert {"degree", "betweenness", "pagerank", "community"} <= set(rows[0])


def test_analysis_cli_regions_csv_and_preconditions(run):
    result = run("analyze", "regions", "--format", "csv")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "region,demanders,sides,contested,demands,documents,actions,iri"
    assert len(lines) == 5 and all(",Russia,1,False,1,1,withdraw_forces," in line for line in lines[1:])
    result = run("analyze", "preconditions", "--outcome", "ceasefire", "--format", "json")
    assert [r["action"] for r in json.loads(result.output)] == ["renounce_alliance", "withdraw_forces"]
    result = run("analyze", "preconditions", "--outcome", "negotiations")
    assert result.exit_code == 0 and result.output == "(nothing to analyse)\n"


def test_analysis_cli_path_and_timeline(run):
    text = SEED.read_text(encoding="utf-8")
    result = run("analyze", "path", "Vladimir Putin", "Ukraine", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert rows and all(r["from"] == "Vladimir Putin" and r["to"] == "Ukraine" for r in rows)
    assert all(text[r["start"]:r["end"]] == r["quote"] for r in rows)
    result = run("analyze", "timeline", REF + "Russia", "--format", "json")
    assert {r["kind"] for r in json.loads(result.output)} == {"position", "precondition"}


@pytest.mark.parametrize("args, message", [
    (["path", "Putin"], "Error: path takes two ACTORs, got 1"),
    (["timeline"], "Error: timeline takes one ACTOR, got 0"),
    (["regions", "--write"], "Error: --write goes with actors"),
])
def test_analysis_cli_usage_errors(run, args, message):
    result = run("analyze", *args)
    assert result.exit_code == 2 and message in result.output


def test_analysis_cli_unknown_and_non_actors(run):
    result = run("analyze", "timeline", "Nobody")
    assert result.exit_code == 1 and result.output == "Error: actor: no actor or region is called 'Nobody'\n"
    result = run("analyze", "path", "Putin", "Kherson")
    assert result.exit_code == 1
    assert result.output == "Error: path: 'Kherson' is not an actor named in any document\n"


def test_analysis_cli_write_puts_measures_in_the_analysis_graph(run):
    assert run("analyze", "actors", "--write").exit_code == 0
    assert run("analyze", "actors", "--write").exit_code == 0  # replaced, not added to
    sparql = """PREFIX pol: <https://w3id.org/polkg/ontology#>
    SELECT ?actor ?rank ?community WHERE {
      GRAPH <https://w3id.org/polkg/id/graph/analysis> { ?actor pol:pagerank ?rank ; pol:community ?community }
    } ORDER BY DESC(?rank)"""
    rows = json.loads(run("query", sparql, "--format", "json").output)["results"]["bindings"]
    assert len(rows) == 5 and rows[0]["actor"]["value"] == REF + "Russia"
    contested = """PREFIX pol: <https://w3id.org/polkg/ontology#>
    SELECT ?region ?flag WHERE { GRAPH <https://w3id.org/polkg/id/graph/analysis> { ?region pol:contested ?flag } }"""
    flags = json.loads(run("query", contested, "--format", "json").output)["results"]["bindings"]
    assert len(flags) == 4 and {f["flag"]["value"] for f in flags} == {"false"}
