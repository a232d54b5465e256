"""Inputs of the viewer's tests: hostile and dated documents, and synthetic graphs."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
HOSTILE = DATA / "hostile.txt"
"""Markup in the title, in quotes and in statements: it must show as text and run nothing."""
DATED = DATA / "dated.jsonl"
"""Two dated documents: one with an https source, one whose source is a javascript: URL."""


def build_viz_store(seed_store_path: Path, path: Path) -> Path:
    """A copy of the seed store with the hostile and the dated documents ingested, closed."""
    from kg.api import ingest
    from kg.store import open_store

    shutil.copytree(seed_store_path, path)
    (path / "polkg.lock").unlink(missing_ok=True)
    with open_store(path) as store:
        report = ingest([HOSTILE, DATED], store)
    assert report.ok and len(report.ingested) == 3, report.summary()
    return path


def synthetic_graph(n: int, *, seed: int = 1) -> nx.MultiDiGraph:
    """``n`` actors and regions, about two edges per node, shaped like ``kg.analysis.to_networkx`` output."""
    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    actors = [f"https://w3id.org/polkg/id/actor/a{i}" for i in range(n // 2)]
    regions = [f"https://w3id.org/polkg/id/region/r{i}" for i in range(n - len(actors))]
    for i, node in enumerate(actors):
        G.add_node(node, name=f"Actor {i}", type=rng.choice(["State", "Person", "ArmedGroup"]), role="actor",
                   wikidata=f"Q{100 + i}")
    for i, node in enumerate(regions):
        G.add_node(node, name=f"Region {i}", type="Region", role="region", wikidata=None)
    weights = [1 / (rank + 1) for rank in range(len(actors))]
    is_region = set(regions)
    for index, node in enumerate(actors + regions):
        for _ in range(2):
            source = rng.choices(actors, weights)[0]
            if source != node:
                G.add_edge(source, node, kind="demands_about" if node in is_region else "demands_of",
                           label="withdraw_forces", quote=f"Quote {index}.", document="https://w3id.org/polkg/id/doc/x",
                           start=0, end=9)
    return G


WORKBENCH = DATA / "workbench.jsonl"
"""Two more short dated articles of our own: with the viz store, about 53 nodes, several actors and spokespeople."""


def build_workbench_store(viz_store_path: Path, path: Path) -> Path:
    """A copy of the viz store with the workbench articles ingested, closed."""
    from kg.api import ingest
    from kg.store import open_store

    shutil.copytree(viz_store_path, path)
    (path / "polkg.lock").unlink(missing_ok=True)
    with open_store(path) as store:
        report = ingest([WORKBENCH], store)
    assert report.ok and len(report.ingested) == 2, report.summary()
    return path
