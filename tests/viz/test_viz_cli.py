"""`kg view` on a real store: exit codes and exact messages."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.store import open_store
from kg.viz import to_view_graph


@pytest.fixture
def view(seed_store_path):
    def invoke(*args):
        return CliRunner().invoke(main, ["--store", str(seed_store_path), "view", *args], catch_exceptions=False)

    return invoke


@pytest.fixture(scope="module")
def seed_counts(seed_store_path):
    with open_store(seed_store_path, read_only=True) as store:
        G = to_view_graph(store)
    return len(G), G.number_of_edges()


def test_view_cli_writes_the_whole_graph(view, tmp_path, seed_counts):
    out = tmp_path / "sub" / "graph.html"
    result = view("--output", str(out))
    assert result.exit_code == 0
    assert result.output == f"wrote {out}: {seed_counts[0]} nodes, {seed_counts[1]} edges\n"
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_view_cli_max_nodes_says_what_was_left_out(view, tmp_path, seed_counts):
    out = tmp_path / "graph.html"
    result = view("-o", str(out), "--max-nodes", "4")
    assert result.exit_code == 0
    line = result.output.strip()
    assert line.startswith(f"wrote {out}: 4 nodes, ")
    assert f"; showing the 4 most central of {seed_counts[0]} nodes; left out {seed_counts[0] - 4} nodes (" in line
    assert "Region" in line and " edges" in line
    assert "Showing the 4 most central of" in out.read_text(encoding="utf-8")


def test_view_cli_focus_and_hops(view, tmp_path):
    out = tmp_path / "graph.html"
    result = view("-o", str(out), "--focus", "Kremlin", "--hops", "1")
    assert result.output == f"wrote {out}: 6 nodes, 5 edges\n"


def test_view_cli_query_file(view, tmp_path):
    query = tmp_path / "regions.rq"
    query.write_text("PREFIX pol: <https://w3id.org/polkg/ontology#>\n"
                     "CONSTRUCT { ?d pol:region ?r } WHERE { ?p pol:demander ?d ; pol:region ?r }", encoding="utf-8")
    out = tmp_path / "graph.html"
    result = view("-o", str(out), "--query", str(query))
    assert result.exit_code == 0 and result.output == f"wrote {out}: 5 nodes, 4 edges\n"


@pytest.mark.parametrize("args, message", [
    (["--focus", "Atlantis"], "Error: focus: no node is named 'Atlantis'\n"),
    (["--focus", "Rusia"], "Error: focus: no node is named 'Rusia' (did you mean Russia?)\n"),
    (["--query", "SELECT"], "Error: query: draw a CONSTRUCT or DESCRIBE query; SELECT and ASK return no graph\n"),
])
def test_view_cli_errors_are_one_line(view, tmp_path, args, message):
    query = tmp_path / "select.rq"
    query.write_text("SELECT * WHERE { ?s ?p ?o } LIMIT 1", encoding="utf-8")
    args = [str(query) if a == "SELECT" else a for a in args]
    result = view("-o", str(tmp_path / "g.html"), *args)
    assert result.exit_code == 1
    assert result.output == message
    assert not (tmp_path / "g.html").exists()


@pytest.mark.parametrize("args", [["--max-nodes", "0"], ["--hops", "-1"], ["--query", "missing.rq"]])
def test_view_cli_bad_options_are_usage_errors(view, args):
    result = view(*args)
    assert result.exit_code == 2 and "Error: Invalid value" in result.output
