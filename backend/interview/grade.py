"""`python -m backend.interview.grade --json`: grade JSON lines from stdin, one JSON line out per input.

Input lines: {"question": str, "answer": str, "language": "ko"|"en" (optional), "reference": str (optional),
"track": str (optional: "behavioral" grades a story on STAR; guessed from the question when absent)}.
Bank questions use their key points; others derive key points from `reference`, else from retrieved passages.
Uses the configured provider (the offline grader when no LLM is configured).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from backend.config import get_settings
from backend.context import build_context
from backend.interview import cues
from backend.interview.bank import find_by_text
from backend.interview.keypoints import derive_key_points
from backend.interview.llm_grader import grade_with_llm
from backend.interview.offline import grade_offline
from backend.interview.rubric import Grade
from backend.llm.provider import make_chat_model
from backend.rag.chunking import detect_language
from backend.rag.embeddings import offline_embeddings
from backend.rag.knowledge import KnowledgeBase, make_knowledge_base
from backend.rag.store import Passage


def grade_item(item: dict[str, Any], *, kb: KnowledgeBase | None, llm=None) -> dict[str, Any]:  # noqa: ANN001
    """Grade one input object; returns the output object."""
    question = str(item.get("question") or "").strip()
    answer = str(item.get("answer") or "")
    if not question:
        raise ValueError("'question' is required")
    language = item.get("language") or detect_language(question) or detect_language(answer) or "en"
    if language not in ("ko", "en"):
        raise ValueError("'language' must be 'ko' or 'en'")
    embeddings = offline_embeddings()
    bank = find_by_text(question)
    passages: list[Passage] = []
    reference = str(item.get("reference") or "").strip()
    if kb is not None:
        passages = kb.search(question, k=3)
    if bank is not None:
        track, key_points, model_answer = bank.track, bank.points(language), bank.model_answer[language]
    else:
        guessed = "behavioral" if cues.BEHAVIORAL_QUESTION.search(question) else "general"
        track = str(item.get("track") or "") or guessed
        model_answer = ""
        texts = [reference] if reference else [p.text for p in passages]
        key_points = derive_key_points(question, texts, embeddings=embeddings)

    def offline() -> Grade:
        return grade_offline(
            question=question,
            key_points=key_points,
            answer=answer,
            language=language,
            track=track,
            embeddings=embeddings,
            model_answer=model_answer,
            reference=reference,
            approximate=bank is None,
        )

    if llm is not None:
        grade = grade_with_llm(
            llm,
            question=question,
            key_points=key_points,
            answer=answer,
            language=language,
            track=track,
            passages=passages,
            fallback=offline,
        )
    else:
        grade = offline()
    sources = [p.to_dict() for p in passages]
    if reference and bank is None:
        sources.insert(0, {"source": "reference", "heading": "", "text": reference[:1000], "score": 1.0})
    return {
        "total": grade.total,
        "scores": {k: v.score for k, v in grade.scores.items()},
        "evidence": {k: v.evidence for k, v in grade.scores.items()},
        "insufficient": grade.insufficient,
        "covered_points": grade.covered_points,
        "missed_points": grade.missed_points,
        "key_points": key_points,
        "sources": sources,
        "question_id": bank.id if bank else None,
        "language": language,
        "grader": grade.grader,
        "approximate": grade.approximate,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend.interview.grade", description=__doc__)
    parser.add_argument("--json", action="store_true", help="JSON lines in and out (the only format)")
    parser.parse_args(argv)
    settings = get_settings()
    ctx = build_context(settings)
    kb = make_knowledge_base(settings, ctx.sessions)
    kb.ensure_bundled()
    llm = make_chat_model(settings, temperature=0.0)
    status = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError("each line must be a JSON object")
            out = grade_item(item, kb=kb, llm=llm)
        except (ValueError, json.JSONDecodeError) as exc:
            out, status = {"error": str(exc)}, 1
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
