"""Ingestion into the local store: idempotent, replaces changed files, never half-writes, keeps users apart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from langchain_core.documents import Document
from sqlalchemy import select

from backend.context import AppContext
from backend.db.models import KbChunk, KbDocument, User
from backend.rag.bundle import VectorBundle
from backend.rag.chunking import split_document
from backend.rag.knowledge import KnowledgeBase, walk
from backend.rag.loaders import LoaderError
from backend.rag.store import BUNDLED, LocalStore, user_namespace
from tests.conftest import make_context, random_lower_string
from tests.rag_helpers import FailingEmbeddings, HashEmbeddings
from tests.test_rag_loaders import make_docx, make_pdf
from ui.strings import translate

PROCESSES = """\
# Operating Systems

## Processes and Threads {#process-vs-thread}

A process owns a private address space. Threads of one process share its heap.

## Deadlock {#deadlock}

A deadlock needs mutual exclusion, hold and wait, no preemption and circular wait.
"""

INDEXES = """\
# Databases

## Indexes {#indexes}

A B-tree index keeps keys sorted, so lookups and range scans take logarithmic time.
"""


def snapshot(ctx: AppContext) -> list[tuple]:
    """Every document and chunk row, ids included: equal snapshots mean nothing was written."""
    with ctx.sessions() as db:
        docs = db.execute(
            select(
                KbDocument.id, KbDocument.namespace, KbDocument.source, KbDocument.content_hash, KbDocument.chunk_count
            ).order_by(KbDocument.id)
        ).all()
        chunks = db.execute(
            select(
                KbChunk.id, KbChunk.document_id, KbChunk.namespace, KbChunk.position, KbChunk.text, KbChunk.embedding
            ).order_by(KbChunk.id)
        ).all()
    return [tuple(r) for r in docs] + [tuple(r) for r in chunks]


def rows_of(ctx: AppContext, source: str) -> list[tuple]:
    """The snapshot rows of one document (its own row and its chunks')."""
    with ctx.sessions() as db:
        doc = db.execute(
            select(KbDocument.id, KbDocument.content_hash, KbDocument.chunk_count).where(KbDocument.source == source)
        ).one()
        chunks = db.execute(
            select(KbChunk.id, KbChunk.text, KbChunk.embedding)
            .where(KbChunk.document_id == doc.id)
            .order_by(KbChunk.id)
        ).all()
    return [tuple(doc)] + [tuple(c) for c in chunks]


def chunk_texts(ctx: AppContext, namespace: str) -> list[str]:
    with ctx.sessions() as db:
        return list(db.scalars(select(KbChunk.text).where(KbChunk.namespace == namespace).order_by(KbChunk.id)))


def add_user(ctx: AppContext) -> int:
    name = random_lower_string()
    with ctx.sessions() as db, db.begin():
        user = User(username=name, username_key=name, password_hash="x")
        db.add(user)
        db.flush()
        return user.id


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "kb"
    write(folder, "os.md", PROCESSES)
    write(folder, "sub/databases.md", INDEXES)
    return folder


@pytest.fixture
def embeddings() -> HashEmbeddings:
    return HashEmbeddings()


MAX_BYTES = 100_000


def make_kb(ctx: AppContext, embeddings: HashEmbeddings | None, **kwargs: object) -> KnowledgeBase:
    return KnowledgeBase(LocalStore(ctx.sessions, embeddings), embeddings, max_bytes=MAX_BYTES, **kwargs)


@pytest.fixture
def kb(ctx: AppContext, embeddings: HashEmbeddings) -> KnowledgeBase:
    return make_kb(ctx, embeddings)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_ctx(request: pytest.FixtureRequest) -> Iterator[AppContext]:
    """The same test on in-memory SQLite and on real PostgreSQL."""
    if request.param == "postgres":
        yield request.getfixturevalue("pg_ctx")
        return
    context = make_context()
    yield context
    context.engine.dispose()


# --- idempotence -----------------------------------------------------------------------------------------------------


def test_reingesting_unchanged_files_adds_nothing_and_embeds_nothing(
    any_ctx: AppContext, corpus: Path, embeddings: HashEmbeddings
) -> None:
    kb = make_kb(any_ctx, embeddings)
    first = kb.ingest_paths([corpus])
    assert (first.files, first.files_skipped, first.chunks_skipped, first.chunks_removed) == (2, 0, 0, 0)
    assert first.chunks_added == 3 and not first.errors
    rows, embedded = snapshot(any_ctx), len(embeddings.documents)

    second = kb.ingest_paths([corpus])
    assert (second.files, second.files_skipped) == (2, 2)
    assert (second.chunks_added, second.chunks_skipped, second.chunks_removed) == (0, 3, 0)
    assert snapshot(any_ctx) == rows  # same rows, same ids: no duplicates, nothing rewritten
    assert len(embeddings.documents) == embedded
    assert "0 added, 3 skipped, 0 removed, 0 errors" in second.summary()

    passages = kb.search("deadlock circular wait", namespaces=[BUNDLED], k=10)
    assert len(passages) == len({(p.source, p.heading) for p in passages}) == 3


def test_rebuild_reindexes_unchanged_files_without_duplicating_them(kb: KnowledgeBase, ctx, corpus: Path) -> None:
    kb.ingest_paths([corpus])
    before = chunk_texts(ctx, BUNDLED)
    report = kb.ingest_paths([corpus], rebuild=True)
    assert (report.chunks_added, report.chunks_skipped, report.chunks_removed) == (3, 0, 3)
    assert chunk_texts(ctx, BUNDLED) == before


def test_source_is_the_path_as_given(kb: KnowledgeBase, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(corpus.parent)
    kb.ingest_paths(["kb"])
    assert {d.source for d in kb.store.list_documents(namespace=BUNDLED)} == {"kb/os.md", "kb/sub/databases.md"}
    assert kb.search("B-tree index", k=1)[0].source == "kb/sub/databases.md"


def test_walk_finds_supported_files_in_sorted_order_and_keeps_explicit_files(corpus: Path) -> None:
    (corpus / "image.png").write_bytes(b"\x89PNG")
    (corpus / "notes.TXT").write_text("upper-case suffix", encoding="utf-8")
    explicit = write(corpus.parent, "setup.exe", "x")
    found = walk([corpus, explicit])
    assert found == [corpus / "notes.TXT", corpus / "os.md", corpus / "sub" / "databases.md", explicit]


# --- changed files ---------------------------------------------------------------------------------------------------


def test_changed_file_replaces_its_old_chunks(any_ctx: AppContext, corpus: Path, embeddings: HashEmbeddings) -> None:
    kb = make_kb(any_ctx, embeddings)
    kb.ingest_paths([corpus])
    untouched = rows_of(any_ctx, str(corpus / "sub" / "databases.md"))
    assert len(untouched) == 2

    write(corpus, "os.md", "# Operating Systems\n\n## Scheduling {#cpu-scheduling}\n\nRound robin uses a quantum.\n")
    report = kb.ingest_paths([corpus])
    assert (report.chunks_added, report.chunks_skipped, report.chunks_removed) == (1, 1, 2)
    assert report.files_skipped == 1

    texts = chunk_texts(any_ctx, BUNDLED)
    assert "Round robin uses a quantum." in texts
    assert not any("address space" in t or "circular wait" in t for t in texts)
    docs = {d.source: d for d in kb.store.list_documents(namespace=BUNDLED)}
    assert docs[str(corpus / "os.md")].chunk_count == 1
    assert rows_of(any_ctx, str(corpus / "sub" / "databases.md")) == untouched  # the other file: same rows
    found = kb.search("process address space threads heap", k=5)
    assert all("address space" not in p.text for p in found)


def test_search_sees_an_edit_that_keeps_the_number_of_chunks(kb: KnowledgeBase, corpus: Path) -> None:
    """The in-memory index is cached per namespace; an edit must invalidate it even when row counts stay equal."""
    path = corpus / "os.md"
    kb.ingest_paths([path])
    assert "private address space" in kb.search("address space", k=1)[0].text
    write(corpus, "os.md", PROCESSES.replace("private address space", "separate virtual address space"))
    kb.ingest_paths([path])
    top = kb.search("address space", k=1)[0]
    assert "separate virtual address space" in top.text
    assert "private" not in top.text


def test_a_document_deleted_and_another_added_is_not_served_from_the_cache(kb: KnowledgeBase, ctx) -> None:
    user = add_user(ctx)
    kb.add_upload(user_id=user, filename="a.md", data=b"# A\n\nalpha notes about queues")
    assert kb.search("queues", user_id=user, k=1)[0].source == "a.md"
    kb.delete_user_document(user_id=user, source="a.md")
    kb.add_upload(user_id=user, filename="b.md", data=b"# A\n\nalpha notes about queues")
    found = kb.search("queues", user_id=user, k=5)
    assert [p.source for p in found] == ["b.md"]


# --- nothing half-written --------------------------------------------------------------------------------------------


def test_bad_files_are_reported_with_their_code_and_leave_the_store_unchanged(kb: KnowledgeBase, ctx, corpus) -> None:
    kb.ingest_paths([corpus])
    before = snapshot(ctx)
    bad = corpus.parent / "bad"
    write(bad, "empty.txt", "  \n")
    (bad / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not a pdf at all")
    (bad / "broken.docx").write_bytes(b"PK\x03\x04 truncated zip")
    write(bad, "big.md", "word " * (MAX_BYTES // 5 + 1))  # over the limit of this knowledge base
    unsupported = write(bad.parent, "notes.rtf", "{\\rtf1 hello}")

    report = kb.ingest_paths([bad, unsupported])
    codes = {Path(path).name: error.code for path, error in report.errors}
    assert codes == {
        "empty.txt": "kb.empty",
        "broken.pdf": "kb.corrupt",
        "broken.docx": "kb.corrupt",
        "big.md": "kb.too_large",
        "notes.rtf": "kb.unsupported",
    }
    assert (report.files, report.chunks_added, report.chunks_removed) == (5, 0, 0)
    assert "5 errors" in report.summary()
    assert snapshot(ctx) == before
    for path, error in report.errors:  # each code has a message, in both languages, that names the file
        for language in ("ko", "en"):
            message = translate(error.code, language, **error.params)
            assert message != error.code and "{" not in message and Path(path).name in message


def test_a_known_file_that_becomes_unreadable_keeps_its_old_chunks(kb: KnowledgeBase, ctx, corpus: Path) -> None:
    kb.ingest_paths([corpus])
    before = snapshot(ctx)
    (corpus / "os.md").write_bytes(b"\x00\x01\x02 binary garbage \x00" * 10)
    report = kb.ingest_paths([corpus])
    assert [e.code for _, e in report.errors] == ["kb.corrupt"]
    assert snapshot(ctx) == before


@pytest.mark.parametrize(
    ("filename", "data", "code"),
    [
        ("resume.exe", b"MZ binary", "kb.unsupported"),
        ("resume.md", b"", "kb.empty"),
        ("resume.pdf", b"%PDF-1.7 garbage", "kb.corrupt"),
        ("resume.txt", b"a" * (MAX_BYTES + 1), "kb.too_large"),
    ],
)
def test_a_rejected_upload_leaves_the_store_unchanged(kb: KnowledgeBase, ctx, filename, data, code) -> None:
    user = add_user(ctx)
    kb.add_upload(user_id=user, filename="resume.md", data=b"# CV\n\nFive years of Python.")
    before = snapshot(ctx)
    with pytest.raises(LoaderError) as caught:
        kb.add_upload(user_id=user, filename=filename, data=data)
    assert caught.value.code == code
    assert caught.value.params["name"] == filename
    assert snapshot(ctx) == before


def test_an_embedding_failure_leaves_the_store_unchanged(any_ctx: AppContext, corpus: Path) -> None:
    make_kb(any_ctx, HashEmbeddings()).ingest_paths([corpus])
    before = snapshot(any_ctx)
    write(corpus, "os.md", PROCESSES + "\n## Paging {#paging}\n\nPages map to frames.\n")
    broken = make_kb(any_ctx, FailingEmbeddings())
    with pytest.raises(ConnectionError):
        broken.ingest_paths([corpus])
    assert snapshot(any_ctx) == before


def test_a_failure_while_writing_chunks_rolls_back_the_whole_document(any_ctx: AppContext, corpus: Path) -> None:
    kb = make_kb(any_ctx, HashEmbeddings())
    kb.ingest_paths([corpus])
    before = snapshot(any_ctx)
    doc = Document(page_content=PROCESSES + "\nMore text.", metadata={"source": str(corpus / "os.md")})
    chunks = split_document(doc)
    too_few_vectors = np.zeros((len(chunks) - 1, 64), dtype=np.float32)  # fails on the last chunk, after the delete
    with pytest.raises(IndexError):
        kb.store.replace_document(
            namespace=BUNDLED,
            source=doc.metadata["source"],
            title="os.md",
            doc_hash="new",
            chunks=chunks,
            vectors=too_few_vectors,
            user_id=None,
        )
    assert snapshot(any_ctx) == before


# --- namespaces ------------------------------------------------------------------------------------------------------


def test_a_users_upload_is_never_returned_to_another_user(any_ctx: AppContext, corpus: Path) -> None:
    kb = make_kb(any_ctx, HashEmbeddings())
    kb.ingest_paths([corpus])
    alice, bob = add_user(any_ctx), add_user(any_ctx)
    secret = "Alice's private note: the zebrafish quokka protocol beats round robin scheduling."
    kb.add_upload(user_id=alice, filename="notes.md", data=f"# Notes\n\n{secret}".encode())

    for query in (secret, "zebrafish quokka", "scheduling", "process threads heap"):
        for_bob = kb.search(query, user_id=bob, k=50)
        assert for_bob, query  # bundled content is visible to Bob
        assert all(p.namespace == BUNDLED for p in for_bob)
        assert not any("zebrafish" in p.text for p in for_bob)
        assert not any("zebrafish" in p.text for p in kb.search(query, k=50))  # nor to anonymous callers
    for_alice = kb.search("zebrafish quokka", user_id=alice, k=50)
    assert for_alice[0].text.endswith(f"\n\n{secret}")  # its parent passage, heading line first
    assert for_alice[0].namespace == user_namespace(alice)
    assert {p.namespace for p in for_alice} == {BUNDLED, user_namespace(alice)}
    assert kb.search("B-tree index", user_id=alice, k=1)[0].namespace == BUNDLED
    assert kb.search(secret, namespaces=[user_namespace(bob)], k=50) == []


def test_users_list_and_delete_only_their_own_documents(kb: KnowledgeBase, ctx) -> None:
    alice, bob = add_user(ctx), add_user(ctx)
    stored = kb.add_upload(
        user_id=alice, filename="jd.txt", data="백엔드 개발자 채용 공고: 파이썬과 PostgreSQL".encode()
    )
    assert (stored.source, stored.namespace, stored.chunk_count) == ("jd.txt", user_namespace(alice), 1)
    assert kb.user_documents(user_id=bob) == []
    assert kb.delete_user_document(user_id=bob, source="jd.txt") is False
    assert [d.source for d in kb.user_documents(user_id=alice)] == ["jd.txt"]

    assert kb.delete_user_document(user_id=alice, source="jd.txt") is True
    assert kb.user_documents(user_id=alice) == []
    assert chunk_texts(ctx, user_namespace(alice)) == []  # chunks go with their document
    assert kb.search("파이썬 채용", user_id=alice, k=5) == []


def test_uploading_a_file_of_the_same_name_replaces_it(kb: KnowledgeBase, ctx) -> None:
    user = add_user(ctx)
    kb.add_upload(user_id=user, filename="notes.md", data=b"# Notes\n\nfirst version about heaps")
    kb.add_upload(user_id=user, filename="notes.md", data=b"# Notes\n\nsecond version about tries")
    assert len(kb.user_documents(user_id=user)) == 1
    assert chunk_texts(ctx, user_namespace(user)) == ["second version about tries"]


def test_uploads_in_every_format_are_indexed(kb: KnowledgeBase, ctx) -> None:
    user = add_user(ctx)
    kb.add_upload(
        user_id=user, filename="cv.docx", data=make_docx(("Experience", "Heading 1"), ("Kafka pipelines", None))
    )
    kb.add_upload(user_id=user, filename="jd.pdf", data=make_pdf([["Wanted: Redis caching experience."]]))
    kb.add_upload(user_id=user, filename="notes.txt", data="메모: 트랜잭션 격리 수준".encode())
    assert sorted(d.source for d in kb.user_documents(user_id=user)) == ["cv.docx", "jd.pdf", "notes.txt"]
    top = kb.search("Kafka pipelines", user_id=user, k=1)[0]
    assert (top.source, top.heading) == ("cv.docx", "Experience")
    assert kb.search("Redis caching", user_id=user, k=1)[0].source == "jd.pdf"


# --- vectors ---------------------------------------------------------------------------------------------------------


def test_shipped_vectors_are_reused_and_only_new_chunks_are_embedded(ctx, corpus: Path) -> None:
    embeddings = HashEmbeddings()
    chunks = split_document(Document(page_content=PROCESSES, metadata={"source": str(corpus / "os.md")}))
    known = np.eye(64, dtype=np.float32)[: len(chunks) - 1]  # vectors no model would produce
    vectors = VectorBundle(embeddings.model_name, [c.content_hash for c in chunks[:-1]], known)
    kb = make_kb(ctx, embeddings, vectors=vectors)
    kb.ingest_paths([corpus / "os.md"])
    assert embeddings.documents == [chunks[-1].embed_text]
    with ctx.sessions() as db:
        stored = [np.frombuffer(b, dtype="<f4") for b in db.scalars(select(KbChunk.embedding).order_by(KbChunk.id))]
    assert all(np.array_equal(stored[i], known[i]) for i in range(len(known)))
    assert np.allclose(stored[-1], embeddings.embed_query(chunks[-1].embed_text))


def test_shipped_vectors_of_another_model_are_ignored(ctx, corpus: Path) -> None:
    embeddings = HashEmbeddings()
    chunks = split_document(Document(page_content=PROCESSES, metadata={"source": str(corpus / "os.md")}))
    vectors = VectorBundle("another-model", [c.content_hash for c in chunks], np.eye(64, dtype=np.float32)[:2])
    make_kb(ctx, embeddings, vectors=vectors).ingest_paths([corpus / "os.md"])
    assert embeddings.documents == [c.embed_text for c in chunks]


def test_without_an_embedding_model_search_is_lexical(ctx, corpus: Path) -> None:
    kb = make_kb(ctx, None)
    assert kb.lexical_only
    kb.ingest_paths([corpus])
    with ctx.sessions() as db:
        assert set(db.scalars(select(KbChunk.embedding))) == {b""}
    top = kb.search("circular wait deadlock", k=1)[0]
    assert top.heading == "Operating Systems > Deadlock"
    assert top.section_id == "deadlock"
    assert top.score > 0


def test_switching_the_embedding_model_reembeds_files_on_the_next_ingest(ctx, corpus: Path) -> None:
    make_kb(ctx, HashEmbeddings(64, "model-a")).ingest_paths([corpus])
    switched = HashEmbeddings(96, "model-b")
    kb = make_kb(ctx, switched)
    report = kb.ingest_paths([corpus])
    assert (report.chunks_added, report.chunks_skipped, report.chunks_removed) == (3, 0, 3)
    with ctx.sessions() as db:
        assert {len(b) for b in db.scalars(select(KbChunk.embedding))} == {96 * 4}
    assert kb.search("B-tree index", k=1)[0].heading == "Databases > Indexes"
    assert kb.ingest_paths([corpus]).chunks_added == 0


def test_vectors_of_a_previous_model_do_not_break_search(ctx, corpus: Path) -> None:
    """An upload indexed before the switch keeps its old vectors until it is uploaded again; search still works."""
    user = add_user(ctx)
    make_kb(ctx, HashEmbeddings(64, "model-a")).add_upload(
        user_id=user, filename="notes.md", data=b"# Notes\n\nzebrafish quokka scheduling"
    )
    kb = make_kb(ctx, HashEmbeddings(96, "model-b"))
    kb.ingest_paths([corpus])
    found = kb.search("zebrafish quokka", user_id=user, k=3)
    assert found[0].source == "notes.md"
