"""When a statement was said: date expressions resolved against the publication date.

Two levels:

- :func:`resolve_date` gives one date expression its value (``YYYY-MM-DD``, ``YYYY-MM`` or
  ``YYYY``, the finest the expression allows), or None when the text cannot place it.
- :func:`said_times` gives every sentence of a document its *said-time*: the date the text
  attaches to the act of saying in it (or, with no act of saying, to its main event), else the
  date of the occasion that frames it (a readout's "spoke today with", a meeting "late tonight"),
  else the release date of a statement document speaking in its own voice, else nothing, said
  explicitly (``how == "unresolved"``): never the publication date by default.

The word lists (month names, day words, periods, occasions) are ``ontology/lexicon/dates.csv``.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import dateparser

from kg.extract.context import ents_in, subject_span
from kg.extract.lexicon import mapping, words

__all__ = ["resolve_date", "date_expressions", "SaidTime", "said_times", "own_date", "said_for"]

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ABBREVIATIONS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
                  "oct": 10, "nov": 11, "dec": 12}
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_LEADING = re.compile(r"^(?:on|in|since|from|by|until|as of|during|at|of|for|the)\s+")
_PART_OF_DAY = r"(?:\s+(?:morning|afternoon|evening|night))?"


@functools.lru_cache(maxsize=1)
def _lists():
    months = {name: n for n, name in enumerate(sorted(words("months"), key=_month_order), start=1)}
    months.update(_ABBREVIATIONS)
    offsets = {k: int(v) for k, v in mapping("day_offsets").items()}
    periods = {}
    for k, v in mapping("periods").items():
        unit, shift = v.split(",")
        periods[k] = (unit.strip(), int(shift))
    return months, offsets, periods


def _month_order(name: str) -> int:
    return [m.lower() for m in calendar.month_name].index(name)


@dataclass(frozen=True)
class _Published:
    year: int
    month: int | None
    day: int | None

    @classmethod
    def parse(cls, published: str | None) -> "_Published | None":
        if not published:
            return None
        m = re.fullmatch(r"(\d{4})(?:-(\d\d)(?:-(\d\d))?)?", published.strip()[:10])
        if not m:
            return None
        return cls(int(m.group(1)), int(m.group(2)) if m.group(2) else None, int(m.group(3)) if m.group(3) else None)

    @property
    def date(self) -> date | None:
        return date(self.year, self.month, self.day) if self.day else None

    def text(self) -> str:
        return "-".join([f"{self.year:04d}"] + [f"{p:02d}" for p in (self.month, self.day) if p])


def _span_value(start: date, end: date) -> str | None:
    """The finest value that holds the whole interval: the day, its month, its year."""
    if start == end:
        return start.isoformat()
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.year:04d}-{start.month:02d}"
    if start.year == end.year:
        return f"{start.year:04d}"
    return None


def resolve_date(text: str, published: str | None) -> str | None:
    """``YYYY-MM-DD`` (or ``YYYY-MM``, ``YYYY``) for a date expression, or None.

    Relative expressions need the publication date: "today", "late tonight", "yesterday"; a bare
    weekday is the most recent such day on or before publication (the same day when it is the
    paper's own weekday), "last Monday" the one before; "last week", "earlier this month",
    "last year" are the week's month (when the week lies in one), the month, the year. A date
    without a year ("on June 14", "in March") is the latest one not after publication. A range
    ("between May 3 and May 5, 2023") is the finest unit that holds it. Without a publication
    date the relative ones give None rather than a guess, and so does a day word against a
    publication known only to the year (except "today" itself: that year).

    >>> resolve_date("on June 14", "2024-06-20"), resolve_date("on Friday", "2024-06-16")
    ('2024-06-14', '2024-06-14')
    >>> resolve_date("Monday", "2021-03-01"), resolve_date("last week", "2024-06-20")
    ('2021-03-01', '2024-06')
    >>> resolve_date("in March 2022", None), resolve_date("on June 14", None) is None
    ('2022-03', True)
    """
    months, offsets, periods = _lists()
    lowered = re.sub(r"\s+", " ", text.lower().replace("\u2019", "'")).strip(" ,.;:")
    lowered = re.sub(r"'s$", "", lowered)
    while True:
        stripped = _LEADING.sub("", lowered)
        if stripped == lowered:
            break
        lowered = stripped
    pub = _Published.parse(published)
    ranged = _range(lowered, published)
    if ranged is not None:
        return ranged or None
    if lowered in offsets:
        if pub is None:
            return None
        if pub.date is None:
            return pub.text() if offsets[lowered] == 0 else None
        return (pub.date + timedelta(days=offsets[lowered])).isoformat()
    weekday = re.fullmatch(rf"(?:(last|this past|past|next|this|early|late)\s+)?({'|'.join(_WEEKDAYS)})"
                           rf"{_PART_OF_DAY}", lowered)
    if weekday:
        if pub is None or pub.date is None:
            return None
        back = (pub.date.weekday() - _WEEKDAYS.index(weekday.group(2))) % 7
        if weekday.group(1) in ("last", "this past", "past") and back == 0:
            back = 7
        if weekday.group(1) == "next":
            return (pub.date + timedelta(days=(7 - back) % 7 or 7)).isoformat()
        return (pub.date - timedelta(days=back)).isoformat()
    if lowered in periods:
        return _period(*periods[lowered], pub)
    ago = re.fullmatch(r"(a|one|two|three|four|five|six|\d+) (day|week)s? ago", lowered)
    if ago:
        if pub is None or pub.date is None:
            return None
        n = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}.get(ago.group(1))
        n = n if n is not None else int(ago.group(1))
        return (pub.date - timedelta(days=n * (7 if ago.group(2) == "week" else 1))).isoformat()
    return _absolute(lowered, pub, months)


def _period(unit: str, shift: int, pub: _Published | None) -> str | None:
    if pub is None:
        return None
    if unit == "year":
        return f"{pub.year + shift:04d}"
    if unit == "month":
        if pub.month is None:
            return None
        index = pub.year * 12 + pub.month - 1 + shift
        return f"{index // 12:04d}-{index % 12 + 1:02d}"
    if pub.date is None:
        return None
    start = pub.date - timedelta(days=pub.date.weekday()) + timedelta(days=7 * shift)
    return _span_value(start, start + timedelta(days=6))


def _absolute(lowered: str, pub: _Published | None, months: dict[str, int]) -> str | None:
    month = "|".join(sorted((re.escape(m) for m in months), key=len, reverse=True))
    iso = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", lowered)
    if iso:
        return _valid(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    m = (re.fullmatch(rf"(?P<month>{month})\.? (?P<day>{_DAY})(?:,? (?P<year>{_YEAR}))?", lowered)
         or re.fullmatch(rf"(?P<day>{_DAY}) (?:of )?(?P<month>{month})\.?(?:,? (?P<year>{_YEAR}))?", lowered))
    if m:
        day = int(re.match(r"\d+", m.group("day")).group(0))
        return _dated(months[m.group("month")], day, m.group("year"), pub)
    m = re.fullmatch(rf"(?:(?:early|mid|late|the end of|the beginning of|the middle of)[- ]?)?(?P<month>{month})\.?"
                     rf"(?:,? (?:of )?(?P<year>{_YEAR}))?", lowered)
    if m:
        return _dated(months[m.group("month")], None, m.group("year"), pub)
    m = re.fullmatch(rf"(?:(?:early|mid|late)[- ]?)?(?:the year )?({_YEAR})", lowered)
    if m:
        return m.group(1)
    if not re.search(rf"\b(?:{month}|{_YEAR})\b", lowered):
        return None
    # anything else with a month or a year ("Feb. 21st, 2022"): the date parser, against publication
    settings = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False, "REQUIRE_PARTS": ["year"]}
    if re.search(_YEAR, lowered) is None:
        if pub is None or pub.date is None:
            return None
        settings = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False,
                    "RELATIVE_BASE": datetime(pub.year, pub.month, pub.day)}
    parsed = dateparser.parse(lowered, languages=["en"], settings=settings)
    if parsed is None:
        return None
    has_day = re.search(r"\b\d{1,2}(?:st|nd|rd|th)?\b", re.sub(_YEAR, "", lowered)) is not None
    return parsed.strftime("%Y-%m-%d" if has_day else "%Y-%m")


def _valid(year: int, month: int, day: int | None) -> str | None:
    try:
        return date(year, month, day).isoformat() if day else f"{year:04d}-{month:02d}"
    except ValueError:
        return None


def _dated(month: int, day: int | None, year: str | None, pub: _Published | None) -> str | None:
    """A month (and day) with its year, or the latest such not after publication."""
    if year:
        return _valid(int(year), month, day)
    if pub is None or pub.month is None:
        return None
    y = pub.year
    if (month, day or 0) > (pub.month, pub.day or 31):
        y -= 1
    return _valid(y, month, day)


def _range(lowered: str, published: str | None) -> str | None:
    """A range's value ("between May 3 and May 5, 2023", "from March to June 2022", "May 3-5"):
    '' when it is a range that cannot be placed, None when it is not a range."""
    m = (re.fullmatch(r"between (.+?) and (.+)", lowered) or re.fullmatch(r"from (.+?) (?:to|until|through) (.+)", lowered)
         or re.fullmatch(r"(.+?) (?:-|–|to|through|until) (.+)", lowered))
    dash = re.fullmatch(rf"([a-z]+\.? )({_DAY})\s?[-–]\s?({_DAY})(,? {_YEAR})?", lowered)
    if dash:
        first, last = dash.group(1) + dash.group(2), dash.group(1) + dash.group(3)
        year = dash.group(4) or ""
    elif m:
        first, last = m.group(1), m.group(2)
        year = ""
    else:
        return None
    end = resolve_date(last + year, published)
    tail = re.search(rf",? ({_YEAR})$", last + year)
    start = resolve_date(first + (f", {tail.group(1)}" if tail and not re.search(_YEAR, first) else ""), published)
    if not start or not end:
        return "" if (start or end) else None
    lo, hi = _bounds(start), _bounds(end)
    if lo is None or hi is None:
        return ""
    return _span_value(lo[0], hi[1]) or ""


def _bounds(value: str) -> tuple[date, date] | None:
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        d = date(*parts)
        return d, d
    if len(parts) == 2:
        return date(parts[0], parts[1], 1), date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return date(parts[0], 1, 1), date(parts[0], 12, 31)


@functools.lru_cache(maxsize=1)
def _pattern() -> re.Pattern:
    months, offsets, periods = _lists()
    month = "|".join(sorted((re.escape(m) for m in months), key=len, reverse=True))
    month = rf"(?:{month})\.?"
    phrases = "|".join(sorted((re.escape(p) for p in [*offsets, *periods]), key=len, reverse=True))
    weekday = rf"(?:(?:last|this past|next)\s+)?(?:{'|'.join(_WEEKDAYS)}){_PART_OF_DAY}"
    day = _DAY
    forms = [
        rf"between\s+{month}\s+{day}\s+and\s+(?:{month}\s+)?{day}(?:,?\s+{_YEAR})?",
        rf"{month}\s+{day}\s?[-–]\s?{day}(?:,?\s+{_YEAR})?",
        rf"{month}\s+{day}(?:,?\s+{_YEAR})?",            # June 14, June 14, 2022
        rf"{day}\s+{month}(?:,?\s+{_YEAR})?",              # 14 June 2022
        rf"(?:(?:early|mid|late)[- ])?{month}\s+(?:of\s+)?{_YEAR}",  # March 2022
        rf"(?:in|since|during|by|until|early|mid-|late)\s+{month}(?!\s+\d)",  # in March
        rf"(?:{phrases})",
        rf"{weekday}",
        r"(?:a|one|two|three|four|five|six|\d+)\s+(?:day|week)s?\s+ago",
        rf"(?:in|since|during|by|until)\s+{_YEAR}",         # in 2022
    ]
    return re.compile(r"\b(?:" + "|".join(forms) + r")\b", re.IGNORECASE)


def date_expressions(text: str) -> list[tuple[int, int, str]]:
    """The date expressions of ``text`` as (start, end, text), in order; "may" only as the
    capitalised month.

    >>> [e[2] for e in date_expressions("Between May 3 and May 5, 2023, and again last week, in 2021, it may rain")]
    ['Between May 3 and May 5, 2023', 'last week', 'in 2021']
    """
    found = []
    for m in _pattern().finditer(text):
        if re.search(r"\bmay\b", m.group(0)) and not re.search(r"\bMay\b", m.group(0)):
            continue
        found.append((m.start(), m.end(), m.group(0)))
    return found


# --- the said-time of sentences ------------------------------------------------------------

@dataclass(frozen=True)
class SaidTime:
    """A sentence's said-time and how it was found: ``adjunct`` (a date attached to its act of
    saying or main event), ``frame`` (the date of the occasion a sentence before it opened),
    ``release`` (a statement document's own words, said when it was released) or
    ``unresolved`` (``value`` None: the text does not place it)."""

    value: str | None
    how: str
    speakers: frozenset = frozenset()
    """The actors (political keys) whose saying or act it dates; empty when the text names none."""


UNRESOLVED = SaidTime(None, "unresolved")

_CLAUSES = {"ccomp", "advcl", "relcl", "acl", "xcomp", "csubj", "pcomp", "parataxis", "conj", "appos"}
"""Dependencies by which a verb heads a clause of its own: a date inside it is that clause's."""
_NOUN_MODIFIER = {"compound", "nummod", "amod", "poss", "nmod", "det"}


@functools.lru_cache(maxsize=1)
def _said_words():
    return (words("event_nouns"), words("open_occasions"), words("framing_verbs"), words("speech_verbs"),
            frozenset(_WEEKDAYS) | frozenset(mapping("day_offsets")))


def _candidates(span) -> list:
    """The date phrases of a sentence (token spans): the date patterns, and the parser's DATE
    entities they do not cover."""
    doc = span.doc
    found = []
    for start, end, _ in date_expressions(span.text):
        s = doc.char_span(span.start_char + start, span.start_char + end, alignment_mode="expand")
        if s is not None:
            found.append(s)
    for ent in ents_in(span):
        if ent.label_ == "DATE" and not any(f.start < ent.end and ent.start < f.end for f in found):
            found.append(ent)
    return sorted(found, key=lambda s: s.start)


def _attached(span, anchors: set[int]) -> tuple[bool, str | None]:
    """Does the date phrase ``span`` date the clause of ``anchors`` (a verb and its conjuncts)?
    And through which occasion noun ("meeting"), if any.

    A date attached to the verb (an adverbial "on Monday", "yesterday", "late tonight"), or to
    an occasion the verb is at ("at a closed session early this morning"), or to a participle of
    saying before it ("Speaking today, ..."), dates it. One inside a noun phrase ("the 1899
    award", "last year's elections", "declarations of independence in 2014") or a clause of its
    own (what is said: "said the decree followed declarations in 2014"; "a plan to be unveiled
    later this week") does not."""
    event_nouns, _open, framing, speech, day_words = _said_words()
    inside = range(span.start, span.end)
    t = span.root
    occasion = None
    if t.dep_ in _NOUN_MODIFIER and t.head.pos_ in ("NOUN", "PROPN") and t.head.i not in inside:
        subject = t.head
        # "Chile Tuesday renewed its offer": a day word next to the subject is the verb's
        if span.text.lower() in day_words and subject.dep_ in ("nsubj", "nsubjpass") and subject.head.i in anchors:
            return True, None
        return False, None
    for _ in range(10):
        if t.i in anchors:
            return True, occasion
        head = t.head
        if head.i == t.i:
            return False, None
        if t.i not in inside and t.pos_ in ("VERB", "AUX") and t.dep_ in _CLAUSES:
            if not (t.dep_ in ("advcl", "conj") and t.lemma_.lower() in framing | speech and head.i in anchors):
                return False, None
        if head.pos_ in ("NOUN", "PROPN") and head.i not in inside:
            if head.lemma_.lower() in event_nouns and t.dep_ in ("prep", "npadvmod", "advmod", "amod", "nummod",
                                                                   "compound", "pobj", "appos"):
                occasion = head.lemma_.lower()
            else:
                return False, None
        t = head
    return False, None


def _anchors(verb) -> set[int]:
    """The verb and the verbs coordinated with it ("responded Sunday ..., but said")."""
    out = {verb.i}
    head = verb
    while head.dep_ == "conj" and head.head.i != head.i:
        head = head.head
        out.add(head.i)
    stack = [head]
    while stack:
        v = stack.pop()
        for c in v.children:
            if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX") and c.i not in out:
                out.add(c.i)
                stack.append(c)
    return out


def own_date(sent, published: str | None, verbs=()) -> tuple[str | None, str | None]:
    """The date the sentence attaches to one of ``verbs`` (its acts of saying), else to its main
    verb, and the occasion noun it came through; (None, None) when it gives none."""
    start = _dateline(sent.text)[1]
    candidates = [c for c in _candidates(sent) if c.start_char - sent.start_char >= start]
    if not candidates:
        return None, None
    roots = [t for t in sent if t.dep_ == "ROOT"]
    for verb in [*verbs, *roots]:
        anchors = _anchors(verb)
        for span in candidates:
            ok, occasion = _attached(span, anchors)
            if ok:
                value = resolve_date(span.text, published)
                if value:
                    return value, occasion
    return None, None


_DASHES = r"(?:—|–|--| - )"


def _dateline(text: str) -> tuple[str | None, int]:
    """A dateline at the head of a sentence ("March 10, 2023 — ...", "OSLO, May 2 (Agency) -"):
    its date expression and where the body begins; (None, 0) when there is none. A dateline
    dates the report, not the statement, but is what relative days are counted from."""
    m = re.match(rf"\s*(?:[A-Z][A-Za-z .'-]{{1,40}},\s*)?(?P<date>[^—–()]{{3,40}}?)\s*(?:\([^)]{{1,40}}\)\s*)?{_DASHES}\s*",
                 text)
    if not m:
        return None, 0
    found = date_expressions(m.group("date"))
    if not found or found[0][0] != 0 or found[0][1] != len(m.group("date").strip()):
        return None, 0
    return m.group("date").strip(), m.end()


def _background(sent) -> bool:
    """Is the sentence's main verb (or one coordinated with it) in the past or present perfect
    ("Lima had counted on a truce", "the leader has indicated since taking office that ..."):
    a background the report recalls over a span, not what is said on the occasion?"""
    for root in (t for t in sent if t.dep_ == "ROOT"):
        for verb in (root, *(c for c in root.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX"))):
            if verb.tag_ == "VBN" and any(c.dep_ == "aux" and c.lower_ in ("had", "has", "have", "'d", "'s", "'ve")
                                          for c in verb.children):
                return True
    return False


def _heading(sentence, following) -> bool:
    """A line that is a heading: the last sentence of its paragraph, with no closing punctuation."""
    text = sentence.span.text.strip()
    last_of_paragraph = following is None or following.paragraph != sentence.paragraph
    return last_of_paragraph and not re.search(r"[.!?:;\"'”’)\]]$", text)


def said_times(sents, said, voices: dict[int, str], entities, published: str | None,
               author: str | None = None) -> list[SaidTime]:
    """The said-time of every sentence of a document, in order (see :class:`SaidTime`).

    ``said`` are the document's statements (:class:`kg.extract.statements.Said`), ``voices``
    sentence position -> the actor whose statement it continues, ``author`` the actor the
    whole document is attributed to ("Statement from ...", "attributable to ...").

    The date of an occasion of saying (a statement or a verb like "spoke", "met", "delivered"
    with a date: "Secretary X spoke today with ..."; "On Wednesday, Y announced ...") frames the
    sentences after it: those of the same speaker's report with no date of their own are said
    then. An occasion where many speak (a meeting, a session) frames every speaker's statements
    after it (a sentence with a verb of saying or a first-person subject, and the sentences that
    continue their paragraph), and so does a call between parties ("spoke today with X") or a
    briefing whose speaker the text does not name. A heading ends the frame; a sentence in the
    past or present perfect (a background) takes none. A statement document's own words are said
    when it is released (its publication day).
    """
    _event, open_occasions, framing, _speech, _days = _said_words()
    by_sentence: dict[int, list] = {}
    for s in said:
        by_sentence.setdefault(s.sentence.index, []).append(s)
    for sentence in sents[:4]:  # a dateline: the day relative dates count from when the document gives none
        line, _ = _dateline(sentence.span.text)
        known = _Published.parse(published)
        value = resolve_date(line, published) if line else None
        if value and len(value) == 10 and (known is None or known.day is None):
            published = value
            break
    released = _Published.parse(published)
    release = SaidTime(released.text(), "release") if released and released.day and author else None
    author_voice = entities.political(author) if author else None
    out: list[SaidTime] = []
    frame: tuple[str, frozenset | None] | None = None  # (value, speakers; None: every speaker)
    framed_paragraph = -1  # the paragraph of the last sentence the frame dated: its continuation
    for position, sentence in enumerate(sents):
        following = sents[position + 1] if position + 1 < len(sents) else None
        if _heading(sentence, following):
            frame = None
            out.append(UNRESOLVED)
            continue
        statements = by_sentence.get(sentence.index, [])
        speakers = {entities.political(s.speaker) for s in statements}
        if position in voices:
            speakers.add(voices[position])
        elif author_voice is not None and not statements:
            speakers.add(author_voice)  # a statement document speaks for its author throughout
        value, occasion = own_date(sentence.span, published, [s.verb for s in statements])
        if value:
            roots = [t for t in sentence.span if t.dep_ == "ROOT"]
            acting = set(speakers)
            for root in roots:
                span = subject_span(root)
                if span:
                    acting |= {entities.political(m.key) for m in entities.actors_in(*span)}
            out.append(SaidTime(value, "adjunct", frozenset(acting)))
            frames = statements or occasion or any(t.lemma_.lower() in framing | _speech for t in roots)
            if frames:
                opened = (occasion in open_occasions or not speakers
                          or any(t.lemma_.lower() in open_occasions for t in roots)
                          or any(t.lemma_.lower() in framing and t.pos_ == "VERB"
                                 and any(w.lower_ == "with" for w in t.doc[t.i + 1:min(t.i + 6, sentence.end)])
                                 for t in sentence.span))  # "spoke today by phone with X": a call, both speak
                frame = (value, None if opened else frozenset(speakers))
                framed_paragraph = sentence.paragraph
            continue
        if frame is not None and not _background(sentence.span):
            speaking = speakers or any(t.lemma_.lower() in _speech and t.pos_ == "VERB"
                                       or t.dep_ in ("nsubj", "nsubjpass") and t.lower_ in ("i", "we")
                                       for t in sentence.span)  # "we believe": someone speaking at it
            if frame[1] is None and (speaking or sentence.paragraph == framed_paragraph) or (
                    frame[1] is not None and speakers & frame[1]):
                # an occasion where several speak dates whoever is reported at it
                out.append(SaidTime(frame[0], "frame", frozenset(speakers) if frame[1] is not None else frozenset()))
                framed_paragraph = sentence.paragraph
                continue
        if release is not None and author_voice in speakers and not _background(sentence.span):
            out.append(SaidTime(release.value, release.how, frozenset(speakers)))
            continue
        out.append(UNRESOLVED)
    return out


def said_for(time: SaidTime, holder: str, entities) -> SaidTime:
    """The said-time of an assertion of ``holder`` (an entity key) in a sentence whose said-time
    is ``time``: the same, unless the sentence dates other actors' saying and the holder is a
    third party it reports ("The minister noted our response to Russia's decision to recognize
    ...": Russia's decision is not dated by the minister's call), which the text does not date.
    Only actors the reference knows are compared (a speaker of unknown affiliation may speak
    for the holder)."""
    if time.value is None or not time.speakers:
        return time
    mine = entities.political(holder)
    if mine in time.speakers:
        return time
    records = [entities.records.get(k) for k in (mine, *time.speakers)]
    if all(r is not None and r.linked and not r.is_person for r in records):
        return UNRESOLVED
    return time
