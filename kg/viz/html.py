"""The interactive page: vis-network from the pyvis package, our own template.

pyvis's template pulls Bootstrap from a CDN and sets a node's ``title`` as
HTML, so polkg takes only vis-network's JavaScript and CSS from the pyvis
package and inlines them in ``kg/templates/graph.html``: the page loads nothing
from the network. Every string that comes from a document reaches the page as
JSON in a ``<script type="application/json">`` block (with ``<``, ``>`` and
``&`` escaped) that the page's script reads and writes with ``textContent``;
it is never markup. The Content-Security-Policy of the page only lets its own
two scripts run (by hash) and loads nothing else.

Positions are computed here (:func:`kg.viz.layout.spring_positions`) and the
page opens with physics off, so a graph of thousands of nodes is drawn at once.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import networkx as nx

from kg import resources
from kg.analysis.communities import actor_communities, community_index
from kg.viz.graph import LeftOut, centrality, keep_central, neighbourhood, query_graph, to_view_graph
from kg.viz.layout import spring_positions
from kg.viz.styles import NODE_STYLES, edge_style, node_style

__all__ = [
    "render_html",
    "write_html",
    "build_view",
    "show",
    "ViewReport",
    "vis_assets",
    "safe_url",
    "wikidata_url",
    "DEFAULT_MAX_NODES",
]

DEFAULT_MAX_NODES = 5000
"""Largest graph drawn by default; the page stays interactive at this size."""

_QID = re.compile(r"Q[1-9][0-9]*")
_PLACEHOLDER = re.compile(r"/\*polkg:(\w+)\*/|__polkg_(\w+)__")
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def vis_assets() -> tuple[str, str]:
    """vis-network's JavaScript and CSS: the newest copy inside the pyvis package."""
    import pyvis

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) if part.isdigit() else 0 for part in path.name[4:].split("."))

    lib = max((Path(pyvis.__file__).parent / "lib").glob("vis-*"), key=version)
    return ((lib / "vis-network.min.js").read_text(encoding="utf-8"),
            (lib / "vis-network.css").read_text(encoding="utf-8"))


def safe_url(value: str | None) -> str | None:
    """``value`` when it is an http(s) URL with a host, else None (no ``javascript:``, no files).

    >>> safe_url("https://example.org/a?b=1")
    'https://example.org/a?b=1'
    >>> safe_url("javascript:alert(1)") is None, safe_url("/home/me/a.txt") is None
    (True, True)
    """
    value = (value or "").strip()
    if not value or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return value


def wikidata_url(qid: str | None) -> str | None:
    """The Wikidata page of an item id such as ``Q159``; None for anything else.

    >>> wikidata_url("Q159")
    'https://www.wikidata.org/wiki/Q159'
    >>> wikidata_url("Q1 onmouseover=x") is None
    True
    """
    return f"https://www.wikidata.org/wiki/{qid}" if qid and _QID.fullmatch(qid) else None


def _json_for_script(value) -> str:
    """JSON that is inert inside a <script> element: no "</script>", no "<!--"."""
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _text(value) -> str | None:
    return None if value is None else str(value)


def _offset(value) -> int | None:
    return None if value is None else int(value)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_PROVENANCE_KINDS = {"in", "statement"}


def _layout_graph(G: nx.MultiDiGraph) -> nx.MultiGraph:
    """``G`` for the layout: an edge that only says where something was found pulls less."""
    H = nx.MultiGraph()
    H.add_nodes_from(G)
    H.add_edges_from((u, v, {"weight": 0.1 if kind in _PROVENANCE_KINDS else 1.0})
                     for u, v, kind in G.edges(data="kind"))
    return H


def _wrap(text: str, width: int = 26, lines: int = 3) -> str:
    r"""``text`` broken into at most ``lines`` lines of about ``width`` characters, for a node's label.

    >>> _wrap("withdraw forces — Ukraine — Kherson, Zaporizhzhia")
    'withdraw forces — Ukraine\n— Kherson, Zaporizhzhia'
    """
    out: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = _short(out[-1] + " …", width)
    return "\n".join(out)


def display_label(G: nx.MultiDiGraph, node) -> str:
    """What a node says on the page: a document its title, a precondition its action, addressee
    and regions ("withdraw forces — Ukraine — Kherson, Zaporizhzhia"), a position its topic."""
    data = G.nodes[node]

    def names(nodes) -> str:
        return ", ".join(str(G.nodes[n].get("name", n)) if n in G else str(n).rsplit("/", 1)[-1] for n in nodes)

    kind = data.get("type")
    name = str(data.get("name") or node)
    if kind == "Precondition" and "addressees" in data:
        action = str(data.get("action") or "demand")
        if data.get("action_code") in (None, "other"):
            outcome = data.get("outcome")
            action = f"demand for {outcome}" if outcome and outcome != "other" else "demand"
        parts = [action, names(data.get("addressees") or []), names(data.get("regions") or [])]
        return " — ".join(part for part in parts if part)
    if kind == "Position" and data.get("topic"):
        return str(data["topic"])
    return name


def communities(G: nx.MultiDiGraph) -> dict:
    """Node -> its Louvain community (:func:`kg.analysis.actor_communities`) in the drawn graph,
    0 the largest; where something was found pulls less than what it says."""
    return community_index(actor_communities(_layout_graph(G), seed=0))


def _grouped_positions(G: nx.MultiDiGraph, groups: dict) -> dict:
    """Positions that keep each community together: a hidden hub per community pulls its members."""
    H = _layout_graph(G)
    members: dict[int, list] = {}
    for node, group in groups.items():
        members.setdefault(group, []).append(node)
    for group, nodes in members.items():
        if len(nodes) > 2:
            hub = ("community", group)
            H.add_edges_from((hub, node, {"weight": 0.3}) for node in nodes)
    positions = spring_positions(H)
    return {node: positions[node] for node in G}


def _page_data(G: nx.MultiDiGraph, *, title: str, notes: list[str]) -> dict:
    """Everything the page shows, as plain JSON-ready data."""
    documents: list[dict] = []
    doc_index: dict[str, int] = {}

    def doc_ref(iri: str | None) -> int | None:
        if not iri:
            return None
        if iri not in doc_index:
            info = G.graph.get("documents", {}).get(iri, {})
            doc_index[iri] = len(documents)
            documents.append({
                "id": str(iri), "title": _text(info.get("title")), "date": _text(info.get("date")),
                "source": _text(info.get("source")), "path": _text(info.get("path")),
                "url": safe_url(_text(info.get("source"))),
            })
        return doc_index[iri]

    for iri in G.graph.get("documents", {}):
        doc_ref(iri)

    ranks = centrality(G)
    top = max(ranks.values(), default=0.0) or 1.0
    groups = communities(G)
    positions = _grouped_positions(G, groups)
    nodes = []
    counts: dict[str, int] = {}
    for node, data in G.nodes(data=True):
        kind = data.get("type") if data.get("type") in NODE_STYLES else "Other"
        counts[kind] = counts.get(kind, 0) + 1
        style = node_style(kind)
        name = str(data.get("name") or node)
        facts = [[str(k), str(v)] for k, v in data.get("facts") or []]
        if data.get("type") and data.get("type") != kind:
            facts.insert(0, ["Class", str(data["type"])])
        x, y = positions[node]
        shown = display_label(G, node)
        item = {
            "id": str(node), "label": _wrap(shown, 24 if kind == "Document" else 26), "text": shown,
            "name": name, "type": kind, "community": groups.get(node),
            "color": style["color"], "shape": style["shape"],
            "size": round(10 + 30 * math.sqrt(ranks.get(node, 0.0) / top), 2),
            "x": round(x, 1), "y": round(y, 1), "rank": round(ranks.get(node, 0.0), 5),
            "labels": [str(label) for label in (data.get("labels") or [name])],
            "docs": [i for i in (doc_ref(d) for d in data.get("documents") or []) if i is not None],
            "date": _text(data.get("date")), "facts": facts,
        }
        for key in ("demander", "holder", "speaker"):
            if data.get(key):
                item[key] = str(data[key])
        for key in ("addressees", "regions"):
            if data.get(key):
                item[key] = [str(v) for v in data[key]]
        for key in ("action", "outcome", "stance", "topic", "action_iri", "outcome_iri", "stance_iri"):
            if data.get(key):
                item[key] = str(data[key])
        qid = data.get("wikidata")
        if wikidata_url(qid):
            item["wikidata"] = qid
        if data.get("corrected"):
            item["corrected"] = True
        if data.get("quote") is not None:
            item.update(quote=str(data["quote"]), doc=doc_ref(data.get("document")),
                        start=_offset(data.get("start")), end=_offset(data.get("end")))
        nodes.append(item)

    edges = []
    parallel: dict[tuple[str, str], int] = {}
    for index, (u, v, k, data) in enumerate(G.edges(keys=True, data=True)):
        pair = (str(min(u, v, key=str)), str(max(u, v, key=str)))
        nth = parallel.get(pair, 0)
        parallel[pair] = nth + 1
        style = edge_style(data.get("kind"))
        item = {
            "id": f"e{index}", "from": str(u), "to": str(v), "label": str(data.get("label") or style["label"]),
            "kind": str(data.get("kind") or "relation"), "relation": style["label"], "color": style["color"],
            "quote": _text(data.get("quote")), "doc": doc_ref(data.get("document")),
            "start": _offset(data.get("start")), "end": _offset(data.get("end")), "date": _text(data.get("date")),
        }
        if data.get("via"):
            item["via"] = str(data["via"])
        if data.get("kind") == "statement" and isinstance(k, str):
            item["assertion"] = k
        if data.get("source"):
            item["source"] = str(data["source"])
        if nth:  # bend parallel edges apart, alternately to either side
            item["smooth"] = {"enabled": True, "type": "curvedCW" if nth % 2 else "curvedCCW",
                              "roundness": round(0.25 * ((nth + 1) // 2), 2)}
        edges.append(item)

    legend = [{"type": kind, "label": style["label"], "color": style["color"], "shape": style["shape"],
               "count": counts[kind]} for kind, style in NODE_STYLES.items() if kind in counts]
    vocab = {kind: [[str(iri), str(label)] for iri, label in items]
             for kind, items in G.graph.get("vocab", {}).items()}
    return {
        "title": title, "notes": notes, "nodes": nodes, "edges": edges, "documents": documents,
        "legend": legend, "vocab": vocab,
    }


def render_html(G: nx.MultiDiGraph, *, title: str = "polkg graph", notes: list[str] | None = None) -> str:
    """The self-contained page that draws ``G``.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        From :func:`kg.viz.to_view_graph`, :func:`kg.viz.query_graph` or
        :func:`kg.analysis.to_networkx`.
    title : str, optional
        The page's title.
    notes : list of str, optional
        Lines shown above the graph, such as what was left out.

    Returns
    -------
    str
        One HTML document: vis-network inlined, the graph as JSON data.
    """
    js, css = vis_assets()
    template = resources.template_file("graph.html").read_text(encoding="utf-8")
    trusted = {"vis_css": css, "vis_js": js.replace("</script", "<\\/script")}
    page = _PLACEHOLDER.sub(lambda m: trusted.get(m.group(1) or "", m.group(0)), template)
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"
        for body in _SCRIPT.findall(page)
    )
    # data last, in one pass: text inserted here is never scanned for placeholders again
    values = {
        "csp": hashes,
        "title": html.escape(title),
        "data": _json_for_script(_page_data(G, title=title, notes=list(notes or []))),
    }
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(2) or "", m.group(0)), page)


@dataclass
class ViewReport:
    """What :func:`write_html` drew."""

    output: str
    nodes: int
    edges: int
    left_out: LeftOut = field(default_factory=LeftOut)
    focus: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the command line."""
        line = f"wrote {self.output}: {self.nodes:,} nodes, {self.edges:,} edges"
        return line + (f"; {self.left_out.summary()}" if self.left_out else "")


def build_view(store, *, focus: str | None = None, hops: int = 2, query: str | None = None,
               max_nodes: int | None = DEFAULT_MAX_NODES,
               raw: bool = False) -> tuple[nx.MultiDiGraph, LeftOut, list[str]]:
    """The graph a page will draw, what was left out of it, and the notes that say so.

    Parameters
    ----------
    store : kg.store.OxigraphStore
        An open store.
    focus : str, optional
        Draw only the neighbourhood of the node with this label (any of its names).
    hops : int, optional (default=2)
        How far from ``focus`` to go.
    query : str, optional
        SPARQL CONSTRUCT text; draw its result instead of the whole graph.
    max_nodes : int or None, optional (default=5000)
        Keep only this many nodes, the most central; None keeps all.
    raw : bool, optional (default=False)
        What the extractor asserted, without the reviewers' corrections.
    """
    if query:  # a CONSTRUCT query runs on the corrected view too (kg.corrections.corrected_store)
        from kg.corrections import corrected_store

        view = store if raw else corrected_store(store)
        try:
            G = query_graph(view, query)
        finally:
            if view is not store:
                view.close()
        G.graph["corrections"] = getattr(view, "corrections", 0)
    else:
        G = to_view_graph(store, raw=raw)
    notes = []
    if raw:
        notes.append("The extractor's assertions, without the reviewers' corrections.")
    elif G.graph.get("corrections"):
        count = G.graph["corrections"]
        notes.append(f"With {count} reviewer's correction{'s' if count != 1 else ''} "
                     "(kg view --raw draws the extractor's assertions).")
    if query:
        notes.append("Drawing the result of a CONSTRUCT query.")
    if focus is not None:
        G = neighbourhood(G, focus, hops=hops)
        names = ", ".join(str(G.nodes[n].get("name", n)) for n in G.graph["focus"])
        notes.append(f"Within {hops} hop{'s' if hops != 1 else ''} of {names}.")
    G, left_out = keep_central(G, max_nodes)
    if left_out:
        text = left_out.summary()
        notes.append(text[0].upper() + text[1:] + ".")
    return G, left_out, notes


def write_html(store, output: str | os.PathLike, *, focus: str | None = None, hops: int = 2,
               query: str | None = None, max_nodes: int | None = DEFAULT_MAX_NODES,
               title: str = "polkg graph", raw: bool = False) -> ViewReport:
    """Write the interactive view of ``store`` to ``output``, one HTML file that works offline.

    The options are those of :func:`build_view`.

    Returns
    -------
    ViewReport
        Nodes and edges drawn, and what was left out.
    """
    G, left_out, notes = build_view(store, focus=focus, hops=hops, query=query, max_nodes=max_nodes, raw=raw)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_html(G, title=title, notes=notes), encoding="utf-8")
    return ViewReport(output=str(output), nodes=G.number_of_nodes(), edges=G.number_of_edges(),
                      left_out=left_out, focus=list(G.graph.get("focus", [])))


def show(source, *, height: int = 650, title: str = "polkg graph", **options):
    """The view for a Jupyter notebook: an ``IPython.display.HTML`` holding the page in an iframe.

    Parameters
    ----------
    source : networkx.MultiDiGraph, kg.store.OxigraphStore or path
        A graph to draw, or a store (open, or the path of one) to draw as
        :func:`write_html` would.
    height : int, optional (default=650)
        Height of the frame in pixels.
    **options
        ``focus``, ``hops``, ``query``, ``max_nodes`` for a store.

    The page goes into the iframe's ``srcdoc`` attribute, escaped; the frame
    is sandboxed (scripts only), so the page cannot reach the notebook.
    """
    from IPython.display import HTML

    if isinstance(source, nx.Graph):
        if options:
            raise TypeError(f"options {sorted(options)} apply to a store, not a graph")
        page = render_html(source, title=title)
    else:
        from kg.store import OxigraphStore, open_store

        store = source if isinstance(source, OxigraphStore) else open_store(source)
        try:
            G, _left_out, notes = build_view(store, **options)
        finally:
            if store is not source:
                store.close()
        page = render_html(G, title=title, notes=notes)
    frame = (f'<div class="polkg-view"><iframe srcdoc="{html.escape(page, quote=True)}" sandbox="allow-scripts" '
             f'style="width: 100%; height: {int(height)}px; border: 1px solid #ddd" '
             f'title="{html.escape(title, quote=True)}"></iframe></div>')
    return HTML(frame)
