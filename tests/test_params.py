"""Parameters of named queries: labels and IRIs to entities, and every other kind checked."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import QueryError
from kg.namespaces import ACT, OUT, ST
from kg.params import bind_parameters, check_iri, resolve_entity
from kg.query import NamedQuery
from kg.store import open_store

REF = "https://w3id.org/polkg/ref/"
POL = "https://w3id.org/polkg/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
T = "urn:polkg:test:"


@pytest.fixture(scope="module")
def store():
    """The schema and reference data, plus a few entities that test the rules."""
    store = open_store(None)
    graph = ox.NamedNode(T + "graph")

    def entity(iri, cls, pref, *alts):
        node = ox.NamedNode(iri)
        quads = [ox.Quad(node, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                         ox.NamedNode(POL + cls), graph),
                 ox.Quad(node, ox.NamedNode(SKOS + "prefLabel"), ox.Literal(pref, language="en"), graph)]
        quads += [ox.Quad(node, ox.NamedNode(SKOS + "altLabel"), ox.Literal(a, language="en"), graph) for a in alts]
        return quads

    quads = (entity(T + "alpha", "State", "Alphaland", "Alpha")
             + entity(T + "twin1", "State", "Twin") + entity(T + "twin2", "Party", "Twin")
             + entity(T + "xactor", "ArmedGroup", "Xland") + entity(T + "xregion", "Region", "Xland")
             + entity("https://w3id.org/polkg/id/actor/russia", "State", "Russia"))
    mention = ox.NamedNode(T + "mention")
    quads += [ox.Quad(mention, ox.NamedNode(POL + "refersTo"), ox.NamedNode(REF + "Russia"), graph),
              ox.Quad(mention, ox.NamedNode("http://www.w3.org/ns/oa#exact"), ox.Literal("Rossiya"), graph)]
    store.raw.extend(quads)
    yield store
    store.close()


@pytest.mark.parametrize("value, expected", [
    ("Russia", REF + "Russia"),                 # preferred label; the reference entity over a local one
    ("russia", REF + "Russia"),                 # any letter case
    ("Kremlin", REF + "Russia"),                # an alternative label
    ("the Kremlin", REF + "Russia"),
    ("  Moscow ", REF + "Russia"),              # surrounding space
    ("Rossiya", REF + "Russia"),                # the text of a mention
    ("Alpha", T + "alpha"),
    ("ALPHALAND", T + "alpha"),
    (REF + "Ukraine", REF + "Ukraine"),         # an IRI
    ("ref:Ukraine", REF + "Ukraine"),           # with one of polkg's prefixes
    ("urn:polkg:test:alpha", T + "alpha"),
])
def test_params_resolve_entity(store, value, expected):
    assert resolve_entity(store, value, "who") == URIRef(expected)


def test_params_actor_and_region_of_one_name(store):
    assert resolve_entity(store, "Xland", "who", "actor") == URIRef(T + "xactor")
    assert resolve_entity(store, "Xland", "where", "region") == URIRef(T + "xregion")
    with pytest.raises(QueryError, match=r"^what: 'Xland' names 2 entities \(urn:polkg:test:xactor, "
                                         r"urn:polkg:test:xregion\): give the IRI$"):
        resolve_entity(store, "Xland", "what", "entity")


def test_params_ambiguous_label_asks_for_the_iri(store):
    with pytest.raises(QueryError, match=r"^who: 'Twin' names 2 entities .*: give the IRI$"):
        resolve_entity(store, "Twin", "who", "actor")
    assert resolve_entity(store, T + "twin2", "who", "actor") == URIRef(T + "twin2")


@pytest.mark.parametrize("value", ["Xanadu", 'Russia" } ; DROP ALL ; #', "<x> <y> ."])
def test_params_unknown_label(store, value):
    before = len(store)
    with pytest.raises(QueryError) as info:
        resolve_entity(store, value, "demander")
    assert str(info.value) == f"demander: no actor or region is called {value.strip()!r}"
    assert len(store) == before


@pytest.mark.parametrize("value", ["http://a b", "https://x.org/<y>", 'http://x"y', "https://x/{a}", "no-scheme",
                                   "ref:Bad Name", "a:%zz", "http://[::1", "a:#x#y"])
def test_params_bad_iri(value):
    with pytest.raises(QueryError, match=r"^assertion: not a valid IRI"):
        check_iri(value, "assertion")


QUERY = NamedQuery("test", "Test.", {"who": "actor", "where": "region", "on": "date", "act": "action",
                                     "out": "outcome", "stance": "stance", "n": "integer", "text": "string",
                                     "link": "iri"}, "", None)


def test_params_every_kind_becomes_its_term(store):
    bindings = bind_parameters(store, QUERY, {"who": "Moscow", "where": "Kherson", "on": "2022-02-24",
                                              "act": "withdraw_forces", "out": "ceasefire", "stance": "opposes",
                                              "n": "-3", "text": 'say "no"', "link": "https://example.org/x"})
    assert bindings == {
        "who": URIRef(REF + "Russia"), "where": URIRef(REF + "Kherson_Oblast"),
        "on": Literal("2022-02-24", datatype=XSD.date), "act": ACT.withdraw_forces, "out": OUT.ceasefire,
        "stance": ST.opposes, "n": Literal(-3), "text": Literal('say "no"'), "link": URIRef("https://example.org/x")}


@pytest.mark.parametrize("params, message", [
    ({"on": "2022-13-01"}, "on: not a date (YYYY-MM-DD): '2022-13-01'"),
    ({"on": "2022-1-1"}, "on: not a date (YYYY-MM-DD): '2022-1-1'"),
    ({"on": "yesterday"}, "on: not a date (YYYY-MM-DD): 'yesterday'"),
    ({"act": "Withdraw"}, "act: not a code of this vocabulary: 'Withdraw' (one of: withdraw_forces, "),
    ({"out": "peace"}, "out: not a code of this vocabulary: 'peace' (one of: ceasefire, "),
    ({"stance": "neutral"}, "stance: not a code of this vocabulary: 'neutral' (one of: supports, opposes)"),
    ({"n": "1.5"}, "n: not an integer: '1.5'"),
    ({"text": "a\x00b"}, "text: control characters are not allowed"),
    ({"who": "   "}, "who: empty value"),
    ({"link": "<x> <y> ."}, "link: not a valid IRI: '<x> <y> .'"),
    ({"nobody": "x"}, "test: unknown parameter 'nobody' (this query takes: who, where, on, "),
])
def test_params_bad_values_are_refused(store, params, message):
    with pytest.raises(QueryError) as info:
        bind_parameters(store, QUERY, params)
    assert str(info.value).startswith(message)


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.text(max_size=30), st.text(max_size=30).map(lambda t: "http://" + t),
                       st.text(max_size=30).map(lambda t: "ref:" + t)))
def test_params_any_text_is_a_checked_iri_or_refused(value):
    try:
        iri = check_iri(value, "link")
    except QueryError as exc:
        assert str(exc).startswith("link: not a valid IRI")
    else:
        ox.NamedNode(str(iri))  # what the engine accepts
        assert iri.n3().startswith("<")
