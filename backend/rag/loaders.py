"""Load .md, .txt, .docx and .pdf files into LangChain Documents (Markdown-ish text + metadata)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from langchain_core.documents import Document

from backend.errors import AppError

SUPPORTED = (".md", ".markdown", ".txt", ".docx", ".pdf")
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


class LoaderError(AppError):
    """A file that cannot be indexed; `code` says why (translated in the UI)."""


def _decode(data: bytes, name: str) -> str:
    """UTF-8, else CP949 (Korean Windows), or UTF-16 with a byte-order mark; binary data is kb.corrupt."""
    # UTF-16 only with its BOM: without one, almost any binary data "decodes" as UTF-16.
    encodings = ("utf-16",) if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ("utf-8-sig", "cp949")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not _looks_binary(text):
            return text
    raise LoaderError("kb.corrupt", f"{name}: not a text file", name=name)


def _looks_binary(text: str) -> bool:
    """NUL characters, or more than 1 % control characters other than whitespace."""
    if "\x00" in text:
        return True
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\n\r\f\v")
    return controls > len(text) / 100


def _docx_text(data: bytes, name: str) -> str:
    """Paragraphs (headings as Markdown) and tables; LoaderError kb.corrupt for anything unreadable."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        return _docx_lines(docx.Document(io.BytesIO(data)))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoaderError("kb.corrupt", f"{name}: {exc}", name=name) from exc
    except Exception as exc:  # a damaged part inside the zip: zlib.error, lxml's XMLSyntaxError, ...
        raise LoaderError("kb.corrupt", f"{name}: {type(exc).__name__}: {exc}", name=name) from exc


def _docx_lines(document) -> str:  # noqa: ANN001
    lines = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
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
        lines.append("")
    return "\n".join(lines)


def _pdf_text(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise LoaderError("kb.corrupt", f"{name}: encrypted PDF", name=name)
        return "\n\n".join((page.extract_text() or "").strip() for page in reader.pages)
    except LoaderError:
        raise
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
        mb=round(max_bytes / 1024 / 1024, 1),
    )


def load_bytes(name: str, data: bytes, *, source: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Turn an uploaded or read file into one Document; LoaderError if unsupported, empty, corrupt or too big."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        raise _unsupported(name, suffix)
    if len(data) > max_bytes:
        raise _too_large(name, len(data), max_bytes)
    if not data.strip():
        raise LoaderError("kb.empty", f"{name}: the file is empty", name=name)
    if suffix == ".docx":
        text = _docx_text(data, name)
    elif suffix == ".pdf":
        text = _pdf_text(data, name)
    else:
        text = _decode(data, name)
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise LoaderError("kb.empty", f"{name}: no text could be extracted", name=name)
    return Document(page_content=text, metadata={"source": source or name, "filename": Path(name).name})


def load_file(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, source: str | None = None) -> Document:
    """Load a file from disk; `source` (default: the path as given) is what citations show."""
    path = Path(path)
    if path.suffix.lower() not in SUPPORTED:
        raise _unsupported(path.name, path.suffix.lower(), str(path))
    size = path.stat().st_size
    if size > max_bytes:
        raise _too_large(path.name, size, max_bytes, str(path))
    return load_bytes(path.name, path.read_bytes(), source=source or str(path), max_bytes=max_bytes)
