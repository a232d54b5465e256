"""Graph projections of the knowledge graph, and the measures analysts use on them.

:func:`to_networkx` reads the store into a :class:`networkx.MultiDiGraph` of
actors and regions; each edge is one assertion and carries its ``kind``, its
``quote`` and its ``document``.
"""

from kg.analysis.projections import to_networkx, EDGE_QUERY
from kg.analysis.measures import actor_centrality, contested_regions, actor_table, region_table

__all__ = ["to_networkx", "actor_centrality", "contested_regions", "actor_table", "region_table", "EDGE_QUERY"]
