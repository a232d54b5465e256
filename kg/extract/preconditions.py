"""Preconditions: who demands what of whom, about which regions, for which outcome.

A sentence is a precondition when an action cue matches in it and a condition
marker ("demands", "calls for", "only if", "prerequisites"...) stands in it, or
in the sentence that opens its list ("...several core prerequisites: first, ...";
"Second, ...").
"""

from __future__ import annotations

import functools
import re

from dataclasses import dataclass, field

from kg.extract.context import (
    PARAGRAPH_REACH, Sentence, coordinated_actors, discourse_subjects, governing_verb, subject_span,
)
from kg.extract.cues import CueHit, CueSet
from kg.extract.entities import Entities
from kg.extract.held import Held
from kg.extract.roles import RoleContext
from kg.extract.roles import addressee as addressee_role
from kg.extract.roles import demander as demander_role
from kg.extract.roles import regions as region_role
from kg.extract.roles.clauses import ADDRESSING, addressed_object, clause_subject, conditioned_verb, obliged
from kg.extract.statements import SPEECH_VERBS, Said
from kg.extract.lexicon import words

__all__ = ["Demand", "find_preconditions", "calls_as_positions"]

_ENUMERATORS = words("enumerators")
_RESULT_WORDS = words("result_words")
"""Words that make a ceasefire the outcome ("open the path to a ceasefire"), not the demand."""
_CLAUSE_WORDS = words("clause_words")
"""Words that open the clause saying what the other side must do first ("until the US lifts sanctions")."""
_STRONG = words("strong")
"""Markers strong enough to make a demand a precondition even when its action has no code ("other")."""
_ANNOUNCING = words("preconditions_announcing")
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
    tied: bool = True
    """Does the text tie the demand to an outcome? A call that names none is its caller's position."""
    asked: str = ""
    """What is asked for, as a topic phrase, for when the demand is a position."""


@dataclass
class _Cues:
    actions: CueSet
    outcomes: CueSet
    conditions: CueSet
    stages: dict[str, int] = field(default_factory=dict)


def _is_conditional(sent: Sentence, previous: Sentence | None, conditions: CueSet) -> list[CueHit] | None:
    doc = sent.span.doc
    # "press secretary", "the Associated Press": part of a name, no demand
    found = [h for h in conditions.find_longest(sent.span)
             if doc[h.start].dep_ != "compound" and doc[h.start].pos_ != "PROPN"]
    hits = [h for h in found if not _negated_marker(doc[h.start]) and _asks_someone(doc[h.start])
            and not _state_of_things(doc[h.start]) and not _open_ended(doc[h.start])
            and not (doc[h.start].dep_ == "prep" and doc[h.start].lower_ in _CLAUSE_WORDS and _time_only(doc[h.start]))]
    if hits:
        return hits
    if found:
        return None  # "did not demand", "asked about": no demand made
    for token in sent.span:
        if token.lower_ in _WITHHOLDING_WORDS and _withheld_before(token) is not None:
            return [CueHit("condition", token.i, token.i + 1)]  # "no talks before ..."
    if previous is None or previous.paragraph != sent.paragraph and previous.span.text.rstrip()[-1:] != ":":
        return None
    first = next((t for t in sent.span if not t.is_space), None)
    opens_list = first is not None and first.lower_ in _ENUMERATORS
    if opens_list and conditions.find_longest(previous.span):
        return []
    return None


_ASKING_WITH_OBJECT = words("asking_with_object")
"""Verbs that are a demand only when they name who is to act and what ("asked Morocco to withdraw")."""
_NEGATORS = words("negators")


def _negated_marker(token) -> bool:
    """ "Russia did not demand ...", "never called for ...": a demand denied is none."""
    verb = token if token.pos_ in ("VERB", "AUX") else None
    return verb is not None and any(c.dep_ == "neg" or c.lower_ in _NEGATORS and c.dep_ == "advmod"
                                    for c in verb.children)


def _asks_someone(token) -> bool:
    """An asking verb ("ask", "plead") makes a demand with an object and a clause of what to do:
    "asked the EU to impose sanctions", "pleaded with Chile to halt ..."."""
    if token.lemma_.lower() not in _ASKING_WITH_OBJECT or token.pos_ != "VERB":
        return True
    has_clause = any(_to_clause(c) for c in token.children) or any(
        c.dep_ == "dobj" and any(g.dep_ in ("xcomp", "acl") for g in c.children) for c in token.children)
    return has_clause


_SETTING = {"set", "meet", "impose", "put", "lay", "accept", "reject", "fulfil", "fulfill", "satisfy", "attach",
            "create", "name", "list", "outline", "spell", "agree"}


def _state_of_things(token) -> bool:
    """Is a "condition" noun a state of things ("humanitarian conditions", "living conditions")
    rather than a condition set: it has no complement ("conditions for talks", "on condition
    that"), is not set or met by anyone, and stands in no "as a condition"?"""
    if token.lemma_.lower() != "condition" or token.pos_ != "NOUN":
        return False
    if any(c.dep_ in ("prep", "acl", "relcl", "ccomp") and c.lower_ not in ("in", "at", "across") for c in token.children):
        return False
    head = token.head
    if token.dep_ == "pobj" and head.lower_ in ("on", "as", "under", "without"):
        return False
    return not (token.dep_ in ("dobj", "nsubjpass") and head.lemma_.lower() in _SETTING)


def _to_clause(token) -> bool:
    """A clause of what someone is to do: "urged X *to talk*", "demanded that ...", and the
    parser's adverbial reading of "pleaded with X *to halt*"."""
    return token.dep_ in ("xcomp", "ccomp") or token.dep_ == "advcl" and any(
        c.dep_ == "aux" and c.lower_ == "to" for c in token.children)


_DEMAND_NOUNS = words("demand_nouns")
_REFUSING = words("refusing")
_GRANTING = words("granting")
"""Verbs that grant a demand; negated ("would not meet the demands") they refuse it."""


def _refusal_of(noun):
    """The verb by which someone refuses the demand the noun names, or None: "rejected calls",
    "would not meet the demands", "refused to accept the demand", "will not give in to demands"."""
    if noun.lemma_.lower() not in _DEMAND_NOUNS or noun.pos_ != "NOUN":
        return None
    head = noun.head
    if noun.dep_ == "pobj":
        head = head.head  # "give in to the demands", "bow to demands"
    for _ in range(3):
        if head.pos_ not in ("VERB", "AUX"):
            return None
        lemma = head.lemma_.lower()
        negated = any(c.dep_ == "neg" or c.lower_ in _NEGATORS for c in head.children)
        if lemma in _REFUSING and not negated or lemma in _GRANTING and negated:
            return head
        if lemma in _GRANTING and head.dep_ == "xcomp" and head.head.lemma_.lower() in _REFUSING:
            return head.head  # "refused to accept the demand"
        if head.dep_ not in ("xcomp", "conj") or head.head is head:
            return None
        head = head.head
    return None


def _call_owners(noun, entities: Entities) -> list[str]:
    """Who made the demand a noun names: its possessor ("the rebels' demands"), or the actor
    after "by" or "from" ("calls by Belarus's rulers", "demands from Athens")."""
    for child in noun.children:
        if child.dep_ == "poss":
            found = coordinated_actors((child.left_edge.i, child.i + 1), entities)
            if found:
                return found
        if child.dep_ == "prep" and child.lower_ in ("by", "from"):
            found = coordinated_actors((child.i + 1, child.right_edge.i + 1), entities)
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


def _statements_before(said: list[Said]) -> dict[int, Said]:
    """Sentence index -> the statement it belongs to: the last of ``said`` made in that sentence
    or in one of the three before it."""
    out: dict[int, Said] = {}
    for s in said:
        for index in range(s.sentence.index, s.sentence.index + 4):
            out[index] = s
    return out


_ADDRESSING = ADDRESSING
_DEMANDING = _ADDRESSING | words("demanding_more")
"""Verbs whose subject asks for what they govern (:func:`_attributed`)."""


def _outcome(sent: Sentence, sents: list[Sentence], cues: _Cues, action_tokens: set[int],
             asked: set[int] = frozenset(), markers=None) -> str | None:
    """The outcome the demand is a condition of, or None when the text names none. In the
    sentence, an outcome word counts when it is the purpose of the demand ("... before any
    talks", "so that talks can resume", "as a condition for a truce") or stands in the main
    clause of a condition clause ("will not return to talks until ..."); anywhere else it is the
    thing asked ("urged both sides to return to talks", "to sign a peace treaty") or a venue
    ("in an emergency meeting"). In the paragraph, only a sentence that speaks of conditions
    names it ("conditions for talks")."""
    doc = sent.span.doc

    def stage_of(hits):
        codes = [h.code for h in hits if action_tokens.isdisjoint(range(h.start, h.end))]
        return min(codes, key=lambda c: cues.stages.get(c, 9)) if codes else None

    conditioned = _condition_clause(sent) is not None
    here = [h for h in cues.outcomes.find_longest(sent.span)
            if _purpose(doc[h.start], markers) or conditioned and h.start not in asked
            or _obliged_outcome(doc[h.start], markers)]
    found = stage_of(here)
    if found:
        return found
    near = sents[max(0, sent.index - PARAGRAPH_REACH): sent.index + PARAGRAPH_REACH + 1]
    window = [s for s in near if s.paragraph == sent.paragraph and s.index != sent.index
              and any(t.lemma_.lower() in ("condition", "precondition", "prerequisite", "requirement") for t in s.span)]
    hits = [h for s in window for h in cues.outcomes.find_longest(s.span)]
    return stage_of(hits)


def find_preconditions(sents: list[Sentence], entities: Entities, cues: _Cues,
                       said: list[Said], *, skip: set[int] = frozenset(),
                       subjects: dict[int, list[str]] | None = None, author: str | None = None) -> list[Demand]:
    """The demands of the document, merged per (demander, addressee, action); ``subjects`` are
    the :func:`~kg.extract.context.discourse_subjects`, computed if not given."""
    merged: dict[tuple, Demand] = {}
    if subjects is None:
        subjects = discourse_subjects(sents, entities)
    armed = _armed(entities)
    statements_before = _statements_before(said)
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
        hits = _demanded_after_tie(sent, markers, hits)
        doc = sent.span.doc
        clause_verb = _condition_clause(sent)
        clause_tokens = {t.i for t in clause_verb.subtree} if clause_verb is not None else set()
        # "... before any ceasefire": the outcome, not the demand
        hits = [h for h in hits if h.start in clause_tokens or not _purpose(doc[h.start], markers)]
        statement = statements_before.get(sent.index)
        refused = [(h, _refusal_of(doc[h.start])) for h in markers or ()]
        refused = [(h, verb) for h, verb in refused if verb is not None]
        if refused:
            # a refused demand is its maker's, asked of the refuser; the refuser's own stance is a position
            hit, verb = refused[0]
            owners = _call_owners(doc[hit.start], entities)
            refuser = clause_subject(verb, entities, None)
            for demander in owners:
                _demands_of(demander, sent, sents, entities, cues, markers, hits, None, set(), regions,
                            statement, merged, co_demanders=set(owners), addressee=refuser)
            continue
        clause: set[int] = set()
        if clause_verb is not None:
            clause = {t.i for t in clause_verb.subtree}
            # what the main clause offers is not asked: "M23 would disarm if Kinshasa agreed to talks";
            # what it asks of another still is: "if the US wants a deal, the US must lift sanctions"
            main = conditioned_verb(clause_verb)
            offerer = None if obliged(main) else clause_subject(main, entities, None)
            hits = [h for h in hits if h.start in clause or offerer is None
                    or _doer(doc[h.start], entities) != offerer]
            regions = [m for m in regions if m.tok_start in clause] or regions
            # "no ceasefire before the rebels free the hostages": the outcome withheld is not asked
            hits = [h for h in hits if h.start in clause
                    or not any(c.dep_ == "det" and c.lower_ == "no" for c in doc[h.start].children)]
        demanders = demander_role.find(RoleContext(
            sent, entities, sents, markers=markers or [], clause_verb=clause_verb,
            previous=subjects.get(position - 1, []), speaker=statement.speaker if statement else None,
            author=author))
        for demander, own in _attributed(sent, hits, demanders, entities):
            _demands_of(demander, sent, sents, entities, cues, markers, own, clause_verb, clause,
                        regions, statement, merged, co_demanders=set(demanders))
    return list(merged.values())


_PURPOSE_VERBS = words("purpose_verbs")
"""Verbs of an infinitive that names what a demand is for ("to reach a truce", "to pave the way")."""
_TIE_NOUNS = words("tie_nouns")
_CONNECTORS = words("connectors")
"""Words that open the purpose of a demand ("before any talks", "so that talks can resume")."""


def _purpose(token, markers) -> bool:
    """Is the token inside the purpose a demand serves, not the demand ("withdraw before a
    ceasefire", "release them so that talks can resume", "as a condition for a truce")? A
    preposition of the demanding word itself ("called for a ceasefire") opens what is asked.
    The purpose may sit deep in its clause ("to create an environment conducive to a resumption
    of the dialogue"): the walk up from the outcome word goes as far as ten heads."""
    marker_tokens = {m.start for m in markers or ()}
    for _ in range(10):
        head = token.head
        if token.dep_ == "prep" and token.lower_ == "for" and head.lemma_.lower() in _TIE_NOUNS:
            return True  # "as a condition for a truce"
        if head.i == token.i or token.i in marker_tokens:
            return False
        word = token.lower_
        if token.dep_ in ("prep", "mark") and word in _CONNECTORS and head.i not in marker_tokens and not (
                head.lemma_.lower() in _DEMANDING or head.lemma_.lower() in _DEMAND_NOUNS):
            return True
        if token.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in _CONNECTORS for c in token.children):
            return True
        if token.lemma_.lower() in ("condition", "precondition", "prerequisite") and token.i not in marker_tokens:
            return True
        if _purpose_opener(token):
            return True  # "continue the talks *in order to* reach a settlement"
        if head.lemma_.lower() in _RESULT_WORDS and token.dep_ in ("prep", "pobj"):
            return True  # "the path *to* a ceasefire", "lead *to* talks"; not "open *a dialogue*"
        if token.dep_ == "advcl" and token.lemma_.lower() in _PURPOSE_VERBS and head.i not in marker_tokens and any(
                c.dep_ == "aux" and c.lower_ == "to" for c in token.children):
            return True  # "resume work *to reach* a durable truce": an infinitive of purpose
        token = head
    return False


_PURPOSE_OPENERS = words("purpose_openers")
"""Phrases of two words that open a clause of purpose ("in order to", "so as to", "so that")."""


def _purpose_opener(token) -> bool:
    """Is the token the second word of "in order (to ...)", "so as (to ...)" or "so that ..."
    opening a clause of purpose, with the clause below it?"""
    if token.i == 0:
        return False
    before = token.doc[token.i - 1]
    if f"{before.lower_} {token.lower_}" not in _PURPOSE_OPENERS:
        return False
    return any(t.dep_ == "mark" and t.head.pos_ in ("VERB", "AUX") for t in (token, before)) or any(
        c.dep_ in ("acl", "advcl", "xcomp", "ccomp", "relcl") for c in (*token.children, *before.children))


def _purpose_clause(sent: Sentence, asked: set[int]) -> bool:
    """Does what is asked carry a clause of purpose ("urged the parties to resume dialogue *in
    order to* form a government", "*so that* aid can reach the city")? A demand made for a
    stated end is tied to it, even when that end is none of the contract's outcomes."""
    return any(t.i in asked and (_purpose_opener(t) or _first_clause(t)) for t in sent.span)


def _first_clause(token) -> bool:
    """Is the token the head of a clause, inside what is asked, of what must happen first or
    in return ("that Sweden extradite the activists *before it approves* the bid", "release
    them *once the fighting stops*")? It ties the demand even to an outcome outside the contract's."""
    return token.dep_ == "advcl" and any(
        c.dep_ == "mark" and c.lower_ in _CLAUSE_WORDS | _WITHHOLDING_WORDS for c in token.children)


def _outcome_named_by(sent: Sentence, cues: _Cues, markers) -> str | None:
    """The outcome a condition with no one to meet it is put on: the subject of the clause that
    holds the marker ("lasting *peace* will come only through ...")."""
    doc = sent.span.doc
    for h in markers or ():
        verb = doc[h.start].head if doc[h.start].pos_ not in ("VERB", "AUX") else doc[h.start]
        span = subject_span(verb) if verb.pos_ in ("VERB", "AUX") else None
        if span is None:
            continue
        hits = [c for c in cues.outcomes.find_longest(doc[span[0]:span[1]])]
        if hits:
            return min((c.code for c in hits), key=lambda code: cues.stages.get(code, 9))
    return None


def _obliged_outcome(token, markers) -> bool:
    """Is the outcome word what a condition is put on ("any agreement *must* uphold ...", "a
    settlement should include ...")? Then it is the outcome the demand is for."""
    marker_tokens = {m.start for m in markers or ()}
    verb = token.head if token.dep_ in ("nsubj", "nsubjpass") else None
    return verb is not None and any(c.i in marker_tokens and c.dep_ == "aux" for c in verb.children)


def _demands_of(demander, sent, sents, entities, cues, markers, hits, clause_verb, clause, regions,
                statement, merged, *, co_demanders: set[str] = frozenset(), addressee: str | None = None) -> None:
    """Record the demands ``demander`` makes in ``sent`` (one per action); those who demand
    together ("the AU and the UN asked every side") are never each other's addressee;
    ``addressee``, when given, is whom the demand is known to be made of (the refuser of it)."""
    given = addressee
    doc = sent.span.doc
    if not hits:
        strong = any(_strong(doc, h) for h in markers or ())
        if addressee is None and (strong or clause_verb is not None):
            anchor = markers[0] if markers else CueHit("other", sent.start, sent.start + 1)
            ctx = RoleContext(sent, entities, sents, markers=markers or [], clause_verb=clause_verb,
                              demander=demander, action="other", hit=anchor)
            addressee = addressee_role.find_for_call(ctx) if strong else addressee_role.condition_clause_subject(ctx)
        if (strong or given) and addressee is not None and addressee != demander:
            at = clause_verb.i if clause_verb is not None else markers[0].start
            hits = [CueHit("other", at, at + 1)]
            given = addressee  # whom the call asks
        elif strong and addressee is None and markers and addressee_role.both_sides(ctx):
            hits = [CueHit("other", markers[0].start, markers[0].start + 1)]  # "urged both sides to ..."
        elif strong and markers and clause_verb is None and not _ties(markers, doc):
            # "appealed for international help": a call with no one named; its caller's position
            asked = _asked_phrase(sent, markers, [])
            if asked and (demander, None, "other") not in merged:
                merged[(demander, None, "other")] = Demand(demander, None, "other", [], "other", sent, statement,
                                                          markers[0].start, False, asked)
            return
        elif strong and markers and clause_verb is None and addressee is None \
                and any(doc[h.start].lower_ in _EXCLUSIVE for h in markers) and (demander, None, "other") not in merged:
            # "peace will come only through a political solution": a condition that names no one
            # to meet it, a precondition of whoever sets it
            asked_tokens = _asked_tokens(sent, markers, [])
            outcome = _outcome(sent, sents, cues, set(clause), asked_tokens, markers) or _outcome_named_by(
                sent, cues, markers)
            merged[(demander, None, "other")] = Demand(demander, None, "other", [], outcome or "other", sent,
                                                      statement, markers[0].start, True,
                                                      _asked_phrase(sent, markers, []))
            return
        else:
            return
    hits = _one_per_code(hits)
    action_tokens = {i for h in hits for i in range(h.start, h.end)}
    outcome = _outcome(sent, sents, cues, action_tokens | clause, _asked_tokens(sent, markers, hits), markers)
    asked_tokens = _asked_tokens(sent, markers, hits)
    tied = (outcome is not None or clause_verb is not None or markers == [] or _ties(markers, doc)
            or _purpose_clause(sent, asked_tokens))
    asked = _asked_phrase(sent, markers, hits)
    for hit in hits:
        found = outcome or "other"
        if hit.code == found == "ceasefire":
            found = "other"  # a ceasefire demanded for its own sake
        ctx = RoleContext(sent, entities, sents, token=doc[hit.start], markers=markers or [],
                          clause_verb=clause_verb, demander=demander, action=hit.code, given=given,
                          hits=hits, hit=hit, places=regions)
        addressee = addressee_role.find(ctx)
        if addressee in co_demanders:
            addressee = None
        places = [m.key for m in region_role.find(ctx)]
        joint, instead = addressee_role.others(ctx, addressee, co_demanders)
        for party in joint + ([] if instead else [addressee]):
            _record_demand(merged, demander, party, hit, places, sent, found, statement, tied, asked)


_EXCLUSIVE = words("exclusive_ties")
"""Adverbs that make one way the only way to an outcome ("peace will come *only* through talks")."""
_TIES = words("ties")
"""Markers that tie a demand to something in return by themselves ("only if", "in exchange for")."""


def _ties(markers, doc) -> bool:
    return any(doc[h.start].lemma_.lower() in _TIES or doc[h.start].lower_ in _TIES
               or doc[h.start:h.end].text.lower() in _TIES for h in markers or ())


_STRONG_WITH_CLAUSE = words("strong_with_clause")
"""Verbs that make a demand by themselves only with a clause of what another is to do
("Turkey *requires that* Sweden extradite ...", "expects Kyiv to withdraw"), not "will require effort"."""


def _strong(doc, hit) -> bool:
    """Is the marker strong enough to make a demand with no coded action: its first word's
    lemma, or the whole phrase ("as long as"), is a strong marker, and it is not the object
    of a verb announcing conditions listed elsewhere?"""
    token = doc[hit.start]
    if _announced(token):
        return False
    if token.lemma_.lower() in _STRONG_WITH_CLAUSE and token.pos_ in ("VERB", "AUX"):
        # active, with a clause: not "X was expected to leave"
        return any(_to_clause(c) for c in token.children) and not any(
            c.dep_ in ("nsubjpass", "auxpass") for c in token.children)
    return token.lemma_.lower() in _STRONG or doc[hit.start:hit.end].text.lower() in _STRONG


def _asked_tokens(sent: Sentence, markers, hits) -> set[int]:
    """The tokens of what is asked: the clause or object of each demanding word and each action."""
    doc = sent.span.doc
    out: set[int] = set()
    for h in markers or ():
        token = doc[h.start]
        if token.dep_ == "aux":  # "X must take steps to resume dialogue": the obliged verb's clause
            out.update(t.i for t in token.head.subtree)
        for child in token.children:
            if child.dep_ in ("xcomp", "ccomp", "dobj") or _to_clause(child) or child.dep_ == "prep" and child.lower_ in ("for", "on", "upon", "to", "with"):
                out.update(t.i for t in child.subtree)
    for h in hits:
        token = doc[h.start]
        verb = governing_verb(token, hops=2) or token
        out.update(t.i for t in verb.subtree)
    return out


def _asked_phrase(sent: Sentence, markers, hits) -> str:
    """What a call asks for, as a topic: "to withdraw its troops from the islet" -> "withdraw its troops ..."."""
    doc = sent.span.doc
    for h in markers or ():
        token = doc[h.start]
        for child in token.children:
            if _to_clause(child) and child.i > token.i:
                return _topic_text([t for t in child.subtree if not (t.dep_ in ("aux", "mark") and t.i == child.left_edge.i)])
            if child.dep_ == "dobj":
                clause = [g for g in child.children if g.dep_ in ("xcomp", "acl", "relcl") and g.i > child.i]
                if clause:
                    return _topic_text(list(clause[0].subtree))
                if token.lemma_.lower() not in _ADDRESSING:
                    return _topic_text(list(child.subtree))
            if child.dep_ == "prep" and child.lower_ == "for" and h.start < child.i:
                return _topic_text([t for t in child.subtree if t.i != child.i])
    if hits:
        token = doc[hits[0].start]
        verb = governing_verb(token, hops=2) or token
        return _topic_text(list(verb.subtree))
    return ""


def _topic_text(tokens) -> str:
    from kg.extract.context import phrase

    tokens = [t for t in tokens if not (t.dep_ == "aux" and t.lower_ == "to")]
    while tokens and tokens[0].dep_ in ("nsubj", "det") and tokens[0].pos_ in ("PRON", "DET"):
        tokens = tokens[1:]
    return phrase(tokens, max_words=10)


def _record_demand(merged, demander, addressee, hit, names, sent, outcome, statement, tied=True, asked=""):
    """Add one demand to ``merged``, or add its regions to the same demand met before."""
    key = (demander, addressee, hit.code)
    if key in merged:
        for name in names:
            if name not in merged[key].regions:
                merged[key].regions.append(name)
        merged[key].tied = merged[key].tied or tied
        return
    merged[key] = Demand(demander, addressee, hit.code, list(dict.fromkeys(names)), outcome,
                         sent, statement, hit.start, tied, asked)


def _announced(token) -> bool:
    """Is this marker the object of a verb that announces conditions ("outlined conditions")?"""
    return token.pos_ == "NOUN" and token.dep_ in ("dobj", "pobj") and token.head.lemma_.lower() in _ANNOUNCING


def _condition_clause(sent: Sentence):
    """The verb of the clause that says what must happen first ("until the US *lifts*"), or None."""
    for token in sent.span:
        word = token.lower_
        if word in _WITHHOLDING_WORDS:
            verb = _withheld_before(token)
            if verb is not None:
                return verb
            continue
        if word not in _CLAUSE_WORDS and not (word in ("as", "so") and token.nbor(1).lower_ == "long" if token.i + 1 < len(token.doc) else False):
            continue
        if word in ("provided", "providing"):
            for child in token.children:
                if child.dep_ in ("ccomp", "advcl") and child.pos_ in ("VERB", "AUX"):
                    return child
            following = token.nbor(1) if token.i + 1 < len(token.doc) else None
            if following is not None and following.lower_ == "that" and following.dep_ == "mark" \
                    and following.head.pos_ in ("VERB", "AUX"):
                return following.head  # the parser hangs "that Kosovo forms ..." beside "provided"
        head = token.head
        if token.dep_ == "prep" and _time_only(token) or _open_ended(token):
            continue  # "envoy until June", "for as long as needed": a time, not a condition
        if token.dep_ in ("mark", "advmod", "prep") and head.pos_ in ("VERB", "AUX") and head is not sent.span.root:
            return head
        if word in ("as", "so"):
            for other in sent.span[token.i - sent.start:]:
                if other.dep_ == "mark" and other.head.pos_ in ("VERB", "AUX"):
                    return other.head
    return None


_WITHHOLDING_WORDS = words("withholding_clause_words")
"""Words that open what must happen first when the main clause withholds an outcome:
"no talks *before* Russia withdraws", "will not sign a deal *before* ..."."""


@functools.lru_cache(maxsize=1)
def _outcome_cues() -> CueSet:
    from kg.gazetteer import load_vocabulary

    return CueSet(load_vocabulary()["outcome"])


def _withheld_before(token):
    """Withholding an outcome until something is done: "there will be *no talks* before Russia
    withdraws", "Kyiv *will not negotiate* before the troops leave". ``token`` ("before") opens a
    clause whose head hangs on a main clause that names an outcome either with "no" or under a
    negated verb; the verb of the clause is what must happen first, or None."""
    if token.dep_ != "mark" or token.head.pos_ not in ("VERB", "AUX") or token.head.dep_ != "advcl":
        return None
    clause, main = token.head, token.head.head
    if main.pos_ not in ("VERB", "AUX"):
        return None
    negated = any(c.dep_ == "neg" or c.lower_ in _NEGATORS and c.dep_ == "advmod" for c in main.children)
    inside = {t.i for t in clause.subtree}
    doc = token.doc
    sent = main.sent
    for hit in _outcome_cues().find_longest(sent):
        word = doc[hit.start]
        if word.i in inside:
            continue
        with_no = any(c.dep_ == "det" and c.lower_ == "no" for c in word.children)
        if with_no and word.head.i == main.i or negated and (word.i == main.i or word.head.i == main.i):
            return clause
    return None


def _doer(token, entities: Entities) -> str | None:
    """Who does the action a cue word names: the subject of its verb (pronouns resolved)."""
    verb = governing_verb(token, hops=3)
    return clause_subject(verb, entities, None) if verb is not None else None


_OPEN_ENDED = words("open_ended")
"""What follows "until" or "as long as" in a phrase of open-ended time, not a condition:
"until further notice", "for as long as needed", "as long as necessary"."""


def _open_ended(token) -> bool:
    """Does the clause word open a phrase of open-ended time ("until further notice", "as long
    as it takes")? Those set no condition."""
    doc = token.doc
    at = token.i + 1
    if token.lower_ == "as" and at + 1 < len(doc) and doc[at].lower_ == "long" and doc[at + 1].lower_ == "as":
        at += 2
    elif token.lower_ == "long" and at < len(doc) and doc[at].lower_ == "as":
        at += 1  # the marker "as long as" found from its middle word
    following = " ".join(t.lower_ for t in doc[at:at + 3])
    return any(following == entry or following.startswith(entry + " ") for entry in _OPEN_ENDED)


def _time_only(prep) -> bool:
    """Does the preposition govern only a time ("until December", "until 2019", "until then")?"""
    objects = [c for c in prep.children if c.dep_ == "pobj"]
    return not objects or objects[0].ent_type_ in ("DATE", "TIME") or objects[0].lower_ in ("then", "now")


def _violated(token) -> bool:
    """Is this ceasefire one that was broken ("breaches of the truce deal", "ceasefire
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


_MILITARY_NOUNS = words("military_nouns")
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
    """ "asked every party to the war to lay down arms": when every side is asked,
    laying down arms is a ceasefire; disarm_group is one armed group giving up its weapons."""
    addressed = addressed_object(sent)
    if addressed is None or not any(h.code == "disarm_group" for h in hits):
        return hits
    head = sent.span.doc[addressed[1] - 1]
    if head.lemma_.lower() not in ("party", "side") or head.ent_type_:
        return hits
    return [CueHit("ceasefire", h.start, h.end) if h.code == "disarm_group" else h for h in hits]


_TYING_ADJECTIVES = words("tying_adjectives")


def _demanded_after_tie(sent: Sentence, markers, hits: list[CueHit]) -> list[CueHit]:
    """ "any easing of sanctions will be *contingent on* steps by Tehran": what stands before
    the tie is what is offered in return, what follows it is demanded; an action named only
    before the tie is not the demand."""
    doc = sent.span.doc
    ties = [h.start for h in markers or () if doc[h.start].lower_ in _TYING_ADJECTIVES]
    if not ties:
        return hits
    return [h for h in hits if h.start > ties[0]]


def _returning_to(token) -> bool:
    """ "return to negotiations": going back to something, not handing territory back."""
    return token.lemma_.lower() == "return" and any(c.dep_ == "prep" and c.lower_ == "to" for c in token.children) \
        and not any(c.dep_ == "dobj" for c in token.children)


_AID_PRINCIPLES = words("aid_principles")


def _humanitarian_principle(token) -> bool:
    """Neutrality listed with impartiality or independence: a principle of aid, not a status."""
    return any(c.lemma_.lower() in _AID_PRINCIPLES for c in token.conjuncts)


def _one_per_code(hits: list[CueHit]) -> list[CueHit]:
    seen: dict[str, CueHit] = {}
    for hit in sorted(hits, key=lambda h: h.start):
        seen.setdefault(hit.code, hit)
    return sorted(seen.values(), key=lambda h: h.start)




def calls_as_positions(calls: list[Demand], held: list) -> list:
    """Each caller's position for the calls tied to no outcome: it ``supports`` what it asks,
    unless a stance word of the same sentence already gave that caller a position there."""
    have = {(h.sentence.index, h.holder) for h in held}
    out = []
    for call in calls:
        key = (call.sentence.index, call.demander)
        if key in have or not call.asked:
            continue
        have.add(key)
        out.append(Held(call.demander, "supports", call.asked, call.sentence, "call"))
    return out
