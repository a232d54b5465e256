"""Read documents from disk: plain text, Markdown, HTML and JSON Lines.

Every check that can refuse a document happens here, before any NLP runs, and
refusals are :class:`~kg.errors.InputError` with the file and the reason in one
line. ``iter_documents`` never stops at a bad file: it yields the error in its
place so the caller can report it and go on.

What is read, and what is refused:

- only regular files: a FIFO, a socket or a device is refused without being
  opened for reading (a FIFO would block), and nothing larger than
  :data:`MAX_BYTES` is read at all;
- only files the user pointed at: inside a folder, a symbolic link that leads
  outside the files and folders given is refused, as is a broken link or a
  link loop; hidden files and folders (``.git/``...) are passed over;
- only text: UTF-8 (with or without a BOM) or UTF-16 with a BOM. Known binary
  formats, NUL bytes, UTF-32 and UTF-16 without a BOM are refused by name;
- the text is normalised to NFC with ``\\n`` line ends, and control characters
  (other than tab and newline) become spaces, one for one: they carry no
  meaning in news text, and they are not allowed in XML results or HTML.
  Offsets of the evidence point into this normalised text.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Iterator

from kg.errors import InputError

__all__ = [
    "Document",
    "read_document",
    "iter_documents",
    "iter_paths",
    "read_jsonl",
    "document_from_text",
    "html_to_text",
    "MAX_BYTES",
    "MAX_CHARS",
    "TEXT_SUFFIXES",
    "HTML_SUFFIXES",
    "JSONL_SUFFIXES",
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
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
"""Control characters (not tab or newline) and the two non-characters XML forbids."""
_UNPRINTABLE_IN_NAME = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_KINDS = [
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
]


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
    relative_path: str | None = field(default=None, compare=False)
    """The path relative to the folder the document was found in (a file given by name: its
    name; a JSON Lines record: ``file.jsonl:LINE``), what is shown of it, never the machine's."""

    @property
    def short_id(self) -> str:
        """The first 16 hex digits of the content hash, used in IRIs."""
        return self.id[:16]


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _shown(where: object) -> str:
    """A file name as one printable line: control characters and undecodable bytes escaped."""
    text = str(where).encode("utf-8", "backslashreplace").decode("utf-8")
    return _UNPRINTABLE_IN_NAME.sub(lambda m: ascii(m.group())[1:-1], text)


def _not_regular(path: Path) -> str | None:
    """What ``path`` is when it is not a regular file (``"a FIFO"``...), else None."""
    try:
        mode = path.stat().st_mode
    except (OSError, RuntimeError):
        return None  # reading it will say why
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a file")


def _has_visible(text: str) -> bool:
    return any(not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc") for ch in text)


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

    Line ends become ``\\n`` and control characters other than tab and newline
    become spaces (one for one). The title, when not given, is the first line
    when it reads like a headline.

    Raises
    ------
    InputError
        Text that is not a string, is empty or has nothing visible, has a lone
        surrogate, is over ``MAX_CHARS``; a title or source that is not a string.

    Examples
    --------
    >>> document_from_text("Kyiv\\r\\nRussia demands talks.\\x07").text
    'Kyiv\\nRussia demands talks. '
    >>> document_from_text(" \\u200b ")
    Traceback (most recent call last):
    kg.errors.InputError: <text>: empty document (no text)
    """
    where = _shown(path) if path is not None else "<text>"
    if not isinstance(text, str):
        raise InputError(where, f"text must be a string, not {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise InputError(where, f"text too long ({len(text):,} characters; the limit is {MAX_CHARS:,})")
    found = _SURROGATE.search(text)
    if found:
        code, at = ord(found.group()), found.start()
        raise InputError(where, f"text contains a lone surrogate (U+{code:04X} at character {at})")
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not _has_visible(text):
        raise InputError(where, "empty document (no text)")
    for name, value in (("title", title), ("source", source)):
        if value is not None and not isinstance(value, str):
            raise InputError(where, f"'{name}' must be a string, got {type(value).__name__}")
        if isinstance(value, str) and _SURROGATE.search(value):
            raise InputError(where, f"'{name}' contains a lone surrogate")
    if title is not None:
        title = _CONTROL.sub(" ", title) if title.strip() else None
    if source is not None:
        source = _CONTROL.sub(" ", source) if source.strip() else None
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


def _utf16_without_bom(data: bytes) -> bool:
    """Most characters have a zero byte on the same side: UTF-16 text without its BOM."""
    sample = data[:8192]
    pairs = len(sample) // 2
    if pairs < 2:
        return False
    even = sum(1 for i in range(0, 2 * pairs, 2) if sample[i] == 0)
    odd = sum(1 for i in range(1, 2 * pairs, 2) if sample[i] == 0)
    return max(even, odd) >= 0.6 * pairs and min(even, odd) <= 0.05 * pairs


def _decode(data: bytes, where: str) -> str:
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise InputError(where, "UTF-32 text is not supported; save it as UTF-8")
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
        if _utf16_without_bom(data):
            raise InputError(where, "UTF-16 without a byte order mark; save it as UTF-8")
        raise InputError(where, "binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        raise InputError(where, f"not UTF-8 (byte 0x{bad:02x} at {exc.start})") from exc


def _open_regular(path: Path):
    """``path`` opened for reading in binary, once it is known to be a regular file.

    The file is opened without blocking (a FIFO would wait for a writer) and
    checked on the open descriptor, so what is checked is what is read.
    """
    where = _shown(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(where, f"cannot read ({exc.strerror or exc})") from exc
    fh = os.fdopen(fd, "rb")
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        fh.close()
        what = next((name for test, name in _KINDS if test(info.st_mode)), "not a file")
        raise InputError(where, f"not a regular file ({what})")
    return fh


def _read_bytes(path: Path) -> bytes:
    """The bytes of a regular file of at most ``MAX_BYTES``."""
    where = _shown(path)
    with _open_regular(path) as fh:
        info = os.fstat(fh.fileno())
        if info.st_size > MAX_BYTES:
            size, limit = info.st_size / 1e6, MAX_BYTES / 1e6
            raise InputError(where, f"file too big ({size:.1f} MB; the limit is {limit:.1f} MB)")
        try:
            data = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            raise InputError(where, f"cannot read ({exc.strerror or exc})") from exc
    if len(data) > MAX_BYTES:  # it grew while we looked
        raise InputError(where, f"file too big (over {MAX_BYTES / 1e6:.1f} MB)")
    return data


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
    """Return the visible text of ``markup`` (one block a line) and its ``<title>``.

    Scripts, styles and the head are dropped; entities are decoded to the
    characters they stand for, which stay text (never markup again).

    >>> html_to_text("<title>A &amp; B</title><p>x &lt;b&gt;</p><script>alert(1)</script>")
    ('x <b>', 'A & B')
    """
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
        Not a regular file, unreadable, too big, binary, not UTF-8 (or UTF-16
        with a BOM), empty.
    """
    path = Path(path)
    where = _shown(path)
    _check_name(path)
    data = _read_bytes(path)
    if not data.strip():
        raise InputError(where, "empty file")
    text = _decode(data, where)
    text = unicodedata.normalize("NFC", text)
    title = None
    if path.suffix.lower() in HTML_SUFFIXES:
        text, title = html_to_text(text)
    return document_from_text(text, path=str(path), title=title)


def _check_name(path: Path) -> None:
    if _SURROGATE.search(str(path)):
        raise InputError(_shown(path), "file name is not valid UTF-8; rename the file")


def read_jsonl(path: str | os.PathLike) -> Iterator[Document | InputError]:
    """Yield a document (or the error that refused it) for each line of a JSON Lines file.

    A line is an object with ``text`` and optional ``title``, ``published`` (or
    ``date``), ``url``/``source``/``outlet``; other keys are kept in ``meta``.

    The file is read a line at a time, so a file of any size streams; the size
    limit, ``MAX_BYTES``, applies to each record: a longer line is refused by its
    number (without being held in memory) and the lines after it still come.
    A file in UTF-16 (with its byte order mark) is read whole, within the limit.
    """
    path = Path(path)
    where = _shown(path)
    try:
        _check_name(path)
        fh = _open_regular(path)
    except InputError as exc:
        yield exc
        return
    with fh:
        try:
            head = fh.read(8192)
        except OSError as exc:
            yield InputError(where, f"cannot read ({exc.strerror or exc})")
            return
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 or UTF-32: not line by line
            fh.close()
            try:
                text = _decode(_read_bytes(path), where)
            except InputError as exc:
                yield exc
                return
            for number, line in enumerate(text.split("\n"), start=1):
                if line.strip():
                    yield _jsonl_record(line, path, f"{where}:{number}", number)
            return
        try:
            _decode(head, where)  # the head may end inside a character: only its kind is judged here
        except InputError as exc:
            if "not UTF-8" not in exc.reason:  # binary, NUL bytes, UTF-32: the whole file is refused
                yield exc
                return
        fh.seek(3 if head.startswith(b"\xef\xbb\xbf") else 0)
        number = 0
        while True:
            try:
                data = fh.readline(MAX_BYTES + 1)
            except OSError as exc:
                yield InputError(f"{where}:{number + 1}", f"cannot read ({exc.strerror or exc})")
                return
            if not data:
                return
            number += 1
            line_where = f"{where}:{number}"
            if len(data) > MAX_BYTES:
                size = len(data)
                while not data.endswith(b"\n"):
                    data = fh.readline(1 << 20)
                    if not data:
                        break
                    size += len(data)
                yield InputError(line_where, f"record too big ({size / 1e6:.1f} MB; the limit is "
                                             f"{MAX_BYTES / 1e6:.1f} MB a record)")
                continue
            if not data.strip():
                continue
            try:
                line = data.removesuffix(b"\n").decode("utf-8")
            except UnicodeDecodeError as exc:
                yield InputError(line_where, f"not UTF-8 (byte 0x{data[exc.start]:02x} at {exc.start})")
                continue
            yield _jsonl_record(line, path, line_where, number)


def _jsonl_record(line: str, path: Path, line_where: str, number: int) -> Document | InputError:
    """The document of one line of a JSON Lines file, or the error that refuses it."""
    try:
        record = json.loads(line)
    except RecursionError:
        return InputError(line_where, "malformed JSON (nested too deeply)")
    except json.JSONDecodeError as exc:
        return InputError(line_where, f"malformed JSON ({exc.msg})")
    except ValueError:  # an integer of more digits than Python converts
        return InputError(line_where, "malformed JSON (a number too long to read)")
    if not isinstance(record, dict):
        return InputError(line_where, f"expected a JSON object, got {type(record).__name__}")
    if "text" not in record:
        return InputError(line_where, "missing the 'text' field")
    try:
        meta = {k: v for k, v in record.items() if k not in {"text", "title", "published", "date"}}
        title = record.get("title")
        published = record.get("published", record.get("date"))
        source = record.get("source") or record.get("url") or record.get("outlet")
        for name, value in (("title", title), ("published", published), ("source", source)):
            if value is not None and not isinstance(value, str):
                raise InputError(line_where, f"'{name}' must be a string, got {type(value).__name__}")
        return document_from_text(
            record["text"], path=f"{path}:{number}", title=title, published=published,
            source=source, meta=meta,
        )
    except InputError as exc:
        return exc


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def _hidden(child: Path, top: Path) -> bool:
    return any(part.startswith(".") for part in child.relative_to(top).parts)


def iter_paths(paths: Iterable[str | os.PathLike]) -> Iterator[Path | InputError]:
    """Expand files and folders into the files to read, in a stable order.

    A file given by name is read whatever it is (and refused if it is not a
    regular file of text). Inside a folder, only files with a known suffix are
    read; hidden files and folders are passed over, and a symbolic link that
    leads outside the files and folders given is refused, as is a broken link
    or a loop: polkg reads only what it was pointed at. Folders are not
    entered through symbolic links.
    """
    given = [Path(p) for p in paths]
    roots = []
    for p in given:
        try:
            if p.exists():
                roots.append(p.resolve())
        except (OSError, RuntimeError):
            pass
    for path in given:
        if path.is_symlink() and not path.exists():
            yield InputError(_shown(path), _why_broken(path))
        elif not path.exists():
            yield InputError(_shown(path), "no such file or folder")
        elif path.is_dir():
            yield from _walk(path, roots)
        elif _not_regular(path):
            yield InputError(_shown(path), f"not a regular file ({_not_regular(path)})")
        else:
            yield path


def _why_broken(link: Path) -> str:
    try:
        link.resolve(strict=True)
    except RuntimeError:
        return "symbolic link loop; not read"
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            return "symbolic link loop; not read"
    return "broken symbolic link; not read"


def _walk(top: Path, roots: list[Path]) -> Iterator[Path | InputError]:
    try:
        children = sorted(top.rglob("*"))
    except OSError as exc:
        yield InputError(_shown(top), f"cannot list the folder ({exc.strerror or exc})")
        return
    for child in children:
        if _hidden(child, top) or child.suffix.lower() not in SUFFIXES:
            continue
        if child.is_symlink():
            if not child.exists():
                yield InputError(_shown(child), _why_broken(child))
                continue
            if not _inside(child.resolve(), roots):
                yield InputError(_shown(child), "symbolic link to a file outside the folders given; not read")
                continue
        if child.is_dir():
            continue
        if not _inside(child.resolve(), roots):  # reached through a linked folder
            yield InputError(_shown(child), "outside the folders given; not read")
            continue
        kind = _not_regular(child)
        if kind:
            yield InputError(_shown(child), f"not a regular file ({kind})")
            continue
        yield child


def iter_documents(paths: Iterable[str | os.PathLike]) -> Iterator[Document | InputError]:
    """Yield each document under ``paths``, or the :class:`InputError` that refused it."""
    paths = list(paths)
    folders = [Path(p) for p in paths if Path(p).is_dir()]
    for item in iter_paths(paths):
        if isinstance(item, InputError):
            yield item
            continue
        relative = relative_path(item, folders)
        if item.suffix.lower() in JSONL_SUFFIXES:
            for found in read_jsonl(item):
                if isinstance(found, Document) and found.path:
                    found = replace(found, relative_path=relative + ":" + found.path.rsplit(":", 1)[-1])
                yield found
        else:
            try:
                yield replace(read_document(item), relative_path=relative)
            except InputError as exc:
                yield exc


def relative_path(path: Path, folders: Iterable[Path]) -> str:
    """``path`` relative to the first of ``folders`` it lies in (as found there, links not
    followed), else its name: what may be shown of where a document was read.

    >>> relative_path(Path("/srv/news/2024/a.txt"), [Path("/srv/news")])
    '2024/a.txt'
    >>> relative_path(Path("/home/me/b.txt"), [])
    'b.txt'
    """
    for folder in folders:
        try:
            return path.relative_to(folder).as_posix()
        except ValueError:
            continue
    return path.name
