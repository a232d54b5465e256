"""From an annotated document to an :class:`~kg.extract.model.Extraction`.

``extract_doc`` is a pure function of the spaCy ``Doc``, the document's
metadata, the reference data and the vocabularies; it never touches rdflib or
the store.
"""

from __future__ import annotations

import functools
from importlib.metadata import PackageNotFoundError, version

from spacy.language import Language
from spacy.tokens import Doc as SpacyDoc

from kg.documents import Document
from kg.extract.context import discourse_subjects, evidence_of, sentences
from kg.extract.cues import CueSet
from kg.extract.dates import said_for, said_times
from kg.extract.entities import Entities, find_entities
from kg.extract.learned import apply_decisions, decide, feature_cues, propose_positions
from kg.extract.model import (
    EXTRACTOR, Actor, DocumentInfo, Extraction, Position, Precondition, Region, Span, Statement,
)
from kg.extract.positions import find_positions
from kg.extract.preconditions import _Cues, calls_as_positions, find_preconditions
from kg.extract.statements import document_author, find_statements, joint_authors
from kg.gazetteer import Reference, Vocabulary, load_reference, load_vocabulary
from kg.namespaces import ID

__all__ = ["extract", "extract_doc", "document_iri", "EXTRACTOR", "extractor_version", "sentence_said_times"]

DOC_BASE = str(ID["doc/"])


@functools.lru_cache(maxsize=1)
def extractor_version() -> str:
    try:
        return version("polkg")
    except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        return "0"


def document_iri(document: Document) -> str:
    """The document's IRI; it also names the graph of what was extracted from it."""
    return DOC_BASE + document.short_id


@functools.lru_cache(maxsize=2)
def _cues(vocabulary: Vocabulary) -> tuple[_Cues, CueSet]:
    cues = _Cues(
        actions=CueSet(vocabulary["action"]),
        outcomes=CueSet(vocabulary["outcome"]),
        conditions=CueSet(vocabulary["condition"]),
        stages={code: c.stage for code, c in vocabulary["outcome"].items()},
    )
    return cues, CueSet(vocabulary["stance"])


def extract(document: Document, nlp: Language | None = None) -> Extraction:
    """Annotate ``document`` with the pipeline and extract from it."""
    from kg.nlp.pipeline import annotate_text

    return extract_doc(document, annotate_text(document.text, nlp))


def extract_doc(
    document: Document,
    doc: SpacyDoc,
    reference: Reference | None = None,
    vocabulary: Vocabulary | None = None,
    *,
    learned=True,
) -> Extraction:
    """Extract actors, regions, statements, positions and preconditions from ``doc``.

    ``learned``: the trained sentence classifier gates and labels what the rules find
    (:mod:`kg.extract.learned`); ``True`` uses the one shipped with the package, a loaded spaCy
    pipeline another one, ``False`` gives the rules' output alone.
    """
    reference = reference or load_reference()
    vocabulary = vocabulary or load_vocabulary()
    cues, stances = _cues(vocabulary)
    entities = find_entities(doc, reference, document.published)
    sents = sentences(doc)
    headline = set()
    if document.title and len(sents) > 1 and sents[0].span.text.strip() == document.title.strip():
        headline.add(sents[0].index)  # a headline's capitals mislead the parser; the body says it again
    said = find_statements(sents, entities, document.published, skip=headline)
    subjects = discourse_subjects(sents, entities)
    attributed = document_author(sents, entities)
    author = attributed[0] if attributed else None  # "Statement from President X": whose "we" it is
    demands = find_preconditions(sents, entities, cues, said, skip=headline, subjects=subjects, author=author)
    # a call the text ties to no outcome is a position of the caller, not a precondition (ANNOTATION.md)
    calls = [d for d in demands if not d.tied]
    demands = [d for d in demands if d.tied]
    # what an actor demands in a sentence is its precondition there, not also a position
    # (the contract's seed annotation); other actors' positions in that sentence, and what the
    # demander condemns or welcomes beside the demand, stay
    demanding = {(d.sentence.index, d.demander) for d in demands}
    voices = _voices(sents, said, entities)
    times = said_times(sents, said, voices, entities, document.published, author)
    for s in said:
        s.date = times[s.sentence.index].value
    authors = tuple(joint_authors(sents, entities))
    held = [h for h in find_positions(sents, entities, stances, skip=headline, subjects=subjects,
                                      voices=voices, author=author, authors=authors)
            if h.evaluates or (h.sentence.index, h.holder) not in demanding]
    held += calls_as_positions(calls, held)
    decisions = None
    if learned is not False:
        decisions = decide([s.span for s in sents], feature_cues(vocabulary), None if learned is True else learned)
    proposed = []
    if decisions is not None:
        found = {h.sentence.index for h in held} | {d.sentence.index for d in demands} | headline
        taken = {n for n, s in enumerate(sents) if s.index in found}
        speaking = dict(voices)
        if author is not None:  # a statement document speaks for its author throughout
            speaking.update({n: entities.political(author) for n in range(len(sents)) if n not in voices})
        proposed = propose_positions([s.span for s in sents], decisions, speaking, taken)

    doc_iri = document_iri(document)
    used = {s.speaker for s in said} | {h.holder for h in held} | {p[1] for p in proposed}
    used |= {k for d in demands for k in (d.demander, d.addressee, *d.regions) if k}
    keep = _kept_entities(entities, used)
    # what a demand concerns names only actors kept on their own: it adds no actor to the document
    concerned = {id(d): [k for k in _concerns(d, entities) if k in keep] for d in demands}
    name = {key: entities.records[key].name for key in keep}

    statements = []
    statement_ids: dict[int, str] = {}
    for n, s in enumerate(said, start=1):
        sid = f"{doc_iri}/statement/{n}"
        statement_ids[id(s)] = sid
        statements.append(Statement(sid, name[s.speaker], s.date, evidence_of(s.sentence.span), s.via))
    positions = _unique_positions(
        Position(f"{doc_iri}/position/{n}", name[h.holder], h.stance, h.topic, evidence_of(h.sentence.span))
        for n, h in enumerate(held, start=1)
    )
    positions += [Position(f"{doc_iri}/position/0", name[holder], stance, topic, evidence_of(sents[n].span))
                  for n, holder, stance, topic in proposed]
    preconditions = [
        Precondition(
            f"{doc_iri}/precondition/{n}", name[d.demander], name[d.addressee] if d.addressee else None,
            d.action, [name[r] for r in d.regions], d.outcome, evidence_of(d.sentence.span),
            statement_ids.get(id(d.statement)) if d.statement else None,
            [name[k] for k in concerned[id(d)]],
        )
        for n, d in enumerate(demands, start=1)
    ]
    if decisions is not None:
        by_start = {evidence_of(s.span).start: d for s, d in zip(sents, decisions)}
        preconditions, positions = apply_decisions(preconditions, positions, by_start,
                                                   labels_of=_action_topics(vocabulary))
    when = {evidence_of(s.span).start: t for s, t in zip(sents, times)}
    key_of = {n: k for k, n in name.items()}
    for item in (*positions, *preconditions):
        t = when.get(item.evidence.start)
        if t is not None:
            holder = key_of.get(item.holder if isinstance(item, Position) else item.demander)
            t = said_for(t, holder, entities) if holder else t
            item.said, item.said_how = t.value, t.how
    actors, regions = _entity_records(entities, keep)
    return Extraction(
        document=DocumentInfo(
            id=doc_iri, title=document.title, published=document.published, source=document.source,
            path=document.path, content_hash=document.id, characters=len(document.text),
            relative_path=document.relative_path,
        ),
        actors=actors,
        regions=regions,
        statements=statements,
        positions=positions,
        preconditions=preconditions,
        extractor=EXTRACTOR,
        version=extractor_version(),
    )


@functools.lru_cache(maxsize=2)
def _action_topics(vocabulary: Vocabulary) -> dict[str, str]:
    """Action code -> the topic of a position that asks for it (its label, "withdraw forces")."""
    return {code: c.label for code, c in vocabulary["action"].items() if code != "other"}


def sentence_said_times(document: Document, doc: SpacyDoc, reference: Reference | None = None):
    """Every sentence of ``doc`` with its said-time, as ``extract_doc`` resolves them:
    ``[(start_char, end_char, SaidTime), ...]`` (:func:`kg.extract.dates.said_times`)."""
    entities = find_entities(doc, reference or load_reference(), document.published)
    sents = sentences(doc)
    headline = set()
    if document.title and len(sents) > 1 and sents[0].span.text.strip() == document.title.strip():
        headline.add(sents[0].index)
    said = find_statements(sents, entities, document.published, skip=headline)
    attributed = document_author(sents, entities)
    times = said_times(sents, said, _voices(sents, said, entities), entities, document.published,
                       attributed[0] if attributed else None)
    return [(evidence_of(s.span).start, evidence_of(s.span).end, t) for s, t in zip(sents, times)]


def _voices(sents, said, entities) -> dict[int, str]:
    """Sentence position -> the actor whose statement the sentence is, or continues: a sentence
    with no statement of its own after one in the same paragraph is still that speaker's."""
    by_index = {s.sentence.index: entities.political(s.speaker) for s in said}
    out: dict[int, str] = {}
    current: str | None = None
    for position, sent in enumerate(sents):
        if position and sent.paragraph != sents[position - 1].paragraph:
            current = None
        current = by_index.get(sent.index, current)
        if current is not None:
            out[position] = current
    return out


_SURE_PLACES = {"direction", "place"}
"""How a region was found when one mention is enough: "eastern Ukraine", "fighting near Marinka"."""


def _concerns(demand, entities: Entities) -> list[str]:
    """The actors the demanded action is about, besides its demander and addressee."""
    from kg.extract.roles import RoleContext
    from kg.extract.roles import concerns

    ctx = RoleContext(demand.sentence, entities, token=entities.doc[demand.anchor], demander=demand.demander,
                      addressee=demand.addressee, action=demand.action,
                      speaker=demand.statement.speaker if demand.statement else None)
    return concerns.find(ctx)


def _kept_entities(entities: Entities, used: set[str]) -> set[str]:
    """Reference entities are kept; a local person or place needs two mentions (a place named
    as one, "near Marinka", one), an assertion or
    (a person) a known affiliation ("Egypt's foreign minister Sameh Shoukry"), a local organisation a part in an assertion (news outlets and platforms,
    "according to the BBC", "wrote on Twitter", are named often but take no part)."""
    counts: dict[str, int] = {}
    for m in entities.actor_mentions + entities.region_mentions:
        counts[m.key] = counts.get(m.key, 0) + 1
    places = {m.key for m in entities.region_mentions if m.how in _SURE_PLACES}
    acting = {m.key for m in entities.actor_mentions if not _modifier(entities.doc, m)}
    affiliations = {r.speaks_for for r in entities.records.values() if r.speaks_for}
    keep = set()
    for key, record in entities.records.items():
        if key in used:
            keep.add(key)
        elif record.kind == "organization" and key not in acting and key not in affiliations:
            continue  # only ever a modifier: "the United Nations country team", "UN guiding principles"
        elif counts.get(key, 0) and (record.linked or key in places
                                     or counts[key] >= 2 and record.kind != "organization"
                                     or record.kind == "person" and record.speaks_for):
            keep.add(key)
    return keep


def _modifier(doc, mention) -> bool:
    """Is the mention a modifier inside another noun phrase ("the UN country team")?"""
    words = [t for t in doc[mention.tok_start:mention.tok_end] if t.dep_ != "det"]
    if not words:
        return False
    root = words[-1]
    return root.dep_ == "compound" and root.head.pos_ in ("NOUN", "PROPN") and not (
        mention.tok_start <= root.head.i < mention.tok_end)


def _entity_records(entities: Entities, keep: set[str]) -> tuple[list[Actor], list[Region]]:
    actor_spans: dict[str, list[Span]] = {}
    region_spans: dict[str, list[Span]] = {}
    for m in entities.actor_mentions:
        if m.key in keep:
            actor_spans.setdefault(m.key, []).append(Span(m.start, m.end, m.text))
    for m in entities.region_mentions:
        if m.key in keep:
            region_spans.setdefault(m.key, []).append(Span(m.start, m.end, m.text))
    for key in sorted(keep):
        record = entities.records[key]
        if record.kind and key not in actor_spans and not (record.region and key in region_spans):
            # named only through the people who speak for it ("Peskov" -> Russia)
            spans = [Span(m.start, m.end, m.text) for m in entities.actor_mentions
                     if entities.records[m.key].speaks_for == key]
            if spans:
                actor_spans[key] = spans
    actors = []
    for key, spans in actor_spans.items():
        r = entities.records[key]
        speaks_for = entities.records[r.speaks_for].name if r.speaks_for in entities.records else None
        actors.append(Actor(key, r.name, r.kind or "other", r.wikidata, spans, r.linked, speaks_for))
    regions = [
        Region(key, entities.records[key].name, entities.records[key].wikidata, spans,
               entities.records[key].linked)
        for key, spans in region_spans.items()
    ]
    return actors, regions


def _unique_positions(positions) -> list[Position]:
    """One position per holder, stance and topic; within a sentence, topics that share a content
    word are one position ("condemned all external support ... called for an end to such support")."""
    out: list[Position] = []
    words: list[set[str]] = []
    for p in positions:
        mine = _content_words(p.topic)
        duplicate = any(
            q.holder == p.holder and q.stance == p.stance and (
                q.topic.lower() == p.topic.lower() or q.evidence.start == p.evidence.start and mine & theirs
            )
            for q, theirs in zip(out, words)
        )
        if not duplicate:
            out.append(p)
            words.append(mine)
    return out


def _content_words(topic: str) -> set[str]:
    return {w.lower()[:5] for w in topic.split() if len(w) >= 4 and w.isalpha()}
