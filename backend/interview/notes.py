"""Questions from the candidate's own notes ("Practise on my notes"): one per section of an uploaded document.

Offline, a section's question is asked from its heading; with an LLM configured, the LLM writes it from the
section's text. Either way the key points are the section's declarative sentences closest to the question and
the section's text is the model answer, so the answer is graded like any question outside the bank
(approximately, offline). Only the owner's uploads are read.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, ValidationError

from backend import logs
from backend.context import AppContext
from backend.errors import AppError
from backend.interview import prompts
from backend.interview.keypoints import declarative_sentences, derive_key_points
from backend.llm.provider import check_rate_limit, provider_error
from backend.rag.embeddings import offline_embeddings
from backend.rag.knowledge import KnowledgeBase

log = logs.get_logger("interview.notes")

PREFIX = "notes:"  # question ids of questions from notes: never a bank id
MAX_SECTION_CHARS = 3000  # of a section given to the LLM and kept as the model answer

_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[IVX]+\.)\s+")
_END = ".!?。:;,)\"'”’·-–—…"
# A paragraph that opens with a short label and a colon: "Deadlock: four conditions must hold …".
_LABEL = re.compile(r"^\s*([^:：\n]{2,40}?)\s*[:：]\s+(\S.*)$")
# A line of extracted PDF or plain text is a heading when it is short, has no sentence end and prose follows.
_HEADING_WORDS, _HEADING_CHARS = 8, 60


@dataclass(frozen=True)
class Section:
    """A section of the candidate's notes: its heading and its text (heading line excluded)."""

    heading: str
    text: str


def _plain_heading(line: str, following: str) -> bool:
    """A line of text without Markdown that reads as a heading: short, no sentence end, prose after it."""
    line = line.strip()
    return (
        0 < len(line) <= _HEADING_CHARS
        and len(line.split()) <= _HEADING_WORDS
        and line[-1] not in _END
        and not line.startswith(("-", "*", "•", "|", "`"))
        and len(following.strip()) > len(line)
    )


def split_sections(text: str) -> list[Section]:
    """The sections of a document's text, in order: under Markdown headings, or under heading-like lines
    where it has none (text extracted from a PDF); a section repeated across passages is joined."""
    lines = [line.rstrip() for line in text.splitlines()]
    markdown = any(_MARKDOWN_HEADING.match(line) for line in lines)
    sections: list[tuple[str, list[str]]] = []
    fenced = False
    for i, line in enumerate(lines):
        if line.strip().startswith(("```", "~~~")):
            fenced = not fenced
        match = None if fenced else _MARKDOWN_HEADING.match(line)
        if match or (not fenced and not markdown and _plain_heading(line, _next_line(lines, i))):
            heading = _NUMBERING.sub("", match.group(1) if match else line.strip()).strip()
            if not sections or sections[-1][0] != heading:
                sections.append((heading, []))
            continue
        if sections:
            sections[-1][1].append(line)
    out = [Section(heading, "\n".join(body).strip()) for heading, body in sections]
    out = [s for s in out if s.heading and s.text]
    return out if out or markdown else _labelled_sections(lines)


def _labelled_sections(lines: list[str]) -> list[Section]:
    """Notes without headings, written as labelled paragraphs ("Virtual memory: each process sees …", a common
    way to write notes in a word processor and so in a PDF): a section per label, its text what follows it."""
    sections: list[tuple[str, list[str]]] = []
    for line in lines:
        match = _LABEL.match(line)
        label = " ".join(match.group(1).split()) if match else ""
        if label and len(label.split()) <= _HEADING_WORDS and not label.startswith(("-", "*", "•", "http")):
            sections.append((label, [match.group(2)]))
        elif sections:
            sections[-1][1].append(line)
    out = [Section(heading, "\n".join(body).strip()) for heading, body in sections]
    return [s for s in out if s.text]


def _next_line(lines: list[str], index: int) -> str:
    return next((line for line in lines[index + 1 :] if line.strip()), "")


def offline_question(heading: str, language: str) -> str:
    """The question a section's heading asks: the heading itself when it is one, else "explain it"."""
    if heading.rstrip().endswith(("?", "？")):
        return heading.strip()
    if language == "ko":
        return f"{heading}에 대해 설명해 주세요. 핵심은 무엇인가요?"
    # Any heading, quoted so it reads as a name: What do you know about “Cache-aside pattern”?
    return f"What do you know about “{heading.strip()}”? Walk me through the key points."


class _Questions(BaseModel):
    questions: list[str]


def llm_questions(model: BaseChatModel, sections: list[Section], language: str) -> list[str]:
    """One question per section written by the LLM (the sections' text reaches it only inside data blocks);
    a section it gave no usable question for gets the offline one."""
    blocks = "\n\n".join(
        prompts.data_block("notes_section", f"[{i}] {s.heading}\n{s.text[:MAX_SECTION_CHARS]}")
        for i, s in enumerate(sections, 1)
    )
    messages = prompts.notes_questions_prompt(language).format_messages(count=len(sections), sections=blocks)
    reply = str(model.invoke(messages).content)
    try:
        found = _Questions.model_validate(json.loads(reply[reply.find("{") : reply.rfind("}") + 1])).questions
    except (ValueError, ValidationError):
        log.warning("notes questions reply was not valid JSON", extra={"sections": len(sections)})
        found = []
    return [
        found[i].strip()
        if i < len(found) and 5 <= len(found[i].strip()) <= 400
        else offline_question(s.heading, language)
        for i, s in enumerate(sections)
    ]


def _spread(items: list[Section], count: int) -> list[Section]:
    """`count` items spread evenly over the document (all of them when there are fewer)."""
    if len(items) <= count:
        return items
    return [items[round(i * (len(items) - 1) / max(1, count - 1))] for i in range(count)] if count > 1 else items[:1]


def note_questions(
    ctx: AppContext,
    kb: KnowledgeBase,
    llm: BaseChatModel | None,
    *,
    user_id: int,
    source: str,
    language: str,
    track: str,
    count: int,
) -> list[dict[str, Any]]:
    """The questions of an interview on one of the user's uploads, ready for the engine; AppError
    notes.no_sections when the document has no section with statements to ask about."""
    passages = kb.user_document_passages(user_id=user_id, source=source)
    if not passages:
        raise AppError("notes.not_found", f"no document {source!r} for user {user_id}", name=source)
    usable = [s for s in split_sections("\n\n".join(p.text for p in passages)) if declarative_sentences(s.text)]
    if not usable:
        raise AppError("notes.no_sections", f"{source}: no section with statements", name=source)
    chosen = _spread(usable, count)
    texts = [offline_question(s.heading, language) for s in chosen]
    if llm is not None:
        try:
            with ctx.tx() as db:
                check_rate_limit(db, user_id=user_id, settings=ctx.settings)
            texts = llm_questions(llm, chosen, language)
        except AppError:
            raise
        except Exception as exc:  # provider failure: say so (nothing is stored yet)
            raise provider_error(exc) from exc
    key = hashlib.sha256(source.encode()).hexdigest()[:8]
    embeddings = offline_embeddings()
    return [
        {
            "question_id": f"{PREFIX}{key}:{i}",
            "main_id": f"{PREFIX}{key}:{i}",
            "track": track,
            "text": text,
            "kind": "main",
            "attempt": 1,
            # A question asked from the heading is about the whole section; one the LLM wrote, about part of it.
            "key_points": derive_key_points(text, [section.text], embeddings=embeddings, related_only=llm is not None),
            "model_answer": section.text[:MAX_SECTION_CHARS],
            "approximate": True,
            "reference": "",
            "reason": {"section": section.heading, "document": source},
        }
        for i, (section, text) in enumerate(zip(chosen, texts, strict=True), 1)
    ]
