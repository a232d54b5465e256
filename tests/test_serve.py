"""kg serve: a real SPARQL 1.1 endpoint on a free loopback port, queried by SPARQLWrapper and curl."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import statistics
import subprocess
import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from kg.cli import main
from kg.store import open_store
from conftest import NATO, RUSSIA
from served import KG, Served, status_of

pytestmark = pytest.mark.slow

POL = "https://w3id.org/polkg/ontology#"
SELECT = f"SELECT ?p ?d WHERE {{ ?p <{POL}demander> ?d }}"
ASK = f"ASK {{ ?p a <{POL}Precondition> }}"
CONSTRUCT = f"CONSTRUCT {{ ?p <{POL}demander> ?d }} WHERE {{ ?p <{POL}demander> ?d }}"
TOKEN = "a-long-enough-token"


def _copy(seed_store_path: Path, where: Path) -> Path:
    shutil.copytree(seed_store_path, where)
    return where


@pytest.fixture(scope="module")
def server(seed_store_path, tmp_path_factory):
    """One read-only endpoint over a copy of the seed store, for the tests that only read."""
    folder = tmp_path_factory.mktemp("serve")
    served = Served(_copy(seed_store_path, folder / "store"), "--page", str(folder / "graph.html"))
    yield served
    assert served.stop() == 0


@pytest.fixture
def start(seed_store_path, tmp_path):
    started = []

    def run(*args, env=None) -> Served:
        store = tmp_path / "store"
        if not store.exists():
            _copy(seed_store_path, store)
        served = Served(store, *args, env=env)
        started.append(served)
        return served

    yield run
    for served in started:
        served.stop()


# -- reading, with the clients people use ------------------------------------------------------


def test_serve_prints_where_it_listens(server):
    assert server.lines[0].startswith("SPARQL endpoint: http://127.0.0.1:") and server.lines[0].endswith(
        "/sparql (read-only)")
    assert server.lines[1] == f"Graph view:      {server.base}/"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_serve_sparqlwrapper_select_in_json_xml_csv(server, method):
    from SPARQLWrapper import CSV, JSON, POST, XML, SPARQLWrapper

    client = SPARQLWrapper(server.endpoint)
    if method == "POST":
        client.setMethod(POST)
    client.setQuery(SELECT)
    client.setReturnFormat(JSON)
    rows = client.queryAndConvert()["results"]["bindings"]
    assert len(rows) == 2 and {r["d"]["value"] for r in rows} == {"https://w3id.org/polkg/ref/Russia"}
    client.setReturnFormat(XML)
    document = client.queryAndConvert()
    assert len(document.getElementsByTagName("result")) == 2
    client.setReturnFormat(CSV)
    table = list(csv.reader(io.StringIO(client.queryAndConvert().decode("utf-8"))))
    assert table[0] == ["p", "d"] and len(table) == 3


def test_serve_sparqlwrapper_ask_and_construct(server):
    from SPARQLWrapper import JSON, JSONLD, TURTLE, XML, SPARQLWrapper
    from rdflib import Graph

    client = SPARQLWrapper(server.endpoint)
    client.setQuery(ASK)
    client.setReturnFormat(JSON)
    assert client.queryAndConvert()["boolean"] is True
    client.setReturnFormat(XML)
    assert client.queryAndConvert().getElementsByTagName("boolean")[0].firstChild.data == "true"
    client.setQuery(CONSTRUCT)
    client.setReturnFormat(XML)
    graph = client.queryAndConvert()
    assert isinstance(graph, Graph) and len(graph) == 2
    client.setReturnFormat(TURTLE)
    assert len(Graph().parse(data=client.queryAndConvert(), format="turtle")) == 2
    client.setReturnFormat(JSONLD)
    assert len(client.queryAndConvert()) == 2


@pytest.mark.parametrize("query, accept, media, check", [
    (SELECT, "application/sparql-results+json", "application/sparql-results+json",
     lambda body: len(json.loads(body)["results"]["bindings"]) == 2),
    (SELECT, "application/sparql-results+xml", "application/sparql-results+xml", lambda body: body.count("<result>") == 2),
    (SELECT, "text/csv", "text/csv", lambda body: body.splitlines()[0] == "p,d" and len(body.splitlines()) == 3),
    (ASK, "application/sparql-results+json", "application/sparql-results+json",
     lambda body: json.loads(body)["boolean"] is True),
    (ASK, "application/sparql-results+xml", "application/sparql-results+xml", lambda body: "<boolean>true" in body),
    (CONSTRUCT, "application/n-triples", "application/n-triples", lambda body: body.count(" .\n") == 2),
    (CONSTRUCT, "application/rdf+xml", "application/rdf+xml", lambda body: body.count("demander") == 2),
])
def test_serve_curl(server, query, accept, media, check):
    done = subprocess.run(["curl", "-sS", "--max-time", "30", "-w", "\n%{http_code} %{content_type}",
                           "-H", f"Accept: {accept}", "--data-urlencode", f"query={query}", server.endpoint],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    body, _, status = done.stdout.rpartition("\n")
    code, content_type = status.split(" ", 1)
    assert code == "200" and content_type.split(";")[0] == media
    assert check(body), body


HABIT = "SELECT ?p WHERE { ?p a pol:Precondition ; pol:demander ref:Russia }"


@pytest.mark.parametrize("how", ["GET", "form", "body"])
def test_serve_predeclares_the_usual_prefixes(server, how):
    accept = {"Accept": "application/sparql-results+json"}
    if how == "GET":
        answer = requests.get(server.endpoint, params={"query": HABIT}, headers=accept, timeout=30)
    elif how == "form":
        answer = requests.post(server.endpoint, data={"query": HABIT}, headers=accept, timeout=30)
    else:
        answer = requests.post(server.endpoint, data=HABIT.encode("utf-8"),
                               headers={**accept, "Content-Type": "application/sparql-query"}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["results"]["bindings"]) == 2


def test_serve_a_query_s_own_prefix_wins(server):
    own = "PREFIX pol: <urn:elsewhere:> " + HABIT
    answer = requests.get(server.endpoint, params={"query": own},
                          headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert answer.status_code == 200 and answer.json()["results"]["bindings"] == []


def test_serve_graph_view_and_unknown_paths(server):
    page = requests.get(server.base + "/", timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.text.lstrip().lower().startswith("<!doctype html") and "Russia" in page.text
    assert requests.get(server.base + "/graph.html", timeout=30).text == page.text
    missing = requests.get(server.base + "/etc/passwd", timeout=30)
    assert missing.status_code == 404 and missing.text.startswith("kg serve: not found")


def test_serve_p95_latency_of_simple_queries(server, capsys):
    session = requests.Session()
    times = []
    for _ in range(200):
        started = time.perf_counter()
        answer = session.get(server.endpoint, params={"query": ASK}, headers={"Accept": "application/sparql-results+json"},
                             timeout=30)
        times.append(time.perf_counter() - started)
        assert answer.status_code == 200 and answer.json()["boolean"] is True
    p95 = statistics.quantiles(times, n=20)[-1] * 1000
    with capsys.disabled():
        print(f"\nkg serve: 200 sequential ASK queries: median {statistics.median(times) * 1000:.1f} ms, "
              f"p95 {p95:.1f} ms (target < 50 ms)")
    assert p95 < 50


# -- the store: read-only, locked against writers -------------------------------------------------


def test_serve_is_read_only_and_keeps_writers_out(server, seed_store_path):
    refused = requests.post(server.endpoint, data={"update": "DROP ALL"}, timeout=30)
    assert refused.status_code == 403 and "read-only (start it with --allow-update --token TOKEN)" in refused.text
    refused = requests.post(server.endpoint, data="CLEAR ALL", headers={"Content-Type": "application/sparql-update"},
                            timeout=30)
    assert refused.status_code == 403
    refused = requests.put(server.base + "/store", params={"graph": "urn:x"}, data="<urn:a> <urn:b> <urn:c> .",
                           headers={"Content-Type": "application/n-triples"}, timeout=30)
    assert refused.status_code == 403
    assert requests.get(server.endpoint, params={"update": "DROP ALL"}, timeout=30).status_code == 405
    runner = CliRunner()
    readers = runner.invoke(main, ["--store", str(server.store), "query", ASK], catch_exceptions=False)
    assert readers.exit_code == 0 and readers.output == "yes\n"  # readers run beside the endpoint
    writer = runner.invoke(main, ["--store", str(server.store), "ingest", str(seed_store_path.parent)],
                           catch_exceptions=False)
    assert writer.exit_code == 1
    assert f"store is in use by process {server.process.pid} (reading)" in writer.output
    total = requests.get(server.endpoint, params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"},
                         headers={"Accept": "application/sparql-results+json"}, timeout=30)
    with open_store(seed_store_path, read_only=True) as seed:
        assert int(total.json()["results"]["bindings"][0]["n"]["value"]) == len(seed)


def _select(endpoint: str, query: str) -> list[dict]:
    answer = requests.post(endpoint, data={"query": query}, headers={"Accept": "application/sparql-results+json"},
                           timeout=60)
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]["bindings"]


def test_serve_answers_from_the_corrected_view_unless_raw(corrected, kg_cli):
    """The endpoint, and the named queries a client sends it, see the reviewers' corrections; with
    --raw, the extractor's assertions; a writable endpoint serves the store itself, so it needs --raw."""
    path, pre = corrected
    demanders = f"SELECT ?p ?d WHERE {{ ?p a <{POL}Precondition> ; <{POL}demander> ?d }}"
    fixed = {(pre["withdraw_forces"], NATO)}
    extracted = {(pre["withdraw_forces"], RUSSIA), (pre["renounce_alliance"], RUSSIA)}

    def named(endpoint, *extra):
        result = kg_cli("query", "--name", "preconditions", "--format", "json", "--endpoint", endpoint, *extra)
        assert result.exit_code == 0, result.output
        rows = json.loads(result.stdout)["results"]["bindings"]
        return {(r["precondition"]["value"], r["demander"]["value"]) for r in rows}, result.stderr

    served = Served(path, "--no-page")
    try:
        assert "With 2 reviewer's corrections (kg serve --raw for the extractor's assertions)." in served.lines
        assert {(row["p"]["value"], row["d"]["value"]) for row in _select(served.endpoint, demanders)} == fixed
        assert named(served.endpoint) == (fixed, "")  # applied once, by the endpoint
        refused = kg_cli("query", demanders, "--endpoint", served.endpoint, "--raw")
        assert refused.exit_code == 1
        assert refused.output == (f"Error: {served.endpoint}: serves the reviewers' corrected view, without the "
                                  "extractor's assertions they replace (kg serve --raw serves those)\n")
    finally:
        assert served.stop() == 0
    served = Served(path, "--no-page", "--raw")
    try:
        assert not any("correction" in line for line in served.lines)
        assert {(row["p"]["value"], row["d"]["value"]) for row in _select(served.endpoint, demanders)} == extracted
        assert named(served.endpoint, "--raw") == (extracted, "")
        # the endpoint holds the corrections beside the extractor's graphs: the client applies them
        rows, note = named(served.endpoint)
        assert rows == fixed and note == "With 2 reviewer's corrections (kg query --raw for the extractor's assertions).\n"
    finally:
        assert served.stop() == 0
    writable = kg_cli("--store", path, "serve", "--port", "0", "--no-page", "--allow-update", "--token", TOKEN)
    assert writable.exit_code == 1 and "add --raw to serve the extractor's assertions for writing" in writable.output


def test_serve_says_plainly_when_the_store_is_busy(seed_store_path, tmp_path):
    store = _copy(seed_store_path, tmp_path / "store")
    with open_store(store):  # this process writes
        done = subprocess.run([*KG, "--store", str(store), "serve", "--port", "0"], capture_output=True, text=True,
                              timeout=120)
    assert done.returncode == 1
    assert done.stderr == (f"Error: {store}: store is in use by process {os.getpid()} (writing); "
                           "wait for it to finish or use --wait SECONDS\n")


def test_serve_stops_cleanly_and_releases_the_store(start):
    served = start("--no-page")
    children = served.children()
    assert len(children) == 1 and "oxigraph" in Path(f"/proc/{children[0]}/cmdline").read_text()
    assert Path(f"/proc/{served.process.pid}/task/{served.process.pid}/children").read_text().split() == [
        str(children[0])]  # started by the main thread
    assert served.lines[1] == "Press Ctrl+C to stop."  # no graph view
    assert served.stop() == 0
    assert "zombie" in status_of(children[0])  # gone
    with open_store(served.store) as store:  # the writer's lock is free again
        assert len(store) > 0


def test_serve_starts_oxigraph_again_when_it_stops(start):
    served = start("--no-page")
    (child,) = served.children()
    os.kill(child, signal.SIGKILL)
    answer = requests.get(served.endpoint, params={"query": ASK}, headers={"Accept": "application/sparql-results+json"},
                          timeout=60)
    assert answer.status_code == 200 and answer.json()["boolean"] is True
    assert served.children() and served.children() != [child]
    assert served.process.poll() is None


# -- writing with a token; limits ----------------------------------------------------------------


def test_serve_updates_need_the_token(start, seed_store_path):
    usage = CliRunner().invoke(main, ["--store", str(seed_store_path), "serve", "--allow-update"])
    assert usage.exit_code == 2 and "--allow-update needs --token" in usage.output
    served = start("--allow-update", "--no-page", env={"POLKG_SERVE_TOKEN": TOKEN})
    insert = "INSERT DATA { GRAPH <urn:polkg:test> { <urn:a> <urn:b> \"c\" } }"
    headers = {"Content-Type": "application/sparql-update"}
    missing = requests.post(served.endpoint, data=insert, headers=headers, timeout=30)
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"] == 'Bearer realm="polkg"'
    wrong = requests.post(served.endpoint, data=insert, headers={**headers, "Authorization": "Bearer nope"}, timeout=30)
    assert wrong.status_code == 401
    ask = requests.get(served.endpoint, params={"query": "ASK { <urn:a> <urn:b> \"c\" }"},
                       headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert ask.json()["boolean"] is False
    done = requests.post(served.endpoint, data=insert, headers={**headers, "Authorization": f"Bearer {TOKEN}"},
                         timeout=30)
    assert done.status_code == 204
    ask = requests.get(served.endpoint, params={"query": "ASK { <urn:a> <urn:b> \"c\" }"},
                       headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert ask.json()["boolean"] is True
    # kg push through the endpoint, with the token from the environment only
    runner = CliRunner()
    args = ["--store", str(seed_store_path), "push", "--documents-only", "--endpoint", served.endpoint]
    refused = runner.invoke(main, args, catch_exceptions=False, env={"POLKG_ENDPOINT_TOKEN": "nope-nope"})
    assert refused.exit_code == 1
    assert refused.output.startswith(f"Error: {served.endpoint}: the endpoint refused the request (HTTP 401")
    pushed = runner.invoke(main, args, catch_exceptions=False, env={"POLKG_ENDPOINT_TOKEN": TOKEN})
    assert pushed.exit_code == 0 and pushed.output.startswith("pushed 1 graphs")


def test_serve_timeout_and_result_cap(start):
    served = start("--no-page", "--timeout", "1", "--max-result-mb", "0.01")
    started = time.monotonic()
    slow = requests.get(served.endpoint, params={"query": "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"},
                        headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert slow.status_code == 504 and "kg serve:" in slow.text
    assert time.monotonic() - started < 20
    big = requests.get(served.endpoint, params={"query": "SELECT * { ?s ?p ?o } LIMIT 2000"},
                       headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert big.status_code == 500 and "larger than the cap of 10,485 bytes" in big.text
    small = requests.get(served.endpoint, params={"query": ASK}, headers={"Accept": "application/sparql-results+json"},
                         timeout=60)
    assert small.status_code == 200 and small.json()["boolean"] is True
