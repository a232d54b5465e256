import gzip
import json

import pytest

from kg.documents import MAX_BYTES, html_to_text, iter_documents, read_document
from kg.errors import InputError


def test_documents_reads_seed_with_title(tmp_path):
    from conftest import SEED

    document = read_document(SEED)
    assert document.title.startswith("Russia")
    assert len(document.id) == 64
    assert document.text.startswith(document.title)


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\t\n", "empty file"),
        ("doc.pdf.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary file (a PDF file), not text"),
        ("img.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (a PNG image), not text"),
        ("zip.txt", gzip.compress(b"hello"), "binary file (gzip-compressed), not text"),
        ("latin1.txt", "Caf\u00e9 au lait in K\u00f6ln".encode("latin-1"), "not UTF-8 (byte 0xe9 at 3)"),
        ("nul.txt", b"text\x00with nul", "binary file (contains NUL bytes), not text"),
    ],
)
def test_documents_refuses_bad_files_with_one_line(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        read_document(path)
    message = str(info.value)
    assert message == f"{path}: {reason}"
    assert "\n" not in message


def test_documents_reads_utf16_with_bom(tmp_path):
    path = tmp_path / "u16.txt"
    path.write_bytes("Russia demands talks.".encode("utf-16"))  # with its BOM
    assert read_document(path).text == "Russia demands talks."


def test_documents_refuses_too_big(tmp_path):
    path = tmp_path / "big.txt"
    with path.open("wb") as fh:
        fh.truncate(MAX_BYTES + 1)
    with pytest.raises(InputError, match="file too big"):
        read_document(path)


def test_documents_html_drops_scripts_and_unescapes(tmp_path):
    text, title = html_to_text(
        "<html><head><title>T &amp; U</title><style>p{}</style></head>"
        "<body><p>Kyiv &amp; Moscow</p><script>alert(1)</script><p>Second</p></body></html>"
    )
    assert title == "T & U"
    assert text == "Kyiv & Moscow\nSecond"


def test_documents_jsonl_lines_each_ok_or_refused(tmp_path):
    path = tmp_path / "docs.jsonl"
    lines = [
        json.dumps({"text": "Russia demands that Ukraine withdraw.", "title": "A", "published": "2024-06-14"}),
        '{"text": "truncated',
        json.dumps({"title": "no text"}),
        json.dumps({"text": 42}),
        json.dumps([1, 2]),
        json.dumps({"text": "Kyiv rejects the demand.", "published": 20240614}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(iter_documents([path]))
    assert [type(i).__name__ for i in items] == ["Document", "InputError", "InputError", "InputError", "InputError", "InputError"]
    assert items[0].published == "2024-06-14" and items[0].title == "A"
    assert str(items[1]) == f"{path}:2: malformed JSON (Unterminated string starting at)"
    assert str(items[2]) == f"{path}:3: missing the 'text' field"
    assert str(items[3]) == f"{path}:4: text must be a string, not int"
    assert str(items[5]) == f"{path}:6: 'published' must be a string, got int"


def test_documents_symlink_outside_folder_is_refused(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("Not for polkg.", encoding="utf-8")
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.txt").write_text("Russia demands talks.", encoding="utf-8")
    (folder / "link.txt").symlink_to(outside)
    items = list(iter_documents([folder]))
    assert sorted(type(i).__name__ for i in items) == ["Document", "InputError"]
    error = next(i for i in items if isinstance(i, InputError))
    assert "outside the folders given" in str(error)
