"""Properties over random input: the reader, the extractor and the RDF mapping never raise
anything but a one-line InputError, offsets always point at the quoted text, and every
literal comes back unchanged from every export format."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kg.documents import MAX_CHARS, document_from_text, iter_documents
from kg.errors import InputError
from kg.export import export
from kg.extract import document_iri, extract_doc
from kg.extract.model import (
    Actor, DocumentInfo, Evidence, Extraction, Position, Precondition, Region, Span, Statement,
)
from kg.rdf.mapping import to_graph
from kg.store import open_store



def fuzz(examples: int):
    """Hypothesis settings of these tests: no deadline (spaCy), a fixed seed, no example database."""
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# characters that break naive code: quotes, escapes, markup, RDF and SPARQL syntax, controls,
# right-to-left marks and overrides, zero-width characters, a BOM, a non-BMP character
NASTY = list('"\'\\<>{}&;#.@^_:?$') + ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f", "\t", "\n", "\r",
                                       "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202e",
                                       "\u2066", "\u2069", "\ufeff", "\u2028", "\ufffe", "\U0001f600",
                                       "\u0645", "\u05d0", "\u00e9", "\u0301"]
FRAGMENTS = [
    "Russia demands that Ukraine withdraw its forces from Donetsk before a ceasefire, ",
    "the Kremlin said. ", "Kyiv rejected the demand. ", "NATO supports peace talks. ",
    '"> <x> <y> . ', "}; DROP ALL; ", "<script>alert(1)</script> ", "\\u0022 ", "\n\n",
    "Serbia said on 14 June 2024 that Kosovo must ", "dissolve its police. ",
]
nasty_text = st.text(alphabet=st.sampled_from(NASTY) | st.characters(codec="utf-8"), max_size=40)
news_like = st.lists(st.sampled_from(FRAGMENTS) | nasty_text, min_size=1, max_size=8).map("".join)


def _check_document(document) -> None:
    assert document.text.strip()
    assert len(document.text) <= MAX_CHARS
    assert document.id == hashlib.sha256(document.text.encode("utf-8")).hexdigest()
    assert "\r" not in document.text
    assert not any(ch in document.text for ch in "\x00\x07\x1b\x7f\x85\ufffe")
    document.text.encode("utf-8")  # no lone surrogate


def _check_error(error: InputError, where: str) -> None:
    message = str(error)
    assert "\n" not in message and "\r" not in message
    assert message.startswith(where) and message != where


# -- the reader -------------------------------------------------------------------

prefixes = st.sampled_from([b"", b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\x1f\x8b", b"\xef\xbb\xbf",
                            b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"PK\x03\x04", b'{"text": "'])
raw_bytes = st.one_of(
    st.binary(max_size=300),
    news_like.map(lambda t: t.encode("utf-8", "surrogatepass")),
    news_like.map(lambda t: t.encode("utf-16", "surrogatepass")),
    st.lists(st.sampled_from(['{"text": "Russia said \\ud800."}', '{"text": 1}', "[", '{"text": "Kyiv"}',
                              '{"title": 2, "text": "x"}', '{"text": "ok", "n": 1e999}', "null", ""]),
             max_size=5).map(lambda lines: "\n".join(lines).encode()),
)


@fuzz(300)
@given(prefix=prefixes, body=raw_bytes, suffix=st.sampled_from([".txt", ".md", ".html", ".jsonl"]))
@example(prefix=b"", body=b"\x00" * 3, suffix=".txt")
@example(prefix=b"\xff\xfe", body=b"\x00\xd8", suffix=".txt")
@example(prefix=b"", body=b'{"text": "\\udfff"}', suffix=".jsonl")
def test_properties_reader_random_bytes(prefix, body, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"doc{suffix}"
        path.write_bytes(prefix + body)
        for item in iter_documents([path]):
            if isinstance(item, InputError):
                _check_error(item, str(path))
            else:
                _check_document(item)


@fuzz(300)
@given(text=st.one_of(news_like, st.text(max_size=200)))
@example(text="\ud800 lone")
@example(text="\u200b\u200d\ufeff")
def test_properties_document_from_text(text):
    try:
        document = document_from_text(text, title=text[:30] or None)
    except InputError as error:
        _check_error(error, "<text>")
        return
    _check_document(document)
    again = document_from_text(document.text)
    assert again.text == document.text  # the normalisation is done once and for all


# -- the extractor ------------------------------------------------------------------


def _spans(extraction: Extraction):
    for entity in extraction.actors + extraction.regions:
        for span in entity.mentions:
            yield span.start, span.end, span.text
    for item in extraction.statements + extraction.positions + extraction.preconditions:
        yield item.evidence.start, item.evidence.end, item.evidence.quote


@fuzz(60)
@given(text=news_like)
@example(text="Russia demands that Ukraine\u200b withdraw from \u202eDonetsk\u202c, the Kremlin said.\x07")
def test_properties_extractor_offsets_point_at_quotes(nlp, text):
    try:
        document = document_from_text(text)
    except InputError:
        return
    extraction = extract_doc(document, nlp(document.text))
    for start, end, quote in _spans(extraction):
        assert 0 <= start <= end <= len(document.text)
        assert document.text[start:end] == quote
    graph = to_graph(extraction)
    assert len(graph) > 0


# -- the mapping and every export format ----------------------------------------------

literal_text = st.text(alphabet=st.sampled_from(NASTY) | st.characters(codec="utf-8", exclude_categories=["Cs"]),
                       min_size=1, max_size=30).filter(lambda s: "\r" not in s)


@st.composite
def extractions(draw):
    text = draw(literal_text)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    doc = "https://w3id.org/polkg/id/doc/" + digest[:16]
    names = draw(st.lists(literal_text, min_size=2, max_size=3, unique=True))
    quote = draw(literal_text)
    evidence = Evidence(quote, 0, len(quote))
    span = Span(0, len(names[0]), names[0])
    actors = [Actor(f"{doc}/actor/{n}", name, "state", None, [span], linked=False) for n, name in enumerate(names)]
    region_name = draw(literal_text)
    regions = [Region(f"{doc}/region/0", region_name, None, [Span(1, 2, draw(literal_text))], linked=False)]
    return Extraction(
        document=DocumentInfo(id=doc, title=draw(literal_text), published="2024-06-14", source=draw(literal_text),
                              path=draw(literal_text), content_hash=digest, characters=len(text)),
        actors=actors,
        regions=regions,
        statements=[Statement(f"{doc}/statement/1", names[0], "2024-06-14", evidence, via=draw(literal_text))],
        positions=[Position(f"{doc}/position/1", names[1], "supports", draw(literal_text), evidence)],
        preconditions=[Precondition(f"{doc}/precondition/1", names[0], names[1], "withdraw_forces",
                                    [region_name], "ceasefire", evidence)],
        version="0.1.0",
    )


def _strings(quads) -> set[tuple[str, str | None]]:
    return {(q.object.value, q.object.language) for q in quads
            if isinstance(q.object, ox.Literal) and q.object.datatype.value.endswith(("#string", "#langString"))}


def _parse(fmt: str, data: bytes) -> set:
    if fmt == "jsonld":
        from rdflib import Dataset

        dataset = Dataset()
        dataset.parse(data=data, format="json-ld")
        nquads = dataset.serialize(format="nquads").encode("utf-8")
        return _strings(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    formats = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "trig": ox.RdfFormat.TRIG,
               "nq": ox.RdfFormat.N_QUADS}
    return _strings(ox.parse(data, format=formats[fmt]))


@pytest.fixture(scope="module")
def memory_store():
    with open_store(None) as store:
        yield store


@fuzz(60)
@given(extraction=extractions())
def test_properties_literals_round_trip_every_export_format(memory_store, extraction):
    graph = to_graph(extraction)
    for name in memory_store.document_graphs():
        memory_store.remove_graph(name)
    memory_store.write_graph(extraction.document.id, graph)
    wanted = _strings(memory_store.raw.quads_for_pattern(None, None, None, ox.NamedNode(extraction.document.id)))
    assert (extraction.document.title, None) in wanted
    assert (extraction.statements[0].evidence.quote, None) in wanted
    for fmt in ("ttl", "nt", "trig", "nq", "jsonld"):
        assert _parse(fmt, export(memory_store, fmt, documents_only=True)) == wanted, fmt


def test_properties_document_iri_depends_on_text_only():
    a = document_from_text("Russia said.", path="../../etc/passwd", title="../../x")
    b = document_from_text("Russia said.", path="a.txt")
    assert document_iri(a) == document_iri(b) and "/" not in document_iri(a).rsplit("/doc/", 1)[1]
