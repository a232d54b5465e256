"""pyvis builds the network; we own the page.

pyvis's own template pulls Bootstrap from a CDN and puts some text into the
page as HTML. Our template (``kg/templates/graph.html``) inlines vis-network's
JavaScript and CSS from the pyvis package, so the page loads nothing from the
network, and every string that comes from a document reaches the page only as
JSON data that the script writes with ``textContent``: it is never markup.
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
from pyvis.network import Network

from kg import resources
from kg.analysis import actor_centrality, to_networkx

__all__ = ["write_html", "render_html", "NODE_STYLES", "vis_assets"]

NODE_STYLES: dict[str, dict[str, str]] = {
    "State": {"color": "#1f77b4", "shape": "dot", "label": "State"},
    "Government": {"color": "#17becf", "shape": "dot", "label": "Government"},
    "Person": {"color": "#ff7f0e", "shape": "triangle", "label": "Person"},
    "Alliance": {"color": "#2ca02c", "shape": "hexagon", "label": "Alliance"},
    "Organization": {"color": "#9467bd", "shape": "hexagon", "label": "Organization"},
    "ArmedGroup": {"color": "#d62728", "shape": "star", "label": "Armed group"},
    "Party": {"color": "#e377c2", "shape": "diamond", "label": "Party"},
    "Actor": {"color": "#7f7f7f", "shape": "dot", "label": "Other actor"},
    "Region": {"color": "#8c564b", "shape": "square", "label": "Region"},
    "Topic": {"color": "#bcbd22", "shape": "box", "label": "Position topic"},
}
EDGE_COLORS = {"demands_of": "#d62728", "demands_about": "#8c564b", "speaks_for": "#7f7f7f", "position": "#bcbd22"}


def vis_assets() -> tuple[str, str]:
    """vis-network's JavaScript and CSS, from the pyvis package (no CDN)."""
    import pyvis

    libs = sorted((Path(pyvis.__file__).parent / "lib").glob("vis-*"))
    lib = libs[-1]
    return (lib / "vis-network.min.js").read_text(encoding="utf-8"), (lib / "vis-network.css").read_text(encoding="utf-8")


def _json_for_script(value) -> str:
    """JSON that is safe inside a <script> element: no "</script>", no "<!--"."""
    return (json.dumps(value, ensure_ascii=False)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _network(G: nx.MultiDiGraph) -> Network:
    net = Network(directed=True, cdn_resources="remote")
    centrality = actor_centrality(G)
    positions = nx.spring_layout(nx.Graph(G), seed=7, scale=300 + 20 * len(G) ** 0.5) if len(G) else {}
    for node, data in G.nodes(data=True):
        style = NODE_STYLES.get(data.get("type"), NODE_STYLES["Actor"])
        rank = centrality.get(node, {}).get("pagerank", 0.0)
        x, y = positions.get(node, (0.0, 0.0))
        net.add_node(
            node, label=data.get("name", node), color=style["color"], shape=style["shape"],
            size=12 + 60 * rank, x=float(x), y=float(y),
        )
    for u, v, data in G.edges(data=True):
        net.add_edge(u, v, label=data.get("label", ""), color=EDGE_COLORS.get(data.get("kind"), "#999999"))
    return net


def render_html(G: nx.MultiDiGraph, *, title: str = "polkg graph") -> str:
    """The page for ``G`` (from :func:`kg.analysis.to_networkx`)."""
    net = _network(G)
    nodes = []
    for item in net.nodes:
        data = G.nodes[item["id"]]
        nodes.append({
            "id": item["id"], "label": item["label"], "color": item["color"], "shape": item["shape"],
            "size": item["size"], "x": item["x"], "y": item["y"], "group": data.get("type", "Actor"),
            "type": data.get("type"), "wikidata": data.get("wikidata"),
        })
    edges = []
    for index, (u, v, data) in enumerate(G.edges(data=True)):
        edges.append({
            "id": f"e{index}", "from": u, "to": v, "label": data.get("label", ""),
            "color": EDGE_COLORS.get(data.get("kind"), "#999999"), "arrows": "to",
            "kind": data.get("kind"), "quote": data.get("quote"), "document": data.get("document"),
            "start": data.get("start"), "end": data.get("end"),
        })
    js, css = vis_assets()
    legend = [{"type": k, **v} for k, v in NODE_STYLES.items()]
    template = resources.template_file("graph.html").read_text(encoding="utf-8")
    import html as html_mod

    return (template
            .replace("/*VIS_CSS*/", css)
            .replace("/*VIS_JS*/", js.replace("</script", "<\\/script"))
            .replace("__TITLE__", html_mod.escape(title))
            .replace("/*DATA*/null", _json_for_script({"nodes": nodes, "edges": edges, "legend": legend})))


def write_html(store, output: str | Path, *, title: str = "polkg graph") -> dict[str, int]:
    """Write the interactive view of ``store`` to ``output``; returns node and edge counts."""
    G = to_networkx(store)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_html(G, title=title), encoding="utf-8")
    return {"nodes": G.number_of_nodes(), "edges": G.number_of_edges()}
