"""Remote stores: polkg against a real Oxigraph server that the tests start on loopback."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import time

import pytest
from click.testing import CliRunner
from rdflib import BNode, Literal, URIRef

from conftest import SEED, result_multiset
from kg.cli import main
from kg.errors import QueryError, StoreError
from kg.query import Result, named_queries, run_named, run_sparql
from kg.serve import oxigraph_command
from kg.store import open_store
from kg.store.remote import RemoteStore, credentials_from_env, inline_bindings, open_remote

REF = "https://w3id.org/polkg/ref/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_http(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server stopped"
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/query?query=ASK%7B%7D")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("the server did not start")


@pytest.fixture
def oxigraph(tmp_path):
    """A real Oxigraph server on a free loopback port, read-write, the default graph the union."""
    port = free_port()
    process = subprocess.Popen([oxigraph_command(), "serve", "--location", str(tmp_path / "remote"),
                                "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_http(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def cli(seed_store_path):
    runner = CliRunner()

    def invoke(*args, env=None):
        return runner.invoke(main, ["--store", str(seed_store_path), *args], catch_exceptions=False, env=env)

    return invoke


def _count(url: str) -> int:
    with open_remote(url + "/query") as remote:
        return len(remote)


QUERIES = [("actors", {}), ("regions", {}), ("preconditions", {"demander": "Kremlin"}),
           ("preconditions", {"region": "Kherson"}), ("demanded_regions", {}), ("positions", {"actor": "Russia"}),
           ("statements", {"speaker": "Peskov"}), ("said_about", {"actor": "Russia", "about": "Kyiv"}),
           ("comentions", {"actor": "NATO"}), ("provenance", {}), ("claims", {"actor": "Russia"}),
           ("changes", {"basis": "reported"}), ("contradictions", {})]
EMPTY_ON_SEED = {"changes", "contradictions"}  # one undated document: nothing to order, no two outlets


@pytest.mark.slow
def test_remote_push_by_graph_store_then_named_queries_match(cli, oxigraph, seed_store_path):
    result = cli("push", "--endpoint", oxigraph + "/query", "--graph-store", oxigraph + "/store")
    assert result.exit_code == 0, result.output
    with open_store(seed_store_path, read_only=True) as local:
        total = len(local)
        assert result.output == f"pushed 6 graphs ({total:,} triples) to {oxigraph}/query\n"
        assert _count(oxigraph) == total
        assert {name for name, _ in QUERIES} == set(named_queries())
        with open_remote(oxigraph + "/query") as remote:
            for name, params in QUERIES:
                here, there = run_named(local, name, params), run_named(remote, name, params)
                assert here.rows or name in EMPTY_ON_SEED, name
                assert result_multiset(here) == result_multiset(there), name
                assert here.variables == there.variables


def test_remote_query_applies_the_corrections_the_endpoint_holds_unless_raw(corrected, kg_cli, oxigraph):
    """Pushed, the corrections are a graph of the endpoint beside the extractor's: kg query --endpoint
    answers from the corrected view, --raw from the extractor's, and the endpoint is left as it was."""
    import kg

    path, pre = corrected
    pushed = kg_cli("--store", path, "push", "--endpoint", oxigraph + "/query", "--graph-store", oxigraph + "/store")
    assert pushed.exit_code == 0, pushed.output
    before = _count(oxigraph)

    def demands(*extra):
        result = kg_cli("query", "--name", "preconditions", "--format", "json", "--endpoint", oxigraph + "/query",
                        *extra)
        assert result.exit_code == 0, result.output
        rows = json.loads(result.stdout)["results"]["bindings"]
        return {(r["precondition"]["value"], r["demander"]["value"]) for r in rows}, result.stderr

    assert demands() == ({(pre["withdraw_forces"], REF + "NATO")},
                         "With 2 reviewer's corrections (kg query --raw for the extractor's assertions).\n")
    assert demands("--raw") == ({(pre["withdraw_forces"], REF + "Russia"), (pre["renounce_alliance"], REF + "Russia")},
                                "")
    with open_remote(oxigraph + "/query") as remote:
        sparql = "SELECT ?d WHERE { ?p a pol:Precondition ; pol:demander ?d }"
        assert [row[0].value for row in kg.query(remote, sparql).rows] == [REF + "NATO"]
        assert len(kg.query(remote, sparql, raw=True)) == 2
    assert _count(oxigraph) == before


@pytest.mark.slow
def test_remote_push_by_update_replaces_graphs(cli, oxigraph, seed_store_path):
    args = ("push", "--endpoint", oxigraph + "/query", "--update-endpoint", oxigraph + "/update")
    assert cli(*args).exit_code == 0
    first = _count(oxigraph)
    assert cli(*args).exit_code == 0  # each graph replaces its namesake: nothing doubles
    assert _count(oxigraph) == first
    result = cli("query", "--name", "preconditions", "--param", "demander=Russia", "--format", "csv",
                 "--endpoint", oxigraph + "/query")
    assert result.exit_code == 0 and "withdraw_forces" in result.output and "renounce_alliance" in result.output


@pytest.mark.slow
def test_remote_ingest_into_an_endpoint(oxigraph, tmp_path):
    runner = CliRunner()
    args = ["--store", str(tmp_path / "unused"), "ingest", str(SEED), "--endpoint", oxigraph + "/query",
            "--update-endpoint", oxigraph + "/update"]
    result = runner.invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 ingested, 0 unchanged")
    assert not (tmp_path / "unused").exists()  # nothing was written locally
    with open_remote(oxigraph + "/query") as remote:
        assert len(remote.document_graphs()) == 1
        assert remote.has_graph("https://w3id.org/polkg/id/graph/reference")
        rows = run_named(remote, "preconditions", {"demander": "Russia"}).to_records()
        assert sorted(r["actionCode"] for r in rows) == ["renounce_alliance", "withdraw_forces"]
        count = len(remote)
    result = runner.invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0 and result.output.startswith("0 ingested, 1 unchanged")
    assert _count(oxigraph) == count


@pytest.mark.slow
@pytest.mark.parametrize("payload", ['Russia" } ; DROP ALL ; #', "<x> <y> .", "x' } ; CLEAR ALL ; #"])
def test_remote_values_are_bound_not_pasted(cli, oxigraph, payload):
    assert cli("push", "--endpoint", oxigraph + "/query", "--graph-store", oxigraph + "/store").exit_code == 0
    before = _count(oxigraph)
    with open_remote(oxigraph + "/query", update_endpoint=oxigraph + "/update") as remote:
        found = run_sparql(remote, "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
                                   "SELECT ?x ?label WHERE { ?x skos:prefLabel ?label }", {"label": Literal(payload)})
        assert found.rows == []
        with pytest.raises(QueryError, match=r"^demander: no actor or region is called"):
            run_named(remote, "preconditions", {"demander": payload})
    result = cli("query", "--name", "preconditions", "--param", f"demander={payload}", "--endpoint", oxigraph + "/query")
    assert result.exit_code == 1
    assert result.output == f"Error: demander: no actor or region is called {payload!r}\n"
    assert _count(oxigraph) == before


@pytest.mark.slow
def test_remote_ask_construct_and_errors(cli, oxigraph):
    assert cli("push", "--endpoint", oxigraph + "/query", "--graph-store", oxigraph + "/store").exit_code == 0
    with open_remote(oxigraph + "/query") as remote:
        ask = run_sparql(remote, "ASK { ?p a <https://w3id.org/polkg/ontology#Precondition> }")
        assert ask.kind == "ask" and ask.boolean is True
        graph = run_sparql(remote, "CONSTRUCT { ?p <urn:by> ?d } WHERE { ?p <https://w3id.org/polkg/ontology#demander> ?d }")
        assert graph.kind == "graph" and len(graph.triples) == 2
        assert "<urn:by> <https://w3id.org/polkg/ref/Russia> ." in graph.to_ntriples()
        with pytest.raises(QueryError, match=r"^query: the endpoint rejected it \(HTTP 400\)"):
            run_sparql(remote, "SELECT WHERE nonsense")
    result = cli("query", "ASK { ?s ?p ?o }", "--endpoint", oxigraph + "/query")
    assert result.exit_code == 0 and result.output == "yes\n"


@pytest.mark.slow
def test_remote_unreachable_endpoint_is_one_line():
    port = free_port()  # nothing listens there
    with pytest.raises(StoreError, match=rf"^http://127.0.0.1:{port}/query: cannot reach the endpoint \("):
        with open_remote(f"http://127.0.0.1:{port}/query", timeout=5) as remote:
            len(remote)


def test_remote_refuses_bad_urls_and_credentials_in_urls():
    with pytest.raises(StoreError, match="must be an http:// or https:// URL"):
        RemoteStore("ftp://example.org/sparql")
    with pytest.raises(StoreError, match="put credentials in POLKG_ENDPOINT_USER"):
        RemoteStore("https://user:secret@example.org/sparql")


def test_remote_credentials_come_from_the_environment():
    import requests.auth

    assert credentials_from_env({}) == (None, {})
    assert credentials_from_env({"POLKG_ENDPOINT_TOKEN": "s3cret"}) == (None, {"Authorization": "Bearer s3cret"})
    auth, headers = credentials_from_env({"POLKG_ENDPOINT_USER": "ann", "POLKG_ENDPOINT_PASSWORD": "pw"})
    assert isinstance(auth, requests.auth.HTTPBasicAuth) and (auth.username, auth.password) == ("ann", "pw")
    auth, _ = credentials_from_env({"POLKG_ENDPOINT_USER": "ann", "POLKG_ENDPOINT_PASSWORD": "pw",
                                    "POLKG_ENDPOINT_AUTH": "digest"})
    assert isinstance(auth, requests.auth.HTTPDigestAuth)
    with pytest.raises(StoreError, match="POLKG_ENDPOINT_PASSWORD is not"):
        credentials_from_env({"POLKG_ENDPOINT_USER": "ann"})
    with pytest.raises(StoreError, match="not both"):
        credentials_from_env({"POLKG_ENDPOINT_USER": "ann", "POLKG_ENDPOINT_PASSWORD": "pw",
                              "POLKG_ENDPOINT_TOKEN": "t"})
    with pytest.raises(StoreError, match="basic or digest"):
        credentials_from_env({"POLKG_ENDPOINT_USER": "a", "POLKG_ENDPOINT_PASSWORD": "b", "POLKG_ENDPOINT_AUTH": "x"})


def test_remote_cli_takes_no_credentials_on_the_command_line(cli):
    for command in ("ingest", "push", "query"):
        options = {o for p in main.commands[command].params for o in p.opts}
        assert not any(word in o for o in options for word in ("password", "token", "user"))


@pytest.mark.parametrize("sparql, expected", [
    ("SELECT * WHERE { ?s ?p ?o }", 'SELECT * WHERE { VALUES (?s) { ("x") } '),
    ("ASK { ?s ?p ?o }", 'ASK { VALUES (?s) { ("x") } '),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", 'CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?s) { ("x") } '),
    ('PREFIX a: <http://a/#x>\nSELECT (CONCAT("{", ?x) AS ?y) # { a comment\nWHERE { ?s ?p ?o }',
     'WHERE { VALUES (?s) { ("x") } '),
    ("select ?where {?where ?p ?o}", 'select ?where { VALUES (?s) { ("x") } '),
])
def test_remote_values_block_goes_into_the_where_group(sparql, expected):
    assert expected in inline_bindings(sparql, {"s": Literal("x")})


@pytest.mark.parametrize("term", [URIRef("http://a b"), URIRef("http://x/>{"), BNode("b0"), "plain text"])
def test_remote_values_block_refuses_bad_terms(term):
    with pytest.raises(QueryError):
        inline_bindings("SELECT * { ?s ?p ?o }", {"s": term})


def test_remote_python_api_takes_an_open_remote_store(cli, oxigraph):
    import kg

    assert cli("push", "--endpoint", oxigraph + "/query", "--graph-store", oxigraph + "/store").exit_code == 0
    with open_remote(oxigraph + "/query") as remote:
        frame = kg.run_query(remote, "preconditions", {"demander": "Moscow"}).to_df()
        assert set(frame["actionCode"]) == {"withdraw_forces", "renounce_alliance"}
        assert kg.query(remote, "ASK { ?s ?p ?o }").boolean is True


@pytest.mark.slow
@pytest.mark.parametrize("graph_store", [False, True], ids=["update", "graph-store"])
def test_remote_store_protocol_writes_replaces_and_drops(oxigraph, graph_store):
    """The kg.store.Store operations on a real endpoint, as on the embedded store."""
    import pyoxigraph as ox

    docs = [f"https://w3id.org/polkg/id/doc/{c * 8}" for c in "abc"]
    subject, predicate = ox.NamedNode(REF + "Russia"), ox.NamedNode("https://w3id.org/polkg/ontology#demander")

    def quads(graph: str, n: int) -> list:
        return [ox.Quad(subject, predicate, ox.Literal(f"v{i}"), ox.NamedNode(graph)) for i in range(n)]

    options = {"update_endpoint": oxigraph + "/update"} | ({"graph_store": oxigraph + "/store"} if graph_store else {})
    with open_remote(oxigraph + "/query", **options) as remote:
        assert remote.write_graphs([(docs[0], quads(docs[0], 2)),
                                    (docs[1], ox.serialize(quads(docs[1], 3), format=ox.RdfFormat.N_QUADS))]) == 5
        assert len(remote) == 5
        remote.write_graphs([(docs[2], quads(docs[2], 1))], replaces={docs[2]: [docs[0]]})
        assert not remote.has_graph(docs[0]) and remote.has_graph(docs[2]) and len(remote) == 4
        remote.write_graphs([(docs[1], quads(docs[1], 1))])  # a namesake is replaced
        assert len(remote) == 2
        assert remote.named_graphs() == [docs[1], docs[2]]
        assert remote.graph_triples(docs[2]) == [q.triple for q in quads(docs[2], 1)]
        assert remote.graph_triples(docs[0]) == []
        claims = "https://w3id.org/polkg/id/graph/claims"
        remote.replace_in_graph(claims, None, [(URIRef(REF + "Russia"), URIRef(str(predicate.value)), Literal("x")),
                                               (URIRef(REF + "Kyiv"), URIRef(str(predicate.value)), Literal("y"))])
        remote.replace_in_graph(claims, [REF + "Russia"], [(URIRef(REF + "Ukraine"), URIRef(predicate.value),
                                                            Literal("z"))])
        rows = remote.query("SELECT ?s ?g WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": URIRef(claims)})
        assert sorted(r["s"].value for r in rows) == [REF + "Kyiv", REF + "Ukraine"]
        with remote.open_snapshot() as view:
            assert view.has_graph(docs[2])
            with pytest.raises(StoreError, match="read-only"):
                view.drop_graphs([docs[2]])
        remote.drop_graphs([docs[1], docs[2], claims])
        assert len(remote) == 0
