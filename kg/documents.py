"""Read documents from disk: plain text, Markdown, HTML and JSON Lines.

Every check that can refuse a document happens here, before any NLP runs, and
refusals are :class:`~kg.errors.InputError` with the file and the reason in one
line. ``iter_documents`` never stops at a bad file: it yields the error in its
place so the caller can report it and go on.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Iterator

from kg.errors import InputError

__all__ = [
    "Document",
    "read_document",
    "iter_documents",
    "document_from_text",
    "MAX_BYTES",
    "MAX_CHARS",
    "TEXT_SUFFIXES",
]

MAX_BYTES = 8 * 1024 * 1024
"""Largest file read; a news article is a few kilobytes."""
MAX_CHARS = 1_000_000
"""Longest document text (spaCy's own default ``max_length``)."""
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

_MAGIC = [
    (b"%PDF", "a PDF file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "gzip-compressed"),
    (b"PK\x03\x04", "a ZIP archive (docx, xlsx, epub...)"),
    (b"BZh", "bzip2-compressed"),
    (b"\xfd7zXZ", "xz-compressed"),
    (b"\x7fELF", "an executable"),
]
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class Document:
    """One document's text and what is known about it.

    ``id`` is the SHA-256 of the UTF-8 text (hex): the same text is the same
    document wherever it comes from.
    """

    text: str
    id: str
    path: str | None = None
    title: str | None = None
    published: str | None = None
    source: str | None = None
    meta: dict = field(default_factory=dict, compare=False)

    @property
    def short_id(self) -> str:
        """The first 16 hex digits of the content hash, used in IRIs."""
        return self.id[:16]


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document_from_text(
    text: str,
    *,
    path: str | None = None,
    title: str | None = None,
    published: str | None = None,
    source: str | None = None,
    meta: dict | None = None,
) -> Document:
    """Check ``text`` and make a :class:`Document` of it.

    The title, when not given, is the first line when it reads like a headline.

    Raises
    ------
    InputError
        Empty or whitespace-only text, a lone surrogate, text over ``MAX_CHARS``,
        or a publication date not in ``YYYY[-MM[-DD]]`` form.
    """
    where = path or "<text>"
    if not isinstance(text, str):
        raise InputError(where, f"text must be a string, not {type(text).__name__}")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(where, "empty document (no text)")
    if len(text) > MAX_CHARS:
        raise InputError(where, f"text too long ({len(text):,} characters; the limit is {MAX_CHARS:,})")
    for i, ch in enumerate(text):
        if "\ud800" <= ch <= "\udfff":
            raise InputError(where, f"text contains a lone surrogate (U+{ord(ch):04X} at character {i})")
    if published is not None:
        published = str(published).strip()[:10] if _looks_like_date(str(published)) else None
    if title is None:
        first = text.lstrip().split("\n", 1)[0].strip()
        if first and len(first) <= 200 and "\n" in text.strip() and not first.endswith((".", ":")):
            title = first
    return Document(
        text=text,
        id=content_hash(text),
        path=path,
        title=title,
        published=published,
        source=source,
        meta=dict(meta or {}),
    )


def _looks_like_date(value: str) -> bool:
    value = value.strip()
    if _DATE.match(value[:10]) is None:
        return False
    try:
        parts = [int(p) for p in value[:10].split("-")]
        date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def _decode(data: bytes, where: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(where, f"not valid UTF-16 ({exc.reason} at byte {exc.start})") from exc
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(where, f"binary file ({what}), not text")
    if b"\x00" in data[:8192]:
        raise InputError(where, "binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        raise InputError(where, f"not UTF-8 (byte 0x{bad:02x} at {exc.start})") from exc


def _read_bytes(path: Path) -> bytes:
    where = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(where, f"cannot read ({exc.strerror or exc})") from exc
    if size > MAX_BYTES:
        raise InputError(where, f"file too big ({size / 1e6:.1f} MB; the limit is {MAX_BYTES / 1e6:.1f} MB)")
    try:
        with path.open("rb") as fh:
            return fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(where, f"cannot read ({exc.strerror or exc})") from exc


class _TextOfHtml(HTMLParser):
    """The visible text of an HTML page: no script, style or head; blocks become lines."""

    _SKIP = {"script", "style", "head", "noscript", "template", "svg", "iframe", "object"}
    _BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section",
              "article", "header", "footer", "blockquote", "title", "ul", "ol", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._skipping = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in self._SKIP:
            self._skipping += 1
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in self._SKIP and self._skipping:
            self._skipping -= 1
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> tuple[str, str | None]:
    """Return the visible text of ``markup`` (one block a line) and its ``<title>``."""
    parser = _TextOfHtml()
    parser.feed(markup)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    text = "\n".join(line for line in lines if line)
    title = " ".join("".join(parser.title).split()) or None
    return text, title


def read_document(path: str | os.PathLike) -> Document:
    """Read one text, Markdown or HTML file.

    Raises
    ------
    InputError
        Unreadable, too big, binary, not UTF-8 (or UTF-16 with a BOM), empty.
    """
    path = Path(path)
    where = str(path)
    data = _read_bytes(path)
    if not data.strip():
        raise InputError(where, "empty file")
    text = _decode(data, where)
    text = unicodedata.normalize("NFC", text)
    title = None
    if path.suffix.lower() in HTML_SUFFIXES:
        text, title = html_to_text(text)
    return document_from_text(text, path=where, title=title)


def read_jsonl(path: str | os.PathLike) -> Iterator[Document | InputError]:
    """Yield a document (or the error that refused it) for each line of a JSON Lines file.

    A line is an object with ``text`` and optional ``title``, ``published`` (or
    ``date``), ``url``/``source``/``outlet``; other keys are kept in ``meta``.
    """
    path = Path(path)
    where = str(path)
    try:
        data = _read_bytes(path)
        text = _decode(data, where)
    except InputError as exc:
        yield exc
        return
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        line_where = f"{where}:{number}"
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            reason = getattr(exc, "msg", "nested too deeply")
            yield InputError(line_where, f"malformed JSON ({reason})")
            continue
        if not isinstance(record, dict):
            yield InputError(line_where, f"expected a JSON object, got {type(record).__name__}")
            continue
        if "text" not in record:
            yield InputError(line_where, "missing the 'text' field")
            continue
        try:
            meta = {k: v for k, v in record.items() if k not in {"text", "title", "published", "date"}}
            title = record.get("title")
            published = record.get("published", record.get("date"))
            source = record.get("source") or record.get("url") or record.get("outlet")
            for name, value in (("title", title), ("published", published), ("source", source)):
                if value is not None and not isinstance(value, str):
                    raise InputError(line_where, f"'{name}' must be a string, got {type(value).__name__}")
            yield document_from_text(
                record["text"], path=line_where, title=title, published=published,
                source=source, meta=meta,
            )
        except InputError as exc:
            yield exc


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def iter_paths(paths: Iterable[str | os.PathLike]) -> Iterator[Path | InputError]:
    """Expand files and folders into the files to read, in a stable order.

    A symbolic link that leads outside the files and folders given is refused:
    polkg reads only what it was pointed at.
    """
    given = [Path(p) for p in paths]
    roots = [p.resolve() for p in given if p.exists()]
    for path in given:
        if not path.exists() and not path.is_symlink():
            yield InputError(path, "no such file or folder")
        elif path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_dir() or child.name.startswith("."):
                    continue
                if child.suffix.lower() not in SUFFIXES:
                    continue
                if child.is_symlink() and not _inside(child.resolve(), roots):
                    yield InputError(child, "symbolic link to a file outside the folders given; not read")
                    continue
                yield child
        elif path.is_symlink() and not path.exists():
            yield InputError(path, "broken symbolic link")
        else:
            yield path


def iter_documents(paths: Iterable[str | os.PathLike]) -> Iterator[Document | InputError]:
    """Yield each document under ``paths``, or the :class:`InputError` that refused it."""
    for item in iter_paths(paths):
        if isinstance(item, InputError):
            yield item
        elif item.suffix.lower() in JSONL_SUFFIXES:
            yield from read_jsonl(item)
        else:
            try:
                yield read_document(item)
            except InputError as exc:
                yield exc
