"""The measures under their first home; each now lives in its own module of :mod:`kg.analysis`."""

from kg.analysis.centrality import actor_centrality
from kg.analysis.regions import contested_regions
from kg.analysis.tables import actor_table, region_table

__all__ = ["actor_centrality", "contested_regions", "actor_table", "region_table"]
