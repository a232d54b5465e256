"""The seed article: everything of the contract's seed gold is found."""

import json
from pathlib import Path

import jsonschema
import pytest

from conftest import CONTRACTS, SEED


def test_extract_seed_actors(seed_extraction):
    names = {a.name: a for a in seed_extraction.actors}
    assert set(names) == {"Russia", "Ukraine", "NATO", "Vladimir Putin", "Dmitry Peskov"}
    russia_forms = {m.text for m in names["Russia"].mentions}
    assert {"Russia", "Moscow", "Kremlin"} <= russia_forms
    assert "Kyiv" in {m.text for m in names["Ukraine"].mentions}
    assert "North Atlantic Alliance" in {m.text for m in names["NATO"].mentions}
    assert "the President" in {m.text for m in names["Vladimir Putin"].mentions}
    assert names["Russia"].wikidata == "Q159"


def test_extract_seed_regions_split_the_coordination(seed_extraction):
    regions = {r.name for r in seed_extraction.regions}
    assert {"Donetsk People's Republic", "Luhansk People's Republic", "Zaporizhzhia Oblast",
            "Kherson Oblast", "North Caucasus", "Northern Military District"} == regions


def test_extract_seed_preconditions(seed_extraction):
    found = {(p.demander, p.addressee, p.action): p for p in seed_extraction.preconditions}
    assert set(found) == {("Russia", "Ukraine", "withdraw_forces"), ("Russia", "Ukraine", "renounce_alliance")}
    withdraw = found[("Russia", "Ukraine", "withdraw_forces")]
    assert set(withdraw.regions) == {"Donetsk People's Republic", "Luhansk People's Republic",
                                     "Zaporizhzhia Oblast", "Kherson Oblast"}
    assert withdraw.for_ == "ceasefire"
    assert found[("Russia", "Ukraine", "renounce_alliance")].regions == []


def test_extract_seed_statements_and_positions(seed_extraction):
    assert {s.speaker for s in seed_extraction.statements} == {"Dmitry Peskov", "Vladimir Putin"}
    assert any(p.holder == "Russia" and p.stance == "supports" and "negotiations" in p.topic
               for p in seed_extraction.positions)


def test_extract_seed_provenance_points_at_the_quote(seed_extraction):
    text = SEED.read_text(encoding="utf-8")
    assertions = seed_extraction.statements + seed_extraction.positions + seed_extraction.preconditions
    assert assertions
    for a in assertions:
        assert text[a.evidence.start:a.evidence.end] == a.evidence.quote
    for entity in seed_extraction.actors + seed_extraction.regions:
        for m in entity.mentions:
            assert text[m.start:m.end] == m.text


def test_extract_seed_json_validates_against_contract(seed_extraction):
    schema = json.loads((CONTRACTS / "extraction.schema.json").read_text(encoding="utf-8"))
    data = json.loads(json.dumps(seed_extraction.to_dict()))
    jsonschema.validate(data, schema)
    actor_names = {a["name"] for a in data["actors"]}
    region_names = {r["name"] for r in data["regions"]}
    for p in data["preconditions"]:
        assert p["demander"] in actor_names and (p["addressee"] is None or p["addressee"] in actor_names)
        assert set(p["regions"]) <= region_names
    for s in data["statements"]:
        assert s["speaker"] in actor_names


def test_extract_roundtrips_through_json(seed_extraction):
    from kg.extract.model import Extraction

    assert Extraction.from_dict(json.loads(json.dumps(seed_extraction.to_dict()))) == seed_extraction


def test_contracts_copy_matches_shared():
    shared = Path(__file__).resolve().parents[3] / "shared" / "contracts"
    if not shared.is_dir():
        pytest.skip("no shared contracts folder beside this checkout to compare with")
    for path in CONTRACTS.iterdir():
        assert path.read_bytes() == (shared / path.name).read_bytes(), f"{path.name} drifted from the contract"
