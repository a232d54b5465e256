"""When two positions are about the same topic.

Two topics are *equivalent* when they name the same precondition action (the
SKOS action scheme's cue phrases, ``ontology/vocab/actions.ttl``, found in the
topic's words) or when their content lemmas overlap enough: at least half of
the lemmas of the shorter topic are in the other, or at least three lemmas that are
not names are shared; a single shared lemma is enough only when neither topic has
more than two ("the diplomatic path" is not "diplomacy by returning to the JCPOA");
and at least one of those shared is not a name (a capitalised word: "Russia" alone does not make two topics one). Lemmas
are the topic's words of four or more letters, without the stop words of
``ontology/lexicon/claims.csv``, with irregular forms mapped there
(``negotiations`` -> ``negotiate``) and regular endings cut by rule
(``-s``, ``-es``, ``-ies``, ``-ing``, ``-ed``), compared on their first five
letters as the extraction contract compares topics. Equal strings are
equivalent only through these rules: ``"the"`` and ``"the"`` share no lemma.
"""

from __future__ import annotations

import functools
import re
import unicodedata



def _lexicon():
    """The word lists, loaded on first use: the claim layer is read by commands that do
    no NLP, which never import the extraction package."""
    from kg.extract import lexicon

    return lexicon

__all__ = ["lemma", "topic_lemmas", "topic_actions", "same_topic", "has_withdrawal"]

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_HYPHEN = re.compile(r"(?<=[^\W\d_])-(?=[^\W\d_])")


@functools.lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The lemma of one lower-case word, as topics are compared (cut to five letters).

    >>> [lemma(w) for w in ["negotiations", "talks", "ceasefires", "withdrawing", "sanctioned"]]
    ['negot', 'talk', 'cease', 'withd', 'sanct']
    """
    irregular = _lexicon().mapping("claim_lemmas")
    word = word.removesuffix("'s")
    if word in irregular:
        return irregular[word][:5]
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) + len(repl) >= 4 and not word.endswith("ss"):
            word = word[: len(word) - len(suffix)] + repl
            break
    return word[:5]


def _words(text: str) -> list[str]:
    """The words of ``text`` in their case, hyphenated compounds joined."""
    return _WORD.findall(_HYPHEN.sub("", unicodedata.normalize("NFKC", text)))


def _tokens(text: str) -> list[str]:
    return [w.casefold() for w in _words(text)]


@functools.lru_cache(maxsize=65536)
def topic_lemmas(topic: str) -> frozenset[str]:
    """The content lemmas of a topic.

    >>> sorted(topic_lemmas("peaceful negotiations with Kyiv"))
    ['kyiv', 'negot', 'peace']
    >>> sorted(topic_lemmas("a ceasefire that would freeze the front lines"))
    ['cease', 'freez', 'front', 'line']
    """
    stop = _lexicon().words("claim_stopwords")
    return frozenset(lemma(w) for w in _tokens(topic) if len(w) >= 4 and w not in stop)


@functools.lru_cache(maxsize=1)
def _action_phrases() -> tuple[tuple[str, tuple[tuple[tuple[str, ...], ...], ...]], ...]:
    """Per action code, its cue rules without ``@`` marks: parts, each a tuple of alternatives (word tuples)."""
    from kg.gazetteer import load_vocabulary

    found = []
    for code, concept in sorted(load_vocabulary()["action"].items()):
        rules = []
        for cue in concept.cues:
            parts = cue.split(" + ")
            if any(alt.strip().startswith("@") for part in parts for alt in part.split("|")):
                continue
            rules.append(tuple(tuple(tuple(_tokens(alt)) for alt in part.split("|") if _tokens(alt))
                               for part in parts))
        found.append((code, tuple(rules)))
    return tuple(found)


def _contains(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    stems = [lemma(t) for t in tokens]
    target = tuple(lemma(t) for t in phrase)
    return any(tuple(stems[i:i + n]) == target for i in range(len(stems) - n + 1))


@functools.lru_cache(maxsize=65536)
def topic_actions(topic: str) -> frozenset[str]:
    """The action codes whose cue rules (those without ``@`` marks) all match in ``topic``.

    >>> sorted(topic_actions("the withdrawal of foreign troops"))
    ['withdraw_forces']
    >>> sorted(topic_actions("peace talks"))
    []
    """
    tokens = _tokens(topic)
    codes = set()
    for code, rules in _action_phrases():
        if code == "other":
            continue
        for rule in rules:
            if rule and all(any(_contains(tokens, alt) for alt in part) for part in rule):
                codes.add(code)
                break
    return frozenset(codes)


def same_topic(a: str, b: str) -> bool:
    """Whether two position topics are equivalent (see the module's docstring).

    Examples
    --------
    >>> same_topic("peace negotiations", "negotiations with Kyiv")
    True
    >>> same_topic("the withdrawal of foreign troops", "pulling out its forces")
    True
    >>> same_topic("peace negotiations", "sanctions relief")
    False
    >>> same_topic("the", "the")
    False
    >>> same_topic("the Minsk agreements", "full implementation of the Minsk pact")
    True
    >>> same_topic("the diplomatic path", "diplomacy by returning to the JCPOA")
    False
    """
    acts_a, acts_b = topic_actions(a), topic_actions(b)
    if acts_a and acts_b and acts_a & acts_b:
        return True
    la, lb = topic_lemmas(a), topic_lemmas(b)
    if not la or not lb:
        return False
    shared = la & lb
    names = _names(a) | _names(b)
    if not shared - names:
        return False
    if len(shared) == 1:  # one word in common identifies two short topics only
        return 2 >= max(len(la), len(lb))
    return 2 * len(shared) >= min(len(la), len(lb)) or len(shared - names) >= 3


@functools.lru_cache(maxsize=65536)
def _names(topic: str) -> frozenset[str]:
    """Lemmas of the capitalised words of a topic: names, which alone do not make two topics one."""
    stop = _lexicon().words("claim_stopwords")
    heads = _lexicon().words("claim_agreement_heads")
    found = _words(topic)
    names = set()
    i = 0
    while i < len(found):
        if not found[i][:1].isupper():
            i += 1
            continue
        j = i  # the run of capitalised words from i, joined by "of"
        while j + 1 < len(found) and (found[j + 1][:1].isupper()
                                      or (found[j + 1] == "of" and j + 2 < len(found) and found[j + 2][:1].isupper())):
            j += 1
        run = [w for w in found[i:j + 1] if w != "of"]
        following = found[j + 1].casefold() if j + 1 < len(found) else ""
        agreement = following in heads or any(w.casefold().removesuffix("'s") in heads for w in run)
        if not agreement:
            names |= {lemma(w.casefold()) for w in run if w.casefold() not in stop}
        i = j + 1
    return frozenset(names)


def has_withdrawal(quote: str) -> bool:
    """Whether ``quote`` marks an explicit concession or reversal (``claim_withdrawal`` phrases).

    >>> has_withdrawal("Ankara no longer insists on the buffer zone.")
    True
    >>> has_withdrawal("Ankara insists on the buffer zone.")
    False
    """
    return _withdrawal_pattern().search(" ".join(_tokens(quote))) is not None


@functools.lru_cache(maxsize=1)
def _withdrawal_pattern() -> re.Pattern:
    """One pattern for every ``claim_withdrawal`` phrase, as whole words of the quote's tokens."""
    phrases = sorted({" ".join(_tokens(p)) for p in _lexicon().words("claim_withdrawal")} - {""})
    if not phrases:
        return re.compile(r"(?!)")
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b")
