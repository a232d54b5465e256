"""Tests of the reference data (ontology/reference/*.ttl) and its generator."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.reference import build

POL = Namespace("https://w3id.org/polkg/ontology#")
REF = Namespace("https://w3id.org/polkg/ref/")
REFERENCE_DIR = Path(__file__).resolve().parents[2] / "ontology" / "reference"
FILES = ("states", "organizations", "people", "groups", "regions")

#: The 193 UN member states (ISO 3166-1 alpha-2).
UN_MEMBERS = set(
    """
    AF AL DZ AD AO AG AR AM AU AT AZ BS BH BD BB BY BE BZ BJ BT BO BA BW BR BN BG BF BI CV KH
    CM CA CF TD CL CN CO KM CG CR CI HR CU CY CZ KP CD DK DJ DM DO EC EG SV GQ ER EE SZ ET FJ
    FI FR GA GM GE DE GH GR GD GT GN GW GY HT HN HU IS IN ID IR IQ IE IL IT JM JP JO KZ KE KI
    KW KG LA LV LB LS LR LY LI LT LU MG MW MY MV ML MT MH MR MU MX FM MC MN ME MA MZ MM NA NR
    NP NL NZ NI NE NG MK NO OM PK PW PA PG PY PE PH PL PT QA KR MD RO RU RW KN LC VC WS SM ST
    SA SN RS SC SL SG SK SI SB SO ZA SS ES LK SD SR SE CH SY TJ TH TL TG TO TT TN TR TM TV UG
    UA AE GB TZ US UY UZ VU VE VN YE ZM ZW
    """.split()
)
UN_OBSERVERS = {"VA", "PS"}

#: Normalised labels deliberately shared by several entities (none at present).
ALLOWED_AMBIGUOUS: dict[str, set[str]] = {}

SEED_LABELS: dict[str, tuple[str, set[str]]] = {
    "Russia": ("State", {"Russia", "Moscow", "Kremlin", "the Kremlin", "Russian Federation"}),
    "Ukraine": ("State", {"Ukraine", "Kyiv", "Kiev"}),
    "NATO": ("Alliance", {"NATO", "North Atlantic Alliance", "North Atlantic Treaty Organization"}),
    "Vladimir_Putin": ("Person", {"Vladimir Putin", "Putin"}),
    "Dmitry_Peskov": ("Person", {"Dmitry Peskov", "Peskov"}),
    "Donetsk_Peoples_Republic": (
        "Region",
        {"Donetsk People's Republic", "Donetsk", "DPR", "Donetsk region", "Donetsk Oblast"},
    ),
    "Luhansk_Peoples_Republic": (
        "Region",
        {
            "Luhansk People's Republic", "Lugansk People's Republic", "Lugansk", "Luhansk", "LPR",
            "Luhansk Oblast", "Lugansk region", "Luhansk region",
        },
    ),
    "Zaporizhzhia_Oblast": (
        "Region",
        {
            "Zaporizhzhia Oblast", "Zaporozhye", "Zaporizhzhia", "Zaporozhye region",
            "Zaporizhzhia region", "Zaporozhye Oblast",
        },
    ),
    "Kherson_Oblast": ("Region", {"Kherson Oblast", "Kherson", "Kherson region"}),
    "North_Caucasus": ("Region", {"North Caucasus", "Northern Caucasus"}),
    "Northern_Military_District": ("Region", {"Northern Military District"}),
    "Crimea": ("Region", {"Crimea"}),
}


@pytest.fixture(scope="module")
def graph() -> Graph:
    """All committed reference files in one graph."""
    g = Graph()
    for stem in FILES:
        g.parse(REFERENCE_DIR / f"{stem}.ttl", format="turtle")
    return g


def labels_of(g: Graph, subject: URIRef) -> set[str]:
    """prefLabel, altLabel and demonym values of a subject."""
    return {
        str(o)
        for p in (SKOS.prefLabel, SKOS.altLabel, POL.demonym)
        for o in g.objects(subject, p)
    }


def test_build_is_reproducible(tmp_path: Path) -> None:
    paths = build.main(tmp_path)
    assert sorted(p.name for p in paths) == sorted(f"{stem}.ttl" for stem in FILES)
    for path in paths:
        committed = REFERENCE_DIR / path.name
        assert committed.read_bytes() == path.read_bytes(), f"{path.name} is stale: rerun the build"


def test_files_parse_and_stay_small() -> None:
    total = 0
    for stem in FILES:
        path = REFERENCE_DIR / f"{stem}.ttl"
        Graph().parse(path, format="turtle")
        total += path.stat().st_size
    assert total < 5_000_000


@pytest.mark.parametrize("key", sorted(SEED_LABELS))
def test_seed_entities(graph: Graph, key: str) -> None:
    cls, required = SEED_LABELS[key]
    subject = REF[key]
    assert (subject, RDF.type, POL[cls]) in graph
    missing = required - labels_of(graph, subject)
    assert not missing, f"{key} lacks {sorted(missing)}"


def test_seed_details(graph: Graph) -> None:
    assert str(graph.value(REF.Russia, SKOS.prefLabel)) == "Russia"
    assert Literal("Russian", lang="en") in set(graph.objects(REF.Russia, POL.demonym))
    assert Literal("Ukrainian", lang="en") in set(graph.objects(REF.Ukraine, POL.demonym))
    assert str(graph.value(REF.Russia, POL.iso3166)) == "RU"
    wd = Namespace("http://www.wikidata.org/entity/")
    assert (REF.Russia, OWL.sameAs, wd.Q159) in graph
    assert (REF.NATO, OWL.sameAs, wd.Q7184) in graph
    assert (REF.Vladimir_Putin, OWL.sameAs, wd.Q7747) in graph
    assert (REF.Gaza_Strip, OWL.sameAs, wd.Q39760) in graph
    assert graph.value(REF.Kherson_Oblast, OWL.sameAs) is None  # no QID where the sources carry none
    assert not list(graph.triples((None, POL.wikidata, None))), "plain-string QIDs are gone"
    for entity in (REF.Russia, REF.Vladimir_Putin, REF.NATO, REF.Kherson_Oblast):
        assert graph.value(entity, RDFS.label) == graph.value(entity, SKOS.prefLabel)
    for person, office in (("Vladimir_Putin", "president"), ("Dmitry_Peskov", "spokesperson")):
        assert Literal(office, lang="en") in set(graph.objects(REF[person], POL.office))
        assert (REF[person], POL.speaksFor, REF.Russia) in graph
    for region in ("Donetsk_Peoples_Republic", "Luhansk_Peoples_Republic", "Crimea"):
        assert (REF[region], POL.partOf, REF.Ukraine) in graph
    assert str(graph.value(REF.Donetsk_Peoples_Republic, POL.iso3166)) == "UA-14"
    assert (REF.Northern_Military_District, POL.partOf, REF.Russia) in graph


def test_pref_labels(graph: Graph) -> None:
    expected = {
        "Donetsk_Peoples_Republic": "Donetsk People's Republic",
        "Luhansk_Peoples_Republic": "Luhansk People's Republic",
        "Zaporizhzhia_Oblast": "Zaporizhzhia Oblast",
        "Kherson_Oblast": "Kherson Oblast",
        "Vladimir_Putin": "Vladimir Putin",
        "Dmitry_Peskov": "Dmitry Peskov",
        "United_States": "United States",
    }
    for key, name in expected.items():
        assert str(graph.value(REF[key], SKOS.prefLabel)) == name


def test_no_shared_labels(graph: Graph) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for p in (SKOS.prefLabel, SKOS.altLabel, POL.demonym):
        for s, o in graph.subject_objects(p):
            owners[build.norm_label(str(o))].add(str(s))
    shared = {
        label: keys
        for label, keys in owners.items()
        if len(keys) > 1 and {k.removeprefix(str(REF)) for k in keys} != ALLOWED_AMBIGUOUS.get(label)
    }
    assert not shared, sorted(shared.items())[:20]


def test_no_shared_labels_in_model() -> None:
    entities = build.build_entities()
    shared = {
        label: keys
        for label, keys in build.duplicate_labels(entities).items()
        if set(keys) != ALLOWED_AMBIGUOUS.get(label)
    }
    assert not shared
    assert not build.duplicate_keys(entities)


def test_labels_are_clean(graph: Graph) -> None:
    for p in (SKOS.prefLabel, SKOS.altLabel, POL.demonym, POL.office):
        for o in graph.objects(None, p):
            text = str(o)
            assert text == text.strip() and "  " not in text, repr(text)
            assert unicodedata.normalize("NFC", text) == text, repr(text)
            assert text, "empty label"
    for s in set(graph.subjects(RDF.type, None)):
        assert len(list(graph.objects(s, SKOS.prefLabel))) == 1, s


def test_un_members_and_observers_present(graph: Graph) -> None:
    assert len(UN_MEMBERS) == 193
    state_codes = {
        str(code)
        for s in graph.subjects(RDF.type, POL.State)
        for code in graph.objects(s, POL.iso3166)
    }
    assert UN_MEMBERS <= state_codes
    assert UN_OBSERVERS <= state_codes
    assert {"TW", "XK"} <= state_codes
    for s in graph.subjects(RDF.type, POL.State):
        assert graph.value(s, POL.iso3166) is not None, s


def test_references_resolve(graph: Graph) -> None:
    subjects = set(graph.subjects(RDF.type, None))
    for p in (POL.speaksFor, POL.partOf):
        for s, o in graph.subject_objects(p):
            assert o in subjects, f"{s} {p} {o}"
    assert not build.dangling_references(build.build_entities())


def test_people_have_office_and_principal(graph: Graph) -> None:
    for s in graph.subjects(RDF.type, POL.Person):
        assert graph.value(s, POL.office) is not None, s
        assert graph.value(s, POL.speaksFor) is not None, s


def test_slug() -> None:
    assert build.slug("Donetsk People's Republic") == "Donetsk_Peoples_Republic"
    assert build.slug("Vladimir Putin") == "Vladimir_Putin"
    assert build.slug("United States") == "United_States"
    assert build.slug("Côte d'Ivoire") == "Cote_dIvoire"
    assert build.slug("Guinea-Bissau") == "Guinea_Bissau"


def test_subdivisions_cover_every_country(graph: Graph) -> None:
    import pycountry

    codes = {str(o) for o in graph.objects(None, POL.iso3166)}
    with_subdivisions = {s.country_code for s in pycountry.subdivisions}
    covered = {code.split("-")[0] for code in codes if "-" in code}
    assert with_subdivisions - covered <= {"TW"}  # Taiwan's only ISO code is its state code


def test_duplicate_check_detects_shared_labels() -> None:
    a = build.Entity(name="Georgia", cls="State", labels=["Sakartvelo"])
    b = build.Entity(name="Georgia (United States)", cls="Region", labels=["georgia"])
    assert build.duplicate_labels([a, b]) == {"georgia": ["Georgia", "Georgia_United_States"]}


def test_norm_label() -> None:
    assert build.norm_label("the Kremlin") == build.norm_label("Kremlin")
    assert build.norm_label("U.S.") == build.norm_label("US")
    assert build.norm_label("Élysée") == build.norm_label("Elysee")
    assert build.norm_label("Donetsk People’s Republic") == build.norm_label("Donetsk People's Republic")


def test_subdivision_merge() -> None:
    """A curated region that is also an ISO 3166-2 subdivision is one entity."""
    entities = build.build_entities()
    owners = [e.key for e in entities if "UA-14" in e.iso3166]
    assert owners == ["Donetsk_Peoples_Republic"]
    donetsk = next(e for e in entities if e.key == "Donetsk_Peoples_Republic")
    assert "Donetska oblast" in donetsk.labels
    codes = [code for e in entities for code in e.iso3166]
    assert len(codes) == len(set(codes))


def test_every_reference_entity_has_rdfs_label_and_wikidata_entity_iris(graph: Graph) -> None:
    """Linked-data manners: a generic client finds an rdfs:label beside skos:prefLabel, and
    Wikidata ids are owl:sameAs links to entity IRIs."""
    entities = set(graph.subjects(SKOS.prefLabel, None))
    assert len(entities) > 4000
    for entity in entities:
        assert set(graph.objects(entity, RDFS.label)) == set(graph.objects(entity, SKOS.prefLabel)), entity
    same = list(graph.objects(None, OWL.sameAs))
    assert len(same) > 250
    assert all(str(o).startswith("http://www.wikidata.org/entity/Q") and str(o)[32:].isdigit() for o in same)


def test_terms_of_office_parse_and_reject_malformed_ones() -> None:
    assert build.parse_terms("president:2014-06-07/2019-05-20|prime minister:2020-03-04/", "x") == [
        ("president", "2014-06-07", "2019-05-20"), ("prime minister", "2020-03-04", "")]
    for bad in ("president:2019/2020", "president:2020-01-01/2019-01-01", "2014-06-07/2019-05-20"):
        with pytest.raises(ValueError, match="term"):
            build.parse_terms(bad, "people.csv: X")


def test_office_held_on_a_day() -> None:
    from kg.gazetteer import load_reference

    people = {e.name: e for e in load_reference().entities.values() if e.kind == "person"}
    poroshenko, zelensky = people["Petro Poroshenko"], people["Volodymyr Zelensky"]
    assert poroshenko.holds("president", "2016-05-10") and not zelensky.holds("president", "2016-05-10")
    assert zelensky.holds("president", "2020") and not poroshenko.holds("president", "2020")
    assert zelensky.holds("president") and not poroshenko.holds("president")
    # an office without terms is one held today only
    peskov = people["Dmitry Peskov"]
    assert peskov.holds("spokesperson", "2025-01-01") and not peskov.holds("spokesperson", "2015-01-01")
