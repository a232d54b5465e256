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

from kg.claims.model import Change, Claim, ClaimLayer, ClaimSummary, Contradiction, Report, TIME_BASES, Thread
from kg.claims.topics import same_topic, topic_actions, topic_lemmas
from kg.namespaces import ID

__all__ = ["build_threads", "thread_of", "date_range", "overlaps", "CLAIM_BASE", "CONTRADICTION_WINDOW_DAYS",
           "claim_key", "claim_iri", "new_claim", "finish_thread", "shared_documents", "position_thread_iri",
           "position_groups", "thread_key", "topic_keys"]

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


def position_groups(reports: list[Report]) -> list[list[Report]]:
    """Connected components of ``same_topic`` among one holder's positions.

    Equivalence is a function of the two topic strings, so it is tested once per
    pair of distinct wordings; the reports of a wording that is not equivalent to
    itself (no content lemma, no action) are each a group of their own.
    """
    wordings = sorted({r.topic or "" for r in reports})
    parent = list(range(len(wordings)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    index: dict[str, list[int]] = defaultdict(list)
    for i, topic in enumerate(wordings):
        keys = topic_keys(topic)
        for j in {j for key in keys for j in index[key]}:
            if find(i) != find(j) and same_topic(topic, wordings[j]):
                parent[find(i)] = find(j)
        for key in keys:
            index[key].append(i)
    position = {topic: i for i, topic in enumerate(wordings)}
    groups: dict[object, list[Report]] = defaultdict(list)
    for report in reports:
        topic = report.topic or ""
        root = find(position[topic])
        groups[root if same_topic(topic, topic) else ("alone", report.iri)].append(report)
    return list(groups.values())


def topic_keys(topic: str) -> set[str]:
    """The lemmas and action codes of ``topic``: two topics can be equivalent only if they share one."""
    return {"l:" + w for w in topic_lemmas(topic)} | {"a:" + a for a in topic_actions(topic)}


def _order_key(claim: Claim, basis: str):
    first = claim.totals.first(basis)
    return (first is None, first or "", claim.totals.first("reported") or "", claim.iri)


def _change_type(before: Claim, after: Claim) -> str:
    if after.totals.withdrawn:
        return "withdrawn"
    if after.kind == "position":
        return "reversed" if after.stance != before.stance else "reaffirmed"
    old, new = set(before.regions), set(after.regions)
    if new > old or (not new <= old and len(new) > len(old)):
        return "hardened"
    if new < old or (not old <= new and len(new) < len(old)):
        return "softened"
    return "reaffirmed"


def _ordered(thread: Thread, basis: str) -> list[Claim]:
    return sorted((c for c in thread.claims if c.totals.first(basis)), key=lambda c: _order_key(c, basis))


def _changes(thread: Thread, basis: str) -> list[Change]:
    changes = []
    previous: Claim | None = None
    for claim in _ordered(thread, basis):
        kind = "new" if previous is None else _change_type(previous, claim)
        summary = claim.totals
        changes.append(Change(f"{thread.iri}/change/{basis}/{len(changes) + 1}", thread.iri, kind,
                              previous.iri if previous else None, claim.iri, summary.first(basis), basis,
                              previous.totals.first_quote[basis] if previous else None,
                              summary.first_quote[basis]))
        if summary.first(basis) != summary.last(basis):
            changes.append(Change(f"{thread.iri}/change/{basis}/{len(changes) + 1}", thread.iri, "reaffirmed",
                                  claim.iri, claim.iri, summary.last(basis), basis, summary.first_quote[basis],
                                  summary.last_quote[basis]))
        previous = claim
    return changes


def _spans(thread: Thread, basis: str) -> dict[str, tuple[str | None, str | None]]:
    ordered = _ordered(thread, basis)
    spans = {}
    for i, claim in enumerate(ordered):
        following = ordered[i + 1].totals.first(basis) if i + 1 < len(ordered) else None
        spans[claim.iri] = (claim.totals.first(basis), following or claim.totals.last(basis))
    return spans


def _interval(claim: Claim, basis: str) -> tuple[str, str] | None:
    first, last = claim.totals.first(basis), claim.totals.last(basis)
    return (first, last) if first and last else None


def shared_documents(claims: list[Claim]) -> set[tuple[str, str]]:
    """The pairs of ``claims`` (IRIs, in order) that some document reports both of."""
    by_document: dict[str, set[str]] = defaultdict(set)
    for claim in claims:
        for report in claim.reports:
            by_document[report.document].add(claim.iri)
    return {(a, b) for iris in by_document.values() for a in iris for b in iris if a < b}


def _contradictions(thread: Thread) -> list[Contradiction]:
    if thread.kind != "position":
        return []
    found = []
    claims = sorted(thread.claims, key=lambda c: c.iri)
    for i, a in enumerate(claims):
        for b in claims[i + 1:]:
            if a.stance == b.stance or (a.iri, b.iri) in thread.shared:
                continue
            if not (set(a.totals.outlets) ^ set(b.totals.outlets)):
                continue
            basis = "said" if _interval(a, "said") and _interval(b, "said") else "reported"
            ia, ib = _interval(a, basis), _interval(b, basis)
            if ia is None or ib is None or not overlaps(ia, ib, window_days=CONTRADICTION_WINDOW_DAYS):
                continue
            later = b if _order_key(b, basis) > _order_key(a, basis) else a
            if later.totals.withdrawn:
                continue
            found.append(Contradiction(f"{thread.iri}/contradiction/{len(found) + 1}", thread.iri, a.iri, b.iri,
                                       tuple(a.totals.outlets), tuple(b.totals.outlets)))
    return found


def claim_key(report: Report) -> tuple:
    """What makes reports of one thread one claim: a position's stance; a precondition's regions and outcome."""
    if report.kind == "position":
        return ("position", report.stance or "")
    return ("precondition", *sorted(set(report.regions)), "|", report.outcome or "other")


def claim_iri(thread_iri: str, key: tuple) -> str:
    return f"{thread_iri}/claim/{_hash(*key)}"


def new_claim(thread_iri: str, summary: ClaimSummary, reports: list[Report]) -> Claim:
    """A claim of ``thread_iri`` with its ``summary`` (of all its reports) and ``reports`` (all, or the new ones)."""
    kind, actor, stance, addressee, action, outcome, regions = summary.what
    claim = Claim(iri="", thread=thread_iri, kind=kind, actor=actor, stance=stance, topic=summary.topic,
                  topics=tuple(t for t, _ in summary.topics), addressee=addressee, action=action, outcome=outcome,
                  regions=tuple(regions), reports=reports, totals=summary)
    claim.iri = claim_iri(thread_iri, _claim_order(claim))
    return claim


def _claims(thread_iri: str, reports: list[Report]) -> list[Claim]:
    groups: dict[tuple, list[Report]] = defaultdict(list)
    for report in reports:
        groups[claim_key(report)].append(report)
    claims = []
    for key, members in sorted(groups.items()):
        members.sort(key=lambda r: r.iri)
        claims.append(new_claim(thread_iri, ClaimSummary.of(members), members))
    return claims


def thread_key(kind: str, action: str | None, claims: list[Claim]) -> str:
    """A thread's readable key: its most reported topic wording (positions), its action code (preconditions)."""
    if kind != "position":
        return f"{action}"
    topics: Counter = Counter()
    for claim in claims:
        topics.update(dict(claim.totals.topics))
    return min(topics, key=lambda t: (-topics[t], t)) if topics else ""


def _claim_order(claim: Claim) -> tuple:
    if claim.kind == "position":
        return ("position", claim.stance or "")
    return ("precondition", *claim.regions, "|", claim.outcome or "other")


def finish_thread(thread: Thread) -> Thread:
    """Fill in ``thread``'s key, changes, spans and contradictions from its claims' summaries and ``shared``."""
    thread.claims.sort(key=_claim_order)
    thread.key = thread_key(thread.kind, thread.action, thread.claims)
    thread.changes = [change for basis in TIME_BASES for change in _changes(thread, basis)]
    thread.spans = {f"{claim}|{basis}": span for basis in TIME_BASES for claim, span in _spans(thread, basis).items()}
    thread.contradictions = _contradictions(thread)
    return thread


def _thread(iri: str, reports: list[Report]) -> Thread:
    head = min(reports, key=lambda r: r.iri)
    claims = _claims(iri, reports)
    thread = Thread(iri, head.kind, head.actor, "", head.addressee if head.kind == "precondition" else None,
                    head.action, claims, shared=shared_documents(claims))
    return finish_thread(thread)


def position_thread_iri(holder: str, head: str) -> str:
    """The IRI of the position thread of ``holder`` whose least report IRI is ``head``."""
    return CLAIM_BASE + "thread/" + _hash("position", holder, head)


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
        for group in position_groups(items):
            by_thread[position_thread_iri(holder, min(r.iri for r in group))].extend(group)
    layer = ClaimLayer()
    for iri in sorted(by_thread):
        layer.threads[iri] = _thread(iri, by_thread[iri])
    return layer
