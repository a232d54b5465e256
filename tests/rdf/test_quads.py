"""``to_quads`` (the ingest path, pyoxigraph terms) gives exactly the quads of ``to_graph`` (rdflib)."""

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.documents import read_document
from kg.extract import extract_doc
from kg.extract.model import (
    Actor, DocumentInfo, Evidence, Extraction, Position, Precondition, Region, Span, Statement,
)
from kg.rdf.mapping import to_graph, to_quads
from kg.store.oxigraph import to_ox

GOLD = Path(__file__).resolve().parents[1] / "gold"


def _rdflib_quads(extraction: Extraction) -> set:
    name = ox.NamedNode(extraction.document.id)
    return {ox.Quad(to_ox(s), to_ox(p), to_ox(o), name) for s, p, o in to_graph(extraction)}


def _same(extraction: Extraction) -> None:
    quads = to_quads(extraction)
    assert len(quads) == len(set(quads)), "a quad twice"
    expected = _rdflib_quads(extraction)
    missing, extra = expected - set(quads), set(quads) - expected
    assert not missing and not extra, (f"to_quads differs from to_graph: missing {sorted(map(str, missing))[:5]}, "
                                       f"extra {sorted(map(str, extra))[:5]}")


def _dev_documents() -> list[Path]:
    lines = (GOLD / "dev_gold.jsonl").read_text(encoding="utf-8").splitlines()
    return [GOLD / json.loads(line)["doc"] for line in lines if line.strip()]


@pytest.mark.slow
def test_quads_equal_rdflib_graph_on_the_dev_corpus(nlp):
    paths = _dev_documents()
    assert len(paths) >= 30
    documents = [read_document(p) for p in paths]
    triples = 0
    for document, doc in zip(documents, nlp.pipe([d.text for d in documents])):
        extraction = extract_doc(document, doc)
        _same(extraction)
        triples += len(extraction.positions) + len(extraction.preconditions)
    assert triples > 50  # the corpus exercises the assertions, not only the document nodes


def _every_branch() -> Extraction:
    doc = "https://w3id.org/polkg/id/doc/0123456789abcdef"
    quote = Evidence(start=0, end=6, quote="Kyiv \u201csaid\u201d \\ \"x\"\n")
    info = DocumentInfo(id=doc, title="A \"title\"\nwith a line", published="2024-06", source="Wire",
                        path="/tmp/a b.txt", content_hash="abc", characters=1234)
    actors = [
        Actor(id="https://w3id.org/polkg/id/actor/Jo\u00e3o_Louren\u00e7o", name="Jo\u00e3o Louren\u00e7o",
              kind="person", linked=False, wikidata="Q123", speaks_for="Angola",
              mentions=[Span(start=3, end=9, text="Jo\u00e3o")]),
        Actor(id="https://w3id.org/polkg/ref/Angola", name="Angola", kind="state", wikidata=None, linked=True,
              mentions=[Span(start=20, end=26, text="Angola")]),
        Actor(id="https://w3id.org/polkg/ref/NATO", name="NATO", kind="alliance", wikidata="Q7184", linked=True,
              mentions=[Span(start=10, end=14, text="NATO")]),
    ]
    regions = [Region(id="https://w3id.org/polkg/id/region/Cabinda", name="Cabinda", wikidata="Q5", linked=False,
                      mentions=[Span(start=30, end=37, text="Cabinda"), Span(start=40, end=47, text="Cabinda")])]
    statements = [Statement(id=doc + "/statement/1", speaker="Jo\u00e3o Louren\u00e7o", date="2024",
                            via="a spokesman", evidence=quote)]
    positions = [Position(id=doc + "/position/1", holder="Angola", stance="oppose", topic="the deal",
                          statement=doc + "/statement/1", evidence=quote)]
    preconditions = [Precondition(id=doc + "/precondition/1", demander="Angola", addressee="Jo\u00e3o Louren\u00e7o",
                                  action="withdraw_forces", for_="ceasefire", regions=["Cabinda"],
                                  statement=doc + "/statement/1", evidence=quote, concerns=["NATO"])]
    return Extraction(document=info, actors=actors, regions=regions, statements=statements,
                      positions=positions, preconditions=preconditions, version="1.2.3")


def test_quads_equal_rdflib_graph_on_every_branch():
    try:
        extraction = _every_branch()
    except TypeError as exc:  # the model's fields changed: this case must follow them
        pytest.fail(f"update _every_branch to the model: {exc}")
    _same(extraction)
    assert len(to_quads(extraction)) > 60
