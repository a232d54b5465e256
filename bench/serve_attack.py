"""kg serve under attack: slow sockets and heavy queries while a client asks simple ones.

A real ``kg serve`` process (its defaults unless ``--serve-args`` says otherwise)
over a synthetic store of about ``--triples`` triples (built as bench/query.py
builds its store), on loopback. Two phases:

1. **Burst**: ``--burst`` sockets (200) connect at the same moment, from ten
   loopback addresses, and each sends one ``ASK``; counted: answers 200,
   refusals, resets.
2. **Attack**, ``--seconds`` (60) long, three kinds of client at once, each in
   its own process so that none slows the others' Python:

   * ``--slow`` sockets (200), each from its own loopback address
     (127.0.3.x and up), sending an endless header one byte a second and
     connecting again whenever the server drops them (slowloris);
   * ``--heavy`` clients (20) from one address (127.0.0.3), each sending, in
     turn, a three-way cross join counted (CPU until the timeout) and a
     two-way cross join sorted (memory without end);
   * one client from 127.0.0.1 sending simple queries (an ``ASK`` and a
     ``SELECT ... LIMIT 10``) one after the other on a kept-alive connection,
     timed from sending to the last byte;
   * newcomers: every ``--newcomer-every`` seconds (5) a client from an address
     never seen before (127.0.6.x) connects and sends one ``ASK``, timed from
     the connect to the last byte of the answer (the wait of a new, well-behaved
     client).

   Sampled every 0.25 s: the resident memory (VmRSS) of the endpoint's whole
   process tree (the front and the Oxigraph process) and the front's threads.

Run::

    .venv/bin/python bench/serve_attack.py               # prints Markdown
    .venv/bin/python bench/serve_attack.py --results     # and appends it to bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
POL = "https://w3id.org/polkg/ontology#"
SIMPLE = [f"ASK {{ ?p a <{POL}Precondition> }}",
          "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } LIMIT 10"]
HEAVY = ["SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
         "SELECT * { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"]


def _request(query: str) -> bytes:
    return (f"GET /sparql?query={quote(query)} HTTP/1.1\r\nHost: bench\r\n"
            "Accept: application/sparql-results+json\r\n\r\n").encode()


# -- the attackers, each run as `serve_attack.py --role ROLE PORT COUNT SECONDS` ---------------------


def slow_sockets(port: int, count: int, seconds: float, addresses: int = 0) -> dict:
    """``count`` sockets from as many addresses, one header byte a second each, for ``seconds``."""
    selector = selectors.DefaultSelector()
    stop_at = time.monotonic() + seconds
    figures = {"connects": 0, "dropped": 0, "refused_503": 0, "connect_errors": 0}
    sockets: dict[int, tuple[socket.socket, str]] = {}
    header = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: bench\r\nX-Slow: "

    def open_one(slot: int) -> None:
        source = f"127.0.{3 + slot // 250}.{slot % 250 + 1}"
        sock = socket.socket()
        sock.setblocking(False)
        sock.bind((source, 0))
        try:
            sock.connect_ex(("127.0.0.1", port))
            figures["connects"] += 1
        except OSError:
            figures["connect_errors"] += 1
            sock.close()
            return
        sockets[slot] = (sock, 0)
        selector.register(sock, selectors.EVENT_READ, slot)

    def close_one(slot: int) -> None:
        sock, _ = sockets.pop(slot)
        selector.unregister(sock)
        sock.close()

    for slot in range(count):
        open_one(slot)
    next_byte = time.monotonic()
    while time.monotonic() < stop_at:
        for key, _ in selector.select(timeout=0.05):
            slot = key.data
            try:
                data = key.fileobj.recv(4096)
            except OSError:
                data = b""
            if b" 503 " in data[:20]:
                figures["refused_503"] += 1
            else:
                figures["dropped"] += 1
            close_one(slot)
            open_one(slot)
        if time.monotonic() >= next_byte:
            next_byte += 1.0
            for slot, (sock, sent) in list(sockets.items()):
                byte = header[sent:sent + 1] or b"a"
                try:
                    sock.send(byte)
                    sockets[slot] = (sock, sent + 1)
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    figures["dropped"] += 1
                    close_one(slot)
                    open_one(slot)
    for slot in list(sockets):
        close_one(slot)
    return figures


def heavy_clients(port: int, count: int, seconds: float, addresses: int = 1) -> dict:
    """``count`` threads sending heavy queries for ``seconds``, from 127.0.0.3 or, with several
    ``addresses``, from 127.0.4.1 and up; answers by status."""
    stop_at = time.monotonic() + seconds
    statuses: dict[str, int] = {}
    lock = threading.Lock()

    def client(number: int) -> None:
        i = number
        while time.monotonic() < stop_at:
            query = HEAVY[i % len(HEAVY)]
            i += 1
            source = "127.0.0.3" if addresses == 1 else f"127.0.4.{number % addresses + 1}"
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120, source_address=(source, 0))
            try:
                connection.request("GET", "/sparql?query=" + quote(query),
                                   headers={"Accept": "application/sparql-results+json"})
                answer = connection.getresponse()
                answer.read()
                outcome = str(answer.status)
                if answer.status == 503 and answer.getheader("Retry-After"):
                    time.sleep(min(1.0, max(0.0, stop_at - time.monotonic())))  # as a client would
            except OSError as exc:
                outcome = type(exc).__name__
            finally:
                connection.close()
            with lock:
                statuses[outcome] = statuses.get(outcome, 0) + 1

    with ThreadPoolExecutor(count) as pool:
        list(pool.map(client, range(count)))
    return statuses


# -- the measuring side -------------------------------------------------------------------------------


def tree_rss(pid: int) -> tuple[int, int]:
    """VmRSS (bytes) of ``pid`` and all its descendants, and the threads of ``pid``."""
    total, threads, todo = 0, 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
                elif line.startswith("Threads:") and current == pid:
                    threads = int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total, threads


def burst(port: int, count: int) -> dict:
    """``count`` sockets connecting at once from ten addresses, one ASK each."""
    ready = threading.Barrier(count)

    def client(n: int) -> str:
        try:
            with socket.socket() as sock:
                sock.settimeout(60)
                sock.bind((f"127.0.2.{n % 10 + 1}", 0))
                ready.wait(60)
                sock.connect(("127.0.0.1", port))
                sock.sendall(_request(SIMPLE[0]).replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
                answer = b""
                while chunk := sock.recv(65536):
                    answer += chunk
            return answer[9:12].decode() or "closed"
        except ConnectionResetError:
            return "reset"
        except OSError as exc:
            return type(exc).__name__

    with ThreadPoolExecutor(count) as pool:
        outcomes = list(pool.map(client, range(count)))
    return {o: outcomes.count(o) for o in sorted(set(outcomes))}


def simple_client(port: int, seconds: float) -> tuple[list[float], dict, list[str], float]:
    """Simple queries one after the other from 127.0.0.1: latencies (s) of the 200s, every status,
    the first few answers that were not 200, and how long the first one took (s)."""
    stop_at = time.monotonic() + seconds
    times, statuses, errors = [], {}, []
    first = float("nan")
    connection = None
    i = 0
    while time.monotonic() < stop_at:
        query = SIMPLE[i % len(SIMPLE)]
        i += 1
        started = time.perf_counter()
        outcome, body = None, b""
        for _ in (1, 2):  # a kept-alive connection the server closed: once more on a new one
            if connection is None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=("127.0.0.1", 0))
            try:
                connection.request("GET", "/sparql?query=" + quote(query),
                                   headers={"Accept": "application/sparql-results+json"})
                answer = connection.getresponse()
                body = answer.read()
                outcome = str(answer.status)
                if answer.status == 200 and not json.loads(body):
                    outcome = "empty"
                if answer.will_close:
                    connection.close()
                    connection = None
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
                connection.close()
                connection = None
                outcome = type(exc).__name__
            except OSError as exc:
                connection.close()
                connection = None
                outcome = type(exc).__name__
                break
        elapsed = time.perf_counter() - started
        if i == 1:
            first = elapsed
        statuses[outcome] = statuses.get(outcome, 0) + 1
        if outcome == "200":
            times.append(elapsed)
        elif len(errors) < 5:
            errors.append(f"{outcome}: {body[:160].decode('utf-8', 'replace').strip() if body else ''}")
        time.sleep(0.01)
    return times, statuses, errors, first


def newcomers(port: int, seconds: float, every: float) -> list[tuple[float, str, float]]:
    """A client from a new address every ``every`` seconds for ``seconds``, one ``ASK`` each:
    (when it came, its status, seconds from the connect to the answer's last byte)."""
    began = time.monotonic()
    outcomes = []
    n = 0
    while time.monotonic() - began + every < seconds:
        time.sleep(every)
        n += 1
        came = time.monotonic() - began
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(f"127.0.6.{n}", 0))
        try:
            connection.request("GET", "/sparql?query=" + quote(SIMPLE[0]),
                               headers={"Accept": "application/sparql-results+json"})
            answer = connection.getresponse()
            answer.read()
            outcome = str(answer.status)
        except OSError as exc:
            outcome = type(exc).__name__
        finally:
            connection.close()
        outcomes.append((round(came, 1), outcome, time.perf_counter() - started))
    return outcomes


def _role(role: str, port: int, count: int, seconds: float, addresses: int = 1) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, "--role", role, str(port), str(count), str(seconds),
                             str(addresses)],
                            stdout=subprocess.PIPE, text=True)


def start_serve(store: Path, extra: list[str]) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen([sys.executable, "-m", "kg", "--store", str(store), "serve", "--port", "0",
                                "--no-page", *extra], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    first = process.stdout.readline()
    if not first.startswith("SPARQL endpoint:"):
        process.kill()
        raise SystemExit(f"kg serve did not start: {first!r}")
    while not process.stdout.readline().startswith("Press Ctrl+C"):
        pass
    return process, int(first.split()[2].rsplit(":", 1)[1].split("/")[0])


def attack(store: Path, args) -> dict:
    serve, port = start_serve(store, args.serve_args.split())
    try:
        rss_idle, threads_idle = tree_rss(serve.pid)
        bursts = burst(port, args.burst)
        peak = {"rss": 0, "threads": 0}
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.wait(0.25):
                rss, threads = tree_rss(serve.pid)
                peak["rss"], peak["threads"] = max(peak["rss"], rss), max(peak["threads"], threads)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        attackers = [_role("slow", port, args.slow, args.seconds), _role("heavy", port, args.heavy, args.seconds, args.heavy_addresses)]
        time.sleep(2)  # let the attack build up first
        arrivals: list = []
        newcomer = threading.Thread(target=lambda: arrivals.extend(newcomers(port, args.seconds - 2,
                                                                              args.newcomer_every)), daemon=True)
        newcomer.start()
        times, statuses, errors, first = simple_client(port, args.seconds - 2)
        newcomer.join()
        load_during = os.getloadavg()[0]
        reports = [json.loads(a.communicate(timeout=300)[0]) for a in attackers]
        sampling.set()
        sampler.join()
        alive = serve.poll() is None
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(60)
    times.sort()
    return {
        "burst": bursts, "simple": statuses, "simple_n": len(times), "simple_errors": errors,
        "p50_ms": round(statistics.median(times) * 1000, 1) if times else None,
        "p95_ms": round(times[int(len(times) * 0.95)] * 1000, 1) if times else None,
        "max_ms": round(times[-1] * 1000, 1) if times else None,
        "slow": reports[0], "heavy": reports[1],
        "first_ms": round(first * 1000, 1),
        "newcomers": [(came, outcome, round(waited * 1000, 1)) for came, outcome, waited in arrivals],
        "load_during": round(load_during, 1),
        "rss_idle_mb": round(rss_idle / 2**20), "rss_peak_mb": round(peak["rss"] / 2**20),
        "threads_idle": threads_idle, "threads_peak": peak["threads"], "serve_alive": alive,
    }


def markdown(figures: dict, args, triples: int) -> str:
    burst_text = ", ".join(f"{n} {o}" for o, n in figures["burst"].items())
    simple_text = ", ".join(f"{n} {o}" for o, n in sorted(figures["simple"].items()))
    heavy_text = ", ".join(f"{n} {o}" for o, n in sorted(figures["heavy"].items()))
    slow = figures["slow"]
    waits = [ms for _, outcome, ms in figures["newcomers"] if outcome == "200"]
    others = [f"{outcome} at {came:g} s" for came, outcome, _ in figures["newcomers"] if outcome != "200"]
    newcomer_text = (f"{len(figures['newcomers'])} clients from new addresses, one every {args.newcomer_every:g} s: "
                     f"{len(waits)} answered 200, from connect to answer median "
                     f"{statistics.median(waits) if waits else float('nan'):.1f} ms, longest "
                     f"{max(waits) if waits else float('nan'):.1f} ms" + (f"; not answered: {', '.join(others)}" if others else ""))
    return f"""
## kg serve under attack

`.venv/bin/python bench/serve_attack.py --seconds {args.seconds:g} --slow {args.slow} --heavy {args.heavy} \
--heavy-addresses {args.heavy_addresses}` \
(`kg serve` flags: {args.serve_args or 'the defaults'}), store of {triples:,} triples

| simple queries answered | p50 | p95 | max | endpoint RSS idle / peak (front + Oxigraph) | front threads idle / peak |
|---:|---:|---:|---:|---:|---:|
| {figures['simple_n']:,} | {figures['p50_ms']} ms | {figures['p95_ms']} ms | {figures['max_ms']} ms | \
{figures['rss_idle_mb']} / {figures['rss_peak_mb']} MB | {figures['threads_idle']} / {figures['threads_peak']} |

- The simple client's first query (a new address then): {figures['first_ms']} ms.
- {newcomer_text}.
- Burst of {args.burst} simultaneous connects (ten addresses, one `ASK` each): {burst_text}.
- Simple client's answers: {simple_text}.
- {args.slow} slow sockets from {args.slow} addresses: {slow['connects']:,} connections in all, \
{slow['dropped']:,} dropped by the server's read timeout (or taken over by newcomers), {slow['refused_503']:,} refused.
- {args.heavy} heavy clients from {args.heavy_addresses} address(es): {heavy_text}.
- Endpoint alive at the end: {'yes' if figures['serve_alive'] else 'no'}.

Machine: {describe('oxigraph', 'pyoxigraph')}; 1-minute load average {args.load_before} before the run and \
{figures['load_during']} at its end (`uptime`; the machine is shared with other jobs).
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--role", nargs=5, metavar=("ROLE", "PORT", "COUNT", "SECONDS", "ADDRESSES"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--triples", type=int, default=100_000, help="size of the store (default 100,000)")
    parser.add_argument("--store", type=Path, help="an existing store to serve (default: build one, then remove it)")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--slow", type=int, default=200, help="slow sockets (default 200)")
    parser.add_argument("--heavy", type=int, default=20, help="heavy-query clients (default 20)")
    parser.add_argument("--heavy-addresses", type=int, default=1,
                        help="addresses the heavy clients come from (default 1; at most 250)")
    parser.add_argument("--newcomer-every", type=float, default=5,
                        help="seconds between two clients from new addresses (default 5)")
    parser.add_argument("--burst", type=int, default=200, help="simultaneous connects of the burst (default 200)")
    parser.add_argument("--serve-args", default="", help="extra kg serve flags, e.g. '--max-memory-mb 512'")
    parser.add_argument("--results", action="store_true", help="append the Markdown to bench/RESULTS.md")
    args = parser.parse_args(argv)
    if args.role:
        role, port, count, seconds, addresses = args.role
        run = {"slow": slow_sockets, "heavy": heavy_clients}[role]
        print(json.dumps(run(int(port), int(count), float(seconds), int(addresses))))
        return 0
    args.load_before = f"{os.getloadavg()[0]:.1f}"
    folder = None
    if args.store is None:
        from query import build

        folder = Path(tempfile.mkdtemp(prefix="polkg-attack-"))
        store, _, _, _ = build(folder / "store", args.triples, seed=7)
        triples = len(store)
        store.close()
        args.store = folder / "store"
    else:
        from kg.store import open_store

        with open_store(args.store, read_only=True) as store:
            triples = len(store)
    try:
        figures = attack(args.store, args)
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(figures), file=sys.stderr)
    text = markdown(figures, args, triples)
    print(text)
    if args.results:
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as fh:
            fh.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
