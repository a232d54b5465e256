"""Every `kg` command line of the README's shell blocks runs on the seed store.

A README example that does not run is a bug. Lines that need something the
seed store cannot give (a corpus folder of the reader's, a server, a cluster, a
file the reader writes) are listed in ``NEEDS`` by what they need; every other
line runs as written, from a copy of the seed store, and must exit 0.
"""

import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

README = Path(__file__).resolve().parents[1] / "README.md"

NEEDS = {
    "a folder or file of the reader's": ("articles/", "corpus/", "article.txt", "more.jsonl", "corrections.json",
                                         "demands.rq"),
    "a SPARQL endpoint or server": ("--endpoint", "kg serve", "kg push", "--scheduler"),
    "a placeholder the reader fills in": ("'SELECT ...'", "[", "-p type="),
}


def _command_lines() -> list[str]:
    lines = []
    for block in re.findall(r"```(?:sh|bash)\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        for line in block.splitlines():
            line = line.strip()
            if re.match(r"(\.venv/bin/)?kg\s", line):
                lines.append(line)
    return lines


def _runnable(line: str) -> bool:
    return not any(marker in line for markers in NEEDS.values() for marker in markers)


def _arguments(line: str) -> list[str]:
    words = shlex.split(line, comments=True)
    return words[1:]


def test_readme_has_command_lines_that_run():
    lines = _command_lines()
    assert len([line for line in lines if _runnable(line)]) >= 15, lines


@pytest.mark.parametrize("line", [line for line in _command_lines() if _runnable(line)])
def test_readme_command_runs_on_the_seed_store(line, seed_store_path, tmp_path, monkeypatch):
    from kg.cli import main

    store = tmp_path / "store"
    shutil.copytree(seed_store_path, store)
    (store / "polkg.lock").unlink(missing_ok=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("POLKG_STORE", str(store))
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "gold").symlink_to(Path(__file__).resolve().parent / "gold")  # `kg eval tests/gold/...`
    result = CliRunner().invoke(main, _arguments(line), catch_exceptions=False)
    assert result.exit_code == 0, f"{line}\n{result.output}"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_python_blocks_run_in_order(tmp_path, nlp):
    """The Python examples run one after another in a fresh folder holding ``seeds/``;
    a block with a placeholder (``SELECT ...``) or one needing a file the reader writes
    first (a TriG export, tested in tests/rdf/test_linked_data.py) is left out."""
    import subprocess
    import sys

    (tmp_path / "seeds").symlink_to(Path(__file__).resolve().parents[1] / "seeds")
    blocks = [b for b in _python_blocks() if "SELECT ..." not in b and "graph.trig" not in b]
    assert len(blocks) >= 2
    for block in blocks:
        done = subprocess.run([sys.executable, "-c", block], cwd=tmp_path, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, f"{block}\n{done.stderr[-2000:]}"
