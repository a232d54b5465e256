"""The viewer as a workbench, in headless Chromium: readable labels, the table, an actor's record.

The page is the one ``kg view`` writes for the seed, the hostile and the dated
documents and two more short articles of our own (about 53 nodes). Every page
must end clean (see ``test_viz_browser.Visit``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from test_viz_browser import ARTIFACTS, RUSSIA, Visit, chromium, visit, viz_store_path  # noqa: F401 (fixtures)
from viewer_data import build_workbench_store

pytestmark = pytest.mark.slow

ACTOR_TYPES = {"State", "Government", "Person", "Alliance", "Organization", "ArmedGroup", "Party", "Actor"}
UKRAINE = "https://w3id.org/polkg/ref/Ukraine"


@pytest.fixture(scope="module")
def bench_store_path(viz_store_path, tmp_path_factory) -> Path:
    return build_workbench_store(viz_store_path, tmp_path_factory.mktemp("workbench") / "store")


@pytest.fixture(scope="module")
def bench_graph(bench_store_path):
    from kg.store import open_store
    from kg.viz import to_view_graph

    with open_store(bench_store_path, read_only=True) as store:
        return to_view_graph(store)


@pytest.fixture(scope="module")
def bench_page(bench_store_path, tmp_path_factory) -> Path:
    from kg.cli import main

    out = tmp_path_factory.mktemp("workbench-page") / "graph.html"
    result = CliRunner().invoke(main, ["--store", str(bench_store_path), "view", "--output", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


LABELS = """() => {
    const scale = window.network.getScale();
    return window.polkg.data.nodes.map(n => {
        const body = window.network.body.nodes[n.id];
        const px = Math.min(body.labelModule.fontOptions.size * scale, body.options.scaling.label.maxVisible);
        const text = body.options.label || "";
        return {id: n.id, type: n.type, px: px, text: text,
                drawn: text.trim() !== "" && px >= body.options.scaling.label.drawThreshold - 1};
    });
}"""

EDGE_LABELS = """() => {
    const scale = window.network.getScale();
    return window.polkg.data.edges.map(e => {
        const body = window.network.body.edges[e.id];
        return body.labelModule.fontOptions.size * scale >= body.options.scaling.label.drawThreshold - 1;
    });
}"""


def rows(page: Visit) -> list[dict]:
    return page.js("""() => Array.from(document.querySelectorAll("#rows tbody tr")).map(tr => ({
        node: tr.dataset.node, key: tr.dataset.key, hit: tr.classList.contains("hit"),
        selected: tr.getAttribute("aria-selected") === "true",
        cells: Array.from(tr.querySelectorAll("td")).slice(1).map(td => td.textContent)}))""")


def test_viewer_labels_readable_at_the_opening_zoom(bench_page, bench_graph, visit):
    G = bench_graph
    assert 45 <= len(G) <= 65
    page = visit(bench_page.as_uri())
    labels = page.js(LABELS)
    actors = [label for label in labels if label["type"] in ACTOR_TYPES]
    assert len(actors) >= 15
    for label in actors:  # every actor is named, at 11 px or more on screen
        assert label["drawn"] and label["px"] >= 11, label
    # minor labels are drawn at 11 px where they fit, and shortened or dropped where they would overlap
    minor = [label for label in labels if label["type"] not in ACTOR_TYPES | {"Region"}]
    assert all(label["px"] >= 11 for label in minor)
    assert sum(label["drawn"] for label in minor) >= len(minor) // 3
    # a document shows its title (or its first words) in its box, or, where it gives way, is a small square
    shapes = page.js("""() => window.polkg.data.nodes.filter(n => n.type === "Document").map(n => {
        const body = window.network.body.nodes[n.id];
        return [body.options.shape, (body.options.label || "").trim()]; })""")
    assert shapes and all((shape == "box" and text) or (shape == "square" and not text) for shape, text in shapes)
    assert sum(shape == "box" for shape, _ in shapes) >= len(shapes) // 2
    # arrowheads at this size from the start; edge labels only once zoomed in
    assert page.js(ARROWS) is True
    assert not any(page.js(EDGE_LABELS))
    page.js("() => window.network.moveTo({scale: window.polkg.baseScale * 2})")
    assert all(page.js(EDGE_LABELS))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.js("() => window.network.moveTo({scale: window.polkg.baseScale})")
    page.js("() => window.polkg.placeLabels()")
    page.page.screenshot(path=str(ARTIFACTS / "viewer-53.png"))


def test_viewer_labels_say_what_a_node_is(bench_page, bench_graph, visit):
    G = bench_graph
    page = visit(bench_page.as_uri())
    text = {n["id"]: n["text"] for n in page.js("() => window.polkg.data.nodes")}
    for node, data in G.nodes(data=True):
        if data["type"] == "Document":
            assert text[node] == data["name"] and data["name"] == G.graph["documents"][node]["title"]
        elif data["type"] == "Position":
            assert text[node] == data["topic"]
        elif data["type"] == "Precondition":
            assert text[node] != "other" and not text[node].startswith("other")
    # preconditions by action, addressee and regions
    kherson = next(n for n, d in G.nodes(data=True) if d["type"] == "Precondition"
                   and d["quote"].startswith("On 14 June 2024, Russia demanded"))
    assert text[kherson] == "withdraw forces — Ukraine — Kherson Oblast, Zaporizhzhia Oblast"


def test_viewer_communities_group_the_layout(bench_graph):
    from kg.analysis.communities import actor_communities
    from kg.viz.html import _layout_graph, _page_data

    data = _page_data(bench_graph, title="t", notes=[])
    groups = actor_communities(_layout_graph(bench_graph), seed=0)
    assert len(groups) >= 2
    by_id = {n["id"]: n for n in data["nodes"]}
    assert all(by_id[node]["community"] == i for i, members in enumerate(groups) for node in members)

    def spread(members) -> float:
        xs = [by_id[m]["x"] for m in members]
        ys = [by_id[m]["y"] for m in members]
        cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
        return sum(((x - cx) ** 2 + (y - cy) ** 2) ** 0.5 for x, y in zip(xs, ys)) / len(xs)

    everyone = [n["id"] for n in data["nodes"]]
    big = [members for members in groups if len(members) >= 4]
    assert big and all(spread(members) < spread(everyone) for members in big)


def test_viewer_table_row_selects_its_node_and_quote(bench_page, bench_graph, visit):
    G = bench_graph
    page = visit(bench_page.as_uri())
    preconditions = sorted(n for n, kind in G.nodes(data="type") if kind == "Precondition")
    table = rows(page)
    assert sorted(row["node"] for row in table) == preconditions
    target = next(row for row in table if row["cells"][0] == "Ukraine")
    page.page.click(f'#rows tbody tr[data-key="{target["key"]}"] td:nth-child(3)')
    assert page.js("() => window.network.getSelectedNodes()") == [target["node"]]
    assert page.page.inner_text("#details .quote") == G.nodes[target["node"]]["quote"]
    assert [row["selected"] for row in rows(page) if row["key"] == target["key"]] == [True]
    # ctrl-click adds a row; the graph selects both
    other = next(row for row in table if row["key"] != target["key"])
    page.page.click(f'#rows tbody tr[data-key="{other["key"]}"] td:nth-child(3)', modifiers=["Control"])
    assert sorted(page.js("() => window.network.getSelectedNodes()")) == sorted([target["node"], other["node"]])
    # the "show" button centres the graph on the row's node
    page.page.click(f'#rows tbody tr[data-key="{target["key"]}"] button.go')
    centre = page.js("() => window.network.getViewPosition()")
    node = page.js("(id) => window.network.getPositions([id])[id]", target["node"])
    assert abs(centre["x"] - node["x"]) < 1 and abs(centre["y"] - node["y"]) < 1


def test_viewer_graph_selection_marks_its_rows(bench_page, bench_graph, visit):
    G = bench_graph
    page = visit(bench_page.as_uri())
    page.page.fill("#search", "Kremlin")
    page.page.press("#search", "Enter")
    assert page.js("() => window.network.getSelectedNodes()") == [RUSSIA]
    involved = sorted(n for n, d in G.nodes(data=True) if d["type"] == "Precondition"
                      and (d["demander"] == RUSSIA or RUSSIA in d["addressees"] or RUSSIA in d["regions"]))
    assert len(involved) >= 3
    assert sorted(row["node"] for row in rows(page) if row["hit"]) == involved
    # a click on a node in the canvas does the same
    point = page.js("""(id) => { const p = window.network.getPositions([id])[id];
        const dom = window.network.canvasToDOM(p); const r = document.querySelector("#graph canvas").getBoundingClientRect();
        return {x: r.left + dom.x, y: r.top + dom.y, hit: window.network.getNodeAt(dom)}; }""", UKRAINE)
    assert point["hit"] == UKRAINE
    page.page.mouse.click(point["x"], point["y"])
    involved = sorted(n for n, d in G.nodes(data=True) if d["type"] == "Precondition"
                      and (d["demander"] == UKRAINE or UKRAINE in d["addressees"]))
    assert sorted(row["node"] for row in rows(page) if row["hit"]) == involved


def test_viewer_table_sorts_filters_and_downloads(bench_page, bench_graph, visit):
    G = bench_graph
    page = visit(bench_page.as_uri())
    page.page.click('#table-bar [data-tab="actors"]')
    actors = sorted(n for n, kind in G.nodes(data="type") if kind in ACTOR_TYPES)
    assert sorted(row["node"] for row in rows(page)) == actors
    page.page.click('#rows th[data-column="8"]')  # PageRank, ascending, then descending
    page.page.click('#rows th[data-column="8"]')
    ranks = [float(row["cells"][8]) for row in rows(page)]
    assert ranks == sorted(ranks, reverse=True) and ranks[0] > ranks[-1]
    page.page.click('#rows th[data-column="0"]')
    names = [row["cells"][0] for row in rows(page)]
    assert names == sorted(names, key=lambda s: s.lower()) or names == sorted(names)
    # the graph's filters apply to the table: hide people
    page.page.click('#legend label[data-type="Person"] input')
    people = {n for n, kind in G.nodes(data="type") if kind == "Person"}
    assert people and not people & {row["node"] for row in rows(page)}
    page.page.click('#legend label[data-type="Person"] input')
    # the document filter, on preconditions
    page.page.click('#table-bar [data-tab="preconditions"]')
    documents = G.graph["documents"]
    doc = next(iri for iri, info in documents.items() if info["title"] == "Moscow and Kyiv trade conditions before talks")
    index = page.js("(iri) => window.polkg.data.documents.findIndex(d => d.id === iri)", doc)
    page.page.select_option("#doc-filter", str(index))
    expected = sorted(n for n, d in G.nodes(data=True) if d["type"] == "Precondition" and d["document"] == doc)
    assert len(expected) >= 2 and sorted(row["node"] for row in rows(page)) == expected
    # the text filter, then the CSV of exactly the visible rows
    page.page.fill("#row-filter", "crimea")
    visible = rows(page)
    assert [row["cells"][3] for row in visible] == ["Crimea"]
    with page.page.expect_download() as info:
        page.page.click("#csv")
    download = info.value
    assert download.suggested_filename == "preconditions.csv"
    table = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert table[0][:8] == ["Demander", "Demand", "Addressee", "Regions", "For", "Date", "Document", "Quote"]
    assert [line[:8] for line in table[1:]] == [row["cells"] for row in visible]
    assert [line[8] for line in table[1:]] == [row["node"] for row in visible]


def test_viewer_actor_record(bench_page, bench_graph, visit):
    G = bench_graph
    page = visit(bench_page.as_uri())
    page.js("(id) => window.polkg.showNode(id)", RUSSIA)
    lists = page.js("""() => Object.fromEntries(Array.from(document.querySelectorAll("#details ul")).map(ul =>
        [ul.className, Array.from(ul.querySelectorAll("li")).map(li => li.textContent)]))""")
    text = page.details()
    spokespeople = sorted(u for u, v, kind in G.edges(data="kind") if kind == "speaks_for" and v == RUSSIA)
    assert spokespeople  # Putin, Peskov (reference data), Lavrov
    names = {n: d["name"] for n, d in G.nodes(data=True)}
    assert f"Spoken for by: {', '.join(sorted(names[p] for p in spokespeople))}" in text
    who = {RUSSIA, *spokespeople}
    # demands as demander (its spokespeople's too, marked "via"), and as addressee
    made = [n for n, d in G.nodes(data=True) if d["type"] == "Precondition" and d["demander"] in who]
    of_it = [n for n, d in G.nodes(data=True) if d["type"] == "Precondition" and RUSSIA in d["addressees"]]
    held = [n for n, d in G.nodes(data=True) if d["type"] == "Position" and d["holder"] in who]
    said = [d for u, v, d in G.edges(data=True) if d["kind"] == "statement" and u in who]
    assert made and of_it and held and said
    assert len(lists["demands"]) == len(made) and len(lists["demanded"]) == len(of_it)
    assert len(lists["positions"]) == len(held) and len(lists["statements"]) == len(said)
    assert any("withdraw forces — Ukraine" in item for item in lists["demands"])
    assert any(item.startswith("Ukraine: withdraw forces") for item in lists["demanded"])
    assert sum("via " in item for item in lists["positions"] + lists["statements"]) >= 1
    dated = [d["date"] for d in said if d["date"]]
    assert dated and all(any(date in item for item in lists["statements"]) for date in dated)
    assert "Wikidata: Q159" in text and "PageRank" in text and "Community: " in text
    # an item of the record selects its node
    page.page.click("#details ul.demanded li button")
    assert page.js("() => window.network.getSelectedNodes()") == [of_it[0]] or \
        page.js("() => window.network.getSelectedNodes()")[0] in of_it
    # a person's panel names who they speak for
    lavrov = next(n for n, d in G.nodes(data=True) if d["name"] == "Sergey Lavrov")
    page.js("(id) => window.polkg.showNode(id)", lavrov)
    assert "Speaks for: Russia" in page.details()


def test_viewer_table_shows_hostile_text_as_text(bench_page, bench_graph, visit):
    raw = bench_page.read_text(encoding="utf-8")
    assert "<img src=x" not in raw and "<script>alert" not in raw
    page = visit(bench_page.as_uri())
    seen = []
    for tab in ("preconditions", "positions", "statements", "actors"):
        page.page.click(f'#table-bar [data-tab="{tab}"]')
        seen += [cell for row in rows(page) for cell in row["cells"]]
    assert any("<img src=x onerror=alert(1)>" in cell for cell in seen)
    assert any("<script>alert(1)</script>" in cell for cell in seen)
    page.js("(id) => window.polkg.showNode(id)", RUSSIA)
    page.page.click("#details ul.statements li button")
    markup = page.js("""() => [document.querySelectorAll('img').length, document.querySelectorAll('script').length,
                               document.querySelectorAll('[onerror],[onmouseover],[onclick]').length]""")
    assert markup == [0, 3, 0]


ARROWS = "() => { const edges = window.network.body.edges; return edges[Object.keys(edges)[0]].options.arrows.to.enabled; }"

LABEL_BOXES = """() => window.polkg.data.nodes.map(n => {
    const body = window.network.body.nodes[n.id], size = body.labelModule.size;
    const shift = body.labelModule.fontOptions.vadjust || 0;  // a label placed above its node is drawn shifted up
    return {id: n.id, rank: n.rank, text: body.options.label || "",
            left: size.left, top: size.top + shift, right: size.left + size.width, bottom: size.top + size.height + shift};
})"""


def test_viewer_labels_at_500_nodes_readable_and_apart(tmp_path, visit):
    from kg.viz import render_html

    from viewer_data import synthetic_graph

    out = tmp_path / "graph-500.html"
    out.write_text(render_html(synthetic_graph(500), title="500 nodes"), encoding="utf-8")
    page = visit(out.as_uri())
    labels = page.js(LABELS)
    drawn = [label for label in labels if label["drawn"]]
    assert all(label["px"] >= 11 for label in labels)  # every label that is drawn is 11 px or more on screen
    assert len(drawn) >= 0.15 * len(labels)
    # the labels drawn never overlap (vis-network's own boxes of the drawn text), and the most central are among them
    boxes = [box for box in page.js(LABEL_BOXES) if box["text"].strip()]
    assert len(boxes) == len(drawn)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"]
                        and b["top"] < a["bottom"]), (a["text"], b["text"])
    labelled = {box["id"] for box in boxes}
    central = sorted(page.js(LABEL_BOXES), key=lambda box: -box["rank"])[:20]
    assert sum(box["id"] in labelled for box in central) >= 15
    # zoomed in 2x, more labels show, and still none under 11 px
    page.js("() => window.network.moveTo({scale: window.polkg.baseScale * 2})")
    page.js("() => window.polkg.placeLabels()")
    zoomed = page.js(LABELS)
    assert sum(label["drawn"] for label in zoomed) > len(drawn) and all(label["px"] >= 11 for label in zoomed)
    # arrowheads, a pixel long at the opening zoom, show once the wheel zooms in far enough
    assert page.js("() => window.network.getScale()") < 0.15 and page.js(ARROWS) is False
    page.page.mouse.move(900, 300)
    scales = []
    for _ in range(40):
        scales.append(page.js("() => window.network.getScale()"))
        if page.js(ARROWS):
            break
        page.page.mouse.wheel(0, -300)
        page.page.wait_for_timeout(100)
    assert page.js(ARROWS) is True, scales
    assert 0.15 <= page.js("() => window.network.getScale()") < 0.3
    page.js("() => window.network.moveTo({scale: window.polkg.baseScale})")
    page.js("() => window.polkg.placeLabels()")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS / "viewer-500.png"))


def test_viewer_screenshots_of_the_table_and_the_actor_record(bench_page, bench_graph, visit):
    """The README's pictures of the workbench: Russia selected, its record in the panel, its rows in the table."""
    page = visit(bench_page.as_uri())
    page.page.set_viewport_size({"width": 1500, "height": 800})
    page.page.fill("#search", "Russia")
    page.page.press("#search", "Enter")
    assert page.js("() => window.network.getSelectedNodes()") == [RUSSIA]
    assert page.page.locator("#details ul.demands li").count() >= 2
    assert sum(row["hit"] for row in rows(page)) >= 3
    page.page.mouse.move(5, 5)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.page.locator("#table-pane").screenshot(path=str(ARTIFACTS / "viewer-table.png"))
    page.page.screenshot(path=str(ARTIFACTS / "viewer-53-russia.png"))
    page.page.set_viewport_size({"width": 1500, "height": 1900})  # the whole record, without scrolling the panel
    statements = page.page.locator("#details ul.statements li").all_inner_texts()
    assert statements and all(item.startswith("\u201c") for item in statements)
    page.page.locator("#details").screenshot(path=str(ARTIFACTS / "viewer-actor.png"))
    for name in ("viewer-actor.png", "viewer-table.png"):
        assert (ARTIFACTS / name).stat().st_size > 5_000
