"""Learned decisions, one per sentence: does it state a demand, a position, both or neither;
which action, which outcome, which stance.

A small spaCy text classifier (``textcat_multilabel``, trained by ``make train`` from the train
split, see ``training/``) reads each sentence as a bag of features: its lowercase lemmas, with
every named entity folded into its label (``ent_gpe``) so that no actor's name is learned, and
the codes of the vocabularies' cue phrases that match in it and in the sentence before
(``cue_action_withdraw_forces``, ``prev_cue_condition_condition``): the cue phrases are
features, not verdicts. Its scores are a :class:`~kg.extract.model.SentenceDecision`;
:func:`apply_decisions` lets them gate and label what the rules found, and never touches who
or where (demander, addressee, holder, regions) or the evidence.

The trained pipeline is package data (``kg/models/decisions``); without it extraction is the
rules' alone.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

import spacy
from spacy.tokens import Doc as SpacyDoc
from spacy.tokens import Span as SpacySpan

from kg.extract.context import phrase
from kg.extract.lexicon import words
from kg.extract.cues import CueSet
from kg.extract.model import (
    Action, Outcome, Position, Precondition, SentenceDecision, Stance,
)
from kg.gazetteer import Vocabulary, load_vocabulary

__all__ = ["PRECONDITION", "POSITION", "labels", "sentence_labels", "FeatureCues", "feature_cues",
           "sentence_features", "load_decider", "decide", "Thresholds", "DEFAULT_THRESHOLDS", "apply_decisions",
           "clause_topic", "propose_positions"]

PRECONDITION = "PRECONDITION"
POSITION = "POSITION"
ACTION_PREFIX = "ACTION_"
OUTCOME_PREFIX = "FOR_"
STANCE_PREFIX = "STANCE_"

_REGION_LABELS = {"GPE", "LOC", "FAC", "POL_ENTITY"}
_DEMONYM_LABELS = {"NORP", "POL_DEMONYM"}


def labels() -> list[str]:
    """Every label of the classifier."""
    return ([PRECONDITION, POSITION] + [ACTION_PREFIX + a.value for a in Action]
            + [OUTCOME_PREFIX + o.value for o in Outcome] + [STANCE_PREFIX + s.value for s in Stance])


def sentence_labels(preconditions: Iterable[dict], positions: Iterable[dict]) -> dict[str, float]:
    """The classifier's target for a sentence that backs these gold preconditions and positions.

    Action and outcome are known only where the sentence backs a precondition, the stance only
    where it backs a position; elsewhere those labels are left out (missing, not negative).
    """
    preconditions, positions = list(preconditions), list(positions)
    cats = {PRECONDITION: float(bool(preconditions)), POSITION: float(bool(positions))}
    if preconditions:
        actions = {p["action"] for p in preconditions}
        outcomes = {p.get("for") or Outcome.OTHER.value for p in preconditions}
        cats.update({ACTION_PREFIX + a.value: float(a.value in actions) for a in Action})
        cats.update({OUTCOME_PREFIX + o.value: float(o.value in outcomes) for o in Outcome})
    if positions:
        stances = {p["stance"] for p in positions}
        cats.update({STANCE_PREFIX + s.value: float(s.value in stances) for s in Stance})
    return cats


class FeatureCues:
    """The vocabularies' cue rules that give the classifier its cue features, as one cue set
    whose codes name their scheme (``action_withdraw_forces``), so a sentence is read once."""

    SCHEMES = ("action", "outcome", "condition", "stance")

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.cues = CueSet({f"{scheme}_{code}": concept for scheme in self.SCHEMES
                            for code, concept in vocabulary[scheme].items()})

    def codes(self, sent: SpacySpan) -> list[str]:
        marks: dict[str, list[int]] = {"REGION": [], "DEMONYM": []}
        for token in sent:
            if token.ent_type_ in _REGION_LABELS:
                marks["REGION"].append(token.i)
            elif token.ent_type_ in _DEMONYM_LABELS:
                marks["DEMONYM"].append(token.i)
        return sorted({hit.code for hit in self.cues.find(sent, marks)})


@functools.lru_cache(maxsize=2)
def feature_cues(vocabulary: Vocabulary | None = None) -> FeatureCues:
    return FeatureCues(vocabulary or load_vocabulary())


def sentence_features(sent: SpacySpan, previous: SpacySpan | None, cues: FeatureCues) -> list[str]:
    """The words the classifier reads for ``sent``: lemmas, entity labels, cue codes."""
    return _features(sent, cues.codes(sent), cues.codes(previous) if previous is not None else [])


def _features(sent: SpacySpan, codes: list[str], previous_codes: list[str]) -> list[str]:
    words: list[str] = []
    for token in sent:
        if token.is_space:
            continue
        if token.ent_type_:  # an entity is its label, once
            if token.ent_iob_ == "B" or token.i == sent.start:
                words.append("ent_" + token.ent_type_.lower())
            continue
        words.append(token.lemma_.lower() or token.lower_)
        if token.dep_ == "neg":
            words.append("neg_" + token.head.lemma_.lower())
    words += ["cue_" + c for c in codes]
    words += ["prev_cue_" + c for c in previous_codes if not c.startswith("stance_")]
    return words or ["empty"]


def _feature_doc(vocab, words: list[str]) -> SpacyDoc:
    return SpacyDoc(vocab, words=words)


WORDS_ONLY = "polkg.words_only.v1"
"""The tokenizer the classifier is loaded with: one without rules, since the classifier reads
Docs made from its feature words and never text."""


def _words_only():
    from spacy.tokenizer import Tokenizer

    return lambda nlp: Tokenizer(nlp.vocab)


spacy.registry.tokenizers.register(WORDS_ONLY, func=_words_only)


@functools.lru_cache(maxsize=1)
def load_decider(*, tokenizer: bool = False):
    """The trained classifier pipeline shipped with the package, or None when there is none.

    Its tokenizer is left out (its thousands of special cases are most of the time it takes to
    load) unless ``tokenizer``: the scores are the same, since the classifier never reads text.
    """
    from kg.resources import decisions_model_dir

    path = decisions_model_dir()
    if not (path / "config.cfg").is_file():
        return None
    if tokenizer:
        return spacy.load(path)
    return spacy.load(path, exclude=["tokenizer"], config={"nlp": {"tokenizer": {"@tokenizers": WORDS_ONLY}}})


_PREDICT_BATCH = 256
"""Sentences the classifier scores at once."""


def decide(sents: Sequence[SpacySpan], cues: FeatureCues | None = None, decider=None) -> list[SentenceDecision] | None:
    """A decision for each sentence (``None`` when no trained classifier is installed)."""
    decider = decider or load_decider()
    if decider is None:
        return None
    cues = cues or feature_cues()
    codes = [cues.codes(s) for s in sents]
    docs = [_feature_doc(decider.vocab, _features(s, codes[n], codes[n - 1] if n else []))
            for n, s in enumerate(sents)]
    textcat = decider.get_pipe("textcat_multilabel")
    scores = [row for n in range(0, len(docs), _PREDICT_BATCH)  # bounded memory for a long text
              for row in textcat.predict(docs[n:n + _PREDICT_BATCH])]
    names = list(textcat.labels)
    out = []
    for row, found in zip((list(map(float, r)) for r in scores), codes):
        cats = dict(zip(names, row))
        out.append(SentenceDecision(
            precondition=cats.get(PRECONDITION, 0.0),
            position=cats.get(POSITION, 0.0),
            action={a.value: cats.get(ACTION_PREFIX + a.value, 0.0) for a in Action},
            outcome={o.value: cats.get(OUTCOME_PREFIX + o.value, 0.0) for o in Outcome},
            stance={s.value: cats.get(STANCE_PREFIX + s.value, 0.0) for s in Stance},
            cues=frozenset(found),
        ))
    return out


@dataclass(frozen=True)
class Thresholds:
    """Where the classifier's scores overrule the rules; ``None`` leaves that decision to the rules.

    The defaults are what cross-validation over the train split chose (``training/crossval.py``):
    at its present size the classifier's demand/position scores lower F1 when they drop or turn
    the rules' candidates, and its outcome is far more often right than the rules'.
    """

    drop_precondition: float | None = None
    """A rule precondition in a sentence scoring below this as a demand is not one ..."""
    as_position: float | None = None
    """... and becomes its demander's position when the sentence scores at least this as a position."""
    drop_position: float | None = None
    """A rule position in a sentence scoring below this both as a position and as a demand is dropped."""
    relabel_action: float | None = None
    """The classifier's action replaces the rules' when it scores this and the rules' under half of it."""
    relabel_outcome: float | None = 0.5
    """The classifier's outcome replaces the rules' when it scores this and the rules' under 0.5."""
    flip_stance: float | None = None
    """A position's stance turns when the other stance scores this and its own under 0.2."""
    propose_position: float | None = 0.8
    """A sentence scoring this as a position, where the rules found nothing, gives its voice's position
    (0.8: with the rules' wider reach, 0.7 let in more wrong positions than right ones on dev)."""


DEFAULT_THRESHOLDS = Thresholds()


def apply_decisions(preconditions: list[Precondition], positions: list[Position],
                    decisions: dict[int, SentenceDecision], *, labels_of: dict[str, str] | None = None,
                    thresholds: Thresholds | None = None) -> tuple[list[Precondition], list[Position]]:
    """Gate and label the rules' candidates with the sentence decisions.

    ``decisions`` maps an evidence's start offset to its sentence's decision; ``labels_of`` maps
    an action code to the words a position about it is given as its topic. Who, whom, where and
    the evidence stay the rules'; ids are numbered again in order.
    """
    t = thresholds or DEFAULT_THRESHOLDS
    labels_of = labels_of or {}
    kept_pre: list[Precondition] = []
    new_pos: list[Position] = []
    for p in preconditions:
        d = decisions.get(p.evidence.start)
        if d is None:
            kept_pre.append(p)
            continue
        if t.drop_precondition is not None and d.precondition < t.drop_precondition:
            if t.as_position is not None and d.position >= t.as_position and p.action in labels_of:
                new_pos.append(Position(p.id.rsplit("/precondition/", 1)[0] + "/position/0", p.demander, Stance.SUPPORTS.value, labels_of[p.action], p.evidence,
                                        p.statement))
            continue
        # the rules' action or outcome stands where the sentence's own cue phrases name it
        action, outcome = p.action, p.for_
        best = max(d.action, key=d.action.get)
        if (t.relabel_action is not None and best != action and f"action_{action}" not in d.cues
                and d.action[best] >= t.relabel_action and d.action.get(action, 0.0) < d.action[best] / 2):
            action = best
        best_for = max(d.outcome, key=d.outcome.get)
        if (t.relabel_outcome is not None and best_for != outcome and f"outcome_{outcome}" not in d.cues
                and d.outcome[best_for] >= t.relabel_outcome and d.outcome.get(outcome, 0.0) < 0.5):
            outcome = best_for
        kept_pre.append(replace(p, action=action, for_=outcome))
    kept_pos: list[Position] = []
    for p in positions:
        d = decisions.get(p.evidence.start)
        if d is not None:
            if t.drop_position is not None and d.position < t.drop_position and d.precondition < t.drop_position:
                continue
            other = Stance.OPPOSES.value if p.stance == Stance.SUPPORTS.value else Stance.SUPPORTS.value
            if (t.flip_stance is not None and d.position >= 0.5 and d.stance.get(other, 0.0) >= t.flip_stance
                    and d.stance.get(p.stance, 1.0) < 0.2):
                p = replace(p, stance=other)
        kept_pos.append(p)
    seen = {(p.holder, p.stance, p.topic.lower(), p.evidence.start) for p in kept_pos}
    new_pos = [p for p in new_pos if (p.holder, p.stance, p.topic.lower(), p.evidence.start) not in seen]
    if new_pos:
        kept_pos = sorted(kept_pos + new_pos, key=lambda p: p.evidence.start)
    return _renumber(kept_pre, "precondition"), _renumber(kept_pos, "position")


_SPEECH = words("clause_speech")
"""Verbs of saying whose clause holds what a sentence is about ("X said it backed the talks")."""
_OBJECTS = ("dobj", "xcomp", "ccomp", "attr", "acomp", "oprd")
_NOT_A_TOPIC = ("DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY")


def clause_topic(sent: SpacySpan) -> str:
    """What the sentence's main clause is about: the object (or complement) of its main verb,
    past a verb of saying ("X said it backed the talks" -> "the talks"); else the object of a
    preposition after the verb ("called for calm"). A fronted adverbial ("On Tuesday, ...",
    "Against that backdrop, ...", "In recent calls, ...") sets the scene and is never the
    topic, nor is a date, a time or a number ("urged restraint on Friday")."""
    verb = sent.root
    for _ in range(3):
        if verb.lemma_.lower() not in _SPEECH:
            break
        inner = [c for c in verb.children if c.dep_ == "ccomp"]
        if not inner:
            break
        verb = inner[0]
    core = [c for c in verb.children if c.dep_ in _OBJECTS]
    preps = [o for c in verb.children if c.dep_ == "prep" and c.i > verb.i
             for o in c.children if o.dep_ == "pobj"][:1]
    for child in core + preps:
        if child.ent_type_ in _NOT_A_TOPIC:
            continue
        text = phrase(list(child.subtree))
        if text:
            return text
    return ""


def propose_positions(sents: Sequence[SpacySpan], decisions: Sequence[SentenceDecision], voices: dict[int, str],
                      taken: set[int], *, thresholds: Thresholds | None = None) -> list[tuple[int, str, str, str]]:
    """Positions the rules missed: (sentence position, holder key, stance, topic) for each sentence
    the classifier scores as a position, the rules found nothing in, and a voice speaks
    (``voices``: sentence position -> the actor whose statement it is or continues)."""
    t = thresholds or DEFAULT_THRESHOLDS
    if t.propose_position is None:
        return []
    out = []
    for n, (sent, d) in enumerate(zip(sents, decisions)):
        if n in taken or n not in voices or d.position < t.propose_position:
            continue
        topic = clause_topic(sent)
        if topic:
            out.append((n, voices[n], max(d.stance, key=d.stance.get), topic))
    return out


def _renumber(items: list, kind: str) -> list:
    out = []
    for n, item in enumerate(items, start=1):
        base = item.id.rsplit(f"/{kind}/", 1)[0]
        out.append(replace(item, id=f"{base}/{kind}/{n}"))
    return out
