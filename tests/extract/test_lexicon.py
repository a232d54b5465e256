"""The word lists and cue phrases are data, checked as they are read."""

from __future__ import annotations

import time

import pytest

from kg.errors import DataFileError
from kg.extract.lexicon import load_lexicon
from kg.gazetteer import load_vocabulary


def _write(tmp_path, text, name="words.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_lexicon_real_files_load_and_are_cached():
    lexicon = load_lexicon()
    assert "say" in lexicon.words("speech_verbs")
    assert lexicon.mapping("titles")["foreign secretary"] == "foreign minister"
    start = time.perf_counter()
    assert load_lexicon() is lexicon
    assert time.perf_counter() - start < 0.01


@pytest.mark.parametrize(
    "text, line, reason",
    [
        ("list,word\nx,a,\n", 1, "header must be"),
        ("list,entry,value\nspeech_verbs,say\n", 2, "expected 3 fields"),
        ("list,entry,value\nspeech_verbs,Say,\n", 2, "must be lower case"),
        ("list,entry,value\n# a comment\nspeech_verbs,say,\nspeech_verbs,say,\n", 4, "repeated"),
        ("list,entry,value\nSpeech-Verbs,say,\n", 2, "bad list name"),
        ("list,entry,value\nspeech_verbs, say,\n", 2, "stray spaces"),
        ("list,entry,value\nspeech_verbs,,\n", 2, "empty"),
    ],
)
def test_lexicon_malformed_entry_names_file_and_line(tmp_path, text, line, reason):
    path = _write(tmp_path, text)
    with pytest.raises(DataFileError) as info:
        load_lexicon((path,))
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert reason in str(info.value)


def test_lexicon_list_defined_twice_or_missing(tmp_path):
    one = _write(tmp_path, "list,entry,value\nverbs,say,\n", "a.csv")
    two = _write(tmp_path, "list,entry,value\nverbs,tell,\n", "b.csv")
    with pytest.raises(DataFileError, match=r"b\.csv:2: list 'verbs' is already defined"):
        load_lexicon((one, two))
    with pytest.raises(DataFileError, match="no word list 'nouns'"):
        load_lexicon((one,)).words("nouns")


def test_lexicon_unknown_cue_mark_names_file_and_line(tmp_path):
    path = _write(tmp_path, """@prefix pol:  <https://w3id.org/polkg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix act:  <https://w3id.org/polkg/vocab/action/> .

act:withdraw_forces a skos:Concept ; skos:inScheme act: ; skos:notation "withdraw_forces" ;
    skos:prefLabel "withdraw forces"@en ;
    pol:cue "withdraw + @PLACE" .
""", "actions.ttl")
    with pytest.raises(DataFileError) as info:
        load_vocabulary((path,))
    assert str(info.value) == (f"{path}:7: withdraw_forces: unknown cue mark '@PLACE' "
                               "(known: @ALLIANCE, @ARMED, @DEMONYM, @REGION)")


def test_lexicon_empty_cue_alternative_is_an_error(tmp_path):
    path = _write(tmp_path, """@prefix pol:  <https://w3id.org/polkg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix st:   <https://w3id.org/polkg/vocab/stance/> .
st:supports a skos:Concept ; skos:inScheme st: ; skos:notation "supports" ; skos:prefLabel "supports"@en ;
    pol:cue "support||back" .
""", "stances.ttl")
    with pytest.raises(DataFileError, match=r"stances\.ttl:5: supports: empty alternative"):
        load_vocabulary((path,))
