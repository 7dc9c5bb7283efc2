"""Load .md, .txt, .docx and .pdf files into LangChain Documents (Markdown-ish text + metadata)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.documents import Document

from backend.config import Settings
from backend.errors import AppError

SUPPORTED = (".md", ".markdown", ".txt", ".docx", ".pdf")
MIB = 1024 * 1024
DEFAULT_MAX_BYTES = 10 * MIB
# A PDF may draw this many operators per allowed page, counted over the whole file (forms drawn again count
# again). Two real manuals (libtasn1, shared-mime-info) draw 358 and 172 a page; a 933-byte PDF drawing one
# 10,000-operator form 100 times took 26 s, and pypdf allows 5,000 such draws a page.
PDF_OPERATIONS_PER_PAGE = 500


@dataclass(frozen=True)
class Limits:
    """What one file may hold once opened; each bound is checked before the work it protects."""

    max_unpacked_bytes: int  # a .docx's zip members or a PDF's page content streams, inflated
    max_pages: int  # PDF pages
    max_chars: int  # extracted text
    max_chunks: int  # chunks to embed (checked by the knowledge base)

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_unpacked_bytes=settings.max_upload_unpacked_bytes,
            max_pages=settings.max_upload_pages,
            max_chars=settings.max_upload_chars,
            max_chunks=settings.max_upload_chunks,
        )

    @property
    def max_pdf_operations(self) -> int:
        return PDF_OPERATIONS_PER_PAGE * self.max_pages


DEFAULT_LIMITS = Limits.from_settings(Settings.model_construct())  # the documented defaults, not the environment


class LoaderError(AppError):
    """A file that cannot be indexed; `code` says why (translated in the UI)."""


def _mb(size: int) -> str:
    return f"{round(size / MIB, 1):g}"


def _too_much_text(name: str, limits: Limits) -> LoaderError:
    return LoaderError(
        "kb.too_much_text", f"{name}: over {limits.max_chars} characters", name=name, limit=limits.max_chars
    )


def _unpacked_too_large(name: str, limits: Limits) -> LoaderError:
    return LoaderError(
        "kb.unpacked_too_large",
        f"{name}: over {limits.max_unpacked_bytes} bytes once unpacked",
        name=name,
        mb=_mb(limits.max_unpacked_bytes),
    )


def _decode(data: bytes, name: str, limits: Limits) -> str:
    """UTF-8, else CP949 (Korean Windows), or UTF-16 with a byte-order mark; binary data is kb.corrupt."""
    # UTF-16 only with its BOM: without one, almost any binary data "decodes" as UTF-16.
    encodings = ("utf-16",) if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig", "cp949")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if len(text) > limits.max_chars:  # before the character-by-character scan below
            raise _too_much_text(name, limits)
        if not _looks_binary(text):
            return text
    raise LoaderError("kb.corrupt", f"{name}: not a text file", name=name)


def _looks_binary(text: str) -> bool:
    """NUL characters, or more than 1 % control characters other than whitespace."""
    if "\x00" in text:
        return True
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\n\r\f\v")
    return controls > len(text) / 100


def _check_zip(data: bytes, name: str, limits: Limits) -> None:
    """Refuse a zip that inflates past the limit, without holding more than 64 KB of it at a time.

    The declared sizes (central directory) are checked first, at no cost. A member can lie about its size,
    and zipfile.read inflates a whole member in one call before comparing, so a 100 KB member declaring 1 KB
    allocates whatever it expands to inside python-docx; streaming each member here counts its real size and
    fails a liar on its CRC (zipfile stops at the declared size) before python-docx reads anything.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        if sum(member.file_size for member in members) > limits.max_unpacked_bytes:
            raise _unpacked_too_large(name, limits)
        inflated = 0
        for member in members:
            with archive.open(member) as stream:
                while block := stream.read(64 * 1024):
                    inflated += len(block)
                    if inflated > limits.max_unpacked_bytes:
                        raise _unpacked_too_large(name, limits)


def _docx_text(data: bytes, name: str, limits: Limits) -> str:
    """Paragraphs (headings as Markdown) and tables; LoaderError kb.corrupt for anything unreadable."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        _check_zip(data, name, limits)
        return _docx_lines(docx.Document(io.BytesIO(data)), name, limits)
    except LoaderError:
        raise
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoaderError("kb.corrupt", f"{name}: {exc}", name=name) from exc
    except Exception as exc:  # a damaged part inside the zip: zlib.error, lxml's XMLSyntaxError, ...
        raise LoaderError("kb.corrupt", f"{name}: {type(exc).__name__}: {exc}", name=name) from exc


def _docx_lines(document: Any, name: str, limits: Limits) -> str:
    lines: list[str] = []
    size = 0
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        size += len(text)
        if size > limits.max_chars:  # stop reading as soon as the limit is passed
            raise _too_much_text(name, limits)
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if style.startswith("Heading") and style[-1:].isdigit():
            lines.append("#" * min(int(style[-1]), 6) + " " + text)
        elif style == "Title":
            lines.append("# " + text)
        else:
            lines.append(text)
        lines.append("")
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text.strip() for cell in row.cells))
            size += len(lines[-1])
            if size > limits.max_chars:
                raise _too_much_text(name, limits)
        lines.append("")
    return "\n".join(lines)


class _PdfBudget:
    """pypdf visitors that count operators drawn and characters extracted over a whole PDF, and stop it.

    pypdf calls them inside form XObjects too, so a form drawn again and again counts every time. It swallows
    exceptions raised inside a form, but the next operator of the page raises again, and that one escapes.
    """

    def __init__(self, name: str, limits: Limits) -> None:
        self.name, self.limits = name, limits
        self.operators = self.chars = 0

    def operator(self, *_: object) -> None:
        self.operators += 1
        if self.operators > self.limits.max_pdf_operations:
            raise LoaderError(
                "kb.too_complex",
                f"{self.name}: over {self.limits.max_pdf_operations} drawing operations",
                name=self.name,
                limit=self.limits.max_pdf_operations,
            )
        self.check_text()

    def text(self, text: str, *_: object) -> None:
        self.chars += len(text)
        self.check_text()

    def check_text(self) -> None:
        if self.chars > self.limits.max_chars:
            raise _too_much_text(self.name, self.limits)


def _content_bytes(page: Any) -> int:
    """The inflated size of a page's content streams (pypdf caches what it inflates, so this costs once)."""
    from pypdf.generic import ArrayObject, StreamObject

    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    parts = [part.get_object() for part in contents] if isinstance(contents, ArrayObject) else [contents]
    return sum(len(part.get_data()) for part in parts if isinstance(part, StreamObject))


def _pdf_text(data: bytes, name: str, limits: Limits) -> str:
    """Pages, inflated content and text are bounded in that order, each before the work it bounds."""
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError, PdfReadError

    # No single stream may inflate past the limit (pypdf stops it), nor any content stream parse into more
    # tokens than the whole file may draw.
    unpacked = limits.max_unpacked_bytes
    configuration = {
        "zlib_maximum_output_length": unpacked,
        "lzw_maximum_output_length": unpacked,
        "run_length_maximum_output_length": unpacked,
        "brotli_maximum_output_length": unpacked,
        "array_based_stream_maximum_output_length": unpacked,
        "stream_parsing_work_maximum_count": limits.max_pdf_operations,
    }
    budget = _PdfBudget(name, limits)
    try:
        with apply_configuration(**configuration):
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                raise LoaderError("kb.corrupt", f"{name}: encrypted PDF", name=name)
            if (pages := len(reader.pages)) > limits.max_pages:
                raise LoaderError(
                    "kb.too_many_pages", f"{name}: {pages} pages", name=name, pages=pages, limit=limits.max_pages
                )
            inflated = 0
            for page in reader.pages:
                try:
                    inflated += _content_bytes(page)
                except LimitReachedError as exc:
                    raise _unpacked_too_large(name, limits) from exc
                if inflated > unpacked:
                    raise _unpacked_too_large(name, limits)
            texts = [
                page.extract_text(visitor_operand_before=budget.operator, visitor_text=budget.text)
                for page in reader.pages
            ]
            budget.check_text()  # a form's text raised inside pypdf, with no operator after it to raise again
            return "\n\n".join((text or "").strip() for text in texts)
    except LoaderError:
        raise
    except LimitReachedError as exc:  # one of pypdf's own bounds while parsing: too much to read
        raise LoaderError("kb.too_complex", f"{name}: {exc}", name=name, limit=limits.max_pdf_operations) from exc
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoaderError("kb.corrupt", f"{name}: {exc}", name=name) from exc
    except Exception as exc:  # malformed objects can make pypdf fail in many other ways
        raise LoaderError("kb.corrupt", f"{name}: {type(exc).__name__}: {exc}", name=name) from exc


def _unsupported(name: str, suffix: str, where: str = "") -> LoaderError:
    types = ", ".join(SUPPORTED)
    return LoaderError(
        "kb.unsupported",
        f"{where or name}: unsupported file type {suffix or '(none)'} (supported: {types})",
        name=name,
        types=types,
    )


def _too_large(name: str, size: int, max_bytes: int, where: str = "") -> LoaderError:
    return LoaderError(
        "kb.too_large",
        f"{where or name}: {size} bytes is over the limit of {max_bytes} bytes",
        name=name,
        mb=_mb(max_bytes),
    )


def load_bytes(
    name: str,
    data: bytes,
    *,
    source: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    limits: Limits = DEFAULT_LIMITS,
) -> Document:
    """Turn an uploaded or read file into one Document; LoaderError if unsupported, empty, corrupt or too big."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        raise _unsupported(name, suffix)
    if len(data) > max_bytes:
        raise _too_large(name, len(data), max_bytes)
    if not data.strip():
        raise LoaderError("kb.empty", f"{name}: the file is empty", name=name)
    if suffix == ".docx":
        text = _docx_text(data, name, limits)
    elif suffix == ".pdf":
        text = _pdf_text(data, name, limits)
    else:
        text = _decode(data, name, limits)
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise LoaderError("kb.empty", f"{name}: no text could be extracted", name=name)
    if len(text) > limits.max_chars:
        raise _too_much_text(name, limits)
    return Document(page_content=text, metadata={"source": source or name, "filename": Path(name).name})


def load_file(
    path: str | Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    source: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Document:
    """Load a file from disk; `source` (default: the path as given) is what citations show."""
    path = Path(path)
    if path.suffix.lower() not in SUPPORTED:
        raise _unsupported(path.name, path.suffix.lower(), str(path))
    size = path.stat().st_size
    if size > max_bytes:
        raise _too_large(path.name, size, max_bytes, str(path))
    return load_bytes(path.name, path.read_bytes(), source=source or str(path), max_bytes=max_bytes, limits=limits)
