"""Loading .md/.txt/.docx/.pdf into Documents, and the errors for files that cannot be indexed."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import docx
import pytest

from backend.rag.loaders import LoaderError, load_bytes, load_file


def make_docx(*paragraphs: tuple[str, str | None], table: list[list[str]] | None = None) -> bytes:
    """A real .docx: (text, style) paragraphs, style None for body text, plus an optional table."""
    document = docx.Document()
    for text, style in paragraphs:
        document.add_paragraph(text, style=style)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal valid PDF written by hand: one page per list, each line drawn in Helvetica.

    A page with no lines has an empty content stream (a scanned page's worth of text: none).
    """

    def escape(line: str) -> str:
        return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]  # pages tree filled in below
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")  # 3
    kids = []
    for lines in pages:
        ops = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td"] + [f"({escape(line)}) Tj T*" for line in lines] + ["ET"]
        stream = "\n".join(ops if lines else []).encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    return pdf_bytes(objects)


def pdf_bytes(objects: list[bytes]) -> bytes:
    """A PDF file of numbered `objects` (object 1 the catalog) with its cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def expect_error(code: str, call, *args, **kwargs) -> LoaderError:  # noqa: ANN001
    with pytest.raises(LoaderError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value.detail
    return caught.value


# --- formats ---------------------------------------------------------------------------------------------------------


def test_docx_headings_become_markdown_and_body_and_tables_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "guide.docx"
    path.write_bytes(
        make_docx(
            ("Interview Guide", "Title"),
            ("Processes", "Heading 1"),
            ("A process has its own address space.", None),
            ("Threads", "Heading 2"),
            ("스레드는 주소 공간을 공유합니다.", None),
            table=[["Aspect", "Process"], ["Memory", "Separate"]],
        )
    )
    doc = load_file(path)
    lines = doc.page_content.splitlines()
    assert "# Interview Guide" in lines
    assert "# Processes" in lines
    assert "## Threads" in lines
    assert "A process has its own address space." in lines
    assert "스레드는 주소 공간을 공유합니다." in lines
    assert "Memory | Separate" in lines
    assert doc.metadata == {"source": str(path), "filename": "guide.docx"}


def test_pdf_text_is_extracted_from_every_page(tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    path.write_bytes(make_pdf([["A B-tree index keeps keys sorted.", "Lookups take O(log n)."], ["Page two text."]]))
    doc = load_file(path)
    assert "A B-tree index keeps keys sorted." in doc.page_content
    assert "Lookups take O(log n)." in doc.page_content
    assert "Page two text." in doc.page_content
    assert doc.metadata["source"] == str(path)


@pytest.mark.parametrize("suffix", [".md", ".txt", ".markdown"])
def test_utf8_text_files_load_with_korean_intact(tmp_path: Path, suffix: str) -> None:
    text = "# 운영체제\n\n프로세스와 스레드의 차이를 설명합니다. Threads share memory.\n"
    path = tmp_path / f"os{suffix}"
    path.write_text(text, encoding="utf-8")
    doc = load_file(path)
    assert doc.page_content == text.strip()
    assert doc.metadata["filename"] == f"os{suffix}"


def test_cp949_korean_text_file_is_decoded(tmp_path: Path) -> None:
    text = "교착 상태의 네 가지 조건은 상호 배제, 점유와 대기, 비선점, 순환 대기입니다."
    path = tmp_path / "deadlock.txt"
    path.write_bytes(text.encode("cp949"))
    assert load_file(path).page_content == text


def test_utf8_bom_and_utf16_with_bom_are_decoded() -> None:
    text = "인덱스는 B-tree로 정렬된 키를 유지합니다."
    assert load_bytes("a.md", b"\xef\xbb\xbf" + text.encode("utf-8")).page_content == text
    assert load_bytes("b.txt", text.encode("utf-16")).page_content == text


def test_windows_line_endings_are_normalised() -> None:
    doc = load_bytes("w.md", b"# Title\r\n\r\nBody line.\r\n")
    assert doc.page_content == "# Title\n\nBody line."


def test_source_is_the_path_as_given_unless_overridden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("hello world", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load_file("docs/a.md").metadata["source"] == "docs/a.md"
    assert load_file(Path("docs/a.md"), source="kb/a.md").metadata["source"] == "kb/a.md"
    upload = load_bytes("notes.md", b"hello", source="notes.md")
    assert upload.metadata == {"source": "notes.md", "filename": "notes.md"}
    assert load_bytes("dir/notes.md", b"hello").metadata == {"source": "dir/notes.md", "filename": "notes.md"}


# --- errors ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["setup.exe", "old.doc", "slides.pptx", "README", "archive.md.zip"])
def test_unsupported_extension_is_rejected_with_its_name(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"some content")
    error = expect_error("kb.unsupported", load_file, path)
    assert error.params["name"] == name
    assert ".pdf" in error.params["types"] and ".docx" in error.params["types"]
    expect_error("kb.unsupported", load_bytes, name, b"some content")


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  "])
@pytest.mark.parametrize("suffix", [".md", ".txt", ".docx", ".pdf"])
def test_empty_or_blank_file_is_rejected(tmp_path: Path, suffix: str, data: bytes) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(data)
    error = expect_error("kb.empty", load_file, path)
    assert error.params["name"] == path.name
    assert path.name in str(error)


def test_docx_without_text_is_empty() -> None:
    expect_error("kb.empty", load_bytes, "blank.docx", make_docx(("", None), ("   ", None)))


def test_pdf_without_extractable_text_is_empty() -> None:
    expect_error("kb.empty", load_bytes, "scan.pdf", make_pdf([[]]))


@pytest.mark.parametrize("suffix", [".docx", ".pdf"])
def test_random_bytes_with_a_document_extension_are_corrupt(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"broken{suffix}"
    path.write_bytes(random.Random(7).randbytes(4096))
    error = expect_error("kb.corrupt", load_file, path)
    assert error.params["name"] == path.name
    assert path.name in error.detail


def test_docx_with_a_damaged_part_is_corrupt() -> None:
    good = zipfile.ZipFile(io.BytesIO(make_docx(("Body text.", None))))
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as out:
        for item in good.infolist():
            out.writestr(item, b"<w:document><not xml" if item.filename == "word/document.xml" else good.read(item))
    expect_error("kb.corrupt", load_bytes, "damaged.docx", damaged.getvalue())


def test_truncated_docx_is_corrupt() -> None:
    data = make_docx(("Body text that will be cut off.", None))
    expect_error("kb.corrupt", load_bytes, "cut.docx", data[: len(data) // 2])


def test_zip_that_is_not_a_word_document_is_corrupt() -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("hello.txt", "not a document")
    expect_error("kb.corrupt", load_bytes, "fake.docx", archive.getvalue())


def test_pdf_with_damaged_bytes_never_escapes_as_another_exception() -> None:
    """Whatever the damage, a PDF either loads or raises LoaderError (never crashes an ingest run)."""
    pdf = make_pdf([["Some text for the damage test."]])
    rnd = random.Random(3)
    for _ in range(60):
        data = bytearray(pdf)
        for _ in range(rnd.randrange(1, 8)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
        try:
            load_bytes("damaged.pdf", bytes(data))
        except LoaderError as error:
            assert error.code in {"kb.corrupt", "kb.empty"}


def test_binary_data_named_txt_is_corrupt() -> None:
    png_like = b"\x89PNG\r\n\x1a\n" + bytes(range(1, 32)) * 4 + b"IHDR"
    expect_error("kb.corrupt", load_bytes, "image.txt", png_like)
    expect_error("kb.corrupt", load_bytes, "nul.md", b"text\x00with\x00nul bytes")


def test_file_over_the_size_limit_is_rejected_and_the_limit_is_configurable(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    path.write_bytes(b"x" * 101)
    error = expect_error("kb.too_large", load_file, path, max_bytes=100)
    assert error.params["name"] == "big.md"
    assert "101" in error.detail and "100" in error.detail
    expect_error("kb.too_large", load_bytes, "big.md", b"x" * 101, max_bytes=100)
    assert load_file(path, max_bytes=101).page_content == "x" * 101  # the limit itself is allowed


def test_default_size_limit_is_ten_megabytes() -> None:
    expect_error("kb.too_large", load_bytes, "huge.txt", b"a" * (10 * 1024 * 1024 + 1))
