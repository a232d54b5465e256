"""Long documents: read in pieces, looked up by position, and the same as read whole."""

from __future__ import annotations

import pytest

from kg.documents import document_from_text
from kg.extract import extract_doc
from kg.extract.context import ents_in, sentences
from kg.extract.entities import find_entities
from kg.gazetteer import load_reference
from kg.nlp.pipeline import annotate, annotate_text, segments

PARAGRAPH = (
    "Foreign Minister Ana Ruiz of Chile said on Monday that Peru must withdraw its troops from the "
    "border zone before any talks. Peru's President Luis Soto rejected the demand and called on "
    "Chile to lift its blockade of the port. The United Nations urged both sides to show restraint. "
    "He said the government would not negotiate until the blockade ends."
)


@pytest.mark.parametrize("text, size", [
    ("One. Two.\nThree four. Five.", 16),
    ("a" * 50, 7),  # no white space at all: cut at the size
    ("word " * 40, 13),
    ("First sentence here. Second one follows. Third comes last.", 25),
    (("Line one.\n" * 30) + "tail", 64),
    ("short", 100),
])
def test_pipeline_segments_join_back(text, size):
    pieces = segments(text, size)
    assert "".join(pieces) == text
    assert all(0 < len(p) <= size for p in pieces)


def test_pipeline_segments_cut_at_line_breaks_then_sentences():
    assert segments("One. Two.\nThree four. Five.", 16) == ["One. Two.\n", "Three four. ", "Five."]
    assert all(p.endswith("\n") for p in segments("Line one.\n" * 30, 64)[:-1])


def test_pipeline_segments_refuse_a_tiny_size():
    with pytest.raises(ValueError, match="at least 2"):
        segments("text", 1)


def test_pipeline_annotate_long_text_joins_one_doc(nlp):
    text = "\n".join([PARAGRAPH] * 6) + "\n"
    whole = nlp(text)
    assert len(segments(text, 400)) > 1
    pieces = next(annotate([text], nlp, segment=400))
    assert pieces.text == text
    assert [t.text for t in pieces] == [t.text for t in whole]
    assert [(e.start, e.end, e.label_, e.ent_id_) for e in pieces.ents] == \
        [(e.start, e.end, e.label_, e.ent_id_) for e in whole.ents]
    assert [s.start for s in pieces.sents] == [s.start for s in whole.sents]


def test_pipeline_annotate_keeps_order_and_short_texts(nlp):
    texts = ["Chile protested.", "\n".join([PARAGRAPH] * 4), "Peru replied."]
    docs = list(annotate(texts, nlp, segment=300, batch_size=2))
    assert [d.text for d in docs] == texts


def test_extract_long_text_in_pieces_as_whole(nlp):
    text = "\n".join([PARAGRAPH] * 5) + "\n"
    document = document_from_text(text, published="2024-03-04")
    whole = extract_doc(document, annotate_text(text, nlp)).to_dict()  # under the size: read whole
    pieces = extract_doc(document, next(annotate([text], nlp, segment=500))).to_dict()
    assert pieces == whole


def test_context_ents_in_as_span_ents(nlp):
    doc = nlp("\n".join([PARAGRAPH] * 3))
    for sent in sentences(doc):
        assert ents_in(sent.span) == list(sent.span.ents)
    assert ents_in(doc[2:40]) == list(doc[2:40].ents)


def _scan_actors_in(entities, start, end):
    return [m for m in entities.actor_mentions if m.tok_start >= start and m.tok_end <= end]


def _scan_last_before(entities, char, person):
    best = None
    for m in entities.actor_mentions:
        if m.end <= char and (person is None or (entities.surely_person(m.key) if person
                                                 else not entities.records[m.key].is_person)):
            if best is None or m.end > best.end:
                best = m
    return best


def test_entities_lookups_as_a_scan(nlp):
    doc = nlp("\n".join([PARAGRAPH] * 3))
    entities = find_entities(doc, load_reference(), "2024-03-04")
    assert len(entities.actor_mentions) > 10
    n = len(doc)
    for start in range(0, n, 7):
        for end in (start + 1, start + 9, start + 40, n):
            assert entities.actors_in(start, end) == _scan_actors_in(entities, start, end)
            assert entities.regions_in(start, end) == [
                m for m in entities.region_mentions if m.tok_start >= start and m.tok_end <= end]
    for i in range(n):
        expected = next((m for m in entities.actor_mentions if m.tok_start <= i < m.tok_end), None)
        assert entities.actor_at(i) == expected
    for char in range(0, len(doc.text) + 1, 11):
        for person in (None, True, False):
            assert entities.last_actor_before(char, person=person) == _scan_last_before(entities, char, person)


def test_entities_index_follows_the_list(nlp):
    """Appended, filtered and sorted lists are looked up as they are now."""
    doc = nlp(PARAGRAPH)
    entities = find_entities(doc, load_reference())
    first = list(entities.actor_mentions)
    assert entities.actors_in(0, len(doc)) == first
    entities.actor_mentions[:] = first[1:]
    assert entities.actors_in(0, len(doc)) == first[1:]
    entities.actor_mentions.append(first[0])
    assert entities.actors_in(0, len(doc)) == first[1:] + first[:1]
    assert entities.actor_at(first[0].tok_start) == first[0]
