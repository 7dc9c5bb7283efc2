"""`python -m benchmarks.tailoring`: does a résumé or job description pick the questions a fair interviewer would?

benchmarks/data/tailoring/cases.yaml holds résumés and job descriptions (Korean and English, some in the other
language than the interview) with the bank questions of the chosen track a fair interviewer would pick, split
dev/test: tune on dev only. benchmarks/data/tailoring/heldout.yaml (30 documents) was written by someone who
had read neither the ranking code nor cases.yaml; it is reported first and never tuned on.
Each method ranks the track's questions; reported: precision of the first four
(what a five-question interview asks for the document, one kept for breadth), recall of the first six, and the
time to rank one document. Methods: the app's (`planning.tailor`: BM25 over both languages fused with the
offline embeddings), each half alone, and the baseline measured in the same run (BM25 over the interview
language only, the ranking before). The last line is one JSON object.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import yaml

from backend.interview import planning
from backend.interview.bank import questions_for
from backend.rag.embeddings import offline_embeddings
from backend.rag.lexical import Bm25Index

CASES = Path(__file__).parent / "data" / "tailoring" / "cases.yaml"
# Written by someone who had read neither the tailoring code nor cases.yaml: only ever reported.
HELDOUT = Path(__file__).parent / "data" / "tailoring" / "heldout.yaml"
FIRST = 4


def _baseline(case: dict) -> dict[str, float]:
    """The ranking before: BM25 of the document over the question's text, tags and key points in the
    interview language."""
    pool, lang = questions_for(case["track"]), case["language"]
    index = Bm25Index([f"{q.text[lang]} {' '.join(q.tags)} {' '.join(q.points(lang))}" for q in pool])
    return {q.id: float(s) for q, s in zip(pool, index.scores(case["text"]), strict=True)}


def _app(weight: float) -> Callable[[dict], dict[str, float]]:
    embeddings = offline_embeddings() if weight > 0 else None

    def rank(case: dict) -> dict[str, float]:
        saved, planning.TAILOR_DENSE_WEIGHT = planning.TAILOR_DENSE_WEIGHT, weight
        try:
            return planning.tailor(case["track"], case["text"], embeddings=embeddings).scores
        finally:
            planning.TAILOR_DENSE_WEIGHT = saved

    return rank


def evaluate(rank: Callable[[dict], dict[str, float]], cases: list[dict]) -> dict[str, float]:
    """Mean precision@4, recall@6 and milliseconds per document of one ranking method."""
    precision, recall, millis = [], [], []
    for case in cases:
        started = time.perf_counter()
        scores = rank(case)
        millis.append((time.perf_counter() - started) * 1000)
        order = sorted(scores, key=lambda q: -scores[q])  # stable: bank order breaks ties
        relevant = set(case["relevant"])
        precision.append(len(relevant & set(order[:FIRST])) / FIRST)
        recall.append(len(relevant & set(order[:6])) / len(relevant))
    return {
        "p@4": round(float(np.mean(precision)), 3),
        "r@6": round(float(np.mean(recall)), 3),
        "ms": round(float(np.median(millis)), 1),
    }


def main() -> None:
    cases = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    cases += [{**case, "split": "heldout"} for case in yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))]
    methods: dict[str, Callable[[dict], dict[str, float]]] = {"baseline_bm25_interview_language": _baseline}
    if offline_embeddings() is not None:
        methods["app"] = _app(planning.TAILOR_DENSE_WEIGHT)
        methods["dense_only"] = _app(1.0)
    methods["bm25_both_languages"] = _app(0.0)
    if offline_embeddings() is not None:
        _app(1.0)(cases[0])  # load the model before timing
    results: dict[str, dict[str, dict[str, float]]] = {}
    for split in ("heldout", "test", "dev"):
        part = [c for c in cases if c["split"] == split]
        results[split] = {name: evaluate(rank, part) for name, rank in methods.items()}
        base = results[split]["baseline_bm25_interview_language"]["p@4"]
        print(f"\n{split} ({len(part)} documents)   p@4    r@6    ms/doc   p@4 vs baseline")
        for name, row in results[split].items():
            print(f"  {name:34} {row['p@4']:.3f}  {row['r@6']:.3f}  {row['ms']:7.1f}   {row['p@4'] / base:.2f}x")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
