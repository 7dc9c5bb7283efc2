"""The Pinecone code path against a spec'd in-memory fake of `pinecone.Index` (no network, no API key)."""

from __future__ import annotations

from pathlib import Path
from unittest.mock import create_autospec

import numpy as np
import pytest
from pinecone import Pinecone

from backend.context import AppContext
from backend.errors import AppError
from backend.rag import knowledge
from backend.rag.knowledge import KnowledgeBase, make_knowledge_base
from backend.rag.store import BUNDLED, PineconeStore, user_namespace
from tests.conftest import make_context
from tests.rag_helpers import HashEmbeddings, fake_pinecone_index
from tests.test_rag_ingest import INDEXES, PROCESSES, add_user, snapshot, write
from ui.strings import translate

DIMENSION = 64


@pytest.fixture
def index():
    return fake_pinecone_index(DIMENSION)


@pytest.fixture
def embeddings() -> HashEmbeddings:
    return HashEmbeddings(DIMENSION)


@pytest.fixture
def kb(ctx: AppContext, embeddings: HashEmbeddings, index) -> KnowledgeBase:
    return KnowledgeBase(PineconeStore(ctx.sessions, embeddings, index), embeddings, max_bytes=100_000)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    write(tmp_path, "os.md", PROCESSES)
    write(tmp_path, "databases.md", INDEXES)
    return tmp_path


def texts_in(index, namespace: str) -> list[str]:  # noqa: ANN001
    return sorted(meta["text"] for _, meta in index.vectors.get(namespace, {}).values())


def test_reingest_upserts_nothing_new(kb: KnowledgeBase, index, corpus: Path, ctx) -> None:
    first = kb.ingest_paths([corpus])
    assert (first.chunks_added, first.chunks_skipped) == (3, 0)
    assert len(index.vectors[BUNDLED]) == 3
    upserts, rows = index.upsert.call_count, snapshot(ctx)

    second = kb.ingest_paths([corpus])
    assert (second.chunks_added, second.chunks_skipped, second.chunks_removed, second.files_skipped) == (0, 3, 0, 2)
    assert index.upsert.call_count == upserts
    assert len(index.vectors[BUNDLED]) == 3
    assert snapshot(ctx) == rows


def test_upserted_vectors_carry_citation_metadata_and_the_knowledge_bases_vectors(
    kb: KnowledgeBase, index, corpus: Path, embeddings: HashEmbeddings
) -> None:
    kb.ingest_paths([corpus / "databases.md"])
    [(values, meta)] = index.vectors[BUNDLED].values()
    assert meta == {
        "source": str(corpus / "databases.md"),
        "heading": "Databases > Indexes",
        "section_id": "indexes",
        "language": "en",
        "text": "A B-tree index keeps keys sorted, so lookups and range scans take logarithmic time.",
        "parent": "#### Indexes\n\nA B-tree index keeps keys sorted, so lookups and range scans take logarithmic time.",
    }
    # What gets embedded is the heading path plus the text (as in the local store), and only once.
    expected = embeddings.embed_query("Databases > Indexes\n" + meta["text"])
    assert np.allclose(values, expected, atol=1e-6)
    assert len(embeddings.documents) == 1


def test_changed_file_replaces_its_vectors_and_deletes_the_leftovers(kb: KnowledgeBase, index, corpus: Path) -> None:
    kb.ingest_paths([corpus])
    write(corpus, "os.md", "# Operating Systems\n\n## Scheduling {#cpu-scheduling}\n\nRound robin uses a quantum.\n")
    report = kb.ingest_paths([corpus])
    assert (report.chunks_added, report.chunks_skipped, report.chunks_removed) == (1, 1, 2)
    assert texts_in(index, BUNDLED) == [
        "A B-tree index keeps keys sorted, so lookups and range scans take logarithmic time.",
        "Round robin uses a quantum.",
    ]
    assert [p.text for p in kb.search("round robin quantum", k=5)][0].endswith("\n\nRound robin uses a quantum.")


def test_a_users_upload_is_never_returned_to_another_user(kb: KnowledgeBase, index, corpus: Path, ctx) -> None:
    kb.ingest_paths([corpus])
    alice, bob = add_user(ctx), add_user(ctx)
    secret = "Alice's private note: the zebrafish quokka protocol beats round robin scheduling."
    kb.add_upload(user_id=alice, filename="notes.md", data=f"# Notes\n\n{secret}".encode())
    assert texts_in(index, user_namespace(alice)) == [secret]
    assert secret not in texts_in(index, BUNDLED)

    index.query.reset_mock()
    for query in (secret, "zebrafish quokka", "process threads heap"):
        for_bob = kb.search(query, user_id=bob, k=50)
        assert for_bob and all(p.namespace == BUNDLED for p in for_bob)
        assert not any("zebrafish" in p.text for p in for_bob)
    asked = {call.kwargs["namespace"] for call in index.query.call_args_list}
    assert asked == {BUNDLED, user_namespace(bob)}

    for_alice = kb.search("zebrafish quokka", user_id=alice, k=50)
    assert for_alice[0].text.endswith(f"\n\n{secret}")  # its parent passage, heading line first
    assert for_alice[0].namespace == user_namespace(alice)
    assert for_alice[0].source == "notes.md"
    assert {p.namespace for p in for_alice} == {BUNDLED, user_namespace(alice)}


def test_deleting_an_upload_deletes_its_vectors_and_only_the_owner_can(kb: KnowledgeBase, index, ctx) -> None:
    alice, bob = add_user(ctx), add_user(ctx)
    kb.add_upload(user_id=alice, filename="cv.md", data=b"# CV\n\nTen years of Go and Kubernetes.")
    assert kb.delete_user_document(user_id=bob, source="cv.md") is False
    assert len(index.vectors[user_namespace(alice)]) == 1
    assert kb.delete_user_document(user_id=alice, source="cv.md") is True
    assert index.vectors[user_namespace(alice)] == {}
    assert kb.user_documents(user_id=alice) == []


def test_index_dimension_must_match_the_embedding(ctx) -> None:
    with pytest.raises(AppError) as caught:
        PineconeStore(ctx.sessions, HashEmbeddings(DIMENSION), fake_pinecone_index(1536))
    error = caught.value
    assert error.code == "kb.dimension_mismatch"
    assert error.params == {"index": 1536, "model": DIMENSION}
    assert "1536" in error.detail and str(DIMENSION) in error.detail
    for language in ("ko", "en"):
        message = translate(error.code, language, **error.params)
        assert "1536" in message and str(DIMENSION) in message


def test_a_failed_upsert_leaves_the_bookkeeping_unchanged(kb: KnowledgeBase, index, corpus: Path, ctx) -> None:
    kb.ingest_paths([corpus])
    rows = snapshot(ctx)
    write(corpus, "os.md", PROCESSES + "\n## Paging {#paging}\n\nPages map to frames.\n")
    index.upsert.side_effect = ConnectionError("pinecone unreachable")
    with pytest.raises(ConnectionError):
        kb.ingest_paths([corpus])
    assert snapshot(ctx) == rows  # so the next run sees the file as changed and retries it


def test_pinecone_is_used_when_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    """make_knowledge_base builds the Pinecone store from settings; the client is a spec'd fake."""
    index = fake_pinecone_index(DIMENSION)
    client = create_autospec(Pinecone, instance=True)
    client.Index.return_value = index
    factory = create_autospec(Pinecone, return_value=client)
    monkeypatch.setattr("pinecone.Pinecone", factory)
    monkeypatch.setattr(knowledge, "make_embeddings", lambda settings: HashEmbeddings(DIMENSION))
    ctx = make_context(pinecone_api_key="pc-test-key", pinecone_index="interview-kb")
    try:
        kb = make_knowledge_base(ctx.settings, ctx.sessions)
        assert isinstance(kb.store, PineconeStore)
        factory.assert_called_once_with(api_key="pc-test-key")
        client.Index.assert_called_once_with("interview-kb")

        index.describe_index_stats.side_effect = fake_pinecone_index(384).describe_index_stats.side_effect
        with pytest.raises(AppError) as caught:
            make_knowledge_base(ctx.settings, ctx.sessions)
        assert caught.value.code == "kb.dimension_mismatch"
    finally:
        ctx.engine.dispose()


def test_pinecone_needs_an_embedding_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(knowledge, "make_embeddings", lambda settings: None)
    ctx = make_context(pinecone_api_key="pc-test-key", pinecone_index="interview-kb")
    try:
        with pytest.raises(AppError) as caught:
            make_knowledge_base(ctx.settings, ctx.sessions)
        assert caught.value.code == "kb.no_embeddings"
    finally:
        ctx.engine.dispose()
