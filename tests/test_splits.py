"""The train / dev / test manifest: stratified by conflict, stable, and the locked test split's report."""

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CONTRACTS, ROOT, SEED
from kg.errors import DataFileError
from kg.splits import (
    SPLITS, TARGETS, Row, assign, read_manifest, update_splits, write_split_files,
)

GOLD = ROOT / "tests" / "gold"


def _gold_folder(tmp_path: Path, development: list[str], corpus: dict[str, list[tuple[str, str]]]) -> Path:
    """A gold folder: ``development`` docs in dev_gold.jsonl, ``corpus`` letter -> (doc, conflict)."""
    folder = tmp_path / "gold"
    (folder / "corpus").mkdir(parents=True, exist_ok=True)
    with open(folder / "dev_gold.jsonl", "w", encoding="utf-8") as out:
        for doc in development:
            (folder / doc).write_text("A title\nA text.\n", encoding="utf-8")
            out.write(json.dumps({"doc": doc, "actors": []}) + "\n")
    for letter, docs in corpus.items():
        with open(folder / "corpus" / f"gold_{letter}.jsonl", "w", encoding="utf-8") as out:
            for doc, conflict in docs:
                (folder / "corpus" / doc).write_text("A title\nA text.\n", encoding="utf-8")
                out.write(json.dumps({"doc": doc, "conflict": conflict, "actors": []}) + "\n")
    return folder


def _docs(prefix: str, n: int, conflicts: list[str]) -> list[tuple[str, str]]:
    return [(f"{prefix}{i:03d}_text.txt", conflicts[i % len(conflicts)]) for i in range(n)]


def test_splits_development_documents_are_train_and_rerun_adds_nothing(tmp_path):
    folder = _gold_folder(tmp_path, ["01_a.txt", "02_b.txt"], {"A": _docs("1", 12, ["sudan", "yemen"])})
    rows, added = update_splits(folder)
    assert len(rows) == len(added) == 14
    split = {r.doc: r.split for r in rows}
    assert split["01_a.txt"] == split["02_b.txt"] == "train"
    assert sum(doc.startswith("corpus/1") for doc in split) == 12
    before = (folder / "splits.tsv").read_text(encoding="utf-8")
    rows_again, added_again = update_splits(folder)
    assert added_again == [] and set(rows_again) == set(rows)
    assert (folder / "splits.tsv").read_text(encoding="utf-8") == before


def test_splits_new_documents_join_and_old_ones_never_move(tmp_path):
    first = _docs("1", 10, ["sudan", "libya"])
    folder = _gold_folder(tmp_path, ["01_a.txt"], {"A": first})
    rows, _ = update_splits(folder)
    old = {r.doc: r.split for r in rows}
    # more texts land, in two files, listed in another order; the conflict of an old line changed
    later = [(doc, "ethiopia-tigray" if n == 0 else c) for n, (doc, c) in enumerate(reversed(first))]
    folder = _gold_folder(tmp_path, ["01_a.txt"], {"A": later + _docs("15", 9, ["sudan", "haiti"]),
                                                  "B": _docs("2", 9, ["libya", "haiti"])})
    rows, added = update_splits(folder)
    assert len(added) == 18
    assert {r.doc: r.split for r in rows if r.doc in old} == old
    assert {r.doc: r.conflict for r in read_manifest(folder / "splits.tsv")}["corpus/1009_text.txt"] == "libya"


def test_splits_assignment_ignores_the_order_documents_are_listed(tmp_path):
    docs = _docs("1", 30, ["sudan", "libya", "haiti"])
    assert sorted(assign([], docs), key=lambda r: r.doc) == sorted(assign([], docs[::-1]), key=lambda r: r.doc)


def test_splits_are_stratified_by_conflict():
    rows = assign([], _docs("1", 200, ["sudan", "libya", "haiti", "yemen"]))
    for conflict in ("sudan", "libya", "haiti", "yemen"):
        counts = Counter(r.split for r in rows if r.conflict == conflict)
        for split in SPLITS:
            assert abs(counts[split] - TARGETS[split] * 50) <= 1, (conflict, counts)


def test_splits_a_conflict_already_in_train_fills_dev_and_test_first():
    rows = [Row(f"0{i}.txt", "kosovo", "train") for i in range(3)]
    added = assign(rows, _docs("1", 2, ["kosovo"]))
    assert {r.split for r in added} == {"dev", "test"}


def test_splits_split_files_hold_the_manifest_rows(tmp_path):
    folder = _gold_folder(tmp_path, ["01_a.txt"], {"A": _docs("1", 10, ["sudan"])})
    rows, _ = update_splits(folder)
    sizes = write_split_files(folder, rows)
    assert sum(sizes.values()) == 11
    for split in SPLITS:
        lines = [json.loads(x) for x in (folder / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()]
        assert {x["doc"] for x in lines} == {r.doc for r in rows if r.split == split}
        for x in lines:
            assert (folder / x["doc"]).is_file()  # kg eval finds the text beside the split file


@pytest.mark.parametrize("line, message", [
    ("a.txt\tsudan", "expected three tab-separated fields"),
    ("a.txt\tsudan\tvalidation", "unknown split 'validation'"),
])
def test_splits_malformed_manifest_names_file_and_line(tmp_path, line, message):
    path = tmp_path / "splits.tsv"
    path.write_text("doc\tconflict\tsplit\n" + line + "\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=f"splits.tsv:2: {message}"):
        read_manifest(path)


def test_splits_checked_in_manifest_matches_the_split_files():
    rows = read_manifest(GOLD / "splits.tsv")
    development = {json.loads(x)["doc"] for x in (GOLD / "dev_gold.jsonl").read_text(encoding="utf-8").splitlines()
                   if x.strip()}
    assert development <= {r.doc for r in rows if r.split == "train"}
    for split in SPLITS:
        docs = {json.loads(x)["doc"] for x in (GOLD / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()}
        assert docs <= {r.doc for r in rows if r.split == split}
        assert all((GOLD / d).is_file() for d in docs)


def test_splits_summary_report_has_no_document_detail(tmp_path, nlp):
    from kg.cli import main

    folder = tmp_path / "docs"
    folder.mkdir()
    seed_line = json.loads((CONTRACTS / "seed_gold.jsonl").read_text(encoding="utf-8").splitlines()[0])
    with open(folder / "test.jsonl", "w", encoding="utf-8") as out:
        for name in ("first_article.txt", "second_article.txt"):
            shutil.copy(SEED, folder / name)
            out.write(json.dumps({**seed_line, "doc": name}) + "\n")
    runner = CliRunner()
    full = runner.invoke(main, ["eval", str(folder / "test.jsonl")], catch_exceptions=False).output
    assert "first_article" in full  # the ordinary report lists documents ...
    result = runner.invoke(main, ["eval", str(folder / "test.jsonl"), "--summary"], catch_exceptions=False)
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert [x.split()[0] for x in lines] == ["type", "actors", "regions", "statements", "positions",
                                             "preconditions", "micro", "precondition"]
    assert "article" not in result.output  # ... the summary names none
    data = json.loads(runner.invoke(main, ["eval", str(folder / "test.jsonl"), "--summary", "--format", "json"],
                                    catch_exceptions=False).output)
    assert "documents" not in data and set(data) == {"types", "micro", "for_accuracy"}
    refused = runner.invoke(main, ["eval", str(folder / "test.jsonl"), "--summary", "--explain"])
    assert refused.exit_code != 0


def test_splits_make_eval_test_reports_only_the_summary():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\neval-test:", 1)[1].split("\n\n", 1)[0]
    assert "test.jsonl --summary" in recipe and "--explain" not in recipe and "--format" not in recipe
