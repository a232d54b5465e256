"""No SPARQL request makes `kg serve` fetch a URL: SERVICE (and LOAD) are refused before they
reach Oxigraph, whatever the request form and however the keyword is written, unless
`--allow-service` names the host. A real listener on another loopback port records whether
anything connected to it."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from kg.errors import QueryError
from kg.federation import check_federation, parse_hosts, unescape_codepoints
from served import KG, Served

TARGET = "http://127.0.0.1:{port}/sparql"


def _encodings(url: str) -> dict[str, str]:
    """The same SERVICE call, written every way the grammar (or a reader of it) allows."""
    pattern = "{ ?s ?p ?o }"
    return {
        "plain": f"SELECT * WHERE {{ SERVICE <{url}> {pattern} }}",
        "lower case": f"select * where {{ service <{url}> {pattern} }}",
        "mixed case": f"SELECT * WHERE {{ sErViCe <{url}> {pattern} }}",
        "newlines and tabs": f"SELECT * WHERE {{\n\tSERVICE\r\n\t<{url}>\n{pattern} }}",
        "no spaces": f"SELECT * WHERE{{SERVICE<{url}>{pattern}}}",
        "comment between": f"SELECT * WHERE {{ SERVICE # a comment }} \n <{url}> {pattern} }}",
        "comment before": f"# SELECT nothing\nSELECT * WHERE {{ SERVICE <{url}> {pattern} }}",
        "silent": f"SELECT * WHERE {{ SERVICE SILENT <{url}> {pattern} }}",
        "silent glued": f"SELECT * WHERE {{ ServiceSilent<{url}>{pattern} }}",
        "\\u escape": f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {pattern} }}",
        "\\U escape": f"SELECT * WHERE {{ \\U00000053\\U00000045RVICE <{url}> {pattern} }}",
        "escaped IRI": f"SELECT * WHERE {{ SERVICE \\u003C{url}\\u003E {pattern} }}",
        "prefixed name": f"PREFIX remote: <{url.rsplit('/', 1)[0]}/> SELECT * WHERE {{ SERVICE remote:sparql {pattern} }}",
        "keyword glued to a name": f"PREFIX d: <{url.rsplit('/', 1)[0]}/> SELECT * WHERE {{ SERVICEd:sparql {pattern} }}",
        "variable": f"SELECT * WHERE {{ BIND(<{url}> AS ?where) SERVICE ?where {pattern} }}",
        "in a subquery": f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {pattern} }} }} }}",
        "in OPTIONAL": f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ SERVICE <{url}> {pattern} }} }}",
        "in UNION": f"SELECT * WHERE {{ {{ ?a ?b ?c }} UNION {{ SERVICE <{url}> {pattern} }} }}",
        "in FILTER EXISTS": f"SELECT * WHERE {{ ?a ?b ?c FILTER EXISTS {{ SERVICE <{url}> {pattern} }} }}",
        "after a comparison": f"ASK {{ ?a ?b ?c FILTER(1<2)SERVICE<{url}>{{}} }}",
        "after a boolean and a dot": f"SELECT * WHERE {{ ?s ?p true.SERVICE <{url}> {pattern} }}",
        "ASK": f"ASK {{ SERVICE <{url}> {pattern} }}",
        "CONSTRUCT": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {pattern} }}",
    }


HARMLESS = {
    "in a literal": 'SELECT * WHERE { ?s ?p "customer service" }',
    "call in a long literal": "SELECT * WHERE { ?s ?p '''SERVICE <http://127.0.0.1:1/> { ?s ?p ?o }''' }",
    "in an IRI": "SELECT * WHERE { ?s <https://example.org/service> ?o }",
    "a variable": "SELECT ?service WHERE { ?service ?p ?o }",
    "in a comment": "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1:1/> { }",
    "a prefix": "PREFIX service: <https://example.org/> SELECT * WHERE { ?s service:name ?o }",
    "a local name": "PREFIX ex: <https://example.org/> SELECT * WHERE { ?s ex:serviceArea ?o }",
    "ASK with a literal": 'ASK { ?s ?p "service" }',
    "escaped literal": 'SELECT * WHERE { ?s ?p "caf\\u00e9 service" }',
}


# -- the check itself ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(_encodings("http://127.0.0.1:1/sparql")))
def test_federation_refuses_every_encoding(name):
    query = _encodings("http://127.0.0.1:1/sparql")[name]
    with pytest.raises(QueryError, match=r"^SERVICE: ") as refused:
        check_federation(query)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize("name", list(HARMLESS))
def test_federation_passes_the_word_where_it_calls_nothing(name):
    check_federation(HARMLESS[name])


@pytest.mark.parametrize("update", [
    "LOAD <http://127.0.0.1:1/data.ttl>",
    "load silent <http://127.0.0.1:1/data.ttl> INTO GRAPH <urn:g>",
    "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
    "DELETE WHERE { ?s ?p ?o } ; \\u004COAD <http://127.0.0.1:1/data.ttl>",
])
def test_federation_refuses_load_and_service_in_updates(update):
    with pytest.raises(QueryError):
        check_federation(update, update=True)
    check_federation('INSERT DATA { <urn:a> <urn:b> "a download, a payload" }', update=True)


def test_federation_allow_list_names_hosts():
    hosts = parse_hosts("127.0.0.1:1, Example.org")
    assert hosts == ("127.0.0.1:1", "example.org")
    check_federation("SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }", allowed_hosts=hosts)
    check_federation("SELECT * WHERE { SERVICE SILENT <https://example.org/q> { ?s ?p ?o } }", allowed_hosts=hosts)
    for refused in ("SELECT * WHERE { SERVICE <http://127.0.0.1:2/sparql> { ?s ?p ?o } }",
                    "SELECT * WHERE { SERVICE <http://example.org@10.0.0.1/> { ?s ?p ?o } }",
                    "SELECT * WHERE { SERVICE <http://example.org/> { } SERVICE <http://10.0.0.1/> { } }",
                    "SELECT * WHERE { SERVICE ?x { ?s ?p ?o } }",
                    "SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }"):
        with pytest.raises(QueryError, match="refused"):
            check_federation(refused, allowed_hosts=hosts)
    with pytest.raises(QueryError, match="--allow-service"):
        parse_hosts("http://x/")


def test_federation_unescapes_as_the_grammar_says():
    assert unescape_codepoints("\\u0053\\U00000045x\\u00") == "SEx\\u00"
    assert unescape_codepoints("\\uD800") == "\\uD800"  # a lone surrogate is no character


# -- against a real server and a real listener ----------------------------------------------------


class _Listener:
    """A TCP listener on a free loopback port that counts the connections it accepts."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            try:
                connection.settimeout(2)
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 500 No\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            except OSError:
                pass
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.socket.close()


@pytest.fixture
def listener():
    opened = _Listener()
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def empty_store(tmp_path_factory) -> Path:
    from kg.store import open_store

    path = tmp_path_factory.mktemp("federation") / "store"
    open_store(path).close()
    return path


def _send(endpoint: str, form: str, query: str) -> requests.Response:
    accept = {"Accept": "application/sparql-results+json"}
    if form == "GET":
        return requests.get(endpoint, params={"query": query}, headers=accept, timeout=30)
    if form == "form POST":
        return requests.post(endpoint, data={"query": query}, headers=accept, timeout=30)
    return requests.post(endpoint, data=query.encode("utf-8"), timeout=30,
                         headers={**accept, "Content-Type": "application/sparql-query; charset=utf-8"})


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_federation_serve_never_connects(empty_store, listener):
    server = Served(empty_store, "--no-page")
    try:
        url = TARGET.format(port=listener.port)
        refused = []
        for form in ("GET", "form POST", "sparql-query POST"):
            for name, query in _encodings(url).items():
                answer = _send(server.endpoint, form, query)
                refused.append((form, name, answer.status_code, answer.text))
        # the call smuggled in a second field, and an update (refused before the token is even needed)
        twice = requests.post(server.endpoint + "?query=" + requests.utils.quote(_encodings(url)["plain"]),
                              data="ASK {}", headers={"Content-Type": "application/sparql-query"}, timeout=30)
        refused.append(("query in the URL of a POST", "plain", twice.status_code, twice.text))
        # kg query --endpoint passes the text through: the refusal comes back as one line
        passed = subprocess.run([*KG, "query", "--endpoint", server.endpoint, _encodings(url)["plain"]],
                                capture_output=True, text=True, timeout=120)
        time.sleep(1.0)  # anything Oxigraph had started would have connected by now
        assert listener.connections == 0
        for form, name, status, text in refused:
            assert status == 400, (form, name, status, text)
            assert text.startswith("kg serve: SERVICE: federated queries are refused"), (form, name, text)
            assert text.count("\n") == 1
        assert passed.returncode == 1 and passed.stdout == ""
        assert passed.stderr.count("\n") == 1 and "federated queries are refused" in passed.stderr, passed.stderr
        # the word in a literal is answered as usual
        for form in ("GET", "form POST", "sparql-query POST"):
            answer = _send(server.endpoint, form, HARMLESS["in a literal"])
            assert answer.status_code == 200 and answer.json()["results"]["bindings"] == []
    finally:
        server.stop()
    assert "Traceback" not in server.stderr


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_federation_serve_allows_listed_hosts_only(empty_store, listener):
    server = Served(empty_store, "--no-page", "--allow-service", f"127.0.0.1:{listener.port}")
    try:
        other = _Listener()
        try:
            elsewhere = _send(server.endpoint, "GET", _encodings(TARGET.format(port=other.port))["plain"])
            time.sleep(0.5)
            assert elsewhere.status_code == 400 and other.connections == 0
        finally:
            other.close()
        allowed = _send(server.endpoint, "GET", _encodings(TARGET.format(port=listener.port))["silent"])
        assert allowed.status_code == 200, allowed.text
        assert listener.connections >= 1
    finally:
        server.stop()


def test_federation_query_service_unreachable_is_one_line(tmp_path, empty_store):
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed again: nothing listens there
    done = subprocess.run([*KG, "--store", str(empty_store), "query",
                           f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.startswith("Error: query: ") and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr
