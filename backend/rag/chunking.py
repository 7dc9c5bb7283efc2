"""Split documents into small chunks to match, each inside a bounded parent passage to return.

A section (the text under one heading) is cut into parent passages of at most PARENT_MAX_CHARS at
paragraph ends, each starting with its heading line; a parent is cut into chunks of at most
`max_chars` (with a little overlap) that respect Q/A pairs and code fences. Search matches the
chunks and returns their parent: small chunks rank precisely, the parent holds what a reader needs.

This is LangChain's parent-document pattern, written here rather than taken from ParentDocumentRetriever
or MultiVectorRetriever: those moved to the legacy langchain-classic package in LangChain 1.x (langchain
1.x and langchain-core ship neither), and they expect a LangChain VectorStore doing dense
similarity_search plus a separate docstore. Our local store fuses dense and BM25 scores per language
over chunks kept in the app database with shipped vectors, so the parent travels with each chunk row
(kb_chunks.parent; Pinecone metadata "parent") and one result per section is kept (store.top_passages).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from langchain_core.documents import Document

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s*\{#([A-Za-z0-9_-]+)\})?\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+|(?<=다\.)\s*|(?<=요\.)\s*|\n")
_HANGUL = re.compile(r"[가-힣]")
_LATIN = re.compile(r"[A-Za-z]")
_NOT_PROSE = re.compile(r"^\s*```.*?^\s*```|`[^`\n]*`|\(?https?://\S+", re.M | re.S)

DEFAULT_MAX_CHARS = 400
DEFAULT_OVERLAP_CHARS = 80
PARENT_MAX_CHARS = 1200
# Part of every document's hash: a change of chunking re-indexes files that did not change.
CHUNKING_VERSION = "parent-2"


@dataclass(frozen=True)
class Chunk:
    """A piece of a document ready to embed and cite."""

    text: str
    source: str
    heading: str  # heading path, "Title > Section > Sub"
    section_id: str  # anchor of the nearest anchored heading ("" if none)
    language: str  # "ko", "en" or "" when unsure
    position: int
    content_hash: str = field(default="")
    parent: str = ""  # the bounded section passage this chunk belongs to, heading line first

    @property
    def passage(self) -> str:
        """What search returns and cites for this chunk: its parent passage (its own text if it has none)."""
        return self.parent or self.text

    @property
    def embed_text(self) -> str:
        """What gets embedded and lexically indexed: heading path plus text."""
        return f"{self.heading}\n{self.text}" if self.heading else self.text


def detect_language(text: str) -> str:
    """'ko' when Hangul dominates the letters, 'en' for Latin, '' if there are few letters."""
    hangul, latin = len(_HANGUL.findall(text)), len(_LATIN.findall(text))
    if hangul + latin < 5:
        return ""
    # A Hangul syllable carries about three Latin letters' worth of text.
    return "ko" if hangul * 3 >= latin else "en"


def content_hash(text: str) -> str:
    """SHA-256 hex of `text`."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _blocks(lines: list[str]) -> list[str]:
    """Paragraphs and fenced code blocks; a **Q:** paragraph is joined with its **A:**."""
    blocks: list[str] = []
    current: list[str] = []
    fenced = False
    for line in lines:
        if line.strip().startswith("```"):
            fenced = not fenced
            current.append(line)
            continue
        if not fenced and not line.strip():
            if current:
                blocks.append("\n".join(current).strip())
                current = []
            continue
        current.append(line)
    if current:
        blocks.append("\n".join(current).strip())
    merged: list[str] = []
    for block in blocks:
        if merged and block.startswith("**A:**") and merged[-1].startswith("**Q:**"):
            merged[-1] = merged[-1] + "\n" + block
        else:
            merged.append(block)
    return [b for b in merged if b]


def _sentences(text: str) -> list[str]:
    """`text` cut after every sentence end and line break; the pieces join back into `text` exactly."""
    pieces: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() > start:
            pieces.append(text[start : match.end()])
            start = match.end()
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def _hard_split(text: str, limit: int) -> list[str]:
    """Cut one enormous sentence into pieces of at most `limit` characters, at spaces where possible."""
    out: list[str] = []
    while len(text) > limit:
        cut = text.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        out.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text.strip():
        out.append(text)
    return out


def _split_long(block: str, max_chars: int) -> list[str]:
    """Split an over-long block at sentence ends and line breaks, keeping its line breaks.

    Pieces are at most `max_chars` long; a word is cut only if it alone is longer than that.
    """
    if len(block) <= max_chars:
        return [block]
    pieces: list[str] = []
    current = ""
    for sentence in _sentences(block):
        if len(current) + len(sentence.rstrip()) > max_chars and current.strip():
            pieces.append(current.strip())
            current = ""
        if not current.strip() and len(sentence.strip()) > max_chars:
            parts = _hard_split(sentence.strip(), max_chars)
            pieces += parts[:-1]
            sentence = parts[-1] if parts else ""
        current = (current + sentence).lstrip() if current.strip() else sentence.lstrip()
    if current.strip():
        pieces.append(current.strip())
    return pieces


def _tail(text: str, overlap: int) -> str:
    """The end of `text`, at most `overlap` characters, for context in the next chunk.

    Whole sentences when the last one fits, else the last words.
    """
    if overlap <= 0:
        return ""
    tail = ""
    for sentence in reversed(_sentences(text)):
        if len((sentence + tail).strip()) > overlap:
            break
        tail = sentence + tail
    if tail.strip():
        return tail.strip()
    words = text[-overlap:]
    space = words.find(" ")
    return words[space + 1 :].strip() if 0 <= space < len(words) - 1 else ""


def _sections(text: str, title: str) -> list[tuple[str, str, list[str]]]:
    """(heading path, anchor, body lines) for every heading-delimited section."""
    stack: list[tuple[int, str, str]] = []  # (level, heading text, anchor)
    sections: list[tuple[str, str, list[str]]] = []
    body: list[str] = []
    fenced = False

    def flush() -> None:
        names = [h for _, h, _ in stack] or [title]
        anchor = next((a for _, _, a in reversed(stack) if a), "")
        sections.append((" > ".join(names), anchor, body.copy()))

    for line in text.splitlines():
        if line.strip().startswith("```"):
            fenced = not fenced
        match = None if fenced else _HEADING.match(line)
        if match:
            flush()
            body.clear()
            level = len(match.group(1))
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, match.group(2).strip(), match.group(3) or ""))
        else:
            body.append(line)
    flush()
    return sections


def _pack(pieces: list[str], max_chars: int, overlap: int) -> list[str]:
    """Consecutive pieces joined into texts of at most `max_chars`, each but the first starting with
    the end of the previous one (at most `overlap` characters) when it fits."""
    current = ""
    texts: list[str] = []
    for piece in pieces:
        if current and len(current) + 2 + len(piece) > max_chars:
            texts.append(current)
            tail = _tail(current, overlap)
            current = f"{tail}\n\n{piece}" if tail and len(tail) + len(piece) + 2 <= max_chars else piece
        else:
            current = f"{current}\n\n{piece}" if current else piece
    if current:
        texts.append(current)
    return texts


def _pieces(blocks: list[str], max_chars: int, overlap: int) -> list[str]:
    """Blocks, over-long ones cut short enough that the next chunk has room for the overlap."""
    limit = max(max_chars - overlap - 2, max_chars // 2)
    return [p for block in blocks for p in ([block] if len(block) <= max_chars else _split_long(block, limit))]


def _balanced_limit(total: int, limit: int) -> int:
    """A size limit that cuts `total` characters into evenly sized parts of at most about `limit`
    (no short last part holding a single sentence)."""
    parts = max(1, -(-total // limit))
    return min(limit, int(total / parts * 1.15) + 1)


def split_document(
    doc: Document,
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    overlap: int = DEFAULT_OVERLAP_CHARS,
    parent_chars: int = PARENT_MAX_CHARS,
) -> list[Chunk]:
    """Chunks of `doc` in order; each stays within one parent passage of one section, with a little overlap."""
    source = doc.metadata.get("source", "")
    title = doc.metadata.get("filename") or source
    # A chunk takes its document's language (its own only when the document's is unclear): a Korean
    # document's reference list or code sample is still part of a Korean document. Code and links are
    # left out of the count: a Korean note with Java and C++ samples is still Korean.
    document_language = detect_language(_NOT_PROSE.sub(" ", doc.page_content)) or detect_language(doc.page_content)
    chunks: list[Chunk] = []
    for heading, anchor, lines in _sections(doc.page_content, title):
        blocks = _blocks(lines)
        if not blocks:
            continue
        leaf = heading.rsplit(" > ", 1)[-1]
        heading_line = f"#### {leaf}\n\n" if heading != title else ""
        body_limit = max(parent_chars - len(heading_line), max_chars)
        total = sum(len(b) + 2 for b in blocks)
        parent_limit = _balanced_limit(total, body_limit)
        for parent_body in _pack(_pieces(blocks, parent_limit, 0), parent_limit, 0):
            parent = heading_line + parent_body
            for text in _pack(_pieces(_blocks(parent_body.splitlines()), max_chars, overlap), max_chars, overlap):
                chunks.append(
                    Chunk(
                        text=text,
                        source=source,
                        heading=heading,
                        section_id=anchor,
                        language=document_language or detect_language(text),
                        position=len(chunks),
                        content_hash=content_hash(f"{heading}\n{text}"),
                        parent=parent,
                    )
                )
    return chunks
