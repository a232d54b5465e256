"""The learned sentence decisions: their labels, their features, the shipped classifier, and how
they gate and label the rules' candidates (who, whom, where and the evidence stay the rules')."""

from dataclasses import replace

import pytest

from kg.extract.learned import (
    ACTION_PREFIX, OUTCOME_PREFIX, POSITION, PRECONDITION, STANCE_PREFIX, Thresholds, apply_decisions,
    clause_topic, decide, feature_cues, labels, load_decider, propose_positions, sentence_features,
    sentence_labels,
)
from kg.extract.model import Evidence, Position, Precondition, SentenceDecision
from kg.resources import decisions_model_dir

from conftest import ROOT


def test_learned_labels_leave_unknown_details_missing():
    neither = sentence_labels([], [])
    assert neither == {PRECONDITION: 0.0, POSITION: 0.0}  # action, outcome, stance: missing, not negative
    demand = sentence_labels([{"action": "ceasefire", "for": "negotiations"}], [])
    assert demand[PRECONDITION] == 1.0 and demand[ACTION_PREFIX + "ceasefire"] == 1.0
    assert demand[ACTION_PREFIX + "withdraw_forces"] == 0.0 and demand[OUTCOME_PREFIX + "negotiations"] == 1.0
    assert not any(k.startswith(STANCE_PREFIX) for k in demand)
    both = sentence_labels([{"action": "other", "for": None}], [{"stance": "opposes"}])
    assert both[OUTCOME_PREFIX + "other"] == 1.0  # an outcome the text does not name is "other"
    assert both[STANCE_PREFIX + "opposes"] == 1.0 and both[STANCE_PREFIX + "supports"] == 0.0
    assert set(demand) | set(both) <= set(labels())


def test_learned_features_fold_names_and_add_cue_codes(nlp):
    doc = nlp("Russia demands that Ukraine withdraw its troops. Kyiv does not accept it.")
    first, second = list(doc.sents)
    words = sentence_features(first, None, feature_cues())
    assert "russia" not in words and "ukraine" not in words  # no actor's name is learned
    assert any(w.startswith("ent_") for w in words)
    assert "cue_action_withdraw_forces" in words and "demand" in words
    later = sentence_features(second, first, feature_cues())
    assert "neg_accept" in later and "prev_cue_action_withdraw_forces" in later


@pytest.mark.skipif(not (decisions_model_dir() / "config.cfg").is_file(), reason="no trained classifier (make train)")
def test_learned_shipped_classifier_scores_every_sentence(nlp):
    assert load_decider() is not None
    doc = nlp("Iran will not return to talks until the United States lifts all sanctions.\n"
              "The weather was fine in Vienna on Monday.")
    decisions = decide(list(doc.sents))
    assert len(decisions) == 2
    for d in decisions:
        assert 0.0 <= d.precondition <= 1.0 and 0.0 <= d.position <= 1.0
        assert set(d.action) >= {"lift_sanctions", "other"} and set(d.outcome) >= {"negotiations", "other"}
    assert decisions[0].precondition > decisions[1].precondition


def _decision(pre=0.9, pos=0.1, action=None, outcome=None, stance=None):
    return SentenceDecision(pre, pos, action or {"ceasefire": 0.9, "other": 0.1},
                            outcome or {"negotiations": 0.1, "other": 0.9},
                            stance or {"supports": 0.5, "opposes": 0.5})


PRE = Precondition("d/precondition/1", "Hamas", "Israel", "other", ["Gaza Strip"], "negotiations",
                   Evidence("Hamas said ...", 10, 24), "d/statement/1")
POS = Position("d/position/1", "Egypt", "supports", "a truce", Evidence("Egypt backs a truce.", 30, 50))
ALL_ON = Thresholds(drop_precondition=0.2, as_position=0.5, drop_position=0.1, relabel_action=0.6,
                    relabel_outcome=0.5, flip_stance=0.8)


def test_learned_decisions_label_action_and_outcome_but_keep_roles_and_evidence():
    (pre,), (pos,) = apply_decisions([PRE], [POS], {10: _decision(), 30: _decision(pos=0.9)}, thresholds=ALL_ON)
    assert (pre.action, pre.for_) == ("ceasefire", "other")  # no outcome is invented
    assert replace(pre, action="other", for_="negotiations") == PRE
    assert pos == POS


def test_learned_decisions_drop_or_turn_what_is_no_demand():
    labels_of = {"ceasefire": "ceasefire"}
    pre = replace(PRE, action="ceasefire")
    dropped, kept = apply_decisions([pre], [], {10: _decision(pre=0.05, pos=0.1)}, thresholds=ALL_ON,
                                    labels_of=labels_of)
    assert dropped == [] and kept == []
    none, (turned,) = apply_decisions([pre], [], {10: _decision(pre=0.05, pos=0.8)}, thresholds=ALL_ON,
                                      labels_of=labels_of)
    assert none == [] and (turned.holder, turned.stance, turned.topic) == ("Hamas", "supports", "ceasefire")
    assert turned.evidence == PRE.evidence and turned.id == "d/position/1"


def test_learned_decisions_drop_neither_and_flip_stance():
    assert apply_decisions([], [POS], {30: _decision(pre=0.05, pos=0.05)}, thresholds=ALL_ON)[1] == []
    flipped = apply_decisions([], [POS], {30: _decision(pos=0.9, stance={"supports": 0.1, "opposes": 0.9})},
                              thresholds=ALL_ON)[1]
    assert [p.stance for p in flipped] == ["opposes"]


def test_learned_default_thresholds_leave_unsure_decisions_to_the_rules():
    unsure = {10: _decision(pre=0.05, pos=0.05), 30: _decision(pre=0.05, pos=0.05)}
    pres, poss = apply_decisions([PRE], [POS], unsure)
    assert [p.demander for p in pres] == ["Hamas"] and poss == [POS]
    assert apply_decisions([PRE], [POS], {}) == ([PRE], [POS])  # no decision, nothing changes


def test_learned_clause_topic_reads_past_a_verb_of_saying(nlp):
    (sent,) = nlp("Egypt said it strongly backed the truce talks in Cairo.").sents
    assert "truce talks" in clause_topic(sent)


def test_learned_clause_topic_skips_a_fronted_adverbial_and_dates(nlp):
    (sent,) = nlp("Against that background, the envoy urged an immediate ceasefire in the valley.").sents
    assert "ceasefire" in clause_topic(sent) and "background" not in clause_topic(sent)
    (sent,) = nlp("On Tuesday, Peru warmly welcomed the prisoner exchange.").sents
    assert "prisoner exchange" in clause_topic(sent)
    (sent,) = nlp("In recent phone calls, the minister pressed for the release of the detainees.").sents
    assert "release" in clause_topic(sent) and "calls" not in clause_topic(sent)


def test_learned_proposals_only_where_the_rules_found_nothing_and_a_voice_speaks(nlp):
    sents = list(nlp("The minister said Egypt backed the truce talks.\nEgypt backed the truce talks.\n"
                     "Egypt backed the truce talks.").sents)
    sure = _decision(pre=0.1, pos=0.9, stance={"supports": 0.8, "opposes": 0.2})
    on = Thresholds(propose_position=0.6)
    got = propose_positions(sents, [sure, sure, sure], {0: "egypt", 1: "egypt"}, taken={1}, thresholds=on)
    assert [(n, holder, stance) for n, holder, stance, _ in got] == [(0, "egypt", "supports")]
    assert "truce talks" in got[0][3]
    unsure = _decision(pre=0.1, pos=0.3)
    assert propose_positions(sents, [unsure] * 3, {0: "egypt"}, taken=set(), thresholds=on) == []
    assert propose_positions(sents, [sure] * 3, {0: "egypt"}, taken=set(), thresholds=Thresholds(propose_position=None)) == []


@pytest.mark.skipif(not (decisions_model_dir() / "config.cfg").is_file(), reason="no trained classifier (make train)")
def test_learned_classifier_without_its_tokenizer_scores_the_same(nlp):
    doc = nlp((ROOT / "seeds" / "000_fa41a087500dd9e8.txt").read_text(encoding="utf-8"))
    sents = list(doc.sents)
    whole = load_decider.__wrapped__(tokenizer=True)
    assert len(whole.tokenizer.rules) > 1000 and not load_decider().tokenizer.rules
    assert len(sents) > 5
    assert decide(sents, decider=load_decider()) == decide(sents, decider=whole)
