"""The codes of the contract's controlled vocabularies, as enums.

They live apart from :mod:`kg.extract` so that what only needs the codes (the
command line's choice lists, query parameters) loads no NLP; ``kg.extract.model``
re-exports them. The SKOS schemes in ``ontology/vocab/`` hold the same codes with
their definitions (a test keeps the two equal).
"""

from __future__ import annotations

from enum import Enum

__all__ = ["ActorKind", "Action", "Outcome", "Stance"]


class ActorKind(str, Enum):
    STATE = "state"
    GOVERNMENT = "government"
    PERSON = "person"
    ALLIANCE = "alliance"
    ORGANIZATION = "organization"
    ARMED_GROUP = "armed_group"
    PARTY = "party"
    OTHER = "other"


class Action(str, Enum):
    WITHDRAW_FORCES = "withdraw_forces"
    RECOGNIZE_TERRITORY = "recognize_territory"
    RENOUNCE_ALLIANCE = "renounce_alliance"
    NEUTRALITY = "neutrality"
    DEMILITARIZATION = "demilitarization"
    CEASEFIRE = "ceasefire"
    LIFT_SANCTIONS = "lift_sanctions"
    SECURITY_GUARANTEES = "security_guarantees"
    RELEASE_PRISONERS = "release_prisoners"
    HOLD_ELECTIONS = "hold_elections"
    HUMANITARIAN_ACCESS = "humanitarian_access"
    DISARM_GROUP = "disarm_group"
    RETURN_TERRITORY = "return_territory"
    OTHER = "other"


class Outcome(str, Enum):
    CEASEFIRE = "ceasefire"
    NEGOTIATIONS = "negotiations"
    AGREEMENT = "agreement"
    NORMALIZATION = "normalization"
    OTHER = "other"


class Stance(str, Enum):
    SUPPORTS = "supports"
    OPPOSES = "opposes"
