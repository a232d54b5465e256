"""Small graphs with known answers, and the examples of the docstrings."""

from __future__ import annotations

import doctest
import importlib

import networkx as nx
import pytest

from kg import analysis

MODULES = ["facts", "projections", "centrality", "communities", "alignment", "regions", "paths", "timeline",
           "annotate", "export", "tables"]


@pytest.mark.parametrize("name", MODULES)
def test_analysis_docstring_examples_run(name):
    module = importlib.import_module(f"kg.analysis.{name}")
    failed, _ = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failed == 0


@pytest.mark.parametrize("a, b, same", [
    ("peaceful negotiations", "negotiations with Kyiv", True),
    ("a ceasefire that would freeze the front line", "a ceasefire along the front line", True),
    ("a ceasefire that would freeze the front line", "a deal that would last", False),  # function words only
    ("sanctions relief", "NATO membership", False),
])
def test_analysis_same_topic(a, b, same):
    assert analysis.same_topic(a, b) is same


def test_analysis_centrality_samples_large_graphs_reproducibly():
    G = nx.barabasi_albert_graph(60, 2, seed=3)
    exact = analysis.actor_centrality(G)
    sampled = analysis.actor_centrality(G, max_exact=10, samples=20, seed=5)
    assert sampled == analysis.actor_centrality(G, max_exact=10, samples=20, seed=5)
    assert sampled != exact
    assert {n: m["pagerank"] for n, m in sampled.items()} == {n: m["pagerank"] for n, m in exact.items()}
    hub = max(exact, key=lambda n: exact[n]["betweenness"])
    assert max(sampled, key=lambda n: sampled[n]["betweenness"]) == hub


def test_analysis_centrality_ignores_regions_and_handles_empty_graphs():
    G = nx.MultiDiGraph()
    G.add_node("Russia", roles=("actor",))
    G.add_node("Kherson", roles=("region",))
    G.add_edge("Russia", "Kherson")
    assert set(analysis.actor_centrality(G)) == {"Russia"}
    assert analysis.actor_centrality(nx.Graph()) == {}
    lone = nx.Graph()
    lone.add_node("a")
    assert analysis.actor_centrality(lone) == {"a": {"degree": 0.0, "strength": 0.0, "betweenness": 0.0,
                                                     "pagerank": 1.0}}


def test_analysis_contested_regions_counts_sides_not_speakers():
    G = nx.MultiDiGraph([("Putin", "Kherson", {"kind": "demands_about"}),
                         ("Russia", "Kherson", {"kind": "demands_about"}),
                         ("Russia", "Donetsk", {"kind": "demands_about"}),
                         ("Ukraine", "Donetsk", {"kind": "demands_about"}),
                         ("Ukraine", "Russia", {"kind": "demands_of"})])
    G.nodes["Putin"]["side"] = "Russia"
    assert analysis.contested_regions(G) == {"Donetsk": ["Russia", "Ukraine"]}
    assert analysis.contested_regions(G, min_demanders=1) == {"Donetsk": ["Russia", "Ukraine"],
                                                              "Kherson": ["Putin", "Russia"]}
    assert list(analysis.contested_regions(G, min_demanders=1)) == ["Donetsk", "Kherson"]  # most sides first
    with pytest.raises(ValueError, match="min_demanders must be at least 1, got 0"):
        analysis.contested_regions(G, min_demanders=0)


def test_analysis_actor_graph_rejects_unknown_relations():
    with pytest.raises(ValueError, match="unknown actor relation 'likes'"):
        analysis.actor_graph(analysis.Facts(), relations=("likes",))


def test_analysis_measures_graph_uses_the_ontology_terms():
    from kg.analysis.annotate import measures_graph
    from kg.namespaces import POL

    graph = measures_graph({"https://w3id.org/polkg/ref/Russia": {"degree": 1.0, "betweenness": 0.0,
                                                                  "pagerank": 0.5}},
                           {"https://w3id.org/polkg/ref/Russia": 0},
                           {"https://w3id.org/polkg/ref/Kherson_Oblast": True})
    predicates = {p for p in graph.predicates() if str(p).startswith(str(POL._NS))}
    assert predicates == {POL.degree, POL.betweenness, POL.pagerank, POL.community, POL.contested}
