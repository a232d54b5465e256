"""The claim layer: one canonical claim from many reports, when it held, how it changed.

>>> from kg.claims import update_claims, read_claims    # doctest: +SKIP
>>> update_claims(store); layer = read_claims(store)     # doctest: +SKIP
"""

from kg.claims.build import build_threads, date_range, overlaps
from kg.claims.layer import CLAIMS_GRAPH, ClaimUpdate, read_reports, rebuild_claims, update_claims
from kg.claims.model import CHANGE_TYPES, Change, Claim, ClaimLayer, Contradiction, Report, Thread
from kg.claims.topics import has_withdrawal, same_topic, topic_actions, topic_lemmas

__all__ = [
    "update_claims", "rebuild_claims", "read_reports", "build_threads", "read_claims", "CLAIMS_GRAPH",
    "ClaimUpdate", "Report", "Claim", "Thread", "Change", "Contradiction", "ClaimLayer", "CHANGE_TYPES",
    "same_topic", "topic_lemmas", "topic_actions", "has_withdrawal", "date_range", "overlaps",
]


def read_claims(store) -> ClaimLayer:
    """The claim layer of ``store``, built from its documents' reports (what the claim graph holds)."""
    return build_threads(read_reports(store))
