"""Alignment, contested regions, communities and timelines on five documents with two opposed camps."""

from __future__ import annotations

import pytest

from analysis_fixtures import REF, two_camps_facts, two_camps_store_path  # noqa: F401  (fixtures)
from kg import analysis

RUSSIA, UKRAINE, POLAND, BELARUS = (REF + n for n in ("Russia", "Ukraine", "Poland", "Belarus"))
KHERSON = REF + "Kherson_Oblast"


def _stances(facts) -> dict[str, set[tuple[str, str]]]:
    found: dict[str, set[tuple[str, str]]] = {}
    for p in facts.of_kind("position"):
        found.setdefault(facts.name(p.actor), set()).add((p.stance, " ".join(sorted(analysis.topic_words(p.topic)))))
    return found


def test_analysis_two_camps_extraction_gives_the_stances(two_camps_facts):
    # what the analyses below rest on: each camp's stances on the ceasefire and on a just peace
    stances = _stances(two_camps_facts)
    assert ("opposes", "cease freez front line") in stances["Ukraine"]
    assert ("supports", "cease curre front line") in stances["Russia"]
    assert {s for s, _ in stances["Poland"]} == {"supports", "opposes"}
    assert {s for s, _ in stances["Belarus"]} == {"supports", "opposes"}


def test_analysis_two_camps_alignment_signs(two_camps_facts):
    A = analysis.alignment_graph(analysis.position_graph(two_camps_facts))
    assert A.edges[UKRAINE, POLAND]["sign"] == 1
    assert A.edges[RUSSIA, BELARUS]["sign"] == 1
    for a, b in [(UKRAINE, RUSSIA), (POLAND, BELARUS), (UKRAINE, BELARUS), (POLAND, RUSSIA)]:
        assert A.edges[a, b]["sign"] == -1, (a, b)
        assert A.edges[a, b]["agree"] == 0 and A.edges[a, b]["disagree"] >= 2
    matrix = analysis.alignment_matrix(A)
    assert matrix.loc["Ukraine", "Poland"] == 1.0 and matrix.loc["Russia", "Belarus"] == 1.0
    assert matrix.loc["Russia", "Ukraine"] == -1.0 and matrix.loc["Ukraine", "Russia"] == -1.0
    assert matrix.loc["Russia", "Russia"] == 1.0
    assert matrix.equals(matrix.T) and list(matrix.index) == sorted(matrix.index)


def test_analysis_two_camps_alignment_needs_shared_words(two_camps_facts):
    A = analysis.alignment_graph(analysis.position_graph(two_camps_facts), min_shared=3)
    # only the two ceasefire topics share three content words (cease, front, line)
    assert A.edges[UKRAINE, RUSSIA]["disagree"] == 1 and A.edges[UKRAINE, RUSSIA]["topics"].count("ceasefire") == 2
    with pytest.raises(ValueError):
        analysis.alignment_graph(analysis.position_graph(two_camps_facts), min_shared=0)


def test_analysis_two_camps_kherson_is_contested(two_camps_facts):
    R = analysis.region_graph(two_camps_facts)
    contested = analysis.contested_regions(R)
    assert list(contested) == [KHERSON]
    assert {two_camps_facts.side(a) for a in contested[KHERSON]} == {RUSSIA, UKRAINE}
    assert analysis.contested_regions(R, min_demanders=3) == {}


def test_analysis_two_camps_region_and_alignment_tables(two_camps_store_path):
    from kg.store import open_store

    with open_store(two_camps_store_path, read_only=True) as store:
        regions = analysis.region_table(store)
        pairs = analysis.alignment_table(store)
    kherson = regions[regions["iri"] == KHERSON].iloc[0]
    assert bool(kherson["contested"]) and kherson["sides"] == 2 and kherson["documents"] == 2
    assert set(kherson["demanders"].split("; ")) == {"Russia", "Ukraine"}
    relation = {frozenset((r.actor, r.other)): r.relation for r in pairs.itertuples()}
    assert relation[frozenset(("Poland", "Ukraine"))] == "agree"
    assert relation[frozenset(("Belarus", "Russia"))] == "agree"
    assert relation[frozenset(("Russia", "Ukraine"))] == "disagree"
    assert list(pairs["score"]) == sorted(pairs["score"], reverse=True)


def test_analysis_two_camps_people_share_a_community_with_their_state(two_camps_facts):
    G = analysis.actor_graph(two_camps_facts)
    index = analysis.community_index(analysis.actor_communities(G))
    assert index == analysis.community_index(analysis.actor_communities(G))  # seeded: the same each run
    people = [n for n in G if G.nodes[n]["type"] == "Person" and G.nodes[n]["side"] != n]
    assert len(people) == 4
    for person in people:
        assert index[person] == index[G.nodes[person]["side"]], person


def test_analysis_two_camps_timeline_is_dated_and_ordered(two_camps_facts):
    events = analysis.actor_timeline(two_camps_facts, RUSSIA)
    dated = [e for e in events if e.date]
    assert [e.date for e in dated] == sorted(e.date for e in dated)
    assert all(e.date is None for e in events[len(dated):])
    sources = {(e.date, e.date_source) for e in dated}
    assert ("2023-03-10", "statement") in sources  # the demand about Kherson, from Peskov's statement
    assert ("2023-04-02", "document") in sources  # grain talks: no statement date, the document's date
    grain = next(e for e in events if e.date == "2023-04-02")
    assert grain.kind == "position" and grain.role == "holder" and "grain" in grain.summary
    roles = {e.role for e in events}
    assert {"holder", "demander", "addressee"} <= roles


def test_analysis_two_camps_precondition_dag(two_camps_facts):
    import networkx as nx

    D = analysis.precondition_graph(two_camps_facts)
    assert nx.is_directed_acyclic_graph(D)
    # Russia and Ukraine each demand something of the other: layered, it is still acyclic
    demanders = {D.nodes[n]["iri"] for n in D if D.nodes[n]["layer"] == "demander"}
    addressees = {D.nodes[n]["iri"] for n in D if D.nodes[n]["layer"] == "addressee"}
    assert {RUSSIA, UKRAINE} <= demanders and {RUSSIA, UKRAINE} <= addressees
