"""The gazetteer ruler: spaCy's entity ruler for phrase patterns, from a table compiled once.

spaCy's ``entity_ruler`` tokenizes every pattern and builds its phrase matcher each time a
pipeline is built: for the 8,000-odd labels of the reference data that is about a second of
every start, most of it creating the vocabulary entries of the patterns' words. This component
does what the entity ruler does with phrase patterns matched on the words' text (its ``ORTH``
attribute, the default) and ``overwrite_ents``, from a table of the patterns' word hashes that
:func:`compile_patterns` makes with the real tokenizer and phrase matcher, and that
:mod:`kg.nlp.pipeline` keeps in the user cache (:mod:`kg.cache`).

The table keeps what decides the entity ruler's output: each word sequence with the match keys
ending there in the order spaCy's phrase matcher yields them, and for each key its label and
entity id; matches are then sorted and laid over the document's entities exactly as in
``spacy.pipeline.EntityRuler.match`` and ``set_annotations``.
"""

from __future__ import annotations

from collections.abc import Iterable

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

__all__ = ["GazetteerRuler", "compile_patterns", "ENT_ID_SEP", "FORMAT"]

ENT_ID_SEP = "||"
"""How the entity ruler joins a pattern's label and id into its match key."""
FORMAT = 1
"""The version of the table :func:`compile_patterns` returns (part of the cache's key)."""


def compile_patterns(nlp: Language, patterns: Iterable[dict]) -> dict:
    """The table of phrase ``patterns`` (the entity ruler's ``{"label", "pattern", "id"}``
    dicts with a string pattern) for ``nlp``'s tokenizer, as JSON-ready lists.

    ``{"keys": [[key, label, id or None], ...], "phrases": [[[word hash, ...], [key, ...]], ...]}``:
    the keys are the hashes of the entity ruler's match keys, each phrase's keys in the order
    the phrase matcher yields them for that phrase. Tokenizing the patterns adds their words to
    ``nlp``'s vocabulary, as the entity ruler does.
    """
    matcher = PhraseMatcher(nlp.vocab)
    keys: dict[int, tuple[str, str | None]] = {}
    phrases: dict[tuple[int, ...], Doc] = {}
    for entry in patterns:
        text, label, ent_id = entry["pattern"], entry["label"], entry.get("id")
        if not isinstance(text, str):
            raise ValueError(f"only phrase patterns can be compiled, not {text!r}")
        name = f"{label}{ENT_ID_SEP}{ent_id}" if isinstance(ent_id, str) else label
        key = nlp.vocab.strings.add(name)
        keys[key] = (label, ent_id if isinstance(ent_id, str) else None)
        doc = nlp.make_doc(text)
        if len(doc) == 0:
            continue  # the phrase matcher skips an empty pattern
        matcher.add(name, [doc])
        phrases.setdefault(tuple(t.orth for t in doc), doc)
    table = []
    for orths, doc in phrases.items():
        ending = [m for m, start, end in matcher(doc) if start == 0 and end == len(doc)]
        table.append([list(orths), ending])
    return {"keys": [[key, label, ent_id] for key, (label, ent_id) in keys.items()], "phrases": table}


class GazetteerRuler:
    """A pipeline component that tags the phrases of a compiled table as entities, overwriting
    the entities they overlap, as ``entity_ruler`` with ``overwrite_ents`` does."""

    def __init__(self, name: str = "gazetteer") -> None:
        self.name = name
        self._phrases: dict[tuple[int, ...], tuple[int, ...]] = {}
        self._lengths: dict[int, tuple[int, ...]] = {}
        self._keys: dict[int, tuple[str, str | None]] = {}

    def load(self, table: dict) -> "GazetteerRuler":
        """Use ``table`` (:func:`compile_patterns`); raises ValueError when it is malformed."""
        try:
            keys = {int(key): (str(label), None if ent_id is None else str(ent_id))
                    for key, label, ent_id in table["keys"]}
            phrases = {tuple(int(o) for o in orths): tuple(int(k) for k in ending)
                       for orths, ending in table["phrases"]}
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a gazetteer table ({exc!r})") from exc
        lengths: dict[int, set[int]] = {}
        for orths in phrases:
            if not orths:
                raise ValueError("not a gazetteer table (an empty phrase)")
            lengths.setdefault(orths[0], set()).add(len(orths))
        if any(key not in keys for found in phrases.values() for key in found):
            raise ValueError("not a gazetteer table (a phrase with an unknown key)")
        self._phrases, self._keys = phrases, keys
        self._lengths = {first: tuple(sorted(ns)) for first, ns in lengths.items()}
        return self

    def __len__(self) -> int:
        return len(self._phrases)

    def match(self, doc: Doc) -> list[tuple[int, int, int]]:
        """``(key, start, end)`` of every phrase in ``doc``, in the entity ruler's order."""
        orths = [t.orth for t in doc]
        n = len(orths)
        found = []  # as the phrase matcher yields them: by start, then by length
        for start, first in enumerate(orths):
            lengths = self._lengths.get(first)
            if lengths is None:
                continue
            for length in lengths:
                end = start + length
                if end > n:
                    break
                keys = self._phrases.get(tuple(orths[start:end]))
                if keys:
                    found.extend((key, start, end) for key in keys)
        # spacy.pipeline.EntityRuler.match
        final = set([(m_id, start, end) for m_id, start, end in found if start != end])
        return sorted(final, key=lambda m: (m[2] - m[1], -m[1]), reverse=True)

    def __call__(self, doc: Doc) -> Doc:
        matches = self.match(doc)
        if not matches:
            return doc
        # spacy.pipeline.EntityRuler.set_annotations with overwrite_ents
        entities = list(doc.ents)
        new_entities = []
        seen_tokens: set[int] = set()
        for match_id, start, end in matches:
            if start not in seen_tokens and end - 1 not in seen_tokens:
                label, ent_id = self._keys[match_id]
                if ent_id is not None:
                    span = Span(doc, start, end, label=label, span_id=ent_id)
                else:
                    span = Span(doc, start, end, label=label)
                new_entities.append(span)
                entities = [e for e in entities if not (e.start < end and e.end > start)]
                seen_tokens.update(range(start, end))
        doc.ents = entities + new_entities
        return doc


@Language.factory("polkg_gazetteer")
def make_gazetteer_ruler(nlp: Language, name: str) -> GazetteerRuler:
    """An empty ruler; :meth:`GazetteerRuler.load` gives it its table."""
    return GazetteerRuler(name)
