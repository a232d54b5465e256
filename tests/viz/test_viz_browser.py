"""The viewer in headless Chromium (Debian's, driven by Playwright): what it draws, and that it is safe.

Every page a test opens must end clean: no console error or warning, no
dialog, and no request but the page itself (checked when the test ends).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from viewer_data import ROOT, build_viz_store, synthetic_graph

pytestmark = pytest.mark.slow

ARTIFACTS = ROOT / "out" / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
RUSSIA = "https://w3id.org/polkg/ref/Russia"


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium, headless (never a browser that Playwright downloads)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """An open page, with what it logged, asked for and popped up."""

    def __init__(self, browser, url: str | None = None, *, html: str | None = None) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.url = url
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda msg: self.errors.append(f"{msg.type}: {msg.text}")
                     if msg.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda request: self.requests.append(request.url))
        if url is not None:
            self.page.goto(url)
            wait_ready(self.page)
        else:
            self.page.set_content(html)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def details(self) -> str:
        return self.page.inner_text("#details")

    def assert_clean(self) -> None:
        assert self.errors == []
        assert self.dialogs == []
        assert [u for u in self.requests if u != self.url and not u.startswith("about:")] == []


def wait_ready(frame, timeout: float = 30_000) -> None:
    frame.wait_for_function("window.polkg && window.polkg.ready === true", timeout=timeout, polling=20)


@pytest.fixture
def visit(chromium):
    """``visit(url)`` or ``visit(html=...)`` opens a page; each must be clean when the test ends."""
    pages: list[Visit] = []

    def open_page(url: str | None = None, *, html: str | None = None) -> Visit:
        pages.append(Visit(chromium, url, html=html))
        return pages[-1]

    yield open_page
    try:
        for page in pages:
            page.assert_clean()
    finally:
        for page in pages:
            page.page.close()


@pytest.fixture(scope="module")
def viz_store_path(seed_store_path, tmp_path_factory) -> Path:
    return build_viz_store(seed_store_path, tmp_path_factory.mktemp("viz") / "store")


@pytest.fixture(scope="module")
def viz_graph(viz_store_path):
    from kg.store import open_store
    from kg.viz import to_view_graph

    with open_store(viz_store_path, read_only=True) as store:
        return to_view_graph(store)


@pytest.fixture(scope="module")
def viz_page(viz_store_path, tmp_path_factory) -> Path:
    """The page ``kg view`` writes for the viz store."""
    from kg.cli import main

    out = tmp_path_factory.mktemp("viz-page") / "graph.html"
    result = CliRunner().invoke(main, ["--store", str(viz_store_path), "view", "--output", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def drawn(page: Visit) -> dict:
    """Nodes and edges in vis-network's data, and those it draws (not hidden)."""
    return page.js("""() => ({
        nodes: window.network.body.data.nodes.length, edges: window.network.body.data.edges.length,
        drawnNodes: window.network.body.nodeIndices.length, drawnEdges: window.network.body.edgeIndices.length,
        hidden: window.network.body.data.nodes.get({filter: n => n.hidden === true}).map(n => n.id).sort()})""")


def screen_point(page: Visit, canvas_xy: dict) -> dict:
    """A point of the network's canvas: its DOM position in the network, and on the page."""
    return page.js("""(p) => {
        const dom = window.network.canvasToDOM(p);
        const rect = document.querySelector("#graph canvas").getBoundingClientRect();
        const node = window.network.getNodeAt(dom);
        return {x: rect.left + dom.x, y: rect.top + dom.y, inside: dom.x > 5 && dom.y > 5 &&
                dom.x < rect.width - 5 && dom.y < rect.height - 5,
                edge: window.network.getEdgeAt(dom) ?? null, node: node === undefined ? null : node};
    }""", canvas_xy)


def node_position(page: Visit, node_id: str) -> dict:
    return page.js("(id) => window.network.getPositions([id])[id]", node_id)


def test_viewer_seed_page_as_make_demo_writes_it(seed_store_path, tmp_path, visit):
    """`make demo`: ingest the seeds, `kg view -o`, open the page; also the README's screenshot."""
    from kg.cli import main
    from kg.store import open_store
    from kg.viz import to_view_graph

    store_path = tmp_path / "store"
    shutil.copytree(seed_store_path, store_path)
    out = tmp_path / "out" / "graph.html"
    result = CliRunner().invoke(main, ["--store", str(store_path), "view", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with open_store(store_path, read_only=True) as store:
        G = to_view_graph(store)
    assert result.output.strip() == f"wrote {out}: {len(G)} nodes, {G.number_of_edges()} edges"

    page = visit(out.as_uri())
    counts = drawn(page)
    assert counts["nodes"] == counts["drawnNodes"] == len(G) > 10
    assert counts["edges"] == counts["drawnEdges"] == G.number_of_edges()
    assert page.page.inner_text("#counts") == f"{len(G)} of {len(G)} nodes, {G.number_of_edges()} of " \
                                              f"{G.number_of_edges()} edges shown"
    # a click on a precondition shows its quote and its document
    withdraw = next(n for n, d in G.nodes(data=True) if d["type"] == "Precondition" and d["name"] == "withdraw forces")
    point = screen_point(page, node_position(page, withdraw))
    assert point["node"] == withdraw
    page.page.mouse.click(point["x"], point["y"])
    assert page.page.inner_text("#details .quote") == G.nodes[withdraw]["quote"]
    title = next(iter(G.graph["documents"].values()))["title"]
    assert f"Document: {title}" in page.details() and "File: " in page.details()
    # the file as found in the folder ingested (tests ingest it by its absolute path), never the machine's path
    from conftest import SEED

    assert f"File:\n{SEED.name}" in page.details() or f"File: {SEED.name}" in page.details()
    assert str(ROOT) not in page.details() and str(tmp_path) not in page.page.content()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.page.mouse.move(1380, 500)  # an empty spot of the canvas: no hover tooltip in the picture
    time.sleep(0.3)
    page.page.screenshot(path=str(ARTIFACTS / "screenshot-seed.png"))
    # the README's 16-node picture: Russia found by one of its names, its record in the panel
    page.page.fill("#search", "Kremlin")
    page.page.press("#search", "Enter")
    assert page.js("() => window.network.getSelectedNodes()") == [RUSSIA]
    page.page.mouse.move(1380, 500)
    time.sleep(0.3)
    page.page.screenshot(path=str(ARTIFACTS / "viewer-16.png"))


def test_viewer_draws_every_node_and_edge_with_a_legend(viz_page, viz_graph, visit):
    G = viz_graph
    page = visit(viz_page.as_uri())
    ids = page.js("() => window.network.body.data.nodes.getIds().sort()")
    assert ids == sorted(G.nodes)
    counts = drawn(page)
    assert counts["edges"] == counts["drawnEdges"] == G.number_of_edges()
    # the legend names each type on the page, with its count
    rows = page.js("""() => Array.from(document.querySelectorAll("#legend label")).map(row =>
        [row.dataset.type, row.querySelector(".count").textContent, !!row.querySelector("svg")])""")
    types = {}
    for _, kind in G.nodes(data="type"):
        types[kind] = types.get(kind, 0) + 1
    assert {kind: int(count) for kind, count, _ in rows} == types
    assert all(has_icon for _, _, has_icon in rows)
    assert {"State", "Person", "Region", "Precondition", "Position", "Outcome", "Document"} <= set(types)


def test_viewer_search_by_alias_focuses_the_node(viz_page, visit):
    page = visit(viz_page.as_uri())
    page.page.fill("#search", "Atlantis")
    page.page.press("#search", "Enter")
    assert page.page.inner_text("#search-status") == "Nothing is called \u201cAtlantis\u201d."
    page.page.fill("#search", "kremlin")
    page.page.press("#search", "Enter")
    assert page.js("() => window.network.getSelectedNodes()") == [RUSSIA]
    centre = page.js("() => window.network.getViewPosition()")
    node = node_position(page, RUSSIA)
    assert abs(centre["x"] - node["x"]) < 1 and abs(centre["y"] - node["y"]) < 1
    text = page.details()
    assert "Name: Russia" in text and "Wikidata: Q159" in text
    assert page.js("() => document.querySelector('#details a').href") == "https://www.wikidata.org/wiki/Q159"
    # a Wikidata id finds its actor too
    page.page.fill("#search", "Q7747")
    page.page.press("#search", "Enter")
    assert page.js("() => window.network.getSelectedNodes()") == ["https://w3id.org/polkg/ref/Vladimir_Putin"]


def test_viewer_type_filter_hides_exactly_that_type(viz_page, viz_graph, visit):
    regions = sorted(n for n, kind in viz_graph.nodes(data="type") if kind == "Region")
    page = visit(viz_page.as_uri())
    page.page.click('#legend label[data-type="Region"] input')
    counts = drawn(page)
    assert counts["hidden"] == regions
    assert counts["drawnNodes"] == len(viz_graph) - len(regions)
    about = sum(1 for *_, kind in viz_graph.edges(data="kind") if kind == "about")
    assert counts["drawnEdges"] == viz_graph.number_of_edges() - about
    page.page.click('#legend label[data-type="Region"] input')
    assert drawn(page)["hidden"] == []


def _shown(page: Visit) -> set[str]:
    return set(page.js("() => window.network.body.data.nodes.get({filter: n => !n.hidden}).map(n => n.id)"))


def test_viewer_document_and_date_filters(viz_page, viz_graph, visit):
    G = viz_graph
    documents = G.graph["documents"]
    by_title = {info["title"] or "": iri for iri, info in documents.items()}
    armenia_doc = by_title["Armenia sets terms for a peace agreement"]
    preconditions = {G.nodes[n]["facts"][0][1]: n for n, kind in G.nodes(data="type") if kind == "Precondition"
                     and G.nodes[n]["name"] == "withdraw forces"}  # demander -> precondition
    armenia, serbia = preconditions["Armenia"], preconditions["Serbia"]
    hostile = [n for n, d in G.nodes(data=True) if d["type"] in ("Precondition", "Position")
               and "<img src=x" in d["quote"]]
    hostile_dated = [n for n in hostile if G.nodes[n]["date"]]
    seed = [n for n, d in G.nodes(data=True) if d["type"] == "Precondition" and "Donetsk" in d["quote"]]
    assert hostile and len(seed) == 1

    page = visit(viz_page.as_uri())
    index = page.js("(iri) => window.polkg.data.documents.findIndex(d => d.id === iri)", armenia_doc)
    page.page.select_option("#doc-filter", str(index))
    shown = _shown(page)
    assert armenia in shown and armenia_doc in shown
    assert serbia not in shown and not set(hostile) & shown and not set(seed) & shown
    assert "https://w3id.org/polkg/ref/Armenia" in shown and RUSSIA not in shown
    assert not {iri for iri in documents if iri != armenia_doc} & shown

    page.page.select_option("#doc-filter", "")
    page.page.fill("#date-from", "2024-01-01")
    page.page.fill("#date-to", "2024-12-31")
    page.page.dispatch_event("#date-to", "change")
    shown = _shown(page)  # undated items are kept by default
    assert serbia in shown and set(hostile) <= shown and set(seed) <= shown and armenia not in shown
    page.page.uncheck("#undated")
    shown = _shown(page)
    assert serbia in shown and set(hostile_dated) <= shown and not (set(hostile) - set(hostile_dated)) & shown
    assert armenia not in shown and not set(seed) & shown
    page.page.click("#reset")
    assert drawn(page)["hidden"] == []


def test_viewer_click_on_an_edge_shows_its_quote(viz_page, viz_graph, visit):
    page = visit(viz_page.as_uri())
    # straight edges with a quote, those of the hostile document first
    candidates = page.js("""() => window.polkg.data.edges.filter(e => e.quote && !e.smooth)
        .sort((a, b) => (b.quote.includes("<img") - a.quote.includes("<img"))).map(e => e.id)""")
    for edge_id in candidates:
        ends = page.js("(id) => window.network.body.data.edges.get(id)", edge_id)
        a, b = node_position(page, ends["from"]), node_position(page, ends["to"])
        point = screen_point(page, {"x": (a["x"] + b["x"]) / 2, "y": (a["y"] + b["y"]) / 2})
        if point["inside"] and point["edge"] == edge_id and point["node"] is None:
            break
    else:
        pytest.fail("no edge has a clear midpoint on screen")
    page.page.mouse.click(point["x"], point["y"])
    edge = page.js("(id) => window.polkg.data.edges.find(e => e.id === id)", edge_id)
    assert page.js("() => document.querySelector('#details').dataset.kind") == "edge"
    assert page.page.inner_text("#details .quote") == edge["quote"]
    assert "<img src=x onerror=alert(1)>" in edge["quote"]  # hostile text, shown as text
    text = page.details()
    assert f"From: {viz_graph.nodes[edge['from']]['name']}" in text
    assert f"To: {viz_graph.nodes[edge['to']]['name']}" in text
    assert f"Characters: {edge['start']}–{edge['end']}" in text


def test_viewer_hostile_document_runs_nothing(viz_page, viz_graph, visit):
    raw = viz_page.read_text(encoding="utf-8")
    assert "<script>alert" not in raw and "<img src=x" not in raw and "<b onmouseover" not in raw
    page = visit(viz_page.as_uri())
    markup = page.js("() => [document.querySelectorAll('img').length, document.querySelectorAll('script').length]")
    assert markup == [0, 3]  # the data, vis-network, the page's own script

    documents = viz_graph.graph["documents"]
    hostile_doc = next(iri for iri, info in documents.items() if "<script>" in (info["title"] or ""))
    javascript_doc = next(iri for iri, info in documents.items() if info["source"] == "javascript:alert(3)")
    https_doc = next(iri for iri, info in documents.items() if (info["source"] or "").startswith("https://"))
    for doc in (hostile_doc, javascript_doc, https_doc):
        page.js("() => window.network.fit()")
        point = screen_point(page, node_position(page, doc))
        assert point["node"] == doc
        page.page.mouse.click(point["x"], point["y"])
        text = page.details()
        assert f"Document: {documents[doc]['title']}" in text
        links = page.js("() => Array.from(document.querySelectorAll('#details a')).map(a => a.href)")
        if doc == https_doc:
            assert links == [documents[doc]["source"]]
        else:
            assert links == []
        if doc == javascript_doc:
            assert "Source: javascript:alert(3)" in text  # as text, not a link
    # every quote of the hostile document reaches the panel as text
    for node, data in viz_graph.nodes(data=True):
        if data.get("document") == hostile_doc:
            page.js("(id) => window.polkg.showNode(id)", node)
            assert page.page.inner_text("#details .quote") == data["quote"]
    page.page.fill("#search", "Talks in Geneva <script>")
    page.page.press("#search", "Enter")
    assert page.js("() => window.network.getSelectedNodes()") == [hostile_doc]
    page.page.mouse.move(700, 450)
    after = page.js("""() => [document.querySelectorAll('img').length, document.querySelectorAll('script').length,
                              document.querySelectorAll('[onerror],[onmouseover],[onclick]').length]""")
    assert after == [0, 3, 0]


@pytest.mark.parametrize("options, note", [
    (["--focus", "Kremlin", "--hops", "1"], "Within 1 hop of Russia."),
    (["--max-nodes", "6"], "Showing the 6 most central of"),
    (["--query", "QUERY"], "Drawing the result of a CONSTRUCT query."),
])
def test_viewer_focus_query_and_max_nodes_pages(options, note, viz_store_path, tmp_path, visit):
    from kg.cli import main

    query = tmp_path / "demands.rq"
    query.write_text("PREFIX pol: <https://w3id.org/polkg/ontology#>\n"
                     "CONSTRUCT { ?p pol:demander ?d ; pol:addressee ?a }\n"
                     "WHERE { ?p pol:demander ?d ; pol:addressee ?a }", encoding="utf-8")
    out = tmp_path / "graph.html"
    args = [str(query) if item == "QUERY" else item for item in options]
    result = CliRunner().invoke(main, ["--store", str(viz_store_path), "view", "-o", str(out), *args],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    nodes = int(result.output.split(": ", 1)[1].split(" nodes")[0])
    page = visit(out.as_uri())
    counts = drawn(page)
    assert counts["nodes"] == counts["drawnNodes"] == nodes
    assert note in page.page.inner_text("#notes")


def test_viewer_5000_nodes_ready_and_interactive_within_10_s(tmp_path, visit):
    from kg.viz import render_html

    G = synthetic_graph(5000)
    out = tmp_path / "large.html"
    out.write_text(render_html(G), encoding="utf-8")
    start = time.perf_counter()
    page = visit(out.as_uri())
    scale = page.js("() => window.network.getScale()")
    page.page.mouse.move(900, 450)
    page.page.mouse.wheel(0, -400)
    page.page.wait_for_function("(s) => window.network.getScale() > s", arg=scale, timeout=5_000)
    elapsed = time.perf_counter() - start
    assert drawn(page)["drawnNodes"] == 5000
    assert elapsed < 10, f"ready and zoomed after {elapsed:.1f} s"


def test_viewer_in_a_notebook_iframe(viz_graph, visit):
    from kg.viz import show

    frame_html = show(viz_graph, height=500).data
    page = visit(html=frame_html)
    frame = page.page.frame_locator("iframe")
    inner = next(f for f in page.page.frames if f != page.page.main_frame)
    wait_ready(inner)
    assert inner.evaluate("window.network.body.data.nodes.length") == len(viz_graph)
    assert frame.locator("#legend label").count() == len({kind for _, kind in viz_graph.nodes(data="type")})
    # the sandboxed frame cannot reach the notebook page
    assert inner.evaluate("() => { try { return window.parent.document.title; } catch (e) { return 'blocked'; } }") \
        == "blocked"
