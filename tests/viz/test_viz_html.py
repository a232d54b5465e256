"""The page as text: self-contained, script-safe data, a policy that runs only its own scripts; the notebook frame."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re

import networkx as nx
import pytest

from kg.viz import DEFAULT_MAX_NODES, NODE_STYLES, render_html, show
from kg.viz.html import safe_url, vis_assets, wikidata_url

HOSTILE = '</script><script>alert(1)</script><!-- <img src=x onerror=alert(1)> & \u2028'


def _graph() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    G.graph["documents"] = {"doc:1": {"title": HOSTILE, "date": "2024-06", "source": "javascript:alert(1)",
                                      "path": "/tmp/a.txt"}}
    G.add_node("a", name=HOSTILE, type="State", labels=[HOSTILE, "Alias"], wikidata="Q159", documents=["doc:1"])
    G.add_node("b", name="Region B", type="Region", wikidata="Q1 onmouseover=x")
    G.add_node("c", name="Something", type="Mention")
    G.add_edge("a", "b", kind="demands_about", label=HOSTILE, quote=HOSTILE, document="doc:1", start=1, end=5)
    G.add_edge("a", "b", kind="demands_about", label="second", quote="q", document="doc:1", start=6, end=7)
    return G


def _data(page: str) -> dict:
    block = re.search(r'<script type="application/json" id="polkg-data">(.*?)</script>', page, re.DOTALL)
    return json.loads(block.group(1))


def test_html_loads_nothing_from_the_network():
    page = render_html(_graph())
    assert not re.search(r"<(script|img|iframe|link|embed|object)\b[^>]*\b(src|href)\s*=", page, re.IGNORECASE)
    assert "<link" not in page and "@import" not in page
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert policy.startswith("default-src 'none'; script-src 'sha256-")
    assert "'unsafe-inline'" not in policy.split(";")[1] and "'unsafe-eval'" not in policy
    js, css = vis_assets()
    assert css in page and js.replace("</script", "<\\/script") in page


def test_html_policy_hashes_are_those_of_the_page_scripts():
    page = render_html(_graph())
    scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    assert len(scripts) == 2  # vis-network and the page's own
    policy = re.search(r"script-src ([^;]*);", page).group(1)
    expected = {"'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in scripts}
    assert set(policy.split()) == expected


def test_html_document_text_stays_data():
    page = render_html(_graph(), title=HOSTILE, notes=[HOSTILE])
    # only the three script elements of the template open or close in the page
    js, _ = vis_assets()
    assert page.count("<script") == 3 + js.count("<script") and page.lower().count("</script") == 3
    assert "<img src=x" not in page and "<!-- <img" not in page
    data_block = page[page.index('id="polkg-data">'):]
    assert "\u2028" not in data_block[:data_block.index("</script>")]  # a line break to older JavaScript
    assert f"<title>{html.escape(HOSTILE)}</title>" in page
    data = _data(page)
    assert data["title"] == HOSTILE and data["notes"] == [HOSTILE]
    node = next(n for n in data["nodes"] if n["id"] == "a")
    assert node["name"] == HOSTILE and node["labels"] == [HOSTILE, "Alias"]
    assert data["edges"][0]["quote"] == HOSTILE and data["edges"][0]["label"] == HOSTILE
    assert data["documents"][0]["title"] == HOSTILE
    # pyvis would set a title as HTML: the page data has none
    assert all("title" not in n for n in data["nodes"])


def test_html_links_only_for_http_sources_and_wikidata_ids():
    data = _data(render_html(_graph()))
    assert data["documents"][0]["url"] is None and data["documents"][0]["source"] == "javascript:alert(1)"
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["a"]["wikidata"] == "Q159" and "wikidata" not in nodes["b"]


def test_html_nodes_styled_by_type_sized_by_centrality():
    G = _graph()
    data = _data(render_html(G))
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["a"]["color"] == NODE_STYLES["State"]["color"] and nodes["a"]["shape"] == NODE_STYLES["State"]["shape"]
    assert nodes["b"]["shape"] == NODE_STYLES["Region"]["shape"]
    assert nodes["c"]["type"] == "Other" and ["Class", "Mention"] in nodes["c"]["facts"]
    assert nodes["b"]["size"] > nodes["c"]["size"]
    assert [item["type"] for item in data["legend"]] == ["State", "Region", "Other"]
    # the second of two parallel edges is bent away from the first
    first, second = data["edges"]
    assert "smooth" not in first and second["smooth"]["enabled"] is True
    assert data["edges"][0]["doc"] == 0 and data["documents"][0]["id"] == "doc:1"


def test_html_renders_to_networkx_output(seed_store_path):
    from kg.analysis import to_networkx
    from kg.store import open_store

    with open_store(seed_store_path, read_only=True) as store:
        G = to_networkx(store, positions=True)
    data = _data(render_html(G))
    assert len(data["nodes"]) == len(G) and len(data["edges"]) == G.number_of_edges()
    assert {n["type"] for n in data["nodes"]} >= {"State", "Region", "Topic"}
    assert all(e["quote"] for e in data["edges"])


@pytest.mark.parametrize("value, expected", [
    ("https://example.org/a?b=1#c", "https://example.org/a?b=1#c"),
    ("http://example.org", "http://example.org"),
    ("  https://example.org/x  ", "https://example.org/x"),
    ("HTTPS://EXAMPLE.ORG/", "HTTPS://EXAMPLE.ORG/"),
    ("javascript:alert(1)", None),
    ("JavaScript:alert(1)", None),
    (" javascript:alert(1)", None),
    ("java\nscript:alert(1)", None),
    ("https://exa mple.org/", None),
    ("data:text/html,<script>alert(1)</script>", None),
    ("file:///etc/passwd", None),
    ("/home/me/news.txt", None),
    ("seeds/000.txt", None),
    ("https:///nohost", None),
    ("https://[::1", None),
    ("", None),
    (None, None),
])
def test_html_safe_url(value, expected):
    assert safe_url(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("Q159", "https://www.wikidata.org/wiki/Q159"),
    ("Q0", None), ("q159", None), ("Q159x", None), ("Q159\n", None), ("", None), (None, None),
])
def test_html_wikidata_url(value, expected):
    assert wikidata_url(value) == expected


def test_html_vis_assets_come_from_pyvis():
    import pyvis

    js, css = vis_assets()
    assert js.lstrip().startswith("/**\n * vis-network") and ".vis-network" in css
    newest = max(p.name for p in (__import__("pathlib").Path(pyvis.__file__).parent / "lib").glob("vis-*"))
    assert f"@version {newest[4:]}" in js


def test_html_show_returns_a_sandboxed_iframe_for_jupyter(seed_store_path):
    from IPython.display import HTML

    G = _graph()
    shown = show(G, height=420, title="A <b>title</b>")
    assert isinstance(shown, HTML)
    frame = re.fullmatch(r'<div class="polkg-view"><iframe srcdoc="([^"]*)" sandbox="allow-scripts" '
                         r'style="width: 100%; height: 420px; border: 1px solid #ddd" title="([^"]*)"></iframe></div>',
                         shown.data)
    assert frame is not None
    assert html.unescape(frame.group(1)) == render_html(G, title="A <b>title</b>")
    assert html.unescape(frame.group(2)) == "A <b>title</b>"
    with pytest.raises(TypeError):
        show(G, focus="Russia")
    # a store path: opened, drawn as `kg view` would, closed again
    focused = show(seed_store_path, focus="Kremlin", hops=1)
    data = _data(html.unescape(re.search(r'srcdoc="([^"]*)"', focused.data).group(1)))
    assert len(data["nodes"]) == 6 and data["notes"] == ["Within 1 hop of Russia."]
    from kg.store import open_store

    with open_store(seed_store_path):
        pass  # the store was closed: a writer can open it


def test_html_default_max_nodes_is_the_benchmarked_size():
    assert DEFAULT_MAX_NODES == 5000
