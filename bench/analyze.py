"""Benchmark of the network analysis (kg.analysis) on a synthetic store.

Builds documents' named graphs of the same shape as ingested ones (mentions,
statements, positions, preconditions, each with its evidence; reference actors
and regions, plus local people) straight as quads, bulk-loads them into an
on-disk Oxigraph store, then times, as the median of ``--runs`` runs:

- reading the store (the bulk SPARQL queries of kg.analysis.read_facts) and
  building the four projections;
- loading the same edges straight into networkx, from Python tuples (the
  baseline: what the projections would cost without a store);
- the measures: centrality, communities, alignment, contested regions, a path
  explanation and a timeline.

    .venv/bin/python bench/analyze.py --triples 1000000
    .venv/bin/python bench/analyze.py --triples 1000000 --record   # also update bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe  # noqa: E402

import networkx as nx
import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import analysis  # noqa: E402
from kg.resources import reference_files  # noqa: E402
from kg.store import open_store  # noqa: E402

POL = "https://w3id.org/polkg/ontology#"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"
ID = "https://w3id.org/polkg/id/"
ACT = "https://w3id.org/polkg/vocab/action/"
OUT = "https://w3id.org/polkg/vocab/outcome/"
ST = "https://w3id.org/polkg/vocab/stance/"

TOPICS = [
    "ceasefire along the current front line", "ceasefire that would freeze the front line",
    "peace talks in Istanbul", "direct negotiations with Kyiv", "negotiations without preconditions",
    "sanctions relief", "new sanctions on energy exports", "NATO membership for Ukraine",
    "neutral status for Ukraine", "security guarantees from the West", "prisoner exchange",
    "humanitarian corridor from Mariupol", "elections in occupied regions", "return of occupied territory",
    "recognition of new borders", "arms deliveries to Kyiv", "long-range missiles for Ukraine",
    "grain export deal", "safety zone around the nuclear plant", "peacekeeping mission under the UN",
    "war crimes tribunal", "reconstruction fund for Ukraine", "frozen assets for reconstruction",
    "peace plan of China", "peace formula of Zelensky", "referendums in occupied regions",
    "demilitarized zone along the border", "withdrawal of foreign troops", "energy infrastructure strikes",
    "talks on strategic stability", "maritime corridor in the Black Sea", "lifting of the blockade",
]
ACTIONS = ["withdraw_forces", "recognize_territory", "renounce_alliance", "neutrality", "demilitarization",
           "ceasefire", "lift_sanctions", "security_guarantees", "release_prisoners", "hold_elections",
           "humanitarian_access", "return_territory", "other"]
REGIONAL = {"withdraw_forces", "recognize_territory", "return_territory", "demilitarization", "humanitarian_access"}
OUTCOMES = ["ceasefire", "negotiations", "agreement", "normalization", "other"]


def N(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def L(value, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(str(value), language=lang)
    if datatype:
        return ox.Literal(str(value), datatype=N(XSD + datatype))
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=N(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=N(XSD + "integer"))
    return ox.Literal(str(value))


def reference_pool() -> tuple[list[str], list[tuple[str, str]], list[str]]:
    """States, (person, the state they speak for) and regions of the reference data."""
    types: dict[str, set[str]] = defaultdict(set)
    speaks: dict[str, str] = {}
    for path in reference_files():
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if triple.predicate.value == RDF_TYPE:
                types[triple.subject.value].add(triple.object.value.rsplit("#", 1)[-1])
            elif triple.predicate.value == POL + "speaksFor":
                speaks[triple.subject.value] = triple.object.value
    states = sorted(s for s, t in types.items() if "State" in t)
    persons = sorted((p, s) for p, s in speaks.items() if "Person" in types[p] and s in set(states))
    regions = sorted(r for r, t in types.items() if "Region" in t and not (t - {"Region"}))
    return states, persons, regions


class Synthetic:
    """Documents of the shape ``kg.rdf.mapping.to_graph`` writes, with the edges they imply."""

    def __init__(self, seed: int = 0, n_states: int = 120, n_persons: int = 120, n_regions: int = 400) -> None:
        self.rng = random.Random(seed)
        states, persons, regions = reference_pool()
        self.rng.shuffle(states)
        self.rng.shuffle(persons)
        self.rng.shuffle(regions)
        self.states = states[:n_states]
        chosen = set(self.states)
        self.persons = [p for p in persons if p[1] in chosen][:n_persons]
        self.regions = regions[:n_regions]
        self.bloc = {s: self.rng.random() < 0.5 for s in self.states}
        self.polarity = {t: self.rng.choice((1, -1)) for t in TOPICS}
        self.locals = 0
        self.edges: list[tuple] = []  # (kind, source, target, assertion, document)

    def _zipf(self, items: list, k: int) -> list:
        weights = [1.0 / (i + 1) for i in range(len(items))]
        found: list = []
        while len(found) < min(k, len(items)):
            item = self.rng.choices(items, weights)[0]
            if item not in found:
                found.append(item)
        return found

    def document(self, index: int) -> list[ox.Quad]:
        rng = self.rng
        doc = f"{ID}doc/{index:016x}"
        g = N(doc)
        quads: list[ox.Quad] = []

        def add(s: str, p: str, o) -> None:
            quads.append(ox.Quad(N(s), N(p), o if not isinstance(o, str) else N(o), g))

        day = 1 + index % 28
        month = 1 + (index // 28) % 12
        year = 2022 + (index // 336) % 3
        published = f"{year}-{month:02d}-{day:02d}"
        add(doc, RDF_TYPE, POL + "Document")
        add(doc, DCT + "title", L(f"Synthetic report {index}"))
        add(doc, DCT + "date", L(published, "date"))
        add(doc, DCT + "source", L("synthetic wire"))
        add(doc, PROV + "atLocation", L(f"synthetic/{index}.txt"))
        add(doc, POL + "contentHash", L(f"{index:064x}"))
        add(doc, POL + "characters", L(3000))
        run, agent = doc + "/extraction", ID + "agent/polkg-rules/0.1.0"
        add(run, RDF_TYPE, PROV + "Activity")
        add(run, PROV + "used", doc)
        add(run, PROV + "wasAssociatedWith", agent)
        add(agent, RDF_TYPE, PROV + "SoftwareAgent")
        add(agent, RDFS_LABEL, L("polkg-rules 0.1.0"))

        states = self._zipf(self.states, rng.randint(2, 5))
        persons = [p for p in self._zipf(self.persons, rng.randint(1, 3))]
        if rng.random() < 0.3:
            self.locals += 1
            local = f"{ID}actor/local_person_{self.locals % 2000}"
            employer = rng.choice(states)
            add(local, RDF_TYPE, POL + "Person")
            add(local, SKOS_PREF, L(f"Local Person {self.locals % 2000}", lang="en"))
            add(local, POL + "linked", L(False))
            add(local, POL + "kind", L("person"))
            add(local, POL + "speaksFor", employer)
            persons.append((local, employer))
        for person, state in persons:
            if state not in states:
                states.append(state)
        regions = self._zipf(self.regions, rng.randint(1, 3))
        actors = states + [p for p, _ in persons]
        speaks = dict(persons)
        sentences = 30
        sentence = lambda i: (i * 100, i * 100 + 99)  # noqa: E731
        for entity in actors + regions:
            add(doc, POL + ("mentionsRegion" if entity in regions else "mentionsActor"), entity)
            for _ in range(rng.randint(1, 7)):
                i = rng.randrange(sentences)
                start = i * 100 + rng.randrange(60)
                mention = f"{doc}/mention/{start}-{start + 12}"
                add(mention, RDF_TYPE, POL + "Mention")
                add(mention, POL + "refersTo", entity)
                add(mention, POL + "document", doc)
                add(mention, OA + "start", L(start))
                add(mention, OA + "end", L(start + 12))
                add(mention, OA + "exact", L(f"name {start}"))
        for a, b in combinations(sorted(set(actors)), 2):
            self.edges.append(("co_mentioned", a, b, None, doc))
        for person, state in persons:
            self.edges.append(("speaks_for", person, state, None, doc))

        def assertion(node: str, cls: str, i: int) -> None:
            start, end = sentence(i)
            ev = node + "/evidence"
            add(node, RDF_TYPE, POL + cls)
            add(node, PROV + "wasGeneratedBy", run)
            add(node, PROV + "wasDerivedFrom", doc)
            add(node, POL + "evidence", ev)
            add(ev, RDF_TYPE, POL + "Evidence")
            add(ev, POL + "document", doc)
            add(ev, OA + "start", L(start))
            add(ev, OA + "end", L(end))
            add(ev, OA + "exact", L(f"Sentence {i} of synthetic report {index}."))

        said, speakers = [], {}
        for n in range(rng.randint(1, 4)):
            speaker = rng.choice(persons)[0]
            node, i = f"{doc}/statement/{n + 1}", rng.randrange(sentences)
            assertion(node, "Statement", i)
            add(node, POL + "speaker", speaker)
            if rng.random() < 0.5:
                add(node, POL + "date", L(published, "date"))
            said.append(node)
            self.edges.append(("speaks_for", speaker, speaks[speaker], node, doc))
            speakers[node] = speaker
        for n in range(rng.randint(1, 3)):
            holder, topic = rng.choice(states), rng.choice(TOPICS)
            sign = self.polarity[topic] * (1 if self.bloc[holder] else -1) * (1 if rng.random() < 0.85 else -1)
            stance = "supports" if sign > 0 else "opposes"
            node = f"{doc}/position/{n + 1}"
            assertion(node, "Position", rng.randrange(sentences))
            add(node, POL + "holder", holder)
            add(node, POL + "stance", ST + stance)
            add(node, POL + "topic", L(topic))
            if said and rng.random() < 0.5:
                add(node, POL + "statedIn", rng.choice(said))
            self.edges.append(("position", holder, topic, node, doc))
        for n in range(rng.choice((0, 1, 1, 2))):
            demander, addressee = rng.sample(states, 2) if len(states) > 1 else (states[0], None)
            action, outcome = rng.choice(ACTIONS), rng.choice(OUTCOMES)
            node = f"{doc}/precondition/{n + 1}"
            assertion(node, "Precondition", rng.randrange(sentences))
            add(node, POL + "demander", demander)
            if addressee:
                add(node, POL + "addressee", addressee)
                self.edges.append(("demands_of", demander, addressee, node, doc))
            add(node, POL + "action", ACT + action)
            add(node, POL + "forOutcome", OUT + outcome)
            named = regions[: rng.randint(1, len(regions))] if action in REGIONAL else []
            for region in named:
                add(node, POL + "region", region)
                self.edges.append(("demands_about", demander, region, node, doc))
            if said and rng.random() < 0.7:
                statement = rng.choice(said)
                add(node, POL + "statedIn", statement)
                speaker = speakers[statement]
                if addressee and addressee not in (speaker, demander, speaks[speaker]):
                    self.edges.append(("addresses", speaker, addressee, node, doc))
                    self.edges.append(("addresses", speaker, addressee, statement, doc))
            chain = [f"demander:{demander}", f"action:{action}|{addressee}|{','.join(sorted(named))}"]
            chain += [f"addressee:{addressee}"] if addressee else []
            chain.append(f"outcome:{outcome}")
            for u, v in zip(chain, chain[1:]):
                self.edges.append(("precondition", u, v, node, doc))
        return quads


def build_store(path: Path, triples: int, seed: int) -> tuple[Synthetic, dict]:
    """Bulk-load synthetic documents until about ``triples`` quads are written."""
    synthetic = Synthetic(seed)
    written = {"quads": 0, "documents": 0}

    def quads():
        while written["quads"] < triples:
            batch = synthetic.document(written["documents"])
            written["documents"] += 1
            written["quads"] += len(batch)
            yield from batch

    started = time.perf_counter()
    with open_store(path) as store:
        store.raw.bulk_extend(quads())
        store.raw.flush()
        written["load_seconds"] = time.perf_counter() - started
        written["store_quads"] = len(store)
    return synthetic, written


def direct_projections(edges: list[tuple]) -> dict[str, nx.Graph]:
    """The baseline: the same edges loaded straight into networkx, aggregated as the projections are."""
    actors, regions, positions, preconditions = (nx.MultiDiGraph(), nx.MultiDiGraph(), nx.DiGraph(), nx.DiGraph())
    support: dict[tuple, set] = defaultdict(set)
    documents: dict[tuple, set] = defaultdict(set)
    for kind, u, v, assertion, doc in edges:
        key = (kind, u, v)
        documents[key].add(doc)
        if assertion:
            support[key].add(assertion)
    for (kind, u, v), docs in documents.items():
        data = {"assertions": len(support[(kind, u, v)]), "documents": len(docs), "weight": float(len(docs))}
        if kind in ("co_mentioned", "speaks_for", "addresses", "demands_of"):
            actors.add_edge(u, v, key=kind, kind=kind, **data)
        elif kind == "demands_about":
            regions.add_edge(u, v, key=kind, kind=kind, **data)
        elif kind == "position":
            positions.add_edge(u, v, **data)
        else:
            preconditions.add_edge(u, v, **data)
    return {"actors": actors, "regions": regions, "positions": positions, "preconditions": preconditions}


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return time.perf_counter() - started, value


def measure(path: Path, synthetic: Synthetic, runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = defaultdict(list)
    sizes: dict[str, tuple[int, int]] = {}
    for _ in range(runs):
        with open_store(path) as store:
            t, facts = timed(analysis.read_facts, store)
        times["read the store (SPARQL)"].append(t)
        graphs = {}
        for name, build in (("actors", analysis.actor_graph), ("regions", analysis.region_graph),
                            ("positions", analysis.position_graph),
                            ("preconditions", analysis.precondition_graph)):
            t, graphs[name] = timed(build, facts)
            times[f"build {name} projection"].append(t)
            sizes[name] = (graphs[name].number_of_nodes(), graphs[name].number_of_edges())
        times["store -> projections (total)"].append(
            times["read the store (SPARQL)"][-1] + sum(times[f"build {n} projection"][-1] for n in graphs))
        t, _ = timed(direct_projections, synthetic.edges)
        times["same edges -> networkx (baseline)"].append(t)
        G = graphs["actors"]
        t, centrality = timed(analysis.actor_centrality, G)
        times["centrality (degree, betweenness, PageRank)"].append(t)
        t, _ = timed(analysis.actor_communities, G)
        times["communities (Louvain)"].append(t)
        t, _ = timed(lambda: analysis.alignment_matrix(analysis.alignment_graph(graphs["positions"])))
        times["alignment (signed graph + matrix)"].append(t)
        t, _ = timed(analysis.contested_regions, graphs["regions"])
        times["contested regions"].append(t)
        ranked = sorted(centrality, key=lambda n: -centrality[n]["pagerank"])
        t, _ = timed(analysis.explain_connection, G, ranked[0], ranked[-1])
        times["path explanation (most to least central)"].append(t)
        t, _ = timed(analysis.actor_timeline, facts, ranked[0])
        times["timeline of the most central actor"].append(t)
        t, _ = timed(nx.is_directed_acyclic_graph, graphs["preconditions"])
        times["precondition DAG check"].append(t)
    times["_sizes"] = sizes  # type: ignore[assignment]
    return times


def report(args, written: dict, times: dict, synthetic: Synthetic) -> str:
    sizes = times.pop("_sizes")
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med["store -> projections (total)"] / med["same edges -> networkx (baseline)"]
    lines = [
        "## Analysis benchmark",
        "",
        f"`.venv/bin/python bench/analyze.py --triples {args.triples} --runs {args.runs} --seed {args.seed}`",
        "",
        f"Synthetic store: {written['documents']:,} documents, {written['quads']:,} document quads "
        f"({written['store_quads']:,} in the store with ontology and reference data), "
        f"bulk-loaded on disk in {written['load_seconds']:.1f} s; {len(synthetic.edges):,} edges "
        "(one per assertion and relation, plus co-mentions).",
        "",
        "Projections: " + "; ".join(f"{k} {n:,} nodes / {m:,} edges" for k, (n, m) in sizes.items()) + ".",
        "",
        f"Median of {args.runs} runs, seconds:",
        "",
        "| step | median s | runs |",
        "|---|---:|---|",
    ]
    for key, values in times.items():
        lines.append(f"| {key} | {med[key]:.2f} | {', '.join(f'{v:.2f}' for v in values)} |")
    lines += [
        "",
        f"Store → projections over the same edges loaded straight into networkx: **{ratio:.1f}×**.",
        "",
        f"Machine: {describe('networkx', 'pyoxigraph')}; 1-minute load average {written['load'][0]:.1f} before, "
        f"{written['load'][1]:.1f} after (other jobs shared the machine when above the core count).",
        "",
    ]
    return "\n".join(lines)


def record(section: str, path: Path) -> None:
    """Replace (or append) the ``## Analysis benchmark`` section of ``path``."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    heading = "## Analysis benchmark"
    if heading in text:
        before, rest = text.split(heading, 1)
        after = rest.split("\n## ", 1)
        tail = ("\n## " + after[1]) if len(after) > 1 else ""
        text = before + section.rstrip("\n") + "\n" + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="Document quads to generate (about).")
    parser.add_argument("--runs", type=int, default=3, help="Runs; the report gives medians.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--store", type=Path, help="An empty directory for the store (default: a temporary one).")
    parser.add_argument("--record", action="store_true", help="Write the section into bench/RESULTS.md.")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="polkg-bench-") as tmp:
        path = args.store or Path(tmp) / "store"
        synthetic, written = build_store(path, args.triples, args.seed)
        times = measure(path, synthetic, args.runs)
    written["load"] = (load_before, os.getloadavg()[0])
    section = report(args, written, times, synthetic)
    print(section)
    if args.record:
        record(section, ROOT / "bench" / "RESULTS.md")
    return section


if __name__ == "__main__":
    main()
