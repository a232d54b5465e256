"""What extraction finds in one document: typed records, free of rdflib and spaCy.

The field names are the JSON keys of ``extraction.schema.json``; ``to_dict`` is
exactly what ``kg extract --format json`` prints and ``from_dict`` reads it back.
Relations name actors and regions by their canonical ``name``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from kg.codes import Action, ActorKind, Outcome, Stance

__all__ = [
    "ActorKind",
    "Action",
    "Outcome",
    "Stance",
    "Span",
    "Evidence",
    "DocumentInfo",
    "Actor",
    "Region",
    "Statement",
    "Position",
    "Precondition",
    "Extraction",
    "SentenceDecision",
    "EXTRACTOR",
]

EXTRACTOR = "polkg-rules"
"""Name of the extractor recorded in provenance; its version is the package's."""


@dataclass(frozen=True)
class Span:
    """``text == document_text[start:end]``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Evidence:
    """The sentence an assertion comes from: ``quote == document_text[start:end]``."""

    quote: str
    start: int
    end: int


@dataclass
class DocumentInfo:
    id: str
    title: str | None
    published: str | None
    source: str | None = None
    path: str | None = None
    content_hash: str | None = None
    characters: int | None = None
    relative_path: str | None = None
    """The path relative to the folder it was ingested from (``Document.relative_path``)."""


@dataclass
class Actor:
    id: str
    name: str
    kind: str
    wikidata: str | None
    mentions: list[Span]
    linked: bool = True
    speaks_for: str | None = None


@dataclass
class Region:
    id: str
    name: str
    wikidata: str | None
    mentions: list[Span]
    linked: bool = True


@dataclass
class Statement:
    id: str
    speaker: str
    date: str | None
    evidence: Evidence
    via: str | None = None


@dataclass
class Position:
    id: str
    holder: str
    stance: str
    topic: str
    evidence: Evidence
    statement: str | None = None
    said: str | None = None
    """When it was said, as the text places it (``kg.extract.dates``); None with ``said_how``
    ``"unresolved"`` when the text does not (an extra key of the contract's JSON)."""
    said_how: str | None = None
    """How ``said`` was found: ``adjunct``, ``frame``, ``release`` or ``unresolved``."""


@dataclass
class Precondition:
    id: str
    demander: str
    addressee: str | None
    action: str
    regions: list[str]
    for_: str
    evidence: Evidence
    statement: str | None = None
    concerns: list[str] = field(default_factory=list)
    """Other actors the demanded action is about (an extra key of the contract's JSON):
    ``renounce_alliance`` -> the alliance."""
    said: str | None = None
    """When it was said, as for :class:`Position`."""
    said_how: str | None = None


@dataclass(frozen=True)
class SentenceDecision:
    """What the learned classifier says of one sentence, as scores in [0, 1].

    Where the learned decisions (``kg.extract.learned``) meet the rules' candidates: whether the
    sentence states a demand (``precondition``) and/or a ``position``, and, if so, the score of
    each action code, each outcome (``for``; ``other`` when it names none) and each stance;
    ``cues`` are the vocabulary codes whose cue phrases match in the sentence (``outcome_ceasefire``).
    """

    precondition: float
    position: float
    action: dict[str, float]
    outcome: dict[str, float]
    stance: dict[str, float]
    cues: frozenset[str] = frozenset()


@dataclass
class Extraction:
    """Everything extracted from one document."""

    document: DocumentInfo
    actors: list[Actor] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    preconditions: list[Precondition] = field(default_factory=list)
    extractor: str = EXTRACTOR
    version: str = ""

    def actor(self, name: str) -> Actor:
        """The actor called ``name`` (``KeyError`` if none)."""
        for actor in self.actors:
            if actor.name == name:
                return actor
        raise KeyError(name)

    def region(self, name: str) -> Region:
        for region in self.regions:
            if region.name == name:
                return region
        raise KeyError(name)

    def to_dict(self) -> dict:
        """The contract's JSON object (``extraction.schema.json``)."""
        data = asdict(self)
        for pre in data["preconditions"]:
            pre["for"] = pre.pop("for_")
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Extraction":
        """Read back what :meth:`to_dict` wrote."""
        def spans(items):
            return [Span(**s) for s in items]

        return cls(
            document=DocumentInfo(**data["document"]),
            actors=[Actor(**{**a, "mentions": spans(a["mentions"])}) for a in data["actors"]],
            regions=[Region(**{**r, "mentions": spans(r["mentions"])}) for r in data["regions"]],
            statements=[Statement(**{**s, "evidence": Evidence(**s["evidence"])}) for s in data["statements"]],
            positions=[Position(**{**p, "evidence": Evidence(**p["evidence"])}) for p in data["positions"]],
            preconditions=[
                Precondition(**{**{k: v for k, v in p.items() if k != "for"}, "for_": p["for"],
                                "evidence": Evidence(**p["evidence"])})
                for p in data["preconditions"]
            ],
            extractor=data.get("extractor", EXTRACTOR),
            version=data.get("version", ""),
        )
