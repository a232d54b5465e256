"""How each kind of node and edge looks on the page.

Node shapes are ones vis-network draws with the label below, so that size can
show centrality; documents are boxes with their title inside.
"""

from __future__ import annotations

__all__ = ["NODE_STYLES", "EDGE_STYLES", "node_style", "edge_style"]

NODE_STYLES: dict[str, dict[str, str]] = {
    "State": {"color": "#1f77b4", "shape": "dot", "label": "State"},
    "Government": {"color": "#17becf", "shape": "dot", "label": "Government"},
    "Person": {"color": "#ff7f0e", "shape": "triangle", "label": "Person"},
    "Alliance": {"color": "#2ca02c", "shape": "hexagon", "label": "Alliance"},
    "Organization": {"color": "#9467bd", "shape": "hexagon", "label": "Organization"},
    "ArmedGroup": {"color": "#d62728", "shape": "star", "label": "Armed group"},
    "Party": {"color": "#e377c2", "shape": "triangleDown", "label": "Party"},
    "Actor": {"color": "#7f7f7f", "shape": "dot", "label": "Other actor"},
    "Region": {"color": "#8c564b", "shape": "square", "label": "Region"},
    "Position": {"color": "#bcbd22", "shape": "triangleDown", "label": "Position"},
    "Precondition": {"color": "#e6550d", "shape": "diamond", "label": "Precondition"},
    "Outcome": {"color": "#31a354", "shape": "star", "label": "Outcome"},
    "Document": {"color": "#dadaeb", "shape": "box", "label": "Document"},
    "Topic": {"color": "#dbdb8d", "shape": "square", "label": "Position topic"},
    "Other": {"color": "#c7c7c7", "shape": "dot", "label": "Other"},
}
"""Ontology class (local name) -> colour, vis-network shape and legend label."""

EDGE_STYLES: dict[str, dict[str, str]] = {
    "demands": {"color": "#e6550d", "label": "demands"},
    "addressee": {"color": "#d62728", "label": "addressed to"},
    "about": {"color": "#8c564b", "label": "about"},
    "concerns": {"color": "#6a3d9a", "label": "concerns"},
    "for": {"color": "#31a354", "label": "for"},
    "holds": {"color": "#bcbd22", "label": "holds a position"},
    "statement": {"color": "#9e9ac8", "label": "said in"},
    "in": {"color": "#bdbdbd", "label": "found in"},
    "speaks_for": {"color": "#7f7f7f", "label": "speaks for"},
    # the kinds of kg.analysis.to_networkx
    "demands_of": {"color": "#d62728", "label": "demands of"},
    "demands_about": {"color": "#8c564b", "label": "demands about"},
    "position": {"color": "#bcbd22", "label": "position"},
}
"""Edge ``kind`` -> colour and a description of the relation."""

_DEFAULT_EDGE = {"color": "#999999", "label": "relation"}


def node_style(kind: str | None) -> dict[str, str]:
    """The style of a node type; unknown types look like ``Other``."""
    return NODE_STYLES.get(kind or "Other", NODE_STYLES["Other"])


def edge_style(kind: str | None) -> dict[str, str]:
    """The style of an edge kind; unknown kinds are grey."""
    return EDGE_STYLES.get(kind or "", _DEFAULT_EDGE)
