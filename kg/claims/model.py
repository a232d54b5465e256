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

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["Report", "Claim", "ClaimSummary", "Thread", "Change", "Contradiction", "ClaimLayer", "CHANGE_TYPES",
           "TIME_BASES"]

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


def _dated_key(report: Report, basis: str) -> tuple:
    time = report.time(basis)
    return (time is None, time or "", report.iri)


@dataclass(frozen=True)
class ClaimSummary:
    """What a thread needs to know of one claim's reports, kept as running totals.

    A claim's counts, outlets, times, first and last quotes and whether any of
    its reports withdraws are all folds over its reports: :meth:`add` takes in
    reports of documents the summary does not count yet, so that the claim
    layer can grow by the reports of new documents without reading the old ones
    again, and gives what :meth:`of` gives over all the reports at once.

    >>> r1 = Report("d1/p1", "position", "Russia", "d1", "tass.ru", "a", "2022-03-01", "2022-03-02")
    >>> r2 = Report("d2/p1", "position", "Russia", "d2", "bbc.co.uk", "b", None, "2022-03-05")
    >>> ClaimSummary.of([r1]).add([r2]) == ClaimSummary.of([r2, r1])
    True
    >>> ClaimSummary.of([r1, r2]).first_quote["reported"], ClaimSummary.of([r1, r2]).last("said")
    ('a', '2022-03-01')
    """

    what: tuple  # what its reports say alike: kind, holder, stance, addressee, action, outcome, regions
    head: str  # the least report IRI
    documents: int
    outlets: tuple[str, ...]
    unplaced: int
    topics: tuple[tuple[str, int], ...]  # each topic wording and how many reports give it
    times: dict  # basis -> [first, last], or None when no report has a time on that basis
    first_key: dict  # basis -> [no time, time, report IRI] of the first report on that basis
    first_quote: dict  # basis -> its quote
    last_key: dict  # basis -> [time, report IRI] of the last report dated on that basis, or None
    last_quote: dict  # basis -> its quote (the last report's by IRI when none is dated)
    tail: tuple[str, str]  # the greatest report IRI and its quote
    withdrawn: bool  # a report marks an explicit concession

    @classmethod
    def of(cls, reports: Iterable[Report]) -> "ClaimSummary":
        """The summary of ``reports`` (at least one)."""
        reports = list(reports)
        if not reports:
            raise ValueError("a claim summary needs at least one report")
        return cls._fold(None, reports)

    def add(self, reports: Iterable[Report]) -> "ClaimSummary":
        """This summary with ``reports`` taken in; their documents must not be counted already."""
        reports = list(reports)
        return self._fold(self, reports) if reports else self

    @classmethod
    def _fold(cls, base: "ClaimSummary | None", reports: list[Report]) -> "ClaimSummary":
        from kg.claims.topics import has_withdrawal

        topics = dict(base.topics) if base else {}
        for r in reports:
            if r.topic:
                topics[r.topic] = topics.get(r.topic, 0) + 1
        times, first_key, first_quote, last_key, last_quote = {}, {}, {}, {}, {}
        for basis in TIME_BASES:
            dated = [t for r in reports if (t := r.time(basis)) is not None]
            span = base.times.get(basis) if base else None
            if dated:
                span = [min(dated + ([span[0]] if span else [])), max(dated + ([span[1]] if span else []))]
            times[basis] = span
            first = min(reports, key=lambda r: _dated_key(r, basis))
            key = list(_dated_key(first, basis))
            if base is None or tuple(key) < tuple(base.first_key[basis]):
                first_key[basis], first_quote[basis] = key, first.quote
            else:
                first_key[basis], first_quote[basis] = base.first_key[basis], base.first_quote[basis]
            latest = max(((r.time(basis), r.iri, r.quote) for r in reports if r.time(basis)), default=None)
            old = base.last_key.get(basis) if base else None
            if latest and (old is None or tuple(latest[:2]) > tuple(old)):
                last_key[basis], last_quote[basis] = list(latest[:2]), latest[2]
            elif old is not None:
                last_key[basis], last_quote[basis] = old, base.last_quote[basis]
            else:
                last_key[basis], last_quote[basis] = None, None
        tail = max((r.iri, r.quote) for r in reports)
        if base is not None and base.tail[0] > tail[0]:
            tail = base.tail
        for basis in TIME_BASES:
            if last_key[basis] is None:
                last_quote[basis] = tail[1]
        first_report = reports[0]
        what = base.what if base else (first_report.kind, first_report.actor, first_report.stance,
                                        first_report.addressee, first_report.action, first_report.outcome,
                                        tuple(sorted(set(first_report.regions))))
        return cls(
            what=what, head=min([r.iri for r in reports] + ([base.head] if base else [])),
            documents=len({r.document for r in reports}) + (base.documents if base else 0),
            outlets=tuple(sorted({r.outlet for r in reports} | set(base.outlets if base else ()))),
            unplaced=sum(1 for r in reports if r.said is None) + (base.unplaced if base else 0),
            topics=tuple(sorted(topics.items())), times=times, first_key=first_key, first_quote=first_quote,
            last_key=last_key, last_quote=last_quote, tail=tuple(tail),
            withdrawn=(base.withdrawn if base else False) or any(has_withdrawal(r.quote) for r in reports))

    def first(self, basis: str) -> str | None:
        span = self.times.get(basis)
        return span[0] if span else None

    def last(self, basis: str) -> str | None:
        span = self.times.get(basis)
        return span[1] if span else None

    @property
    def topic(self) -> str | None:
        """The most reported topic wording (the least such string on a tie)."""
        return min(self.topics, key=lambda item: (-item[1], item[0]))[0] if self.topics else None

    def to_json(self) -> str:
        """One line of JSON, the same for the same summary, however it was reached."""
        data = {k: getattr(self, k) for k in self.__dataclass_fields__}
        return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "ClaimSummary":
        data = json.loads(text)
        data["outlets"] = tuple(data["outlets"])
        data["topics"] = tuple((t, n) for t, n in data["topics"])
        data["tail"] = tuple(data["tail"])
        data["what"] = tuple(data["what"][:6]) + (tuple(data["what"][6]),)
        return cls(**data)


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
    totals: ClaimSummary | None = None  # the summary of all its reports (``reports`` may hold only the new ones)

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
    shared: set[tuple[str, str]] = field(default_factory=set)  # pairs of its claims reported in one document


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
