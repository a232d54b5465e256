"""Hostile and broken inputs through the real `kg ingest`: each case is ingested whole or
refused in one line naming the file, the run goes on, and the store holds exactly the
good documents (see tests/bad_inputs/README.md)."""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.documents import _shown, read_document, read_jsonl
from kg.extract import document_iri
from kg.store import open_store

CORPUS = Path(__file__).parent / "bad_inputs"
EXPECTED = json.loads((CORPUS / "EXPECTED.json").read_text(encoding="utf-8"))
OA = "http://www.w3.org/ns/oa#"
PROV_AT = "http://www.w3.org/ns/prov#atLocation"
DCT_TITLE = "http://purl.org/dc/terms/title"


def _generated(root: Path, outside: Path) -> set[str]:
    """Make the cases that are not committed; return their names."""
    made = set()

    def add(name: str, maker) -> None:
        maker(root / name)
        made.add(name)

    def big(path: Path) -> None:
        block = b"Russia demands that Ukraine withdraw before talks, the Kremlin said.\n" * 1024
        with path.open("wb") as fh:
            while fh.tell() < 50 * 1024 * 1024:
                fh.write(block[: 50 * 1024 * 1024 - fh.tell()])

    def long_record(path: Path) -> None:
        size = 10 * 1024 * 1024
        head, tail = b'{"text": "', b'"}'
        path.write_bytes(head + b"a" * (size - len(head) - len(tail) - 1) + tail + b"\n")

    def socket_file(path: Path) -> None:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(str(path))

    outside_file = outside / "secret.txt"
    outside_file.write_text("The secret: Russia said nothing, outside the folder given.\n", encoding="utf-8")
    (outside / "folder").mkdir()
    (outside / "folder" / "secret.txt").write_text("Ukraine said nothing, in a folder outside.\n", encoding="utf-8")

    add("big_50mb.txt", big)
    add("one_line_10mb.jsonl", long_record)
    add("one_line_2m_chars.txt", lambda p: p.write_text("word " * 400_000, encoding="utf-8"))
    add("fifo.txt", os.mkfifo)
    add("socket.txt", socket_file)
    add("dangling_link.txt", lambda p: p.symlink_to(root / "no-such-file.txt"))
    add("loop_a.txt", lambda p: p.symlink_to("loop_b.txt"))
    add("loop_b.txt", lambda p: p.symlink_to("loop_a.txt"))
    add("link_outside.txt", lambda p: p.symlink_to(outside_file))
    add("link_dev_zero.txt", lambda p: p.symlink_to("/dev/zero"))
    add("link_inside.txt", lambda p: p.symlink_to(Path("private") / "linked_body.dat"))
    (root / "linked_folder").symlink_to(outside / "folder", target_is_directory=True)
    made.add("linked_folder/secret.txt")
    add("name\nwith newline.txt", lambda p: p.write_bytes("Caf\u00e9 in Kyiv.\n".encode("latin-1")))
    name = os.fsdecode(b"bad_name_\xff.txt")
    add(name, lambda p: p.write_text("Armenia said the name of this file is not UTF-8.\n", encoding="utf-8"))

    def no_permission(path: Path) -> None:
        path.write_text("Azerbaijan said on Monday that nobody may read this file.\n", encoding="utf-8")
        path.chmod(0)

    add("no_permission.txt", no_permission)
    return made


def _expected(root: Path) -> dict[str, str]:
    expected = dict(EXPECTED)
    if os.geteuid() == 0:  # root reads a mode-000 file: then it is a good document
        expected["no_permission.txt"] = "ingested"
    return expected


def _good_documents(root: Path, expected: dict[str, str]) -> dict[str, object]:
    """Each case expected to be ingested, read again here: case -> Document."""
    good = {}
    for case, outcome in expected.items():
        if outcome != "ingested":
            continue
        name, _, line = case.partition(":")
        if line:
            documents = {d.path: d for d in read_jsonl(root / name) if not isinstance(d, Exception)}
            good[case] = documents[f"{root / name}:{line}"]
        else:
            good[case] = read_document(root / case)
    return good


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """The corpus and the generated cases, ingested once by `kg ingest`."""
    base = tmp_path_factory.mktemp("bad-inputs")
    root = base / "corpus"
    shutil.copytree(CORPUS, root, symlinks=True)
    (root / "EXPECTED.json").unlink()
    (root / "README.md").unlink()
    outside = base / "outside"
    outside.mkdir()
    generated = _generated(root, outside)
    store = base / "store"
    result = CliRunner().invoke(main, ["--store", str(store), "ingest", "--no-progress", str(root)],
                                catch_exceptions=False)
    return root, store, result, generated


def test_bad_inputs_manifest_covers_every_case(hostile_run):
    root, _, _, generated = hostile_run
    committed = set()
    for path in CORPUS.rglob("*"):
        if path.is_file() and path.name not in ("EXPECTED.json", "README.md"):
            committed.add(path.relative_to(CORPUS).as_posix())
    files = {k.split(":")[0] for k in EXPECTED}  # a JSON Lines file's cases are its lines
    assert files == committed | generated
    assert {k.split(":")[0] for k in EXPECTED if ":" in k} == {"records.jsonl", "records_latin1.jsonl",
                                                               "one_line_10mb.jsonl"}
    assert len(EXPECTED) >= 30


def test_bad_inputs_each_refusal_is_one_exact_line(hostile_run):
    root, _, result, _ = hostile_run
    expected = _expected(root)
    wanted = []
    for case, reason in expected.items():
        if reason not in ("ingested", "not read"):
            name, colon, line = case.partition(":")
            wanted.append(f"Error: {_shown(str(root / name))}{colon}{line}: {reason}")
    wanted.sort()
    got = sorted(line for line in result.stderr.splitlines() if line.strip())
    assert got == wanted
    assert result.exit_code == 1


def test_bad_inputs_summary_counts_both_kinds(hostile_run):
    root, _, result, _ = hostile_run
    expected = _expected(root)
    good = sum(1 for v in expected.values() if v == "ingested")
    refused = sum(1 for v in expected.values() if v not in ("ingested", "not read"))
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith(f"{good} ingested")
    assert f" {refused} refused;" in summary


def test_bad_inputs_store_holds_exactly_the_good_documents(hostile_run):
    root, store_path, _, _ = hostile_run
    expected = _expected(root)
    good = _good_documents(root, expected)
    with open_store(store_path, read_only=True) as store:
        assert set(store.document_graphs()) == {document_iri(d) for d in good.values()}
        located = {q.object.value for q in store.raw.quads_for_pattern(None, ox.NamedNode(PROV_AT), None, None)}
        for case, outcome in expected.items():
            if outcome == "not read":
                assert str(root / case) not in located, case
        for case, document in good.items():
            graph = ox.NamedNode(document_iri(document))
            quotes = list(store.query(
                f"SELECT ?g ?s ?e ?x WHERE {{ GRAPH ?g {{ ?n <{OA}start> ?s ; <{OA}end> ?e ; <{OA}exact> ?x }} }}",
                {"g": graph}))
            for row in quotes:
                start, end = int(row["s"].value), int(row["e"].value)
                assert row["x"].value == document.text[start:end], case
            titles = [q.object.value for q in store.raw.quads_for_pattern(graph, ox.NamedNode(DCT_TITLE), None, graph)]
            assert titles == ([document.title] if document.title else []), case


def test_bad_inputs_hostile_text_stays_text(hostile_run):
    root, store_path, _, _ = hostile_run
    with open_store(store_path, read_only=True) as store:
        graphs = {g for g in (q.graph_name.value for q in store.raw.quads_for_pattern(None, None, None, None)
                              if isinstance(q.graph_name, ox.NamedNode))}
        assert not any("evil" in g or g in ("http://x", "http://polkg/evil") for g in graphs)
        assert not list(store.raw.quads_for_pattern(ox.NamedNode("http://x"), None, None, None))
        html = read_document(root / "html_scripts.html")
        # scripts, styles, handlers and URLs of the markup are gone; escaped markup is text
        for gone in ("alert('xss')", "alert(1)", "alert(2)", "alert(4)", "alert(5)", "javascript:"):
            assert gone not in html.text
        assert "<img src=x onerror=alert(3)> is text" in html.text
        assert html.title == "Yemen & the Red Sea <script>"
        exact = {q.object.value for q in store.raw.quads_for_pattern(None, ox.NamedNode(OA + "exact"), None, None)}
        assert exact, "the good documents should have quoted evidence"
        assert not any(ch in text for text in exact for ch in "\x00\x07\x1b\x7f\x85")
