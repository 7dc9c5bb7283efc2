"""Grading with an LLM: JSON validated against a schema, one repair attempt, then the offline fallback."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage
from pydantic import BaseModel, Field, ValidationError

from backend import logs
from backend.interview import prompts
from backend.interview.offline import rubric_track
from backend.interview.rubric import DimensionScore, Grade, dimensions_for, total_from
from backend.rag.store import Passage

log = logs.get_logger("interview.llm")

_JSON = re.compile(r"\{.*\}", re.DOTALL)


class _Dimension(BaseModel):
    score: int = Field(ge=1, le=5)
    evidence: str = ""
    note: str = ""


class GradeReply(BaseModel):
    """The JSON the grading prompt asks for."""

    insufficient: bool = False
    scores: dict[str, _Dimension]
    strengths: list[str] = []
    covered_points: list[str] = []
    missed_points: list[str] = []
    coaching: str = ""


class InvalidReply(ValueError):
    """The model's reply is not a valid grade."""


class TruncatedReply(RuntimeError):
    """The provider's reply ended before the provider said it was finished (a stream cut short)."""


def _check_complete(model: BaseChatModel, finish_reason: str | None) -> None:
    """Raise TruncatedReply when an OpenAI-compatible reply carries no finish_reason.

    Such a server ends every complete reply with one (the final chunk of a stream, before `[DONE]`); a stream
    that closes without it was cut short, and half a feedback or half a question must not be kept as the whole.
    The caller turns the exception into a retry message, the answer stays saved.
    """
    from langchain_openai.chat_models.base import BaseChatOpenAI  # imported already when a model is configured

    if isinstance(model, BaseChatOpenAI) and not finish_reason:
        raise TruncatedReply("reply ended without a finish_reason")


def _invoke(model: BaseChatModel, messages: list) -> str:
    """The whole text of one reply (a streaming model streams it), or TruncatedReply."""
    reply = model.invoke(messages)
    _check_complete(model, reply.response_metadata.get("finish_reason"))
    return str(reply.content)


def passages_block(passages: list[Passage], language: str) -> str:
    """Retrieved passages as one data block, each with its source and heading."""
    body = "\n\n".join(f"[{i}] {p.source} — {p.heading}\n{p.text}" for i, p in enumerate(passages, 1))
    return prompts.data_block("reference_passages", body or ("(none)" if language == "en" else "(없음)"))


def grade_messages(
    *,
    question: str,
    key_points: list[str],
    answer: str,
    language: str,
    track: str,
    passages: list[Passage],
    context_text: str = "",
) -> list:
    """The exact messages sent to the grader (untrusted text only inside data blocks)."""
    dimensions = dimensions_for(track)
    return prompts.grade_prompt(language).format_messages(
        rubric=prompts.rubric_text(dimensions, language),
        # The question may be written by an LLM and the key points derived from an upload: data, like the rest.
        question=prompts.data_block("interview_question", question),
        key_points=prompts.data_block("key_points", "\n".join(f"- {p}" for p in key_points)),
        passages=passages_block(passages, language),
        context=prompts.data_block("candidate_context", context_text) if context_text else "",
        answer=prompts.data_block("candidate_answer", answer),
        dimension_keys=", ".join(dimensions),
    )


def parse_reply(text: str, *, track: str, answer: str) -> Grade:
    """Validate the model's JSON into a Grade; InvalidReply when it does not fit."""
    match = _JSON.search(text or "")
    if not match:
        raise InvalidReply("no JSON object")
    try:
        reply = GradeReply.model_validate(json.loads(match.group(0)))
    except (json.JSONDecodeError, ValidationError) as exc:
        raise InvalidReply(str(exc).splitlines()[0]) from exc
    dimensions = dimensions_for(track)
    missing = [d for d in dimensions if d not in reply.scores]
    if missing:
        raise InvalidReply(f"missing dimensions {missing}")
    scores = {}
    for key in dimensions:
        dim = reply.scores[key]
        # Evidence must be a quote from the answer; an invented quote is dropped, not shown.
        evidence = dim.evidence.strip() if dim.evidence.strip() and dim.evidence.strip() in answer else ""
        scores[key] = DimensionScore(score=1 if reply.insufficient else dim.score, evidence=evidence, note=dim.note)
    return Grade(
        total=total_from({k: s.score for k, s in scores.items()}),
        scores=scores,
        insufficient=reply.insufficient,
        strengths=[] if reply.insufficient else reply.strengths[:5],
        covered_points=reply.covered_points,
        missed_points=reply.missed_points,
        coaching=reply.coaching,
    )


def grade_with_llm(
    model: BaseChatModel,
    *,
    question: str,
    key_points: list[str],
    answer: str,
    language: str,
    track: str,
    passages: list[Passage],
    context_text: str = "",
    fallback: Callable[[], Grade],
    before_repair: Callable[[], None] | None = None,
) -> Grade:
    """Grade with `model` (run at temperature 0); repair once, then fall back to `fallback()`.

    Provider errors (timeouts, 429/5xx after retries, a reply cut short) propagate: the caller keeps the answer
    and offers a retry.
    """
    track = rubric_track(question, track)  # the offline grader's rubric for the same question
    messages = grade_messages(
        question=question,
        key_points=key_points,
        answer=answer,
        language=language,
        track=track,
        passages=passages,
        context_text=context_text,
    )
    text = _invoke(model, messages)
    try:
        grade = parse_reply(text, track=track, answer=answer)
    except InvalidReply as first:
        log.warning("grade reply invalid, repairing", extra={"error": str(first)})
        repair = HumanMessage(prompts.REPAIR[language].format(error=str(first), reply=text[:4000]))
        if before_repair is not None:  # the repair is one more request against the user's limits
            before_repair()
        second = _invoke(model, [*messages, AIMessage(text), repair])
        try:
            grade = parse_reply(second, track=track, answer=answer)
        except InvalidReply as again:
            log.warning("grade reply invalid after repair, using offline grader", extra={"error": str(again)})
            grade = fallback()
            grade.grader = "offline-fallback"
            return grade
    grade.grader = f"llm:{getattr(model, 'model_name', None) or type(model).__name__}"
    return grade


def stream_feedback(model: BaseChatModel, *, question: str, answer: str, grade: Grade, language: str) -> Iterator[str]:
    """Coaching prose for a grade, token by token; TruncatedReply after the last token when the stream was cut."""
    messages = prompts.feedback_prompt(language).format_messages(
        question=prompts.data_block("interview_question", question),
        answer=prompts.data_block("candidate_answer", answer),
        grading=prompts.data_block(  # an earlier LLM reply
            "grading",
            f"strengths: {'; '.join(grade.strengths) or '-'}\nmissed: {'; '.join(grade.missed_points) or '-'}\n"
            f"coaching: {grade.coaching or '-'}",
        ),
    )
    finish_reason = None
    for chunk in model.stream(messages):
        finish_reason = chunk.response_metadata.get("finish_reason") or finish_reason
        if chunk.content:
            yield str(chunk.content)
    _check_complete(model, finish_reason)


def follow_up_question(
    model: BaseChatModel, *, question: str, answer: str, passages: list[Passage], language: str
) -> str:
    """An LLM-written follow-up question probing the answer."""
    messages = prompts.follow_up_prompt(language).format_messages(
        question=prompts.data_block("interview_question", question),
        answer=prompts.data_block("candidate_answer", answer),
        passages=passages_block(passages, language),
    )
    return _invoke(model, messages).strip()
