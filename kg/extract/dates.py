"""Dates of statements, resolved against the document's publication date."""

from __future__ import annotations

import re
from datetime import datetime

import dateparser
from kg.extract.lexicon import words

__all__ = ["resolve_date"]

_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_MONTHS = words("months")
_DAY = re.compile(r"\b\d{1,2}(st|nd|rd|th)?\b")
_RELATIVE = words("relative")


def resolve_date(text: str, published: str | None) -> str | None:
    """``YYYY-MM-DD`` (or ``YYYY-MM``, ``YYYY``) for a date expression, or None.

    Relative expressions ("on Friday", "last week") and dates without a year
    ("on June 14") need the publication date; without one they give None
    rather than a guess.

    >>> resolve_date("on June 14", "2024-06-20")
    '2024-06-14'
    >>> resolve_date("on Friday", "2024-06-16")
    '2024-06-14'
    >>> resolve_date("on June 14", None) is None
    True
    """
    lowered = text.lower().strip()
    has_year = _YEAR.search(lowered) is not None
    has_month = any(m in lowered for m in _MONTHS)
    relative = any(r in lowered for r in _RELATIVE)
    if not (has_year or has_month or relative):
        return None
    if not has_year and published is None:
        return None
    settings = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False}
    if published:
        parts = [int(p) for p in published.split("-")] + [1, 1]
        settings["RELATIVE_BASE"] = datetime(parts[0], parts[1], parts[2])
    cleaned = re.sub(r"^(on|since|from|by|until|as of|in)\s+", "", lowered)
    parsed = dateparser.parse(cleaned, languages=["en"], settings=settings)
    if parsed is None:
        return None
    if has_month and not _DAY.search(re.sub(_YEAR, "", lowered)) and not relative:
        return parsed.strftime("%Y-%m")
    if has_year and not has_month and not relative:
        return parsed.strftime("%Y")
    return parsed.strftime("%Y-%m-%d")
