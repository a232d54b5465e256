"""Actors and regions of one document: gazetteer and NER mentions, titles, demonyms.

Every mention points at an entity key (an IRI). Reference entities keep their
reference IRI; people, organisations and places that only the statistical NER
found become *local* entities with an IRI minted from their name.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from spacy.tokens import Doc as SpacyDoc
from spacy.tokens import Span as SpacySpan

from kg.gazetteer import Entity, Reference, normalise_label
from kg.namespaces import ID
from kg.nlp.pipeline import DEMONYM_LABEL, ENTITY_LABEL
from kg.extract.context import ents_in
from kg.extract.lexicon import mapping, words

__all__ = ["Mention", "Known", "Entities", "find_entities", "slug", "LOCAL_BASE"]

LOCAL_BASE = str(ID)

AGENTIVE = words("agentive")
"""Nouns after which a demonym names its state as an actor ("Ukrainian forces")."""
AGENTIVE |= words("agentive_more")
"""...and what a state does ("an immediate Israeli withdrawal")."""

TITLES = mapping("titles")
HEAD_OFFICES = words("head_offices")
_TITLE_RE = re.compile(
    r"\b(?P<the>[Tt]he\s+)?(?:(?P<mod>(?-i:[A-Z][\w'\u2019-]+(?:[ \t]+[A-Z][\w'\u2019-]+)?))[ \t]+)?"
    r"(?P<title>" + "|".join(sorted((re.escape(t) for t in TITLES), key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
NON_PLACE_HEADS = words("non_place_heads")
"""Nouns a place name only labels ("the Minsk agreements", "the Ohrid Agreement")."""

_PLURALS = mapping("plurals")
_COORDINATED = re.compile(
    r"^(?:the\s+)?(?P<stems>.+?)\s+(?P<suffix>" + "|".join(re.escape(p) for p in _PLURALS) + r")$",
    re.IGNORECASE,
)
_LOCAL_LABELS = {"PERSON": "person", "ORG": "organization", "GPE": "region", "LOC": "region", "FAC": "region"}
_TITLE_WORDS = words("title_words")
"""First words of a title in apposition that make the name before it a person's."""
_POSSESSIVE = re.compile(r"(?:['\u2019]s?)$")


def slug(name: str) -> str:
    """A readable IRI local name: the name's letters, marks and digits in any script, apostrophes
    dropped, every other run of characters (spaces, punctuation) one ``_``. IRIs allow these
    characters (RFC 3987 ``ucschar``); one that an IRI forbids is percent-encoded.

    >>> slug("João Lourenço"), slug("Donetsk People's Republic"), slug("Ахмат"), slug("  ")
    ('João_Lourenço', 'Donetsk_Peoples_Republic', 'Ахмат', 'x')
    """
    text = unicodedata.normalize("NFC", re.sub(r"['\u2019]", "", name))
    kept = "".join(ch if unicodedata.category(ch)[0] in "LMN" else " " for ch in text)
    return "_".join(_iri_chars(word) for word in kept.split()) or "x"


def _iri_chars(text: str) -> str:
    """``text`` with each character outside RFC 3987's ``iunreserved`` percent-encoded (UTF-8)."""
    return "".join(ch if (ch.isascii() and ch.isalnum()) or _ucschar(ord(ch))
                   else "".join(f"%{b:02X}" for b in ch.encode("utf-8")) for ch in text)


def _ucschar(code: int) -> bool:
    if code < 0x10000:
        return 0xA0 <= code <= 0xD7FF or 0xF900 <= code <= 0xFDCF or 0xFDF0 <= code <= 0xFFEF
    return code <= 0xEFFFD and (code & 0xFFFF) <= 0xFFFD


@dataclass
class Mention:
    """A span that names an entity. ``start``/``end`` are character offsets."""

    start: int
    end: int
    text: str
    key: str
    tok_start: int
    tok_end: int
    how: str

    def tokens(self) -> range:
        return range(self.tok_start, self.tok_end)


@dataclass
class Known:
    """An entity the document mentions, from the reference data or local."""

    key: str
    name: str
    kind: str | None
    region: bool
    wikidata: str | None = None
    linked: bool = True
    speaks_for: str | None = None
    offices: list[str] = field(default_factory=list)

    @property
    def is_person(self) -> bool:
        return self.kind == "person"


@dataclass
class Entities:
    """The entities of one document and where they are mentioned."""

    doc: SpacyDoc
    records: dict[str, Known] = field(default_factory=dict)
    actor_mentions: list[Mention] = field(default_factory=list)
    region_mentions: list[Mention] = field(default_factory=list)
    outlets: set[str] = field(default_factory=set)
    """Keys of the organisations the text cites as a source ("told Reuters", "the BBC reported")."""
    cache: dict = field(default_factory=dict, repr=False, compare=False)
    """Lookups derived from the mentions (indexes, running counts), each made again when the
    mention lists change under it."""

    def _index(self, which: str) -> "_MentionIndex":
        """The index of ``self.<which>`` (``actor_mentions`` or ``region_mentions``), up to date.

        While :func:`find_entities` collects mentions, the lists are appended to (the index takes
        the new ones in) and filtered (it is made again); they are sorted once at its end, which
        drops the indexes."""
        index = self.cache.get(which)
        if index is None:
            index = self.cache[which] = _MentionIndex()
        return index.update(getattr(self, which))

    def political(self, key: str) -> str:
        """The actor a position of ``key`` belongs to: a person's state or group, else itself."""
        record = self.records.get(key)
        if record is not None and record.is_person and record.speaks_for:
            return record.speaks_for
        return key

    def actors_in(self, start: int, end: int) -> list[Mention]:
        """Actor mentions whose tokens lie in ``[start, end)`` (token indices)."""
        return self._index("actor_mentions").within(start, end)

    def regions_in(self, start: int, end: int) -> list[Mention]:
        return self._index("region_mentions").within(start, end)

    def actor_at(self, token_i: int) -> Mention | None:
        return self._index("actor_mentions").at(token_i)

    def last_actor_before(self, char: int, *, person: bool | None = None) -> Mention | None:
        """The actor named last before ``char``; with ``person=True`` the last one who is surely a
        person, so that "he" never becomes a place the NER took for a name (:meth:`surely_person`)."""
        if person is None:
            wanted = None
        elif person:
            wanted = self.surely_person
        else:
            wanted = lambda key: not self.records[key].is_person  # noqa: E731
        return self._index("actor_mentions").last_ending_by(char, wanted)

    def surely_person(self, key: str) -> bool:
        """A person of the reference data, or one the text names with a given name, a title or an
        affiliation; a lone capitalised word the NER called a person may be a town."""
        record = self.records.get(key)
        if record is None or not record.is_person:
            return False
        if record.linked or record.speaks_for or record.offices or len(record.name.split()) > 1:
            return key not in self._index("region_mentions").keys
        return False

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for m in self.actor_mentions:
            out[m.key] = out.get(m.key, 0) + 1
        return out


class _MentionIndex:
    """Mentions by position, for lookups that cost the size of the answer, not of the document.

    Follows one list of mentions in any order (:meth:`update`); every answer lists its mentions
    in the list's order, as a scan of the list would.
    """

    def __init__(self) -> None:
        self.mentions: list[Mention] | None = None
        self.size = 0
        self.last: Mention | None = None
        self.starts: list[tuple[int, int]] = []  # (token start, position in the list), sorted
        self.items: list[tuple[int, Mention]] = []  # (position, mention), in the order of starts
        self.char_starts: list[tuple[int, int]] = []  # (character start, position), sorted
        self.by_char: list[tuple[int, Mention]] = []
        self.tokens = 0  # the longest mention, in tokens and in characters
        self.chars = 0
        self.latest: dict[str, int] = {}  # key -> position of its last mention

    @property
    def keys(self):
        return self.latest.keys()

    def update(self, mentions: list[Mention]) -> "_MentionIndex":
        """Take in what was appended to ``mentions`` since; start again if anything else changed."""
        if mentions is not self.mentions or len(mentions) < self.size or (
                self.size and mentions[self.size - 1] is not self.last):
            self.__init__()
            self.mentions = mentions
        for position in range(self.size, len(mentions)):
            m = mentions[position]
            n = bisect.bisect(self.starts, (m.tok_start, position))
            self.starts.insert(n, (m.tok_start, position))
            self.items.insert(n, (position, m))
            n = bisect.bisect(self.char_starts, (m.start, position))
            self.char_starts.insert(n, (m.start, position))
            self.by_char.insert(n, (position, m))
            self.tokens = max(self.tokens, m.tok_end - m.tok_start)
            self.chars = max(self.chars, m.end - m.start)
            self.latest[m.key] = position
        self.size = len(mentions)
        self.last = mentions[-1] if mentions else None
        return self

    def latest_first(self) -> list[str]:
        """The keys mentioned, the one whose last mention comes last in the list first."""
        return sorted(self.latest, key=self.latest.__getitem__, reverse=True)

    def starting_in(self, start: int, end: int) -> list[Mention]:
        """The mentions whose first token is in ``[start, end)``."""
        found = []
        for n in range(bisect.bisect_left(self.starts, (start, -1)), len(self.items)):
            position, m = self.items[n]
            if m.tok_start >= end:
                break
            found.append((position, m))
        return [m for _, m in sorted(found, key=lambda item: item[0])]

    def within(self, start: int, end: int) -> list[Mention]:
        """The mentions whose tokens lie in ``[start, end)``."""
        return [m for m in self.starting_in(start, end) if m.tok_end <= end]

    def at(self, token_i: int) -> Mention | None:
        """The first mention (in list order) that covers token ``token_i``."""
        best = None
        for n in range(bisect.bisect_left(self.starts, (token_i - self.tokens + 1, -1)), len(self.items)):
            position, m = self.items[n]
            if m.tok_start > token_i:
                break
            if token_i < m.tok_end and (best is None or position < best[0]):
                best = (position, m)
        return best[1] if best else None

    def last_ending_by(self, char: int, wanted=None) -> Mention | None:
        """The mention that ends last at or before ``char`` (the first in list order of those that
        end there), among those whose key ``wanted`` accepts."""
        best = None
        n = bisect.bisect_left(self.char_starts, (char + 1, -1)) - 1
        while n >= 0:
            position, m = self.by_char[n]
            if best is not None and m.start + self.chars < best[1].end:
                break  # no earlier mention can end later than the best one
            if m.end <= char and (wanted is None or wanted(m.key)):
                if best is None or m.end > best[1].end or m.end == best[1].end and position < best[0]:
                    best = (position, m)
            n -= 1
        return best[1] if best else None


def _record(entity: Entity) -> Known:
    return Known(
        key=entity.iri, name=entity.name, kind=entity.kind, region=entity.region,
        wikidata=entity.wikidata, linked=True, speaks_for=entity.speaks_for,
        offices=list(entity.offices),
    )


_EVENTS = words("events")
_GOING = words("going")
_PLACE_PARTS = words("place_parts")
_LOCATIVE = words("locative")
_TAKING = words("taking")
_ROUTES = words("routes")
_CITY_NOUNS = words("city_nouns")
_MOVING = words("moving")


_DIRECTIONS = words("directions")


def _known_part(name: str, linker: "_Linker") -> Entity | None:
    """The reference region named "North-eastern Syria" or, with the direction as a noun,
    "north-east Syria" / "northeast Syria", if any."""
    words_ = name.split()
    direction = words_[0].lower()
    forms = [name]
    if direction.endswith("ern"):
        noun = direction[:-3]
        forms += [" ".join([noun, *words_[1:]]), " ".join([noun.replace("-", ""), *words_[1:]])]
    for form in forms:  # exact labels only: "north-west" and "north-east" are near in spelling
        for entity in linker.index.get(normalise_label(form), ()):
            if entity.region and not entity.kind:
                return entity
    return None


def _directional_part(span: SpacySpan) -> SpacySpan | None:
    """The direction words before a state's name ("eastern Ukraine", "north-west Ukraine",
    "south-eastern Ukraine", however the hyphen was tokenised), or None."""
    doc = span.doc
    start = span.start
    if start == 0 or doc[start - 1].lower_ not in _DIRECTIONS:
        return None
    start -= 1
    if start >= 2 and doc[start - 1].text == "-" and doc[start - 2].lower_ in _DIRECTIONS:
        start -= 2
    return doc[start:span.start]


def _place(span: SpacySpan) -> bool:
    """Is the name used as a place here ("fighting in Syria", "withdraw from Iraq")?"""
    root = span.root
    if root.dep_ == "compound" and root.head.lemma_.lower() in _EVENTS:
        return True  # "a Kabul car bombing"
    if root.dep_ in ("dobj", "conj") and _taken(root):
        return True  # "rebels entered Aldor and Betsy Creek"
    if root.dep_ == "dobj" and root.head.lemma_.lower() in _MOVING and _forces_go(root.head):
        return True  # "the troops will leave Chad"
    if span.start >= 2 and span.doc[span.start - 1].text == "," and span.doc[span.start - 2].lemma_.lower() in _CITY_NOUNS:
        return True  # "the capital, Bangui,"
    if root.dep_ != "pobj":
        return False
    prep = root.head
    if prep.lower_ in _LOCATIVE:
        return True
    if prep.lower_ in ("to", "toward", "towards") and prep.head.lemma_.lower() in _GOING | _ROUTES:
        return True  # "transported to Kabul"
    if prep.lower_ == "of" and prep.head.lemma_.lower() in _PLACE_PARTS:
        return True  # "residents of Bangui", "the outskirts of Kyiv"
    return prep.lower_ in ("from", "out") and prep.head.lemma_.lower() in _MOVING


_CONFLICT = words("conflict")


def _theatre(span: SpacySpan) -> bool:
    """Is a state named here as the place where forces are, or fighting or a crisis goes on?

    "Danish troops in Mali", "sending soldiers to Chad", "access into and across Yemen",
    but not "elections in the DRC" or "talks in Qatar" (a venue)."""
    if not _place(span) or _acts(span):
        return False
    root = span.root
    if root.dep_ != "pobj":
        return root.dep_ == "dobj"  # "entered Syria"
    head = root.head.head
    while head.dep_ in ("conj", "prep") and head.head.i != head.i:
        head = head.head  # "into and across Yemen", "the campaign against a militia in Mali"
    lemma = head.lemma_.lower()
    if lemma in _GOING and not (lemma in _CONFLICT or lemma in _MOVING or lemma in _TAKING):
        return _forces_go(head)  # "sending soldiers to Chad", not "she returned to Chad"
    return lemma in _CONFLICT or lemma in _MOVING or lemma in _TAKING or (
        head.pos_ in ("VERB", "AUX") and _forces_go(head))  # "foreign forces are in Chad"


def _forces_go(verb) -> bool:
    """Is it forces that go or are sent ("troops arrived in Chad", "sending fighters to Chad")?
    The verb's subject or object, or the noun it describes ("the troops sent to Chad")."""
    movers = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "dobj")]
    if verb.dep_ in ("acl", "relcl"):
        movers.append(verb.head)
    return any(m.lemma_.lower() in _CONFLICT or m.lemma_.lower() in _FIGHTERS or m.lower_ in _ARMED_WORDS
               for m in movers)


_FIGHTERS = words("fighters")
_BODIES_OF_A_PLACE = words("bodies_of_a_place")


_INSTITUTION_WORDS = words("institution_words")


def _institution(span: SpacySpan) -> bool:
    """ "the Council", "the Interior Ministry", "the Region": a body or a common noun, not a named place."""
    return any(t.lower_ in _INSTITUTION_WORDS for t in span)


_VENUES = words("venues")


def _venue(span: SpacySpan) -> bool:
    """Is the place named only as where people met, spoke or sit ("talks in Geneva", "the official in
    Arusha", "her office in the capital city of Dodoma")?"""
    root = span.root
    while root.dep_ == "compound" and root.head.i != root.i:
        root = root.head
    if root.dep_ != "pobj" or root.head.lower_ not in ("in", "at"):
        return False
    head = root.head.head
    return head.lemma_.lower() in _VENUES


_ADMIN_UNITS = words("admin_units")


def _whole_place_name(span: SpacySpan) -> SpacySpan:
    """ "Maidan Wardak province" around the gazetteer's "Wardak": the name as the text gives it."""
    doc = span.doc
    start, end = span.start, span.end
    while (start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].dep_ == "compound"
           and doc[start - 1].text[:1].isupper() and not doc[start - 1].ent_type_ and not doc[start - 1].is_sent_start):
        start -= 1
    if end < len(doc) and doc[end].lower_ in _ADMIN_UNITS and span.root.head.i == end:
        end += 1
    return doc[start:end] if (start, end) != (span.start, span.end) else span


_GROUP_NOUNS = words("group_nouns")
_ARMED_WORDS = words("armed_words")


def _group_phrase(token, taken: set[int]) -> SpacySpan | None:
    """A group the text names by a description, not a name: "the Sudanese warring parties",
    "Palestinian factions", "the rebel coalition" (a people's or an armed word before a group noun)."""
    if token.lemma_.lower() not in _GROUP_NOUNS or token.pos_ != "NOUN" or token.i in taken:
        return None
    modifiers = [c for c in token.lefts if c.dep_ in ("amod", "compound", "nmod")]
    qualified = [c for c in modifiers
                 if c.ent_type_ == DEMONYM_LABEL or c.lemma_.lower() in _ARMED_WORDS or c.lower_ in _ARMED_WORDS]
    if not qualified or any(i in taken for i in range(modifiers[0].i, token.i)):
        return None
    people = any(c.ent_type_ == DEMONYM_LABEL for c in qualified)
    definite = token.tag_ == "NN" and any(c.lower_ == "the" for c in token.children)
    if not (people and token.tag_ == "NNS" or definite):
        return None  # "armed groups", "a rebel group": any group; "the Palestinian group Hamas": named
    return token.doc[min(c.i for c in qualified):token.i + 1]


def _local_authorities(token, found: Entities, taken: set[int]) -> tuple[SpacySpan, str] | None:
    """ "the (de facto) authorities in Donetsk": the body that governs a place, named after it."""
    if token.lemma_.lower() != "authority" or token.tag_ != "NNS" or token.i in taken:
        return None
    for prep in token.children:
        if prep.dep_ == "prep" and prep.lower_ in ("in", "of"):
            for place in found.regions_in(prep.i + 1, prep.right_edge.i + 1):
                return token.doc[token.i:place.tok_end], f"{place.text} authorities"
    return None


def _respectively(doc: SpacyDoc, found: Entities, reference: Reference) -> None:
    """ "her Chilean and Peruvian counterparts, Ana Ruiz and Luis Soto, respectively": each named
    person speaks for the state in the same place of the list."""
    for token in doc:
        if token.lower_ != "respectively":
            continue
        sent = token.sent
        demonyms = [e for e in ents_in(sent) if e.label_ == DEMONYM_LABEL and e.end <= token.i]
        if len(demonyms) < 2:
            continue
        names = [e for e in ents_in(sent) if demonyms[-1].end <= e.start and e.end <= token.i
                 and e.label_ in ("PERSON", "ORG", ENTITY_LABEL)]
        if not 2 <= len(names) <= len(demonyms):
            continue
        for name, demonym in zip(names, demonyms[-len(names):]):
            state = reference.entities.get(demonym.ent_id_)
            mention = next(iter(found._index("actor_mentions").starting_in(name.start, name.start + 1)), None)
            if state is None or mention is None:
                continue
            record = found.records[mention.key]
            if record.linked and not record.is_person:
                continue
            record.kind = "person"  # NER took some of the listed names for organisations
            if not record.speaks_for:
                record.speaks_for = state.iri
                found.records.setdefault(state.iri, _record(state))


_ZONES = (("exclusive", "economic", "zone"), ("eez",), ("territorial", "waters"), ("continental", "shelf"),
          ("airspace",), ("air", "space"), ("waters",), ("coast",), ("coastline",))


def _zone_of(span: SpacySpan) -> SpacySpan | None:
    """ "the EEZ of Cyprus", "the territorial waters of Greece": the zone named with its state."""
    doc = span.doc
    if span.start < 2 or doc[span.start - 1].lower_ != "of":
        return None
    for words in _ZONES:
        start = span.start - 1 - len(words)
        if start >= 0 and tuple(t.lower_ for t in doc[start:span.start - 1]) == words:
            return doc[start:span.end]
    return None


_BODY_WORDS = words("body_words")


_SIDES = words("sides")


def _side_of(span: SpacySpan) -> SpacySpan | None:
    """ "West of the Drina River": the side of a river or line, a region of its own."""
    doc = span.doc
    start = span.start - 1
    if start >= 0 and doc[start].lower_ == "the":
        start -= 1
    if start < 1 or doc[start].lower_ != "of" or doc[start - 1].lower_ not in _SIDES:
        return None
    return doc[start - 1:span.end]


def _border_phrases(doc: SpacyDoc, taken: set[int]) -> list[SpacySpan]:
    """ "the Syrian-Turkish border": a border named by the two states' adjectives."""
    spans = []
    for token in doc:
        if token.lemma_.lower() not in ("border", "frontier", "boundary") or token.i in taken or token.dep_ == "compound":
            continue
        named = [t for t in doc[max(0, token.i - 4):token.i] if t.ent_type_ in (DEMONYM_LABEL, ENTITY_LABEL)]
        if len(named) >= 2 and any(t.text == "-" for t in doc[named[0].i:token.i]):
            spans.append(doc[named[0].i:token.i + 1])
    return spans


_FACILITIES = words("facilities")
_TITLE_HEADS = words("title_heads")


def _facility(span: SpacySpan) -> SpacySpan | None:
    """ "Baghdad International Airport" around the city's name."""
    head = span.root.head
    if span.root.dep_ != "compound" or head.i < span.end or head.lemma_.lower() not in _FACILITIES:
        return None
    if not all(t.is_title for t in span.doc[span.end:head.i + 1]):
        return None
    return span.doc[span.start:head.i + 1]


_NOT_PLACES = words("not_places")
"""Names NER takes for places that are no territory under discussion ("points on Earth", "States parties")."""


_OFFICE_NOUNS = words("office_nouns")


def _seat_of_office(span: SpacySpan) -> bool:
    """Is the place named only as the seat of a person's office: a modifier or possessor of an
    office noun ("the Ohio governor", "Ohio's governor", "Wales First Minister Ana Ruiz"), or the
    "of" object of one ("the mayor of Lima", "Prime Minister Ana Ruiz of Peru")?"""
    root = span.root
    doc = span.doc

    def named(token) -> bool:  # a name the NER or the reference tagged ("Ana Ruiz")
        return token.ent_type_ in ("PERSON", ENTITY_LABEL) and token.pos_ == "PROPN"

    if root.dep_ in ("compound", "poss", "nmod"):
        head = root.head
        between = doc[span.end:head.i + 1] if head.i >= span.end else doc[span.end:span.end]
        return head.lower_ in _OFFICE_NOUNS or (named(head) and any(t.lower_ in _OFFICE_NOUNS for t in between))
    if root.dep_ == "pobj" and root.head.lower_ == "of":
        holder = root.head.head
        return holder.lower_ in _OFFICE_NOUNS or (named(holder) and any(
            t.lower_ in _OFFICE_NOUNS for t in doc[holder.left_edge.i:holder.i]))
    return False


def _locates_a_place(span: SpacySpan) -> bool:
    """Is the place only where another named place lies ("the Black Sea port town of Ochamchire",
    "the West Bank city of Nablus")? The named town is the place the text speaks of."""
    token = span[-1]
    while token.dep_ == "compound" and token.head.i != token.i:
        token = token.head
        if token.lemma_.lower() in _CITY_NOUNS and token.dep_ != "compound":
            return any(c.lower_ == "of" and any(g.dep_ == "pobj" and g.pos_ == "PROPN" for g in c.children)
                       for c in token.children)
    return False


def _names_forces(span: SpacySpan) -> bool:
    """Is the place only a modifier of the forces or authorities it names ("Tigray forces",
    "the Afar and Amhara militias")? Those are an actor, not the territory."""
    root = span.root
    while root.dep_ == "conj" and root.head.i != root.i:
        root = root.head
    return root.dep_ in ("compound", "amod", "nmod") and root.head.i > root.i and (
        root.head.lemma_.lower() in _BODIES_OF_A_PLACE or root.head.lemma_.lower() in _FIGHTERS)


def _in_title(span: SpacySpan) -> bool:
    """Is the place part of an office's name ("Deputy Envoy for the Great Lakes")?"""
    root = span.root
    if root.dep_ == "conj":
        root = root.head
    if root.dep_ != "pobj" or root.head.lower_ not in ("for", "of"):
        return False
    return root.head.head.lemma_.lower() in _TITLE_HEADS and root.head.head.text[:1].isupper()


def _taken(token) -> bool:
    while token.head.i != token.i and (token.dep_ in ("conj", "compound", "appos")
                                       or token.dep_ == "dobj" and token.head.pos_ != "VERB"):
        token = token.head  # "entered Aldor and Betsy Creek", however the names were parsed
    return token.dep_ == "dobj" and token.head.lemma_.lower() in _TAKING


def _acts(span: SpacySpan) -> bool:
    """Does the text treat this place-or-government as an actor here? A later conjunct takes the
    part of the first ("Chad and Niger signed ...", "Serbia and Kosovo living side by side")."""
    root = span.root
    while root.dep_ == "conj" and root.head.i != root.i and root.head.pos_ == "PROPN":
        root = root.head
    if root.dep_ in ("nsubj", "nsubjpass", "poss", "agent"):
        return True
    if root.dep_ == "dobj" and root.head.lemma_.lower() in ("urge", "call", "press", "ask", "tell", "warn"):
        return True  # "urges Taiwan to ...": addressed, so acting
    if root.dep_ == "pobj" and root.head.lower_ in ("on", "upon") and root.head.head.lemma_.lower() == "call":
        return True  # "calls on Taiwan to ..."
    if root.dep_ == "pobj" and root.head.lower_ in ("by", "from", "with"):
        return True
    nxt = span.doc[span.end] if span.end < len(span.doc) else None
    return nxt is not None and nxt.lemma_.lower() in AGENTIVE


_NOT_AFFILIATION = words("not_affiliation")
"""Prepositions before an organisation that name whom the person deals with, not works for."""
_UN_TITLES = words("un_titles")


def _apposition_affiliation(span: SpacySpan, found: Entities, reference: Reference) -> str | None:
    """ "Bintou Keita, Head of MONUSCO, said": the organisation or state the title names.

    Only the apposition is read: the phrases the parser attaches to the name as
    appositions (or, failing that, up to the next comma or verb), or the title the
    name itself is in apposition to ("the Under-Secretary-General, Jeffrey Feltman,").
    A UN title with no organisation named means the United Nations.
    """
    doc = span.doc
    root = span.root
    windows = []
    if root.dep_ == "appos" and root.head.i < span.start:
        windows.append(doc[root.head.left_edge.i:span.start])
    if span.end < len(doc) and doc[span.end].text == ",":
        appositions = [c for c in root.children if c.dep_ == "appos" and c.i >= span.end]
        if appositions:
            windows.append(doc[span.end + 1:max(c.right_edge.i for c in appositions) + 1])
        end = span.end + 1
        while end < len(doc) and doc[end].text not in (",", ";", ":") and doc[end].pos_ not in ("VERB", "AUX"):
            end += 1
        windows.append(doc[span.end + 1:end])
    for window in windows:
        organisations = [
            m for m in found.actors_in(window.start, window.end)
            if not found.records[m.key].is_person
            and doc[m.tok_start:m.tok_end].root.head.lower_ not in _NOT_AFFILIATION
        ]
        if organisations:
            return organisations[-1].key  # "Special Representative of the SG and Head of UNMIK": the mission
    for window in windows:
        un = _united_nations_title(window.text, found, reference)
        if un is not None:
            return un
    return None


def _phrase_affiliation(span: SpacySpan, found: Entities, reference: Reference) -> str | None:
    """ "Chilean Foreign Ministry spokesman Luis Soto", "President Ana Ruiz of Peru".

    The title before the name and an "of X" after it, within the name's own noun phrase.
    """
    doc = span.doc
    root = span.root
    tokens = [t for t in root.subtree if not (span.start <= t.i < span.end)]
    left = [t for t in tokens if t.i < span.start]
    right = [t for t in tokens if t.i >= span.end and t.dep_ in ("prep", "pobj", "compound") and t.head.i in
             {root.i, *[x.i for x in tokens]} and not _in_clause_under(t, root)]
    for group in (left, right):
        if not group:
            continue
        lo, hi = min(t.i for t in group), max(t.i for t in group) + 1
        for mention in found.actors_in(lo, hi):
            if (not found.records[mention.key].is_person
                    and doc[mention.tok_start:mention.tok_end].root.head.lower_ not in _NOT_AFFILIATION):
                return mention.key
    if left:
        return _united_nations_title(doc[min(t.i for t in left): span.start].text, found, reference)
    return None


def _in_clause_under(token, root) -> bool:
    """Is ``token`` inside a relative clause or apposition of ``root`` ("McGurk, who was envoy to ...")?"""
    while token.i != root.i and token.head.i != token.i:
        if token.dep_ in ("relcl", "acl", "appos", "advcl"):
            return True
        token = token.head
    return False


def _united_nations_title(title: str, found: Entities, reference: Reference) -> str | None:
    """The United Nations, for a UN title that names no organisation ("Under-Secretary-General")."""
    if not any(word in title.lower() for word in _UN_TITLES):
        return None
    un = _by_name(reference, "United Nations")
    if un is None:
        return None
    found.records.setdefault(un.iri, _record(un))
    return un.iri


def _by_name(reference: Reference, name: str) -> Entity | None:
    for entity in reference.entities.values():
        if entity.name == name:
            return entity
    return None


def _titled(span: SpacySpan) -> bool:
    """Is the name followed by ", <title>" (an apposition that only a person takes)?"""
    doc = span.doc
    if span.end + 1 >= len(doc) or doc[span.end].text != "," or len(span) < 2:
        return False
    return doc[span.end + 1].lower_ in _TITLE_WORDS and all(t.is_title for t in span if not t.is_punct)


def _labels_only(span: SpacySpan) -> bool:
    """Is this name only a modifier of a non-place noun ("the Minsk agreements", "the Normandy
    Group format", "the Lome and Accra processes")?"""
    token = span.root
    while token.dep_ in ("compound", "nmod", "amod", "nummod", "conj") and token.head.i != token.i:
        modifies = token.dep_ != "conj"  # "Nairobi and Luanda": the second name is one of a list
        token = token.head
        word = token.lemma_.lower()
        if modifies and (word in NON_PLACE_HEADS or word.endswith("s") and word[:-1] in NON_PLACE_HEADS):
            return True
    return False


def _in_parentheses_after_person(span: SpacySpan) -> bool:
    """ "Vanessa Frazier (Malta)": the country says whom the person represents."""
    doc = span.doc
    if span.start < 2 or span.end >= len(doc):
        return False
    return (doc[span.start - 1].text == "(" and doc[span.end].text.startswith(")")  # "(Malta):" is one token
            and doc[span.start - 2].ent_type_ == "PERSON")


def _home_of_person(span: SpacySpan) -> bool:
    """ "Representative Ana Ruiz of Ohio": the province a person comes from or sits for, no territory
    under discussion."""
    doc = span.doc
    return span.start >= 2 and doc[span.start - 1].lower_ == "of" and doc[span.start - 2].ent_type_ == "PERSON"


_PLACE_NAME_WORDS = words("place_name_words")


def _inside_name(span: SpacySpan, headline_end: int) -> bool:
    """Is a one-word place name only a part of a longer name the NER did not tag ("Luis Rivera
    Marín", "Isabel" in "María Isabel Salvador", "Charlotte Ortiz")? A capitalised word runs on
    either side of it, outside the headline's capitals."""
    if len(span) != 1 or span.start_char < headline_end:
        return False
    doc = span.doc

    def name_word(token) -> bool:
        return (token.is_alpha and token.text[:1].isupper() and not token.is_sent_start and not token.ent_type_
                and token.lower_ not in _ADMIN_UNITS and token.lower_ not in _PLACE_NAME_WORDS and token.pos_ == "PROPN")

    before = doc[span.start - 1] if span.start > 0 else None
    after = doc[span.end] if span.end < len(doc) else None
    if after is not None and (after.lower_ in _ADMIN_UNITS or after.lower_ in _PLACE_NAME_WORDS):
        return False  # "Maidan Wardak province": a place's name
    return (before is not None and not span[0].is_sent_start and name_word(before)) or (
        after is not None and name_word(after))


_THEATRE_WORDS = words("theatre_words")


def _about_fighting(span: SpacySpan) -> bool:
    """Does the sentence speak of fighting, forces, a crisis or control of territory ("violence in
    Jonglei", "the assault in Ghazni", "forces withdrew from Afar")? A province of any country is a
    territory under discussion only there; elsewhere it is named in passing ("reporters in Ohio")."""
    words_here = {t.lemma_.lower() for t in span.sent} | {t.lower_ for t in span.sent}
    return bool(words_here & (_THEATRE_WORDS | _CONFLICT | _TOPIC_NOUNS))


def _bare(text: str) -> str:
    """Lower case, without a leading "the" or a trailing "region" ("the Middle East region")."""
    text = text.lower()
    text = text[4:] if text.startswith("the ") else text
    return text[:-7] if text.endswith(" region") else text


def _without_title(name: str) -> str:
    """A person's name without the titles the NER took in with it ("Spokesperson Matthew Miller")."""
    parts = name.split()
    while len(parts) > 2 and (parts[0].lower() in TITLES or parts[0].lower() in _TITLE_WORDS):
        parts = parts[1:]
    return " ".join(parts)


def _clean_name(text: str) -> str:
    text = " ".join(text.split())
    text = _POSSESSIVE.sub("", text).strip(" ,.;:-")
    if text.lower().startswith("the "):
        text = text[4:]
    return text


class _Linker:
    """Links names the gazetteer missed to reference entities (spelling variants)."""

    def __init__(self, reference: Reference) -> None:
        self.reference = reference
        self.index = reference.by_label()
        self.choices = list(self.index)

    def link(self, name: str, kind: str) -> Entity | None:
        key = normalise_label(name)
        candidates = self.index.get(key)
        if not candidates and kind == "person":
            # "Antony J. Blinken": the name without its middle initials
            candidates = self.index.get(normalise_label(_INITIAL.sub(" ", name)))
        if not candidates and len(key) >= 6:
            match = process.extractOne(key, self.choices, scorer=fuzz.ratio, score_cutoff=92)
            if match is not None:
                candidates = self.index[match[0]]
        for entity in candidates or ():
            if kind == "region" and entity.region:
                return entity
            if kind == "person" and entity.kind == "person":
                return entity
            if kind == "organization" and entity.kind not in (None, "person"):
                return entity
        return None


_LINKERS: dict[int, _Linker] = {}


def _linker(reference: Reference) -> _Linker:
    linker = _LINKERS.get(id(reference))
    if linker is None:
        linker = _LINKERS[id(reference)] = _Linker(reference)
    return linker


_INITIAL = re.compile(r"(?<=\s)[A-Z]\.(?=\s)")
_ATTRIBUTION_RE = re.compile(r"\b(?:[Ss]tatement|[Rr]emarks|[Rr]eadout|[Mm]essage|[Aa]ddress|[Ss]peech)\s+(?:by|from|of)\b"
                             r"[^.\n]*$")
"""A headline naming its author just before the name: "Remarks by Deputy Adviser X"."""


_BYLINE_RE = re.compile(r"^[ \t]*(?P<name>[A-Z][\w'\u2019-]+(?:[ \t]+(?:[A-Z]\.|[A-Z][\w'\u2019-]+)){1,3}),[ \t]+"
                        r"(?P<title>[^\n]{3,80})$", re.MULTILINE)


_OFFICE_STATES = mapping("office_states")


def _bylines(doc: SpacyDoc, found: Entities, linker: "_Linker", taken: set[int], reference: Reference) -> None:
    """ "Ana Ruiz, Department Spokesperson" on a line of its own near the top: the author's
    byline, a person whether or not the NER saw one in a line of capitals."""
    text = doc.text
    for match in _BYLINE_RE.finditer(text, 0, min(len(text), 600)):
        title_words = {w.lower() for w in re.findall(r"[\w-]+", match.group("title"))}
        if not title_words & (_TITLE_WORDS | set(TITLES)):
            continue
        span = doc.char_span(match.start("name"), match.end("name"), alignment_mode="contract")
        if span is None:
            continue
        overlapping = [m for m in found.actor_mentions + found.region_mentions
                       if m.tok_start < span.end and span.start < m.tok_end]
        if any(found.records[m.key].linked and not found.records[m.key].is_person for m in overlapping):
            continue  # a known actor's name, not a byline
        for m in overlapping:  # what the NER made of the line ("A. Ruiz" as an organisation) gives way
            (found.actor_mentions if m in found.actor_mentions else found.region_mentions).remove(m)
        name = " ".join(match.group("name").split())
        entity = linker.link(name, "person")
        if entity is not None:
            found.records.setdefault(entity.iri, _record(entity))
            key = entity.iri
        else:
            key = LOCAL_BASE + "actor/" + slug(_INITIAL.sub(" ", name))
            found.records.setdefault(key, Known(key=key, name=" ".join(_INITIAL.sub(" ", name).split()),
                                                kind="person", region=False, linked=False))
        found.actor_mentions.append(Mention(span.start_char, span.end_char, span.text, key, span.start, span.end,
                                            "byline"))
        taken.update(range(span.start, span.end))
        _office_state(found.records[key], match.group("title"), found, reference)


def _office_state(record: Known, title: str, found: Entities, reference: Reference) -> None:
    """A person whose title names one state's office ("Secretary of State", "National Security
    Advisor") speaks for that state (``office_states`` in the lexicon)."""
    if record.speaks_for or record.linked:
        return
    lowered = " ".join(title.lower().split())
    for office, state_name in _OFFICE_STATES.items():
        if office in lowered:
            state = _by_name(reference, state_name)
            if state is not None:
                found.records.setdefault(state.iri, _record(state))
                record.speaks_for = state.iri
            return


def _headline_authors(doc: SpacyDoc, found: Entities, reference: Reference) -> None:
    """ "Remarks by Deputy Adviser X on ...": the title before the author's name."""
    for m in found.actor_mentions:
        if m.start > 300 or not found.records[m.key].is_person:
            continue
        match = _ATTRIBUTION_RE.search(doc.text[:m.start])
        if match is not None:
            _office_state(found.records[m.key], doc.text[match.end(0) - len(match.group(0)):m.start], found, reference)


def _headline_end(text: str) -> int:
    """Where the first line ends when a body follows it, else 0: a one-line document, with or
    without a final line break, is all body."""
    stripped = text.lstrip()
    lead = len(text) - len(stripped)
    cut = stripped.find("\n")
    if cut < 0 or not stripped[cut:].strip():
        return 0
    return lead + cut


def find_entities(doc: SpacyDoc, reference: Reference, published: str | None = None) -> Entities:
    """Collect the actor and region mentions of ``doc``.

    ``published`` (YYYY[-MM[-DD]]) keeps titles of older documents from resolving to
    today's office holders ("the White House spokesperson" in 2021 was not today's).
    """
    found = Entities(doc)
    linker = _linker(reference)
    taken: set[int] = set()
    persons_by_surname: dict[str, str] = {}
    represented: dict[int, str] = {}  # token of a person's name -> the state in parentheses after it
    headline_end = _headline_end(doc.text)
    body = doc.text[headline_end:]

    def add(span: SpacySpan, key: str, role: str, how: str) -> None:
        if role == "region" and how != "direction" and (_venue(span) or _in_title(span) or _seat_of_office(span)
                                                        or _locates_a_place(span)
                                                        or _bare(span.text) in _NOT_PLACES):
            taken.update(range(span.start, span.end))
            return  # "talks in Geneva", "Deputy Envoy for the Great Lakes": not a territory under discussion
        mention = Mention(span.start_char, span.end_char, span.text, key, span.start, span.end, how)
        (found.actor_mentions if role == "actor" else found.region_mentions).append(mention)
        taken.update(range(span.start, span.end))

    for ent in doc.ents:
        if ent.label_ == ENTITY_LABEL:
            entity = reference.entities.get(ent.ent_id_)
            if entity is None or _labels_only(ent):
                continue
            if _in_parentheses_after_person(ent):
                represented[doc[ent.start - 2].i] = entity.iri
                found.records.setdefault(entity.iri, _record(entity))
                continue
            zone = _zone_of(ent) if entity.kind == "state" else _side_of(ent)
            if zone is not None:
                # "the EEZ of Cyprus": a stretch of sea or air that belongs to the state
                name = zone.text[0].upper() + zone.text[1:]
                key = LOCAL_BASE + "region/" + slug(name)
                found.records.setdefault(key, Known(key=key, name=name, kind=None, region=True, linked=False))
                add(zone, key, "region", "direction")
                continue
            found.records.setdefault(entity.iri, _record(entity))
            text = normalise_label(ent.text)
            seat = next((label for label in entity.seats if normalise_label(label) == text), None)
            part = _directional_part(ent) if entity.kind == "state" and seat is None else None
            if part is not None:
                # "eastern Ukraine": a part of the state, a territory under discussion
                name = f"{part.text[0].upper()}{part.text[1:].lower()} {entity.name}"
                known = _known_part(name, linker)
                if known is not None:  # the reference knows the part by one of its spellings
                    found.records.setdefault(known.iri, _record(known))
                    key = known.iri
                else:
                    key = LOCAL_BASE + "region/" + slug(name)
                    found.records.setdefault(key, Known(key=key, name=name, kind=None, region=True, linked=False))
                add(doc[part.start:ent.end], key, "region", "direction")
            elif seat is not None and (facility := _facility(ent)) is not None:
                # "at Lusaka International Airport": the facility, a place of its own
                key = LOCAL_BASE + "region/" + slug(facility.text)
                found.records.setdefault(key, Known(key=key, name=facility.text, kind=None, region=True, linked=False))
                add(facility, key, "region", "direction")
            elif seat is not None and _place(ent) and not _acts(ent):
                # "talks in Kabul": the city, not the state that "Kabul" stands for elsewhere
                if not _about_fighting(ent):
                    taken.update(range(ent.start, ent.end))
                    continue  # "marched in Lima": a city named in passing, no territory under discussion
                key = LOCAL_BASE + "region/" + slug(seat)
                found.records.setdefault(key, Known(key=key, name=seat, kind=None, region=True, linked=False))
                add(ent, key, "region", "seat")
            elif entity.kind and entity.region:
                add(ent, entity.iri, "actor" if _acts(ent) else "region", "gazetteer")
            elif entity.kind == "state" and ent.start_char >= headline_end and _theatre(ent):
                add(ent, entity.iri, "region", "theatre")  # "US troops in Iraq", "access throughout Sudan"
            elif not entity.kind:
                if (_home_of_person(ent) or _inside_name(ent, headline_end) or _names_forces(ent)
                        or entity.subdivision and not _about_fighting(ent)):
                    taken.update(range(ent.start, ent.end))  # "Senator Ruiz of Ohio", "Luis Rivera Marín"
                    continue  # "reporters in Ohio": a province named in passing
                add(_whole_place_name(ent), entity.iri, "region", "gazetteer")
            else:
                add(ent, entity.iri, "actor", "gazetteer")
            if entity.kind == "person":
                persons_by_surname[entity.name.split()[-1]] = entity.iri
                titled_by = _phrase_affiliation(ent, found, reference)
                if titled_by is not None and found.records[titled_by].kind == "government":
                    # "Transitional Council President Ana Ruiz": the text's own title wins
                    found.records[entity.iri].speaks_for = titled_by
        elif ent.label_ == DEMONYM_LABEL:
            entity = reference.entities.get(ent.ent_id_)
            head = ent.root.head
            if entity is None or not entity.kind:
                continue
            if ent.root.dep_ in ("amod", "compound", "nmod", "nsubj") and head.lemma_.lower() in AGENTIVE:
                found.records.setdefault(entity.iri, _record(entity))
                add(ent, entity.iri, "actor", "demonym")

    name_words = {t.text for e in doc.ents if e.label_ == "PERSON" and len(e) >= 2 for t in e if t.is_alpha}
    for ent in doc.ents:
        kind = _LOCAL_LABELS.get(ent.label_)
        if kind is None or taken.intersection(range(ent.start, ent.end)):
            continue
        if kind == "region" and len(ent) == 1 and ent.label_ != "FAC":
            following = doc[ent.end] if ent.end < len(doc) else None
            if following is not None and following.ent_type_ == "PERSON" and ent.root.head.i >= ent.end:
                taken.add(ent.start)
                continue  # "Jamal| Khashoggi": a first name the NER split off as a place
            if ent.text in name_words:
                kind = "person"  # "Khashoggi" after "Jamal Khashoggi": the person, once named in full
        if kind != "person" and _titled(ent):
            kind = "person"  # "Ana Ruiz, Special Envoy of ...": a person whatever NER said
        elif ent.label_ == "FAC" and not ((_place(ent) or ent.root.dep_ == "pobj" and ent.root.head.lower_ == "at")
                                           and any(t.is_title for t in ent)):
            continue  # a building or road, unless named as where something happened ("at Baghdad Airport")
        side = _side_of(ent) if kind == "region" else None
        if side is not None and not taken.intersection(range(side.start, side.end)):
            name = side.text[0].upper() + side.text[1:]
            key = LOCAL_BASE + "region/" + slug(name)
            found.records.setdefault(key, Known(key=key, name=name, kind=None, region=True, linked=False))
            add(side, key, "region", "direction")
            continue
        how = "ner"
        if (not _titled(ent) and not _institution(ent) and _short_form(_clean_name(ent.text), found, "organization") is None
                and _place(ent) and not _acts(ent)):
            kind, how = "region", "place"  # "near Marinka", "entered Tell Tamer", whatever NER called it
        if kind == "region" and not _about_fighting(ent):
            taken.update(range(ent.start, ent.end))
            continue  # "a hospital in Leeds": a place no gazetteer knows, named in passing
        parts = _split_coordination(ent, linker)
        if parts:
            for part, entity in parts:
                found.records.setdefault(entity.iri, _record(entity))
                add(part, entity.iri, "region", "coordination")
            continue
        name = _clean_name(ent.text)
        if kind == "person":
            name = _without_title(name)  # "Spokesperson Matthew Miller" -> "Matthew Miller"
        if name.lower().endswith((" of", " of the")):
            continue  # "the Government of| Ethiopia": NER stopped before the name that matters
        if len(name) < 2 or not any(ch.isupper() for ch in name) or _labels_only(ent):
            continue
        if ent.start_char < headline_end and name not in body and not (
                kind == "person" and _ATTRIBUTION_RE.search(doc.text[:ent.start_char])):
            continue  # a headline's capitals make poor names: only what the body repeats, or its author
        shorter = _short_form(name, found, kind)
        if shorter is not None:
            add(ent, shorter, "actor", "short form")
            continue
        if kind == "organization" and _generic_body(name):
            owner = _body_owner(ent, found)
            if owner is not None:
                add(ent, owner, "actor", "body")  # "Albania's Foreign Ministry", "the Serbian Interior Ministry"
            else:
                taken.update(range(ent.start, ent.end))  # "the Association": a label, no actor named
            continue
        entity = linker.link(name, kind)
        if entity is not None:
            found.records.setdefault(entity.iri, _record(entity))
            role = "region" if (kind == "region" and entity.region) else "actor"
            add(ent, entity.iri, role, "linked")
            continue
        if kind == "person" and name.split()[-1] in persons_by_surname:
            add(ent, persons_by_surname[name.split()[-1]], "actor", "surname")
            continue
        prefix = {"person": "actor/", "organization": "actor/", "region": "region/"}[kind]
        key = LOCAL_BASE + prefix + slug(name)
        if key not in found.records:
            found.records[key] = Known(
                key=key, name=name, kind=None if kind == "region" else kind,
                region=kind == "region", linked=False,
            )
        add(ent, key, "region" if kind == "region" else "actor", how)
        if kind == "person":
            persons_by_surname.setdefault(name.split()[-1], key)
            state = next((represented[i] for i in range(ent.start, ent.end) if i in represented), None)
            if state and not found.records[key].speaks_for:
                found.records[key].speaks_for = state
            elif not found.records[key].speaks_for:
                found.records[key].speaks_for = (_apposition_affiliation(ent, found, reference)
                                                 or _phrase_affiliation(ent, found, reference))

    for token in doc:
        # "Council members welcomed ...": a body's short name the NER left untagged
        if token.i not in taken and token.lower_ in _BODY_WORDS and token.text[:1].isupper():
            earlier = _short_form(token.text, found, "organization")
            if earlier is not None:
                add(doc[token.i:token.i + 1], earlier, "actor", "short form")
    for span in _border_phrases(doc, taken):
        name = span.text[0].upper() + span.text[1:]
        key = LOCAL_BASE + "region/" + slug(name)
        found.records.setdefault(key, Known(key=key, name=name, kind=None, region=True, linked=False))
        add(span, key, "region", "direction")
    groups: dict[str, str] = {}  # head noun -> the last group so described
    for token in doc:
        span = _group_phrase(token, taken)
        if span is not None:
            name = span.text[0].upper() + span.text[1:]
            key = LOCAL_BASE + "actor/" + slug(name)
            found.records.setdefault(key, Known(key=key, name=name, kind="armed_group", region=False, linked=False))
            add(span, key, "actor", "group")
            groups[token.lemma_.lower()] = key
        elif (local := _local_authorities(token, found, taken)) is not None:
            span, name = local  # "the de facto authorities in rebel-held Aldor"
            key = LOCAL_BASE + "actor/" + slug(name)
            found.records.setdefault(key, Known(key=key, name=name, kind="government", region=False, linked=False))
            add(span, key, "actor", "group")
        elif token.lemma_.lower() in groups and token.i not in taken and [c.lower_ for c in token.lefts] == ["the"]:
            add(doc[token.i:token.i + 1], groups[token.lemma_.lower()], "actor", "short form")  # "the parties"
    _topic_states(doc, found, headline_end, reference)
    _drop_states_named_as_places(doc, found, headline_end)
    _bylines(doc, found, linker, taken, reference)
    _headline_authors(doc, found, reference)
    _respectively(doc, found, reference)
    _resolve_titles(doc, found, reference, taken, published=published)
    state = _dominant_state(found)
    _resolve_the_government(doc, found, taken, state)
    _resolve_national_offices(doc, found, state)
    for record in list(found.records.values()):
        target = record.speaks_for
        if target and target not in found.records and target in reference.entities:
            found.records[target] = _record(reference.entities[target])
    found.actor_mentions.sort(key=lambda m: m.start)
    found.region_mentions.sort(key=lambda m: m.start)
    found.cache.clear()  # sorted in place: the same sizes, another order
    found.outlets = _outlets(doc, found)
    return found


_TOPIC_NOUNS = words("topic_nouns")
_SITUATION_NOUNS = words("situation_nouns")


def _state_counts(found: Entities) -> dict[str, int]:
    """How often each state is named as an actor."""
    counts: dict[str, int] = {}
    for m in found.actor_mentions:
        if found.records[m.key].kind == "state":
            counts[m.key] = counts.get(m.key, 0) + 1
    return counts


def _topic_states(doc: SpacyDoc, found: Entities, headline_end: int, reference: Reference) -> None:
    """The state a document is most about is also a region when the text names it as the place of
    the situation it discusses ("the situation in Mali", "peace in Colombia", "the Special Envoy
    for Yemen") or its title says it is about it ("Press Statement on Mali"): the territory is
    under discussion, whatever else the state does in the text. A title's state gives way to the
    regions inside it that the text names ("Press Statement on Chad" over a text about Lac)."""
    counts = _state_counts(found)
    if not counts:
        return
    most = max(counts.values())
    regions = {m.key for m in found.region_mentions}
    containing = {reference.entities[key].part_of for key in regions if key in reference.entities}
    for m in list(found.actor_mentions):
        if counts.get(m.key) != most or m.key in regions:
            continue
        root = doc[m.tok_start:m.tok_end].root
        if m.start < headline_end:
            topical = m.key not in containing and _headline_subject(root)
        else:
            situation = _TOPIC_NOUNS | _SITUATION_NOUNS
            topical = (root.dep_ == "pobj" and root.head.lower_ in ("in", "across", "throughout", "for")
                       and root.head.head.lemma_.lower() in situation
                       or root.dep_ == "compound" and root.head.lemma_.lower() in situation)  # "the Chad conflict"
        if topical:
            found.region_mentions.append(Mention(m.start, m.end, m.text, m.key, m.tok_start, m.tok_end, "theatre"))
            regions.add(m.key)


_HEADLINE_SUBJECTS = words("headline_subjects")


def _headline_subject(root) -> bool:
    """Does a title announce the state as what it is about: "Press Statement on Chad",
    "Briefing on the Situation in Chad"?"""
    if root.dep_ != "pobj":
        return False
    prep = root.head
    if prep.lower_ == "in" and prep.head.lemma_.lower() == "situation":
        situation = prep.head
        if situation.dep_ != "pobj" or situation.head.lower_ != "on":
            return False
        prep = situation.head
    return prep.lower_ == "on" and prep.head.lemma_.lower() in _HEADLINE_SUBJECTS


_WHERE = words("where_prepositions")


def _drop_states_named_as_places(doc: SpacyDoc, found: Entities, headline_end: int) -> None:
    """A state the body names only as where something is or happens ("based in France", "talks
    held in Qatar", "Istanbul, Turkey") takes no part: no actor. The state the document is most
    about keeps its mentions (it is the situation's place and usually a party too)."""
    counts = _state_counts(found)
    if not counts:
        return
    ranked = sorted(counts.values(), reverse=True)
    most = ranked[0] if len(ranked) == 1 or ranked[0] > ranked[1] else None  # the one state most named
    drop = set()
    for key, n in counts.items():
        if n == most:
            continue
        body = [m for m in found.actor_mentions if m.key == key and m.start >= headline_end]
        if body and len(body) == n and all(_named_as_place(doc[m.tok_start:m.tok_end]) for m in body):
            drop.add(key)
    if drop:
        found.actor_mentions[:] = [m for m in found.actor_mentions if m.key not in drop]


def _named_as_place(span: SpacySpan) -> bool:
    root = span.root
    if root.dep_ == "appos":
        return True  # "Istanbul, Turkey"
    return root.dep_ == "pobj" and root.head.lower_ in _WHERE


_REPORTING = words("reporting")
_TOLD = words("told")
_OUTLET_NAME_WORDS = words("outlet_name_words")
_POSTING = words("posting")
"""Verbs of putting something out on a platform ("wrote on Twitter", "criticized ... via Twitter")."""


def _outlets(doc: SpacyDoc, found: Entities) -> set[str]:
    """Organisations cited as a source, never a party: the subject of a reporting verb ("the BBC
    reported"), whom a speaker told or spoke to ("told Reuters", "in an interview with CNN"), the
    source after "according to", or a local name made with a word for a medium ("Al Jazeera
    Television", "the Kyiv Post")."""
    out: set[str] = set()
    for m in found.actor_mentions:
        record = found.records[m.key]
        if record.linked or record.kind not in ("organization", None):
            continue  # the reference data holds parties, not media
        root = doc[m.tok_start:m.tok_end].root
        head = root.head
        lemma = head.lemma_.lower()
        cited = (
            root.dep_ == "nsubj" and lemma in _REPORTING
            or root.dep_ in ("dobj", "dative") and lemma in _TOLD
            or root.dep_ == "pobj" and head.lower_ in ("to", "with") and head.head.lemma_.lower() in _TOLD | {"interview"}
            or root.dep_ == "pobj" and head.lower_ in ("on", "via") and head.head.lemma_.lower() in _POSTING
            or root.dep_ == "pobj" and head.lower_ == "to" and head.head.lower_ == "according"
            or any(w.lower() in _OUTLET_NAME_WORDS for w in record.name.split())
        )
        if cited:
            out.add(m.key)
    return out


_BODY_NAME_WORDS = words("body_name_words")
"""Words of a body's name that say what kind of body it is, not whose: a name made only of them
("the Association", "Foreign Ministry") needs an owner to be an actor."""


def _generic_body(name: str) -> bool:
    words = [w.lower() for w in re.split(r"[\s-]+", name) if w]
    return bool(words) and all(w in _BODY_NAME_WORDS for w in words)


def _body_owner(ent: SpacySpan, found: Entities) -> str | None:
    """The actor whose body it is: the mention just before it ("Albania's", "the Albanian")."""
    doc = ent.doc
    end = ent.start
    while end > 0 and (doc[end - 1].tag_ == "POS" or doc[end - 1].lower_ in ("the", "'s", "\u2019s")):
        end -= 1
    if end >= ent.start + 1:
        return None
    index = found._index("actor_mentions")
    for m in reversed(index.starting_in(max(0, end - index.tokens), end)):
        if m.tok_end == end:
            return found.political(m.key)
    return None


def _short_form(name: str, found: Entities, kind: str) -> str | None:
    """ "the Council" after "the Security Council": the organisation already named."""
    if kind != "organization" or " " in name.strip() and len(name.split()) > 2:
        return None
    wanted = name.lower()
    for key in found._index("actor_mentions").latest_first():  # the one named last first
        record = found.records[key]
        if record.kind in ("organization", "alliance", "government", "party", "armed_group"):
            words = record.name.lower().split()
            if len(words) > len(wanted.split()) and " ".join(words[-len(wanted.split()):]) == wanted:
                return key
    return None


def _split_coordination(ent: SpacySpan, linker: "_Linker") -> list[tuple[SpacySpan, Entity]]:
    """ "the Donetsk and Lugansk People's Republics" -> two regions, one mention each.

    Each conjunct's mention is its own words ("Donetsk", "Lugansk People's
    Republics"); all conjuncts must link to known regions, or nothing is split.
    """
    text = ent.text.replace("\u2019", "'")
    match = _COORDINATED.match(text)
    if match is None:
        return []
    singular = _PLURALS[match.group("suffix").lower()]
    pieces = re.split(r",\s*(?:and\s+)?|\s+and\s+|\s*&\s*", match.group("stems"))
    if len(pieces) < 2:
        return []
    out = []
    cursor = ent.start_char + match.start("stems")
    doc = ent.doc
    for index, piece in enumerate(pieces):
        piece = piece.strip()
        entity = linker.link(f"{piece} {singular}", "region") or linker.link(piece, "region")
        if entity is None:
            return []
        start = ent.text.find(piece, cursor - ent.start_char)
        start = start + ent.start_char if start >= 0 else -1
        end = ent.end_char if index == len(pieces) - 1 else start + len(piece)
        span = doc.char_span(start, end, alignment_mode="expand")
        if start < 0 or span is None:
            return []
        out.append((span, entity))
        cursor = start + len(piece)
    return out


"""The reference data's office holders are those of this year on; older documents name their own."""


def _resolve_titles(doc: SpacyDoc, found: Entities, reference: Reference, taken: set[int],
                    *, published: str | None = None) -> None:
    """Titles ("the President", "the Russian leader") become mentions of the person they name.

    A title right next to a named person ("Kremlin spokesperson Dmitry Peskov")
    is not a new mention: it gives that person an office and, when an actor
    modifies it, the actor the person speaks for.
    """
    text = doc.text
    counts = found.counts()
    states = sorted(
        (k for k in counts if found.records[k].kind in ("state", "government")),
        key=lambda k: -counts[k],
    )
    for match in _TITLE_RE.finditer(text):
        span = doc.char_span(match.start("title"), match.end("title"), alignment_mode="expand")
        if span is None or taken.intersection(range(span.start, span.end)):
            continue
        office = TITLES[match.group("title").lower()]
        title_text = match.group("title")
        if not match.group("the") and not title_text[0].isupper():
            continue
        mod_state = None
        if match.group("mod"):
            mod_span = doc.char_span(match.start("mod"), match.end("mod"), alignment_mode="expand")
            if mod_span is not None:
                for m in found.actors_in(mod_span.start, mod_span.end):
                    mod_state = found.political(m.key)
        person = _named_person_next_to(doc, span, found)
        if person is not None:
            record = found.records[person]
            if office not in record.offices:
                record.offices.append(office)
            if mod_state and not record.speaks_for and mod_state != person:
                record.speaks_for = mod_state
            continue
        if match.group("mod") and mod_state is None:
            continue
        key = _title_holder(office, mod_state, match.start(), found, reference, states, on=published)
        if key is None and _unheld_office(match, text):
            # "The Secretary-General welcomes ...", no holder named or known: the office speaks for the UN
            key = _united_nations_title(title_text, found, reference)
            if mod_state is not None and mod_state != key:
                key = None  # "the NATO Secretary-General"
        if key is None:
            continue
        start = match.start("the") if match.group("the") else match.start("title")
        tspan = doc.char_span(start, match.end("title"), alignment_mode="expand")
        if tspan is None:
            continue
        if key not in found.records and key in reference.entities:
            found.records[key] = _record(reference.entities[key])
        found.actor_mentions.append(
            Mention(tspan.start_char, tspan.end_char, tspan.text, key, tspan.start, tspan.end, "title")
        )
        taken.update(range(tspan.start, tspan.end))


_GOVERNMENT_RE = re.compile(r"\b[Tt]he\s+[Gg]overnment\b(?!\s+of\b)")
_OF_OR_POSSESSIVE = re.compile(r"\s*(?:of\b|['\u2019]s\b)")


def _unheld_office(match: re.Match, text: str) -> bool:
    """Does "the <title>" stand for the office itself: not "the Secretary-General's report", not part
    of another title ("Deputy Representative of the High Commissioner"), not "... of NATO"?"""
    before = match.start()
    while before and text[before - 1].isspace():
        before -= 1
    if not match.group("the") or text[max(0, before - 3):before] in (" of", " to"):
        return False
    return not _OF_OR_POSSESSIVE.match(text, match.end())


def _dominant_state(found: Entities) -> str | None:
    """The state the document is about, when one clearly dominates it (named at least twice, and
    twice as often as any other)."""
    ranked = sorted(((key, n) for key, n in found.counts().items() if found.records[key].kind == "state"),
                    key=lambda item: -item[1])
    if not ranked or ranked[0][1] < 2 or len(ranked) > 1 and ranked[0][1] < 2 * ranked[1][1]:
        return None
    return ranked[0][0]


_NATIONAL_OFFICES = tuple(title for title, office in TITLES.items()
                          if office in ("president", "prime minister", "foreign minister", "defence minister",
                                        "chancellor"))
"""The titles of TITLES that name a state's office ("President", "the caretaker Prime Minister")."""


def _resolve_national_offices(doc: SpacyDoc, found: Entities, state: str | None) -> None:
    """ "President Ana Ruiz", "Luis Soto, the interim Prime Minister": a national
    office that names no state is held in ``state``, the state the document is about."""
    if state is None:
        return
    for mention in found.actor_mentions:
        record = found.records[mention.key]
        if not record.is_person or record.speaks_for or record.linked:
            continue
        before = doc[max(0, mention.tok_start - 3):mention.tok_start].text.lower()
        after = doc[mention.tok_end:mention.tok_end + 5].text.lower()
        if "former" in before or after.startswith(", the former"):
            continue
        if (any(before.endswith(office) for office in _NATIONAL_OFFICES)
                or after.startswith(", the ") and any(office in after for office in _NATIONAL_OFFICES)):
            record.speaks_for = state


def _resolve_the_government(doc: SpacyDoc, found: Entities, taken: set[int], state: str | None) -> None:
    """ "The Government asked for ...": ``state``, the state the document is about
    (:func:`_dominant_state`)."""
    if state is None:
        return
    for match in _GOVERNMENT_RE.finditer(doc.text):
        span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
        if span is None or taken.intersection(range(span.start, span.end)):
            continue
        found.actor_mentions.append(
            Mention(span.start_char, span.end_char, span.text, state, span.start, span.end, "government"))
        taken.update(range(span.start, span.end))


def _named_person_next_to(doc: SpacyDoc, span: SpacySpan, found: Entities) -> str | None:
    """A person mention just after the title (", Dmitry Peskov", "of Ukraine Volodymyr Zelenskyy")
    or just before it ("Peskov, the ...")."""
    after = doc[span.end: min(len(doc), span.end + 5)]
    before = doc[max(0, span.start - 4): span.start]
    for m in found._index("actor_mentions").starting_in(before.start, after.end):
        if not found.records[m.key].is_person:
            continue
        if after.start <= m.tok_start < after.end and all(
            t.is_punct or t.pos_ == "PROPN" or t.lower_ == "of" for t in doc[span.end: m.tok_start]
        ):
            return m.key
        if before.start <= m.tok_start and m.tok_end <= span.start and all(
            t.is_punct or t.lower_ in ("the", "a", "an") or t.pos_ in ("PROPN", "ADJ")
            for t in doc[m.tok_end: span.start]
        ) and any(t.text == "," for t in doc[m.tok_end: span.start]):
            return m.key
    return None


def _title_holder(office, state, char, found: Entities, reference: Reference, states,
                  *, on: str | None = None) -> str | None:
    """Who holds the title here: the last holder named before it, the only one named, else the
    reference's holder of the office in the state on the document's day (``on``)."""
    offices = HEAD_OFFICES if office == "leader" else (office,)

    def holds(key: str) -> bool:
        record = found.records.get(key)
        if record is None or not record.is_person:
            return False
        if state is not None and record.speaks_for != state:
            return False
        return any(o in record.offices for o in offices)

    mentioned = [m for m in found.actor_mentions if m.how != "title" and holds(m.key)]
    before = [m for m in mentioned if m.end <= char]
    if before:
        return before[-1].key
    if len({m.key for m in mentioned}) == 1:
        return mentioned[0].key
    wanted = [state] if state else states[:1]
    for state_key in wanted:
        people = [
            e.iri for e in reference.entities.values()
            if e.kind == "person" and e.speaks_for == state_key and any(e.holds(o, on) for o in offices)
        ]
        if len(people) == 1:
            return people[0]
    return None
