"""Sentence-level helpers shared by the statement, position and precondition rules."""

from __future__ import annotations

import bisect
import weakref
from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Doc as SpacyDoc
from spacy.tokens import Span as SpacySpan
from spacy.tokens import Token

from kg.extract.model import Evidence

__all__ = ["Sentence", "sentences", "ents_in", "earlier_in_paragraph", "PARAGRAPH_REACH", "evidence_of", "subject_span", "phrase", "pronoun_subject", "discourse_subjects",
           "coordinated_actors", "governing_verb", "group_of_members"]


@dataclass
class Sentence:
    """A sentence with its paragraph number and its position in the document."""

    span: SpacySpan
    index: int
    paragraph: int

    @property
    def start(self) -> int:
        return self.span.start

    @property
    def end(self) -> int:
        return self.span.end


def sentences(doc: SpacyDoc) -> list[Sentence]:
    """The sentences of ``doc``; a paragraph is a block of text between line breaks."""
    text = doc.text  # built from the tokens at each access: once
    breaks = [i for i, ch in enumerate(text) if ch == "\n"]
    return [
        Sentence(sent, index, bisect.bisect_left(breaks, sent.start_char))
        for index, sent in enumerate(doc.sents)
    ]


_ENTS: "weakref.WeakKeyDictionary[SpacyDoc, tuple[list[int], tuple[SpacySpan, ...]]]" = weakref.WeakKeyDictionary()


def ents_in(span: SpacySpan) -> list[SpacySpan]:
    """The entities of ``span``, as ``span.ents`` gives them, without reading the whole document.

    spaCy's ``Span.ents`` builds every entity of the document at each call, so one call per
    sentence costs the document's length squared. The entities of a document are read once
    (the pipeline has set them; extraction never changes them) and looked up by position.
    """
    doc = span.doc
    cached = _ENTS.get(doc)
    if cached is None:
        ents = tuple(doc.ents)
        cached = _ENTS[doc] = ([e.start for e in ents], ents)
    starts, ents = cached
    out = []
    for n in range(bisect.bisect_left(starts, span.start), len(ents)):
        if ents[n].end > span.end:
            break
        out.append(ents[n])
    return out


PARAGRAPH_REACH = 20
"""How many sentences away a rule looks, at most, for what "the paragraph" says before or after a
sentence (an antecedent, a condition). A paragraph of news is a few sentences; a text with no
line breaks is one paragraph however long it is, and a rule must not read all of it for each
sentence."""


def earlier_in_paragraph(sents: list[Sentence], sent: Sentence) -> Iterator[Sentence]:
    """The sentences of ``sent``'s paragraph before it, nearest first, :data:`PARAGRAPH_REACH` at most
    (``sents`` is the document's list, where a sentence's ``index`` is its position)."""
    for index in range(min(sent.index, len(sents)) - 1, max(-1, sent.index - 1 - PARAGRAPH_REACH), -1):
        other = sents[index]
        if other.paragraph != sent.paragraph:
            return
        yield other


def evidence_of(sent: SpacySpan) -> Evidence:
    """The sentence's exact text, without surrounding white space."""
    text = sent.text
    lead = len(text) - len(text.lstrip())
    quote = text.strip()
    start = sent.start_char + lead
    return Evidence(quote=quote, start=start, end=start + len(quote))


def subject_span(verb: Token) -> tuple[int, int] | None:
    """Token range of the verb's subject, or of the agent in a passive ("by X")."""
    for child in verb.children:
        if child.dep_ == "agent":
            return child.left_edge.i, child.right_edge.i + 1
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubjpass", "csubj"):
            if child.lower_ in ("who", "which", "that") and verb.dep_ == "relcl":
                head = verb.head
                return head.left_edge.i, head.i + 1
            return child.left_edge.i, child.right_edge.i + 1
    if verb.dep_ in ("conj", "xcomp", "advcl") and verb.head is not verb:
        return subject_span(verb.head)
    return None


def governing_verb(token: Token, *, hops: int = 5) -> Token | None:
    """The token itself if it is a verb, else the nearest verb among its heads (``hops`` at most)."""
    for _ in range(hops):
        if token.pos_ in ("VERB", "AUX"):
            return token
        if token.head.i == token.i:
            return None
        token = token.head
    return token if token.pos_ in ("VERB", "AUX") else None


_DROP = {"det", "punct", "cc", "predet"}


def phrase(tokens: list[Token], *, max_words: int = 8) -> str:
    """A short topic phrase: no leading determiners or infinitive "to", no trailing punctuation."""
    while tokens and (tokens[0].dep_ in _DROP or tokens[0].is_punct or tokens[0].tag_ == "POS"
                      or tokens[0].is_stop and tokens[0].pos_ in ("DET", "ADP", "PRON", "CCONJ")
                      or tokens[0].dep_ == "aux" and tokens[0].lower_ == "to"):
        tokens = tokens[1:]
    while tokens and (tokens[-1].is_punct or tokens[-1].pos_ in ("CCONJ", "ADP", "DET")):
        tokens = tokens[:-1]
    tokens = tokens[:max_words]
    while tokens and (tokens[-1].is_punct or tokens[-1].pos_ in ("CCONJ", "ADP", "DET")):
        tokens = tokens[:-1]
    if not tokens:
        return ""
    return tokens[0].doc[tokens[0].i: tokens[-1].i + 1].text


def pronoun_subject(sent: Sentence) -> bool:
    root = sent.span.root
    return any(c.dep_ == "nsubj" and c.lower_ in ("they", "it") for c in root.children)


def coordinated_actors(span: tuple[int, int], entities) -> list[str]:
    """The political actors a subject names: one, or all of a coordination.

    "Chile" -> [Chile]; "Peru and its Andean partners" -> [Peru, Andean Community];
    "Ghana, Togo, Benin and Niger" -> all four.
    """
    mentions = entities.actors_in(*span)
    if not mentions:
        return []
    doc = entities.doc
    coordinated = any(t.dep_ == "cc" for t in doc[span[0]:span[1]])
    if coordinated:
        mentions = group_of_members(mentions, doc) or mentions  # "the G7 ministers of A, B and C"
    keys = [entities.political(m.key) for m in (mentions if coordinated else mentions[:1])]
    return list(dict.fromkeys(keys))


def group_of_members(mentions: list, doc) -> list | None:
    """ "the G7 foreign ministers of Canada, France and Japan": the group whose members the
    phrase lists, when its first actor names the people the members are "of" (it modifies the
    noun that the coordinated members hang from); None when the phrase is no such thing."""
    if len(mentions) < 3:
        return None
    first = mentions[0]
    last = doc[first.tok_end - 1]
    if last.dep_ not in ("compound", "nmod", "amod") or not (first.tok_end <= last.head.i):
        return None
    noun = last.head
    members = [c for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"]
    if not members:
        return None
    start, end = members[0].i, members[0].right_edge.i + 1
    inside = [m for m in mentions[1:] if start <= m.tok_start and m.tok_end <= end]
    return [first] if len(inside) >= 2 else None


def discourse_subjects(sents: list[Sentence], entities) -> dict[int, list[str]]:
    """The actors each sentence is about (its main subject), carried over pronoun subjects.

    "The council members deplored ... They asked that ...": "they" is the council.
    """
    out: dict[int, list[str]] = {}
    current: list[str] = []
    group: tuple[int, list[str]] | None = None  # the last subject naming several actors
    for position, sent in enumerate(sents):
        root = sent.span.root
        span = subject_span(root) if root.pos_ in ("VERB", "AUX") else None
        if span is not None:
            found = coordinated_actors(span, entities)
            if found:
                current = found
                if len(found) > 1:
                    group = (position, found)
            elif _plural_pronoun_subject(sent) and len(current) == 1 and group and position - group[0] <= 3:
                current = group[1]  # "Egypt, Greece, Cyprus and France met; Italy joined. They concluded"
            elif not pronoun_subject(sent):
                current = []
        if current:
            out[position] = current
    return out


def _plural_pronoun_subject(sent: Sentence) -> bool:
    return any(c.dep_ == "nsubj" and c.lower_ in ("they", "we") for c in sent.span.root.children)
