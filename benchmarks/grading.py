"""`python -m benchmarks.grading`: the offline grader's ordering on our evaluation set.

For every question in benchmarks/data/grading and both languages, the strong answer should
score above the weak one, and the weak one above the confidently wrong one (three pairs each).
Prints pairwise accuracy per language and track against a naive baseline (cosine similarity of
the answer to the model answer), how often another question's answer is flagged off-topic,
and grading latency. The last line is one JSON object.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import yaml

from backend.interview.bank import load_bank
from backend.interview.offline import grade_bank_answer
from backend.rag.embeddings import offline_embeddings

DATA = Path(__file__).parent / "data" / "grading"
PAIRS = (("strong", "weak"), ("weak", "wrong"), ("strong", "wrong"))


def load_items() -> list[dict]:
    """Every evaluation item: question id plus {language: {strong, weak, wrong}}."""
    items: list[dict] = []
    for path in sorted(DATA.glob("*.yaml")):
        items.extend(yaml.safe_load(path.read_text(encoding="utf-8")))
    return items


def main() -> None:
    embeddings = offline_embeddings()
    bank = load_bank()
    items = load_items()
    hits: dict[str, list[bool]] = defaultdict(list)
    base_hits: dict[str, list[bool]] = defaultdict(list)
    latencies: list[float] = []
    off_topic: list[bool] = []
    for n, item in enumerate(items):
        question = bank[item["question_id"]]
        for language in ("en", "ko"):
            answers = item[language]
            scores, baseline = {}, {}
            reference = embeddings.embed_passages([question.model_answer[language]])[0]
            for kind, answer in answers.items():
                start = time.perf_counter()
                grade = grade_bank_answer(question, answer, language, embeddings)
                latencies.append((time.perf_counter() - start) * 1000)
                scores[kind] = grade.total
                baseline[kind] = float(embeddings.embed_passages([answer])[0] @ reference)
            for high, low in PAIRS:
                for key in ("all", language, question.track):
                    hits[key].append(scores[high] > scores[low])
                    base_hits[key].append(baseline[high] > baseline[low])
            other = items[(n + len(items) // 2) % len(items)]  # a question from another track
            stray = grade_bank_answer(question, other[language]["strong"], language, embeddings)
            off_topic.append(stray.insufficient or stray.total <= 15)
    print(f"{'slice':<16}{'pairs':>6}{'offline':>9}{'baseline':>10}")
    for key in sorted(hits, key=lambda k: (k != "all", k)):
        print(f"{key:<16}{len(hits[key]):>6}{np.mean(hits[key]):>9.3f}{np.mean(base_hits[key]):>10.3f}")
    p50, p95 = np.percentile(latencies, [50, 95])
    print(f"off-topic answers scored at the bottom: {np.mean(off_topic):.3f} of {len(off_topic)}")
    print(f"grading latency per answer: p50 {p50:.0f} ms, p95 {p95:.0f} ms over {len(latencies)} answers")
    result = {
        "pairwise_accuracy": round(float(np.mean(hits["all"])), 3),
        "baseline_accuracy": round(float(np.mean(base_hits["all"])), 3),
        "by_language": {lang: round(float(np.mean(hits[lang])), 3) for lang in ("en", "ko")},
        "off_topic_at_bottom": round(float(np.mean(off_topic)), 3),
        "latency_ms": {"p50": round(float(p50), 1), "p95": round(float(p95), 1)},
        "pairs": len(hits["all"]),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
