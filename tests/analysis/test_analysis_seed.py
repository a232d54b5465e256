"""The projections and measures on the seed: what an analyst reads off the one document."""

from __future__ import annotations

import networkx as nx
import pytest

from analysis_fixtures import REF, SEED, seed_facts  # noqa: F401  (fixture)
from kg import analysis
from kg.analysis.projections import LAYERS

RUSSIA, UKRAINE, PUTIN, PESKOV = REF + "Russia", REF + "Ukraine", REF + "Vladimir_Putin", REF + "Dmitry_Peskov"
FOUR_REGIONS = {"Donetsk People's Republic", "Luhansk People's Republic", "Zaporizhzhia Oblast", "Kherson Oblast"}


def test_analysis_seed_russia_demands_both_preconditions(seed_facts):
    demands = seed_facts.of_kind("precondition")
    assert len(demands) == 2
    assert {d.actor for d in demands} == {RUSSIA}
    assert {d.addressee for d in demands} == {UKRAINE}
    assert {d.action for d in demands} == {"withdraw_forces", "renounce_alliance"}


def test_analysis_seed_four_regions_are_demanded_about_by_russia(seed_facts):
    R = analysis.region_graph(seed_facts)
    about = {(u, v) for u, v, kind in R.edges(data="kind") if kind == "demands_about"}
    assert {R.nodes[v]["name"] for _, v in about} == FOUR_REGIONS
    assert {u for u, _ in about} == {RUSSIA}
    # the seed has one demander: no region is contested by two sides, and with
    # min_demanders=1 exactly the four regions named in demands are listed
    assert analysis.contested_regions(R) == {}
    listed = analysis.contested_regions(R, min_demanders=1)
    assert {R.nodes[r]["name"] for r in listed} == FOUR_REGIONS
    assert all(demanders == [RUSSIA] for demanders in listed.values())
    # regions only mentioned (North Caucasus, Northern Military District) are nodes without demands
    mentioned_only = {R.nodes[n]["name"] for n in R if R.nodes[n]["bipartite"] == 1 and R.in_degree(n) == 0}
    assert mentioned_only == {"North Caucasus", "Northern Military District"}


def test_analysis_seed_russia_is_most_central(seed_facts):
    G = analysis.actor_graph(seed_facts)
    centrality = analysis.actor_centrality(G)
    assert set(centrality) == {RUSSIA, UKRAINE, PUTIN, PESKOV, REF + "NATO"}
    for measure in ("pagerank", "strength", "betweenness"):
        ranked = sorted(centrality, key=lambda n: -centrality[n][measure])
        assert ranked[0] == RUSSIA, measure
        assert centrality[RUSSIA][measure] > centrality[ranked[1]][measure], measure


def test_analysis_seed_actor_graph_relations(seed_facts):
    G = analysis.actor_graph(seed_facts)
    assert G.edges[RUSSIA, UKRAINE, "demands_of"]["assertions"] == 2
    assert G.edges[RUSSIA, UKRAINE, "demands_of"]["documents"] == 1
    assert G.has_edge(PUTIN, RUSSIA, "speaks_for") and G.has_edge(PESKOV, RUSSIA, "speaks_for")
    # Putin voiced both demands of Ukraine; Peskov voiced none
    assert G.has_edge(PUTIN, UKRAINE, "addresses") and not G.has_edge(PESKOV, UKRAINE, "addresses")
    co = [(u, v) for u, v, k in G.edges(keys=True) if k == "co_mentioned"]
    assert len(co) == 10 and all(u < v for u, v in co)
    communities = analysis.actor_communities(G)
    assert set().union(*communities) == set(G)


def test_analysis_seed_precondition_graph_is_a_layered_dag(seed_facts):
    D = analysis.precondition_graph(seed_facts)
    assert nx.is_directed_acyclic_graph(D)
    for u, v in D.edges():
        assert D.nodes[u]["layer_index"] < D.nodes[v]["layer_index"]
    chains = [
        [D.nodes[n]["layer"] for n in path]
        for source in D if D.in_degree(source) == 0
        for sink in D if D.out_degree(sink) == 0
        for path in nx.all_simple_paths(D, source, sink)
    ]
    assert chains and all(chain == list(LAYERS) for chain in chains)
    readings = {
        (D.nodes[a]["name"], D.nodes[b]["action"], D.nodes[c]["name"], D.nodes[d]["outcome"])
        for a, b, c, d in (p for s in D for t in D for p in nx.all_simple_paths(D, s, t) if len(p) == 4)
    }
    assert readings == {("Russia", "withdraw_forces", "Ukraine", "ceasefire"),
                        ("Russia", "renounce_alliance", "Ukraine", "ceasefire")}
    withdraw = next(n for n in D if D.nodes[n].get("action") == "withdraw_forces")
    assert set(D.nodes[withdraw]["regions"].split("; ")) == FOUR_REGIONS


def test_analysis_seed_path_from_putin_to_ukraine_quotes_the_seed(seed_facts):
    text = SEED.read_text(encoding="utf-8")
    G = analysis.actor_graph(seed_facts)
    links = analysis.explain_connection(G, PUTIN, UKRAINE)
    assert links and {link.hop for link in links} == {0}
    quotes = [a for link in links for a in link.assertions]
    assert quotes
    for item in quotes:
        assert item.quote and item.quote in text
        assert text[item.start:item.end] == item.quote
    assert any("withdrawal of Ukrainian forces" in a.quote for a in quotes)
    # the other way round, the same relation read backwards
    back = analysis.explain_connection(G, UKRAINE, PUTIN)
    assert [(link.kind, link.forward) for link in back] == [("addresses", False)]


def test_analysis_seed_path_through_russia_without_addresses(seed_facts):
    G = analysis.actor_graph(seed_facts, relations=("demands_of", "speaks_for"))
    links = analysis.explain_connection(G, PESKOV, UKRAINE)
    assert [(link.hop, link.source, link.target, link.kind) for link in links] == [
        (0, PESKOV, RUSSIA, "speaks_for"), (1, RUSSIA, UKRAINE, "demands_of")]
    assert analysis.explain_connection(G, PESKOV, REF + "NATO") == []
    with pytest.raises(nx.NodeNotFound):
        analysis.explain_connection(G, PESKOV, REF + "Nobody")


def test_analysis_seed_nato_is_connected_through_what_the_demand_concerns(seed_facts):
    """The renounce_alliance demand concerns NATO (pol:concerns): NATO is no longer isolated."""
    G = analysis.actor_graph(seed_facts)
    nato = REF + "NATO"
    links = analysis.explain_connection(G, RUSSIA, nato)
    assert [(link.hop, link.source, link.target, link.kind, link.forward) for link in links] == [
        (0, RUSSIA, nato, "concerns", True)]
    (demand,) = links[0].assertions
    assert demand.action == "renounce_alliance" and demand.concerns == (nato,)
    assert "North Atlantic Alliance" in demand.quote
    assert SEED.read_text(encoding="utf-8")[demand.start:demand.end] == demand.quote
    via = analysis.explain_connection(G, PESKOV, nato)
    assert [(link.source, link.target, link.kind) for link in via] == [
        (PESKOV, RUSSIA, "speaks_for"), (RUSSIA, nato, "concerns")]


def test_analysis_seed_timeline(seed_facts):
    events = analysis.actor_timeline(seed_facts, RUSSIA)
    assert [(e.kind, e.role) for e in events].count(("precondition", "demander")) == 2
    assert ("position", "holder") in [(e.kind, e.role) for e in events]
    assert all(e.date is None for e in events)  # the seed has no date a statement or the document gives
    spoken = analysis.actor_timeline(seed_facts, PUTIN)
    assert {(e.kind, e.role) for e in spoken} == {("precondition", "speaker")}
    assert [e.role for e in analysis.actor_timeline(seed_facts, UKRAINE)] == ["addressee", "addressee"]


def test_analysis_seed_to_networkx_keeps_the_viewer_shape(seed_facts):
    text = SEED.read_text(encoding="utf-8")
    G = analysis.to_networkx(seed_facts)
    kinds = {kind for _, _, kind in G.edges(data="kind")}
    assert kinds == {"demands_of", "demands_about", "concerns", "speaks_for"}
    for _, _, data in G.edges(data=True):
        assert text[data["start"]:data["end"]] == data["quote"]
        assert data["document"].startswith("https://w3id.org/polkg/id/doc/")
    assert G.nodes[RUSSIA]["role"] == "actor" and G.nodes[RUSSIA]["wikidata"] == "Q159"
    centrality = analysis.actor_centrality(G)
    assert max(centrality, key=lambda n: centrality[n]["pagerank"]) == RUSSIA
    assert all(G.nodes[n]["role"] == "actor" for n in centrality)
    with_positions = analysis.to_networkx(seed_facts, positions=True)
    assert [d["label"] for _, _, d in with_positions.edges(data=True) if d["kind"] == "position"] == [
        "supports peaceful negotiations"]


def test_analysis_seed_tables(seed_store_path):
    from kg.store import open_store

    with open_store(seed_store_path, read_only=True) as store:
        actors = analysis.actor_table(store)
        regions = analysis.region_table(store)
        preconditions = analysis.precondition_table(store, outcome="ceasefire")
        none = analysis.precondition_table(store, outcome="negotiations")
        path = analysis.path_table(store, "Putin", "Kyiv")
    assert actors.loc[0, "actor"] == "Russia" and actors.loc[0, "iri"] == RUSSIA
    assert set(regions["region"]) == FOUR_REGIONS and not regions["contested"].any()
    assert set(regions["demanders"]) == {"Russia"} and set(regions["actions"]) == {"withdraw_forces"}
    assert len(preconditions) == 2 and set(preconditions["demander"]) == {"Russia"} and none.empty
    assert set(path["from"]) == {"Vladimir Putin"} and set(path["to"]) == {"Ukraine"}
    assert path["quote"].map(lambda q: q in SEED.read_text(encoding="utf-8")).all()
