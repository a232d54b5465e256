"""The claim layer's pure parts: topic equivalence, said-time, threads, changes, contradictions."""

from __future__ import annotations

import doctest
import importlib
import random

import pytest

from kg.claims import Report, build_threads, has_withdrawal, same_topic
from kg.claims.said import said_time

MODULES = ["topics", "said", "build", "layer"]
ANALYSIS = "kg.analysis.claims"


@pytest.mark.parametrize("name", [f"kg.claims.{m}" for m in MODULES] + [ANALYSIS])
def test_claims_docstring_examples_run(name):
    module = importlib.import_module(name)
    failed, _ = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failed == 0


@pytest.mark.parametrize("a, b, same", [
    ("peace negotiations", "negotiations with Kyiv", True),
    ("peace talks", "talks on peace", True),
    ("the withdrawal of foreign troops", "pulling out its forces", True),      # one action code, no shared word
    ("sanctions against Moscow", "lifting of sanctions", True),
    ("sanctions relief", "NATO membership", False),
    ("the", "the", False),                                                     # equal strings, no content lemma
    ("peace talks with Russia", "sanctions against Russia", False),            # a name alone is not enough
    ("elections in the east", "holding elections", True),
])
def test_claims_same_topic(a, b, same):
    assert same_topic(a, b) is same
    assert same_topic(b, a) is same


@pytest.mark.parametrize("quote, published, said", [
    ("Lavrov said on June 14 that talks were possible.", "2024-06-20", "2024-06-14"),
    ("The minister said last week that talks were possible.", "2024-06-20", "2024-06"),   # June 10-16
    ("Talks were possible in March 2022, he said.", "2023-01-05", "2022-03"),
    ("Between May 3 and May 5, 2023, the sides met.", "2023-06-01", "2023-05"),    # the unit that holds it
    ("Iran on Monday repeated its call for talks.", "2021-03-01", "2021-03-01"),  # the paper's own weekday
    ("Iran on Sunday repeated its call for talks.", "2021-03-01", "2021-02-28"),
    ("He said talks were possible.", "2024-06-20", None),                      # never the publication date
    ("He said on June 14 that talks were possible.", None, None),              # no year, nothing to resolve against
])
def test_claims_said_time(quote, published, said):
    assert said_time(quote, published) == said


def _position(i, stance, topic, said, reported, outlet, holder="ref:Russia", quote="..."):
    return Report(f"d{i}/p", "position", holder, f"d{i}", outlet, quote, said, reported, stance=stance, topic=topic)


def _demand(i, regions, said, reported, outlet, quote="...", outcome="ceasefire"):
    return Report(f"d{i}/c", "precondition", "ref:Russia", f"d{i}", outlet, quote, said, reported,
                  addressee="ref:Ukraine", action="withdraw_forces", outcome=outcome, regions=tuple(regions))


REPORTS = [
    _position(1, "supports", "peace negotiations", "2022-03-01", "2022-03-02", "a.org"),
    _position(2, "supports", "negotiations with Ukraine", None, "2022-03-03", "b.net"),
    _position(3, "opposes", "peace talks and negotiations", "2022-03-05", "2022-03-05", "c.com"),
    _position(4, "supports", "sanctions relief", "2022-04-01", "2022-04-01", "a.org"),
    _demand(5, ["Kherson"], "2022-03-01", "2022-03-02", "a.org"),
    _demand(6, ["Kherson", "Zaporizhzhia"], "2023-01-10", "2023-01-12", "b.net"),
    _demand(7, ["Zaporizhzhia"], "2024-05", "2024-05-20", "c.com", quote="Russia dropped its demand on Kherson."),
    _demand(8, ["Zaporizhzhia"], "2024-07-01", "2024-07-02", "a.org"),
]


def _summary(layer):
    return sorted((t.kind, t.key, tuple(sorted((c.stance or "", c.regions, tuple(c.documents), tuple(c.outlets))
                                               for c in t.claims)),
                   tuple((ch.basis, ch.type, ch.time) for ch in t.changes), len(t.contradictions))
                  for t in layer.threads.values())


def test_claims_build_does_not_depend_on_order():
    expected = _summary(build_threads(REPORTS))
    for seed in range(5):
        shuffled = REPORTS[:]
        random.Random(seed).shuffle(shuffled)
        assert _summary(build_threads(shuffled)) == expected


def test_claims_merge_reports_of_one_claim():
    layer = build_threads(REPORTS)
    supports = next(c for c in layer.claims if c.stance == "supports" and "negot" in c.topic)
    assert supports.documents == ["d1", "d2"] and supports.outlets == ["a.org", "b.net"]
    assert (supports.first("said"), supports.last("said")) == ("2022-03-01", "2022-03-01")
    assert (supports.first("reported"), supports.last("reported")) == ("2022-03-02", "2022-03-03")
    assert supports.unplaced == 1
    relief = next(c for c in layer.claims if c.topic == "sanctions relief")
    assert relief.thread != supports.thread


def test_claims_changes_are_typed():
    layer = build_threads(REPORTS)
    demand = next(t for t in layer.threads.values() if t.kind == "precondition")
    said = [(ch.type, ch.time) for ch in demand.changes if ch.basis == "said"]
    assert said == [("new", "2022-03-01"), ("hardened", "2023-01-10"), ("withdrawn", "2024-05"),
                    ("reaffirmed", "2024-07-01")]
    talks = next(t for t in layer.threads.values() if t.kind == "position" and len(t.claims) == 2)
    assert [ch.type for ch in talks.changes if ch.basis == "said"] == ["new", "reversed"]
    hardened = next(ch for ch in demand.changes if ch.type == "hardened")
    assert hardened.before and hardened.after and hardened.before_quote == "..."


def test_claims_softened_when_regions_drop():
    layer = build_threads([_demand(1, ["A", "B"], "2022-01-01", "2022-01-01", "x"),
                           _demand(2, ["B"], "2022-02-01", "2022-02-01", "y")])
    assert [ch.type for ch in layer.changes if ch.basis == "said"] == ["new", "softened"]


def test_claims_contradiction_names_outlets():
    layer = build_threads(REPORTS)
    (found,) = layer.contradictions
    assert set(found.first_outlets) | set(found.second_outlets) == {"a.org", "b.net", "c.com"}
    # far apart in time: a change, not a contradiction
    apart = build_threads([_position(1, "supports", "peace talks", "2020-01-01", "2020-01-01", "x"),
                           _position(2, "opposes", "peace talks", "2023-01-01", "2023-01-01", "y")])
    assert apart.contradictions == []


def test_claims_withdrawal_phrases():
    assert has_withdrawal("Moscow no longer demands the withdrawal.")
    assert not has_withdrawal("Moscow demands the withdrawal.")
