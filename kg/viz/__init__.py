"""The interactive graph view: one self-contained HTML file that works offline.

>>> import kg.viz
>>> with kg.open_store(".kg") as store:                               # doctest: +SKIP
...     kg.viz.write_html(store, "out/graph.html", focus="Russia", hops=2)
>>> kg.viz.show(".kg", focus="Russia")   # in a Jupyter notebook       # doctest: +SKIP
"""

from kg.viz.graph import LeftOut, centrality, find_nodes, keep_central, neighbourhood, query_graph, to_view_graph
from kg.viz.html import DEFAULT_MAX_NODES, ViewReport, build_view, render_html, show, write_html
from kg.viz.layout import spring_positions
from kg.viz.styles import EDGE_STYLES, NODE_STYLES

__all__ = [
    "write_html",
    "render_html",
    "build_view",
    "show",
    "ViewReport",
    "to_view_graph",
    "query_graph",
    "neighbourhood",
    "keep_central",
    "centrality",
    "find_nodes",
    "spring_positions",
    "LeftOut",
    "NODE_STYLES",
    "EDGE_STYLES",
    "DEFAULT_MAX_NODES",
]
