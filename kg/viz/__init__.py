"""The interactive graph view: one self-contained HTML file (:func:`write_html`)."""

from kg.viz.html import write_html, render_html, NODE_STYLES

__all__ = ["write_html", "render_html", "NODE_STYLES"]
