"""The knowledge base: idempotent ingestion and retrieval over the configured store."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from backend import logs
from backend.config import DATA_DIR, ROOT, Settings
from backend.errors import AppError
from backend.rag import bundle
from backend.rag.chunking import CHUNKING_VERSION, Chunk, content_hash, split_document
from backend.rag.embeddings import OFFLINE_MODEL_NAME, embed_documents, embedding_name, make_embeddings
from backend.rag.loaders import DEFAULT_LIMITS, SUPPORTED, Limits, LoaderError, load_bytes, load_file
from backend.rag.store import BUNDLED, LocalStore, Passage, PineconeStore, StoredDocument, VectorStore, user_namespace

log = logs.get_logger("rag")

KNOWLEDGE_DIR = DATA_DIR / "knowledge"
# Chunks per embedding call: about 3 s with the offline model on 2 cores (5 chunks/s, README), so a progress
# bar moves every few seconds and another upload's batch never waits longer than that for its turn.
EMBED_BATCH = 16

# Cosine of a query with a passage's best chunk (offline model, "query: " vs "passage: ") below which the
# passage is not cited: measured on the development queries of benchmarks/retrieval.py.
RELEVANCE_FLOOR = 0.82

Progress = Callable[[int, int], None]
"""Called with (chunks embedded so far, chunks to embed) after every batch."""


@dataclass
class IngestReport:
    """What an ingest run did."""

    files: int = 0
    files_skipped: int = 0
    chunks_added: int = 0
    chunks_skipped: int = 0
    chunks_removed: int = 0
    seconds: float = 0.0
    errors: list[tuple[str, AppError]] = field(default_factory=list)

    def summary(self) -> str:
        rate = self.chunks_added / self.seconds if self.seconds > 0 else 0.0
        return (
            f"{self.files} files ({self.files_skipped} unchanged), chunks: {self.chunks_added} added, "
            f"{self.chunks_skipped} skipped, {self.chunks_removed} removed, {len(self.errors)} errors, "
            f"{self.seconds:.1f} s ({rate:.1f} chunks/s)"
        )


def walk(paths: Iterable[str | Path]) -> list[Path]:
    """Supported files under `paths` (files as given, folders walked in sorted order)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED)
        else:
            found.append(path)
    return found


class KnowledgeBase:
    """Ingest documents into namespaces and retrieve passages for a user."""

    def __init__(
        self,
        store: VectorStore,
        embeddings: Embeddings | None,
        *,
        max_bytes: int,
        limits: Limits = DEFAULT_LIMITS,
        vectors: bundle.VectorBundle | None = None,
    ) -> None:
        self.store = store
        self.embeddings = embeddings
        self.max_bytes = max_bytes
        self.limits = limits
        self._bundle = vectors
        # One embedding batch at a time in the whole process: uploads from many sessions would otherwise share
        # the cores between them and with every interview's query embedding, slowing everyone at once.
        self._embedding = threading.Lock()

    @property
    def lexical_only(self) -> bool:
        """True where no embedding model is available (keyword search only)."""
        return self.embeddings is None

    def _embed(self, texts: list[str], progress: Progress | None) -> np.ndarray:
        """Vectors of `texts`, EMBED_BATCH at a time, taking turns with other threads between batches."""
        assert self.embeddings is not None
        parts = []
        for start in range(0, len(texts), EMBED_BATCH):
            with self._embedding:
                parts.append(embed_documents(self.embeddings, texts[start : start + EMBED_BATCH]))
            if progress is not None:
                progress(min(start + EMBED_BATCH, len(texts)), len(texts))
        return np.vstack(parts)

    def _vectors(self, chunks: list[Chunk], progress: Progress | None = None) -> np.ndarray | None:
        if self.embeddings is None or not chunks:
            return None
        model = embedding_name(self.embeddings)
        known = self._bundle.lookup(model, [c.content_hash for c in chunks]) if self._bundle else {}
        missing = [i for i in range(len(chunks)) if i not in known]
        fresh = self._embed([chunks[i].embed_text for i in missing], progress) if missing else None
        dim = fresh.shape[1] if fresh is not None else len(next(iter(known.values())))
        vectors = np.zeros((len(chunks), dim), dtype=np.float32)
        for i, vector in known.items():
            vectors[i] = vector
        if fresh is not None:
            vectors[missing] = fresh
        return vectors

    def ingest_document(
        self,
        doc: Document,
        *,
        namespace: str,
        user_id: int | None = None,
        rebuild: bool = False,
        progress: Progress | None = None,
    ) -> tuple[int, int, int]:
        """Index one document; returns (chunks added, chunks skipped, chunks removed)."""
        source = doc.metadata["source"]
        # The model and the chunking are part of the hash: after a switch of embedding model (or the offline
        # model becoming available) or of chunking, every file counts as changed and is indexed afresh.
        doc_hash = content_hash(f"{embedding_name(self.embeddings)}\n{CHUNKING_VERSION}\n{doc.page_content}")
        if not rebuild and self.store.document_hash(namespace=namespace, source=source) == doc_hash:
            existing = next((d for d in self.store.list_documents(namespace=namespace) if d.source == source), None)
            return 0, existing.chunk_count if existing else 0, 0
        chunks = split_document(doc)
        name = doc.metadata.get("filename", source)
        if not chunks:
            raise LoaderError("kb.empty", source, name=name)
        if len(chunks) > self.limits.max_chunks:
            raise LoaderError(
                "kb.too_many_chunks",
                f"{source}: {len(chunks)} chunks",
                name=name,
                chunks=len(chunks),
                limit=self.limits.max_chunks,
            )
        vectors = self._vectors(chunks, progress)  # computed before any write: a failure leaves the store unchanged
        removed = self.store.replace_document(
            namespace=namespace,
            source=source,
            title=doc.metadata.get("filename", source),
            doc_hash=doc_hash,
            chunks=chunks,
            vectors=vectors,
            user_id=user_id,
        )
        return len(chunks), 0, removed

    def ingest_paths(
        self,
        paths: Iterable[str | Path],
        *,
        namespace: str = BUNDLED,
        rebuild: bool = False,
        progress: Callable[[Iterable[Path]], Iterable[Path]] | None = None,
        source_of: Callable[[Path], str] = str,
    ) -> IngestReport:
        """Index files and folders; unchanged files are skipped, changed ones replaced.

        A passage's source is the file path as given (or `source_of(path)`).
        """
        started = time.perf_counter()
        report = IngestReport()
        files = walk(paths)
        for path in progress(files) if progress else files:
            report.files += 1
            try:
                doc = load_file(path, max_bytes=self.max_bytes, source=source_of(path), limits=self.limits)
                added, skipped, removed = self.ingest_document(doc, namespace=namespace, rebuild=rebuild)
            except AppError as exc:
                report.errors.append((str(path), exc))
                continue
            report.files_skipped += added == 0 and skipped > 0
            report.chunks_added += added
            report.chunks_skipped += skipped
            report.chunks_removed += removed
        report.seconds = time.perf_counter() - started
        log.info("ingest", extra={"namespace": namespace, "summary": report.summary()})
        return report

    def add_upload(
        self, *, user_id: int, filename: str, data: bytes, progress: Progress | None = None
    ) -> StoredDocument:
        """Index a user's upload into their private namespace (replacing a same-named file).

        Every limit is checked before anything is stored; `progress` follows the embedding.
        """
        namespace = user_namespace(user_id)
        doc = load_bytes(filename, data, source=Path(filename).name, max_bytes=self.max_bytes, limits=self.limits)
        self.ingest_document(doc, namespace=namespace, user_id=user_id, progress=progress)
        return next(d for d in self.store.list_documents(namespace=namespace) if d.source == doc.metadata["source"])

    def user_documents(self, *, user_id: int) -> list[StoredDocument]:
        """The user's uploaded documents."""
        return self.store.list_documents(namespace=user_namespace(user_id))

    def delete_user_document(self, *, user_id: int, source: str) -> bool:
        """Delete one of the user's uploads; False if they have no such document."""
        return self.store.delete_document(namespace=user_namespace(user_id), source=source) > 0

    def user_document_passages(self, *, user_id: int, source: str) -> list[Passage]:
        """The passages (bounded sections, heading first) of one of the user's uploads, in document order;
        [] if they have no such document."""
        return self.store.document_passages(namespace=user_namespace(user_id), source=source)

    def search(
        self,
        query: str,
        *,
        user_id: int | None = None,
        k: int = 5,
        namespaces: list[str] | None = None,
        relevant_only: bool | None = None,
    ) -> list[Passage]:
        """Top passages for `query` from the bundled content plus (only) this user's uploads.

        With `relevant_only`, passages that do not support the query (their best chunk's cosine with it
        below the offline model's measured floor) are left out, so nothing unrelated is cited. By default
        that holds for the search citations use (the default namespaces), not for a search of chosen
        namespaces (a document's passages for a track, a benchmark).
        """
        if relevant_only is None:
            relevant_only = namespaces is None
        if namespaces is None:
            namespaces = [BUNDLED] + ([user_namespace(user_id)] if user_id is not None else [])
        found = self.store.search(query, namespaces=namespaces, k=k)
        floor = self.relevance_floor if relevant_only else None
        return [p for p in found if floor is None or p.relevance is None or p.relevance >= floor]

    @property
    def relevance_floor(self) -> float | None:
        """The cosine below which a passage does not support the query; measured for the offline model
        only (benchmarks/retrieval.py, development data), so None with any other model."""
        return RELEVANCE_FLOOR if embedding_name(self.embeddings) == OFFLINE_MODEL_NAME else None

    def ensure_bundled(self) -> IngestReport:
        """Index the bundled knowledge documents (fast: vectors ship with the app)."""
        return self.ingest_paths([KNOWLEDGE_DIR], source_of=_bundled_source)

    def bundled_section(self, reference: str, language: str) -> Passage | None:
        """The passage of a bundled section named "track#anchor" in `language`, read directly (no search)."""
        track, _, anchor = reference.partition("#")
        source = _bundled_source(KNOWLEDGE_DIR / language / f"{track}.md")
        return next(
            (p for p in self.store.document_passages(namespace=BUNDLED, source=source) if p.section_id == anchor),
            None,
        )


def _bundled_source(path: Path) -> str:
    """How a bundled document is named as a passage's source ("data/knowledge/en/os.md")."""
    return path.relative_to(ROOT).as_posix()


def make_knowledge_base(settings: Settings, sessions) -> KnowledgeBase:  # noqa: ANN001
    """The configured knowledge base: Pinecone when configured, else the local store."""
    embeddings = make_embeddings(settings)
    if settings.pinecone_enabled:
        from pinecone import Pinecone

        if embeddings is None:
            raise AppError("kb.no_embeddings", "Pinecone needs an embedding model")
        client = Pinecone(api_key=settings.pinecone_api_key.get_secret_value())
        store: VectorStore = PineconeStore(sessions, embeddings, client.Index(settings.pinecone_index))
    else:
        store = LocalStore(sessions, embeddings)
    return KnowledgeBase(
        store,
        embeddings,
        max_bytes=settings.max_upload_bytes,
        limits=Limits.from_settings(settings),
        vectors=bundle.load(),
    )
