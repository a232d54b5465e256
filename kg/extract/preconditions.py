"""Preconditions: who demands what of whom, about which regions, for which outcome.

A sentence is a precondition when an action cue matches in it and a condition
marker ("demands", "calls for", "only if", "prerequisites"...) stands in it, or
in the sentence that opens its list ("...several core prerequisites: first, ...";
"Second, ...").
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field

from kg.extract.context import (
    Sentence, coordinated_actors, discourse_subjects, governing_verb, pronoun_subject, subject_span,
)
from kg.extract.cues import CueHit, CueSet
from kg.extract.entities import Entities, Mention
from kg.extract.statements import SPEECH_VERBS, Said

__all__ = ["Demand", "find_preconditions"]

_ENUMERATORS = {"first", "second", "third", "fourth", "fifth", "finally", "also", "lastly",
                "additionally", "moreover", "furthermore", "-", "•", "*", "1", "2", "3", "4", "5"}
_RESULT_WORDS = {"path", "lead", "open", "pave", "result", "pathway", "way", "toward", "towards",
                 "bring", "achieve", "reach", "secure", "clear"}
"""Words that make a ceasefire the outcome ("open the path to a ceasefire"), not the demand."""
_NO_REGIONS = {"renounce_alliance", "neutrality", "lift_sanctions", "hold_elections"}
_NOT_ADDRESSED_TO_ALLIANCES = {"renounce_alliance", "neutrality"}
_CLAUSE_WORDS = {"until", "unless", "if", "provided", "providing", "once"}
"""Words that open the clause saying what the other side must do first ("until the US lifts sanctions")."""
_STRONG = {"precondition", "prerequisite", "condition", "demand", "insist", "until", "unless", "provided",
           "call", "urge", "must",
           "ultimatum", "only"}
"""Markers strong enough to make a demand a precondition even when its action has no code ("other")."""
_PRONOUNS = {"it", "they", "he", "she", "we"}
_ANNOUNCING = {"outline", "set", "list", "present", "announce", "describe", "lay", "spell", "detail",
               "discuss", "name", "put", "state", "explain"}
"""Verbs that announce conditions listed elsewhere ("outlined conditions for peace talks")."""


@dataclass
class Demand:
    demander: str
    addressee: str | None
    action: str
    regions: list[str]
    outcome: str
    sentence: Sentence
    statement: Said | None = None
    anchor: int = 0


@dataclass
class _Cues:
    actions: CueSet
    outcomes: CueSet
    conditions: CueSet
    stages: dict[str, int] = field(default_factory=dict)


def _is_conditional(sent: Sentence, previous: Sentence | None, conditions: CueSet) -> list[CueHit] | None:
    doc = sent.span.doc
    hits = [h for h in conditions.find_longest(sent.span) if doc[h.start].dep_ != "compound"]  # "press secretary"
    if hits:
        return hits
    if previous is None or previous.paragraph != sent.paragraph and previous.span.text.rstrip()[-1:] != ":":
        return None
    first = next((t for t in sent.span if not t.is_space), None)
    opens_list = first is not None and first.lower_ in _ENUMERATORS
    if opens_list and conditions.find_longest(previous.span):
        return []
    return None


def _demanders(sent: Sentence, markers: list[CueHit], entities: Entities) -> list[str]:
    """Who demands: the possessor of a marker noun ("Israel's demand"), else the subject of a
    marker verb or of the sentence, all of a coordination ("Egypt, Greece and France called on ...")."""
    doc = sent.span.doc
    for hit in markers:
        marker = doc[hit.start]
        if marker.pos_ == "NOUN":
            for child in marker.children:
                if child.dep_ == "poss":
                    found = coordinated_actors((child.left_edge.i, child.i + 1), entities)
                    if found:
                        return found
    for verb in [doc[h.start] for h in markers] + [sent.span.root]:
        target = verb if verb.pos_ in ("VERB", "AUX") else verb.head
        span = subject_span(target) if target.pos_ in ("VERB", "AUX") else None
        if span is not None:
            found = coordinated_actors(span, entities)
            if found:
                return found
    return []


def _attributed(sent: Sentence, hits: list[CueHit], demanders: list[str], entities: Entities):
    """Each action with whoever asks for it: "Azerbaijan announced that Armenia must withdraw
    ..., after the United States, Russia and France called for a ceasefire" gives Azerbaijan the
    withdrawal and the three the ceasefire. An action no speaking or demanding verb with a named
    subject governs goes to the sentence's demanders."""
    doc = sent.span.doc
    owned: dict[str, list[CueHit]] = {}
    rest: list[CueHit] = []
    for hit in hits:
        found = None
        for verb in doc[hit.start].ancestors:
            if verb.pos_ == "VERB" and verb.lemma_.lower() in _DEMANDING | SPEECH_VERBS:
                span = subject_span(verb)
                found = coordinated_actors(span, entities) if span is not None else None
                # "NPR reported X recommended ...": an outlet reports, it does not demand
                found = [k for k in found or () if entities.records[k].linked or entities.records[k].kind != "organization"]
                if found:
                    break
        if found:
            for key in found:
                owned.setdefault(key, []).append(hit)
        else:
            rest.append(hit)
    if not owned:
        return [(demander, hits) for demander in demanders]
    for demander in demanders:
        owned.setdefault(demander, [])
    return [(key, own + rest) for key, own in owned.items() if own + rest or not hits]


def _speaker_before(sent: Sentence, said: list[Said], entities: Entities) -> Said | None:
    best = None
    for s in said:
        if s.sentence.index <= sent.index and s.sentence.index >= sent.index - 3:
            best = s
    return best


def _addressee(sent, hit: CueHit, entities: Entities, demander: str | None, action: str,
               sents: list[Sentence]) -> str | None:
    def usable(m: Mention) -> bool:
        record = entities.records[m.key]
        key = entities.political(m.key)
        if key == demander:
            return False
        if action in _NOT_ADDRESSED_TO_ALLIANCES and record.kind == "alliance":
            return False
        return record.kind is not None

    addressed = _addressed_object(sent)
    if addressed is not None:
        # "called on all foreign forces to withdraw": whoever the call names, actor or not
        inside = [m for m in entities.actors_in(*addressed) if usable(m)]
        return entities.political(inside[0].key) if inside else None
    mentions = [m for m in entities.actors_in(sent.start, sent.end) if usable(m)]
    if mentions:
        mentions.sort(key=lambda m: (m.how != "demonym", abs(m.tok_start - hit.start)))
        return entities.political(mentions[0].key)
    wanted = ("armed_group",) if action in _GROUP_ACTIONS else ("state", "government")
    for other in reversed(sents[: sent.index]):
        if other.paragraph != sent.paragraph:
            break
        candidates = [m for m in entities.actors_in(other.start, other.end)
                      if usable(m) and entities.records[entities.political(m.key)].kind in wanted]
        if candidates:
            return entities.political(candidates[-1].key)
    return None


_ADDRESSING = {"call", "urge", "press", "ask", "appeal"}
_DEMANDING = _ADDRESSING | {"demand", "insist", "want", "expect", "require", "recommend", "advise", "propose", "seek",
                           "push"}
"""Verbs whose subject asks for what they govern (:func:`_attributed`)."""
_GROUP_ACTIONS = {"ceasefire", "release_prisoners", "disarm_group"}
"""Demands most often made of armed groups: when the sentence names no one, look for a group first."""


def _also_addressed(sent: Sentence, entities: Entities, addressee: str | None, demander: str,
                    co_demanders: set[str]) -> list[str]:
    """The others a call names with the addressee: "to call on Hizbullah and Israel to pull back"."""
    addressed = _addressed_object(sent)
    if addressee is None or addressed is None:
        return []
    doc = sent.span.doc
    head = doc[addressed[1] - 1]
    out = []
    for token in head.conjuncts:
        for m in entities.actors_in(token.left_edge.i, token.i + 1):
            key = entities.political(m.key)
            if key not in (addressee, demander) and key not in co_demanders and entities.records[key].kind:
                out.append(key)
                break
    return list(dict.fromkeys(out))


def _addressed_object(sent: Sentence) -> tuple[int, int] | None:
    """The token range of whom a call is addressed to ("urged *the parties* to"), if the sentence has one."""
    for token in sent.span:
        if token.lemma_.lower() not in _ADDRESSING or token.pos_ != "VERB":
            continue
        for child in token.children:
            if child.dep_ == "dobj" and any(c.dep_ in ("xcomp", "acl") for c in child.children) or (
                child.dep_ == "dobj" and any(c.dep_ == "xcomp" for c in token.children)
            ):
                return child.left_edge.i, child.i + 1
            if child.dep_ == "prep" and child.lower_ in ("on", "upon"):
                for pobj in child.children:
                    if pobj.dep_ == "pobj":
                        return pobj.left_edge.i, pobj.i + 1
    return None


def _outcome(sent: Sentence, sents: list[Sentence], cues: _Cues, action_tokens: set[int]) -> str:
    def stage_of(hits):
        codes = [h.code for h in hits if action_tokens.isdisjoint(range(h.start, h.end))]
        return min(codes, key=lambda c: cues.stages.get(c, 9)) if codes else None

    found = stage_of(cues.outcomes.find_longest(sent.span))
    if found:
        return found
    # the outcome named where the conditions are announced ("conditions for peace talks",
    # "meeting these conditions would open the path to a ceasefire"), in the same paragraph
    window = [s for s in sents if s.paragraph == sent.paragraph and s.index != sent.index
              and cues.conditions.find_longest(s.span)]
    hits = [h for s in window for h in cues.outcomes.find_longest(s.span)]
    return stage_of(hits) or "other"


def find_preconditions(sents: list[Sentence], entities: Entities, cues: _Cues,
                       said: list[Said], *, skip: set[int] = frozenset(),
                       subjects: dict[int, list[str]] | None = None) -> list[Demand]:
    """The demands of the document, merged per (demander, addressee, action); ``subjects`` are
    the :func:`~kg.extract.context.discourse_subjects`, computed if not given."""
    merged: dict[tuple, Demand] = {}
    if subjects is None:
        subjects = discourse_subjects(sents, entities)
    armed = _armed(entities)
    for position, sent in enumerate(sents):
        if sent.index in skip:
            continue
        previous = sents[position - 1] if position else None
        markers = _is_conditional(sent, previous, cues.conditions)
        if markers is None:
            continue
        regions = entities.regions_in(sent.start, sent.end)
        alliances = [m for m in entities.actors_in(sent.start, sent.end)
                     if entities.records[m.key].kind == "alliance"]
        marks = {
            "REGION": [i for m in regions for i in m.tokens()],
            "ALLIANCE": [i for m in alliances for i in m.tokens()],
            "DEMONYM": [i for m in entities.actors_in(sent.start, sent.end) if m.how == "demonym"
                        and sent.span.doc[m.tok_end - 1].head.lemma_.lower() in _MILITARY_NOUNS for i in m.tokens()],
            "ARMED": [i for m in entities.actors_in(sent.start, sent.end) if m.key in armed for i in m.tokens()],
        }
        hits = [h for h in cues.actions.find(sent.span, marks)
                if not (h.code == "ceasefire" and (_is_result(sent.span.doc[h.start]) or _violated(sent.span.doc[h.start]))
                        or h.code == "neutrality" and _humanitarian_principle(sent.span.doc[h.start])
                        or h.code == "return_territory" and _returning_to(sent.span.doc[h.start]))]
        hits = _parties_laying_down_arms(sent, hits)
        clause_verb = _condition_clause(sent)
        clause: set[int] = set()
        if clause_verb is not None:
            clause = {t.i for t in clause_verb.subtree}
            inside = [h for h in hits if h.start in clause]
            hits = inside or hits
            regions = [m for m in regions if m.tok_start in clause] or regions
        statement = _speaker_before(sent, said, entities)
        earlier = subjects.get(position - 1, [])
        if clause_verb is not None:
            demander = _clause_subject(clause_verb.head, entities, earlier[0] if earlier else None)
            demanders = [demander] if demander else []
        else:
            demanders = _demanders(sent, markers, entities)
        if not demanders and pronoun_subject(sent):
            demanders = list(earlier)
        if not demanders and statement is not None:
            demanders = [entities.political(statement.speaker)]
        for demander, own in _attributed(sent, hits, demanders, entities):
            _demands_of(demander, sent, sents, entities, cues, markers, own, clause_verb, clause,
                        regions, statement, merged, co_demanders=set(demanders))
    return list(merged.values())


def _demands_of(demander, sent, sents, entities, cues, markers, hits, clause_verb, clause, regions,
                statement, merged, *, co_demanders: set[str] = frozenset()) -> None:
    """Record the demands ``demander`` makes in ``sent`` (one per action); those who demand
    together ("the UN and the OSCE called on all parties") are never each other's addressee."""
    if not hits:
        strong = any(
            sent.span.doc[h.start].lemma_.lower() in _STRONG and not _announced(sent.span.doc[h.start])
            for h in markers or ()
        )
        addressee = _clause_subject(clause_verb, entities, None) if clause_verb is not None else None
        if addressee is None and strong:
            anchor = markers[0] if markers else None
            addressee = _addressee(sent, anchor or CueHit("other", sent.start, sent.start + 1),
                                   entities, demander, "other", [])
        if strong and addressee is not None and addressee != demander:
            at = clause_verb.i if clause_verb is not None else markers[0].start
            hits = [CueHit("other", at, at + 1)]
        else:
            return
    hits = _one_per_code(hits)
    action_tokens = {i for h in hits for i in range(h.start, h.end)}
    outcome = _outcome(sent, sents, cues, action_tokens | clause)
    for hit in hits:
        if hit.code == outcome == "ceasefire":
            outcome = "other"  # a ceasefire demanded for its own sake
        addressee = None
        if clause_verb is not None:
            addressee = _clause_subject(clause_verb, entities, None)
        if addressee is None or addressee == demander:
            addressee = _action_subject(sent.span.doc[hit.start], entities, demander, hit.code)
        if addressee is None:
            addressee = _addressee(sent, hit, entities, demander, hit.code, sents)
        if addressee in co_demanders:
            addressee = None
        for also in _also_addressed(sent, entities, addressee, demander, co_demanders):
            _record_demand(merged, demander, also, hit, hits, regions, sent, sents, entities, outcome, statement)
        _record_demand(merged, demander, addressee, hit, hits, regions, sent, sents, entities, outcome, statement)


def _record_demand(merged, demander, addressee, hit, hits, regions, sent, sents, entities, outcome, statement):
    """Add one demand to ``merged``, or add its regions to the same demand met before."""
    owned = [m for m in regions if hit.code not in _NO_REGIONS and _owner(m, hits) == hit]
    if not owned and hit.code in _PLACE_ACTIONS:
        owned = _regions_before(sent, sents, entities)
    names = [m.key for m in owned]
    key = (demander, addressee, hit.code)
    if key in merged:
        for name in names:
            if name not in merged[key].regions:
                merged[key].regions.append(name)
        return
    merged[key] = Demand(demander, addressee, hit.code, list(dict.fromkeys(names)), outcome,
                         sent, statement, hit.start)


_PLACE_ACTIONS = {"withdraw_forces", "ceasefire", "humanitarian_access", "return_territory", "demilitarization"}
"""Actions that happen somewhere: with no place in the sentence, the one just named is meant."""


def _regions_before(sent: Sentence, sents: list[Sentence], entities: Entities) -> list:
    """The regions of the closest earlier sentence of the paragraph that names one (two back at most)."""
    for other in reversed(sents[max(0, sent.index - 2): sent.index]):
        if other.paragraph != sent.paragraph:
            break
        found = [m for m in entities.regions_in(other.start, other.end) if entities.records[m.key].linked]
        if found:
            return found
    return []


def _announced(token) -> bool:
    """Is this marker the object of a verb that announces conditions ("outlined conditions")?"""
    return token.pos_ == "NOUN" and token.dep_ in ("dobj", "pobj") and token.head.lemma_.lower() in _ANNOUNCING


def _condition_clause(sent: Sentence):
    """The verb of the clause that says what must happen first ("until the US *lifts*"), or None."""
    for token in sent.span:
        word = token.lower_
        if word not in _CLAUSE_WORDS and not (word == "as" and token.nbor(1).lower_ == "long" if token.i + 1 < len(token.doc) else False):
            continue
        if word in ("provided", "providing"):
            for child in token.children:
                if child.dep_ in ("ccomp", "advcl") and child.pos_ in ("VERB", "AUX"):
                    return child
        head = token.head
        if token.dep_ in ("mark", "advmod", "prep") and head.pos_ in ("VERB", "AUX") and head is not sent.span.root:
            return head
        if word == "as":
            for other in sent.span[token.i - sent.start:]:
                if other.dep_ == "mark" and other.head.pos_ in ("VERB", "AUX"):
                    return other.head
    return None


def _clause_subject(verb, entities: Entities, fallback: str | None) -> str | None:
    """The political actor who is the subject of ``verb``; pronouns resolve to the reporting verb's subject."""
    for _ in range(4):
        if verb is None:
            return None
        span = subject_span(verb)
        if span is not None:
            mentions = entities.actors_in(*span)
            if mentions:
                return entities.political(mentions[0].key)
            doc = verb.doc
            words = doc[span[0]:span[1]]
            if len(words) == 1 and words[0].lower_ in _PRONOUNS:
                if verb.head is verb:
                    return fallback
                verb = verb.head
                continue
        return None
    return None


def _action_subject(token, entities: Entities, demander: str | None, action: str) -> str | None:
    """Who is to do the action: the subject of its verb ("that *Kyiv* renounce"), or for a
    noun the actor that qualifies it ("an immediate *Israeli* withdrawal", "withdrawal *of Israel*")."""
    def usable(mention) -> str | None:
        record = entities.records[mention.key]
        key = entities.political(mention.key)
        if key == demander or (action in _NOT_ADDRESSED_TO_ALLIANCES and record.kind == "alliance"):
            return None
        return key

    if token.pos_ in ("NOUN", "PROPN"):
        for child in token.children:
            if child.dep_ in ("amod", "poss", "compound", "nmod") or (
                child.dep_ == "prep" and child.lower_ in ("of", "by")
            ):
                for mention in entities.actors_in(child.left_edge.i, child.right_edge.i + 1):
                    key = usable(mention)
                    if key:
                        return key
        if token.dep_ not in ("dobj", "xcomp", "ccomp"):
            return None
    verb = governing_verb(token, hops=4)
    if verb is None:
        return None
    span = subject_span(verb)
    if span is None:
        return None
    for mention in entities.actors_in(*span):
        record = entities.records[mention.key]
        key = entities.political(mention.key)
        if key == demander or (action in _NOT_ADDRESSED_TO_ALLIANCES and record.kind == "alliance"):
            continue
        return key
    return None


def _violated(token) -> bool:
    """Is this ceasefire one that was broken ("violations of the ceasefire agreement", "ceasefire
    violations")? Reports of violations are news, not a demand for a ceasefire."""
    for _ in range(3):
        if token.lemma_.lower() in ("violation", "breach", "violate"):
            return True
        if token.head.i == token.i:
            return False
        token = token.head
    return token.lemma_.lower() in ("violation", "breach", "violate")


def _is_result(token) -> bool:
    """Is this word the result of something ("the path to a ceasefire")?"""
    for _ in range(4):
        if token.head.i == token.i:
            return False
        token = token.head
        if token.lemma_.lower() in _RESULT_WORDS:
            return True
    return False


_MILITARY_NOUNS = {"withdrawal", "pullout", "pull-out", "troop", "force", "soldier", "army", "presence", "military",
                   "contingent", "unit"}
"""What a people's adjective must modify to stand for armed forces ("an Israeli withdrawal", "US troops"),
not "U.S. President"."""

_ARMED_NAME = re.compile(r"\b(mission|force|forces|army|peacekeep\w*|brigade|militia)\b", re.IGNORECASE)


def _armed(entities: Entities) -> set[str]:
    """The armed groups, armies and peace missions of the document ("the withdrawal of MONUSCO",
    "of the Kosovo Force"): an organisation counts when one of its mentions names a force."""
    named_as_force = {m.key for m in entities.actor_mentions if _ARMED_NAME.search(m.text)}
    return {key for key, record in entities.records.items()
            if record.kind == "armed_group" or record.kind == "organization" and key in named_as_force}


def _parties_laying_down_arms(sent: Sentence, hits: list[CueHit]) -> list[CueHit]:
    """ "called on all parties to the conflict to lay down their weapons": when every side is asked,
    laying down arms is a ceasefire; disarm_group is one armed group giving up its weapons."""
    addressed = _addressed_object(sent)
    if addressed is None or not any(h.code == "disarm_group" for h in hits):
        return hits
    head = sent.span.doc[addressed[1] - 1]
    if head.lemma_.lower() not in ("party", "side") or head.ent_type_:
        return hits
    return [CueHit("ceasefire", h.start, h.end) if h.code == "disarm_group" else h for h in hits]


def _returning_to(token) -> bool:
    """ "return to negotiations": going back to something, not handing territory back."""
    return token.lemma_.lower() == "return" and any(c.dep_ == "prep" and c.lower_ == "to" for c in token.children) \
        and not any(c.dep_ == "dobj" for c in token.children)


_AID_PRINCIPLES = {"humanity", "impartiality", "independence"}


def _humanitarian_principle(token) -> bool:
    """ "humanity, impartiality, neutrality and independence": the principles of aid, not a status."""
    return any(c.lemma_.lower() in _AID_PRINCIPLES for c in token.conjuncts)


def _one_per_code(hits: list[CueHit]) -> list[CueHit]:
    seen: dict[str, CueHit] = {}
    for hit in sorted(hits, key=lambda h: h.start):
        seen.setdefault(hit.code, hit)
    return sorted(seen.values(), key=lambda h: h.start)


def _owner(mention: Mention, hits: list[CueHit]) -> CueHit:
    """The action a region belongs to: the nearest one before it, else the first."""
    before = [h for h in hits if h.start <= mention.tok_start]
    return before[-1] if before else hits[0]
