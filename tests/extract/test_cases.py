"""Every construction case of ``cases.jsonl`` through the real pipeline.

A line is one invented sentence (or short text) written for one construction, in the manner of
event-coding unit-test records: ``text``, optional ``published``, and what must come out
(``preconditions``, ``positions``, ``statements``, ``actors``, ``regions``) or must not (``absent``).
An expected entry matches an extracted one when every field it gives agrees; a ``topic`` gives
words that must all appear in the extracted topic.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CASES = Path(__file__).with_name("cases.jsonl")


def _cases() -> list[dict]:
    out = []
    for number, line in enumerate(CASES.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("//"):
            case = json.loads(line)
            case["line"] = number
            out.append(case)
    return out


def _found(x) -> dict[str, list[dict]]:
    return {
        "preconditions": [{"demander": p.demander, "addressee": p.addressee, "action": p.action,
                           "for": p.for_, "regions": p.regions, "concerns": p.concerns} for p in x.preconditions],
        "positions": [{"holder": p.holder, "stance": p.stance, "topic": p.topic} for p in x.positions],
        "statements": [{"speaker": s.speaker, "date": s.date} for s in x.statements],
        "actors": [{"name": a.name, "kind": a.kind} for a in x.actors],
        "regions": [{"name": r.name} for r in x.regions],
    }


def _agrees(expected: dict, got: dict) -> bool:
    for key, value in expected.items():
        if key == "topic":
            if not all(word.lower() in got["topic"].lower() for word in value.split()):
                return False
        elif key in ("regions", "concerns"):
            if sorted(value) != sorted(got[key]):
                return False
        elif got.get(key) != value:
            return False
    return True


def _entries(case: dict, kind: str) -> list[dict]:
    return [{"name": e} if isinstance(e, str) else e for e in case.get(kind, [])]


ALL = _cases()


@pytest.mark.parametrize("case", ALL, ids=[f"{c['line']}-{c['construction']}" for c in ALL])
def test_cases_construction(nlp, case):
    from kg.api import extract_text

    x = extract_text(case["text"], published=case.get("published"))
    found = _found(x)
    for kind in ("preconditions", "positions", "statements", "actors", "regions"):
        for expected in _entries(case, kind):
            assert any(_agrees(expected, got) for got in found[kind]), (kind, expected, found[kind])
        for unwanted in [{"name": e} if isinstance(e, str) else e for e in case.get("absent", {}).get(kind, [])]:
            assert not any(_agrees(unwanted, got) for got in found[kind]), (kind, unwanted, found[kind])


def test_cases_every_line_names_its_construction_and_expects_something():
    for case in ALL:
        assert case["construction"] and case["text"], case["line"]
        assert any(case.get(k) for k in ("preconditions", "positions", "statements", "actors", "regions", "absent")), case["line"]


def test_cases_every_resolver_answers_in_some_case(nlp):
    """Each resolver of each role is the one that answers for at least one case."""
    from kg.api import extract_text
    from kg.extract.roles import order, traced

    with traced() as answered:
        for case in ALL:
            extract_text(case["text"], published=case.get("published"))
    unused = [f"{role}.{name}" for role, names in order().items() for name in names
              if f"{role}.{name}" not in answered]
    assert not unused, unused
