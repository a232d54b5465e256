"""Incremental ingest: unchanged documents are skipped before any NLP, changed ones replace their old graph."""

from __future__ import annotations

import importlib.util
import json
import sys

import pyoxigraph as ox
import pytest

from conftest import ROOT
from kg.api import ingest
from kg.ingest import count_documents
from kg.store.oxigraph import finish_replacements
from kg.store import open_store

PROV_AT = ox.NamedNode("http://www.w3.org/ns/prov#atLocation")


def _corpus():
    """bench/corpus.py, the benchmark's corpus generator."""
    name = "polkg_bench_corpus"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "corpus.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def write_short_corpus(folder, n: int, seed: int = 7) -> list:
    """``n`` short synthetic articles (about 100-200 words) as .txt files; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for record in _corpus().generate(n, seed=seed, low=60, high=140, mode=90):
        path = folder / f"{record['id']:03d}.txt"
        path.write_text(record["text"], encoding="utf-8")
        paths.append(path)
    return paths


class _NoNLP:
    """Stands where the pipeline would: any use of it fails the test."""

    def pipe(self, texts, **kwargs):
        raise AssertionError("NLP ran on an unchanged document")

    __call__ = pipe


def graph_quads(store, graph: str) -> set[str]:
    return {str(q) for q in store.raw.quads_for_pattern(None, None, None, ox.NamedNode(graph))}


def graphs_at(store, path: str) -> set[str]:
    return {q.graph_name.value for q in store.raw.quads_for_pattern(None, PROV_AT, ox.Literal(path), None)}


@pytest.fixture
def corpus(tmp_path):
    return write_short_corpus(tmp_path / "corpus", 6)


def test_incremental_unchanged_documents_skip_nlp(corpus, tmp_path, nlp):
    with open_store(tmp_path / "store") as store:
        first = ingest([corpus[0].parent], store, nlp=nlp)
        assert first.ok and len(first.ingested) == 6 and first.triples > 0
        graphs = store.document_graphs()
        kinds = []
        again = ingest([corpus[0].parent], store, nlp=_NoNLP(), on_document=lambda kind, what: kinds.append(kind))
        assert again.ok and again.ingested == [] and again.triples == 0
        assert sorted(again.skipped) == sorted(str(p) for p in corpus)
        assert kinds == ["skipped"] * 6
        assert store.document_graphs() == graphs


def test_incremental_same_text_elsewhere_is_the_same_document(corpus, tmp_path, nlp):
    copy = tmp_path / "copy.txt"
    copy.write_bytes(corpus[0].read_bytes())
    with open_store(tmp_path / "store") as store:
        report = ingest([corpus[0], copy], store, nlp=nlp)
        assert report.ingested == [str(corpus[0])] and report.skipped == [str(copy)]


def test_incremental_changed_file_replaces_its_old_graph(corpus, tmp_path, nlp):
    changed = corpus[2]
    with open_store(tmp_path / "store") as store:
        ingest([corpus[0].parent], store, nlp=nlp)
        before = store.document_graphs()
        (old,) = graphs_at(store, str(changed))
        others = {g: graph_quads(store, g) for g in before if g != old}

        changed.write_text(changed.read_text(encoding="utf-8") + "Russia demands that Ukraine withdraw its "
                           "forces from Kherson, Dmitry Peskov said on Monday.\n", encoding="utf-8")
        report = ingest([corpus[0].parent], store, nlp=nlp)
        assert report.ok and report.ingested == [str(changed)] and report.replaced == [str(changed)]
        assert len(report.skipped) == 5
        assert "1 ingested, 1 of them replacing an older version, 5 unchanged" in report.summary()

        (new,) = graphs_at(store, str(changed))
        assert new != old and not store.has_graph(old) and store.has_graph(new)
        assert len(store.document_graphs()) == len(before)
        assert {g: graph_quads(store, g) for g in others} == others  # the other documents are untouched
        assert not list(store.raw.quads_for_pattern(None, None, None, ox.NamedNode(old)))
        # no replacement left pending in the meta graph
        assert not [q for q in store.raw.quads_for_pattern(None, None, None, None) if "ingest/replaces" in str(q)]

        # and back to the first version: its graph comes back, the second goes
        changed.write_text(changed.read_text(encoding="utf-8").rsplit("Russia demands", 1)[0], encoding="utf-8")
        report = ingest([corpus[0].parent], store, nlp=nlp)
        assert report.replaced == [str(changed)]
        assert graphs_at(store, str(changed)) == {old}


def test_incremental_unfinished_replacement_is_finished_by_the_next_ingest(corpus, tmp_path, nlp):
    """An ingest that stopped after writing a new version, before removing the old one."""
    with open_store(tmp_path / "store") as store:
        ingest(corpus[:2], store, nlp=nlp)
        old, new = (graphs_at(store, str(p)).pop() for p in corpus[:2])
        marker = ox.Quad(ox.NamedNode(new), ox.NamedNode("https://w3id.org/polkg/id/ingest/replaces"),
                         ox.NamedNode(old), ox.NamedNode("https://w3id.org/polkg/id/graph/meta"))
        store.raw.add(marker)
        report = ingest(corpus[2:3], store, nlp=nlp)
        assert report.ok and len(report.ingested) == 1
        assert not store.has_graph(old) and store.has_graph(new)
        assert marker not in store.raw
        assert finish_replacements(store.raw) == 0


def test_incremental_count_documents(tmp_path):
    folder = tmp_path / "in"
    write_short_corpus(folder, 3)
    lines = [json.dumps({"text": f"Text number {i}."}) for i in range(4)]
    (folder / "more.jsonl").write_text("\n".join(lines) + "\n\n", encoding="utf-8")
    (folder / "notes.bin").write_bytes(b"\x00")  # not a document suffix: not listed
    assert count_documents([folder]) == 7
    assert count_documents([folder, tmp_path / "missing"]) == 8  # a refusal is reported once too
