"""The benchmark's synthetic store: its projections equal the same edges loaded straight into networkx."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import networkx as nx
import pytest

from kg import analysis
from kg.analysis.projections import topic_key
from kg.store import open_store

BENCH = Path(__file__).resolve().parents[2] / "bench" / "analyze.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_analyze", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _keyed(G) -> dict[tuple, tuple[int, int]]:
    return {(u, v, d.get("kind")): (d.get("assertions", d.get("preconditions")), d["documents"])
            for u, v, d in G.edges(data=True)}


def test_analysis_bench_projections_match_direct_edges(tmp_path):
    bench = _bench()
    synthetic, written = bench.build_store(tmp_path / "store", 15_000, seed=2)
    assert written["quads"] >= 15_000 and written["documents"] > 20
    with open_store(tmp_path / "store", read_only=True) as store:
        facts = analysis.read_facts(store)
    direct = bench.direct_projections(synthetic.edges)
    # the baseline keeps a topic's wording; the projection keys topics by their content words
    topics = {t: topic_key(t) for t in bench.TOPICS}
    assert len(set(topics.values())) == len(topics)
    direct["positions"] = nx.relabel_nodes(direct["positions"], topics)
    for name, build in [("actors", analysis.actor_graph), ("regions", analysis.region_graph),
                        ("positions", analysis.position_graph), ("preconditions", analysis.precondition_graph)]:
        built = build(facts)
        assert _keyed(built) == _keyed(direct[name]), name


@pytest.mark.slow
def test_analysis_bench_smoke_run(tmp_path):
    section = _bench().main(["--triples", "20000", "--runs", "1", "--store", str(tmp_path / "store")])
    assert section.startswith("## Analysis benchmark")
    assert "Store → projections over the same edges" in section and "Machine:" in section
