"""Exports of a user's own data: one interview as Markdown or PDF, everything as JSON.

Both interview formats are drawn from one list of blocks, so they always hold the same content. Labels come
from the caller (the UI's translations), so this module holds no interface text.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fpdf import FPDF
from sqlalchemy import inspect, select

from backend.context import AppContext
from backend.db.models import (
    Answer,
    FeedbackVote,
    InterviewSession,
    KbDocument,
    Message,
    ReviewCard,
    User,
    as_utc,
)
from backend.interview.engine import InterviewView, State, question_heading
from backend.interview.rubric import DIMENSIONS
from backend.markdown import literal
from backend.rag.titles import source_title

# fontTools reports every font table it leaves out of the embedded subset.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

FONTS = Path(__file__).resolve().parent.parent / "assets" / "fonts"
Label = Callable[..., str]  # label(key, **params) -> translated text, e.g. the UI's t()


@dataclass(frozen=True)
class Block:
    """One piece of an exported interview: kind is title, meta, question, answer, score, heading, item or text."""

    kind: str
    text: str


def file_stem(view: InterviewView, *, timezone: str) -> str:
    """The name of an interview's download, without extension: dated, so a folder of downloads sorts by the day it
    was practised ("interview-2026-12-07-42")."""
    day = f"{view.created_at.astimezone(ZoneInfo(timezone)):%Y-%m-%d}-" if view.created_at is not None else ""
    return f"interview-{day}{view.session_id}"


def interview_blocks(view: InterviewView, *, title: str, timezone: str, language: str, label: Label) -> list[Block]:
    """An interview (engine.load_interview) titled `title` as export blocks: header, then each question with
    its answer and grade in order."""
    status = "ended" if view.state == State.ENDED else "active"
    meta = [
        label(f"track.{view.setup.track}"),
        label(f"difficulty.{view.setup.difficulty}"),
        label(f"home.status_{status}"),
    ]
    if view.created_at is not None:
        meta.insert(0, f"{view.created_at.astimezone(ZoneInfo(timezone)):%Y-%m-%d %H:%M} ({timezone})")
    blocks = [Block("title", title), Block("meta", " · ".join(meta))]
    if view.overall_score is not None:
        blocks.append(Block("meta", label("export.overall", score=f"{view.overall_score:.0f}")))
    for message in view.messages:
        blocks += _message_blocks(view, message.meta, message.content, language=language, label=label)
    return blocks


def _message_blocks(
    view: InterviewView, meta: dict[str, Any], content: str, *, language: str, label: Label
) -> list[Block]:
    kind = meta.get("kind")
    if kind == "question":
        key, params = question_heading(meta)
        return [Block("question", f"{label(key, **params)}. {content}")]
    if kind == "answer":
        return [Block("heading", label("export.answer")), Block("answer", content)]
    if kind == "skipped":
        return [Block("text", label("chat.skipped"))]
    if kind != "feedback":
        return []
    answer = view.answers.get(meta.get("answer_id"))
    grade = answer.grade if answer is not None else None
    out = [Block("text", content)]
    if grade is None:
        return out
    out.append(Block("score", f"{label('chat.total')}: {grade.total}/100"))
    shown = ""
    for key, dim in grade.scores.items():
        name = DIMENSIONS.get(key, {}).get("name", {}).get(language, key)
        # As on the page: a sentence the grade rests on is quoted once, under the first dimension resting on it.
        evidence = f" — {dim.evidence}" if dim.evidence and dim.evidence != shown else ""
        shown = dim.evidence or shown
        out.append(Block("item", f"{name} {dim.score}/5{evidence}"))
    for heading, points in ((label("chat.missed"), grade.missed_points), (label("chat.covered"), grade.covered_points)):
        if points:
            out += [Block("heading", heading), *(Block("item", point) for point in points)]
    if grade.model_answer:
        out += [Block("heading", label("chat.model_answer")), Block("text", grade.model_answer)]
    if grade.sources:
        out.append(Block("heading", label("chat.sources", n=len(grade.sources))))
        out += [Block("item", source_title(s)) for s in grade.sources]
    return out


def to_markdown(blocks: list[Block]) -> str:
    """The blocks as a Markdown document, each text as written (a title "<b>x</b>" or "__cause__" is no markup)."""
    lines: list[str] = []
    for block in blocks:
        if block.kind != "item" and lines and lines[-1].startswith("- "):  # end the list first
            lines.append("")
        text = literal(block.text)
        if block.kind == "title":
            lines += [f"# {text}", ""]
        elif block.kind == "meta":
            lines += [f"_{text}_", ""]
        elif block.kind == "question":
            lines += [f"## {text}", ""]
        elif block.kind == "answer":
            lines += ["\n".join(f"> {line}" for line in text.splitlines() or [""]), ""]
        elif block.kind == "score":
            lines += [f"**{text}**", ""]
        elif block.kind == "heading":
            lines += [f"#### {text}", ""]
        elif block.kind == "item":
            lines.append(f"- {text}")
        else:
            lines += [text, ""]
    return "\n".join(lines).strip() + "\n"


_PDF_STYLE = {  # kind -> (bold, size, space before, left indent)
    "title": (True, 16, 0, 0),
    "meta": (False, 9, 1, 0),
    "question": (True, 12, 5, 0),
    "answer": (False, 10, 2, 6),
    "score": (True, 11, 2, 0),
    "heading": (True, 10, 3, 0),
    "item": (False, 10, 0, 4),
    "text": (False, 10, 2, 0),
}


def to_pdf(blocks: list[Block]) -> bytes:
    """The blocks as an A4 PDF, with the bundled NanumGothic font so Korean renders on any machine."""
    pdf = FPDF(format="A4")
    pdf.set_title(next((block.text for block in blocks if block.kind == "title"), ""))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("Nanum", "", str(FONTS / "NanumGothic.ttf"))
    pdf.add_font("Nanum", "B", str(FONTS / "NanumGothicBold.ttf"))
    pdf.add_page()
    for block in blocks:
        bold, size, before, indent = _PDF_STYLE.get(block.kind, _PDF_STYLE["text"])
        pdf.set_font("Nanum", "B" if bold else "", size)
        pdf.set_text_color(90, 90, 90) if block.kind in ("meta", "answer") else pdf.set_text_color(0, 0, 0)
        pdf.ln(before)
        pdf.set_x(pdf.l_margin + indent)
        text = f"• {block.text}" if block.kind == "item" else block.text
        pdf.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _plain(row: Any, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """A database row as JSON-ready values."""
    out = {}
    for column in inspect(row).mapper.column_attrs:
        if column.key in skip:
            continue
        value = getattr(row, column.key)
        out[column.key] = as_utc(value).isoformat() if isinstance(value, datetime) else value
    return out


def user_data(ctx: AppContext, *, user_id: int) -> dict[str, Any]:
    """Everything stored about the user (the password hash aside): account, interviews with their messages
    and answers, feedback votes, review cards and the list of uploaded documents."""
    with ctx.read() as db:
        user = db.get(User, user_id)
        if user is None:
            return {}
        sessions = list(
            db.scalars(
                select(InterviewSession).where(InterviewSession.user_id == user_id).order_by(InterviewSession.id)
            )
        )
        owned = select(InterviewSession.id).where(InterviewSession.user_id == user_id)
        messages = list(db.scalars(select(Message).where(Message.session_id.in_(owned)).order_by(Message.id)))
        answers = list(db.scalars(select(Answer).where(Answer.session_id.in_(owned)).order_by(Answer.id)))
        votes = db.scalars(select(FeedbackVote).where(FeedbackVote.user_id == user_id).order_by(FeedbackVote.id))
        cards = db.scalars(select(ReviewCard).where(ReviewCard.user_id == user_id).order_by(ReviewCard.question_id))
        documents = db.scalars(select(KbDocument).where(KbDocument.user_id == user_id).order_by(KbDocument.id))
        by_session: dict[int, dict[str, list]] = {s.id: {"messages": [], "answers": []} for s in sessions}
        for message in messages:
            by_session[message.session_id]["messages"].append(_plain(message))
        for answer in answers:
            by_session[answer.session_id]["answers"].append(_plain(answer))
        return {
            "format": "interview-coach-export/1",
            "account": _plain(user, skip=("password_hash", "username_key", "failed_logins", "locked_until")),
            "interviews": [{**_plain(s), **by_session[s.id]} for s in sessions],
            "feedback_votes": [_plain(v) for v in votes],
            "review_cards": [_plain(c) for c in cards],
            "documents": [_plain(d, skip=("content_hash",)) for d in documents],
        }


def user_data_json(ctx: AppContext, *, user_id: int) -> str:
    """user_data as indented UTF-8 JSON."""
    return json.dumps(user_data(ctx, user_id=user_id), ensure_ascii=False, indent=2)
