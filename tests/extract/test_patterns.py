"""Surface forms of statements, positions and preconditions across conflicts.

Each sentence is written for the pattern it tests; none comes from the gold sets.
"""

import pytest

from kg.api import extract_text


def _pre(x):
    return {(p.demander, p.addressee, p.action) for p in x.preconditions}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Iran will not return to negotiations until the United States lifts all sanctions, "
         "Foreign Minister Abbas Araghchi said.", {("Iran", "United States", "lift_sanctions")}),
        ("Azerbaijan insists that Armenia must withdraw its troops from Nagorno-Karabakh before a peace "
         "treaty can be signed.", {("Azerbaijan", "Armenia", "withdraw_forces")}),
        ("Hamas said it would release the hostages only if Israel agreed to a permanent ceasefire and "
         "withdrew its forces from Gaza.",
         {("Hamas", "Israel", "ceasefire"), ("Hamas", "Israel", "withdraw_forces")}),
        ("Moscow demands that Kyiv renounce NATO membership and adopt neutral status before any peace talks.",
         {("Russia", "Ukraine", "renounce_alliance"), ("Russia", "Ukraine", "neutrality")}),
        ("India insists Pakistan must end cross-border terrorism before any dialogue.",
         {("India", "Pakistan", "other")}),
    ],
)
def test_patterns_preconditions(nlp, text, expected):
    assert _pre(extract_text(text)) == expected


def test_patterns_condition_clause_gives_outcome_and_regions(nlp):
    x = extract_text("Iran will not return to negotiations until the United States lifts all sanctions.")
    assert [p.for_ for p in x.preconditions] == ["negotiations"]
    x = extract_text("The Houthis said they would halt their raids on shipping as long as Israel stops its offensive in Gaza.")
    (pre,) = x.preconditions
    assert (pre.demander, pre.addressee, pre.action, pre.regions) == ("Houthis", "Israel", "ceasefire", ["Gaza Strip"])


def test_patterns_result_ceasefire_is_an_outcome_not_a_demand(nlp):
    x = extract_text("Russia demands that Ukraine withdraw its forces from Kherson; meeting this condition "
                     "would open the path to a ceasefire.")
    assert {(p.action, p.for_) for p in x.preconditions} == {("withdraw_forces", "ceasefire")}


def test_patterns_announced_conditions_are_not_a_demand(nlp):
    x = extract_text("On Friday, the Russian president outlined conditions for peace talks with Kyiv.")
    assert x.preconditions == []


@pytest.mark.parametrize(
    "text, holder, stance, topic_word",
    [
        ("Serbia will never recognize Kosovo's independence.", "Serbia", "opposes", "independence"),
        ("Israel rejects the proposal.", "Israel", "opposes", "proposal"),
        ("China strongly supports the peace plan.", "China", "supports", "plan"),
        ("Kremlin spokesman Dmitry Peskov said Russia favours a negotiated settlement.", "Russia", "supports", "settlement"),
    ],
)
def test_patterns_positions(nlp, text, holder, stance, topic_word):
    x = extract_text(text)
    assert any(p.holder == holder and p.stance == stance and topic_word in p.topic for p in x.positions), x.positions


def test_patterns_statement_speaker_date_and_via(nlp):
    x = extract_text("Moscow wants talks, Kremlin spokesman Dmitry Peskov told the TASS news agency on Friday.",
                     published="2024-06-16")
    (s,) = x.statements
    assert (s.speaker, s.date) == ("Dmitry Peskov", "2024-06-14")
    assert s.via and "TASS" in s.via


def test_patterns_spokesperson_speaks_for_state(nlp):
    x = extract_text("Kremlin spokesman Dmitry Peskov said Russia rejects the ultimatum.")
    assert x.actor("Dmitry Peskov").speaks_for == "Russia"
    assert all(p.holder == "Russia" for p in x.positions)


def test_patterns_pronoun_he_is_the_last_person(nlp):
    x = extract_text("Volodymyr Zelensky met the press in Kyiv. He said Ukraine would never give up Crimea.")
    assert [s.speaker for s in x.statements] == ["Volodymyr Zelensky"]


def test_patterns_minsk_agreements_do_not_make_belarus_an_actor(nlp):
    x = extract_text("Both sides said the Minsk agreements remain the basis for a settlement.")
    assert "Belarus" not in {a.name for a in x.actors}
