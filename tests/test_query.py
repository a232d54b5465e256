"""Named queries, results and their formats, binding (never pasting) values: on real stores."""

from __future__ import annotations

import json
import subprocess
import sys

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef

import kg
from conftest import ROOT, SEED, result_multiset
from kg.cli import main
from kg.errors import DataFileError, QueryError
from kg.extract.model import Actor, DocumentInfo, Evidence, Extraction, Region, Span, Statement
from kg.query import Result, collect, get_query, load_query, named_queries, order_of, run_named, run_sparql
from kg.rdf.mapping import to_graph
from kg.store import open_store
from kg.store.remote import inline_bindings

REF = "https://w3id.org/polkg/ref/"
DOC = "https://w3id.org/polkg/id/doc/"
XSD = "http://www.w3.org/2001/XMLSchema#"
INJECTIONS = ['Russia" } ; DROP ALL ; #', "<x> <y> .", "Russia' . } DELETE WHERE { ?s ?p ?o } #",
              '"""\n} ; CLEAR ALL', "\\\" ) } }"]


@pytest.fixture(scope="module")
def seed(seed_store_path):
    with open_store(seed_store_path, read_only=True) as store:
        yield store


def _statement_doc(number: int, published: str, statements: list[tuple[str, str | None]]) -> Extraction:
    doc = f"{DOC}{number:016x}"
    speakers = {name for name, _ in statements}
    refs = {"Dmitry Peskov": "Dmitry_Peskov", "Russia": "Russia", "Ukraine": "Ukraine"}
    actors = [Actor(id=REF + refs[name], name=name, kind="person" if name == "Dmitry Peskov" else "state",
                    wikidata=None, mentions=[Span(0, len(name), name)]) for name in sorted(speakers | {"Ukraine"})]
    return Extraction(
        document=DocumentInfo(id=doc, title=f"Dated {number}", published=published),
        actors=actors,
        regions=[Region(id=REF + "Kherson_Oblast", name="Kherson Oblast", wikidata=None,
                        mentions=[Span(10, 17, "Kherson")])],
        statements=[Statement(id=f"{doc}/statement/{i + 1}", speaker=name, date=date,
                              evidence=Evidence(quote=f"{name} said something about Ukraine.", start=20 * i,
                                                end=20 * i + 19))
                    for i, (name, date) in enumerate(statements)],
        version="0.1.0")


@pytest.fixture(scope="module")
def dated():
    """An in-memory store of two documents whose statements carry dates of each precision."""
    store = open_store(None)
    for extraction in (_statement_doc(1, "2022-03-15", [("Dmitry Peskov", "2022-03-10"), ("Dmitry Peskov", None),
                                                        ("Russia", "2021-12")]),
                       _statement_doc(2, "2023-01-01", [("Dmitry Peskov", None)])):
        store.write_graph(extraction.document.id, to_graph(extraction))
    yield store
    store.close()


def _rows(result: Result) -> list[dict]:
    return result.to_records()


# -- the named queries ---------------------------------------------------------------


def test_query_named_queries_cover_the_questions():
    queries = named_queries()
    assert {"actors", "positions", "preconditions", "demanded_regions", "statements", "said_about", "provenance",
            "comentions", "regions"} <= set(queries)
    assert queries["preconditions"].parameters == {
        "demander": "side", "addressee": "side", "action": "action", "outcome": "outcome", "region": "region"}
    assert queries["statements"].parameters == {"speaker": "actor", "from": "date", "to": "date"}
    for q in queries.values():
        assert q.description and q.description[0].isupper(), q.name


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_query_named_query_parses_and_projects_its_parameters(name):
    """pyoxigraph binds only projected variables; every declared parameter must be one."""
    query = get_query(name)
    store = ox.Store()
    dummy = {p: (ox.Literal("2020-01-01", datatype=ox.NamedNode(XSD + "date")) if kind == "date"
                 else ox.NamedNode("urn:polkg:test")) for p, kind in query.parameters.items()}
    store.query(query.text, substitutions={ox.Variable(k): v for k, v in dummy.items()} or None)
    bindings = {k: Literal(v.value, datatype=XSD + "date") if isinstance(v, ox.Literal) else URIRef(v.value)
                for k, v in dummy.items()}
    store.query(inline_bindings(query.text, bindings))


CASES = [
    ("actors", {}, lambda rows: len(rows) == 5 and {"name": "Russia", "documents": 1}.items()
     <= next(r for r in rows if r["name"] == "Russia").items()),
    ("preconditions", {"demander": "Russia"},
     lambda rows: sorted(r["actionCode"] for r in rows) == ["renounce_alliance", "withdraw_forces"]),
    ("preconditions", {"demander": "the Kremlin", "action": "renounce_alliance"},
     lambda rows: [r["actionCode"] for r in rows] == ["renounce_alliance"]),
    ("preconditions", {"region": "Kherson"},
     lambda rows: [r["actionCode"] for r in rows] == ["withdraw_forces"] and "Kherson Oblast" in rows[0]["regions"]
     and rows[0]["region"] == REF + "Kherson_Oblast"),
    ("preconditions", {"addressee": "Kyiv", "outcome": "ceasefire"}, lambda rows: len(rows) == 2),
    ("preconditions", {"region": "North Caucasus"}, lambda rows: rows == []),
    ("preconditions", {"demander": "Ukraine"}, lambda rows: rows == []),
    ("demanded_regions", {}, lambda rows: len(rows) == 4
     and {(r["demanderName"], r["actionCode"], r["demands"]) for r in rows} == {("Russia", "withdraw_forces", 1)}),
    ("demanded_regions", {"region": "Zaporozhye"}, lambda rows: [r["regionName"] for r in rows]
     == ["Zaporizhzhia Oblast"]),
    ("positions", {"actor": "Moscow"}, lambda rows: [(r["stanceCode"], r["topic"]) for r in rows]
     == [("supports", "peaceful negotiations")]),
    ("positions", {"actor": "Russia", "stance": "opposes"}, lambda rows: rows == []),
    ("statements", {"speaker": "Peskov"}, lambda rows: len(rows) == 2
     and all(r["speakerName"] == "Dmitry Peskov" for r in rows)),
    ("said_about", {"actor": "Russia", "about": "Ukraine"}, lambda rows: len(rows) >= 2
     and all(("Kyiv" in r["quote"] or "Ukrain" in r["quote"]) for r in rows)),
    ("comentions", {"actor": "Russia"}, lambda rows: sorted(r["otherName"] for r in rows)
     == ["Dmitry Peskov", "NATO", "Ukraine", "Vladimir Putin"]),
    ("regions", {}, lambda rows: len(rows) == 6 and rows[0]["demands"] == 1 and rows[-1]["demands"] == 0),
]


@pytest.mark.parametrize("name, params, check", CASES, ids=[f"{c[0]}-{'-'.join(c[1]) or 'all'}" for c in CASES])
def test_query_named_query_on_the_seed(seed, name, params, check):
    rows = _rows(kg.run_query(seed, name, params))
    assert check(rows), rows


def test_query_provenance_quote_is_the_document_text(seed):
    text = SEED.read_text(encoding="utf-8")
    preconditions = kg.run_query(seed, "preconditions", {}).to_records()
    for pre in preconditions:
        rows = kg.run_query(seed, "provenance", {"assertion": pre["precondition"]}).to_records()
        assert len(rows) == 1
        row = rows[0]
        assert row["class"].endswith("#Precondition") and row["document"] == pre["document"]
        assert text[row["start"]:row["end"]] == row["quote"] == pre["quote"]
        assert "/agent/polkg-rules/" in row["agent"] and row["location"].endswith(SEED.name)


def test_query_said_about_quote_contains_the_mention(seed):
    text = SEED.read_text(encoding="utf-8")
    rows = kg.run_query(seed, "said_about", {"actor": "Russia"}).to_records()
    assert rows and {r["kind"] for r in rows} <= {"statement", "position", "precondition"}
    for row in rows:
        assert text[row["start"]:row["end"]] == row["quote"]
        assert row["about"] != row["actor"]


@pytest.mark.parametrize("params, expected", [
    ({"speaker": "Peskov"}, ["2022-03-10", "2022-03-15", "2023-01-01"]),
    ({"from": "2022-03-12"}, ["2022-03-15", "2023-01-01"]),
    ({"to": "2022-03-12"}, ["2021-12", "2022-03-10"]),
    ({"from": "2021-12-05", "to": "2021-12-31"}, ["2021-12"]),
    ({"speaker": "Russia", "from": "2022-01-01"}, []),
    ({"from": "2024-01-01"}, []),
])
def test_query_statements_by_speaker_and_date_range(dated, params, expected):
    rows = kg.run_query(dated, "statements", params).to_records()
    assert [r["date"] for r in rows] == expected  # sorted by date (the header's @order)


# -- binding: the engine's substitution, the remote VALUES block, rdflib's initBindings ----------


BINDING_CASES = [
    ("preconditions", {"demander": "Russia"}), ("preconditions", {"region": "Kherson"}),
    ("preconditions", {"addressee": "Ukraine", "action": "withdraw_forces"}),
    ("demanded_regions", {"region": "Kherson"}), ("positions", {"actor": "Russia"}),
    ("said_about", {"actor": "Russia", "about": "Ukraine"}), ("comentions", {"actor": "NATO"}),
    ("statements", {"speaker": "Peskov"}),
]




@pytest.mark.parametrize("name, params", BINDING_CASES)
def test_query_values_block_matches_engine_substitution(seed, name, params):
    """What a remote endpoint gets (a VALUES block of .n3() terms) answers as the engine's binding does."""
    from kg.params import bind_parameters

    query = get_query(name)
    bindings = bind_parameters(seed, query, params)
    substituted = run_sparql(seed, query.text, bindings)
    inlined = run_sparql(seed, inline_bindings(query.text, bindings))
    assert substituted.rows and result_multiset(substituted) == result_multiset(inlined)


def test_query_dates_values_block_matches_engine_substitution(dated):
    from kg.params import bind_parameters

    query = get_query("statements")
    bindings = bind_parameters(dated, query, {"from": "2022-03-12", "speaker": "Peskov"})
    assert result_multiset(run_sparql(dated, query.text, bindings)) == result_multiset(
        run_sparql(dated, inline_bindings(query.text, bindings)))


def test_query_optional_parameter_idiom_works_in_rdflib(seed):
    """The FILTER(!COALESCE(sameTerm(?x, ?x), false) || EXISTS {...}) idiom also binds in rdflib."""
    from kg.params import bind_parameters

    dataset = seed.dataset()
    query = get_query("preconditions")
    for params, expected in [({"region": "Kherson"}, 1), ({"addressee": "Ukraine"}, 2), ({}, 2)]:
        bindings = bind_parameters(seed, query, params)
        rows = list(dataset.query(query.text, initBindings=bindings))
        assert len(rows) == expected == len(run_sparql(seed, query.text, bindings).rows)


# -- values are bound, never pasted -----------------------------------------------------------


@pytest.mark.parametrize("payload", INJECTIONS)
def test_query_injection_through_the_api_is_a_literal(seed_store, payload):
    before = len(seed_store)
    with pytest.raises(QueryError, match=r"^demander: no actor or region is called"):
        kg.run_query(seed_store, "preconditions", {"demander": payload})
    # bound as a literal: no label is equal to it, and nothing runs
    result = kg.query(seed_store, "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
                                  "SELECT ?x ?label WHERE { ?x skos:prefLabel ?label }", {"label": Literal(payload)})
    assert result.rows == []
    with pytest.raises(QueryError, match=r"^assertion: not a valid IRI"):
        kg.run_query(seed_store, "provenance", {"assertion": payload})
    assert len(seed_store) == before
    assert kg.run_query(seed_store, "preconditions", {"demander": "Russia"}).rows


@pytest.mark.parametrize("payload", INJECTIONS[:2])
def test_query_injection_through_the_cli_is_a_literal(seed_store_path, tmp_path, payload):
    import shutil

    store = tmp_path / "store"
    shutil.copytree(seed_store_path, store)
    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, ["--store", str(store), *args], catch_exceptions=False)

    before = json.loads(run("stats", "--format", "json").output)["triples"]
    result = run("query", "--name", "preconditions", "--param", f"demander={payload}")
    assert result.exit_code == 1
    assert result.output == f"Error: demander: no actor or region is called {payload!r}\n"
    result = run("query", "--name", "provenance", "--param", f"assertion={payload}")
    assert result.exit_code == 1 and result.output == f"Error: assertion: not a valid IRI: {payload!r}\n"
    result = run("query", "--name", "positions", "--param", f"stance={payload}")
    assert result.exit_code == 1 and result.output.startswith("Error: stance: not a code of this vocabulary")
    assert json.loads(run("stats", "--format", "json").output)["triples"] == before
    assert run("query", "--name", "preconditions", "--param", "demander=Russia").exit_code == 0


def test_query_update_text_is_refused(seed_store):
    before = len(seed_store)
    with pytest.raises(QueryError, match="SPARQL syntax error"):
        kg.query(seed_store, "DROP ALL")
    assert len(seed_store) == before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
def test_query_any_actor_text_is_only_ever_a_label(seed, value):
    try:
        result = kg.run_query(seed, "comentions", {"actor": value})
    except QueryError as exc:
        assert str(exc).startswith("actor: ")
    else:  # it named an actor (or region): the answer is that entity's companions
        assert all(row[0] == result.rows[0][0] for row in result.rows)


# -- results and their formats ------------------------------------------------------------------


@pytest.fixture(scope="module")
def tricky():
    """A store whose values need quoting in every format."""
    store = ox.Store()
    ex, g = "http://example.org/", ox.NamedNode("http://example.org/g")
    values = [ox.Literal('say "hi", then\ttab\nnewline'), ox.Literal("3", datatype=ox.NamedNode(XSD + "integer")),
              ox.Literal("1.5", datatype=ox.NamedNode(XSD + "decimal")), ox.Literal("hola", language="es"),
              ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
              ox.Literal("2022-03", datatype=ox.NamedNode(XSD + "gYearMonth")), ox.NamedNode(ex + "o?x=1&y=é"),
              ox.Literal("comma, and ünïcödé ✓")]
    for i, value in enumerate(values):
        store.add(ox.Quad(ox.NamedNode(f"{ex}s{i}"), ox.NamedNode(ex + "p"), value, g))
    store.add(ox.Quad(ox.BlankNode("b1"), ox.NamedNode(ex + "p"), ox.Literal("from a blank node"), g))
    return store


SELECT = "SELECT ?s ?o ?never WHERE { ?s <http://example.org/p> ?o } ORDER BY STR(?o)"


@pytest.mark.parametrize("fmt, oxformat", [("json", ox.QueryResultsFormat.JSON), ("xml", ox.QueryResultsFormat.XML),
                                           ("csv", ox.QueryResultsFormat.CSV), ("tsv", ox.QueryResultsFormat.TSV)])
def test_query_result_formats_match_the_engine(tricky, fmt, oxformat):
    ours = collect(tricky.query(SELECT, use_default_graph_as_union=True)).render(fmt)
    theirs = tricky.query(SELECT, use_default_graph_as_union=True).serialize(format=oxformat).decode("utf-8")
    if fmt == "json":
        assert json.loads(ours) == json.loads(theirs)
    else:
        assert ours == theirs
    if fmt == "csv":
        assert ours.startswith("s,o,never\r\n") and '"say ""hi"", then\ttab\nnewline"' in ours
    if fmt == "tsv":
        assert ours.startswith("?s\t?o\t?never\n") and '"hola"@es' in ours


def test_query_ask_in_every_format(tricky):
    result = collect(tricky.query("ASK { ?s ?p 3 }", use_default_graph_as_union=True))
    assert result.kind == "ask" and result.boolean is True
    assert json.loads(result.to_json()) == {"head": {}, "boolean": True}
    assert "<boolean>true</boolean>" in result.to_xml()
    assert result.to_table() == "yes"
    assert collect(tricky.query("ASK { ?s ?p 4 }", use_default_graph_as_union=True)).to_table() == "no"
    assert result.to_df().to_dict("records") == [{"boolean": True}]


def test_query_construct_as_turtle_and_ntriples(tricky):
    raw = list(tricky.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True))
    result = collect(tricky.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True))
    assert result.kind == "graph" and len(result.rows) == len(raw) == 9

    def iso(text, fmt):
        return {str(q.object) for q in ox.parse(text.encode("utf-8"), format=fmt)}

    expected = {str(t.object) for t in raw}
    assert iso(result.to_ntriples(), ox.RdfFormat.N_TRIPLES) == expected
    assert iso(result.to_turtle(), ox.RdfFormat.TURTLE) == expected
    with pytest.raises(QueryError, match="is RDF, not json"):
        result.to_json()
    with pytest.raises(QueryError, match="only a CONSTRUCT or DESCRIBE result is RDF"):
        collect(tricky.query(SELECT, use_default_graph_as_union=True)).to_turtle()


def test_query_dataframe_has_plain_values(tricky):
    frame = collect(tricky.query(SELECT, use_default_graph_as_union=True)).to_df()
    assert list(frame.columns) == ["s", "o", "never"]
    values = frame["o"].tolist()
    assert 3 in values and 1.5 in values and True in values and "hola" in values
    assert frame["never"].isna().all()
    assert "_:b1" in frame["s"].tolist()


def test_query_dataframe_from_the_api(seed):
    frame = kg.run_query(seed, "preconditions", {"demander": "Russia"}).to_df()
    assert sorted(frame["actionCode"]) == ["renounce_alliance", "withdraw_forces"]
    assert set(frame["demanderName"]) == {"Russia"}


def test_query_table_hides_unbound_columns_and_shortens_iris(tricky, seed):
    table = collect(tricky.query(SELECT, use_default_graph_as_union=True)).to_table()
    header = table.splitlines()[0].split()
    assert header == ["s", "o"]  # ?never is unbound in every row
    assert table.endswith("(9 rows)")
    table = kg.run_query(seed, "preconditions", {"demander": "Russia"}).to_table()
    assert "ref:Russia" in table and "https://w3id.org/polkg/ref/Russia" not in table
    assert "addressee" in table.splitlines()[0]
    assert Result(["x"], []).to_table() == "(0 rows)"


@settings(max_examples=50, deadline=None)
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
       lang=st.sampled_from([None, "en", "pt-BR"]))
def test_query_formats_round_trip_any_literal(text, lang):
    store = ox.Store()
    value = ox.Literal(text, language=lang) if lang else ox.Literal(text)
    store.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), value))
    result = collect(store.query("SELECT ?o ?unbound WHERE { ?s ?p ?o }"))
    for fmt, oxformat in [("json", ox.QueryResultsFormat.JSON), ("xml", ox.QueryResultsFormat.XML),
                          ("tsv", ox.QueryResultsFormat.TSV)]:
        back = list(ox.parse_query_results(result.render(fmt), format=oxformat))
        assert back[0]["o"] == value and back[0]["unbound"] is None


def test_query_order_header_sorts_rows():
    store = ox.Store()
    for name, n in [("b", 2), ("a", 10), ("c", 1), ("a", 3)]:
        store.add(ox.Quad(ox.NamedNode(f"http://example.org/{name}{n}"), ox.NamedNode("http://example.org/name"),
                          ox.Literal(name)))
        store.add(ox.Quad(ox.NamedNode(f"http://example.org/{name}{n}"), ox.NamedNode("http://example.org/n"),
                          ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer"))))

    class Raw:  # the store interface run_sparql needs, over a bare pyoxigraph store
        def query(self, sparql, bindings=None):
            return store.query(sparql)

    text = "# Test.\n# @order name -n\nSELECT ?name ?n ?missing WHERE { ?s <http://example.org/name> ?name ; <http://example.org/n> ?n }"
    assert order_of(text) == ["name", "-n"]
    rows = [(r["name"], r["n"]) for r in run_sparql(Raw(), text).to_records()]
    assert rows == [("a", 10), ("a", 3), ("b", 2), ("c", 1)]
    assert order_of("SELECT * { ?s ?p ?o }") == []


@pytest.mark.parametrize("header, message", [
    ("PREFIX x: <urn:x>\nSELECT * { ?s ?p ?o }", "first comment line must say what the query answers"),
    ("# Fine.\n# @param who person somebody\nSELECT ?who { ?who ?p ?o }", "unknown kind 'person'"),
    ("# Fine.\n# @param who actor a\n# @param who actor b\nSELECT ?who { ?who ?p ?o }", "declared twice"),
    ("# Fine.\n# @parma who actor a\nSELECT ?who { ?who ?p ?o }", "not a header line"),
])
def test_query_load_query_reports_file_and_line(tmp_path, header, message):
    path = tmp_path / "bad.rq"
    path.write_text(header, encoding="utf-8")
    with pytest.raises(DataFileError, match=message) as info:
        load_query(path)
    assert str(info.value).startswith(f"{path}:")


def test_query_unknown_parameter_and_query(seed):
    with pytest.raises(QueryError, match=r"^preconditions: unknown parameter 'speaker' \(this query takes: demander,"):
        kg.run_query(seed, "preconditions", {"speaker": "Russia"})
    with pytest.raises(QueryError, match=r"^nope: no such named query \(known: actors, "):
        run_named(seed, "nope")


# -- the command line -------------------------------------------------------------------------


@pytest.fixture
def cli(seed_store_path):
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, ["--store", str(seed_store_path), *args], catch_exceptions=False)

    return invoke


def test_query_cli_lists_named_queries(cli):
    result = cli("queries")
    assert result.exit_code == 0
    for name, query in named_queries().items():
        assert f"{name}: {query.description}" in result.output
    assert "    --param demander=<side>  the actor who sets the condition" in result.output


def test_query_cli_named_query_table(cli):
    result = cli("query", "--name", "preconditions", "--param", "demander=Russia")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split()[:3] == ["precondition", "demander", "demanderName"]
    assert "region " not in lines[0] + " "  # unbound in every row: not shown
    assert lines[-1] == "(2 rows)"


@pytest.mark.parametrize("fmt, oxformat", [("json", ox.QueryResultsFormat.JSON), ("xml", ox.QueryResultsFormat.XML),
                                           ("tsv", ox.QueryResultsFormat.TSV)])
def test_query_cli_formats_parse(cli, fmt, oxformat):
    result = cli("query", "--name", "comentions", "--param", "actor=Russia", "--format", fmt)
    assert result.exit_code == 0
    rows = list(ox.parse_query_results(result.output, format=oxformat))
    assert len(rows) == 4 and all(r["actor"] == ox.NamedNode(REF + "Russia") for r in rows)


def test_query_cli_construct_turtle(cli):
    result = cli("query", "PREFIX pol: <https://w3id.org/polkg/ontology#>\n"
                          "CONSTRUCT { ?p pol:demander ?d } WHERE { ?p pol:demander ?d }", "--format", "turtle")
    assert result.exit_code == 0 and "@prefix pol:" in result.output
    triples = list(ox.parse(result.output.encode(), format=ox.RdfFormat.TURTLE))
    assert len(triples) == 2 and all(t.object == ox.NamedNode(REF + "Russia") for t in triples)
    result = cli("query", "--name", "actors", "--format", "turtle")
    assert result.exit_code == 1 and "only a CONSTRUCT or DESCRIBE result is RDF" in result.output


def test_query_cli_rq_file(cli, tmp_path):
    path = tmp_path / "count.rq"
    path.write_text("# Count.\nSELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/polkg/ontology#Precondition> }\n",
                    encoding="utf-8")
    result = cli("query", str(path), "--format", "csv")
    assert result.exit_code == 0 and result.stdout_bytes == b"n\r\n2\r\n"  # SPARQL CSV: CRLF


# -- the benchmark still runs -------------------------------------------------------------------


@pytest.mark.slow
def test_query_benchmark_smoke_run():
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "query.py"), "--triples", "40000", "--repeat", "1",
                           "--rdflib-triples", "10000"], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ") and "(" in line.split("|")[1]]
    named = {line.split("|")[1].strip().split("(")[0] for line in rows}
    assert named == set(named_queries())
    assert "(differ)" not in done.stdout  # Oxigraph and rdflib agree on the subset
    assert "Worst polkg / pyoxigraph ratio:" in done.stdout


def test_query_kg_query_stays_the_function_once_its_submodule_is_loaded(tmp_path):
    """``kg.query`` is both a function of the public API and a submodule's name:
    loading the submodule (as ``kg.api`` and the CLI do) must not replace the function."""
    import importlib

    import kg
    importlib.import_module("kg.query")
    importlib.import_module("kg.api")
    store = kg.open_store(tmp_path / "store")
    try:
        assert callable(kg.query) and kg.query is kg.api.query
        assert kg.query(store, "SELECT ?s WHERE { ?s a pol:Precondition }").rows == []
        assert kg.run_query(store, "preconditions").rows == []
    finally:
        store.close()
