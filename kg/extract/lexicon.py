"""The word lists the extraction rules read, kept as data in ``ontology/lexicon/*.csv``.

Each file is CSV with the header ``list,entry,value``: one row per word or phrase of a named
list (``value`` is empty except for lists that map a word to something, like a title to its
office). Lines starting with ``#`` are comments. The files are read once per process and
checked as they are read: a malformed row, an entry that is not lower case or has stray
spaces, a bad list name or a repeated entry is a :class:`~kg.errors.DataFileError` naming the
file and line, and so is asking for a list no file defines.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from kg import resources
from kg.errors import DataFileError

__all__ = ["Lexicon", "load_lexicon", "words", "mapping"]

HEADER = ["list", "entry", "value"]
_LIST_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Lexicon:
    """Named word lists; ``source`` says which file defines each list."""

    lists: dict[str, dict[str, str]]
    source: dict[str, str]
    folder: str

    def words(self, name: str) -> frozenset[str]:
        return frozenset(self._list(name))

    def mapping(self, name: str) -> dict[str, str]:
        return dict(self._list(name))

    def _list(self, name: str) -> dict[str, str]:
        try:
            return self.lists[name]
        except KeyError:
            raise DataFileError(self.folder, f"no word list {name!r} in any lexicon file") from None


def _read(path: Path, lists: dict[str, dict[str, str]], source: dict[str, str]) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(path, f"cannot be read ({exc})") from exc
    rows = [(n, line) for n, line in enumerate(text.splitlines(), start=1)
            if line.strip() and not line.lstrip().startswith("#")]
    if not rows:
        raise DataFileError(path, "no header: expected 'list,entry,value'")
    for number, line in rows:
        try:
            (fields,) = list(csv.reader([line]))
        except (csv.Error, ValueError) as exc:
            raise DataFileError(path, f"not one CSV row ({exc})", number) from exc
        if number == rows[0][0]:
            if fields != HEADER:
                raise DataFileError(path, f"header must be 'list,entry,value', got {line!r}", number)
            continue
        if len(fields) != 3:
            raise DataFileError(path, f"expected 3 fields (list,entry,value), got {len(fields)}", number)
        name, entry, value = fields
        if not _LIST_NAME.match(name):
            raise DataFileError(path, f"bad list name {name!r} (lower-case letters, digits, _)", number)
        if not entry or entry != entry.strip() or "  " in entry:
            raise DataFileError(path, f"entry {entry!r} of list {name!r} is empty or has stray spaces", number)
        if entry != entry.lower():
            raise DataFileError(path, f"entry {entry!r} of list {name!r} must be lower case", number)
        if name in source and source[name] != str(path):
            raise DataFileError(path, f"list {name!r} is already defined in {source[name]}", number)
        entries = lists.setdefault(name, {})
        source[name] = str(path)
        if entry in entries:
            raise DataFileError(path, f"entry {entry!r} repeated in list {name!r}", number)
        entries[entry] = value


@functools.lru_cache(maxsize=4)
def load_lexicon(paths: tuple[Path, ...] | None = None) -> Lexicon:
    """Read and check the lexicon files (``ontology/lexicon/*.csv``), once per process."""
    paths = tuple(paths or resources.lexicon_files())
    lists: dict[str, dict[str, str]] = {}
    source: dict[str, str] = {}
    for path in paths:
        _read(Path(path), lists, source)
    folder = str(Path(paths[0]).parent) if paths else "ontology/lexicon"
    return Lexicon(lists, source, folder)


def words(name: str) -> frozenset[str]:
    """The entries of the word list ``name``."""
    return load_lexicon().words(name)


def mapping(name: str) -> dict[str, str]:
    """The word list ``name`` as entry -> value."""
    return load_lexicon().mapping(name)
