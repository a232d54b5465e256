"""Generate the polkg reference data (RDF Turtle) from pycountry and curated CSV files.

Run ``python -m kg.reference.build [OUT_DIR]``; the default output directory is
``ontology/reference/``.  The curated sources are read from
``ontology/reference/sources/*.csv``.  Output is deterministic: entities,
predicates and objects are sorted, so the same inputs always give the same bytes.

Sources
-------
``states.csv``         iso2, name, status (member/observer/other), wikidata,
                       labels, demonyms, seats (capitals and seats of government
                       used as metonyms; written as skos:altLabel of the state)
``organizations.csv``  name, class (Alliance/Organization/Government), wikidata, labels
``people.csv``         name, office, speaks_for, wikidata, labels, terms (offices held for a time:
                       ``office:FROM/TO`` with ISO dates, TO empty while in office; an office of
                       the ``office`` column without a term is one held today)
``groups.csv``         name, class (ArmedGroup/Party), wikidata, labels
``regions.csv``        name, part_of, iso3166 (one or more codes), wikidata, labels
``skip_codes.csv``     code, reason: pycountry codes that never become regions

Multi-valued cells are separated by ``|``.  ``speaks_for`` and ``part_of`` name
the canonical name of another entity.  A curated region whose ``iso3166`` equals
a pycountry code is merged with that record: the curated name wins and the
pycountry names become alternative labels.
"""

from __future__ import annotations

import csv
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import pycountry

POL = "https://w3id.org/polkg/ontology#"
REF = "https://w3id.org/polkg/ref/"

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT_DIR = REPO_ROOT / "ontology" / "reference"
SOURCES_DIR = DEFAULT_OUT_DIR / "sources"

#: Output file (stem) for each class.
FILE_OF_CLASS: dict[str, str] = {
    "State": "states",
    "Government": "organizations",
    "Alliance": "organizations",
    "Organization": "organizations",
    "Person": "people",
    "ArmedGroup": "groups",
    "Party": "groups",
    "Region": "regions",
}
OUTPUT_FILES: tuple[str, ...] = ("states", "organizations", "people", "groups", "regions")

#: Labels that are common English words (or too generic) and never name a subdivision.
COMMON_WORDS: frozenset[str] = frozenset(
    {
        "capital", "capital district", "capital region", "capital territory", "centre", "center",
        "central", "centre nord", "centre est", "centre ouest", "centre sud", "coast", "east",
        "eastern", "north", "northern", "south", "southern", "west", "western", "north east",
        "north west", "south east", "south west", "northeast", "northwest", "southeast",
        "southwest", "north central", "south central", "east central", "west central",
        "upper", "lower", "middle", "islands", "island", "lakes", "lake", "plateau", "plateaux",
        "littoral", "maritime", "mountain", "coastal", "interior", "highlands", "lowlands",
        "savanes", "nord", "sud", "est", "ouest", "city", "federal district", "federal capital",
        "distrito capital", "distrito federal", "capital city", "metropolitan", "valley",
        "gulf", "bay", "river", "rivers", "delta", "border", "frontier", "sea", "ocean",
        "lagoon", "lagoons", "lagunes", "national capital", "national capital district",
        "union", "unity", "liberty", "freedom", "independence", "victoria", "dependency",
        "federal dependencies", "peace", "progress", "east coast", "west coast", "upper east",
        "upper west", "far north", "far west", "mid west", "midwest", "atlantic", "pacific",
        "grand", "grande", "plains", "adamaoua", "tete", "mono", "ruby", "reef", "red sea",
        "dead sea", "bay of plenty", "west end", "east end", "south end", "north end",
        "coronation", "saint", "san", "santa", "mountains", "forest", "desert",
        "sport", "music", "market", "bank", "college", "harbour", "harbor", "port",
        "free", "pool", "mary", "male", "van", "bar", "lac", "lacs", "meta", "sul", "norte",
        "valle", "isla", "grad", "leste", "mon", "chin", "pest", "nan", "tak", "boe", "bong",
        "centro", "oeste", "leste", "este", "zentrum", "mitte", "capitale", "hovedstaden",
        "kent", "marsa", "salto", "papua", "zaire", "alba", "arima", "cayo", "lima", "sila",
    }
)

#: Type words stripped from pycountry subdivision names to give a shorter label.
TYPE_WORDS: tuple[str, ...] = (
    "oblast'", "oblast", "oblysy", "oblasty", "kray", "krai", "respublika", "avtonomnyy okrug",
    "avtonomnaya oblast'", "province", "provincia", "região", "region", "région", "governorate",
    "prefecture", "department", "departamento", "département", "district", "county",
    "municipality", "state", "estado", "emirate", "wilaya", "vilayati", "viloyati", "viloyat",
    "muhafazat", "muḩāfaz̧at", "voivodeship", "województwo", "län", "fylke", "amt", "canton",
    "parish", "rayon", "rayonu", "city", "ciudad", "territory", "kraj", "okrug", "okres",
)


@dataclass
class Entity:
    """One reference entity; ``key`` is its IRI local name (``ref:<key>``)."""

    name: str
    cls: str
    labels: list[str] = field(default_factory=list)
    demonyms: list[str] = field(default_factory=list)
    offices: list[str] = field(default_factory=list)
    seats: list[str] = field(default_factory=list)
    speaks_for: list[str] = field(default_factory=list)
    part_of: list[str] = field(default_factory=list)
    iso3166: list[str] = field(default_factory=list)
    wikidata: str | None = None
    curated: bool = True
    status: str | None = None
    terms: list[tuple[str, str, str]] = field(default_factory=list)  # (office, from, to) ISO dates

    @property
    def key(self) -> str:
        """IRI local name of the entity."""
        return slug(self.name)

    @property
    def file(self) -> str:
        """Stem of the output file that holds the entity."""
        return FILE_OF_CLASS[self.cls]

    def all_labels(self) -> list[str]:
        """prefLabel, altLabels and demonyms (every surface form)."""
        return [self.name, *self.labels, *self.demonyms]


# ---------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------

_APOSTROPHES = "'’‘ʼ`´ʻ"


def clean_label(text: str) -> str:
    """Return ``text`` NFC-normalised with single spaces and no surrounding blanks."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def ascii_fold(text: str) -> str:
    """Strip diacritics: NFKD decomposition without combining marks."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slug(name: str) -> str:
    """IRI local name for a canonical English name.

    ASCII only, apostrophes dropped, other punctuation and spaces turned into
    ``_``, case kept: ``"Donetsk People's Republic"`` -> ``"Donetsk_Peoples_Republic"``.
    """
    text = ascii_fold(name)
    text = re.sub(f"[{_APOSTROPHES}]", "", text)
    text = text.encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9]+", " ", text)
    return "_".join(text.split())


def norm_label(label: str) -> str:
    """Normalised form used to compare labels across entities.

    Case-folded, diacritics and dots removed, apostrophes unified, hyphens as
    spaces, a leading ``the`` dropped.
    """
    text = ascii_fold(clean_label(label)).casefold()
    text = re.sub(f"[{_APOSTROPHES}]", "'", text)
    text = text.replace(".", "")
    text = re.sub(r"[-‐‑–—_/]", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    if text.startswith("the "):
        text = text[4:]
    return text


def split_multi(cell: str | None) -> list[str]:
    """Split a ``|``-separated CSV cell into clean, non-empty values."""
    if not cell:
        return []
    return [clean_label(part) for part in cell.split("|") if clean_label(part)]


def unique(values: Iterable[str], exclude: Iterable[str] = ()) -> list[str]:
    """Distinct values (exact match), sorted, without the ``exclude`` ones."""
    excluded = set(exclude)
    return sorted({v for v in values if v and v not in excluded})


# ---------------------------------------------------------------------------
# Curated sources
# ---------------------------------------------------------------------------


def read_csv(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a curated CSV file; lines starting with ``#`` are comments."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if line.strip() and not line.lstrip().startswith("#"))
        for row in csv.DictReader(lines):
            yield {k.strip(): (v or "").strip() for k, v in row.items() if k}


def country_names(alpha_2: str) -> list[str]:
    """pycountry's names for a country, without inverted ``X, Y of`` forms."""
    country = pycountry.countries.get(alpha_2=alpha_2)
    if country is None:
        return []
    names = [getattr(country, attr, None) for attr in ("name", "official_name", "common_name")]
    return [clean_label(n) for n in names if n and "," not in n]


def load_states(sources: Path) -> list[Entity]:
    """States from ``states.csv`` enriched with pycountry names."""
    states = []
    for row in read_csv(sources / "states.csv"):
        name = clean_label(row["name"])
        iso = row["iso2"]
        seats = split_multi(row.get("seats"))
        labels = split_multi(row.get("labels")) + seats
        if iso:
            labels += country_names(iso)
        states.append(
            Entity(
                name=name,
                cls="State",
                labels=labels,
                demonyms=split_multi(row.get("demonyms")),
                seats=seats,
                iso3166=[iso] if iso else [],
                wikidata=row.get("wikidata") or None,
                status=row.get("status") or None,
            )
        )
    return states


def load_simple(sources: Path, filename: str, default_cls: str) -> list[Entity]:
    """Entities from a CSV with ``name, class, wikidata, labels`` columns."""
    entities = []
    for row in read_csv(sources / filename):
        entities.append(
            Entity(
                name=clean_label(row["name"]),
                cls=row.get("class") or default_cls,
                labels=split_multi(row.get("labels")),
                wikidata=row.get("wikidata") or None,
            )
        )
    return entities


_TERM = re.compile(r"(?P<office>[^:]+):(?P<start>\d{4}-\d{2}-\d{2})/(?P<end>\d{4}-\d{2}-\d{2})?")


def parse_terms(cell: str | None, where: str) -> list[tuple[str, str, str]]:
    """``office:FROM/TO|...`` -> (office, from, to) triples; ``to`` is ``""`` while in office."""
    terms = []
    for part in split_multi(cell):
        match = _TERM.fullmatch(part)
        if match is None or match["end"] and match["end"] < match["start"]:
            raise ValueError(f"{where}: term {part!r} is not office:YYYY-MM-DD/[YYYY-MM-DD]")
        terms.append((match["office"].strip().lower(), match["start"], match["end"] or ""))
    return terms


def load_people(sources: Path) -> list[Entity]:
    """People from ``people.csv``."""
    people = []
    for row in read_csv(sources / "people.csv"):
        name = clean_label(row["name"])
        terms = parse_terms(row.get("terms"), f"people.csv: {name}")
        people.append(
            Entity(
                name=name,
                cls="Person",
                labels=split_multi(row.get("labels")),
                offices=[o.lower() for o in split_multi(row.get("office"))] + [t[0] for t in terms],
                speaks_for=split_multi(row.get("speaks_for")),
                wikidata=row.get("wikidata") or None,
                terms=sorted(set(terms)),
            )
        )
    return people


def load_regions(sources: Path) -> list[Entity]:
    """Curated regions from ``regions.csv``."""
    regions = []
    for row in read_csv(sources / "regions.csv"):
        regions.append(
            Entity(
                name=clean_label(row["name"]),
                cls="Region",
                labels=split_multi(row.get("labels")),
                part_of=split_multi(row.get("part_of")),
                iso3166=split_multi(row.get("iso3166")),
                wikidata=row.get("wikidata") or None,
            )
        )
    return regions


# ---------------------------------------------------------------------------
# pycountry records (subdivisions and non-state territories)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IsoRecord:
    """A pycountry record that becomes (or is merged into) a region."""

    code: str
    name: str
    type: str
    country_code: str | None


def iso_records(state_codes: set[str]) -> list[IsoRecord]:
    """Level-1 ISO 3166-2 subdivisions of every country, and ISO 3166-1 entries that are no state."""
    records = []
    for country in pycountry.countries:
        if country.alpha_2 in state_codes:
            continue
        name = getattr(country, "common_name", None) or country.name
        records.append(IsoRecord(country.alpha_2, clean_label(name), "Territory", None))
    for sub in pycountry.subdivisions:
        if sub.parent_code is not None:
            continue
        records.append(IsoRecord(sub.code, clean_label(sub.name), sub.type, sub.country_code))
    return sorted(records, key=lambda r: r.code)


_ROMAN = re.compile(r"[IVXL]+")


def _strip_type_word(name: str) -> str | None:
    """``name`` without a leading or trailing administrative type word, if any."""
    lowered = name.casefold()
    for word in sorted(TYPE_WORDS, key=len, reverse=True):
        if lowered.endswith(" " + word):
            return name[: -len(word) - 1].strip(" ,")
        if lowered.startswith(word + " "):
            return name[len(word) + 1 :].strip(" ,")
    return None


def record_labels(record: IsoRecord) -> tuple[str, list[str]]:
    """Preferred and alternative labels derived from a pycountry name.

    Bracketed notes are removed, inverted ``X, Respublika`` names are turned
    round, and the name without its type word is added where one is found.
    """
    raw = clean_label(re.sub(r"\[.*?\]|\(.*?\)", "", record.name))
    variants = [raw]
    pref = raw
    if ", " in raw:
        head, _, tail = raw.partition(", ")
        conjunction = re.search(r"\b(and|y|et|und|i)\b", tail)
        is_subdivision = record.country_code is not None
        if tail.casefold() in TYPE_WORDS or tail[:1].islower() or (
            is_subdivision and not conjunction and len(tail.split()) <= 4
        ):
            # "Adygeya, Respublika" -> "Adygeya", "Respublika Adygeya"
            pref = head
            variants += [head, clean_label(f"{tail} {head}")]
            variants.remove(raw)
    for note in re.findall(r"\[(.*?)\]|\((.*?)\)", record.name):
        for part in re.split(r"[;,]", " ".join(note)):
            words = [w for w in part.split() if not re.fullmatch(r"[A-Z]{2}-[A-Z0-9]+", w)]
            note_text = " ".join(words)
            if note_text[:1].isupper() and not re.fullmatch(r"[A-Z]{1,5}", note_text):
                variants.append(" ".join(words))
    for variant in list(variants):
        stripped = _strip_type_word(variant)
        if stripped and len(stripped) >= 3:
            variants.append(stripped)
        if "'" in variant:
            variants.append(clean_label(variant.replace("'", "")))
    variants += [ascii_fold(v) for v in variants if ascii_fold(v) != v]  # "Ghaznī" is written "Ghazni"
    labels = [clean_label(v) for v in variants]
    return pref, [v for v in labels if v[:1].isupper() and not _ROMAN.fullmatch(v)] or [pref]


# ---------------------------------------------------------------------------
# Assembly
# ---------------------------------------------------------------------------


def _qualified_names(base: str, record: IsoRecord, country: str) -> list[str]:
    """Candidate unambiguous names for a subdivision whose own name is taken."""
    candidates = []
    type_word = record.type.split(",")[0].strip()
    suffix_ok = record.country_code != "US"  # "Georgia State" reads as a university
    if suffix_ok and type_word and type_word.casefold() not in base.casefold() and len(type_word.split()) <= 2:
        candidates.append(f"{base} {type_word}")
    if country:
        candidates.append(f"{base} ({country})")
        if type_word:
            candidates.append(f"{base} {type_word} ({country})")
    candidates.append(f"{base} ({record.code})")
    return candidates


def build_entities(sources: Path = SOURCES_DIR) -> list[Entity]:
    """All reference entities, curated ones merged with pycountry, labels de-duplicated."""
    states = load_states(sources)
    curated = [
        *states,
        *load_simple(sources, "organizations.csv", "Organization"),
        *load_people(sources),
        *load_simple(sources, "groups.csv", "ArmedGroup"),
        *load_regions(sources),
    ]
    state_codes = {code for s in states for code in s.iso3166}
    records = iso_records(state_codes)
    by_code = {r.code: r for r in records}
    country_of = {code: s.name for s in states for code in s.iso3166}
    for record in records:
        if record.country_code is None:
            country_of.setdefault(record.code, record.name)

    # Curated labels are authoritative; pycountry names merged into a curated
    # region must not steal a label from another curated entity.
    taken: dict[str, str] = {}
    for entity in curated:
        for label in entity.all_labels():
            taken.setdefault(norm_label(label), entity.key)

    merged_codes: set[str] = set(read_skip_codes(sources))
    for entity in curated:
        if entity.cls != "Region":
            continue
        for code in entity.iso3166:
            if code not in by_code:
                continue
            merged_codes.add(code)
            _merge_record(entity, by_code[code], taken, country_of)
            if by_code[code].country_code is None:
                country_of[code] = entity.name

    remaining = [r for r in records if r.code not in merged_codes]
    aliases = territory_aliases(remaining)
    alias_codes = {r.code for subs in aliases.values() for r in subs}
    generated = _generated_regions(
        [r for r in remaining if r.code not in alias_codes], taken, country_of, aliases
    )
    entities = curated + generated
    for entity in entities:
        entity.labels = unique(entity.labels, exclude=[entity.name])
        entity.demonyms = unique(entity.demonyms)
        entity.offices = unique(entity.offices)
        entity.speaks_for = unique(entity.speaks_for)
        entity.part_of = unique(entity.part_of)
        entity.iso3166 = unique(entity.iso3166)
    return sorted(entities, key=lambda e: (e.file, e.key))


def _merge_record(
    entity: Entity, record: IsoRecord, taken: dict[str, str], country_of: dict[str, str]
) -> None:
    """Add a pycountry record's names to a curated region (curated name wins)."""
    _, extra = record_labels(record)
    for label in extra:
        norm = norm_label(label)
        owner = taken.get(norm)
        if (owner is None or owner == entity.key) and norm not in COMMON_WORDS:
            entity.labels.append(label)
            taken[norm] = entity.key
    if not entity.part_of and record.country_code in country_of:
        entity.part_of.append(country_of[record.country_code])


def read_skip_codes(sources: Path) -> list[str]:
    """ISO codes that must not become regions (``skip_codes.csv``)."""
    path = sources / "skip_codes.csv"
    if not path.exists():
        return []
    return sorted(row["code"] for row in read_csv(path) if row.get("code"))


def territory_aliases(records: list[IsoRecord]) -> dict[str, list[IsoRecord]]:
    """Subdivisions that name an ISO 3166-1 territory (``US-PR`` for ``PR``), by territory code."""
    territories = {
        norm_label(record_labels(r)[0]): r.code for r in records if r.country_code is None
    }
    aliases: dict[str, list[IsoRecord]] = defaultdict(list)
    for record in records:
        if record.country_code is None:
            continue
        for label in record_labels(record)[1]:
            code = territories.get(norm_label(label))
            if code is not None:
                aliases[code].append(record)
                break
    return dict(aliases)


def _generated_regions(
    records: list[IsoRecord],
    taken: dict[str, str],
    country_of: dict[str, str],
    aliases: dict[str, list[IsoRecord]],
) -> list[Entity]:
    """Regions for pycountry records with no curated counterpart.

    A label is dropped when a curated entity has it, when it is a common
    English word, or when two records share it.  A record whose own name is
    dropped gets a qualified preferred label such as ``Gaza Province``.
    """
    derived = {}
    for record in records:
        pref, labels = record_labels(record)
        for alias in aliases.get(record.code, []):
            labels = labels + record_labels(alias)[1]
        derived[record.code] = (pref, labels)
    counts: dict[str, int] = defaultdict(int)
    for _, labels in derived.values():
        for norm in {norm_label(label) for label in labels}:
            counts[norm] += 1

    def usable(label: str) -> bool:
        norm = norm_label(label)
        return norm not in taken and counts[norm] == 1 and norm not in COMMON_WORDS and len(norm) > 2

    used_keys = set(taken.values())
    regions = []
    for record in records:
        pref, labels = derived[record.code]
        country = country_of.get(record.country_code or "", "")
        keep = [label for label in labels if usable(label)]
        if not usable(pref) or slug(pref) in used_keys:
            candidates = _qualified_names(pref, record, country)
            pref = next(c for c in candidates if norm_label(c) not in taken and slug(c) not in used_keys)
        used_keys.add(slug(pref))
        if record.country_code is None:
            country_of[record.code] = pref
        for label in [pref, *keep]:
            taken[norm_label(label)] = slug(pref)
        alias_records = aliases.get(record.code, [])
        owners = [country] if record.country_code and country else []
        owners += [country_of[a.country_code] for a in alias_records if a.country_code in country_of]
        regions.append(
            Entity(
                name=pref,
                cls="Region",
                labels=keep,
                part_of=owners,
                iso3166=[record.code, *(a.code for a in alias_records)],
                curated=False,
            )
        )
    return regions


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------


def duplicate_labels(entities: Iterable[Entity]) -> dict[str, list[str]]:
    """Normalised labels (prefLabel, altLabel, demonym) shared by two or more entities."""
    owners: dict[str, set[str]] = defaultdict(set)
    for entity in entities:
        for label in entity.all_labels():
            owners[norm_label(label)].add(entity.key)
    return {label: sorted(keys) for label, keys in sorted(owners.items()) if len(keys) > 1}


def duplicate_keys(entities: Iterable[Entity]) -> list[str]:
    """IRI local names used by more than one entity."""
    seen: dict[str, int] = defaultdict(int)
    for entity in entities:
        seen[entity.key] += 1
    return sorted(key for key, count in seen.items() if count > 1)


def dangling_references(entities: Iterable[Entity]) -> list[tuple[str, str]]:
    """(entity, target) pairs whose pol:speaksFor or pol:partOf target does not exist."""
    entities = list(entities)
    keys = {e.key for e in entities}
    return sorted(
        (e.key, target)
        for e in entities
        for target in (*e.speaks_for, *e.part_of)
        if slug(target) not in keys
    )


# ---------------------------------------------------------------------------
# Turtle output
# ---------------------------------------------------------------------------

PREFIXES = (
    ("pol", POL),
    ("ref", REF),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("wd", "http://www.wikidata.org/entity/"),
)


def turtle_string(text: str) -> str:
    """A Turtle string literal (double quoted, escaped)."""
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"'


TERRITORY_STATUSES = {"other", "observer"}
"""States of these statuses are also regions: the text may treat them as territory."""


def entity_turtle(entity: Entity) -> str:
    """Turtle block describing one entity."""
    if entity.wikidata and not re.fullmatch(r"Q[1-9][0-9]*", entity.wikidata):
        raise ValueError(f"{entity.name}: wikidata {entity.wikidata!r} is not a Wikidata QID (Q123)")
    lines: list[tuple[str, list[str]]] = [
        ("rdfs:label", [turtle_string(entity.name) + "@en"]),
        ("skos:prefLabel", [turtle_string(entity.name) + "@en"]),
        ("skos:altLabel", [turtle_string(label) + "@en" for label in entity.labels]),
        ("pol:demonym", [turtle_string(label) + "@en" for label in entity.demonyms]),
        ("pol:seat", [turtle_string(label) + "@en" for label in entity.seats]),
        ("pol:office", [turtle_string(office) + "@en" for office in entity.offices]),
        ("pol:speaksFor", [f"ref:{slug(t)}" for t in entity.speaks_for]),
        ("pol:partOf", [f"ref:{slug(t)}" for t in entity.part_of]),
        ("pol:iso3166", [turtle_string(code) for code in entity.iso3166]),
        ("owl:sameAs", [f"wd:{entity.wikidata}"] if entity.wikidata else []),
        ("pol:tenure", [f"<{tenure_iri(entity, term)}>" for term in entity.terms]),
    ]
    classes = f"pol:{entity.cls}"
    if entity.cls == "Region" and not entity.curated:
        classes += ", pol:Subdivision"  # every country's provinces, not singled out as under discussion
    if entity.cls == "State" and entity.status in TERRITORY_STATUSES:
        # states whose territory is itself under negotiation (Kosovo, Taiwan, Palestine)
        classes += ", pol:Region"
    parts = [f"ref:{entity.key} a {classes}"]
    for predicate, objects in lines:
        if objects:
            parts.append(f"    {predicate} " + ",\n        ".join(objects))
    return " ;\n".join(parts) + " .\n"


def tenure_iri(entity: Entity, term: tuple[str, str, str]) -> str:
    """The IRI of one term of office: the person's, then the office and the day it began."""
    office, start, _ = term
    return f"{REF}{entity.key}/tenure/{slug(office)}_{start}"


def tenure_turtle(entity: Entity, term: tuple[str, str, str]) -> str:
    """Turtle block of one term of office (a named node, so the same data gives the same graph)."""
    office, start, end = term
    parts = [f"<{tenure_iri(entity, term)}> pol:office {turtle_string(office)}@en",
             f'    pol:termStart "{start}"^^xsd:date']
    if end:
        parts.append(f'    pol:termEnd "{end}"^^xsd:date')
    return " ;\n".join(parts) + " .\n"


def file_turtle(stem: str, entities: Iterable[Entity]) -> str:
    """Complete Turtle document for one output file."""
    header = [f"# polkg reference data: {stem}. Generated by `python -m kg.reference.build`; do not edit."]
    header += [f"@prefix {p}: <{iri}> ." for p, iri in PREFIXES]
    blocks = [entity_turtle(e) + "".join(tenure_turtle(e, term) for term in e.terms)
              for e in entities if e.file == stem]
    return "\n".join(header) + "\n\n" + "\n".join(blocks)


def write_files(entities: list[Entity], out_dir: Path) -> list[Path]:
    """Write one Turtle file per output stem; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for stem in OUTPUT_FILES:
        path = out_dir / f"{stem}.ttl"
        path.write_bytes(file_turtle(stem, entities).encode("utf-8"))
        paths.append(path)
    return paths


def main(out_dir: str | Path | None = None, sources: str | Path | None = None) -> list[Path]:
    """Build the reference entities and write the Turtle files to ``out_dir``."""
    target = Path(out_dir) if out_dir is not None else DEFAULT_OUT_DIR
    entities = build_entities(Path(sources) if sources is not None else SOURCES_DIR)
    return write_files(entities, target)


def _cli(argv: list[str]) -> int:
    """Command-line entry: build, report counts and problems."""
    out_dir = Path(argv[0]) if argv else DEFAULT_OUT_DIR
    entities = build_entities(SOURCES_DIR)
    paths = write_files(entities, out_dir)
    counts: dict[str, int] = defaultdict(int)
    for entity in entities:
        counts[entity.cls] += 1
    labels = sum(len(e.all_labels()) for e in entities)
    for path in paths:
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    print(", ".join(f"{cls}: {n}" for cls, n in sorted(counts.items())) + f"; labels: {labels}")
    problems = 0
    for label, keys in duplicate_labels(entities).items():
        print(f"duplicate label {label!r}: {', '.join(keys)}", file=sys.stderr)
        problems += 1
    for key in duplicate_keys(entities):
        print(f"duplicate IRI ref:{key}", file=sys.stderr)
        problems += 1
    for key, target in dangling_references(entities):
        print(f"ref:{key} points to missing {target!r}", file=sys.stderr)
        problems += 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(_cli(sys.argv[1:]))
