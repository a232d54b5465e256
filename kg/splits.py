"""Train / dev / test splits of the gold documents, recorded once and never moved.

The manifest (``tests/gold/splits.tsv``: ``doc``, ``conflict``, ``split``) is the record.
:func:`update_splits` adds every gold document it does not list yet and never changes a row
it holds: a new document joins the split that is most under-represented for its conflict
relative to :data:`TARGETS`, ties broken by a hash of its name; documents of the development
gold file (``dev_gold.jsonl``, the texts the rules were written on) always go to ``train``.
:func:`write_split_files` then writes one gold file per split (``train.jsonl``, ``dev.jsonl``,
``test.jsonl``) beside the manifest; their ``doc`` paths are relative to that folder, so
``kg eval tests/gold/dev.jsonl`` finds every text.

Run it as ``python -m kg.splits [GOLD_DIR]`` (``make splits``); ``--no-add`` only rewrites the
split files from the manifest.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from kg.errors import DataFileError, KgError
from kg.eval import load_gold

__all__ = ["SPLITS", "TARGETS", "Row", "read_manifest", "write_manifest", "gold_sources", "assign",
           "update_splits", "write_split_files"]

SPLITS = ("train", "dev", "test")
TARGETS = {"train": 0.60, "dev": 0.18, "test": 0.22}
"""Share of each conflict's documents each split should hold."""
MANIFEST = "splits.tsv"
DEVELOPMENT = "dev_gold.jsonl"
"""The gold file the rules were written on: all of its documents are training documents."""
HEADER = ("doc", "conflict", "split")


@dataclass(frozen=True)
class Row:
    doc: str  # path relative to the gold folder
    conflict: str
    split: str


def read_manifest(path: str | Path) -> list[Row]:
    """The manifest's rows; a malformed line is a :class:`DataFileError`."""
    path = Path(path)
    if not path.exists():
        return []
    rows: list[Row] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if tuple(fields) == HEADER:
            continue
        if len(fields) != 3 or not all(fields):
            raise DataFileError(path, "expected three tab-separated fields: doc, conflict, split", number)
        doc, conflict, split = fields
        if split not in SPLITS:
            raise DataFileError(path, f"unknown split {split!r} (expected one of {', '.join(SPLITS)})", number)
        if doc in seen:
            raise DataFileError(path, f"document {doc!r} listed twice", number)
        seen.add(doc)
        rows.append(Row(doc, conflict, split))
    return rows


def write_manifest(path: str | Path, rows: list[Row]) -> None:
    lines = ["\t".join(HEADER)] + ["\t".join((r.doc, r.conflict, r.split)) for r in sorted(rows, key=lambda r: r.doc)]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def gold_sources(folder: str | Path) -> list[Path]:
    """The gold files of ``folder``: the development file and ``corpus/gold_*.jsonl``."""
    folder = Path(folder)
    out = [folder / DEVELOPMENT] if (folder / DEVELOPMENT).is_file() else []
    return out + sorted((folder / "corpus").glob("gold_*.jsonl"))


def _gold_lines(folder: Path) -> dict[str, tuple[dict, bool]]:
    """Doc path (relative to ``folder``) -> (gold line, is a development document)."""
    out: dict[str, tuple[dict, bool]] = {}
    for source in gold_sources(folder):
        base = source.parent.relative_to(folder)
        for number, line in enumerate(load_gold(source), start=1):
            doc = (base / line["doc"]).as_posix()
            if doc in out:
                raise DataFileError(source, f"document {doc!r} is already in another gold line")
            out[doc] = (line, source.name == DEVELOPMENT)
    return out


def _tie(doc: str) -> str:
    return hashlib.sha256(Path(doc).name.encode("utf-8")).hexdigest()


def assign(rows: list[Row], new: list[tuple[str, str]]) -> list[Row]:
    """Rows for the ``new`` (doc, conflict) pairs, given the ``rows`` already assigned.

    Documents are placed one at a time, in the order of their name's hash, so the result does
    not depend on the order the gold files list them: each joins the split whose count for its
    conflict falls furthest below its target share (counting the document itself); ties go to
    the split with the larger overall shortfall, then by the hash.
    """
    counts: dict[str, dict[str, int]] = {}
    for r in rows:
        counts.setdefault(r.conflict, dict.fromkeys(SPLITS, 0))[r.split] += 1
    total = dict.fromkeys(SPLITS, 0)
    for r in rows:
        total[r.split] += 1
    out = []
    for doc, conflict in sorted(new, key=lambda item: _tie(item[0])):
        mine = counts.setdefault(conflict, dict.fromkeys(SPLITS, 0))
        size = sum(mine.values()) + 1
        overall = sum(total.values()) + 1
        h = int(_tie(doc), 16)

        def shortfall(split: str) -> tuple:
            return (round(TARGETS[split] * size - mine[split], 9),
                    round(TARGETS[split] * overall - total[split], 9),
                    (h >> (8 * SPLITS.index(split))) & 0xFF)

        split = max(SPLITS, key=shortfall)
        mine[split] += 1
        total[split] += 1
        out.append(Row(doc, conflict, split))
    return out


def update_splits(folder: str | Path, *, add: bool = True) -> tuple[list[Row], list[Row]]:
    """Add the gold documents the manifest does not list yet; returns (all rows, added rows)."""
    folder = Path(folder)
    manifest = folder / MANIFEST
    rows = read_manifest(manifest)
    if not add:
        return rows, []
    known = {r.doc for r in rows}
    lines = _gold_lines(folder)
    added = [Row(doc, line.get("conflict") or "unknown", "train")
             for doc, (line, development) in sorted(lines.items()) if development and doc not in known]
    new = [(doc, line.get("conflict") or "unknown")
           for doc, (line, development) in sorted(lines.items()) if not development and doc not in known]
    added += assign(rows + added, new)
    if added:
        rows = rows + added
        write_manifest(manifest, rows)
    return rows, added


def write_split_files(folder: str | Path, rows: list[Row]) -> dict[str, int]:
    """Write ``train.jsonl``, ``dev.jsonl``, ``test.jsonl`` beside the manifest; returns their sizes.

    A manifest row whose document no gold file holds any more is left out (it keeps its split).
    """
    folder = Path(folder)
    lines = _gold_lines(folder)
    split_of = {r.doc: r.split for r in rows}
    written = {}
    for split in SPLITS:
        out = []
        for doc in sorted(d for d, s in split_of.items() if s == split and d in lines):
            line = dict(lines[doc][0])
            line["doc"] = doc
            out.append(json.dumps(line, ensure_ascii=False))
        (folder / f"{split}.jsonl").write_text("".join(x + "\n" for x in out), encoding="utf-8")
        written[split] = len(out)
    return written


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    add = "--no-add" not in args
    args = [a for a in args if a != "--no-add"]
    folder = Path(args[0]) if args else Path("tests/gold")
    try:
        rows, added = update_splits(folder, add=add)
        sizes = write_split_files(folder, rows)
    except KgError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    conflicts = len({r.conflict for r in rows})
    print(f"{len(rows)} documents of {conflicts} conflicts ({len(added)} added): "
          + ", ".join(f"{s} {sizes[s]}" for s in SPLITS))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
