"""The reference data and the controlled vocabularies, read once into plain Python.

Both are RDF in ``ontology/``; this module is the one place that turns them into
what the NLP stage needs: entities with their labels, and the cue phrases of
actions, outcomes, stances and conditions. Parsing uses pyoxigraph's Turtle
parser (fast), and the result is cached per process; the reference entities are also kept
in the user cache (:mod:`kg.cache`) under a hash of the files and of this module, so a
start reads one JSON file instead of parsing and assembling the Turtle.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg import resources
from kg.errors import DataFileError
from kg.namespaces import OWL, POL, RDF, SKOS, WD

__all__ = ["Entity", "Reference", "load_reference", "Vocabulary", "load_vocabulary", "CLASS_KINDS", "MARKS", "cue_problem"]

_POL = str(POL)
_SKOS = str(SKOS)
_RDF_TYPE = str(RDF.type)
_SAME_AS = str(OWL.sameAs)
_WD = str(WD)

CURRENT_FROM = "2024"
"""The year from which the offices of the reference data without terms are held ("today")."""

CLASS_KINDS = {
    "State": "state",
    "Government": "government",
    "Person": "person",
    "Alliance": "alliance",
    "Organization": "organization",
    "ArmedGroup": "armed_group",
    "Party": "party",
}
"""Ontology class local name -> the contract's actor ``kind``."""


@dataclass
class Entity:
    """A canonical actor or region of the reference data."""

    iri: str
    name: str
    kind: str | None  # an actor kind of the contract; None for a region that never acts
    region: bool = False
    subdivision: bool = False  # a province of any country, not singled out as under discussion
    labels: list[str] = field(default_factory=list)
    demonyms: list[str] = field(default_factory=list)
    seats: list[str] = field(default_factory=list)
    wikidata: str | None = None
    offices: list[str] = field(default_factory=list)
    speaks_for: str | None = None
    part_of: str | None = None
    terms: list[tuple[str, str, str]] = field(default_factory=list)  # (office, from, to); to "" = today

    @property
    def is_actor(self) -> bool:
        return self.kind is not None

    def holds(self, office: str, on: str | None = None) -> bool:
        """Did the person hold ``office`` on the day ``on`` (YYYY[-MM[-DD]]; None: today)?

        An office with terms is held within them; one without is held today, which the reference
        data counts from the year ``CURRENT_FROM``.
        """
        if office not in self.offices:
            return False
        terms = [(start, end) for o, start, end in self.terms if o == office]
        if not terms:
            return on is None or on[:4] >= CURRENT_FROM
        if on is None:
            return any(not end for _, end in terms)
        return any(start[:len(on)] <= on and (not end or on <= end[:len(on)]) for start, end in terms)


@dataclass(eq=False)
class Reference:
    """All reference entities, by IRI."""

    entities: dict[str, Entity]

    def by_label(self) -> dict[str, list[Entity]]:
        """Normalised label -> the entities that carry it."""
        index: dict[str, list[Entity]] = defaultdict(list)
        for entity in self.entities.values():
            for label in {entity.name, *entity.labels}:
                index[normalise_label(label)].append(entity)
        return index

    def persons_with_office(self, office: str, on: str | None = None) -> list[Entity]:
        """The people who held ``office`` on the day ``on`` (None: today)."""
        return [e for e in self.entities.values() if e.kind == "person" and e.holds(office, on)]


def normalise_label(text: str) -> str:
    """Casefolded, NFKC, curly apostrophes straightened, a leading "the " dropped."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").casefold().strip()
    if text.startswith("the "):
        text = text[4:]
    return " ".join(text.split())


def _parse(path: Path):
    try:
        return list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    except (SyntaxError, ValueError, OSError) as exc:
        raise DataFileError(path, f"not valid Turtle ({exc})") from exc


def _term(props: dict[str, list], iri: str) -> tuple[str, str, str]:
    """(office, from, to) of a pol:tenure node; to is "" while the term goes on."""
    office = props.get(_POL + "office", [])
    start = props.get(_POL + "termStart", [])
    if not office or not start:
        raise DataFileError(iri, "a pol:tenure without pol:office and pol:termStart")
    end = props.get(_POL + "termEnd", [])
    return office[0].value.lower(), start[0].value, end[0].value if end else ""


def _value(term) -> str:
    return term.value


@functools.lru_cache(maxsize=4)
def load_reference(paths: tuple[Path, ...] | None = None) -> Reference:
    """Read the reference actors and regions (``ontology/reference/*.ttl``), from the user
    cache when these files were read before."""
    from kg.cache import cached_bytes

    paths = tuple(paths or resources.reference_files())
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for path in paths:
        try:
            content = Path(path).read_bytes()
        except OSError as exc:
            raise DataFileError(path, f"cannot be read ({exc.strerror or exc})") from exc
        digest.update(f"\0{len(content)}\0".encode())
        digest.update(content)

    def build() -> bytes:
        entities = _read_reference(paths).entities.values()
        return json.dumps([dataclasses.asdict(e) for e in entities], ensure_ascii=False).encode()

    data, cached = cached_bytes(f"reference-{digest.hexdigest()[:32]}.json", build)
    if cached is not None:
        try:
            return _reference_from_json(cached.read_bytes())
        except (OSError, ValueError, TypeError, KeyError):  # a damaged cache file: read the Turtle here
            data = build()
    return _reference_from_json(data)


def _reference_from_json(data: bytes) -> Reference:
    entities = {}
    for fields in json.loads(data):
        fields["terms"] = [tuple(term) for term in fields["terms"]]
        entity = Entity(**fields)
        entities[entity.iri] = entity
    return Reference(entities)


def _read_reference(paths: tuple[Path, ...]) -> Reference:
    props: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for path in paths:
        for triple in _parse(path):
            if isinstance(triple.subject, ox.NamedNode):
                props[triple.subject.value][triple.predicate.value].append(triple.object)
    entities: dict[str, Entity] = {}
    for iri, p in props.items():
        types = {t.value.removeprefix(_POL) for t in p.get(_RDF_TYPE, [])}
        kinds = [CLASS_KINDS[t] for t in sorted(types) if t in CLASS_KINDS]
        if not kinds and "Region" not in types and "Subdivision" not in types:
            continue
        kind = kinds[0] if kinds else None
        names = p.get(_SKOS + "prefLabel", [])
        if not names:
            raise DataFileError(iri, "reference entity without skos:prefLabel")
        entity = Entity(
            iri=iri,
            name=names[0].value,
            kind=kind,
            region="Region" in types or "Subdivision" in types,
            subdivision="Subdivision" in types,
            labels=sorted({t.value for t in p.get(_SKOS + "altLabel", [])}),
            demonyms=sorted({t.value for t in p.get(_POL + "demonym", [])}),
            seats=sorted({t.value for t in p.get(_POL + "seat", [])}),
            wikidata=next((t.value.removeprefix(_WD) for t in p.get(_SAME_AS, [])
                           if t.value.startswith(_WD + "Q")), None),
            offices=sorted({t.value.lower() for t in p.get(_POL + "office", [])}),
            speaks_for=next((t.value for t in p.get(_POL + "speaksFor", [])), None),
            part_of=next((t.value for t in p.get(_POL + "partOf", [])), None),
            terms=sorted(_term(props.get(t.value, {}), t.value) for t in p.get(_POL + "tenure", [])),
        )
        entities[iri] = entity
    return Reference(entities)


@dataclass
class Concept:
    """A SKOS concept of a vocabulary with its cue phrases."""

    code: str
    iri: str
    label: str
    cues: list[str]
    stage: int = 0


@dataclass(eq=False)
class Vocabulary:
    """The controlled vocabularies, by scheme: ``action``, ``outcome``, ``stance``, ``condition``."""

    schemes: dict[str, dict[str, Concept]]

    def __getitem__(self, scheme: str) -> dict[str, Concept]:
        return self.schemes[scheme]


MARKS = frozenset({"REGION", "ALLIANCE", "DEMONYM", "ARMED"})
"""The marks a cue may use: a mention of a region, of an alliance, a people's adjective standing
for its armed forces, an armed group or force."""


def cue_problem(cue: str) -> str | None:
    """What is wrong with a cue rule, or None: an unknown ``@MARK``, an empty phrase or part.

    >>> cue_problem("withdraw|pull out + @REGION") is None
    True
    >>> cue_problem("withdraw + @PLACE")
    "unknown cue mark '@PLACE' (known: @ALLIANCE, @ARMED, @DEMONYM, @REGION)"
    """
    if not cue.strip():
        return "empty cue"
    for part in cue.split(" + "):
        alternatives = part.split("|")
        for alt in alternatives:
            alt = alt.strip()
            if not alt:
                return f"empty alternative in {cue!r}"
            if alt.startswith("@") and alt[1:] not in MARKS:
                known = ", ".join("@" + m for m in sorted(MARKS))
                return f"unknown cue mark {alt!r} (known: {known})"
            if "+" in alt and alt != "+":
                return f"'+' must stand between spaces in {cue!r}"
    return None


@functools.lru_cache(maxsize=2)
def load_vocabulary(paths: tuple[Path, ...] | None = None) -> Vocabulary:
    """Read the SKOS schemes (``ontology/vocab/*.ttl``)."""
    paths = tuple(paths or resources.vocab_files())
    schemes: dict[str, dict[str, Concept]] = defaultdict(dict)
    for path in paths:
        lines: list[str] | None = None
        props: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for triple in _parse(path):
            props[triple.subject.value][triple.predicate.value].append(triple.object)
        for iri, p in props.items():
            notation = p.get(_SKOS + "notation")
            scheme = p.get(_SKOS + "inScheme")
            if not notation or not scheme:
                continue
            scheme_name = scheme[0].value.rstrip("/").rsplit("/", 1)[-1]
            for cue in p.get(_POL + "cue", []):
                problem = cue_problem(cue.value)
                if problem is not None:
                    lines = lines or Path(path).read_text(encoding="utf-8").splitlines()
                    line = next((n for n, text in enumerate(lines, start=1) if cue.value in text), None)
                    raise DataFileError(path, f"{notation[0].value}: {problem}", line)
            schemes[scheme_name][notation[0].value] = Concept(
                code=notation[0].value,
                iri=iri,
                label=p[_SKOS + "prefLabel"][0].value,
                cues=[t.value for t in p.get(_POL + "cue", [])],
                stage=int(p[_POL + "stage"][0].value) if _POL + "stage" in p else 0,
            )
    return Vocabulary(dict(schemes))
