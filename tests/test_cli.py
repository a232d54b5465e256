"""The kg command on real stores: exit codes and exact messages."""

import json
import shutil

import jsonschema
import pytest
from click.testing import CliRunner

from conftest import CONTRACTS, SEED, SEEDS
from kg.cli import main


@pytest.fixture
def run(tmp_path):
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, ["--store", str(tmp_path / "store"), *args], catch_exceptions=False)

    return invoke


def test_cli_every_command_has_help(run):
    for name, command in main.commands.items():
        assert command.help, f"kg {name} has no help"
        result = run(name, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output


def test_cli_extract_json_validates(run):
    result = run("extract", str(SEED), "--format", "json")
    assert result.exit_code == 0
    schema = json.loads((CONTRACTS / "extraction.schema.json").read_text(encoding="utf-8"))
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    jsonschema.validate(json.loads(lines[0]), schema)


def test_cli_extract_ttl_parses(run):
    from rdflib import Graph

    result = run("extract", str(SEED), "--format", "ttl")
    assert result.exit_code == 0
    assert len(Graph().parse(data=result.output, format="turtle")) > 100


def test_cli_ingest_stats_validate_view(run, tmp_path):
    assert run("ingest", str(SEEDS)).exit_code == 0
    result = run("stats", "--format", "json")
    counts = json.loads(result.output)
    assert set(counts) == {"documents", "actors", "regions", "statements", "positions", "preconditions", "triples"}
    assert counts["documents"] == 1 and counts["preconditions"] == 2 and counts["actors"] == 5
    assert counts["regions"] == 6
    result = run("validate")
    assert result.exit_code == 0 and "conforms" in result.output
    out = tmp_path / "g.html"
    result = run("view", "--output", str(out))
    assert result.exit_code == 0 and out.stat().st_size > 10_000


def test_cli_summary_names_actors_regions_and_preconditions(run):
    run("ingest", str(SEEDS))
    result = run("summary")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("1 documents, 5 actors, 6 regions")
    assert "Russia (State)" in result.output and "Kherson Oblast" in result.output
    assert "  Russia -> Ukraine: renounce_alliance, for ceasefire" in lines


def test_cli_query_named_with_label(run):
    run("ingest", str(SEEDS))
    result = run("query", "--name", "preconditions", "--param", "demander=the Kremlin", "--format", "csv")
    assert result.exit_code == 0
    rows = result.output.strip().splitlines()
    assert len(rows) == 3 and "withdraw_forces" in result.output and "renounce_alliance" in result.output


def test_cli_query_text_json(run):
    run("ingest", str(SEEDS))
    result = run("query", "PREFIX pol: <https://w3id.org/polkg/ontology#> ASK { ?p a pol:Precondition }", "--format", "json")
    assert json.loads(result.output) == {"head": {}, "boolean": True}


def test_cli_unknown_named_query_is_one_line_error(run):
    result = run("query", "--name", "nope")
    assert result.exit_code == 1
    assert result.output.startswith("Error: nope: no such named query")


def test_cli_bad_inputs_refused_good_ones_ingested(run, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "good.txt")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (corpus / "latin1.txt").write_bytes("Kyiv and Moscow \xe9".encode("latin-1"))
    (corpus / "docs.jsonl").write_text('{"text": "Kyiv rejects the demand."}\n{"text": "broken\n', encoding="utf-8")
    result = run("ingest", str(corpus))
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert sorted(errors) == sorted([
        f"Error: {corpus / 'binary.txt'}: binary file (a PNG image), not text",
        f"Error: {corpus / 'docs.jsonl'}:2: malformed JSON (Unterminated string starting at)",
        f"Error: {corpus / 'empty.txt'}: empty file",
        f"Error: {corpus / 'latin1.txt'}: not UTF-8 (byte 0xe9 at 16)",
    ])
    assert "2 ingested, 0 unchanged, 4 refused" in result.output
    counts = json.loads(run("stats", "--format", "json").output)
    assert counts["documents"] == 2


def test_cli_eval_seed_gold_is_perfect_on_entities_and_preconditions(run):
    result = run("eval", str(CONTRACTS / "seed_gold.jsonl"), "--docs", str(SEEDS), "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["types"]["actors"]["f1"] == 1.0
    assert report["types"]["regions"]["f1"] == 1.0
    assert report["types"]["preconditions"]["f1"] == 1.0
    assert report["for_accuracy"] == 1.0
    table = run("eval", str(CONTRACTS / "seed_gold.jsonl"), "--docs", str(SEEDS), "--explain").output
    assert table.splitlines()[0].split() == ["type", "P", "R", "F1", "TP", "FP", "FN"]
