"""Positions: an actor supports or opposes something ("a preference for peaceful negotiations")."""

from __future__ import annotations

from spacy.tokens import Token

from kg.extract.context import Sentence, discourse_subjects, governing_verb, phrase
from kg.extract.cues import CueHit, CueSet
from kg.extract.entities import Entities
from kg.extract.held import Held
from kg.extract.roles import RoleContext
from kg.extract.roles import holder as holder_role
from kg.nlp.pipeline import DEMONYM_LABEL, ENTITY_LABEL
from kg.extract.lexicon import words

__all__ = ["Held", "find_positions"]

_TOPIC_PREPS = words("topic_preps")


_CREDITING = words("crediting")
"""Verbs that credit or blame someone *for* something: the topic is the something."""

_ADDRESSING = words("positions_addressing")
"""Verbs whose object is who must act; what they support is the clause ("urge both sides to talk")."""
_JUDGING = words("judging")
"""Verbs that pass a judgement on their object ("called the agreement null and void")."""
_AGAINST_HEADS = words("against_heads")
"""Verbs after which "against" is a stance ("voted against"), not a part of a noun ("the war against")."""
_NOUN_CUE_ROLES = {"dobj", "attr", "ROOT", "appos", "oprd"}
"""Where a stance noun must stand to be the holder's ("expressed concern", "its support for")."""
_NOT_TOPIC = {"DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"}


def _pobj(prep: Token) -> list[Token]:
    objects = [c for c in prep.children if c.dep_ in ("pobj", "pcomp")]
    if not objects or objects[0].ent_type_ in _NOT_TOPIC:
        return []
    return list(objects[0].subtree)


def _clause(token: Token) -> list[Token]:
    return [t for t in token.subtree if not (t.dep_ == "aux" and t.lower_ == "to")]


_ADDRESSEES = words("addressees")
_ACTOR_LABELS = ("ORG", "GPE", "PERSON", "NORP", ENTITY_LABEL, DEMONYM_LABEL)


def _addressee_like(token: Token) -> bool:
    """ "the parties", "the Security Council", "Pyongyang": someone addressed, not something wanted."""
    return token.lemma_.lower() in _ADDRESSEES or any(
        t.ent_type_ in _ACTOR_LABELS for t in token.subtree
    )


_ENDING = words("ending")
"""Words that turn support into opposition of their object ("urge X to refrain from launches")."""


def _ending(tokens: list[Token]) -> list[Token] | None:
    """ "refrain from further launches" -> "further launches"; "an end to such support" -> "such support"."""
    if not tokens:
        return None
    root = min(tokens, key=lambda t: (len(list(t.ancestors)), t.i))
    if root.lemma_.lower() not in _ENDING:
        return None
    for child in root.children:
        if child.dep_ == "dobj":
            return list(child.subtree)
        if child.dep_ == "prep" and child.lower_ in ("from", "to"):
            objects = _pobj(child)
            if objects:
                return objects
    return None


def _not_to(tokens: list[Token]) -> list[Token] | None:
    """ "not to block the bid" -> "block the bid": a clause asked not to happen, without its negation."""
    if not tokens:
        return None
    root = min(tokens, key=lambda t: (len(list(t.ancestors)), t.i))
    negations = [c for c in root.children if c.dep_ == "neg"]
    if root.pos_ not in ("VERB", "AUX") or not negations:
        return None
    return [t for t in tokens if t not in negations and not (t.dep_ == "aux" and t.lower_ == "to")]


_PURPOSEFUL = words("purposeful")
"""Judgements that keep their purpose ("essential to bring the region back to calm")."""


_COURTESIES = words("courtesies")
"""Verbs of a courtesy a speaker "wants" or "wishes" to perform: no stance on the thanking."""
_UPHELD = words("upheld")
_STOPPED = words("stopped")
_FIRST_PERSON_SUBJECTS = words("first_person")
_MODALS = words("obligation_modals")
_NO_SUBJECT = words("obligation_dummies")
"""Subjects that name nothing the obligation is about ("it must be said", "there should be")."""
_DISAPPROVED = words("disapproved")
"""Verbs whose passive obligation is a judgement against the subject ("... should be condemned")."""


def _must_be_done(sent) -> list[tuple[str, Token, list[Token]]]:
    """ "Ukraine's sovereignty ... must be respected" (supports it), "the violence must stop"
    (opposes it), "the regime must release the detainees" (supports the release): an
    obligation the passage states, whose holder is its speaker (see :func:`_obligation`)."""
    out = []
    for verb in sent:
        if verb.pos_ != "VERB" or not any(c.dep_ == "aux" and c.lower_ in _MODALS for c in verb.children):
            continue
        lemma = verb.lemma_.lower()
        passive = [c for c in verb.children if c.dep_ == "nsubjpass"]
        active = [c for c in verb.children if c.dep_ == "nsubj"]
        if lemma in _UPHELD and passive:
            out.append(("supports", verb, list(passive[0].subtree)))
        elif lemma in _STOPPED and active and active[0].pos_ != "PRON" and not any(c.dep_ == "dobj" for c in verb.children):
            out.append(("opposes", verb, list(active[0].subtree)))
        else:
            reading = _obligation(verb, passive or active, bool(passive))
            if reading is not None:
                out.append(reading)
    return out


def _own_subject(token: Token) -> bool:
    return any(c.dep_ in ("nsubj", "nsubjpass") for c in token.children)


def _obligation(verb: Token, subjects: list[Token], passive: bool) -> tuple[str, Token, list[Token]] | None:
    """ "Belligerents should declare a ceasefire", "the regime must release all detainees",
    "humanitarian workers must be allowed access", "its use of drones should be condemned":
    what someone must or should do, said by the speaker of the passage, is the speaker's
    ``supports`` of it (``opposes`` when it must not be done, or the subject must be
    condemned or reversed). The topic is the verb phrase ("release all political detainees"),
    or the subject of a passive judgement ("the shelling of the hospital")."""
    if verb.dep_ in ("relcl", "acl", "advcl", "csubj") or not subjects:
        return None
    subject = subjects[0]
    if subject.lower_ in _NO_SUBJECT or subject.lower_ in _FIRST_PERSON_SUBJECTS:
        return None  # "we must ..." is a stance word's clause (or nothing)
    if any(c.dep_ == "mark" for c in verb.children):
        return None  # "if Russia should invade": a condition, not an obligation
    stance = "opposes" if any(c.dep_ == "neg" for c in verb.children) else "supports"
    if passive and verb.lemma_.lower() in _DISAPPROVED:
        stance = "opposes" if stance == "supports" else "supports"
        return stance, verb, list(subject.subtree)
    dropped: set[int] = set()
    for child in verb.children:
        if child.dep_ in ("aux", "auxpass", "neg", "punct", "advcl", "mark") or (
                child.dep_ in ("conj", "cc") and child.i > verb.i and _own_subject(child)):
            dropped.update(t.i for t in child.subtree)  # "..., and Eritrean forces should withdraw": its own
        elif child.dep_ == "cc" and any(_own_subject(c) for c in verb.children if c.dep_ == "conj"):
            dropped.add(child.i)
    tokens = [t for t in verb.subtree if t.i not in dropped and t.i >= verb.i]
    return stance, verb, tokens


_ANNOUNCING = words("positions_announcing")
_POLICIES = words("policies")
"""What an actor announces as its own course: "announced a complete withdrawal", "announced the
truce", "announced its troops would be leaving the island"."""


def _policy(tokens: list[Token]) -> bool:
    heads = [t for t in tokens if t.head.i == t.i or t.head not in tokens]
    return any(t.lemma_.lower() in _POLICIES for t in heads)


def _judged(cue: Token) -> tuple[list[Token], Token | None]:
    """ "the agreement is null and void", "called the agreement null and void": what is judged,
    and the verb whose subject holds the judgement."""
    if cue.lower_ == "only" and cue.dep_ == "amod":
        cue = cue.head  # "dialogue is the only route to ...": the noun is the judgement
    if cue.pos_ not in ("ADJ", "NOUN") or (cue.lemma_.lower() not in _PURPOSEFUL and any(
            c.dep_ in ("prep", "xcomp", "ccomp") for c in cue.children)):
        return [], None  # "committed to supporting ...": the cue has its own object
    head = cue.head
    if cue.dep_ == "pobj" and head.lower_ == "as":  # "described the raid as a breach"
        head = head.head
    elif cue.dep_ not in ("acomp", "attr", "oprd", "ccomp", "xcomp", "dobj"):
        return [], None
    lemma = head.lemma_.lower()
    if lemma == "be":
        subjects = [c for c in head.children if c.dep_ == "nsubj"]
        if subjects:
            return list(subjects[0].subtree), head.head if head.dep_ in ("ccomp", "parataxis") else None
    elif lemma in _JUDGING:
        objects = [c for c in head.children if c.dep_ == "dobj" and c.i < cue.i]
        if objects:
            return list(objects[0].subtree), head
    return [], None


def _topic_tokens(cue: Token) -> list[Token]:
    """What the cue word governs: its object, its prepositional object, or its clause."""
    if cue.dep_ == "mark":  # "its call for Chile to end the blockade"
        return [t for t in _clause(cue.head) if t.i != cue.i]
    if cue.pos_ == "ADP":
        return _pobj(cue)
    if cue.lemma_.lower() in _CREDITING:
        # "praises both sides for agreeing to the truce": what they did, not who
        for child in cue.children:
            if child.dep_ == "prep" and child.lower_ in ("for", "of") and child.i > cue.i:
                tokens = _pobj(child)  # "censured X for sheltering ...", "accused X of interfering ..."
                if tokens:
                    return tokens
    if cue.lemma_.lower() in _ADDRESSING:
        for child in cue.children:
            if child.dep_ in ("xcomp", "ccomp") and child.i > cue.i:
                return _clause(child)
        for child in cue.children:
            if child.dep_ == "dobj":
                for grandchild in child.children:
                    if grandchild.dep_ in ("acl", "relcl", "xcomp"):
                        return _clause(grandchild)
                if _addressee_like(child):
                    return []  # "urged the Security Council": whom, not what
    for child in cue.children:
        if child.dep_ in ("dobj", "attr", "ccomp", "xcomp", "acl") and child.i > cue.i:
            if child.ent_type_ not in _NOT_TOPIC:
                return _clause(child) if child.dep_ in ("xcomp", "ccomp") else list(child.subtree)
    for child in cue.children:
        if child.dep_ == "prep" and child.lower_ in _TOPIC_PREPS and child.i > cue.i:
            tokens = _pobj(child)
            if tokens:
                return tokens
    return []


def _is_stance(cue: Token) -> bool:
    """Whether the cue word states the stance of someone named in its clause."""
    if cue.lower_ in ("back", "backs") and cue.pos_ != "VERB":
        return False  # "back on track", "has the backs of its partners"
    if cue.lower_ == "against":
        return cue.head.lemma_.lower() in _AGAINST_HEADS
    if cue.lemma_.lower() == "need" and cue.pos_ != "NOUN":
        return False  # "the US needs to lift ...": an obligation put on the US, not its stance
    if cue.pos_ == "VERB" and any(c.dep_ == "xcomp" and c.lemma_.lower() in _COURTESIES for c in cue.children):
        return False  # "I want to thank ...", "we wish to express ...": a courtesy, not a stance
    if cue.pos_ == "NOUN":
        if any(c.dep_ == "poss" for c in cue.children):
            return True
        if cue.dep_ == "conj":
            return cue.head.dep_ in _NOUN_CUE_ROLES
        return cue.dep_ in _NOUN_CUE_ROLES or (cue.dep_ == "pobj" and cue.head.lower_ == "with")
    return True


def _obliged(cue: Token) -> bool:
    """Is the cue's clause an obligation put on someone else ("X must commit to ...")? What
    "we must" do is the speaker's own stance."""
    verb = governing_verb(cue)
    if verb is None:
        return False
    modal = any(c.dep_ == "aux" and c.lower_ in ("must", "should") for c in verb.children)
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    return modal and bool(subjects) and subjects[0].lower_ not in ("we", "i")


def _names_its_holder(cue: Token, entities: Entities) -> bool:
    """Does a stance word inside another one's topic name its own holder: a verb whose subject
    is an actor ("welcomed the news that Chad and Niger *agreed to* talks"), a noun with an
    actor's possessive ("commended *Kenya's* commitment to the mission")? Then it is that
    actor's stance as well as the outer one's."""
    if cue.pos_ == "VERB":
        subjects = [c for c in cue.children if c.dep_ == "nsubj"]
    elif cue.pos_ == "NOUN":
        subjects = [c for c in cue.children if c.dep_ == "poss"]
    else:
        return False
    return any(entities.actors_in(s.left_edge.i, s.right_edge.i + 1) for s in subjects)


def _only_names(tokens: list[Token], holder: str, entities: Entities) -> bool:
    """Is the topic nothing but a name of its own holder?"""
    words = [t for t in tokens if not (t.is_punct or t.is_stop)]
    if not words:
        return False
    mentions = entities.actors_in(tokens[0].i, tokens[-1].i + 1)
    covered = {i for m in mentions if entities.political(m.key) == holder for i in m.tokens()}
    return all(t.i in covered for t in words)


_PEOPLE_GROUPS = words("people_groups")
"""Nouns for a group of people: as the whole topic, solidarity rather than a position."""


def _only_people(tokens: list[Token]) -> bool:
    """Is the topic a group of people and nothing they do or want: "stands with the Libyan
    people", "we will support our partners", "commends the parties for committing to ..."? Backing
    people is solidarity, not a position on a matter ("freedom for the people" is one). "The
    people of Haiti" names a country's people: backing them stays a position."""
    if not tokens:
        return False
    root = min(tokens, key=lambda t: (len(list(t.ancestors)), t.i))
    if any(c.dep_ == "prep" and c.lower_ == "of" for c in root.children if c in tokens):
        return False  # "stands with the people of Haiti": a country's people, as the holder means it
    return root.pos_ == "NOUN" and root.lemma_.lower() in _PEOPLE_GROUPS


def _negated(cue: Token) -> bool:
    if any(c.dep_ == "neg" for c in cue.children):
        return True
    return cue.dep_ in ("xcomp", "dobj") and any(c.dep_ == "neg" for c in cue.head.children)


_WITHDRAWN = words("withdrawn")
"""Verbs that take back the stance noun they govern ("ending support for", "withdrew its backing")."""


def _withdrawn(cue: Token) -> bool:
    """A stance noun that a verb of ending takes back: "the United States is ending support for
    the commission", "Norland withdrew its backing for the plan", "suspended support to the
    mission". The subject no longer supports the topic: it opposes it (and the reverse for a
    withdrawn objection)."""
    return cue.pos_ == "NOUN" and cue.dep_ == "dobj" and cue.head.lemma_.lower() in _WITHDRAWN


def _refusals(sent) -> list[tuple[Token, Token]]:
    """ "would not meet the rebels' demands", "refused to accept the demand", "will not give in to
    demands": the refusing verb and the demand it refuses; the refuser ``opposes`` it."""
    from kg.extract.preconditions import _refusal_of

    out = []
    for token in sent:
        if token.pos_ == "NOUN":
            verb = _refusal_of(token)
            if verb is not None:
                out.append((verb, token))
    return out


_ENACTING = words("enacting")
"""Verbs by which a body votes a text into force or a party signs it ("passed", "adopted", "signed")."""
_ENACTMENTS = words("enactments")
"""Texts a body votes on ("a resolution", "a bill", "a motion")."""


def _enactments(sent) -> list[tuple[Token, Token]]:
    """A body voting a text into force: "the parliament passed a resolution to expel the troops",
    "the assembly approved a bill banning the party", "voted on a motion to dissolve the
    council"; a party signing one: "the two presidents signed a joint declaration for peace",
    "the prime minister signed a decree banning ...". The verb and the text; its subject
    ``supports`` the text and what it does."""
    out = []
    for token in sent:
        if token.pos_ != "NOUN" or token.lemma_.lower() not in _ENACTMENTS:
            continue
        verb = token.head
        if token.dep_ == "pobj" and verb.lower_ == "on" and verb.head.lemma_.lower() == "vote":
            verb = verb.head
        elif token.dep_ != "dobj" or verb.lemma_.lower() not in _ENACTING:
            continue
        if any(c.dep_ == "nsubj" for c in verb.children):
            out.append((verb, token))
    return out


_DENYING = words("denying")
"""Verbs that deny what their clause says: "denied supporting the rebels" states no support."""


def _denied(cue: Token) -> bool:
    """Is the stance word inside a clause its subject denies ("denied supporting", "denies that it
    backs")? Such a clause holds no stance of the subject's."""
    token = cue
    for _ in range(3):
        if token.dep_ not in ("xcomp", "ccomp", "pcomp", "dobj") or token.head.i == token.i:
            return False
        token = token.head
        if token.lemma_.lower() in _DENYING and token.i != cue.i:
            return True
    return False


def find_positions(
    sents: list[Sentence], entities: Entities, stances: CueSet, *, skip: set[int] = frozenset(),
    subjects: dict[int, list[str]] | None = None, voices: dict[int, str] | None = None,
    author: str | None = None, authors: tuple[str, ...] = (),
) -> list[Held]:
    """Positions in the sentences not in ``skip`` (headlines); ``subjects`` are the
    :func:`~kg.extract.context.discourse_subjects`, computed if not given; ``voices`` maps a
    sentence's position to the actor whose statement it is part of, for judgements that name
    no holder ("Dialogue is the only route."); ``authors`` the actors of a joint statement."""
    found: list[Held] = []
    voices = voices or {}
    if subjects is None:
        subjects = discourse_subjects(sents, entities)
    for position, sent in enumerate(sents):
        if sent.index in skip:
            continue
        doc = sent.span.doc
        readings: list[tuple[CueHit, Token, list[Token], Token | None]] = []
        for hit in stances.find_longest(sent.span):
            head_cue = doc[hit.start]
            if not _is_stance(head_cue):
                continue
            judged, judge = _judged(head_cue)
            if judged:
                readings.append((hit, head_cue, judged, judge))
                continue
            if _obliged(head_cue):
                continue  # "Armenia must commit to a full withdrawal": asked of Armenia, not its stance
            tokens = _topic_tokens(doc[hit.end - 1]) or _topic_tokens(head_cue)
            if head_cue.lemma_.lower() in _ANNOUNCING and not _policy(tokens):
                continue  # "announced the death of ...": news, not a stance
            readings.append((hit, head_cue, tokens, governing_verb(head_cue)))
        obliged = set()
        for stance_code, cue, tokens in _must_be_done(sent.span):
            obliged.add(cue.i)
            readings.append((CueHit(stance_code, cue.i, cue.i + 1), cue, tokens, None))
        refusing = set()
        for verb, noun in _refusals(sent.span):
            refusing.add(verb.i)
            if not any(r[1].i == verb.i for r in readings):
                readings.append((CueHit("opposes", verb.i, verb.i + 1), verb, list(noun.subtree), verb))
        for verb, text in _enactments(sent.span):
            if not any(r[1].i == verb.i for r in readings):
                readings.append((CueHit("supports", verb.i, verb.i + 1), verb, list(text.subtree), verb))
        readings = [r for r in readings if not _denied(r[1])]
        inside = [set(t.i for t in tokens) for _, _, tokens, _ in readings]
        in_any_topic = set().union(*inside)
        for n, (hit, head_cue, tokens, verb) in enumerate(readings):
            own_topic = in_any_topic
            if any(hit.start in other for m, other in enumerate(inside) if m != n):
                if not _names_its_holder(head_cue, entities):
                    continue  # "deplored any foreign support for ...": the outer cue speaks
                own_topic = inside[n]  # "welcomed the news that Chad and Niger agreed to talks"
            stance = hit.code
            if head_cue.i in refusing:
                pass  # "would not meet the demands": the negation is the refusal itself
            elif _negated(head_cue):
                stance = "opposes" if stance == "supports" else "supports"
            if _withdrawn(head_cue):
                stance = "opposes" if stance == "supports" else "supports"
            unsaid = _not_to(tokens)
            if unsaid is not None:
                tokens = unsaid  # "urged Turkey not to block the bid": opposes blocking the bid
                stance = "opposes" if stance == "supports" else "supports"
            ended = _ending(tokens)
            if ended is not None:
                tokens = ended
                stance = "opposes" if stance == "supports" else "supports"
            if not any(t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ") and not t.is_stop for t in tokens):
                continue
            if _only_people(tokens):
                continue  # "we support the Libyan people": solidarity, no matter taken a stance on
            topic_text = phrase(tokens, max_words=16)
            if len(topic_text) < 3:
                continue
            # "they" as this sentence's subject: whom discourse_subjects carried over to it
            previous = subjects.get(position) or subjects.get(position - 1) or []
            voice = voices.get(position)
            if voice is None and head_cue.i in obliged and author is not None:
                voice = entities.political(author)  # "The regime must ..." in a statement document: its author's
            holders = holder_role.find(RoleContext(
                sent, entities, token=head_cue, verb=verb, topic=own_topic, previous=previous,
                voice=voice, author=author, authors=authors))
            for holder in holders:
                if _only_names(tokens, holder, entities):
                    continue  # "the steady backing of the African Union for ...": the supporter, not the topic
                found.append(Held(holder, stance, topic_text, sent, head_cue.lemma_.lower()))
    return found
