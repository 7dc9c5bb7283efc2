"""The offline interviewer's feedback message, assembled from a grade (coaching, not a verdict)."""

from __future__ import annotations

from backend.interview.rubric import Grade

_SAID = 3  # missed points written out in the message (all of them are listed with the grade)

_TEXT = {
    "insufficient": {
        "ko": "이 답변만으로는 채점하기 어렵습니다.",
        "en": "There isn't enough here to grade yet.",
    },
    "good": {"ko": "좋았던 점: {items}", "en": "What worked: {items}"},
    "missed": {"ko": "다음에는 이 내용도 말해 보세요: {items}", "en": "Next time, also cover: {items}"},
    "all_covered": {"ko": "핵심 포인트를 모두 다뤘습니다.", "en": "You covered every key point."},
    # Only the first _SAID missed points are written out: the rest are counted, not silently dropped.
    "more": {"ko": "그 밖에 {n}개는 핵심 포인트에서 볼 수 있습니다.", "en": "{n} more in the key points."},
    # The form dimension that fell short, when the content is all there.
    "clarity": {
        "ko": "더 분명하게: 첫 문장에서 바로 답하고, 얼버무리는 표현은 빼 보세요.",
        "en": "To make it clearer, give the answer in your first sentence and drop the hedging.",
    },
    "structure": {
        "ko": "더 짜임새 있게: 답을 먼저 말하고, 이유와 예시를 차례로 덧붙여 보세요.",
        "en": "To organise it, state the answer first, then the reasons, then an example.",
    },
    "approximate": {
        "ko": (
            "(LLM 없이, 작성된 핵심 포인트가 없는 질문이라 참고 자료의 문장과 비교해 계산했습니다. 점수는 대략적인 "
            "값이며, 어떤 내용을 말했는지는 확인하지만 모든 문장이 맞는지는 판단하지 않습니다.)"
        ),
        "en": (
            "(Computed without an LLM against sentences of the reference, as this question has no authored key "
            "points: the grade is approximate, and it checks which points you made, not whether every sentence is "
            "true.)"
        ),
    },
    "note": {
        "ko": (
            "(LLM 없이 계산한 피드백입니다. 어떤 포인트를 말했는지는 확인하지만, 모든 문장이 맞는지는 판단하지 "
            "않습니다.)"
        ),
        "en": "(Computed without an LLM: it checks which points you made, not whether every sentence is true.)",
    },
}


def feedback_text(grade: Grade, language: str) -> str:
    """A short coaching paragraph for `grade` in `language`: what worked, what to add (or, with every point
    made, the form dimension to improve), and how it was computed."""
    lines: list[str] = []
    if grade.insufficient:
        lines.append(_TEXT["insufficient"][language])
    elif grade.strengths:
        lines.append(_TEXT["good"][language].format(items=" ".join(grade.strengths)))
    if grade.missed_points and not grade.insufficient:
        # Sentences, each closed with a full stop (key points are written without one).
        items = [p.rstrip() for p in grade.missed_points[:_SAID]]
        text = " ".join(p if p.endswith((".", "!", "?")) else p + "." for p in items)
        more = len(grade.missed_points) - len(items)
        said = _TEXT["missed"][language].format(items=text)
        lines.append(f"{said} {_TEXT['more'][language].format(n=more)}" if more else said)
    elif not grade.insufficient:
        lines.append(_TEXT["all_covered"][language])
        weak = [d for d in ("clarity", "structure") if d in grade.scores and grade.scores[d].score < 4]
        if weak:
            dim = min(weak, key=lambda d: grade.scores[d].score)
            lines.append(grade.scores[dim].note or _TEXT[dim][language])  # the grader's advice, else the general
    if grade.coaching:
        lines.append(grade.coaching)
    lines.append(_TEXT["approximate" if grade.approximate and not grade.insufficient else "note"][language])
    return "\n\n".join(lines)
