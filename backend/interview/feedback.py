"""The offline interviewer's feedback message, assembled from a grade (coaching, not a verdict)."""

from __future__ import annotations

from backend.interview.rubric import Grade

_TEXT = {
    "insufficient": {
        "ko": "이 답변만으로는 채점하기 어렵습니다.",
        "en": "There isn't enough here to grade yet.",
    },
    "good": {"ko": "좋았던 점: {items}", "en": "What worked: {items}"},
    "missed": {"ko": "다음에는 이 내용도 말해 보세요: {items}", "en": "Next time, also cover: {items}"},
    "all_covered": {
        "ko": "핵심 포인트를 모두 다뤘습니다. 이제 예시와 트레이드오프로 깊이를 더해 보세요.",
        "en": "You covered every key point. Now add an example and the trade-offs to show depth.",
    },
    "approximate": {
        "ko": (
            "(이 질문에는 작성된 핵심 포인트가 없어 참고 자료에서 뽑은 문장과 비교했습니다. 점수는 대략적인 값입니다.)"
        ),
        "en": (
            "(This question has no authored key points, so your answer was compared with sentences from "
            "the reference: the grade is approximate.)"
        ),
    },
    "note": {
        "ko": (
            "(LLM 없이 질문의 핵심 포인트와 비교해 계산한 피드백입니다. 어떤 포인트를 말했는지는 "
            "확인하지만, 모든 문장이 맞는지는 판단하지 않습니다.)"
        ),
        "en": (
            "(Feedback computed from the question's key points, not by an LLM: it checks which points you "
            "made, not whether every sentence is true.)"
        ),
    },
}


def feedback_text(grade: Grade, language: str) -> str:
    """A short coaching paragraph for `grade` in `language`."""
    lines: list[str] = []
    if grade.insufficient:
        lines.append(_TEXT["insufficient"][language])
    elif grade.strengths:
        lines.append(_TEXT["good"][language].format(items=" ".join(grade.strengths)))
    if grade.missed_points and not grade.insufficient:
        lines.append(_TEXT["missed"][language].format(items="; ".join(grade.missed_points[:3])))
    elif not grade.insufficient:
        lines.append(_TEXT["all_covered"][language])
    if grade.coaching:
        lines.append(grade.coaching)
    if grade.approximate and not grade.insufficient:
        lines.append(_TEXT["approximate"][language])
    lines.append(_TEXT["note"][language])
    return "\n\n".join(lines)
