"""Vector stores behind one interface: local (database + numpy + BM25) or Pinecone."""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np
from langchain_core.embeddings import Embeddings
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from backend import logs
from backend.db.engine import autocommit_session
from backend.db.models import KbChunk, KbDocument
from backend.errors import AppError
from backend.rag.chunking import Chunk
from backend.rag.embeddings import embed_query
from backend.rag.lexical import Bm25Index, search_query_tokenize, search_tokenize
from backend.rag.titles import UPLOAD_PREFIX, passage_title

log = logs.get_logger("rag.store")

BUNDLED = "bundled"


def user_namespace(user_id: int) -> str:
    """The private namespace of a user's uploads."""
    return f"{UPLOAD_PREFIX}{user_id}"


@dataclass(frozen=True)
class Passage:
    """A retrieved passage, ready to cite: the bounded section around the best matching chunk."""

    source: str
    heading: str
    text: str  # the parent passage, its heading line first
    score: float  # rank score among this search's candidates (not comparable across searches)
    section_id: str = ""
    language: str = ""
    namespace: str = ""
    relevance: float | None = None  # cosine of the query with the best matching chunk (None: lexical only)

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes two passages the same passage, whatever their scores: source, heading and text."""
        return self.source, self.heading, self.text

    @property
    def title(self) -> str:
        """A readable name of where the passage comes from ("Python reference › Descriptors")."""
        return passage_title(self.source, self.heading, uploaded=self.namespace.startswith(UPLOAD_PREFIX))

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "title": self.title,
            "heading": self.heading,
            "text": self.text,
            "score": round(float(self.score), 4),
            "relevance": None if self.relevance is None else round(float(self.relevance), 4),
            "section_id": self.section_id,
            "language": self.language,
            "namespace": self.namespace,
        }


@dataclass(frozen=True)
class StoredDocument:
    """An indexed file as listed to its owner."""

    id: int
    namespace: str
    source: str
    title: str
    chunk_count: int
    content_hash: str


class VectorStore(Protocol):
    """What ingestion and retrieval need from a store."""

    def document_hash(self, *, namespace: str, source: str) -> str | None: ...

    def replace_document(
        self,
        *,
        namespace: str,
        source: str,
        title: str,
        doc_hash: str,
        chunks: list[Chunk],
        vectors: np.ndarray | None,
        user_id: int | None,
    ) -> int: ...

    def delete_document(self, *, namespace: str, source: str) -> int: ...

    def list_documents(self, *, namespace: str) -> list[StoredDocument]: ...

    def document_passages(self, *, namespace: str, source: str) -> list[Passage]: ...

    def search(self, query: str, *, namespaces: list[str], k: int) -> list[Passage]: ...


def _doc_rows(db: Session, namespace: str) -> list[StoredDocument]:
    rows = db.scalars(select(KbDocument).where(KbDocument.namespace == namespace).order_by(KbDocument.id))
    return [StoredDocument(r.id, r.namespace, r.source, r.title, r.chunk_count, r.content_hash) for r in rows]


def _upsert_doc_row(
    db: Session, *, namespace: str, source: str, title: str, doc_hash: str, count: int, user_id: int | None
) -> KbDocument:
    row = db.scalar(select(KbDocument).where(KbDocument.namespace == namespace, KbDocument.source == source))
    if row is None:
        row = KbDocument(namespace=namespace, source=source, user_id=user_id)
        db.add(row)
    row.title, row.content_hash, row.chunk_count = title[:300], doc_hash, count
    db.flush()
    return row


@dataclass
class _Index:
    version: tuple[object, ...]
    passages: list[Passage]  # one per chunk, carrying the chunk's parent passage as its text
    matrix: np.ndarray | None
    bm25: Bm25Index  # one text per section (see _section_texts)
    languages: np.ndarray  # each chunk's language ("ko", "en" or "")
    sections: np.ndarray  # each chunk's section, numbered within this index
    language_sums: dict[str, tuple[np.ndarray, int]]  # per language: the sum of its chunks' vectors, their count


DENSE_WEIGHT = 0.7


def fuse(
    dense: np.ndarray | None,
    lexical: np.ndarray,
    languages: np.ndarray | None = None,
    *,
    dense_weight: float = DENSE_WEIGHT,
) -> np.ndarray:
    """Hybrid score: rescaled dense similarity plus BM25 (the chunk's section's, see LocalStore.search)
    relative to the best lexical match of the chunk's own language.

    Dense cosines from E5 sit in a narrow band (about 0.7–0.9), so they are rescaled against the
    candidates' own spread. BM25 is divided by its maximum within each language: a Korean question
    shares few words with English passages, and one maximum over both languages would push every
    English passage down. A language none of whose chunks matches a word of the query is ranked by
    the dense score alone (so it is not penalised either).
    """
    if languages is None:
        languages = np.zeros(lexical.shape, dtype="<U2")
    lex = np.zeros_like(lexical)
    matched = np.zeros(lexical.shape, dtype=bool)
    for language in np.unique(languages):
        group = languages == language
        top = float(lexical[group].max()) if group.any() else 0.0
        if top > 0:
            lex[group] = lexical[group] / top
            matched[group] = True
    if dense is None or not dense.size:
        return lex
    spread = float(dense.max() - dense.min()) or 1.0
    dense_scaled = (dense - dense.min()) / spread
    return np.where(matched, dense_weight * dense_scaled + (1 - dense_weight) * lex, dense_scaled)


def _language_direction(indexes: list[_Index]) -> np.ndarray | None:
    """The unit vector from the mean English chunk to the mean Korean chunk of `indexes`; None unless both
    languages have chunks there."""
    totals: dict[str, np.ndarray] = {}
    counts: dict[str, int] = {}
    for index in indexes:
        for language, (total, count) in index.language_sums.items():
            totals[language] = totals.get(language, 0) + total
            counts[language] = counts.get(language, 0) + count
    if not counts.get("ko") or not counts.get("en"):
        return None
    direction = totals["ko"] / counts["ko"] - totals["en"] / counts["en"]
    norm = float(np.linalg.norm(direction))
    return (direction / norm).astype(np.float32) if norm else None


def _language_neutral(cosines: np.ndarray, matrix: np.ndarray, vector: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """The cosines of the rows of `matrix` with `vector` (given as `cosines`) once both lose their component
    along `direction` (all three are unit vectors, so the rows' components along it are all that is needed).

    The offline model puts a text's language into its vector: a Korean question sits closer to any Korean
    passage than to the English one that answers it, and the reverse. The difference of the two languages' mean
    chunks points along that language axis (nearly the same direction in our bilingual knowledge base and in the
    third-party notes of benchmarks/retrieval.py: cosine 0.91), so ranking ignores it. Measured on the public
    development queries with section BM25 in place, against the fixed lift of other-language cosines it replaces:
    hit@1 0.87 -> 0.92, MRR@10 0.910 -> 0.943, answer passage in the top 5 and cross-lingual recall@5 unchanged
    (0.87, 0.964); our own bilingual set, where every section exists in both languages, section MRR@10 0.933 ->
    0.925 and recall@5 0.971 both times.
    """
    along = _cosines(matrix, direction)
    query_along = float(vector @ direction)
    scale = np.sqrt(np.maximum(1.0 - along * along, 1e-6) * max(1.0 - query_along * query_along, 1e-6))
    return (cosines - along * np.float32(query_along)) / scale


def _cosines(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """Cosine similarity of each (normalised) row with `vector`, without the BLAS thread pool.

    A matrix-vector product is memory-bound, so threads gain nothing on a few cores; but OpenBLAS's
    threads spin while they wait, and on a busy CPU (other sessions, the embedding model) the product
    over 10,000 chunks took 6-20 ms instead of 0.5 ms (benchmarks/retrieval.py). einsum runs one
    vectorised loop.
    """
    return np.einsum("ij,j->i", matrix, vector)


class _DocumentRows:
    """Document bookkeeping in the app database (sources, hashes, chunk counts), shared by both stores."""

    _sessions: sessionmaker[Session]

    def _read(self) -> AbstractContextManager[Session]:
        """A session for reads only, without BEGIN and COMMIT (two round trips fewer on PostgreSQL)."""
        return autocommit_session(self._sessions.kw["bind"])

    def document_hash(self, *, namespace: str, source: str) -> str | None:
        with self._read() as db:
            return db.scalar(
                select(KbDocument.content_hash).where(KbDocument.namespace == namespace, KbDocument.source == source)
            )

    def list_documents(self, *, namespace: str) -> list[StoredDocument]:
        with self._read() as db:
            return _doc_rows(db, namespace)


class LocalStore(_DocumentRows):
    """Chunks and vectors in the app database; searched in memory (numpy + BM25), cached per namespace."""

    def __init__(self, sessions: sessionmaker[Session], embeddings: Embeddings | None) -> None:
        self._sessions = sessions
        self.embeddings = embeddings
        self._cache: dict[str, _Index] = {}
        self._lock = threading.Lock()

    def replace_document(
        self,
        *,
        namespace: str,
        source: str,
        title: str,
        doc_hash: str,
        chunks: list[Chunk],
        vectors: np.ndarray | None,
        user_id: int | None,
    ) -> int:
        """Store `chunks` (and vectors) as the whole content of `source`, atomically; returns chunks removed."""
        with self._sessions() as db, db.begin():
            doc = _upsert_doc_row(
                db,
                namespace=namespace,
                source=source,
                title=title,
                doc_hash=doc_hash,
                count=len(chunks),
                user_id=user_id,
            )
            removed = db.execute(delete(KbChunk).where(KbChunk.document_id == doc.id)).rowcount or 0
            db.add_all(
                KbChunk(
                    document_id=doc.id,
                    namespace=namespace,
                    position=chunk.position,
                    heading=chunk.heading[:500],
                    section_id=chunk.section_id[:100],
                    language=chunk.language,
                    text=chunk.text,
                    parent=chunk.parent,
                    content_hash=chunk.content_hash,
                    embedding=vectors[i].astype("<f4").tobytes() if vectors is not None else b"",
                )
                for i, chunk in enumerate(chunks)
            )
        return removed

    def delete_document(self, *, namespace: str, source: str) -> int:
        with self._sessions() as db, db.begin():
            doc = db.scalar(select(KbDocument).where(KbDocument.namespace == namespace, KbDocument.source == source))
            if doc is None:
                return 0
            count = doc.chunk_count
            db.delete(doc)
        return count

    def document_passages(self, *, namespace: str, source: str) -> list[Passage]:
        """The passages of one document in order, each once (what search returns for its chunks)."""
        with self._read() as db:
            rows = db.execute(
                select(KbChunk.text, KbChunk.parent, KbChunk.heading, KbChunk.section_id, KbChunk.language)
                .join(KbDocument, KbDocument.id == KbChunk.document_id)
                .where(KbDocument.namespace == namespace, KbDocument.source == source)
                .order_by(KbChunk.position)
            ).all()
        return _distinct(
            [Passage(source, r.heading, r.parent or r.text, 0.0, r.section_id, r.language, namespace) for r in rows]
        )

    @staticmethod
    def _versions(db: Session, namespaces: list[str]) -> dict[str, tuple[object, ...]]:
        """A value per namespace that changes whenever its rows do: its documents' ids, sources, hashes and
        chunk counts.

        Chunks only change with their document's row (replace_document writes both in one transaction), and a
        document's hash covers its content, the embedding model and the chunking, so the small documents table
        says it all; counting a namespace's chunks instead took 3 of the 7 ms of a search over 10,000 chunks
        (benchmarks/retrieval.py scale run, SQLite). Ids alone are not enough: SQLite reuses the highest rowid
        after a delete, so the hash tells a replaced file from the one before.
        """
        docs: dict[str, list[tuple[object, ...]]] = {ns: [] for ns in namespaces}
        for ns, *row in db.execute(
            select(
                KbDocument.namespace, KbDocument.id, KbDocument.source, KbDocument.content_hash, KbDocument.chunk_count
            )
            .where(KbDocument.namespace.in_(namespaces))
            .order_by(KbDocument.id)
        ):
            docs[ns].append(tuple(row))
        return {ns: tuple(docs[ns]) for ns in namespaces}

    def _indexes(self, namespaces: list[str]) -> list[_Index]:
        """The in-memory indexes of `namespaces`, each rebuilt when its rows changed (any replica may write).

        One query without a transaction checks every namespace. No connection is held while an index is built
        (tokenising every chunk takes seconds) or while waiting for another thread's build: searches that
        queue on the lock must not drain the pool.
        """
        with self._read() as db:
            versions = self._versions(db, namespaces)
        if any(getattr(self._cache.get(ns), "version", None) != versions[ns] for ns in namespaces):
            with self._lock:
                for ns in namespaces:  # checked again: another thread may have built it meanwhile
                    if getattr(self._cache.get(ns), "version", None) != versions[ns]:
                        self._cache[ns] = self._load(ns, versions[ns])
        return [self._cache[ns] for ns in namespaces]

    def _load(self, namespace: str, version: tuple[object, ...]) -> _Index:
        with self._read() as db:
            rows = self._rows(db, namespace)
        return self._build(rows, namespace, version)

    def _rows(self, db: Session, namespace: str) -> list:
        return db.execute(
            select(
                KbChunk.text,
                KbChunk.parent,
                KbChunk.heading,
                KbChunk.section_id,
                KbChunk.language,
                KbChunk.embedding,
                KbDocument.source,
            )
            .join(KbDocument, KbDocument.id == KbChunk.document_id)
            .where(KbChunk.namespace == namespace)
            .order_by(KbChunk.id)
        ).all()

    def _build(self, rows: list, namespace: str, version: tuple[object, ...]) -> _Index:
        passages = [
            Passage(r.source, r.heading, r.parent or r.text, 0.0, r.section_id, r.language, namespace) for r in rows
        ]
        matrix = None
        if rows and self.embeddings is not None and all(r.embedding for r in rows):
            matrix = np.frombuffer(b"".join(r.embedding for r in rows), dtype="<f4").reshape(len(rows), -1).copy()
        log.info("index loaded", extra={"namespace": namespace, "chunks": len(rows), "dense": matrix is not None})
        numbers: dict[tuple[str, str], int] = {}
        sections = np.array([numbers.setdefault((p.source, p.heading), len(numbers)) for p in passages], dtype=np.int64)
        bm25 = Bm25Index(
            _section_texts(rows, sections), tokenizer=search_tokenize, query_tokenizer=search_query_tokenize
        )
        languages = np.array([p.language for p in passages], dtype="<U2")
        language_sums: dict[str, tuple[np.ndarray, int]] = {}
        if matrix is not None:
            for language in ("ko", "en"):
                group = languages == language
                if group.any():
                    language_sums[language] = (matrix[group].sum(axis=0, dtype=np.float64), int(group.sum()))
        return _Index(version, passages, matrix, bm25, languages, sections, language_sums)

    def candidate_scores(
        self, query: str, *, namespaces: list[str]
    ) -> tuple[list[Passage], np.ndarray | None, np.ndarray | None, np.ndarray, np.ndarray]:
        """Every chunk of `namespaces` (as its parent passage) with its dense cosine and its language-neutral
        cosine (both None without vectors; see _language_neutral), its section's BM25 score and its language."""
        indexes = self._indexes(list(dict.fromkeys(namespaces)))
        # one namespace (most searches): its lists as they are, not copied per query
        passages = indexes[0].passages if len(indexes) == 1 else [p for index in indexes for p in index.passages]
        if not passages or not query.strip():
            return [], None, None, np.zeros(0, dtype=np.float32), np.zeros(0, dtype="<U2")
        languages = indexes[0].languages if len(indexes) == 1 else np.concatenate([i.languages for i in indexes])
        lexical = np.concatenate([index.bm25.scores(query)[index.sections] for index in indexes])
        dense = neutral = None
        if self.embeddings is not None and all(index.matrix is not None for index in indexes if index.passages):
            vector = embed_query(self.embeddings, query)
            searched = [index for index in indexes if index.passages]
            if all(index.matrix.shape[1] == vector.shape[0] for index in searched):
                parts = [_cosines(index.matrix, vector) for index in searched]
                dense = neutral = np.concatenate(parts)
                direction = _language_direction(searched)
                if direction is not None:
                    pairs = zip(parts, searched, strict=True)
                    neutral = np.concatenate([_language_neutral(c, i.matrix, vector, direction) for c, i in pairs])
            else:  # vectors stored before a switch of embedding model: keywords only until those files are re-ingested
                log.warning("stored vectors do not match the embedding model", extra={"namespaces": namespaces})
        return passages, dense, neutral, lexical, languages

    def search(self, query: str, *, namespaces: list[str], k: int) -> list[Passage]:
        """Top `k` passages over `namespaces`, hybrid dense + BM25 over the chunks, one parent per section.

        A chunk's lexical score is its whole section's BM25 (heading and every parent passage): a question's words
        are often spread over a section's chunks, and the section is what is returned. The dense score stays the
        best chunk's, which picks the parent returned from a long section. Measured against BM25 per chunk on the
        public development queries of benchmarks/retrieval.py: hit@1 0.84 -> 0.87, MRR@10 0.896 -> 0.910, answer
        passage in the top 5 0.86 -> 0.87, cross-lingual recall@5 1.0 -> 0.964 (one query of 28); our own set's
        section MRR@10 0.896 -> 0.933, recall@5 0.971 both times.
        """
        passages, dense, neutral, lexical, languages = self.candidate_scores(query, namespaces=namespaces)
        if not passages:
            return []
        scores = fuse(neutral, lexical, languages)
        relevance = None
        if dense is not None:  # a section supports the query as well as its closest chunk does
            sections = self._section_numbers(namespaces)
            best = np.full(int(sections.max()) + 1, -1.0, dtype=np.float32)
            np.maximum.at(best, sections, dense)
            relevance = best[sections]
        return top_passages(passages, scores, k, relevance=relevance)

    def _section_numbers(self, namespaces: list[str]) -> np.ndarray:
        """Each candidate chunk's section, numbered across `namespaces` (as cached by the last search)."""
        parts, offset = [], 0
        for ns in dict.fromkeys(namespaces):
            index = self._cache[ns]
            parts.append(index.sections + offset)
            offset += len(index.passages)
        return np.concatenate(parts)


def top_passages(
    passages: list[Passage], scores: np.ndarray, k: int, *, relevance: np.ndarray | None = None
) -> list[Passage]:
    """The best `k` passages by score, keeping only the best chunk of each section (its parent passage);
    `relevance` (per chunk: its section's best cosine with the query) goes with each."""
    wanted = k + MIXED_TOP
    # Only the best few chunks are ever read: a partial sort of those, and a full one only when they fold into
    # fewer than `wanted` sections (the full sort of 10,000 scores was 0.8 ms of a 4.5 ms search, scale run of
    # benchmarks/retrieval.py).
    order = _best_chunks(scores, wanted * _CHUNKS_PER_SECTION * 4)
    out = _fold(passages, scores, relevance, order, wanted)
    if len(out) < wanted and len(order) < len(scores):
        out = _fold(passages, scores, relevance, np.argsort(-scores, kind="stable"), wanted)
    return _mix_languages(out, k)


def _fold(
    passages: list[Passage], scores: np.ndarray, relevance: np.ndarray | None, order: np.ndarray, wanted: int
) -> list[Passage]:
    """The first `wanted` sections in `order`, each as its best chunk's passage."""
    seen: set[tuple[str, str, str]] = set()
    out: list[Passage] = []
    for i in order:
        passage = passages[int(i)]
        key = (passage.namespace, passage.source, passage.heading)
        if key in seen:
            continue
        seen.add(key)
        cosine = None if relevance is None else float(relevance[int(i)])
        out.append(replace(passage, score=float(scores[int(i)]), relevance=cosine))
        if len(out) == wanted:
            break
    return out


def _best_chunks(scores: np.ndarray, count: int) -> np.ndarray:
    """Indices of the `count` highest scores, best first (all of them when there are no more)."""
    if count >= len(scores):
        return np.argsort(-scores, kind="stable")
    top = np.argpartition(-scores, count)[:count]
    return top[np.argsort(-scores[top], kind="stable")]


# Among the first MIXED_TOP results, each language with passages among the candidates has at least
# (MIXED_TOP - 1) // 2 of them: a Korean question whose answer is only in an English document still sees it.
MIXED_TOP = 5


def _mix_languages(ranked: list[Passage], k: int) -> list[Passage]:
    """The first `k` of `ranked`, with the best passages of an under-represented language moved up into the
    first MIXED_TOP (after the passages they displace in rank order: the first result never changes)."""
    window = min(k, MIXED_TOP)
    each = (window - 1) // 2
    head, rest = ranked[:window], ranked[window:]
    for language in dict.fromkeys(p.language for p in ranked if p.language):
        missing = min(each, sum(p.language == language for p in ranked)) - sum(p.language == language for p in head)
        while missing > 0:
            others = [p for p in head[1:] if p.language != language]
            counts = {lang: sum(p.language == lang for p in head) for lang in {p.language for p in others}}
            drop = next((p for p in reversed(others) if counts[p.language] > each), None)
            pick = next((p for p in rest if p.language == language), None)
            if drop is None or pick is None:
                break
            head.remove(drop)
            rest.remove(pick)
            head.append(pick)
            rest.insert(0, drop)
            missing -= 1
    return (head + sorted(rest, key=lambda p: -p.score))[:k]


def _section_texts(rows: list, sections: np.ndarray) -> list[str]:
    """What BM25 indexes for each numbered section: its heading path and its distinct parent passages."""
    parts: list[dict[str, None]] = [{} for _ in range(int(sections.max()) + 1 if len(sections) else 0)]
    for row, number in zip(rows, sections, strict=True):
        parts[int(number)].setdefault(row.parent or row.text, None)
    headings = {int(number): row.heading for row, number in zip(rows, sections, strict=True)}
    return [f"{headings[n]}\n" + "\n".join(texts) for n, texts in enumerate(parts)]


def _distinct(passages: list[Passage]) -> list[Passage]:
    """`passages` without repeats (a section's chunks share their parent passage), in order."""
    return list({p.key: p for p in passages}.values())


_CHUNKS_PER_SECTION = 3


class PineconeStore(_DocumentRows):
    """Pinecone through langchain-pinecone; one Pinecone namespace per corpus or user.

    Document bookkeeping (which sources, their hashes and chunk counts) stays in the app database
    so ingestion is idempotent and a user can list and delete uploads.
    """

    def __init__(self, sessions: sessionmaker[Session], embeddings: Embeddings, index: object) -> None:
        from langchain_pinecone import PineconeVectorStore

        self._sessions = sessions
        self.embeddings = embeddings
        self._index = index
        self._store = PineconeVectorStore(index=index, embedding=embeddings, text_key="text")
        self._check_dimension()

    def _check_dimension(self) -> None:
        stats = self._index.describe_index_stats()
        dimension = stats.get("dimension") if isinstance(stats, dict) else getattr(stats, "dimension", None)
        wanted = len(self.embeddings.embed_query("dimension check"))
        if dimension and int(dimension) != wanted:
            raise AppError(
                "kb.dimension_mismatch",
                f"index dimension {dimension}, embedding dimension {wanted}",
                index=int(dimension),
                model=wanted,
            )

    @staticmethod
    def _ids(source: str, count: int) -> list[str]:
        from backend.rag.chunking import content_hash

        key = content_hash(source)[:24]
        return [f"{key}-{i}" for i in range(count)]

    def replace_document(
        self,
        *,
        namespace: str,
        source: str,
        title: str,
        doc_hash: str,
        chunks: list[Chunk],
        vectors: np.ndarray | None,
        user_id: int | None,
    ) -> int:
        with self._sessions() as db, db.begin():
            old = db.scalar(
                select(KbDocument.chunk_count).where(KbDocument.namespace == namespace, KbDocument.source == source)
            )
            ids = self._ids(source, len(chunks))
            metadatas = [
                {
                    "source": source,
                    "heading": c.heading,
                    "section_id": c.section_id,
                    "language": c.language,
                    "parent": c.parent,
                }
                for c in chunks
            ]
            if chunks and vectors is not None:
                # Upsert the vectors the knowledge base computed (shipped or embedded from heading + text, as in
                # the local store) rather than letting add_texts embed the bare text a second time.
                records = [
                    (vid, vector.tolist(), {**meta, "text": chunk.text})
                    for vid, vector, meta, chunk in zip(ids, vectors, metadatas, chunks, strict=True)
                ]
                for start in range(0, len(records), 64):
                    self._index.upsert(vectors=records[start : start + 64], namespace=namespace)
            elif chunks:
                self._store.add_texts(
                    [c.text for c in chunks],
                    metadatas=metadatas,
                    ids=ids,
                    namespace=namespace,
                    embedding_chunk_size=64,
                    batch_size=64,
                )
            stale = self._ids(source, old or 0)[len(chunks) :]
            if stale:
                self._index.delete(ids=stale, namespace=namespace)
            _upsert_doc_row(
                db,
                namespace=namespace,
                source=source,
                title=title,
                doc_hash=doc_hash,
                count=len(chunks),
                user_id=user_id,
            )
        return old or 0

    def delete_document(self, *, namespace: str, source: str) -> int:
        with self._sessions() as db, db.begin():
            doc = db.scalar(select(KbDocument).where(KbDocument.namespace == namespace, KbDocument.source == source))
            if doc is None:
                return 0
            ids = self._ids(source, doc.chunk_count)
            if ids:
                self._index.delete(ids=ids, namespace=namespace)
            count = doc.chunk_count
            db.delete(doc)
        return count

    def document_passages(self, *, namespace: str, source: str) -> list[Passage]:
        """The passages of one document in order, each once, fetched from Pinecone by the chunks' ids."""
        with self._read() as db:
            count = db.scalar(
                select(KbDocument.chunk_count).where(KbDocument.namespace == namespace, KbDocument.source == source)
            )
        ids = self._ids(source, count or 0)
        found: dict[str, object] = {}
        for start in range(0, len(ids), 100):
            found.update(self._index.fetch(ids=ids[start : start + 100], namespace=namespace).vectors)
        passages = []
        for vid in ids:
            meta = getattr(found.get(vid), "metadata", None) or {}
            text = str(meta.get("parent") or meta.get("text") or "")
            if text:
                passages.append(
                    Passage(
                        source,
                        str(meta.get("heading", "")),
                        text,
                        0.0,
                        str(meta.get("section_id", "")),
                        str(meta.get("language", "")),
                        namespace,
                    )
                )
        return _distinct(passages)

    def search(self, query: str, *, namespaces: list[str], k: int) -> list[Passage]:
        """Top `k` passages: chunks matched by Pinecone, folded into their parent passage, one per section.

        Pinecone returns chunks; a section often has several among the best, so a few times `k` are asked
        for to still have `k` sections after folding.
        """
        found: list[Passage] = []
        for namespace in dict.fromkeys(namespaces):
            for doc, score in self._store.similarity_search_with_score(
                query, k=k * _CHUNKS_PER_SECTION, namespace=namespace
            ):
                meta = doc.metadata
                found.append(
                    Passage(
                        source=str(meta.get("source", "")),
                        heading=str(meta.get("heading", "")),
                        text=str(meta.get("parent") or doc.page_content),
                        score=float(score),
                        section_id=str(meta.get("section_id", "")),
                        language=str(meta.get("language", "")),
                        namespace=namespace,
                    )
                )
        scores = np.array([p.score for p in found], dtype=np.float32)
        return top_passages(found, scores, k, relevance=scores)
