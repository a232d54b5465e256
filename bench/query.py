"""Query benchmark: every named query on a synthetic store of about ``--triples`` triples.

The store has the project's own shape: each synthetic document is an
:class:`~kg.extract.model.Extraction` (actors and regions of the reference
data, mentions, statements, positions, preconditions with evidence) mapped by
the real :func:`kg.rdf.mapping.to_graph`, one named graph per document,
bulk-loaded into an on-disk Oxigraph store opened by polkg.

For each query the median latency is measured three ways in the same run:

* ``polkg``: ``kg.api.run_query(store, name, params)`` — loads the named query,
  resolves labels to IRIs, binds them, runs the query and collects the rows;
* ``pyoxigraph``: the same text with the same (already resolved) terms
  substituted, straight on ``pyoxigraph.Store.query``, reading every value;
* ``rdflib``: the same text with ``initBindings`` on rdflib's in-memory
  ``Dataset``, on a smaller subset (``--rdflib-triples``): rdflib's engine is
  pure Python and would take hours at a million triples.

Run::

    .venv/bin/python bench/query.py --triples 1000000
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe  # noqa: E402

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.claims import CLAIMS_GRAPH, rebuild_claims  # noqa: E402
from kg.api import run_query  # noqa: E402
from kg.extract.entities import LOCAL_BASE  # noqa: E402
from kg.extract.model import (  # noqa: E402
    Action, Actor, DocumentInfo, Evidence, Extraction, Outcome, Position, Precondition, Region, Span, Stance,
    Statement,
)
from kg.params import bind_parameters  # noqa: E402
from kg.query import get_query  # noqa: E402
from kg.rdf.mapping import to_graph  # noqa: E402
from kg.store import open_store  # noqa: E402
from kg.store.oxigraph import from_ox, to_ox  # noqa: E402

DOC_BASE = "https://w3id.org/polkg/id/doc/"
POL = "https://w3id.org/polkg/ontology#"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
KINDS = {"State": "state", "Government": "government", "Person": "person", "Alliance": "alliance",
         "Organization": "organization", "ArmedGroup": "armed_group", "Party": "party"}
# The most talked-about come first; the rest of the reference data follows in a long tail.
POPULAR_ACTORS = ["Russia", "Ukraine", "United States", "China", "Israel", "Iran", "NATO", "European Union",
                  "Hamas", "Turkey", "United Nations", "Vladimir Putin", "Volodymyr Zelenskyy", "Dmitry Peskov"]
POPULAR_REGIONS = ["Donetsk People's Republic", "Luhansk People's Republic", "Crimea", "Gaza Strip",
                   "Kherson Oblast", "Zaporizhzhia Oblast", "West Bank", "Nagorno-Karabakh", "Kosovo"]
TOPICS = ["peace negotiations", "ceasefire", "sanctions", "NATO membership", "humanitarian aid", "elections",
          "prisoner exchange", "security guarantees", "arms deliveries", "territorial integrity", "neutrality",
          "the grain deal", "a buffer zone", "peacekeepers", "reparations", "a referendum", "the blockade",
          "demilitarisation", "energy supplies", "border crossings"]
WORDS = ("the talks said would must demand withdraw forces from region before any ceasefire agreement "
         "officials spokesman government troops border security guarantees negotiations condition").split()

CASES: list[tuple[str, dict[str, str]]] = [
    ("actors", {}),
    ("positions", {"actor": "Russia"}),
    ("preconditions", {"demander": "Russia"}),
    ("preconditions", {"region": "Donetsk"}),
    ("preconditions", {}),
    ("demanded_regions", {"region": "Donetsk"}),
    ("demanded_regions", {}),
    ("statements", {"speaker": "Russia", "from": "2022-01-01", "to": "2022-12-31"}),
    ("said_about", {"actor": "Russia", "about": "Ukraine"}),
    ("provenance", {"assertion": "__PRECONDITION__"}),
    ("comentions", {"actor": "Russia"}),
    ("regions", {}),
    ("claims", {"actor": "Russia"}),
    ("changes", {"actor": "Russia", "basis": "reported"}),
    ("contradictions", {"actor": "Russia"}),
]


# -- the synthetic corpus ---------------------------------------------------------


def reference_entities() -> tuple[list[dict], list[dict]]:
    """Actors and regions of ``ontology/reference``, popular ones first."""
    from kg import resources

    store = ox.Store()
    for path in resources.reference_files():
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    rows = store.query("""
        PREFIX pol: <https://w3id.org/polkg/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX owl: <http://www.w3.org/2002/07/owl#>
        SELECT ?e ?class ?name ?qid WHERE {
          ?e a ?class ; skos:prefLabel ?name .
          OPTIONAL { ?e owl:sameAs ?same . FILTER(STRSTARTS(STR(?same), "http://www.wikidata.org/entity/Q"))
                     BIND(STRAFTER(STR(?same), "http://www.wikidata.org/entity/") AS ?qid) }
        } ORDER BY ?e""")
    actors, regions = [], []
    for row in rows:
        cls = row["class"].value.rsplit("#", 1)[-1]
        item = {"id": row["e"].value, "name": row["name"].value, "wikidata": row["qid"].value if row["qid"] else None}
        if cls == "Region":
            regions.append(item)
        elif cls in KINDS:
            actors.append({**item, "kind": KINDS[cls]})

    def popular_first(items, popular):
        rank = {name: i for i, name in enumerate(popular)}
        return sorted(items, key=lambda it: (rank.get(it["name"], len(rank)), it["id"]))

    return popular_first(actors, POPULAR_ACTORS), popular_first(regions, POPULAR_REGIONS)


class Corpus:
    """Synthetic extractions: Zipf-like popularity, some entities not in the reference data."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        ref_actors, ref_regions = reference_entities()
        local = [{"id": f"{LOCAL_BASE}actor/local_group_{n}", "name": f"Local Group {n}", "wikidata": None,
                  "kind": "armed_group" if n % 2 else "organization", "linked": False} for n in range(400)]
        self.actors = [{**a, "linked": True} for a in ref_actors] + local
        self.regions = [{**r, "linked": True} for r in ref_regions[:600]]
        self.actor_weights = [1.0 / (i + 1) for i in range(len(self.actors))]
        self.region_weights = [1.0 / (i + 1) for i in range(len(self.regions))]

    def _some(self, items, weights, k):
        chosen: dict[str, dict] = {}
        while len(chosen) < k:
            item = self.rng.choices(items, weights)[0]
            chosen[item["id"]] = item
        return list(chosen.values())

    def _sentence(self, names: list[str]) -> str:
        words = self.rng.choices(WORDS, k=self.rng.randint(10, 30))
        for name in names:
            words.insert(self.rng.randrange(len(words)), name)
        return " ".join(words).capitalize() + "."

    def extraction(self, number: int) -> Extraction:
        rng = self.rng
        length = rng.randint(2500, 6000)
        published = None
        if rng.random() < 0.9:
            published = (date(2014, 1, 1) + timedelta(days=rng.randrange(4380))).isoformat()
        doc_id = f"{DOC_BASE}{number:016x}"
        info = DocumentInfo(id=doc_id, title=f"Synthetic report {number}", published=published,
                            source="synthetic", path=f"synthetic/{number}.txt",
                            content_hash=f"{number:064x}", characters=length)

        def spans(name):
            out = []
            for _ in range(rng.randint(1, 5)):
                start = rng.randrange(length - len(name))
                out.append(Span(start, start + len(name), name))
            return out

        actors = [Actor(id=a["id"], name=a["name"], kind=a["kind"], wikidata=a["wikidata"], mentions=spans(a["name"]),
                        linked=a["linked"])
                  for a in self._some(self.actors, self.actor_weights, rng.randint(4, 9))]
        regions = [Region(id=r["id"], name=r["name"], wikidata=r["wikidata"], mentions=spans(r["name"]))
                   for r in self._some(self.regions, self.region_weights, rng.randint(1, 5))]
        names = [a.name for a in actors]
        people = [a.name for a in actors if a.kind == "person"] or names
        parties = [a.name for a in actors if a.kind != "person"] or names

        def evidence(mentioned):
            quote = self._sentence(mentioned)
            start = rng.randrange(max(1, length - len(quote)))
            return Evidence(quote=quote, start=start, end=start + len(quote))

        statements = []
        for n in range(rng.randint(2, 6)):
            speaker = rng.choice(people)
            said = published if published and rng.random() < 0.5 else None
            statements.append(Statement(id=f"{doc_id}/statement/{n + 1}", speaker=speaker, date=said,
                                        evidence=evidence([speaker, rng.choice(names)])))
        positions = []
        for n in range(rng.randint(1, 3)):
            holder = rng.choice(parties)
            positions.append(Position(id=f"{doc_id}/position/{n + 1}", holder=holder,
                                      stance=rng.choice(list(Stance)).value, topic=rng.choice(TOPICS),
                                      evidence=evidence([holder]),
                                      statement=rng.choice(statements).id if rng.random() < 0.5 else None))
        preconditions = []
        for n in range(rng.randint(1, 4)):
            demander = rng.choice(parties)
            others = [a for a in names if a != demander]
            addressee = rng.choice(others) if others and rng.random() < 0.8 else None
            named = rng.sample([r.name for r in regions], k=min(len(regions), rng.randint(0, 2)))
            preconditions.append(Precondition(
                id=f"{doc_id}/precondition/{n + 1}", demander=demander, addressee=addressee,
                action=rng.choice(list(Action)).value, regions=named, for_=rng.choice(list(Outcome)).value,
                evidence=evidence([demander] + ([addressee] if addressee else []) + named)))
        return Extraction(document=info, actors=actors, regions=regions, statements=statements,
                          positions=positions, preconditions=preconditions, version="0.1.0")


def document_quads(corpus: Corpus, number: int) -> list:
    extraction = corpus.extraction(number)
    graph = ox.NamedNode(extraction.document.id)
    return [ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph) for s, p, o in to_graph(extraction)]


def build(path: Path, triples: int, seed: int):
    """Open a new store at ``path`` and fill it to about ``triples`` triples."""
    store = open_store(path)
    corpus = Corpus(seed)
    documents: list[list] = []
    count = len(store)
    started = time.perf_counter()
    while count < triples or not documents:  # the reference data alone may already be that large
        quads = document_quads(corpus, len(documents))
        documents.append(quads)
        count += len(quads)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    store.raw.bulk_extend(q for doc in documents for q in doc)
    store.raw.flush()
    rebuild_claims(store)  # the claim layer, as ingest keeps it
    loaded = time.perf_counter() - started
    return store, documents, generated, loaded


# -- timing ---------------------------------------------------------------------


def medians_ms(first, second, repeat: int) -> tuple[float, float]:
    """Median milliseconds of ``first`` and ``second``, run in turn (after a warm-up
    each), so that a change in the machine's load weighs on both alike."""
    first(), second()
    times: tuple[list, list] = ([], [])
    for turn in range(repeat):
        order = (0, 1) if turn % 2 == 0 else (1, 0)
        for which in order:
            started = time.perf_counter()
            (first, second)[which]()
            times[which].append(time.perf_counter() - started)
    return statistics.median(times[0]) * 1000, statistics.median(times[1]) * 1000


def raw_runner(raw: ox.Store, text: str, substitutions: dict):
    def run():
        result = raw.query(text, use_default_graph_as_union=True, substitutions=substitutions or None)
        names = result.variables
        return [[solution[v] for v in names] for solution in result]
    return run


def rdflib_dataset(schema_quads: list, documents: list[list], triples: int):
    """rdflib's Dataset with the schema and reference graphs whole and the first documents up to
    ``triples`` document triples (at least one document): both engines then answer over documents,
    never over the reference data alone."""
    from rdflib import Dataset, URIRef

    chosen: list = []
    for quads in documents:
        if chosen and sum(map(len, chosen)) >= triples:
            break
        chosen.append(quads)
    dataset = Dataset(default_union=True)
    subset: list = []
    for quads in [schema_quads] + chosen:
        for q in quads:
            dataset.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), URIRef(q.graph_name.value)))
        subset += quads
    return dataset, subset


def label(name: str, params: dict[str, str]) -> str:
    shown = ", ".join(f"{k}={v if not v.startswith('http') else '<' + v.rsplit('/', 3)[-3] + '…>'}"
                      for k, v in params.items())
    return f"{name}({shown})"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the store (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per query and engine (median)")
    parser.add_argument("--rdflib-triples", type=int, default=60_000,
                        help="document triples in the subset rdflib runs on, beside the schema and reference (0: skip rdflib)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--store", type=Path, help="directory for the store (default: a temporary one, removed)")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="polkg-bench-"))
    path = args.store or workdir / "store"
    try:
        print(f"Machine: {describe('pyoxigraph', 'rdflib')}")
        load_before = os.getloadavg()[0]
        store, documents, generated, loaded = build(path, args.triples, args.seed)
        print(f"Store: {len(store):,} triples ({len(documents):,} documents): generated and mapped in "
              f"{generated:.1f} s, bulk-loaded in {loaded:.1f} s, on disk ({path})")
        some_precondition = next(q.subject.value for q in documents[len(documents) // 2]
                                 if q.predicate.value == POL + "demander")
        schema_quads = [q for q in store.raw.quads_for_pattern(None, None, None, None)
                        if not q.graph_name.value.startswith(DOC_BASE) and q.graph_name.value != CLAIMS_GRAPH]
        dataset = None
        if args.rdflib_triples:
            dataset, subset = rdflib_dataset(schema_quads, documents, args.rdflib_triples)
            subset_store = ox.Store()  # the same subset in Oxigraph, to check that both engines agree
            subset_store.extend(subset)
            print(f"rdflib subset: {len(subset):,} triples in rdflib's in-memory Dataset (default_union=True)")

        lines = ["| query | rows | polkg ms | pyoxigraph ms | polkg / pyoxigraph | rdflib ms (subset) | rows on subset: oxigraph / rdflib |",
                 "|---|---:|---:|---:|---:|---:|---|"]
        worst = 0.0
        for name, params in CASES:
            params = {k: (some_precondition if v == "__PRECONDITION__" else v) for k, v in params.items()}
            named = get_query(name)
            bindings = bind_parameters(store, named, params)
            substitutions = {ox.Variable(k): to_ox(v) for k, v in bindings.items()}
            rows = len(run_query(store, name, params))
            polkg, raw = medians_ms(lambda: run_query(store, name, params),
                                    raw_runner(store.raw, named.text, substitutions), args.repeat)
            ratio = polkg / raw if raw else float("nan")
            worst = max(worst, ratio)
            rdflib_ms, subset_rows = "—", "—"
            if dataset is not None:
                started = time.perf_counter()
                rd_rows = len(list(dataset.query(named.text, initBindings=bindings)))
                rdflib_ms = f"{(time.perf_counter() - started) * 1000:,.0f}"
                ox_rows = len(raw_runner(subset_store, named.text, substitutions)())
                subset_rows = f"{ox_rows} / {rd_rows}" + ("" if ox_rows == rd_rows else " (differ)")
            lines.append(f"| {label(name, params)} | {rows:,} | {polkg:,.1f} | {raw:,.1f} | {ratio:.2f} | "
                         f"{rdflib_ms} | {subset_rows} |")
            print(lines[-1], flush=True)
        print()
        print("\n".join(lines))
        print(f"\nWorst polkg / pyoxigraph ratio: {worst:.2f} (target: within 1.5)")
        print(f"1-minute load average: {load_before:.1f} before, {os.getloadavg()[0]:.1f} after "
              f"({os.cpu_count()} cores; other processes shared the machine when above that)")
        print(f"Whole run: {time.perf_counter() - began:.0f} s")
        store.close()
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
