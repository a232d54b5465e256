"""GraphML and GEXF of every projection read back into networkx as the same graph."""

from __future__ import annotations

import io

import networkx as nx
import pytest

from analysis_fixtures import REF, two_camps_facts, two_camps_store_path  # noqa: F401  (fixtures)
from kg import analysis
from kg.errors import KgError

READERS = {"graphml": nx.read_graphml, "gexf": nx.read_gexf}


def _edges(G: nx.Graph) -> dict[tuple, dict]:
    """(source, target, kind) -> attributes; kind is unique per pair in every projection."""
    found = {}
    for u, v, data in G.edges(data=True):
        key = (u, v, data.get("kind"))
        assert key not in found
        found[key] = data
    return found


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
@pytest.mark.parametrize("name", analysis.PROJECTIONS)
def test_analysis_export_round_trips(two_camps_facts, name, fmt):
    G = analysis.exportable(analysis.projection(two_camps_facts, name))
    assert G.number_of_nodes() and G.number_of_edges()
    for _, data in list(G.nodes(data=True)) + [(None, d) for *_, d in G.edges(data=True)]:
        assert all(isinstance(v, (str, int, float, bool)) for v in data.values()), data
    out = io.BytesIO()
    (nx.write_graphml if fmt == "graphml" else nx.write_gexf)(G, out)
    if fmt == "graphml":
        H = nx.read_graphml(io.BytesIO(out.getvalue()), force_multigraph=G.is_multigraph())
    else:
        H = nx.read_gexf(io.BytesIO(out.getvalue()))
    assert H.is_directed() == G.is_directed()
    assert dict(H.nodes(data=True)) == dict(G.nodes(data=True))
    assert _edges(H) == _edges(G)
    if G.is_multigraph() and H.is_multigraph():
        assert set(H.edges(keys=True)) == set(G.edges(keys=True))


def test_analysis_export_carries_types_and_measures(two_camps_facts):
    actors = analysis.exportable(analysis.projection(two_camps_facts, "actors"))
    russia = actors.nodes[REF + "Russia"]
    assert russia["type"] == "State" and russia["label"] == "Russia" and russia["wikidata"] == "Q159"
    assert {"degree", "strength", "betweenness", "pagerank", "community"} <= set(russia)
    regions = analysis.exportable(analysis.projection(two_camps_facts, "regions"))
    kherson = regions.nodes[REF + "Kherson_Oblast"]
    assert kherson["contested"] is True and kherson["sides"] == 2 and kherson["type"] == "Region"
    positions = analysis.exportable(analysis.projection(two_camps_facts, "positions"))
    # one ally, two opponents each: +1 - 1 - 1
    assert positions.nodes[REF + "Russia"]["alignment"] == positions.nodes[REF + "Ukraine"]["alignment"] == -1
    topics = [d for _, d in positions.nodes(data=True) if d["type"] == "Topic"]
    assert topics and all({"supporters", "opponents", "words"} <= set(d) for d in topics)
    steps = analysis.exportable(analysis.projection(two_camps_facts, "preconditions"))
    assert {d["layer"] for _, d in steps.nodes(data=True)} == {"demander", "action", "addressee", "outcome"}


def test_analysis_export_through_the_cli(two_camps_store_path, tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    for fmt in ("graphml", "gexf"):
        out = tmp_path / f"regions.{fmt}"
        result = CliRunner().invoke(main, ["--store", str(two_camps_store_path), "export", "--format", fmt,
                                           "--projection", "regions", "-o", str(out)], catch_exceptions=False)
        assert result.exit_code == 0 and result.output.startswith(f"wrote {out}")
        H = READERS[fmt](out)
        assert H.nodes[REF + "Kherson_Oblast"]["contested"] is True
        assert {d["kind"] for *_, d in H.edges(data=True)} == {"demands_about"}


def test_analysis_export_unknown_names_raise(two_camps_facts, two_camps_store_path):
    from kg.store import open_store

    with pytest.raises(KgError, match="^projection: unknown projection 'people'"):
        analysis.projection(two_camps_facts, "people")
    with open_store(two_camps_store_path, read_only=True) as store:
        with pytest.raises(KgError, match="^export: unknown network format 'dot'"):
            analysis.write_network(store, "dot")
