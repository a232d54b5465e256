"""Imported by the fork server of ``kg ingest -j N`` (:mod:`kg.runners.pool`): builds the
pipeline and loads the reference data, vocabularies and sentence classifier once, before
the workers fork from it, so that each worker starts with them built (shared
copy-on-write) instead of building its own.

A failure here is left for the workers to meet: they build their own and report it.
"""

from __future__ import annotations


def warm() -> None:
    from kg.extract.learned import feature_cues, load_decider
    from kg.gazetteer import load_reference, load_vocabulary
    from kg.nlp.pipeline import load_nlp

    load_reference()
    load_vocabulary()
    feature_cues()
    load_decider()
    load_nlp()


try:
    warm()
except Exception:  # noqa: BLE001 - see the module's notes
    pass
