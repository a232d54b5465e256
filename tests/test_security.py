"""Document text is never executed or interpreted: inert in the graph view, bound (never
pasted) in SPARQL, never a file path. `kg serve` is read-only and on loopback by default,
writes need the flag and the token, malformed requests are refused, and it holds up under a
bounded load (run by a second process: `python tests/test_security.py URL SECONDS CLIENTS`)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from served import Served

MARK = "polkgxss"
HOSTILE_DOCS = {
    # a title that closes the data block, quotes with markup, handlers and URLs, RDF and SPARQL syntax
    "hostile_1.md": (
        f"</script><script>{MARK}1()</script> Russia <b onmouseover={MARK}2()>talks</b>\n\n"
        f"Russia demands that Ukraine withdraw its forces from Donetsk <img src=x onerror={MARK}3()> "
        f"before a ceasefire, the Kremlin said on 14 June 2024.\n"
    ),
    "hostile_2.txt": (
        f"Ukraine said on Monday that Russia must withdraw from Kherson \"> <x> <y> . }}; DROP ALL; "
        f"<!-- {MARK}4 --> <svg/onload={MARK}5()> before any talks.\n"
    ),
    "hostile_3.jsonl": json.dumps({
        "text": f"NATO supports peace negotiations between Serbia and Kosovo, <iframe src=javascript:{MARK}6()>, "
                "Brussels said.",
        "title": f"<script>{MARK}7()</script>",
        "url": f"javascript:{MARK}8()",
    }) + "\n",
    # text that names files: it must stay text
    "paths.md": "../secret.txt\n\nSerbia said that Kosovo must dissolve its police, ../secret.txt and /etc/passwd.\n",
}
INJECTIONS = [
    'Russia" } ; DROP ALL ; #',
    "Russia' } ; DROP ALL ; #",
    "<https://w3id.org/polkg/ref/Russia> } DROP ALL { ?s ?p ?o",
    "ref:Russia> . } ; CLEAR ALL ; SELECT * { <x",
    'x" . ?s ?p ?o } UNION { ?s ?p ?o . FILTER("1"="1',
    "https://w3id.org/polkg/ref/Russia> <x> <y> } ; DROP ALL ; #",
    "2024-01-01\"^^<http://www.w3.org/2001/XMLSchema#date> } ; DROP ALL ; #",
    "withdraw_forces> } ; DROP ALL ; #",
    "\\u0022 } ; DROP ALL",
    "Russia\n} ; DROP ALL ; #",
    "$(touch /tmp/polkg-pwned)",
]


@pytest.fixture(scope="module")
def hostile_store(seed_store_path, tmp_path_factory, nlp):
    """The seed store plus documents full of markup, syntax and paths, closed again."""
    from kg.api import ingest
    from kg.store import open_store

    base = tmp_path_factory.mktemp("security")
    corpus = base / "corpus"
    corpus.mkdir()
    for name, text in HOSTILE_DOCS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    (base / "secret.txt").write_text("TOP-SECRET-polkg-canary\n", encoding="utf-8")
    store = base / "store"
    shutil.copytree(seed_store_path, store)
    (store / "polkg.lock").unlink(missing_ok=True)
    with open_store(store) as opened:
        report = ingest([corpus], opened)
    assert report.ok and len(report.ingested) == len(HOSTILE_DOCS), report.failed
    return store


def _invoke(*args, cwd: Path | None = None):
    from click.testing import CliRunner

    from kg.cli import main

    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, list(args), catch_exceptions=False)
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def _quads(store: Path) -> frozenset:
    from kg.store import open_store

    with open_store(store, read_only=True) as opened:
        return frozenset(opened.raw.quads_for_pattern(None, None, None, None))


# -- the graph view ------------------------------------------------------------------------------


def test_security_view_has_no_hostile_markup_outside_its_data(hostile_store, tmp_path):
    out = tmp_path / "graph.html"
    result = _invoke("--store", str(hostile_store), "view", "--output", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    block = re.search(r'<script type="application/json" id="polkg-data">(.*?)</script>', page, re.DOTALL)
    assert block, "the page has no data block"
    data = json.loads(block.group(1))  # the block ends where it should: the JSON is whole
    assert MARK in json.dumps(data, ensure_ascii=False), "the hostile text should reach the page, as data"
    outside = page[: block.start()] + page[block.end():]
    assert MARK not in outside
    assert "<" not in block.group(1) and ">" not in block.group(1)
    assert '<meta http-equiv="Content-Security-Policy"' in page
    for key, value in _fields(data):  # what the page may turn into a link is http(s) only
        if key.lower().endswith(("url", "href", "link")) and isinstance(value, str):
            assert value.startswith(("http://", "https://")), (key, value)


def _fields(value, key=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _fields(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _fields(v, key)
    else:
        yield key, value


# -- SPARQL: values are bound, never pasted ------------------------------------------------------------


def _named_parameters() -> list[tuple[str, str]]:
    from kg.query import named_queries

    return [(q.name, p) for q in named_queries().values() for p in q.parameters]


def _one_line_error_or_rows(result) -> None:
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code == 1:
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output


def test_security_injection_through_every_query_parameter(hostile_store):
    before = _quads(hostile_store)
    pairs = _named_parameters()
    assert len(pairs) >= 10
    outcomes = {"rows": 0, "refused": 0}
    for i, (name, param) in enumerate(pairs):
        for value in (INJECTIONS[(i + j) % len(INJECTIONS)] for j in range(5)):  # every value, in turn
            result = _invoke("--store", str(hostile_store), "query", "--name", name, "-p", f"{param}={value}",
                             "--format", "json")
            _one_line_error_or_rows(result)
            if result.exit_code == 0:
                assert json.loads(result.output)["results"]["bindings"] == [], (name, param, value)
                outcomes["rows"] += 1
            else:
                outcomes["refused"] += 1
    assert _quads(hostile_store) == before
    assert not Path("/tmp/polkg-pwned").exists()
    assert outcomes["refused"] > 0


@pytest.mark.parametrize("args", [
    ["analyze", "timeline", INJECTIONS[0]],
    ["analyze", "path", INJECTIONS[2], INJECTIONS[4]],
    ["view", "--focus", INJECTIONS[3]],
])
def test_security_injection_through_actor_names(hostile_store, tmp_path, args):
    before = _quads(hostile_store)
    if args[0] == "view":
        args = [*args, "--output", str(tmp_path / "v.html")]
    result = _invoke("--store", str(hostile_store), *args)
    _one_line_error_or_rows(result)
    assert result.exit_code == 1 and ("no " in result.output or "not " in result.output)
    assert _quads(hostile_store) == before


@pytest.mark.parametrize("text", [
    "DROP ALL",
    "CLEAR DEFAULT",
    "INSERT DATA { <urn:x> <urn:y> <urn:z> }",
    "DELETE WHERE { ?s ?p ?o }",
    "SELECT * { ?s ?p ?o } ; DROP ALL",
    "LOAD <file:///etc/passwd>",
])
def test_security_query_text_cannot_update(hostile_store, text):
    before = _quads(hostile_store)
    result = _invoke("--store", str(hostile_store), "query", text)
    assert result.exit_code == 1 and result.output.startswith("Error: ") and "Traceback" not in result.output
    assert _quads(hostile_store) == before


# -- text never becomes a path ---------------------------------------------------------------------------


def test_security_text_is_never_a_path(hostile_store, tmp_path):
    """A title "../secret.txt" (a real file from the working directory) is never opened or written."""
    work = tmp_path / "work"
    (work / "sub").mkdir(parents=True)
    (tmp_path / "work" / "secret.txt").write_text("TOP-SECRET-polkg-canary\n", encoding="utf-8")
    store = tmp_path / "store"
    shutil.copytree(hostile_store, store)
    listing_before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    outputs = []
    for args in (["view", "--output", "out/graph.html"], ["export", "--format", "trig", "-o", "out/all.trig"],
                 ["export", "--format", "jsonld", "-o", "out/all.jsonld"], ["stats"], ["summary"],
                 ["query", "--name", "provenance", "-p", "assertion=urn:x"]):
        result = _invoke("--store", str(store), *args, cwd=work / "sub")
        assert result.exit_code in (0, 1), result.output
        outputs.append(result.output)
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) 
    new = {str(p) for p in made} - {str(p) for p in listing_before}
    new = {p for p in new if not p.startswith("store")}
    assert new == {"work/sub/out", "work/sub/out/graph.html", "work/sub/out/all.trig", "work/sub/out/all.jsonld"}
    everything = "".join(outputs) + "".join((work / "sub" / "out" / n).read_text(encoding="utf-8")
                                            for n in ("graph.html", "all.trig", "all.jsonld"))
    assert "TOP-SECRET" not in everything and "root:x:0:0" not in everything
    assert "../secret.txt" in everything  # the title is there, as text


# -- kg serve --------------------------------------------------------------------------------------------

TOKEN = "security-test-token"


@pytest.fixture
def served_copy(hostile_store, tmp_path):
    started = []

    def start(*args, env=None) -> Served:
        store = tmp_path / "store"
        if not store.exists():
            shutil.copytree(hostile_store, store)
        server = Served(store, "--no-page", *args, env=env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def test_security_serve_defaults_are_loopback_and_read_only():
    import inspect

    from kg.cli import serve
    from kg.serve import EndpointServer

    defaults = serve.make_context("serve", [], resilient_parsing=True).params
    assert defaults["host"] == "127.0.0.1" and defaults["allow_update"] is False
    assert defaults["token"] is None or "POLKG_SERVE_TOKEN" in os.environ
    assert defaults["timeout"] > 0 and defaults["max_result_mb"] > 0
    signature = inspect.signature(EndpointServer)
    assert signature.parameters["host"].default == "127.0.0.1"
    assert signature.parameters["allow_update"].default is False


@pytest.mark.slow
def test_security_serve_refuses_every_kind_of_update(served_copy):
    import requests

    server = served_copy()
    assert server.endpoint.startswith("http://127.0.0.1:")
    store = Path(server.process.args[server.process.args.index("--store") + 1])
    sparql, update = server.endpoint, "DROP ALL"
    attempts = [
        requests.post(sparql, data={"update": update}),
        requests.post(sparql, data={"query": "ASK {}", "update": update}),
        requests.post(sparql, data=update, headers={"Content-Type": "Application/SPARQL-Update; charset=utf-8"}),
        requests.post(sparql, data=update, headers={"Content-Type": "application/sparql-update",
                                                    "Authorization": f"Bearer {TOKEN}"}),
        requests.post(sparql, data=update, headers={"Content-Type": "application/sparql-query"}),
        requests.get(sparql, params={"update": update}),
        requests.put(server.base + "/store", params={"default": ""}, data="<urn:a> <urn:b> <urn:c> .",
                     headers={"Content-Type": "application/n-triples"}),
        requests.post(server.base + "/store", params={"graph": "urn:g"}, data="<urn:a> <urn:b> <urn:c> .",
                      headers={"Content-Type": "application/n-triples"}),
        requests.delete(server.base + "/store", params={"default": ""}),
        requests.post(server.base + "/update", data={"update": update}),
        requests.post(server.base + "/sparql/", data={"update": update}),
    ]
    assert all(400 <= a.status_code < 500 for a in attempts), [(a.status_code, a.text[:80]) for a in attempts]
    # an update in the URL of a query request is ignored: the query runs, nothing is written
    smuggled = requests.post(sparql + "?update=DROP%20ALL", data="ASK { ?s ?p ?o }",
                             headers={"Content-Type": "application/sparql-query",
                                      "Accept": "application/sparql-results+json"})
    assert smuggled.status_code == 200 and smuggled.json()["boolean"] is True
    # behind the front, Oxigraph itself is read-only: its own port refuses updates too
    direct = requests.post(f"http://127.0.0.1:{server.upstream_port()}/update", data=update,
                           headers={"Content-Type": "application/sparql-update"})
    assert direct.status_code >= 400
    count = requests.get(sparql, params={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"},
                         headers={"Accept": "application/sparql-results+json"})
    assert int(count.json()["results"]["bindings"][0]["n"]["value"]) == len(_quads_locked_copy(store))


def _quads_locked_copy(store: Path) -> frozenset:
    """The quads of a store another process holds for reading (read a copy)."""
    import tempfile

    from kg.store import open_store

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "store"
        shutil.copytree(store, copy, ignore=shutil.ignore_patterns("polkg.lock"))
        with open_store(copy, read_only=True) as opened:
            return frozenset(q for q in opened.raw.quads_for_pattern(None, None, None, None)
                             if not isinstance(q.graph_name, ox.DefaultGraph))


@pytest.mark.slow
def test_security_serve_writes_need_flag_and_token(served_copy):
    import requests

    server = served_copy("--allow-update", env={"POLKG_SERVE_TOKEN": TOKEN})
    insert = "INSERT DATA { GRAPH <urn:polkg:sec> { <urn:a> <urn:b> <urn:c> } }"
    for headers in ({}, {"Authorization": "Bearer wrong-token-x"}, {"Authorization": f"Basic {TOKEN}"},
                    {"Authorization": f"Bearer {TOKEN[:-1]}"}, {"Authorization": f"bearer {TOKEN}x"}):
        refused = requests.post(server.endpoint, data=insert,
                                headers={"Content-Type": "application/sparql-update", **headers})
        assert refused.status_code == 401, headers
    ask = {"query": "ASK { GRAPH <urn:polkg:sec> { <urn:a> <urn:b> <urn:c> } }"}
    accept = {"Accept": "application/sparql-results+json"}
    assert requests.get(server.endpoint, params=ask, headers=accept).json()["boolean"] is False
    done = requests.post(server.endpoint, data=insert, headers={"Content-Type": "application/sparql-update",
                                                                "Authorization": f"Bearer {TOKEN}"})
    assert done.status_code == 204
    assert requests.get(server.endpoint, params=ask, headers=accept).json()["boolean"] is True


def _raw_request(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(data)
        connection.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.slow
def test_security_serve_refuses_malformed_requests_and_stays_up(served_copy):
    import requests

    server = served_copy()
    port = int(server.base.rsplit(":", 1)[1])
    cases = [
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: abc\r\n\r\nASK {}",
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: -5\r\n\r\nASK {}",
        b"GET /sparql?query=ASK%7B%7D\x01\x7f HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /sparql?query=%E0%80%AF%C0%AE HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 12\r\n\r\nquery=%FF%FE",
        b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
        # a refused body must not be read as a second request on the same connection
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-update\r\nContent-Length: 1e3\r\n\r\n"
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 15\r\n\r\nupdate=DROP+ALL",
    ]
    for request in cases:
        answer = _raw_request(port, request)
        statuses = re.findall(rb"^HTTP/1\.[01] (\d{3}) ", answer, re.MULTILINE)
        assert len(statuses) == 1 and 400 <= int(statuses[0]) < 500, (request, answer[:300])
        assert b"root:x:0:0" not in answer
    # an HTTP/0.9-style line gets the standard library's error page
    assert b"Error code: 400" in _raw_request(port, b"NONSENSE\r\n\r\n")
    # idle connections do not keep others out
    idle = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(30)]
    try:
        ask = requests.get(server.endpoint, params={"query": "ASK { ?s ?p ?o }"},
                           headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert ask.status_code == 200 and ask.json()["boolean"] is True
    finally:
        for connection in idle:
            connection.close()
    assert server.process.poll() is None
    server.stop()
    assert "Traceback" not in server.stderr


# -- a bounded load test ---------------------------------------------------------------------------------------

LOAD_QUERIES = [
    "ASK { ?p a <https://w3id.org/polkg/ontology#Precondition> }",
    "SELECT ?p ?d WHERE { ?p <https://w3id.org/polkg/ontology#demander> ?d }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?e ?l WHERE { ?e skos:prefLabel ?l } LIMIT 50",
    "PREFIX pol: <https://w3id.org/polkg/ontology#> CONSTRUCT { ?p pol:demander ?d } WHERE { ?p pol:demander ?d }",
]


def load_clients(endpoint: str, seconds: float, clients: int) -> dict:
    """``clients`` threads, each with its own connection, querying ``endpoint`` for ``seconds``."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    stop_at = time.monotonic() + seconds

    def client(number: int) -> tuple[list[float], list[str]]:
        session = requests.Session()
        times, errors = [], []
        i = number
        while time.monotonic() < stop_at:
            query = LOAD_QUERIES[i % len(LOAD_QUERIES)]
            i += 1
            accept = "text/turtle" if "CONSTRUCT" in query else "application/sparql-results+json"
            started = time.perf_counter()
            try:
                answer = session.get(endpoint, params={"query": query}, headers={"Accept": accept}, timeout=30)
                ok = answer.status_code == 200 and len(answer.content) > 0
                if ok and accept.endswith("json"):
                    body = answer.json()
                    ok = "boolean" in body or "results" in body
                if not ok:
                    errors.append(f"HTTP {answer.status_code}: {answer.text[:100]}")
            except requests.RequestException as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
            times.append(time.perf_counter() - started)
        return times, errors

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(client, range(clients)))
    elapsed = time.monotonic() - started
    times = sorted(t for ts, _ in results for t in ts)
    errors = [e for _, es in results for e in es]
    return {
        "clients": clients, "seconds": round(elapsed, 1), "requests": len(times), "errors": len(errors),
        "first_errors": errors[:5], "throughput": round(len(times) / elapsed, 1),
        "p50_ms": round(times[len(times) // 2] * 1000, 1) if times else None,
        "p95_ms": round(times[int(len(times) * 0.95)] * 1000, 1) if times else None,
        "max_ms": round(times[-1] * 1000, 1) if times else None,
    }


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_security_serve_bounded_load(served_copy, capsys):
    server = served_copy()
    done = subprocess.run([sys.executable, __file__, server.endpoint, "30", "20"], capture_output=True, text=True,
                          timeout=240)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    with capsys.disabled():
        print(f"\nload test: {figures['clients']} clients for {figures['seconds']} s: {figures['requests']} requests, "
              f"{figures['throughput']} requests/s, p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
              f"max {figures['max_ms']} ms, {figures['errors']} errors")
    assert figures["errors"] == 0, figures["first_errors"]
    assert figures["requests"] > 100
    assert server.process.poll() is None


if __name__ == "__main__":  # the load test's clients, in their own process
    print(json.dumps(load_clients(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]))))
