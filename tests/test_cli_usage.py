"""The kg command as newcomers type it: options where they put them, prefixes they do
not declare, names they misspell. CliRunner on real stores; exact messages and exit codes."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

import kg
from conftest import ROOT
from kg.cli import main
from kg.errors import QueryError


@pytest.fixture(scope="module")
def seed(seed_store_path, tmp_path_factory):
    """A copy of the seed store for this module's readers."""
    copy = tmp_path_factory.mktemp("usage") / "store"
    shutil.copytree(seed_store_path, copy)
    (copy / "polkg.lock").unlink(missing_ok=True)
    return copy


@pytest.fixture
def kg_(seed):
    runner = CliRunner()

    def invoke(*args, env=None):
        return runner.invoke(main, ["--store", str(seed), *args], env=env, catch_exceptions=False)

    return invoke


# -- prefixes and SPARQL syntax errors -----------------------------------------------------------


def test_cli_query_readme_construct_with_undeclared_pol(kg_):
    from rdflib import Graph

    result = kg_("query", "CONSTRUCT { ?p ?r ?o } WHERE { ?p a pol:Precondition ; ?r ?o }", "--format", "turtle")
    assert result.exit_code == 0, result.stderr
    graph = Graph().parse(data=result.stdout, format="turtle")
    assert len(set(graph.subjects())) == 2 and len(graph) > 10


@pytest.mark.parametrize("prefix", ["pol", "ref", "id", "rdf", "rdfs", "owl", "xsd", "skos", "prov", "oa",
                                    "dcterms", "schema", "foaf", "wd"])
def test_query_every_usual_prefix_needs_no_declaration(seed, prefix):
    result = kg.query(seed, f"ASK {{ FILTER(isIRI({prefix}:x)) }}")
    assert result.boolean is True


def test_query_api_predeclares_pol(seed):
    result = kg.query(seed, "SELECT ?s WHERE { ?s a pol:Precondition }")
    assert len(result) == 2


def test_query_a_query_s_own_prefix_wins(seed):
    assert len(kg.query(seed, "PREFIX pol: <urn:elsewhere:> SELECT ?s WHERE { ?s a pol:Precondition }")) == 0


@pytest.mark.parametrize("sparql, message", [
    ("SELECT ?s WHERE { ?s a foo:Precondition }",
     "Error: query: SPARQL syntax error at 1:40: unknown prefix 'foo:'\n"),
    ("SELECT ?s WHERE {\n  ?s a :Precondition }",
     "Error: query: SPARQL syntax error at 2:21: unknown prefix ':'\n"),
    ("SELECT ?s WHERE {\n ?s a ?x . FILTER( }",
     "Error: query: SPARQL syntax error at 2:21: expected one of ABS, AVG, DAY, IRI, MAX, MD5, MIN, NOT, NOW, "
     "STR, SUM, URI\n"),
    ("SELECT * WHERE { ?s ?p \"open }", "Error: query: SPARQL syntax error at 1:31: expected one of "
                                         "\"\\\"\", \"\\\\\", \"\\\\U\", \"\\\\u\"\n"),
])
def test_cli_query_syntax_error_is_one_line(kg_, sparql, message):
    result = kg_("query", sparql)
    assert result.exit_code == 1 and result.stdout == "" and result.stderr == message


def test_query_api_syntax_error_names_the_prefix(seed):
    with pytest.raises(QueryError) as caught:
        kg.query(seed, "SELECT ?s WHERE { ?s a nope:Thing }")
    assert str(caught.value) == "query: SPARQL syntax error at 1:34: unknown prefix 'nope:'"


# -- a .rq argument is a file ------------------------------------------------------------------


def test_cli_query_missing_rq_file_is_no_such_file(kg_, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = kg_("query", "missing.rq")
    assert result.exit_code == 1 and result.stdout == "" and result.stderr == "Error: missing.rq: no such file\n"
    (tmp_path / "folder.rq").mkdir()
    result = kg_("query", "folder.rq")
    assert result.exit_code == 1 and result.stderr == "Error: folder.rq: not a file\n"


def test_cli_query_rq_file_runs_with_undeclared_prefixes(kg_, tmp_path):
    path = tmp_path / "demands.rq"
    path.write_text("SELECT ?p WHERE { ?p a pol:Precondition ; pol:demander ref:Russia }\n", encoding="utf-8")
    result = kg_("query", str(path), "--format", "csv")
    assert result.exit_code == 0 and len(result.stdout.strip().splitlines()) == 3


# -- --store before or after the command, or POLKG_STORE ------------------------------------------

USAGE = ROOT / "tests" / "data" / "usage"
"""Four short documents written for these tests: a president's demand for his state, a demand
of Rwanda's, one of Russia's, and NATO mentioned in no demand."""


@pytest.fixture(scope="module")
def usage(tmp_path_factory):
    """A store made by ``kg ingest tests/data/usage --store S`` (the option after the command)."""
    path = tmp_path_factory.mktemp("usage-store") / "store"
    result = CliRunner().invoke(main, ["ingest", str(USAGE), "--store", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("4 ingested, 0 unchanged, 0 refused; ")
    return path


def _documents(*args, env=None) -> int:
    result = CliRunner().invoke(main, [*args], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["documents"]


def test_cli_store_after_the_command_before_it_and_from_the_environment(usage, seed):
    assert _documents("stats", "--format", "json", "--store", str(usage)) == 4
    assert _documents("--store", str(usage), "stats", "--format", "json") == 4
    assert _documents("stats", "--format", "json", env={"POLKG_STORE": str(usage)}) == 4


def test_cli_store_precedence_after_before_environment(usage, seed):
    env = {"POLKG_STORE": str(seed)}
    assert _documents("--store", str(seed), "stats", "--store", str(usage), "--format", "json", env=env) == 4
    assert _documents("--store", str(usage), "stats", "--format", "json", env=env) == 4
    assert _documents("stats", "--format", "json", env=env) == 1


def test_cli_every_store_command_takes_store_after_it():
    uses_store = {"ingest", "query", "serve", "push", "analyze", "export", "view", "validate", "stats", "summary"}
    for name in sorted(uses_store):
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0 and "--store DIRECTORY" in result.stdout, name
    assert "POLKG_STORE" in CliRunner().invoke(main, ["--help"]).stdout


# -- kg analyze path, and names that match nothing -------------------------------------------------


def _on(store, *args):
    return CliRunner().invoke(main, ["--store", str(store), *args], catch_exceptions=False)


def test_cli_path_not_connected_says_so(usage):
    result = _on(usage, "analyze", "path", "Russia", "NATO")
    assert result.exit_code == 0 and result.stdout == "no connection between Russia and NATO in the graph\n"


def test_cli_path_prints_every_hop(usage):
    result = _on(usage, "analyze", "path", "Tshisekedi", "Uganda", "--format", "json")
    rows = json.loads(result.stdout)
    assert [(r["hop"], r["from"], r["relation"], r["to"]) for r in rows] == [
        (0, "Felix Tshisekedi", "speaks_for", "Democratic Republic of the Congo"),
        (1, "Democratic Republic of the Congo", "demands_of", "Rwanda"),
        (2, "Rwanda", "demands_of", "Uganda")]
    assert rows[0]["quote"] is None and rows[2]["quote"].startswith("Rwanda insisted that Uganda")
    table = _on(usage, "analyze", "path", "Tshisekedi", "Uganda").stdout.splitlines()
    assert len(table) == 4 and [line.split()[0] for line in table] == ["hop", "0", "1", "2"]


@pytest.mark.parametrize("args, message", [
    (["analyze", "path", "Tshisekdi", "Uganda"],
     "Error: actor: no actor or region is called 'Tshisekdi' (did you mean Tshisekedi?)\n"),
    (["analyze", "path", "Nowhere", "Uganda"], "Error: actor: no actor or region is called 'Nowhere'\n"),
    (["view", "--focus", "Nowhere"], "Error: focus: no node is named 'Nowhere'\n"),
    (["view", "--focus", "Rwnda"], "Error: focus: no node is named 'Rwnda' (did you mean Rwanda?)\n"),
    (["query", "--name", "preconditions", "-p", "demander=Ugnda"],
     "Error: demander: no actor or region is called 'Ugnda' (did you mean Uganda?)\n"),
])
def test_cli_unknown_name_suggests_close_actors_and_regions(usage, tmp_path, args, message):
    result = _on(usage, *args, *(["-o", str(tmp_path / "g.html")] if args[0] == "view" else []))
    assert result.exit_code == 1 and result.stdout == "" and result.stderr == message


# -- tables and format names -------------------------------------------------------------------------


def test_cli_analysis_tables_show_empty_cells_not_nan(usage):
    actors = _on(usage, "analyze", "actors")
    assert actors.exit_code == 0 and "NaN" not in actors.stdout and "<NA>" not in actors.stdout
    person = next(line for line in actors.stdout.splitlines() if "Felix Tshisekedi" in line)
    assert person.split()[:4] == ["Felix", "Tshisekedi", "Person", "0.3333"]  # no Wikidata id: an empty cell
    path = _on(usage, "analyze", "path", "Tshisekedi", "Uganda")
    assert "NaN" not in path.stdout and "<NA>" not in path.stdout and "None" not in path.stdout


def test_cli_query_table_keeps_iris_whole(usage):
    result = _on(usage, "query", "SELECT ?evidence WHERE { ?p a pol:Precondition ; pol:evidence ?evidence }")
    assert result.exit_code == 0 and "…" not in result.stdout
    iris = [line for line in result.stdout.splitlines() if line.startswith("https://")]
    assert len(iris) == 3 and all(line.endswith("/precondition/1/evidence") and len(line) > 60 for line in iris)


CONSTRUCT = "CONSTRUCT { ?p a pol:Precondition } WHERE { ?p a pol:Precondition }"


@pytest.mark.parametrize("command, names", [
    (["export"], ["ttl", "turtle", "TTL"]),
    (["export"], ["nt", "ntriples", "n-triples"]),
    (["export"], ["nq", "nquads"]),
    (["export"], ["jsonld", "json-ld"]),
    (["query", CONSTRUCT], ["turtle", "ttl"]),
    (["query", CONSTRUCT], ["ntriples", "nt"]),
])
def test_cli_format_synonyms_give_the_same_output(usage, command, names):
    outputs = {name: _on(usage, *command, "--format", name) for name in names}
    assert all(result.exit_code == 0 for result in outputs.values())
    assert len({result.stdout_bytes for result in outputs.values()}) == 1


def test_cli_format_choices_come_from_the_api():
    from kg.export import EXPORT_FORMATS
    from kg.query import FORMATS

    export_help = CliRunner().invoke(main, ["export", "--help"]).stdout
    query_help = CliRunner().invoke(main, ["query", "--help"]).stdout
    assert all(name in export_help for name in EXPORT_FORMATS + ("turtle", "nquads", "json-ld"))
    assert all(name in query_help for name in FORMATS + ("ttl", "nt"))
