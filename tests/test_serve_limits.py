"""What one client can take from `kg serve`: a real server on loopback, real sockets.

Clients that stand for an attacker connect from other loopback addresses (127.0.0.2 and
up; Linux routes all of 127/8 to lo), so that the limits per address can be told apart from
the limits in all."""

from __future__ import annotations

import http.client
import re
import shutil
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from served import KG, Served

pytestmark = pytest.mark.slow

ASK = "ASK { ?s ?p ?o }"
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SORTED_CROSS_JOIN = "SELECT * { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"


@pytest.fixture
def start(seed_store_path, tmp_path):
    started = []

    def run(*args) -> Served:
        store = tmp_path / "store"
        if not store.exists():
            shutil.copytree(seed_store_path, store)
        served = Served(store, "--no-page", *args)
        started.append(served)
        return served

    yield run
    for served in started:
        served.stop()


def _port(served: Served) -> int:
    return int(served.base.rsplit(":", 1)[1])


def _connect(port: int, source: str = "127.0.0.1", timeout: float = 30) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0))


def _get(port: int, query: str = ASK, source: str = "127.0.0.1", timeout: float = 60) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        from urllib.parse import quote

        connection.request("GET", "/sparql?query=" + quote(query), headers={"Accept": "application/sparql-results+json"})
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def _read_all(connection: socket.socket) -> bytes:
    """What the server sends until it closes."""
    chunks = []
    try:
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    except ConnectionResetError:
        pass
    return b"".join(chunks)


def _exchange(port: int, data: bytes, source: str = "127.0.0.1") -> bytes:
    """Send ``data``, then read until the server closes."""
    with _connect(port, source) as connection:
        connection.sendall(data)
        return _read_all(connection)


def _statuses(answer: bytes) -> list[int]:
    return [int(s) for s in re.findall(rb"^HTTP/1\.[01] (\d{3}) ", answer, re.MULTILINE)]


def _threads(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/task").iterdir()))


# -- slow clients --------------------------------------------------------------------------------


def test_serve_limits_drop_a_client_sending_headers_byte_by_byte(start):
    served = start("--read-timeout", "1.5")
    port = _port(served)
    request = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n" + b"X-Padding: " + b"a" * 400 + b"\r\n\r\n"
    with _connect(port, "127.0.0.2") as slow:
        opened = time.monotonic()
        answer = b""
        for byte in request:  # one byte every 20 ms: 9 s for the whole request, were it let through
            try:
                slow.send(bytes([byte]))
            except OSError:
                break
            slow.settimeout(0.02)
            try:
                chunk = slow.recv(4096)
            except TimeoutError:
                continue
            except ConnectionResetError:
                break
            answer += chunk
            if not chunk:
                break
        dropped_after = time.monotonic() - opened
    assert dropped_after < 3.5, dropped_after
    assert _statuses(answer) in ([408], []), answer
    assert _get(port)[0] == 200  # others are served


def test_serve_limits_drop_a_slow_body_and_an_idle_connection(start):
    served = start("--read-timeout", "1")
    port = _port(served)
    with _connect(port, "127.0.0.2") as slow:
        slow.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                     b"Content-Length: 100\r\n\r\nASK")
        opened = time.monotonic()
        answer = _read_all(slow)
        assert time.monotonic() - opened < 3 and _statuses(answer) == [408], answer
        assert b"did not arrive within 1 s" in answer
    with _connect(port, "127.0.0.2") as idle:
        opened = time.monotonic()
        assert idle.recv(4096) == b""  # closed, without an answer to a request never made
        assert time.monotonic() - opened < 3


# -- big bodies ----------------------------------------------------------------------------------


def test_serve_limits_refuse_a_big_body_before_reading_it(start):
    served = start()
    port = _port(served)
    headers = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
               b"Content-Length: 262144000\r\n")
    with _connect(port) as connection:  # nothing of the body is sent: the answer comes anyway
        connection.sendall(headers + b"\r\n")
        answer = _read_all(connection)
    assert _statuses(answer) == [413] and b"larger than 1,048,576 bytes" in answer, answer
    with _connect(port) as connection:  # curl's way: it waits for "100 Continue", which never comes
        connection.sendall(headers + b"Expect: 100-continue\r\n\r\n")
        answer = _read_all(connection)
    assert _statuses(answer) == [413] and b"100 Continue" not in answer, answer


def test_serve_limits_body_cap_is_configurable(start):
    served = start("--max-body", "2k")
    port = _port(served)
    query = "ASK { ?s ?p ?o }" + " " * 1500

    def post(text: str) -> bytes:
        body = text.encode()
        return _exchange(port, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                               b"Accept: application/sparql-results+json\r\nConnection: close\r\n"
                               b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)

    assert _statuses(post(query)) == [200]
    refused = post(query + " " * 600)
    assert _statuses(refused) == [413] and b"larger than 2,048 bytes" in refused
    done = subprocess.run([*KG, "--store", str(served.store), "serve", "--max-body", "lots"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "'lots' is not a size" in done.stderr


# -- connections ---------------------------------------------------------------------------------


def test_serve_limits_cap_connections_per_address(start):
    served = start("--max-connections-per-client", "4")
    port = _port(served)
    held = [_connect(port, "127.0.0.2") for _ in range(4)]
    try:
        time.sleep(0.3)
        started = time.monotonic()
        refused = _exchange(port, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n", "127.0.0.2")
        assert time.monotonic() - started < 2
        assert _statuses(refused) == [503] and b"too many connections from 127.0.0.2 (at most 4)" in refused
        assert _get(port, source="127.0.0.3")[0] == 200  # another address is served
    finally:
        for connection in held:
            connection.close()
    time.sleep(0.3)
    assert _get(port, source="127.0.0.2")[0] == 200  # and the address again, once it holds fewer


def test_serve_limits_cap_connections_in_all_without_a_thread_each(start):
    served = start("--max-connections", "16", "--max-connections-per-client", "16")
    port = _port(served)
    before = _threads(served.process.pid)
    held = []
    try:
        for n in range(120):  # 120 idle connections from 30 addresses
            held.append(_connect(port, f"127.0.1.{n % 30 + 1}"))
        time.sleep(0.5)
        assert _threads(served.process.pid) <= before + 16 + 2
        started = time.monotonic()
        assert _get(port)[0] == 200  # a newcomer takes the place of the oldest idle one
        assert time.monotonic() - started < 2
    finally:
        for connection in held:
            connection.close()


def test_serve_limits_a_burst_of_200_connects_is_served_without_resets(start):
    served = start()
    port = _port(served)
    ready = threading.Barrier(200)

    def client(n: int) -> str:
        source = f"127.0.2.{n % 10 + 1}"  # 20 from each of 10 addresses
        try:
            with socket.socket() as connection:
                connection.settimeout(60)
                connection.bind((source, 0))
                ready.wait(60)
                connection.connect(("127.0.0.1", port))
                connection.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n"
                                   b"Accept: application/sparql-results+json\r\nConnection: close\r\n\r\n")
                answer = b""
                while chunk := connection.recv(65536):
                    answer += chunk
            return str(_statuses(answer))
        except OSError as exc:
            return type(exc).__name__

    with ThreadPoolExecutor(200) as pool:
        outcomes = list(pool.map(client, range(200)))
    assert outcomes == ["[200]"] * 200, {o: outcomes.count(o) for o in set(outcomes)}


# -- strict headers --------------------------------------------------------------------------------

NEXT = b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-update\r\nContent-Length: 8\r\n\r\nDROP ALL"


@pytest.mark.parametrize("request_bytes, message", [
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 6\r\n"
     b"Content-Length: 6\r\n\r\nASK {}", b"more than one Content-Length"),
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 6\r\n"
     b"content-length: 90\r\n\r\nASK {}", b"more than one Content-Length"),
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length : 6\r\n\r\n"
     b"ASK {}", b"malformed header line"),
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 6, 6\r\n\r\n"
     b"ASK {}", b"whole number"),
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nX-A: 1\r\n Content-Length: 6"
     b"\r\n\r\nASK {}", b"malformed header line"),
    (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 6\r\n"
     b"Transfer-Encoding: chunked\r\n\r\nASK {}", b"both Transfer-Encoding and Content-Length"),
    (b"POST /sparql HTTP/1.1\r\nHost: x\nContent-Type: application/sparql-query\r\nContent-Length: 6\r\n\r\n"
     b"ASK {}", b"end in CRLF"),
    (b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", b"more than one Host"),
    (b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nContent-Length: " + str(len(NEXT)).encode() + b"\r\n\r\n",
     b"a GET request has no body"),
    (b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nX-Bad: a\x00b\r\n\r\n", b"control characters"),
    (b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n" + b"X-Many: " + b"a" * 1000 + b"\r\n" * 1 +
     b"".join(b"X-%d: %s\r\n" % (n, b"b" * 1000) for n in range(40)) + b"\r\n", b""),
])
def test_serve_limits_strict_header_framing(start, request_bytes, message):
    served = start("--allow-update", "--token", "a-long-enough-token")
    answer = _exchange(_port(served), request_bytes + NEXT)
    statuses = _statuses(answer)
    assert len(statuses) == 1 and statuses[0] in (400, 431), answer  # and the second request is never read
    assert message in answer
    assert _get(_port(served), "ASK { ?s ?p ?o }")[1].find(b"true") > 0


@pytest.mark.parametrize("token", ["        ", " \t  \t  ", "two words here", "tab\tinside-it"])
def test_serve_limits_blank_or_spaced_token_refused_at_start(seed_store_path, token):
    done = subprocess.run([*KG, "--store", str(seed_store_path), "serve", "--port", "0", "--no-page",
                           "--allow-update"], capture_output=True, text=True, timeout=60,
                          env={**__import__("os").environ, "POLKG_SERVE_TOKEN": token})
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr in ("Error: kg serve: the token is blank; give one of at least 8 characters\n",
                           "Error: kg serve: the token must not contain spaces or control characters\n")
    assert ("blank" in done.stderr) == (not token.strip())


# -- heavy queries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("spread", [False, True], ids=["one address", "four addresses"])
def test_serve_limits_heavy_queries_wait_their_turn(start, spread):
    served = start("--timeout", "3", "--max-queries", "2", "--max-queries-per-client", "1")
    port = _port(served)
    assert _get(port)[0] == 200  # 127.0.0.1 has shown its queries are quick
    sources = [f"127.0.0.{n}" for n in (2, 3, 4, 5)] if spread else ["127.0.0.2"] * 4
    with ThreadPoolExecutor(4) as pool:
        heavy = [pool.submit(_get, port, CROSS_JOIN, source) for source in sources]
        time.sleep(0.5)
        simple = []
        for _ in range(10):  # while they run, the quick client's simple queries are answered at once
            started = time.monotonic()
            status, _ = _get(port)
            simple.append((status, time.monotonic() - started))
        outcomes = sorted(f.result()[0] for f in heavy)
    assert all(status == 200 for status, _ in simple)
    assert max(seconds for _, seconds in simple) < 1.5, simple
    # one heavy query at a time (one per address, and one slot of two for addresses not known to be
    # quick): the others wait in the queue until their deadline (or are stopped, when they hold a new
    # address up), and none is answered
    assert set(outcomes) <= {503, 504} and outcomes.count(503) >= 2, outcomes
    status, body = _get(port, CROSS_JOIN, "127.0.0.6")  # a newcomer counts as slow until it proves quick
    assert status == 504


def test_serve_limits_slow_queries_from_many_addresses_do_not_hold_a_newcomer_up(start):
    served = start("--timeout", "30", "--max-queries", "2", "--max-queries-per-client", "1")
    port = _port(served)
    with ThreadPoolExecutor(3) as pool:
        heavy = [pool.submit(_get, port, CROSS_JOIN, f"127.0.0.{n}") for n in (2, 3, 4)]
        time.sleep(1.5)
        started = time.monotonic()
        status, _ = _get(port, ASK, "127.0.0.9")  # never seen before
        waited = time.monotonic() - started
        outcomes = [f.result() for f in heavy]
    assert status == 200 and waited < 12, waited  # not the 30 s the slow queries would take
    stopped = [body for code, body in outcomes if code == 503 and b"let other clients' queries run" in body]
    assert stopped, outcomes
    served.stop()
    assert "slow queries held the query engine while others waited" in served.stderr
    assert "Traceback" not in served.stderr


def test_serve_limits_a_newcomer_is_answered_within_a_second_while_many_addresses_ask_heavy_queries(start):
    served = start("--timeout", "8")  # the default queue: 4 at Oxigraph, 2 per address
    port = _port(served)
    stop = threading.Event()

    def attacker(source: str) -> list[int]:  # asks again at once, so that it is always the latest to ask
        statuses = []
        while not stop.is_set():
            status, _ = _get(port, CROSS_JOIN, source)
            statuses.append(status)
            if status == 503:
                stop.wait(0.2)
        return statuses

    with ThreadPoolExecutor(8) as pool:
        attackers = [pool.submit(attacker, f"127.0.0.{n}") for n in range(10, 18)]
        waits = []
        for n in range(1, 5):  # clients from addresses never seen before, while the attack goes on
            time.sleep(1.5)
            started = time.monotonic()
            status, body = _get(port, ASK, f"127.0.1.{n}", timeout=30)
            waits.append((status, round(time.monotonic() - started, 2)))
        stop.set()
        outcomes = [status for f in attackers for status in f.result()]
    assert all(status == 200 for status, _ in waits), waits
    assert max(seconds for _, seconds in waits) < 1.0, waits  # not behind the heavy queries that came first
    assert outcomes and 200 not in outcomes, outcomes  # the cross joins were stopped or timed out, never answered
    served.stop()
    assert "slow queries held the query engine while others waited" in served.stderr
    assert "Traceback" not in served.stderr


def test_serve_limits_query_engine_memory_is_bounded(start):
    served = start("--max-memory-mb", "300", "--timeout", "60")
    port = _port(served)
    (engine,) = served.children()
    started = time.monotonic()
    status, body = _get(port, SORTED_CROSS_JOIN, "127.0.0.2")
    assert status == 503 and b"restarted (over its memory limit of 300 MB)" in body, (status, body[:200])
    assert time.monotonic() - started < 30
    assert _get(port)[0] == 200  # once the engine is back, for others
    assert served.children() and served.children() != [engine]
    status, body = _get(port, ASK, "127.0.0.2")  # the address that sent it waits a while
    assert status == 503 and b"held the query engine too long or took it over its memory limit" in body, body
    assert served.process.poll() is None
    served.stop()
    assert "over its limit of 300 MB" in served.stderr and "refusing 127.0.0.2 for 30 s" in served.stderr
    assert "Traceback" not in served.stderr


# -- clients that go away --------------------------------------------------------------------------


def test_serve_limits_disconnecting_clients_leave_stderr_quiet(start):
    served = start("--read-timeout", "1")
    port = _port(served)
    big = b"GET /sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D HTTP/1.1\r\nHost: x\r\n\r\n"
    for _ in range(20):
        with _connect(port) as connection:  # asks for a large answer and leaves at once
            connection.sendall(big)
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        with _connect(port) as connection:  # leaves in the middle of its headers
            connection.sendall(b"GET /sparql HTTP/1.1\r\nHo")
        with _connect(port) as connection:  # leaves in the middle of its body
            connection.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                               b"Content-Length: 50\r\n\r\nASK")
    time.sleep(2)
    assert _get(port)[0] == 200
    assert served.stop() == 0
    assert "Traceback" not in served.stderr and len(served.stderr.splitlines()) < 5, served.stderr


def test_serve_limits_memory_limit_below_what_the_engine_needs_is_one_line(seed_store_path, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(seed_store_path, store)
    done = subprocess.run([*KG, "--store", str(store), "serve", "--port", "0", "--no-page", "--max-memory-mb", "1"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    last = done.stderr.splitlines()[-1]
    assert last.startswith(f"Error: {store}: the Oxigraph server takes ") and last.endswith(
        "MB with no request running, over --max-memory-mb 1; raise it (or 0 for no limit)"), done.stderr
    assert "Traceback" not in done.stderr
