"""A synthetic news corpus for benchmarks: seeded, deterministic, fast.

    .venv/bin/python bench/corpus.py --docs N [--seed S] --out DIR [--format txt|jsonl]

Each article is about two states of the reference data (their people, with the
offices they hold and the actor they speak for, and regions that are part of
one of them), written from sentence templates in many surface forms:
statements with various reporting verbs and "according to", positions that
support or oppose something, preconditions with many cue forms ("demands that X
withdraw its forces from R", "will not negotiate until", "only if", "provided
that", "as a condition for"...), refusals, background and distractor sentences.
Lengths run from 300 to 1,200 words (mode 550).

Document ``i`` depends only on the seed and ``i``: the first 1,000 documents of
a 10,000-document corpus are the 1,000-document corpus. ``txt`` writes one file
per document in folders of 1,000 (``DIR/d000/000000.txt``, title on the first
line); ``jsonl`` writes ``DIR/corpus.jsonl`` with ``title``, ``published`` and
``text``.
"""

from __future__ import annotations

import argparse
import calendar
import json
import random
import re
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.gazetteer import load_reference  # noqa: E402

_PLAIN = re.compile(r"^[A-Z][A-Za-z' .-]{2,30}$")
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass(frozen=True)
class Person:
    name: str
    office: str

    @property
    def surname(self) -> str:
        return self.name.split()[-1]


@dataclass(frozen=True)
class Party:
    """A state with the names it goes by, the people who speak for it and its regions."""

    name: str
    labels: tuple[str, ...]
    demonym: str | None
    people: tuple[Person, ...]
    regions: tuple[str, ...]


@dataclass(frozen=True)
class World:
    parties: tuple[Party, ...]
    alliances: tuple[str, ...]
    groups: tuple[str, ...]
    organisations: tuple[str, ...]
    areas: tuple[str, ...]


def build_world() -> World:
    """The states that have at least one plainly named region, from the reference data."""
    ref = load_reference()
    entities = ref.entities
    regions: dict[str, list[str]] = {}
    people: dict[str, list[Person]] = {}
    for e in entities.values():
        if e.region and e.part_of and _PLAIN.match(e.name):
            regions.setdefault(e.part_of, []).append(e.name)
        if e.kind == "person" and e.speaks_for and e.offices:
            people.setdefault(e.speaks_for, []).append(Person(e.name, e.offices[0]))
    parties = []
    for iri in sorted(regions):
        e = entities.get(iri)
        if e is None or e.kind != "state":
            continue
        labels = tuple(sorted(label for label in e.labels if _PLAIN.match(label) and len(label) < 25))
        parties.append(Party(
            e.name, labels, e.demonyms[0] if e.demonyms else None,
            tuple(sorted(people.get(iri, []), key=lambda p: p.name)), tuple(sorted(regions[iri])),
        ))

    def names(kind: str) -> tuple[str, ...]:
        return tuple(sorted(e.name for e in entities.values() if e.kind == kind))

    areas = tuple(sorted(e.name for e in entities.values()
                         if e.region and not e.part_of and _PLAIN.match(e.name)))
    return World(tuple(parties), names("alliance"), names("armed_group"), names("organization"), areas)


# -- templates --------------------------------------------------------------------
# Fields: {A} {B} demander and addressee (names or labels), {R} a region, {AL} an
# alliance, {G} an armed group, {O} an organisation, {n} a number, {day} a day.

REPORTING = ["said", "stated", "told reporters", "declared", "insisted", "stressed", "announced",
             "reiterated", "noted", "added", "warned", "argued", "maintained", "confirmed", "wrote"]

SUPPORT = [
    "{A} supports a negotiated settlement with {B}",
    "{A} backs the resumption of peace talks",
    "{A} favours international mediation of the dispute over {R}",
    "{A} welcomes the proposal for a prisoner exchange",
    "{A} is ready for dialogue with {B} without delay",
    "{A} remains open to talks on the status of {R}",
    "{A} endorses the deployment of observers along the line of contact",
    "{A} would prefer a diplomatic solution to the conflict",
    "{A} advocates new sanctions against {B}",
    "{A} is committed to the territorial integrity of {B}",
]
OPPOSE = [
    "{A} rejects any freeze of the conflict along the current front line",
    "{A} opposes the expansion of {AL}",
    "{A} condemns the shelling of civilian areas in {R}",
    "{A} will never accept the annexation of {R}",
    "{A} is against the deployment of foreign troops in {R}",
    "{A} denounces the new sanctions imposed by {B}",
    "{A} rules out a referendum in {R}",
    "{A} objects to the presence of {G} fighters near the border",
]
DEMAND = [
    "{A} demands that {B} withdraw its forces from {R}",
    "{A} will not negotiate until {B} withdraws its troops from {R}",
    "{A} calls on {B} to release the hostages as a condition for a ceasefire",
    "{A} would agree to a ceasefire only if {B} pulls its troops out of {R}",
    "talks with {B} can resume provided that {B} lifts the sanctions on {A}",
    "{A} insists that any peace deal must include security guarantees for {A}",
    "{A} will sign an agreement only if {B} recognises {R} as part of {A}",
    "{B} must renounce its plans to join {AL} before negotiations can begin, according to {A}",
    "{A} set free elections in {R} as a precondition for the normalisation of relations with {B}",
    "in exchange for a truce, {B} must allow humanitarian access to {R}",
    "{A} refuses to negotiate as long as {B} troops remain in {R}",
    "{A} wants {B} to declare neutrality before any peace agreement",
    "{A} urges {B} to return the occupied areas of {R} as a condition for talks",
    "{A} requires the disarmament of {G} before a ceasefire can take hold",
    "{A} expects {B} to demilitarize {R} in return for a peace deal",
    "{A} is prepared to halt the fighting provided that {B} frees all prisoners of war",
    "unless {B} pulls out of {R}, there will be no negotiations, {A} made clear",
    "{A} conditioned any summit with {B} on the withdrawal of troops from {R}",
]
REFUSE = [
    "{B} rejected the demand that it withdraw from {R}",
    "{B} ruled out any talks with {A} under these conditions",
    "{B} dismissed the conditions set by {A} as unacceptable",
    "{B} refused to recognise the annexation of {R}",
    "{B} said it would never give up {R}",
]
BACKGROUND = [
    "Fighting continued near {R} overnight, local officials said.",
    "{R} has been at the centre of the dispute between {A} and {B} since {year}.",
    "Diplomats from {O} met in closed session to discuss the situation in {R}.",
    "Previous rounds of talks between {A} and {B} ended without agreement.",
    "Thousands of civilians have fled {R} since the start of the year.",
    "Observers from {O} reported several violations of the truce in {R}.",
    "The two sides last met in {month} {year}, when a short-lived truce was agreed.",
    "Shelling damaged a power station in {R}, leaving {n},000 homes without electricity.",
    "Military analysts say neither side has the strength for a decisive offensive in {R}.",
    "The {area} remains a point of friction in the wider region.",
]
DISTRACTOR = [
    "Fuel prices rose by {n} percent last month, according to the statistics office.",
    "The central bank left its key interest rate unchanged at {n} percent.",
    "Temperatures fell to minus {n} degrees in the capital on {day}.",
    "Traffic in the city centre was disrupted for several hours by road works.",
    "A local football club celebrated its {n}th anniversary with a parade.",
    "The annual book fair drew more than {n},000 visitors this year.",
    "Shares on the main stock exchange closed {n} points higher.",
    "The ministry of education announced a new school curriculum for the autumn term.",
    "Heavy rain caused flooding in several villages, but no injuries were reported.",
    "Tickets for the national theatre's new season sold out within {n} hours.",
    "Farmers expect a good harvest after a mild spring.",
    "The airport reported a record number of passengers in {month}.",
    "A new bridge over the river is due to open next year.",
    "Hospitals said the flu season had started earlier than usual.",
    "The government also approved a budget for road repairs worth {n} million.",
]
TITLES = [
    "{A} sets conditions for talks with {B} over {R}",
    "{A} demands withdrawal from {R}",
    "{B} rejects {A} terms for a ceasefire",
    "Talks on {R} stall as {A} and {B} trade demands",
    "{A} says it is ready for dialogue with {B}",
    "Tensions over {R} rise after new statements from {A}",
    "What {A} wants from {B}: the conditions for a deal",
]


class _Writer:
    """One article: keeps the parties, the people already introduced, and the word count."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.rng = rng
        weights = [5 if p.people else 1 for p in world.parties]
        a = rng.choices(world.parties, weights)[0]
        b = a
        while b is a:
            b = rng.choices(world.parties, weights)[0]
        self.a, self.b = a, b
        self.regions = list(rng.sample(b.regions, min(3, len(b.regions)))) + list(a.regions[:1])
        self.alliance = rng.choice(world.alliances)
        self.group = rng.choice(world.groups)
        self.organisation = rng.choice(world.organisations)
        self.area = rng.choice(world.areas)
        self.introduced: set[str] = set()
        start = date(2022, 1, 1) + timedelta(days=rng.randrange(4 * 365))
        self.published = start.isoformat()
        self.year = start.year
        self.words = 0

    def name(self, party: Party) -> str:
        r = self.rng.random()
        if party.labels and r < 0.15:
            return self.rng.choice(party.labels)
        return party.name

    def fields(self, demander: Party, addressee: Party) -> dict[str, str]:
        rng = self.rng
        return {
            "A": self.name(demander), "B": self.name(addressee), "R": rng.choice(self.regions),
            "AL": self.alliance, "G": self.group, "O": self.organisation, "area": self.area,
            "n": str(rng.randint(2, 90)), "day": rng.choice(_WEEKDAYS),
            "month": calendar.month_name[rng.randint(1, 12)], "year": str(self.year - rng.randint(1, 8)),
        }

    def speaker(self, party: Party) -> str:
        """A way to name who spoke: a person with office, a surname, or a ministry."""
        rng = self.rng
        if party.people and rng.random() < 0.8:
            person = rng.choice(party.people)
            if person.name in self.introduced:
                return person.surname
            self.introduced.add(person.name)
            if rng.random() < 0.5:
                return f"{person.office.title()} {person.name}"
            return f"{person.name}, {party.name}'s {person.office},"
        demonym = party.demonym or party.name
        return rng.choice([f"the {demonym} foreign ministry", f"a spokesperson for the {demonym} government",
                           f"the {demonym} delegation"])

    def reported(self, clause: str, party: Party) -> str:
        """Put ``clause`` in someone's mouth, in one of several surface forms."""
        rng = self.rng
        who = self.speaker(party)
        verb = rng.choice(REPORTING)
        day = rng.choice(_WEEKDAYS)
        form = rng.randrange(6)
        if form == 0:
            text = f"{who} {verb} on {day} that {clause}."
        elif form == 1:
            text = f"According to {who.rstrip(',')}, {clause}."
        elif form == 2:
            text = f"{clause[0].upper()}{clause[1:]}, {who.rstrip(',')} {verb}."
        elif form == 3:
            text = f"Speaking at a news conference on {day}, {who.rstrip(',')} {verb} that {clause}."
        elif form == 4:
            text = f"In a statement, {who.rstrip(',')} {verb} that {clause}."
        else:
            text = f'"{clause[0].upper()}{clause[1:]}," {who.rstrip(",")} {verb}.'
        return text[0].upper() + text[1:]

    def sentence(self) -> str:
        rng = self.rng
        kind = rng.choices(["support", "oppose", "demand", "refuse", "background", "distractor"],
                           weights=[12, 8, 18, 6, 20, 36])[0]
        demander, addressee = (self.a, self.b) if rng.random() < 0.7 else (self.b, self.a)
        f = self.fields(demander, addressee)
        if kind in ("background", "distractor"):
            pool = BACKGROUND if kind == "background" else DISTRACTOR
            return rng.choice(pool).format(**f)
        pool = {"support": SUPPORT, "oppose": OPPOSE, "demand": DEMAND, "refuse": REFUSE}[kind]
        clause = rng.choice(pool).format(**f)
        if kind == "refuse":
            return self.reported(clause, addressee)
        return self.reported(clause, demander)

    def article(self, low: int, high: int, mode: int) -> tuple[str, str]:
        rng = self.rng
        target = int(rng.triangular(low, high, mode))
        f = self.fields(self.a, self.b)
        title = rng.choice(TITLES).format(**f)
        paragraphs = []
        words = 0
        while words < target:
            sentences = [self.sentence() for _ in range(rng.randint(3, 6))]
            paragraph = " ".join(sentences)
            words += len(paragraph.split())
            paragraphs.append(paragraph)
        return title, title + "\n" + "\n".join(paragraphs) + "\n"


def generate(n: int, *, seed: int = 0, low: int = 300, high: int = 1200, mode: int = 550,
             start: int = 0) -> Iterator[dict]:
    """Yield ``{"id", "title", "published", "text"}`` for documents ``start .. start + n - 1``."""
    world = build_world()
    for i in range(start, start + n):
        writer = _Writer(world, random.Random(f"polkg-corpus-{seed}-{i}"))
        title, text = writer.article(low, high, mode)
        yield {"id": i, "title": title, "published": writer.published, "text": text}


def txt_path(out: Path, i: int) -> Path:
    return out / f"d{i // 1000:03d}" / f"{i:06d}.txt"


def write_corpus(out: Path, n: int, *, seed: int = 0, fmt: str = "txt") -> dict:
    """Write the corpus; returns ``{"documents", "words", "bytes", "seconds"}``."""
    began = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    words = size = 0
    jsonl = (out / "corpus.jsonl").open("w", encoding="utf-8") if fmt == "jsonl" else None
    try:
        for record in generate(n, seed=seed):
            words += len(record["text"].split())
            if jsonl is not None:
                line = json.dumps({k: record[k] for k in ("title", "published", "text")}, ensure_ascii=False)
                jsonl.write(line + "\n")
                size += len(line) + 1
            else:
                path = txt_path(out, record["id"])
                path.parent.mkdir(exist_ok=True)
                data = record["text"].encode("utf-8")
                path.write_bytes(data)
                size += len(data)
    finally:
        if jsonl is not None:
            jsonl.close()
    return {"documents": n, "words": words, "bytes": size, "seconds": time.perf_counter() - began}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, required=True, help="number of documents")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="folder to write")
    parser.add_argument("--format", dest="fmt", choices=["txt", "jsonl"], default="txt")
    args = parser.parse_args()
    info = write_corpus(args.out, args.docs, seed=args.seed, fmt=args.fmt)
    print(f"wrote {info['documents']:,} documents, {info['words']:,} words, {info['bytes'] / 1e6:.1f} MB "
          f"to {args.out} in {info['seconds']:.1f} s")


if __name__ == "__main__":
    main()
