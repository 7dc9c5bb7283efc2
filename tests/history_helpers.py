"""Interviews written straight into the database at chosen times, for history, review and export tests."""

from __future__ import annotations

import secrets
from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy import insert

from backend.context import AppContext
from backend.db.models import Answer, InterviewSession, Message
from backend.interview.bank import load_bank
from backend.interview.engine import default_title
from backend.interview.planning import InterviewSetup
from backend.interview.rubric import DimensionScore, Grade, dimensions_for


def add_interview(
    ctx: AppContext,
    *,
    user_id: int,
    created_at: datetime,
    answers: list[tuple[str, float, str]],
    track: str = "python",
    difficulty: str = "easy",
    language: str = "en",
    status: str = "ended",
    title: str | None = None,
    dimension_score: int = 3,
) -> tuple[int, list[int]]:
    """An interview with (bank question id, total, answer text) answered a minute apart, each graded with
    every rubric dimension at `dimension_score`; returns (session id, answer ids)."""
    bank = load_bank()
    totals = [total for _, total, _ in answers]
    ids = [question_id for question_id, _, _ in answers]
    setup = InterviewSetup(track=track, difficulty=difficulty, language=language, num_questions=max(1, len(ids)))
    last = bank[ids[-1]] if ids else None
    current = {
        "question_id": last.id if last else "",
        "main_id": last.id if last else "",
        "track": track,
        "text": last.text[language] if last else "",
        "kind": "main",
        "attempt": 1,
        "turn": secrets.token_hex(8),
    }
    settings = {
        "setup": asdict(setup),
        "plan": ids,
        "index": len(ids) if status == "ended" else max(0, len(ids) - 1),
        "state": "ended" if status == "ended" else "feedback",
        "current": current,
        "pending_answer_id": None,
        "follow_ups": {},
        "last_error": None,
    }
    with ctx.tx() as db:
        session_id = db.execute(
            insert(InterviewSession).returning(InterviewSession.id),
            {
                "user_id": user_id,
                "title": title or default_title(track, difficulty, language),
                "track": track,
                "difficulty": difficulty,
                "language": language,
                "mode": "offline",
                "status": status,
                "settings": settings,
                "created_at": created_at,
                "ended_at": created_at + timedelta(minutes=20) if status == "ended" else None,
                "overall_score": round(sum(totals) / len(totals), 1) if totals and status == "ended" else None,
            },
        ).scalar_one()
        answer_ids = []
        for position, (question_id, total, text) in enumerate(answers):
            question = bank[question_id]
            at = created_at + timedelta(minutes=position)
            grade = Grade(
                total=int(total),
                scores={k: DimensionScore(dimension_score, "", "") for k in dimensions_for(question.track)},
                covered_points=question.points(language)[:1],
                missed_points=question.points(language)[1:],
                model_answer=question.model_answer[language],
            )
            answer_id = db.execute(
                insert(Answer).returning(Answer.id),
                {
                    "session_id": session_id,
                    "turn_key": secrets.token_hex(8),
                    "question_id": question_id,
                    "question_text": question.text[language],
                    "answer_text": text,
                    "attempt_no": 1,
                    "status": "graded",
                    "scores": {k: v.score for k, v in grade.scores.items()},
                    "total": float(total),
                    "missed_points": {"items": grade.missed_points},
                    "model_answer": grade.model_answer,
                    "sources": {"items": []},
                    "feedback": grade.to_dict(),
                    "created_at": at,
                },
            ).scalar_one()
            answer_ids.append(answer_id)
            question_meta = {
                "kind": "question",
                "question_id": question_id,
                "question_kind": "main",
                "position": position + 1,
                "attempt": 1,
            }
            db.execute(
                insert(Message),
                [
                    {
                        "session_id": session_id,
                        "role": "assistant",
                        "content": question.text[language],
                        "meta": question_meta,
                        "created_at": at,
                    },
                    {
                        "session_id": session_id,
                        "role": "user",
                        "content": text,
                        "meta": {"kind": "answer", "answer_id": answer_id},
                        "created_at": at,
                    },
                    {
                        "session_id": session_id,
                        "role": "assistant",
                        "content": "Feedback.",
                        "meta": {"kind": "feedback", "answer_id": answer_id, "grader": "offline"},
                        "created_at": at,
                    },
                ],
            )
    return session_id, answer_ids
