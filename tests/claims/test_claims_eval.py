"""The multi-document thread gold and ``kg eval-claims``: the gold is well formed, the scoring counts
what it says, and the claim layer stays above the floors measured on it."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys

import pytest

from conftest import ROOT
from kg.claims import Report, build_threads
from kg.claims.evaluate import evaluate_claims, load_threads, score_layer
from kg.errors import DataFileError

THREADS = ROOT / "tests" / "gold" / "threads"


@pytest.fixture(scope="module")
def gold():
    return load_threads(THREADS)


def test_threads_gold_is_well_formed(gold):
    assert len(gold.documents) >= 25
    names = {json.loads(line)["thread"] for line in (THREADS / "claims.jsonl").read_text(encoding="utf-8").splitlines()
             if '"claim"' in line}
    assert len(names) >= 3
    for line in gold.documents:
        text = (THREADS / line["doc"]).read_text(encoding="utf-8")
        for item in line.get("positions", []) + line.get("preconditions", []):
            assert item["quote"] in text, (line["doc"], item["quote"])
            assert item["said"] is None or re.fullmatch(r"\d{4}(-\d\d(-\d\d)?)?", item["said"])
        actors = {a["name"] for a in line["actors"]}
        assert {p["holder"] for p in line["positions"]} <= actors
        assert {c["demander"] for c in line["preconditions"]} <= actors


def test_threads_use_no_locked_test_document(gold):
    with open(ROOT / "tests" / "gold" / "splits.tsv", encoding="utf-8") as f:
        locked = {row["doc"] for row in csv.DictReader(f, delimiter="\t") if row["split"] == "test"}
    used = {line["doc"].removeprefix("../") for line in gold.documents}
    assert used and not used & locked


def test_threads_sources_name_every_new_text(gold):
    sources = (THREADS / "SOURCES.md").read_text(encoding="utf-8")
    for line in gold.documents:
        assert line["doc"].split("/")[-1] in sources, line["doc"]


def test_threads_a_negotiation_over_two_years_and_a_statement_from_several_sources(gold):
    published = {line["doc"]: line["published"] for line in gold.documents}
    outlets = {line["doc"]: line["outlet"] for line in gold.documents}
    threads = {}
    for line in (THREADS / "claims.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if "claim" in record:
            docs = {m.split("#")[0] for m in record["members"]}
            threads.setdefault(record["thread"], set()).update(docs)
    years = {t: {published[d][:4] for d in docs if published[d]} for t, docs in threads.items()}
    assert any(int(max(y)) - int(min(y)) >= 2 for y in years.values() if y)
    claims = [json.loads(x) for x in (THREADS / "claims.jsonl").read_text(encoding="utf-8").splitlines()]
    widest = max(len({outlets[m.split("#")[0]] for m in c["members"]}) for c in claims if "claim" in c)
    assert widest >= 3
    assert any(c.get("change") == "withdrawn" for c in claims)


def _report(iri, doc, topic, said, stance="supports"):
    return Report(iri, "position", "X", doc, doc + ".org", "...", said, said, stance=stance, topic=topic)


def test_claims_scoring_counts_pairs_and_changes(tmp_path):
    """Three assertions, two the same claim; the builder merges the two and keeps the third apart."""
    (tmp_path / "a.txt").write_text("A says yes to peace talks.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("B says A backs peace talks.", encoding="utf-8")
    actors = [{"name": "X", "aliases": [], "kind": "state", "wikidata": None}]
    lines = [
        {"doc": "a.txt", "published": "2022-01-01", "actors": actors, "statements": [],
         "positions": [{"id": "p1", "holder": "X", "stance": "supports", "topic": "peace talks", "quote": "yes",
                        "said": "2022-01-01"},
                       {"id": "p2", "holder": "X", "stance": "opposes", "topic": "sanctions relief", "quote": "no",
                        "said": "2022-01-01"}], "preconditions": []},
        {"doc": "b.txt", "published": "2022-02-01", "actors": actors, "statements": [],
         "positions": [{"id": "p1", "holder": "X", "stance": "supports", "topic": "talks on peace", "quote": "backs",
                        "said": "2022-02-01"}], "preconditions": []}]
    (tmp_path / "gold.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    (tmp_path / "claims.jsonl").write_text(
        json.dumps({"claim": "talks", "thread": "t", "members": ["a.txt#p1", "b.txt#p1"]}) + "\n"
        + json.dumps({"change": "reaffirmed", "from": "talks", "to": "talks"}) + "\n", encoding="utf-8")
    gold = load_threads(tmp_path)
    result = evaluate_claims(tmp_path, gold_fed=True)
    assert (result.merging.tp, result.merging.fp, result.merging.fn) == (1, 0, 0)
    assert result.changes["new"].tp == 2 and result.changes["reaffirmed"].tp == 1
    assert result.changes_overall.fp == 0 and result.said_correct == 3
    # a builder that splits the claim: the pair is missed, the second report is a false 'new'
    reports = [_report("r1", "a.txt", "peace talks", "2022-01-01"), _report("r2", "b.txt", "sanctions", "2022-02-01")]
    split = score_layer(gold, build_threads(reports), {"r1": "a.txt#p1", "r2": "b.txt#p1"})
    assert (split.merging.tp, split.merging.fp, split.merging.fn) == (0, 0, 1)
    assert split.changes["new"].fp == 1 and split.changes["reaffirmed"].fn == 1


def test_claims_gold_errors_name_the_file(tmp_path):
    (tmp_path / "gold.jsonl").write_text('{"doc": "missing.txt"}\n', encoding="utf-8")
    (tmp_path / "claims.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(DataFileError, match="gold.jsonl:1: document 'missing.txt' not found"):
        load_threads(tmp_path)
    run = subprocess.run([sys.executable, "-m", "kg", "eval-claims", str(tmp_path), "--gold-fed"],
                         capture_output=True, text=True)
    assert run.returncode == 1 and "missing.txt" in run.stderr and "Traceback" not in run.stderr


def test_claims_layer_on_gold_assertions_floors():
    """The claim builder fed the gold assertions (extraction left out). Measured: merging F1 0.836
    (P 0.982, R 0.727), changes (said-time order) F1 0.894, reaffirmed 0.800."""
    result = evaluate_claims(THREADS, gold_fed=True)
    assert result.merging.f1 >= 0.82
    assert result.changes_overall.f1 >= 0.87
    assert result.changes["reaffirmed"].f1 >= 0.75


@pytest.mark.slow
def test_claims_layer_end_to_end_floors(nlp):
    """Ingest, extraction and the claim layer on the thread documents. Measured: 40 of 91 gold
    assertions matched, 16 changes right (precision 0.571, recall 0.400), said-time right for 22 of
    the 23 matched dated assertions (22 of 56 dated: the extraction misses many of these texts'
    assertions); the said-time resolver on each dated gold assertion's own sentence, matched or not,
    right for 49 of 56. Counts, not ratios: the numbers are small."""
    result = evaluate_claims(THREADS, nlp=nlp)
    assert result.matched >= 27
    assert result.changes_overall.tp >= 10
    assert result.said_correct >= 19
    assert result.text_said_correct >= 45


def test_kg_eval_claims_command_reports_every_gold_assertion():
    from click.testing import CliRunner

    from kg.cli import main

    result = CliRunner().invoke(main, ["eval-claims", str(THREADS), "--gold-fed", "--explain", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["mode"] == "gold-fed" and data["matched"] == data["gold_assertions"] == len(data["details"])
    assert set(data["changes"]) == {"new", "reaffirmed", "hardened", "softened", "withdrawn", "reversed"}
    table = CliRunner().invoke(main, ["eval-claims", str(THREADS), "--gold-fed", "--by", "reported"])
    assert "changes by reported-time" in table.output and "claim merging (pairs)" in table.output
