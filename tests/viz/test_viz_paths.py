"""The viewer shows where a document was read relative to the folder it was ingested from,
never an absolute path of the machine."""

from __future__ import annotations

import json
import shutil

from conftest import SEED
from kg.api import ingest
from kg.namespaces import POL
from kg.store import open_store
from kg.viz import to_view_graph, write_html


def test_view_shows_paths_relative_to_the_ingested_folder(tmp_path):
    news = tmp_path / "machine" / "home" / "news"
    (news / "2024").mkdir(parents=True)
    shutil.copy2(SEED, news / "2024" / SEED.name)
    (news / "wire.jsonl").write_text(json.dumps({"text": "Serbia demanded that Kosovo stop cooperating with NATO "
                                                          "as a condition for normalization.", "title": "Wire"}) + "\n",
                                     encoding="utf-8")
    with open_store(tmp_path / "store") as store:
        assert ingest([news.resolve()], store).ok   # an absolute folder, as a user may type it
        G = to_view_graph(store)
        out = tmp_path / "graph.html"
        write_html(store, out)
        located = {q.object.value for q in store.raw.quads_for_pattern(None, None, None, None)
                   if q.predicate.value == str(POL.relativePath)}
    assert located == {f"2024/{SEED.name}", "wire.jsonl:1"}
    shown = {info["path"] for info in G.graph["documents"].values()}
    assert shown == {f"2024/{SEED.name}", "wire.jsonl:1"}
    page = out.read_text(encoding="utf-8")
    assert f"2024/{SEED.name}" in page and "wire.jsonl:1" in page
    assert str(tmp_path) not in page and "/machine/home" not in page


def test_view_of_an_older_store_shows_no_absolute_path(tmp_path):
    """A document recorded before relative paths were: the viewer falls back to the file name."""
    from kg.viz.graph import shown_path

    assert shown_path(None, str(tmp_path / "news" / "a.txt")) == "a.txt"
    assert shown_path(None, "news/a.txt") == "news/a.txt"
    assert shown_path("2024/a.txt", str(tmp_path / "news" / "2024" / "a.txt")) == "2024/a.txt"
