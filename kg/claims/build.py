"""From reports to threads, claims, changes and contradictions. Pure: no store, no I/O.

- **Threads.** Preconditions with the same demander, addressee and action code
  are one thread. Positions of one holder are one thread when their topics are
  linked by :func:`kg.claims.topics.same_topic` (the connected components of
  that relation, so the grouping does not depend on the order reports arrive in).
- **Claims.** Within a thread, a position's claim is its stance; a
  precondition's, its set of regions and its outcome.
- **Order and spans.** Claims are ordered by their first time on a basis (``said``
  or ``reported``); a claim without any time on that basis (no report of it is
  dated by its text) is left out of that basis's order, changes and spans. A claim holds from its first time until the
  next claim's first time, or until its own last time when it is the last.
- **Changes** between consecutive claims: ``withdrawn`` when a quote of the
  later claim marks an explicit concession (``claim_withdrawal`` phrases);
  ``reversed`` when the stance flips; for preconditions ``hardened`` (more
  regions), ``softened`` (fewer regions), else ``reaffirmed``. The first claim
  of a thread is ``new``; a claim said (or reported) again at a later time than
  its first is ``reaffirmed`` from itself to itself.
- **Contradictions.** Two position claims of a thread with contrary stances,
  from disjoint documents of different outlets, whose time intervals overlap
  (said-times when both have them, else reported-times), or come within
  :data:`CONTRADICTION_WINDOW_DAYS` of each other, unless the later one
  withdraws the earlier.
"""

from __future__ import annotations

import calendar
import hashlib
from datetime import date, timedelta
from collections import Counter, defaultdict
from collections.abc import Iterable

from kg.claims.model import Change, Claim, ClaimLayer, Contradiction, Report, TIME_BASES, Thread
from kg.claims.topics import has_withdrawal, same_topic, topic_actions, topic_lemmas
from kg.namespaces import ID

__all__ = ["build_threads", "thread_of", "date_range", "overlaps", "CLAIM_BASE", "CONTRADICTION_WINDOW_DAYS"]

CLAIM_BASE = str(ID["claims/"])
CONTRADICTION_WINDOW_DAYS = 14
"""Contrary stances said (or reported) within this many days of each other count as overlapping."""


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def date_range(value: str) -> tuple[str, str]:
    """The first and last day a date of any precision covers.

    >>> date_range("2022-02")
    ('2022-02-01', '2022-02-28')
    >>> date_range("2021")
    ('2021-01-01', '2021-12-31')
    """
    if len(value) == 4:
        return f"{value}-01-01", f"{value}-12-31"
    if len(value) == 7:
        year, month = int(value[:4]), int(value[5:7])
        return f"{value}-01", f"{value}-{calendar.monthrange(year, month)[1]:02d}"
    return value, value


def overlaps(a: tuple[str, str], b: tuple[str, str], *, window_days: int = 0) -> bool:
    """Whether two intervals of dates (first, last, any precision) share a day, or come within ``window_days``.

    >>> overlaps(("2022-01", "2022-03-02"), ("2022-03", "2022-05"))
    True
    >>> overlaps(("2021", "2021"), ("2022-01-05", "2022-02"))
    False
    >>> overlaps(("2022-03-01", "2022-03-02"), ("2022-03-03", "2022-03-03"), window_days=14)
    True
    """
    def day(value: str) -> date:
        return date.fromisoformat(value)

    pad = timedelta(days=window_days)
    return (day(date_range(a[0])[0]) <= day(date_range(b[1])[1]) + pad
            and day(date_range(b[0])[0]) <= day(date_range(a[1])[1]) + pad)


def thread_of(report: Report) -> str | None:
    """The thread IRI a precondition report belongs to (None for a position: that needs its neighbours)."""
    if report.kind != "precondition":
        return None
    return CLAIM_BASE + "thread/" + _hash("precondition", report.actor, report.addressee or "", report.action or "")


def _position_groups(reports: list[Report]) -> list[list[Report]]:
    """Connected components of ``same_topic`` among one holder's positions."""
    parent = list(range(len(reports)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index: dict[str, list[int]] = defaultdict(list)
    for i, report in enumerate(reports):
        keys = {"l:" + w for w in topic_lemmas(report.topic or "")} | {"a:" + a for a in topic_actions(report.topic or "")}
        candidates = {j for key in keys for j in index[key]}
        for j in candidates:
            if find(i) != find(j) and same_topic(report.topic or "", reports[j].topic or ""):
                parent[find(i)] = find(j)
        for key in keys:
            index[key].append(i)
    groups: dict[int, list[Report]] = defaultdict(list)
    for i, report in enumerate(reports):
        groups[find(i)].append(report)
    return list(groups.values())


def _order_key(claim: Claim, basis: str):
    first = claim.first(basis)
    return (first is None, first or "", claim.first("reported") or "", claim.iri)


def _change_type(before: Claim, after: Claim) -> str:
    if any(has_withdrawal(r.quote) for r in after.reports):
        return "withdrawn"
    if after.kind == "position":
        return "reversed" if after.stance != before.stance else "reaffirmed"
    old, new = set(before.regions), set(after.regions)
    if new > old or (not new <= old and len(new) > len(old)):
        return "hardened"
    if new < old or (not old <= new and len(new) < len(old)):
        return "softened"
    return "reaffirmed"


def _first_quote(claim: Claim, basis: str) -> str:
    dated = sorted(claim.reports, key=lambda r: (r.time(basis) is None, r.time(basis) or "", r.iri))
    return dated[0].quote


def _last_quote(claim: Claim, basis: str) -> str:
    dated = sorted((r for r in claim.reports if r.time(basis)), key=lambda r: (r.time(basis), r.iri))
    return dated[-1].quote if dated else claim.reports[-1].quote


def _changes(thread: Thread, basis: str) -> list[Change]:
    ordered = sorted((c for c in thread.claims if c.first(basis)), key=lambda c: _order_key(c, basis))
    changes = []
    previous: Claim | None = None
    for claim in ordered:
        kind = "new" if previous is None else _change_type(previous, claim)
        changes.append(Change(f"{thread.iri}/change/{basis}/{len(changes) + 1}", thread.iri, kind,
                              previous.iri if previous else None, claim.iri, claim.first(basis), basis,
                              _first_quote(previous, basis) if previous else None, _first_quote(claim, basis)))
        times = claim.times(basis)
        if len(set(times)) > 1:
            changes.append(Change(f"{thread.iri}/change/{basis}/{len(changes) + 1}", thread.iri, "reaffirmed",
                                  claim.iri, claim.iri, times[-1], basis, _first_quote(claim, basis),
                                  _last_quote(claim, basis)))
        previous = claim
    return changes


def _spans(thread: Thread, basis: str) -> dict[str, tuple[str | None, str | None]]:
    ordered = sorted((c for c in thread.claims if c.first(basis)), key=lambda c: _order_key(c, basis))
    spans = {}
    for i, claim in enumerate(ordered):
        following = ordered[i + 1].first(basis) if i + 1 < len(ordered) else None
        spans[claim.iri] = (claim.first(basis), following or claim.last(basis))
    return spans


def _interval(claim: Claim, basis: str) -> tuple[str, str] | None:
    first, last = claim.first(basis), claim.last(basis)
    return (first, last) if first and last else None


def _contradictions(thread: Thread) -> list[Contradiction]:
    if thread.kind != "position":
        return []
    found = []
    claims = sorted(thread.claims, key=lambda c: c.iri)
    for i, a in enumerate(claims):
        for b in claims[i + 1:]:
            if a.stance == b.stance or set(a.documents) & set(b.documents):
                continue
            if not (set(a.outlets) ^ set(b.outlets)):
                continue
            basis = "said" if _interval(a, "said") and _interval(b, "said") else "reported"
            ia, ib = _interval(a, basis), _interval(b, basis)
            if ia is None or ib is None or not overlaps(ia, ib, window_days=CONTRADICTION_WINDOW_DAYS):
                continue
            later = b if _order_key(b, basis) > _order_key(a, basis) else a
            if any(has_withdrawal(r.quote) for r in later.reports):
                continue
            found.append(Contradiction(f"{thread.iri}/contradiction/{len(found) + 1}", thread.iri, a.iri, b.iri,
                                       tuple(a.outlets), tuple(b.outlets)))
    return found


def _claims(thread_iri: str, reports: list[Report]) -> list[Claim]:
    groups: dict[tuple, list[Report]] = defaultdict(list)
    for report in reports:
        if report.kind == "position":
            key = ("position", report.stance or "")
        else:
            key = ("precondition", *sorted(set(report.regions)), "|", report.outcome or "other")
        groups[key].append(report)
    claims = []
    for key, members in sorted(groups.items()):
        members.sort(key=lambda r: r.iri)
        head = members[0]
        topics = Counter(r.topic for r in members if r.topic)
        claims.append(Claim(
            iri=f"{thread_iri}/claim/{_hash(*key)}", thread=thread_iri, kind=head.kind, actor=head.actor,
            stance=head.stance, topic=min(topics, key=lambda t: (-topics[t], t)) if topics else None,
            topics=tuple(sorted(topics)), addressee=head.addressee, action=head.action, outcome=head.outcome,
            regions=tuple(sorted(set(head.regions))), reports=members))
    return claims


def _thread(iri: str, reports: list[Report]) -> Thread:
    head = min(reports, key=lambda r: r.iri)
    claims = _claims(iri, reports)
    if head.kind == "position":
        topics = Counter(r.topic for r in reports if r.topic)
        key = min(topics, key=lambda t: (-topics[t], t)) if topics else ""
    else:
        key = f"{head.action}"
    thread = Thread(iri, head.kind, head.actor, key, head.addressee if head.kind == "precondition" else None,
                    head.action, claims)
    for basis in TIME_BASES:
        thread.changes.extend(_changes(thread, basis))
    thread.spans = {f"{claim}|{basis}": span for basis in TIME_BASES for claim, span in _spans(thread, basis).items()}
    thread.contradictions = _contradictions(thread)
    return thread


def build_threads(reports: Iterable[Report]) -> ClaimLayer:
    """Group ``reports`` into threads of claims, with their changes and contradictions.

    Parameters
    ----------
    reports : iterable of Report
        Positions and preconditions, each as one document reports it.

    Returns
    -------
    ClaimLayer
        Threads keyed by IRI. The result depends only on the set of reports,
        not on their order.

    Examples
    --------
    >>> a = Report("d1/p1", "position", "Russia", "d1", "tass.ru", "...", "2022-03-01", "2022-03-02",
    ...            stance="supports", topic="peace negotiations")
    >>> b = Report("d2/p1", "position", "Russia", "d2", "bbc.co.uk", "...", None, "2022-03-03",
    ...            stance="supports", topic="negotiations with Kyiv")
    >>> layer = build_threads([a, b])
    >>> [(len(c.documents), c.outlets, c.first("said"), c.first("reported")) for c in layer.claims]
    [(2, ['bbc.co.uk', 'tass.ru'], '2022-03-01', '2022-03-02')]
    """
    by_holder: dict[str, list[Report]] = defaultdict(list)
    by_thread: dict[str, list[Report]] = defaultdict(list)
    for report in reports:
        if report.kind == "position":
            by_holder[report.actor].append(report)
        else:
            by_thread[thread_of(report)].append(report)
    for holder, items in by_holder.items():
        items.sort(key=lambda r: r.iri)
        for group in _position_groups(items):
            by_thread[CLAIM_BASE + "thread/" + _hash("position", holder, min(r.iri for r in group))].extend(group)
    layer = ClaimLayer()
    for iri in sorted(by_thread):
        layer.threads[iri] = _thread(iri, by_thread[iri])
    return layer
