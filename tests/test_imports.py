"""Commands that do no NLP load neither spaCy nor the extractor (start-up stays short)."""

import shutil
import subprocess
import sys

import pytest

HEAVY = ("spacy", "thinc", "kg.extract", "kg.nlp")

RUN = """
import sys
from kg.cli import main
code = 0
try:
    main(sys.argv[1:], prog_name="kg")
except SystemExit as exc:
    code = exc.code or 0
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("spacy", "thinc")
               or m.startswith(("kg.extract", "kg.nlp")))
print("LOADED=" + ",".join(heavy))
sys.exit(code)
"""


def _loaded(args: list[str]) -> list[str]:
    done = subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    line = [x for x in done.stdout.splitlines() if x.startswith("LOADED=")][-1]
    return [m for m in line.removeprefix("LOADED=").split(",") if m]


@pytest.fixture(scope="module")
def store(seed_store_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("imports") / "store"
    shutil.copytree(seed_store_path, path)
    return path


@pytest.mark.parametrize("args", [
    ["stats"],
    ["summary"],
    ["query", "--name", "actors"],
    ["query", "--name", "preconditions", "-p", "demander=Russia"],
    ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"],
    ["queries"],
    ["export", "--format", "nq", "-o", "{tmp}/out.nq"],
    ["view", "-o", "{tmp}/graph.html"],
    ["analyze", "actors"],
    ["analyze", "regions"],
], ids=lambda a: " ".join(a[:3]))
def test_imports_commands_without_nlp_load_no_spacy(args, store, tmp_path):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert _loaded(["--store", str(store), *args]) == []


def test_imports_serve_loads_no_spacy():
    code = ("import sys, kg.serve, kg.federation, kg.cli\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'thinc')"
            " or m.startswith(('kg.extract', 'kg.nlp'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"


def test_imports_ingest_does_load_the_pipeline(tmp_path):
    """The check can fail: a command that does NLP is seen loading spaCy."""
    (tmp_path / "a.txt").write_text("Russia demanded that Ukraine withdraw its forces from Donetsk.\n", encoding="utf-8")
    loaded = _loaded(["--store", str(tmp_path / "store"), "ingest", "--no-progress", str(tmp_path / "a.txt")])
    assert "spacy" in loaded and "kg.nlp.pipeline" in loaded
