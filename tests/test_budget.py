"""A document over its time or memory budget is refused by name, in one line, and the
other documents of the run still go in."""

from __future__ import annotations

import subprocess
import time

import pytest

from kg.budget import Budget, OverBudget, limited
from served import KG

PARAGRAPH = (
    "Foreign Minister Ana Ruiz of Chile said on Monday that Peru must withdraw its troops from the "
    "border zone before any talks. Peru's President Luis Soto rejected the demand and called on "
    "Chile to lift its blockade of the port. The United Nations urged both sides to show restraint.\n"
)


def test_budget_stops_work_that_takes_too_long():
    started = time.monotonic()
    with pytest.raises(OverBudget, match=r"took more than 0.3 s"):
        with limited(Budget(seconds=0.3, memory_mb=None)):
            while time.monotonic() - started < 10:
                try:
                    sum(range(10_000))
                except Exception:  # the catch-all that keeps one document's bug local does not hide it
                    pytest.fail("OverBudget was caught as an Exception")
    assert time.monotonic() - started < 3


def test_budget_stops_work_that_grows_memory():
    held = []
    with pytest.raises(OverBudget, match=r"needed more than 40 MB of memory"):
        with limited(Budget(seconds=20, memory_mb=40)):
            for _ in range(400):
                held.append(bytearray(b"x" * (1024 * 1024)))  # touched pages: resident memory grows
                time.sleep(0.005)
    assert len(held) < 400


def test_budget_leaves_work_within_it_alone():
    with limited(Budget(seconds=5, memory_mb=500)):
        total = sum(range(100_000))
    time.sleep(0.6)  # the timer is off: nothing fires after the block
    assert total == 4999950000
    with limited(None):
        pass


@pytest.mark.parametrize("seconds, memory_mb", [(-1, None), (None, -5)])
def test_budget_refuses_negative_limits(seconds, memory_mb):
    with pytest.raises(ValueError, match="cannot be negative"):
        Budget(seconds, memory_mb)


def _documents(folder):
    folder.mkdir()
    (folder / "big.txt").write_text(PARAGRAPH * 900, encoding="utf-8")  # about 290,000 characters
    (folder / "small.txt").write_text(PARAGRAPH, encoding="utf-8")
    (folder / "other.txt").write_text("Peru demanded that Chile withdraw its forces from the Atacama region.\n",
                                      encoding="utf-8")
    return folder


def _ingest(folder, store, *options) -> subprocess.CompletedProcess:
    return subprocess.run([*KG, "ingest", str(folder), "--store", str(store), "--no-progress", *options],
                          capture_output=True, text=True, timeout=600)


@pytest.mark.slow
@pytest.mark.parametrize("options, reason", [
    (("--document-seconds", "1"), "it took more than 1 s"),
    (("--document-seconds", "1", "-j", "2"), "it took more than 1 s"),
    (("--document-memory", "60"), "it needed more than 60 MB of memory"),
])
def test_budget_refuses_the_document_over_it_and_ingests_the_rest(tmp_path, options, reason):
    folder = _documents(tmp_path / "docs")
    store = tmp_path / "store"
    done = _ingest(folder, store, *options)
    assert done.returncode == 1, (done.stdout, done.stderr[-2000:])
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error: ")]
    assert errors == [f"Error: {folder / 'big.txt'}: over the per-document budget: {reason} "
                      "(kg ingest --document-seconds / --document-memory set the budget)"], done.stderr[-2000:]
    assert "2 ingested, 0 unchanged, 1 refused" in done.stdout
    from kg.sparql import GRAPHS_AT_LOCATION
    from kg.store import open_store

    with open_store(store, read_only=True) as opened:
        paths = sorted(row["path"].value.rsplit("/", 1)[-1] for row in opened.query(GRAPHS_AT_LOCATION))
    assert paths == ["other.txt", "small.txt"]
