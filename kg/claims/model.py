"""The claim layer's records: plain dataclasses, free of rdflib and of the store.

A :class:`Report` is one position or precondition as one document reports it.
Reports that say the same thing are one :class:`Claim`; the claims about one
holder and topic (a position) or one demander, addressee and action (a
precondition) form a :class:`Thread`, in which each claim holds for a span and
consecutive claims are linked by a typed :class:`Change`. Two claims of a thread
that different sources report for overlapping times with contrary stances are a
:class:`Contradiction`.

Each report has two times: ``said`` (when the statement was made, resolved from
the text by the extractor; None when the text does not place it) and
``reported`` (the document's publication date). Neither is ever filled in from
the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Report", "Claim", "Thread", "Change", "Contradiction", "ClaimLayer", "CHANGE_TYPES", "TIME_BASES"]

CHANGE_TYPES = ("new", "reaffirmed", "hardened", "softened", "withdrawn", "reversed")
"""The kinds of change between consecutive claims of a thread, as ``pol:changeType`` codes."""

TIME_BASES = ("said", "reported")


@dataclass(frozen=True)
class Report:
    """One position or precondition in one document."""

    iri: str
    kind: str  # "position" | "precondition"
    actor: str  # holder or demander (IRI)
    document: str
    outlet: str
    quote: str
    said: str | None  # YYYY[-MM[-DD]] or None: the text does not date it
    reported: str | None  # the document's publication date, or None
    stance: str | None = None
    topic: str | None = None
    addressee: str | None = None
    action: str | None = None
    outcome: str | None = None
    regions: tuple[str, ...] = ()

    def time(self, basis: str = "said") -> str | None:
        """The report's time on ``basis``: ``said`` or ``reported``."""
        if basis not in TIME_BASES:
            raise ValueError(f"basis must be one of {TIME_BASES}, got {basis!r}")
        return self.said if basis == "said" else self.reported


@dataclass
class Claim:
    """What several reports say alike: one canonical position or precondition."""

    iri: str
    thread: str
    kind: str
    actor: str
    stance: str | None = None
    topic: str | None = None  # the most reported topic wording
    topics: tuple[str, ...] = ()
    addressee: str | None = None
    action: str | None = None
    outcome: str | None = None
    regions: tuple[str, ...] = ()
    reports: list[Report] = field(default_factory=list)

    @property
    def documents(self) -> list[str]:
        return sorted({r.document for r in self.reports})

    @property
    def outlets(self) -> list[str]:
        return sorted({r.outlet for r in self.reports})

    def times(self, basis: str) -> list[str]:
        return sorted(t for r in self.reports if (t := r.time(basis)) is not None)

    def first(self, basis: str) -> str | None:
        found = self.times(basis)
        return found[0] if found else None

    def last(self, basis: str) -> str | None:
        found = self.times(basis)
        return found[-1] if found else None

    @property
    def unplaced(self) -> int:
        """How many of its reports the text does not date (no said-time)."""
        return sum(1 for r in self.reports if r.said is None)

    @property
    def summary(self) -> str:
        if self.kind == "position":
            return f"{self.stance} {self.topic}"
        regions = f" in {len(self.regions)} regions" if self.regions else ""
        return f"{self.action}{regions} (for {self.outcome or 'other'})"


@dataclass
class Change:
    """A change from one claim of a thread to the next (``before`` is None for ``new``)."""

    iri: str
    thread: str
    type: str
    before: str | None
    after: str
    time: str | None  # when the later claim was first said (or reported, by basis)
    basis: str
    before_quote: str | None
    after_quote: str


@dataclass
class Contradiction:
    """Two claims of one thread with contrary stances, reported by different sources at overlapping times."""

    iri: str
    thread: str
    first: str
    second: str
    first_outlets: tuple[str, ...]
    second_outlets: tuple[str, ...]


@dataclass
class Thread:
    """The claims about one holder and topic, or one demander, addressee and action."""

    iri: str
    kind: str
    actor: str
    key: str  # a readable key: the topic, or "addressee action"
    addressee: str | None = None
    action: str | None = None
    claims: list[Claim] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    contradictions: list[Contradiction] = field(default_factory=list)
    spans: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # claim -> (from, until)


@dataclass
class ClaimLayer:
    """Every thread of a store's claim layer."""

    threads: dict[str, Thread] = field(default_factory=dict)

    @property
    def claims(self) -> list[Claim]:
        return [c for t in self.threads.values() for c in t.claims]

    @property
    def changes(self) -> list[Change]:
        return [c for t in self.threads.values() for c in t.changes]

    @property
    def contradictions(self) -> list[Contradiction]:
        return [c for t in self.threads.values() for c in t.contradictions]
