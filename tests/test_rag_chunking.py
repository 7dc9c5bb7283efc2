"""Chunker invariants: size, headings and anchors, Q/A pairs, code fences, coverage, hashes, overlap, language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from langchain_core.documents import Document

from backend.config import DATA_DIR
from backend.rag.chunking import (
    DEFAULT_MAX_CHARS,
    DEFAULT_OVERLAP_CHARS,
    PARENT_MAX_CHARS,
    Chunk,
    content_hash,
    detect_language,
    split_document,
)

KNOWLEDGE_FILES = sorted((DATA_DIR / "knowledge").rglob("*.md"))
_HEADING_LINE = re.compile(r"^#{1,6}\s")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n")

SYNTHETIC = """\
Intro text before any heading explains what this guide covers.

# Backend Interview Guide

## Processes and Threads {#process-vs-thread}

A process owns an address space. Threads share it.

### Thread Stacks

Every thread has its own stack and registers.

## Code Samples {#code-samples}

Here is a script:

```python
# Not a heading: a Python comment
## Also not a heading

def worker():
    return 42
```

After the code block the section continues.

## Quick Q&A {#quick-qa}

**Q:** What does a mutex guarantee?
**A:** Only one thread at a time runs the critical section it protects.

**Q:** What is a deadlock?

**A:** Two or more tasks each wait for a resource another one holds, so none can proceed.

## 운영체제 요약 {#os-summary}

프로세스는 독립된 주소 공간을 가집니다. 스레드는 같은 프로세스 안에서 힙을 공유합니다.
"""


def split(text: str, **kwargs: int) -> list[Chunk]:
    return split_document(
        Document(page_content=text, metadata={"source": "docs/guide.md", "filename": "guide.md"}), **kwargs
    )


def normalise(text: str) -> str:
    return " ".join(text.split())


def squeeze(text: str) -> str:
    """`text` without any whitespace (a sentence cut from its paragraph is joined back with a blank line)."""
    return "".join(text.split())


def paragraphs(text: str) -> list[str]:
    """Non-empty, non-heading paragraphs of a Markdown text (code fences kept whole)."""
    out, current, fenced = [], [], False
    for line in text.splitlines():
        if line.strip().startswith("```"):
            fenced = not fenced
        if not fenced and (not line.strip() or _HEADING_LINE.match(line)):
            if current:
                out.append("\n".join(current))
                current = []
            continue
        current.append(line)
    if current:
        out.append("\n".join(current))
    return out


def long_section(sentences: int, *, korean: bool = False) -> str:
    if korean:
        body = " ".join(f"{i}번째 문장은 캐시 지역성과 페이지 교체 정책을 설명합니다." for i in range(sentences))
    else:
        body = " ".join(f"Sentence number {i} explains cache locality and page replacement." for i in range(sentences))
    return f"# Doc\n\n## Long Section {{#long}}\n\n{body}\n"


def overlap_length(previous: str, following: str) -> int:
    """Length of the longest end of `previous` that `following` starts with."""
    for size in range(min(len(previous), len(following)), 0, -1):
        if previous.endswith(following[:size]):
            return size
    return 0


# --- size ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("max_chars", [200, 350, 700])
def test_every_chunk_of_every_bundled_document_fits_max_chars(max_chars: int) -> None:
    for path in KNOWLEDGE_FILES:
        doc = Document(page_content=path.read_text(encoding="utf-8"), metadata={"source": path.name})
        chunks = split_document(doc, max_chars=max_chars, overlap=min(120, max_chars // 4))
        assert chunks, path
        too_long = [c for c in chunks if len(c.text) > max_chars]
        assert not too_long, (path, max_chars, too_long[0].text)


def test_one_enormous_word_is_cut_to_max_chars() -> None:
    chunks = split("# T\n\n" + "x" * 1000, max_chars=300, overlap=50)
    assert all(len(c.text) <= 300 for c in chunks)
    assert "".join(c.text for c in chunks).count("x") >= 1000


# --- headings and anchors --------------------------------------------------------------------------------------------


def test_heading_path_and_anchor_are_kept_and_the_anchor_is_stripped_from_the_heading() -> None:
    chunks = split(SYNTHETIC)
    by_text = {c.text: c for c in chunks}
    threads = by_text["A process owns an address space. Threads share it."]
    assert threads.heading == "Backend Interview Guide > Processes and Threads"
    assert threads.section_id == "process-vs-thread"
    stacks = by_text["Every thread has its own stack and registers."]
    assert stacks.heading == "Backend Interview Guide > Processes and Threads > Thread Stacks"
    assert stacks.section_id == "process-vs-thread"  # nearest anchored heading above
    korean = next(c for c in chunks if "스레드" in c.text)
    assert korean.heading == "Backend Interview Guide > 운영체제 요약"
    assert korean.section_id == "os-summary"
    assert not any("{#" in c.heading for c in chunks)


def test_text_before_the_first_heading_is_titled_by_the_file_name() -> None:
    first = split(SYNTHETIC)[0]
    assert first.text.startswith("Intro text before any heading")
    assert first.heading == "guide.md"
    assert first.section_id == ""


def test_chunks_carry_source_and_consecutive_positions() -> None:
    chunks = split(SYNTHETIC)
    assert {c.source for c in chunks} == {"docs/guide.md"}
    assert [c.position for c in chunks] == list(range(len(chunks)))


def test_a_chunk_never_spans_two_sections() -> None:
    headings = [line for line in SYNTHETIC.splitlines() if _HEADING_LINE.match(line) and "heading" not in line]
    assert len(headings) == 6
    for chunk in split(SYNTHETIC, max_chars=2000):
        assert not any(heading in chunk.text.splitlines() for heading in headings), chunk.text


def test_bundled_document_sections_map_to_their_anchors() -> None:
    path = DATA_DIR / "knowledge" / "en" / "os.md"
    chunks = split_document(Document(page_content=path.read_text(encoding="utf-8"), metadata={"source": "os.md"}))
    anchors = re.findall(r"^## .*\{#([\w-]+)\}\s*$", path.read_text(encoding="utf-8"), re.M)
    assert [a for a in dict.fromkeys(c.section_id for c in chunks) if a] == anchors


# --- Q/A pairs and code fences ---------------------------------------------------------------------------------------


def qa_document(pairs: int) -> tuple[str, list[tuple[str, str]]]:
    qa = [
        (
            f"**Q:** Question {i}: why does design choice number {i} matter here?",
            f"**A:** Answer {i}: because trade-off {i} balances latency against cost. It also eases operations.",
        )
        for i in range(pairs)
    ]
    body = "\n\n".join(f"{q}\n{a}" if i % 2 else f"{q}\n\n{a}" for i, (q, a) in enumerate(qa))
    return f"# FAQ\n\n## Pairs {{#pairs}}\n\nSome context first.\n\n{body}\n", qa


@pytest.mark.parametrize("max_chars", [260, 400, 700])
def test_a_question_and_its_answer_always_share_a_chunk(max_chars: int) -> None:
    text, qa = qa_document(20)
    chunks = split(text, max_chars=max_chars, overlap=80)
    assert len(chunks) > 3
    for question, answer in qa:
        holding = [c for c in chunks if question in c.text]
        assert holding, question
        for chunk in holding:  # wherever the question appears, its whole answer follows it
            assert answer in chunk.text, (question, chunk.text)


def test_headings_inside_code_fences_do_not_start_sections() -> None:
    chunks = split(SYNTHETIC)
    code = [c for c in chunks if "def worker():" in c.text]
    assert len(code) == 1
    assert code[0].heading == "Backend Interview Guide > Code Samples"
    assert "# Not a heading: a Python comment\n## Also not a heading" in code[0].text
    assert "```python" in code[0].text and code[0].text.count("```") == 2
    assert not any("Not a heading" in c.heading or "Also not" in c.heading for c in chunks)
    after = next(c for c in chunks if "After the code block" in c.text)
    assert after.section_id == "code-samples"


def test_a_long_code_block_keeps_its_line_breaks() -> None:
    lines = [f"    total += compute_value(index_{i}, weight={i})" for i in range(40)]
    text = "# T\n\n## Code {#code}\n\n```python\ndef run():\n" + "\n".join(lines) + "\n```\n"
    chunks = split(text, max_chars=400, overlap=60)
    assert len(chunks) > 3
    chunk_lines = {line for c in chunks for line in c.text.splitlines()}
    missing = [line for line in lines if line not in chunk_lines and line.strip() not in chunk_lines]
    assert not missing


# --- coverage --------------------------------------------------------------------------------------------------------


def assert_covers(text: str, chunks: list[Chunk], max_chars: int) -> None:
    joined = [squeeze(c.text) for c in chunks]
    for paragraph in paragraphs(text):
        flat = squeeze(paragraph)
        if any(flat in chunk for chunk in joined):
            continue
        assert len(paragraph) > max_chars, f"paragraph split although it fits: {paragraph[:80]!r}"
        for sentence in filter(None, (normalise(s) for s in _SENTENCE.split(paragraph))):
            if len(sentence) <= max_chars:
                assert any(squeeze(sentence) in chunk for chunk in joined), f"lost: {sentence!r}"


def test_chunks_cover_every_paragraph_of_the_synthetic_document() -> None:
    for max_chars in (120, 300, 700):
        assert_covers(SYNTHETIC, split(SYNTHETIC, max_chars=max_chars, overlap=40), max_chars)


@pytest.mark.parametrize("path", KNOWLEDGE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_chunks_cover_every_paragraph_of_bundled_documents(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    chunks = split_document(Document(page_content=text, metadata={"source": path.name}))
    # an over-long paragraph is cut short enough to leave room for the next chunk's overlap
    assert_covers(text, chunks, DEFAULT_MAX_CHARS - DEFAULT_OVERLAP_CHARS - 2)


def test_chunks_cover_a_long_section_without_sentence_breaks() -> None:
    words = " ".join(f"word{i}" for i in range(400))
    chunks = split(f"# T\n\n{words}\n", max_chars=300, overlap=60)
    covered = {w for c in chunks for w in c.text.split()}
    assert covered == set(words.split())


# --- hashes ----------------------------------------------------------------------------------------------------------


def test_content_hash_is_deterministic_and_covers_heading_and_text() -> None:
    first, second = split(SYNTHETIC), split(SYNTHETIC)
    assert [c.content_hash for c in first] == [c.content_hash for c in second]
    for chunk in first:
        assert chunk.content_hash == content_hash(f"{chunk.heading}\n{chunk.text}")
        assert re.fullmatch(r"[0-9a-f]{64}", chunk.content_hash)
    assert len({c.content_hash for c in first}) == len(first)


def test_editing_one_section_changes_only_that_sections_hashes() -> None:
    before = split(SYNTHETIC)
    after = split(SYNTHETIC.replace("Threads share it.", "Threads share it, heap included."))
    changed = {c.section_id for c in after if c.content_hash not in {b.content_hash for b in before}}
    assert changed == {"process-vs-thread"}
    assert len(after) == len(before)


# --- overlap ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("korean", [False, True], ids=["en", "ko"])
def test_consecutive_chunks_of_a_long_section_overlap(korean: bool) -> None:
    chunks = split(long_section(40, korean=korean), max_chars=400, overlap=120)
    assert len(chunks) >= 4
    assert {c.section_id for c in chunks} == {"long"}
    pairs = [(a, b) for a, b in zip(chunks, chunks[1:], strict=False) if a.parent == b.parent]
    assert len(pairs) >= 3  # (chunks of one parent passage overlap; a parent starts afresh)
    for previous, following in pairs:
        shared = overlap_length(previous.text, following.text)
        assert 20 <= shared <= 120, (previous.text[-150:], following.text[:150])
        assert following.text[shared:].strip()  # and it carries new text too


def test_overlap_is_kept_when_one_long_paragraph_is_cut() -> None:
    words = " ".join(f"word{i}" for i in range(300))
    chunks = split(f"# T\n\n## S {{#s}}\n\n{words}\n", max_chars=300, overlap=60)
    assert len(chunks) >= 4
    for previous, following in [(a, b) for a, b in zip(chunks, chunks[1:], strict=False) if a.parent == b.parent]:
        assert overlap_length(previous.text, following.text) >= 10


def test_no_overlap_is_added_when_overlap_is_zero() -> None:
    chunks = split(long_section(30), max_chars=400, overlap=0)
    assert len(chunks) >= 3
    for previous, following in zip(chunks, chunks[1:], strict=False):
        assert overlap_length(previous.text, following.text) < 10


def test_overlap_does_not_cross_a_section_boundary() -> None:
    text = long_section(20) + "\n## Next {#next}\n\nCompletely different words here.\n"
    chunks = split(text, max_chars=400, overlap=120)
    assert chunks[-1].section_id == "next"
    assert chunks[-1].text == "Completely different words here."


# --- language --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("프로세스와 스레드의 차이는 무엇인가요?", "ko"),
        ("TCP 연결은 3-way handshake로 시작하고 SYN, SYN-ACK, ACK를 주고받습니다.", "ko"),
        ("What is the difference between a process and a thread?", "en"),
        ("B-tree 인덱스 is used by most relational databases for range queries and sorting.", "en"),
        ("42 + 7 = 49", ""),
        ("", ""),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_chunks_are_tagged_with_their_documents_language() -> None:
    assert {c.language for c in split(SYNTHETIC)} == {"en"}  # its Korean section included
    korean = split(
        "# 참고\n\n## 참조 {#refs}\n\n- Designing Data-Intensive Applications, Martin Kleppmann\n\n"
        "## 본문 {#body}\n\n" + "프로세스는 독립된 주소 공간을 가지며 스레드는 그 안에서 힙을 공유합니다. " * 3
    )
    assert {c.language for c in korean} == {"ko"}  # a reference list in English is still part of a Korean document
    code = "```java\nQueue<Integer> queue = new LinkedList<>();\nfor (int v : graph.get(node)) queue.add(v);\n```\n\n"
    with_code = split("# 위상 정렬\n\n진입 차수가 0인 정점을 큐에 넣는다.\n\n## 구현\n\n" + code * 4)
    assert {c.language for c in with_code} == {"ko"}  # code samples do not make a Korean note English
    for lang in ("en", "ko"):
        path = DATA_DIR / "knowledge" / lang / "os.md"
        doc_chunks = split_document(Document(page_content=path.read_text(encoding="utf-8"), metadata={"source": "x"}))
        assert {c.language for c in doc_chunks} == {lang}


# --- parent passages -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", KNOWLEDGE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_chunk_lies_inside_a_bounded_parent_passage_that_starts_with_its_heading(path: Path) -> None:
    chunks = split_document(Document(page_content=path.read_text(encoding="utf-8"), metadata={"source": path.name}))
    assert len({c.parent for c in chunks}) < len(chunks)  # parents hold several chunks
    for chunk in chunks:
        assert len(chunk.parent) <= PARENT_MAX_CHARS, chunk.parent[:80]
        assert chunk.parent.startswith(f"#### {chunk.heading.rsplit(' > ', 1)[-1]}\n\n"), chunk.parent[:80]
        assert squeeze(chunk.text) in squeeze(chunk.parent), (chunk.text[:80], chunk.parent[:80])
        assert chunk.passage == chunk.parent


def test_parents_of_a_section_cover_it_in_order_without_repeating_text() -> None:
    chunks = split(long_section(60), max_chars=300, overlap=60)
    parents = list(dict.fromkeys(c.parent for c in chunks))
    assert len(parents) >= 3
    body = "".join(p.split("\n\n", 1)[1] for p in parents).replace(" ", "")
    expected = long_section(60).split("\n\n")[2].strip().replace(" ", "")
    assert body == expected
    sizes = [len(p) for p in parents]
    assert min(sizes) >= 0.5 * max(sizes)  # balanced: no stub of a last parent


def test_text_before_any_heading_has_a_parent_without_a_heading_line() -> None:
    first = split(SYNTHETIC)[0]
    assert first.parent == "Intro text before any heading explains what this guide covers."
