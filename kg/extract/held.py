"""A position found in a sentence: who holds it, the stance, and what it is about.

Both the stance words (:mod:`kg.extract.positions`) and the calls that are positions
(:mod:`kg.extract.preconditions`) make one; it lives apart from both so that neither
imports the other for it."""

from __future__ import annotations

from dataclasses import dataclass

from kg.extract.context import Sentence
from kg.extract.lexicon import words

__all__ = ["EVALUATIVE_CUES", "Held"]


@dataclass
class Held:
    holder: str  # entity key of the political actor
    stance: str
    topic: str
    sentence: Sentence
    cue: str = ""  # the lemma of the word that carries the stance

    @property
    def evaluates(self) -> bool:
        """Does the cue judge something ("condemned", "welcomed") rather than ask for it?"""
        return self.cue in EVALUATIVE_CUES


EVALUATIVE_CUES = words("evaluative_cues")
"""Stance words that judge what someone did or said; a demand in the same sentence is a separate
assertion ("They condemned all external support ... and called for an end to it")."""
