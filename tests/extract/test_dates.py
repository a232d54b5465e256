"""Said-times: each construction of English that dates a statement, on new invented sentences.

``resolve_date`` gives one date expression its value against the publication date;
``said_times`` (through the real pipeline) decides which date in a sentence dates what is said,
and carries the date of a framing occasion to the statements that follow it.
"""

from __future__ import annotations

import pytest

from kg.documents import document_from_text
from kg.extract import extract_doc, sentence_said_times
from kg.extract.dates import resolve_date


@pytest.mark.parametrize("expression, published, value", [
    # a bare weekday: the most recent such day on or before publication, the same day when equal
    ("Monday", "2023-05-15", "2023-05-15"),
    ("on Thursday", "2023-05-15", "2023-05-11"),
    ("Sunday night", "2023-05-15", "2023-05-14"),
    ("last Monday", "2023-05-15", "2023-05-08"),
    # the day of publication and the days next to it
    ("today", "2023-05-15", "2023-05-15"),
    ("late tonight", "2023-05-15", "2023-05-15"),
    ("this morning", "2023-05-15", "2023-05-15"),
    ("yesterday", "2023-05-15", "2023-05-14"),
    ("last night", "2023-05-01", "2023-04-30"),
    # periods: the month a week lies in, the month, the year
    ("last week", "2023-05-17", "2023-05"),
    ("last week", "2023-05-03", "2023-04"),              # April 24-30
    ("last week", "2023-06-07", "2023"),                 # May 29 - June 4: no single month
    ("earlier this month", "2023-05-17", "2023-05"),
    ("last month", "2023-01-10", "2022-12"),
    ("last year", "2023-01-10", "2022"),
    ("three days ago", "2023-05-17", "2023-05-14"),
    # absolute dates, with or without their year
    ("in March 2021", None, "2021-03"),
    ("on 9 July 2020", None, "2020-07-09"),
    ("on Oct. 4", "2023-05-17", "2022-10-04"),           # not after publication: the year before
    ("on April 2", "2023-05-17", "2023-04-02"),
    ("in June", "2023-05-17", "2022-06"),
    ("in 2011", "2023-05-17", "2011"),
    ("mid-September", "2023-10-01", "2023-09"),
    # ranges: the finest unit that holds them
    ("between April 3 and April 9, 2022", None, "2022-04"),
    ("from March to May 2021", None, "2021"),
    ("Jan 3-5", "2023-05-17", "2023-01"),
])
def test_resolve_date(expression, published, value):
    assert resolve_date(expression, published) == value


@pytest.mark.parametrize("expression, published", [
    ("on Thursday", None),            # relative, nothing to resolve against
    ("yesterday", "2023"),            # a publication known to the year only places no day
    ("on Oct. 4", None),
    ("in recent days", "2023-05-17"),
    ("soon", "2023-05-17"),
])
def test_resolve_date_unplaced(expression, published):
    assert resolve_date(expression, published) is None


def test_today_against_a_year_only_publication_is_that_year():
    assert resolve_date("today", "2019") == "2019"


def _times(nlp, text, published):
    document = document_from_text(text, published=published)
    return [(document.text[a:b], t.value, t.how) for a, b, t in sentence_said_times(document, nlp(document.text))]


def _of(times, start):
    return next((value, how) for sentence, value, how in times if sentence.startswith(start))


# Each case: a text, its publication date, and for sentences picked by how they begin the
# (said-time, how it was found) the resolver gives them.
SAID_TIME_CASES = [
    pytest.param(
        "Foreign Minister Ilse Varga said on Tuesday that Norland would reopen the border crossing.\n", "2023-05-19",
        [("Foreign Minister", "2023-05-16", "adjunct")],
        id="date adjunct of the reporting verb"),
    pytest.param(
        "The envoy said the treaty had been broken by the invasion of 2011.\n", "2023-05-19",
        [("The envoy", None, "unresolved")],
        id="a year inside what is said does not date the statement"),
    pytest.param(
        "Prime Minister Oskar Lind said Norland rejected the 1907 boundary award.\n", "2023-05-19",
        [("Prime Minister", None, "unresolved")],
        id="a year inside what is said, in an object"),
    pytest.param(
        "President Amara Kone announced a water plan to be presented at the summit next week.\n", "2023-05-19",
        [("President", None, "unresolved")],
        id="a date of a later event in a clause is not the statement date"),
    pytest.param(
        "Ruritania Monday renewed its demand that the blockade be lifted.\n", "2023-05-15",
        [("Ruritania", "2023-05-15", "adjunct")],
        id="a bare weekday before the verb in a monday paper"),
    pytest.param(
        "Minister Ilse Varga spoke today with her Ruritanian counterpart about the border.\n"
        "The Minister stressed that the crossing must stay open. She urged Ruritania to withdraw its troops.\n",
        "2023-05-19",
        [("Minister Ilse", "2023-05-19", "adjunct"),
         ("The Minister stressed", "2023-05-19", "frame"),
         ("She urged", "2023-05-19", "frame")],
        id="the readout framing sentence dates what follows"),
    pytest.param(
        "At a council meeting late tonight, the mediator warned that the ceasefire was collapsing.\n"
        "The delegate of Ruritania said his country wanted talks. The delegate of Norland said talks were pointless.\n"
        "Ruritania had long sought a corridor to the sea.\n",
        "2023-05-19",
        [("The delegate of Ruritania", "2023-05-19", "frame"),
         ("The delegate of Norland", "2023-05-19", "frame"),
         ("Ruritania had long", None, "unresolved")],       # a background in the past perfect
        id="a meeting frames every speaker after it"),
    pytest.param(
        "On Wednesday, Norwegian Prime Minister Jonas Gahr Store announced that Norway would send aid to the region.\n"
        "\"We will not stand aside,\" he said.\n"
        "Sweden was more cautious about the plan.\n",
        "2023-05-19",
        [("On Wednesday", "2023-05-17", "adjunct"),
         ("\"We will", "2023-05-17", "frame"),
         ("Sweden", None, "unresolved")],
        id="a speaker frame does not date another actor's narrative"),
    pytest.param(
        "Norway's foreign minister said the sanctions should stay in place.\n", "2023-05-19",
        [("Norway", None, "unresolved")],
        id="no date in the text is unresolved, never the publication date"),
    pytest.param(
        "Minister Ilse Varga spoke today with the envoy of Ruritania.\n"
        "Second call of the week\n"
        "The Minister said the crossing must stay open.\n",
        "2023-05-19",
        [("The Minister said", None, "unresolved")],
        id="a heading ends the frame"),
    pytest.param(
        "On Tuesday, Norwegian Prime Minister Jonas Gahr Store said Norway wanted talks.\n"
        "Store has argued since his election that Norway must stay neutral.\n",
        "2023-05-19",
        [("On Tuesday", "2023-05-16", "adjunct"),
         ("Store has argued", None, "unresolved")],
        id="a present perfect sentence takes no frame"),
    pytest.param(
        "Norway Restates Its Terms\n"
        "April 14, 2023 — Norway opposes the new pipeline, Norwegian Prime Minister Jonas Gahr Store said on Wednesday.\n"
        "The opposition leader called the plan reckless.\n",
        None,
        [("April 14", "2023-04-12", "adjunct"),
         ("The opposition", None, "unresolved")],            # the dateline itself dates no statement
        id="a dateline is what relative days count from when no publication date is given"),
    pytest.param(
        "Our official will be speaking today on background.\n"
        "OFFICIAL: Thank you.\n"
        "We believe that a return to the accord is the best way forward.\n",
        "2023-05-19",
        [("Our official", "2023-05-19", "adjunct"),
         ("We believe", "2023-05-19", "frame")],
        id="a briefing frames its first-person sentences"),
]


@pytest.mark.parametrize("text, published, expected", SAID_TIME_CASES)
def test_said_time_of_each_sentence(nlp, text, published, expected):
    times = _times(nlp, text, published)
    for start, value, how in expected:
        assert _of(times, start) == (value, how), start


def test_positions_carry_their_said_time_and_how(nlp):
    text = "Yesterday, Norwegian Prime Minister Jonas Gahr Store said Norway opposes the new pipeline.\n"
    document = document_from_text(text, published="2023-05-19")
    extraction = extract_doc(document, nlp(document.text), learned=False)
    assert extraction.positions, "the case must give a position"
    assert {(p.said, p.said_how) for p in extraction.positions} == {("2023-05-18", "adjunct")}
    assert {s.date for s in extraction.statements} == {"2023-05-18"}


def test_a_third_partys_act_reported_in_a_statement_is_not_dated_by_it(nlp):
    text = "Yesterday, Norway's foreign ministry condemned Russia's decision to annex the islands.\n"
    document = document_from_text(text, published="2023-05-19")
    extraction = extract_doc(document, nlp(document.text), learned=False)
    said = {p.holder: (p.said, p.said_how) for p in extraction.positions}
    assert said.get("Norway") == ("2023-05-18", "adjunct")
    assert said.get("Russia") == (None, "unresolved")
