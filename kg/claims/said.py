"""When an assertion was said, as opposed to when it was reported.

An assertion's *said-time* is, in this order:

1. the date of the statement it was stated in (``pol:statedIn``), when the
   extractor resolved one;
2. the date of a statement of the same document whose sentence overlaps the
   assertion's sentence;
3. the first date expression of the assertion's own quote ("on June 14",
   "last week", "in March 2022", "between May 3 and May 5": its start),
   resolved against the publication date by :func:`kg.extract.dates.resolve_date`;
   a bare weekday that is the publication's own weekday ("Iran Monday repeated
   its call", in Monday's paper) is that day, as news reports date the day's events;
4. otherwise none: the text does not place it, and the layer says so
   (``pol:saidUnplaced``), never falling back to the publication date.

The month names and relative words are the lists of ``ontology/lexicon/dates.csv``.
"""

from __future__ import annotations

import functools
import re



def resolve_date(*args, **kwargs):
    """:func:`kg.extract.dates.resolve_date`, imported on first use (commands that only
    read the claim layer load no extraction code)."""
    from kg.extract.dates import resolve_date as resolve

    return resolve(*args, **kwargs)


def words(name: str):
    """A word list of ``ontology/lexicon/``, loaded on first use."""
    from kg.extract.lexicon import words as read

    return read(name)

__all__ = ["date_expressions", "said_time", "SaidSource"]

SaidSource = str  # "statement" | "overlapping statement" | "quote" | "unplaced"


@functools.lru_cache(maxsize=1)
def _pattern() -> re.Pattern:
    months = "|".join(sorted((re.escape(m) for m in words("months")), key=len, reverse=True))
    months_abbr = "|".join(sorted({re.escape(m[:3]) + r"\.?" for m in words("months")}, key=len, reverse=True))
    month = rf"(?:{months}|{months_abbr})"
    relative = "|".join(sorted((re.escape(r) for r in words("relative")), key=len, reverse=True))
    day = r"\d{1,2}(?:st|nd|rd|th)?"
    year = r"(?:1[89]\d\d|20\d\d)"
    forms = [
        rf"{month}\s+{day}(?:,?\s+{year})?",          # June 14, June 14, 2022
        rf"{day}\s+{month}(?:\s+{year})?",            # 14 June 2022
        rf"{month}\s+(?:of\s+)?{year}",               # March 2022
        rf"(?:last|this|next)\s+(?:week|month|year)",
        rf"(?:{relative})",
        rf"(?:in|since|during)\s+{year}",            # in 2022
    ]
    return re.compile(r"\b(?:" + "|".join(forms) + r")\b", re.IGNORECASE)


def date_expressions(text: str) -> list[str]:
    """The date expressions of ``text``, in order.

    >>> date_expressions("Between May 3 and May 5, 2023, and again last week, in 2021")
    ['May 3', 'May 5, 2023', 'last week', 'in 2021']
    """
    return [m.group(0) for m in _pattern().finditer(text)]


def said_time(quote: str, published: str | None) -> str | None:
    """The said-time the quote itself gives (its first date expression that resolves), or None.

    >>> said_time("Lavrov said on June 14 that talks were possible.", "2024-06-20")
    '2024-06-14'
    >>> said_time("Talks resumed in March 2022, officials said.", "2022-04-01")
    '2022-03'
    >>> said_time("Lavrov said that talks were possible.", "2024-06-20") is None
    True
    """
    expressions = date_expressions(quote)
    for i, expr in enumerate(expressions):
        # a range "between May 3 and May 5, 2023": the start, with the end's year when it has none
        if i + 1 < len(expressions) and re.search(r"\d{4}", expressions[i + 1]) and not re.search(r"\d{4}", expr):
            between = quote[quote.find(expr) + len(expr): quote.find(expressions[i + 1])]
            if re.fullmatch(r"\s*(?:and|to|-|–|until|through)\s*", between):
                year = re.search(r"\d{4}", expressions[i + 1]).group(0)
                resolved = resolve_date(f"{expr}, {year}", published)
                if resolved:
                    return resolved
        resolved = _same_weekday(expr, published) or resolve_date(expr, published)
        if resolved:
            return resolved
    return None


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _same_weekday(expression: str, published: str | None) -> str | None:
    """The publication date when ``expression`` is a bare weekday ("Monday", "on Monday") naming its weekday.

    >>> _same_weekday("Monday", "2021-03-01"), _same_weekday("on Sunday", "2021-03-01")
    ('2021-03-01', None)
    """
    from datetime import date

    if not published or len(published) != 10:
        return None
    word = expression.casefold().removeprefix("on ").strip()
    if word not in _WEEKDAYS:
        return None
    return published if _WEEKDAYS.index(word) == date.fromisoformat(published).weekday() else None
