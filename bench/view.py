"""Viewer benchmark: time to write the page, and time until Chromium has drawn it.

Graphs are synthetic but shaped like :func:`kg.analysis.to_networkx` output:
actors and regions, one edge per assertion (``demands_of``, ``demands_about``,
``speaks_for``) with a quote and a document, a few hubs (preferential choice of
the actors that make demands), about two edges per node.

    .venv/bin/python bench/view.py                      # 500, 2,000 and 5,000 nodes, 3 runs each
    .venv/bin/python bench/view.py --sizes 5000 --runs 5

For each size it reports the median of the runs:

- write: ``kg.viz.render_html`` (layout included) and writing the file;
- ready: from ``page.goto`` until the page's first drawing of the finished
  graph (physics is off; the page sets ``window.polkg.ready`` on vis-network's
  first ``afterDrawing``), measured in Python;
- redraw: one redraw of the whole graph as it opens (every node and edge in
  view), measured in the page: the cost of a frame once the graph is up;
- click: a real mouse click on a node until the details panel and the table
  show it and the next frame is painted, measured in the page from the
  ``pointerdown`` event (the median of clicks on 5 nodes, each after the
  pointer has rested on the node for 0.4 s, as a hand moves onto it first).

``--screenshots DIR`` saves the page of each size as ``DIR/viewer-<nodes>.png``.
Targets: at 500 nodes ready within 3 s and a click answered within 100 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.viz import render_html  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ACTOR_TYPES = ["State", "State", "Government", "Person", "Person", "Alliance", "ArmedGroup", "Organization", "Party"]
ACTIONS = ["withdraw_forces", "recognize_territory", "renounce_alliance", "neutrality", "ceasefire", "lift_sanctions",
           "security_guarantees", "release_prisoners"]
WORDS = ("the government said it would only return to talks once forces left the region and guarantees were "
         "given by both sides before any ceasefire could hold").split()


def synthetic_graph(n: int, *, seed: int = 1) -> nx.MultiDiGraph:
    """A graph of ``n`` actors and regions shaped like ``kg.analysis.to_networkx`` output."""
    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    actors = [f"https://w3id.org/polkg/id/actor/a{i}" for i in range(int(n * 0.45))]
    regions = [f"https://w3id.org/polkg/id/region/r{i}" for i in range(n - len(actors))]
    for i, node in enumerate(actors):
        kind = rng.choice(ACTOR_TYPES)
        G.add_node(node, name=f"Actor {i}", type=kind, role="actor", roles=("actor",),
                   wikidata=f"Q{1000 + i}" if rng.random() < 0.5 else None)
    for i, node in enumerate(regions):
        G.add_node(node, name=f"Region {i}", type="Region", role="region", roles=("region",), wikidata=None)
    weights = [1 / (rank + 1) ** 1.1 for rank in range(len(actors))]
    documents = [f"https://w3id.org/polkg/id/doc/{i:016x}" for i in range(max(1, n // 5))]
    for index in range(2 * n):
        source = rng.choices(actors, weights)[0]
        draw = rng.random()
        if draw < 0.4:
            kind, target, label = "demands_of", rng.choice(actors), rng.choice(ACTIONS)
        elif draw < 0.9:
            kind, target, label = "demands_about", rng.choice(regions), rng.choice(ACTIONS)
        else:
            kind, target, label = "speaks_for", rng.choice(actors[:50]), "speaks for"
        if source == target:
            continue
        quote = " ".join(rng.choice(WORDS) for _ in range(25)).capitalize() + "."
        start = rng.randrange(0, 4000)
        G.add_edge(source, target, key=f"assertion/{index}#{kind}", kind=kind, label=label, quote=quote,
                   document=rng.choice(documents), start=start, end=start + len(quote),
                   assertion=f"https://w3id.org/polkg/id/assertion/{index}")
    # every node has at least one link, as in a graph projected from assertions
    for node in regions + actors:
        if G.degree(node) == 0:
            G.add_edge(rng.choice(actors[:20]), node, key=f"extra/{node}", kind="demands_about", label="ceasefire",
                       quote="A ceasefire first.", document=documents[0], start=0, end=18, assertion=node + "/a")
    return G


CLICK = """async (id) => {
    const p = window.network.getPositions([id])[id];
    const dom = window.network.canvasToDOM(p);
    const canvas = document.querySelector("#graph canvas");
    const rect = canvas.getBoundingClientRect();
    return {x: rect.left + dom.x, y: rect.top + dom.y, hit: window.network.getNodeAt(dom) ?? null};
}"""

ARM = """() => new Promise(resolve => {
    window.__clicked = null;
    const canvas = document.querySelector("#graph canvas");
    canvas.addEventListener("pointerdown", () => { window.__down = performance.now(); }, {capture: true, once: true});
    const details = document.getElementById("details");
    const seen = new MutationObserver(() => {
        seen.disconnect();
        requestAnimationFrame(() => setTimeout(() => { window.__clicked = performance.now() - window.__down; }, 0));
    });
    seen.observe(details, {childList: true, subtree: true});
    resolve(true);
})"""


def click_times(page, G: nx.MultiDiGraph) -> list[float]:
    """Seconds from a mouse click on a node to the panel showing it, for 5 well-linked nodes on screen."""
    times = []
    for node in sorted(G, key=lambda n: -G.degree(n))[:40]:
        point = page.evaluate(CLICK, node)
        if point["hit"] != node or not (0 < point["x"] < 1400 and 0 < point["y"] < 900):
            continue
        page.mouse.move(point["x"], point["y"])  # as a hand does: onto the node (hover, tooltip), then click
        page.wait_for_timeout(400)
        page.evaluate(ARM)
        page.mouse.click(point["x"], point["y"])
        page.wait_for_function("() => window.__clicked !== null", timeout=10_000, polling=10)
        times.append(page.evaluate("window.__clicked") / 1000)
        if len(times) == 5:
            break
    return times


def measure(sizes: list[int], runs: int, screenshots: Path | None = None) -> list[dict]:
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for n in sizes:
                G = synthetic_graph(n)
                writes, readies, redraws, clicks = [], [], [], []
                path = Path(tmp) / f"graph-{n}.html"
                for _ in range(runs):
                    t0 = time.perf_counter()
                    path.write_text(render_html(G, title=f"{n} nodes"), encoding="utf-8")
                    writes.append(time.perf_counter() - t0)
                for _ in range(runs):
                    page = browser.new_page(viewport={"width": 1400, "height": 900})
                    errors = []
                    page.on("pageerror", lambda exc: errors.append(str(exc)))
                    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
                    t0 = time.perf_counter()
                    page.goto(path.as_uri())
                    page.wait_for_function("window.polkg && window.polkg.ready", timeout=120_000, polling=20)
                    readies.append(time.perf_counter() - t0)
                    drawn = page.evaluate("window.network.body.data.nodes.length")
                    if drawn != G.number_of_nodes() or errors:
                        raise SystemExit(f"{n} nodes: page drew {drawn}, errors {errors}")
                    redraws.append(page.evaluate(
                        "() => { const t = performance.now(); window.network.redraw();"
                        " return performance.now() - t; }") / 1000)
                    clicks += click_times(page, G)
                    if screenshots is not None:
                        screenshots.mkdir(parents=True, exist_ok=True)
                        page.evaluate("() => { window.network.unselectAll(); window.polkg.placeLabels(); }")
                        page.screenshot(path=str(screenshots / f"viewer-{n}.png"))
                    page.close()
                rows.append({"nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
                             "bytes": path.stat().st_size, "write": statistics.median(writes),
                             "ready": statistics.median(readies), "redraw": statistics.median(redraws),
                             "click": statistics.median(clicks) if clicks else float("nan")})
        finally:
            browser.close()
    return rows


def table(rows: list[dict], runs: int) -> str:
    lines = ["| nodes | edges | page size | write HTML | ready in Chromium | one redraw | click to panel |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(f"| {row['nodes']:,} | {row['edges']:,} | {row['bytes'] / 1e6:.1f} MB | {row['write']:.2f} s | "
                     f"{row['ready']:.2f} s | {row['redraw'] * 1000:.0f} ms | {row['click'] * 1000:.0f} ms |")
    return "\n".join(lines) + f"\n\nMedians of {runs} runs."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--screenshots", type=Path, metavar="DIR", help="Save each page as DIR/viewer-<nodes>.png.")
    args = parser.parse_args()
    print(table(measure(args.sizes, args.runs, args.screenshots), args.runs))


if __name__ == "__main__":
    main()
