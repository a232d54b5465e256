"""When an assertion was said, as opposed to when it was reported.

An assertion's *said-time* is, in this order:

1. the said-time the extractor resolved for it with the sentence's parse (``pol:saidOn``;
   :func:`kg.extract.dates.said_times`: a date attached to the act of saying or the main
   event, the date of the occasion a readout or a report opens with, a statement document's
   release date); when the extractor found that the text gives none (``pol:saidUnplaced``), it
   stays unplaced;
2. for stores written before the extractor resolved said-times: the date of the statement it
   was stated in (``pol:statedIn``), else of a statement of the same document whose sentence
   overlaps the assertion's sentence, else the first date expression of its own quote that
   resolves ("on June 14", "last week", "in March 2022", "between May 3 and May 5": the
   finest unit that holds it), against the publication date by
   :func:`kg.extract.dates.resolve_date`;
3. otherwise none: the text does not place it, and the layer says so
   (``pol:saidUnplaced``), never falling back to the publication date.

The month names and day words are the lists of ``ontology/lexicon/dates.csv``.
"""

from __future__ import annotations

__all__ = ["date_expressions", "said_time", "SaidSource"]

SaidSource = str  # "extractor" | "statement" | "overlapping statement" | "quote" | "unplaced"


def date_expressions(text: str) -> list[str]:
    """The date expressions of ``text``, in order (:func:`kg.extract.dates.date_expressions`,
    imported on first use: commands that only read the claim layer load no extraction code).

    >>> date_expressions("Between May 3 and May 5, 2023, and again last week, in 2021")
    ['Between May 3 and May 5, 2023', 'last week', 'in 2021']
    """
    from kg.extract.dates import date_expressions as find

    return [e[2] for e in find(text)]


def said_time(quote: str, published: str | None) -> str | None:
    """The said-time the quote itself gives (its first date expression that resolves), or None.

    >>> said_time("Lavrov said on June 14 that talks were possible.", "2024-06-20")
    '2024-06-14'
    >>> said_time("Talks resumed in March 2022, officials said.", "2022-04-01")
    '2022-03'
    >>> said_time("Lavrov said that talks were possible.", "2024-06-20") is None
    True
    """
    from kg.extract.dates import resolve_date

    for expression in date_expressions(quote):
        resolved = resolve_date(expression, published)
        if resolved:
            return resolved
    return None
