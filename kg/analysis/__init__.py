"""Network analysis of the knowledge graph: projections to networkx and the measures analysts use.

Read the store once (:func:`read_facts`), project it (one function per
projection, :mod:`kg.analysis.projections`), then measure:

>>> import kg
>>> from kg import analysis
>>> with kg.open_store(".kg") as store:                     # doctest: +SKIP
...     facts = analysis.read_facts(store)
>>> G = analysis.actor_graph(facts)                          # doctest: +SKIP
>>> analysis.actor_centrality(G)                             # doctest: +SKIP
>>> analysis.contested_regions(analysis.region_graph(facts))  # doctest: +SKIP
>>> analysis.alignment_matrix(analysis.alignment_graph(analysis.position_graph(facts)))  # doctest: +SKIP

:func:`to_networkx` is the graph the viewer draws: actors and regions, one
edge per assertion with its ``kind``, ``quote`` and ``document``.
"""

from kg.analysis.alignment import alignment_graph, alignment_matrix
from kg.analysis.annotate import ANALYSIS_GRAPH, write_measures
from kg.analysis.centrality import actor_centrality
from kg.analysis.communities import actor_communities, community_index
from kg.analysis.export import PROJECTIONS, exportable, projection, write_network
from kg.analysis.facts import Assertion, Entity, Facts, read_facts, same_topic, topic_words
from kg.analysis.paths import Link, explain_connection
from kg.analysis.projections import (
    EDGE_QUERY,
    actor_graph,
    position_graph,
    precondition_graph,
    region_graph,
    to_networkx,
)
from kg.analysis.regions import contested_regions, region_demanders
from kg.analysis.tables import (
    ANALYSES,
    actor_table,
    alignment_table,
    analyze,
    path_table,
    precondition_table,
    region_table,
    timeline_table,
    claim_timeline_table,
    changes_table,
)
from kg.analysis.timeline import Event, actor_timeline
from kg.analysis.claims import ClaimEvent, claim_changes, claim_graph, claim_timeline

__all__ = [
    "claim_timeline",
    "claim_changes",
    "claim_graph",
    "ClaimEvent",
    "claim_timeline_table",
    "changes_table",
    "read_facts",
    "Facts",
    "Entity",
    "Assertion",
    "to_networkx",
    "actor_graph",
    "region_graph",
    "position_graph",
    "precondition_graph",
    "actor_centrality",
    "actor_communities",
    "community_index",
    "alignment_graph",
    "alignment_matrix",
    "contested_regions",
    "region_demanders",
    "explain_connection",
    "Link",
    "actor_timeline",
    "Event",
    "topic_words",
    "same_topic",
    "write_measures",
    "ANALYSIS_GRAPH",
    "projection",
    "exportable",
    "write_network",
    "PROJECTIONS",
    "actor_table",
    "region_table",
    "alignment_table",
    "precondition_table",
    "path_table",
    "timeline_table",
    "analyze",
    "ANALYSES",
    "EDGE_QUERY",
]
