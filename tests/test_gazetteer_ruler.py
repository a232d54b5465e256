"""The compiled gazetteer ruler tags what spaCy's entity ruler tags, from the cache or not; the
reference data read from the cache equals the reference data read from the Turtle."""

from __future__ import annotations

import csv
import json

import pytest

from conftest import ROOT, SEED

from kg.documents import read_document
from kg.extract import extract_doc
from kg.gazetteer import Entity, Reference, load_reference
from kg.nlp.pipeline import build_nlp

GOLD = ROOT / "tests" / "gold"
SENTENCES = [
    "The UK and the US said the U.S. envoy would meet UK officials.",
    "Forces of the Democratic Republic of Congo and the DRC army moved into North Kivu.",
    "Kremlin spokesman Dmitry Peskov said Russia\u2019s troops would not leave Donetsk.",
    "US-backed forces and the Azerbaijani army met near the Lachin corridor.",
    "",
]
"""Invented sentences: labels that are also demonyms, variants of names, apostrophes, an empty text."""


def _texts() -> list[str]:
    """The seed, the train and dev gold texts (never the locked test split), the sentences above."""
    with (GOLD / "splits.tsv").open(encoding="utf-8") as fh:
        names = [row["doc"] for row in csv.DictReader(fh, delimiter="\t") if row["split"] in ("train", "dev")]
    assert len(names) > 20
    return [SEED.read_text(encoding="utf-8")] + [(GOLD / n).read_text(encoding="utf-8") for n in names] + SENTENCES


def _ents(doc) -> list[tuple]:
    return [(e.start, e.end, e.label_, e.ent_id_) for e in doc.ents]


@pytest.fixture(scope="module")
def spacy_ruler_nlp():
    """The pipeline with spaCy's own entity ruler and the same patterns."""
    return build_nlp(entity_ruler=True)


def test_gazetteer_ruler_tags_what_the_entity_ruler_tags(nlp, spacy_ruler_nlp):
    ours, theirs = nlp.get_pipe("gazetteer"), spacy_ruler_nlp.get_pipe("gazetteer")
    assert type(ours).__name__ == "GazetteerRuler" and type(theirs).__name__ == "EntityRuler"
    tagged = 0
    for text in _texts():
        expected = _ents(theirs(spacy_ruler_nlp.make_doc(text)))
        assert _ents(ours(nlp.make_doc(text))) == expected, text[:80]
        tagged += len(expected)
    assert tagged > 500


def test_gazetteer_ruler_over_the_statistical_entities(nlp, spacy_ruler_nlp):
    """Through the whole pipeline (the NER after the ruler, the ruler over entities already set)."""
    for text in SENTENCES[:4]:
        assert _ents(nlp(text)) == _ents(spacy_ruler_nlp(text))
    doc = nlp.make_doc(SENTENCES[0])
    theirs = spacy_ruler_nlp.make_doc(SENTENCES[0])
    for d in (doc, theirs):  # entities set before the ruler: overlapped ones go, others stay
        from spacy.tokens import Span
        d.ents = [Span(d, 1, 3, label="ORG"), Span(d, 6, 8, label="PERSON")]
    assert _ents(nlp.get_pipe("gazetteer")(doc)) == _ents(spacy_ruler_nlp.get_pipe("gazetteer")(theirs))


def test_gazetteer_extraction_is_the_same_from_the_cache_compiled_and_with_the_entity_ruler(
        tmp_path, monkeypatch, spacy_ruler_nlp):
    document = read_document(SEED)
    expected = extract_doc(document, spacy_ruler_nlp(document.text)).to_dict()
    monkeypatch.setenv("POLKG_CACHE_DIR", str(tmp_path / "cache"))
    writes = build_nlp()  # compiles the table and writes it
    [table] = (tmp_path / "cache").glob("gazetteer-*.json")
    reads = build_nlp()  # reads it
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("POLKG_CACHE_DIR", str(blocker / "cache"))
    compiles = build_nlp()  # no cache to write: compiled in memory
    for nlp in (writes, reads, compiles):
        assert extract_doc(document, nlp(document.text)).to_dict() == expected
    assert expected["preconditions"] or expected["positions"]


def test_gazetteer_damaged_or_changed_table_is_compiled_again(tmp_path, monkeypatch, nlp):
    monkeypatch.setenv("POLKG_CACHE_DIR", str(tmp_path))
    build_nlp()
    [table] = tmp_path.glob("gazetteer-*.json")
    table.write_text(json.dumps({"keys": [], "phrases": [[[1], [2]]]}))  # valid JSON, not a table
    text = SENTENCES[0]
    assert _ents(build_nlp()(text)) == _ents(nlp(text))
    table.write_bytes(b"\x00broken")
    assert _ents(build_nlp()(text)) == _ents(nlp(text))
    reference = load_reference()
    entities = dict(reference.entities)
    entities["https://example.org/Freedonia"] = Entity(iri="https://example.org/Freedonia", name="Freedonia",
                                                       kind="state", region=True)
    doc = build_nlp(Reference(entities))("Troops left Freedonia.")
    assert [(e.text, e.ent_id_) for e in doc.ents] == [("Freedonia", "https://example.org/Freedonia")]
    assert len(list(tmp_path.glob("gazetteer-*.json"))) == 2  # a new table for the new patterns


def test_reference_from_the_cache_equals_the_turtle(tmp_path, monkeypatch):
    from kg import resources
    from kg.gazetteer import _read_reference

    monkeypatch.setenv("POLKG_CACHE_DIR", str(tmp_path))
    paths = tuple(resources.reference_files())
    expected = _read_reference(paths).entities
    read = load_reference.__wrapped__  # past the per-process cache
    first = read(paths).entities  # writes the cache
    [cached] = tmp_path.glob("reference-*.json")
    again = read(paths).entities  # reads it
    cached.write_text('[{"iri": 1}]')  # damaged: read from the Turtle again
    damaged = read(paths).entities
    assert list(first) == list(again) == list(damaged) == list(expected)
    assert first == again == damaged == expected
    assert isinstance(next(e for e in again.values() if e.terms).terms[0], tuple)
