"""The viewer's graph, read from real stores: nodes, provenance, focus, cuts, CONSTRUCT queries."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from kg.errors import QueryError
from kg.store import open_store
from kg.viz import centrality, find_nodes, keep_central, neighbourhood, query_graph, spring_positions, to_view_graph
from viewer_data import build_viz_store

RUSSIA = "https://w3id.org/polkg/ref/Russia"


@pytest.fixture(scope="module")
def seed_graph(seed_store_path) -> nx.MultiDiGraph:
    with open_store(seed_store_path, read_only=True) as store:
        return to_view_graph(store)


@pytest.fixture(scope="module")
def viz_store_path(seed_store_path, tmp_path_factory) -> Path:
    return build_viz_store(seed_store_path, tmp_path_factory.mktemp("viz") / "store")


def _types(G) -> dict[str, int]:
    out: dict[str, int] = {}
    for _, kind in G.nodes(data="type"):
        out[kind] = out.get(kind, 0) + 1
    return out


def test_view_graph_seed_has_every_kind_of_node(seed_graph, seed_store_path):
    from kg.stats import stats

    with open_store(seed_store_path, read_only=True) as store:
        counts = stats(store)
    types = _types(seed_graph)
    assert types["Document"] == counts["documents"] == 1
    assert types["Precondition"] == counts["preconditions"] == 2
    assert types["Position"] == counts["positions"] == 1
    assert types["Region"] == counts["regions"] == 6
    assert sum(types[k] for k in ("State", "Person", "Alliance")) == counts["actors"] == 5
    assert types["Outcome"] == 1
    assert seed_graph.nodes[RUSSIA]["wikidata"] == "Q159"
    assert {"Russia", "Kremlin", "Moscow"} <= set(seed_graph.nodes[RUSSIA]["labels"])
    statements = [d for *_, d in seed_graph.edges(data=True) if d["kind"] == "statement"]
    assert len(statements) == counts["statements"] == 4


def test_view_graph_quotes_are_the_document_text(seed_graph):
    from conftest import SEED
    from kg.documents import read_document

    text = read_document(SEED).text
    quoted = [d for *_, d in seed_graph.edges(data=True) if d.get("quote") is not None]
    quoted += [d for _, d in seed_graph.nodes(data=True) if d.get("quote") is not None]
    assert len(quoted) > 15
    for data in quoted:
        assert text[data["start"]:data["end"]] == data["quote"]
        assert data["document"] in seed_graph.graph["documents"]


def test_view_graph_precondition_links_demander_addressee_regions_outcome(seed_graph):
    G = seed_graph
    withdraw = next(n for n, d in G.nodes(data=True) if d["type"] == "Precondition" and d["name"] == "withdraw forces")
    ins = {(G.nodes[u]["name"], kind) for u, _, kind in G.in_edges(withdraw, data="kind")}
    outs = {(G.nodes[v]["name"], kind) for _, v, kind in G.out_edges(withdraw, data="kind")}
    assert ins == {("Russia", "demands")}
    assert ("Ukraine", "addressee") in outs and ("Kherson Oblast", "about") in outs
    assert ("ceasefire", "for") in outs
    assert any(kind == "in" and G.nodes[name]["type"] == "Document" for name, kind in
               ((v, k) for _, v, k in G.out_edges(withdraw, data="kind")))
    assert ("Voiced by", "Vladimir Putin") in G.nodes[withdraw]["facts"]


def test_view_graph_dates_and_sources(viz_store_path):
    with open_store(viz_store_path, read_only=True) as store:
        G = to_view_graph(store)
    documents = G.graph["documents"]
    assert {info["date"] for info in documents.values()} == {None, "2023-05-10", "2024-02-01"}
    assert {info["source"] for info in documents.values()} == {None, "https://example.org/news/armenia-terms",
                                                               "javascript:alert(3)"}
    said = next(d for *_, d in G.edges(data=True) if d["kind"] == "statement" and (d["quote"] or "").startswith("On 3 March 2024"))
    # the statement's date, as the document has none
    assert said["date"] == "2024-03-03"


def test_view_graph_speaks_for_comes_from_the_reference_data(seed_graph):
    links = [(seed_graph.nodes[u]["name"], seed_graph.nodes[v]["name"], d["source"])
             for u, v, d in seed_graph.edges(data=True) if d["kind"] == "speaks_for"]
    assert sorted(links) == [("Dmitry Peskov", "Russia", "reference data"),
                             ("Vladimir Putin", "Russia", "reference data")]


@pytest.mark.parametrize("name", ["Russia", "russia", "the Kremlin", "KREMLIN", "Russian  Federation", RUSSIA])
def test_view_find_nodes_by_any_label(seed_graph, name):
    assert find_nodes(seed_graph, name) == [RUSSIA]


def test_view_find_nodes_suggests_close_names(seed_graph):
    with pytest.raises(QueryError) as err:
        find_nodes(seed_graph, "Rusia")
    assert str(err.value) == "focus: no node is named 'Rusia' (did you mean Russia?)"
    with pytest.raises(QueryError) as err:
        find_nodes(seed_graph, "Atlantis")
    assert str(err.value) == "focus: no node is named 'Atlantis'"


def test_view_neighbourhood_by_hops(seed_graph):
    one = neighbourhood(seed_graph, "Kremlin", hops=1)
    names = {d["name"] for _, d in one.nodes(data=True)}
    assert names == {"Russia", "withdraw forces", "renounce alliance", "supports peaceful negotiations",
                     "Dmitry Peskov", "Vladimir Putin"}
    two = neighbourhood(seed_graph, "Kremlin", hops=2)
    assert {"Ukraine", "Kherson Oblast", "ceasefire"} <= {d["name"] for _, d in two.nodes(data=True)}
    # NATO is what the renounce_alliance demand concerns: two links from Russia, no longer isolated
    assert "NATO" in {d["name"] for _, d in two.nodes(data=True)}
    assert "NATO" not in {d["name"] for _, d in one.nodes(data=True)}
    assert neighbourhood(seed_graph, "Russia", hops=0).number_of_nodes() == 1
    assert two.graph["focus"] == [RUSSIA] and two.graph["documents"] == seed_graph.graph["documents"]
    with pytest.raises(QueryError, match="hops: must be 0 or more, got -1"):
        neighbourhood(seed_graph, "Russia", hops=-1)


def test_view_keep_central_says_what_it_left_out(seed_graph):
    G = seed_graph
    kept, left = keep_central(G, 5)
    assert len(kept) == 5 and left.nodes == len(G) - 5 and left.kept_nodes == 5 and left.total_nodes == len(G)
    assert left.edges == G.number_of_edges() - kept.number_of_edges()
    assert sum(left.by_type.values()) == left.nodes
    ranks = centrality(G)
    assert min(ranks[n] for n in kept) >= max(ranks[n] for n in G if n not in kept)
    assert RUSSIA in kept
    assert left.summary().startswith(f"showing the 5 most central of {len(G)} nodes; left out {len(G) - 5} nodes (")
    same, nothing = keep_central(G, len(G))
    assert same is G and not nothing and nothing.summary() == ""
    focused = neighbourhood(G, "NATO", hops=1)
    focused.add_nodes_from(G.nodes(data=True))
    assert "https://w3id.org/polkg/ref/NATO" in keep_central(focused, 2)[0]  # the focus stays
    with pytest.raises(QueryError, match="max-nodes: must be at least 1, got 0"):
        keep_central(G, 0)


def test_view_centrality_leaves_documents_aside(seed_graph):
    ranks = centrality(seed_graph)
    assert set(ranks) == set(seed_graph)
    assert all(ranks[n] == 0.0 for n, kind in seed_graph.nodes(data="type") if kind == "Document")
    top = sorted(ranks, key=ranks.get, reverse=True)
    # the two preconditions link demander, addressee, regions, outcome and what they concern
    assert RUSSIA in top[:3] and seed_graph.nodes[top[0]]["type"] in ("State", "Precondition")


def test_view_query_graph_draws_a_construct(seed_store_path):
    sparql = """PREFIX pol: <https://w3id.org/polkg/ontology#>
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    CONSTRUCT { ?p pol:demander ?d ; pol:region ?r . ?r skos:prefLabel ?name . ?p pol:note "a note" }
    WHERE { ?p a pol:Precondition ; pol:demander ?d ; pol:region ?r . ?r skos:prefLabel ?name }"""
    with open_store(seed_store_path, read_only=True) as store:
        G = query_graph(store, sparql)
    types = _types(G)
    assert types == {"Precondition": 1, "State": 1, "Region": 4}
    assert G.nodes[RUSSIA]["name"] == "Russia" and G.nodes[RUSSIA]["wikidata"] == "Q159"
    precondition = next(n for n, kind in G.nodes(data="type") if kind == "Precondition")
    assert G.nodes[precondition]["quote"].startswith("The stated position centers")
    assert ("note", "a note") in G.nodes[precondition]["facts"]
    assert {d["label"] for *_, d in G.edges(data=True)} == {"demander", "region"}
    # an assertion's edges carry its quote
    assert all(d["quote"] == G.nodes[precondition]["quote"] for u, _, d in G.edges(data=True) if u == precondition)


NO_GRAPH = "query: draw a CONSTRUCT or DESCRIBE query; SELECT and ASK return no graph"


@pytest.mark.parametrize("sparql, message", [
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", NO_GRAPH),
    ("ASK { ?s ?p ?o }", NO_GRAPH),
    ("CONSTRUCT { ?s ?p } WHERE { ?s ?p ?o }", "query: SPARQL syntax error"),
])
def test_view_query_graph_refuses_what_it_cannot_draw(seed_store_path, sparql, message):
    with open_store(seed_store_path, read_only=True) as store, pytest.raises(QueryError) as err:
        query_graph(store, sparql)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_view_layout_is_deterministic_and_spread(seed_graph):
    positions = spring_positions(seed_graph)
    assert positions == spring_positions(seed_graph)
    assert set(positions) == set(seed_graph)
    G = nx.barabasi_albert_graph(300, 2, seed=3)
    pos = spring_positions(G, spacing=100)
    import numpy as np
    from scipy.spatial import cKDTree

    points = np.array([pos[n] for n in G])
    assert np.isfinite(points).all()
    nearest = cKDTree(points).query(points, k=2)[0][:, 1]
    assert nearest.min() > 10  # no two nodes on top of each other
    lengths = [np.hypot(*np.subtract(pos[u], pos[v])) for u, v in G.edges()]
    assert 30 < np.median(lengths) < 2000


def test_view_layout_sets_unlinked_nodes_in_rows():
    G = nx.Graph([(1, 2), (2, 3)])
    loose = [f"n{i}" for i in range(7)]
    G.add_nodes_from(loose)
    pos = spring_positions(G, spacing=100)
    linked_bottom = max(pos[n][1] for n in (1, 2, 3))
    assert min(pos[n][1] for n in loose) >= linked_bottom + 100
    # on a grid of the spacing, no two in one place
    first = pos[loose[0]]
    for n in loose:
        dx, dy = pos[n][0] - first[0], pos[n][1] - first[1]
        assert dx == pytest.approx(round(dx / 100) * 100) and dy == pytest.approx(round(dy / 100) * 100)
    assert len({pos[n] for n in loose}) == len(loose)
    assert spring_positions(nx.Graph()) == {}
    only = spring_positions(nx.empty_graph(4), spacing=10)
    assert len(set(only.values())) == 4


def test_view_modules_doctests():
    import doctest

    import kg.viz.graph
    import kg.viz.html
    import kg.viz.layout

    for module in (kg.viz.graph, kg.viz.html, kg.viz.layout):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__



def test_view_precondition_concerns_the_alliance(seed_graph):
    """renounce_alliance links NATO, the alliance its action is about (pol:concerns)."""
    G = seed_graph
    renounce = next(n for n, d in G.nodes(data=True) if d["type"] == "Precondition" and d["name"] == "renounce alliance")
    outs = {(G.nodes[v]["name"], kind) for _, v, kind in G.out_edges(renounce, data="kind")}
    assert ("NATO", "concerns") in outs and ("Ukraine", "addressee") in outs
    assert ("Concerns", "NATO") in G.nodes[renounce]["facts"]
    assert G.degree("https://w3id.org/polkg/ref/NATO") > 0
