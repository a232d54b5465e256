"""Exports as a Linked Data user reads them: prefixes, a JSON-LD context, named graphs kept."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, URIRef

from conftest import SEED
from kg.cli import main
from kg.export import export
from kg.namespaces import PREFIXES

PREFIX_LINES = [f"@prefix {name}: <{iri}> ." for name, iri in PREFIXES.items()]


def _head(text: str) -> list[str]:
    return text.splitlines()[:len(PREFIX_LINES)]


@pytest.mark.parametrize("fmt", ["trig", "ttl"])
def test_export_turtle_and_trig_declare_every_polkg_prefix(seed_store, fmt):
    text = export(seed_store, fmt, documents_only=True).decode("utf-8")
    assert _head(text) == PREFIX_LINES
    assert "wd:" in "\n".join(PREFIX_LINES) and " pol:Precondition" in text and "ref:Russia" in text
    # What the prefixes abbreviate reads back as the same triples.
    nquads = seed_store.dump(ox.RdfFormat.N_QUADS, graphs=seed_store.document_graphs()).decode("utf-8")
    expected = Dataset(default_union=True)
    expected.parse(data=nquads, format="nquads")
    if fmt == "trig":
        read = Dataset(default_union=True)
        read.parse(data=text, format="trig")
        assert {str(g.identifier) for g in read.graphs() if len(g)} == set(seed_store.document_graphs())
    else:
        read = Graph().parse(data=text, format="turtle")
    assert set(read.triples((None, None, None))) == set(expected.triples((None, None, None)))


def test_export_jsonld_has_a_context_of_the_polkg_prefixes(seed_store):
    data = json.loads(export(seed_store, "jsonld", documents_only=True))
    assert data["@context"] == {name: str(iri) for name, iri in PREFIXES.items()}
    read = Dataset(default_union=True)
    read.parse(data=json.dumps(data), format="json-ld")
    precondition = URIRef(next(g for g in seed_store.document_graphs()) + "/precondition/1")
    assert (precondition, URIRef(PREFIXES["pol"] + "demander"), URIRef(PREFIXES["ref"] + "Russia")) in read


def test_cli_extract_ttl_declares_every_polkg_prefix(tmp_path):
    result = CliRunner().invoke(main, ["--store", str(tmp_path / "s"), "extract", str(SEED), "--format", "ttl"],
                                catch_exceptions=False)
    assert result.exit_code == 0
    assert _head(result.output) == PREFIX_LINES
    graph = Graph().parse(data=result.output, format="turtle")
    assert (None, URIRef(PREFIXES["pol"] + "demander"), URIRef(PREFIXES["ref"] + "Russia")) in graph


def test_readme_reads_a_trig_export_with_rdflib(seed_store_path, tmp_path, monkeypatch, capsys):
    """The README's example, run as written on an export of the seed store."""
    import re

    from conftest import ROOT

    section = (ROOT / "README.md").read_text(encoding="utf-8").split("### Reading an export", 1)[1]
    shell, code = re.findall(r"```(?:sh|python)\n(.*?)```", section, flags=re.S)[:2]
    assert shell.strip() == "kg export --format trig -o graph.trig"
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--store", str(seed_store_path), *shell.split()[1:]], catch_exceptions=False)
    assert result.exit_code == 0
    exec(compile(code, "README.md", "exec"), {})
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["Russia renounce_alliance Ukraine", "Russia withdraw_forces Ukraine"]
