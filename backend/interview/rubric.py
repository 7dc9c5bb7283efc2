"""The rubric (one place): dimensions, what each level means, and the shape of a grade."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

TECHNICAL = ("correctness", "depth", "clarity", "structure")
BEHAVIORAL = ("situation", "task", "action", "result")

DIMENSIONS: dict[str, dict[str, Any]] = {
    "correctness": {
        "name": {"ko": "정확성", "en": "Correctness"},
        "levels": {
            "ko": [
                "핵심 내용이 틀렸거나 답이 없음",
                "맞는 말도 있지만 중요한 오류가 있음",
                "대체로 맞지만 빠지거나 모호한 부분이 있음",
                "정확하며 사소하게 부정확한 곳만 있음",
                "모두 정확하고 틀린 곳이 없음",
            ],
            "en": [
                "Central claims are wrong or missing",
                "Some right ideas but important errors",
                "Mostly right, with gaps or vague spots",
                "Accurate, with minor imprecision",
                "Accurate throughout, nothing wrong",
            ],
        },
    },
    "depth": {
        "name": {"ko": "깊이", "en": "Depth"},
        "levels": {
            "ko": [
                "핵심 포인트를 다루지 않음",
                "핵심 포인트를 표면적으로만 언급",
                "핵심 포인트 하나를 설명",
                "여러 핵심 포인트를 이유와 함께 설명",
                "모든 핵심 포인트와 트레이드오프까지 설명",
            ],
            "en": [
                "Touches none of the key points",
                "Mentions a key point only on the surface",
                "Explains one key point",
                "Explains several key points with the why",
                "Covers every key point and the trade-offs",
            ],
        },
    },
    "clarity": {
        "name": {"ko": "명료성", "en": "Clarity"},
        "levels": {
            "ko": [
                "이해하기 어려움",
                "장황하거나 모호한 표현이 많음",
                "이해는 되지만 다듬을 부분이 있음",
                "명확하고 구체적",
                "명확하고 구체적이며 예시까지 적절함",
            ],
            "en": [
                "Hard to follow",
                "Wordy or vague in many places",
                "Understandable but could be tighter",
                "Clear and specific",
                "Clear, specific and well illustrated",
            ],
        },
    },
    "structure": {
        "name": {"ko": "구성", "en": "Structure"},
        "levels": {
            "ko": [
                "구성이 없음",
                "생각나는 대로 나열",
                "기본적인 흐름은 있음",
                "정의 → 원리 → 예시처럼 논리적 흐름이 있음",
                "결론부터 말하고 근거와 예시로 탄탄하게 전개",
            ],
            "en": [
                "No structure",
                "A list of thoughts as they came",
                "A basic flow",
                "A logical flow (definition → how → example)",
                "Answer first, then reasons and examples, tightly built",
            ],
        },
    },
    "situation": {
        "name": {"ko": "상황(S)", "en": "Situation"},
        "levels": {
            "ko": [
                "구체적인 상황이 없음",
                "상황이 막연함",
                "상황은 있으나 맥락·중요성이 부족",
                "구체적인 상황과 맥락",
                "간결하고 구체적이며 왜 중요한지 분명함",
            ],
            "en": [
                "No concrete situation",
                "A vague situation",
                "A situation with little context or stakes",
                "A specific situation with context",
                "Concise, specific, and the stakes are clear",
            ],
        },
    },
    "task": {
        "name": {"ko": "과제(T)", "en": "Task"},
        "levels": {
            "ko": [
                "본인의 역할·목표가 없음",
                "역할이 모호함",
                "목표는 있으나 본인 책임이 불분명",
                "본인의 책임과 목표가 분명함",
                "책임·목표·제약이 명확함",
            ],
            "en": [
                "No role or goal",
                "A vague role",
                "A goal, but unclear personal responsibility",
                "Clear personal responsibility and goal",
                "Responsibility, goal and constraints all clear",
            ],
        },
    },
    "action": {
        "name": {"ko": "행동(A)", "en": "Action"},
        "levels": {
            "ko": [
                "본인이 한 행동이 없음",
                "팀이 한 일만 말함",
                "본인 행동이 있으나 구체성이 부족",
                "본인의 구체적인 행동과 이유",
                "구체적인 행동, 이유, 대안 검토까지",
            ],
            "en": [
                "No personal actions",
                "Only what the team did",
                "Personal actions, but not specific",
                "Specific personal actions and reasons",
                "Specific actions, reasons and alternatives weighed",
            ],
        },
    },
    "result": {
        "name": {"ko": "결과(R)", "en": "Result"},
        "levels": {
            "ko": [
                "결과가 없음",
                "결과가 막연함",
                "결과는 있으나 측정되지 않음",
                "측정 가능한 결과",
                "측정 가능한 결과와 배운 점",
            ],
            "en": [
                "No result",
                "A vague result",
                "A result, but not measured",
                "A measurable result",
                "A measurable result and what was learned",
            ],
        },
    },
}


def dimensions_for(track: str) -> tuple[str, ...]:
    """The rubric dimensions used for a track (STAR for behavioural questions)."""
    return BEHAVIORAL if track == "behavioral" else TECHNICAL


CONTENT, FORM = ("correctness", "depth"), ("clarity", "structure")
FORM_SHARE = 0.2  # how much of a technical total the answer's form can take away
CORRECTNESS_SHARE = 0.5  # of the content: correctness against depth


def total_from(scores: dict[str, float]) -> int:
    """0–100 from 1–5 scores, each rescaled to [0, 1] (1 → 0, 5 → 1).

    A technical answer's total is its content (correctness and depth, weighed by CORRECTNESS_SHARE)
    refined by its form (clarity
    and structure): content × (1 − FORM_SHARE + FORM_SHARE × form), so saying nothing right clearly
    still scores low, and a correct answer loses at most FORM_SHARE for its form. Other rubrics (STAR)
    take the plain mean."""
    if not scores:
        return 0
    unit = {d: (s - 1) / 4 for d, s in scores.items()}
    if set(unit) == {*CONTENT, *FORM}:
        content = CORRECTNESS_SHARE * unit["correctness"] + (1 - CORRECTNESS_SHARE) * unit["depth"]
        form = sum(unit[d] for d in FORM) / len(FORM)
        return round(100 * content * (1 - FORM_SHARE + FORM_SHARE * form))
    return round(100 * sum(unit.values()) / len(unit))


@dataclass
class DimensionScore:
    """A 1–5 score with the sentence of the answer it rests on, and what to change (the grader's note)."""

    score: int
    evidence: str = ""
    note: str = ""


@dataclass
class Grade:
    """The graded result of one answer."""

    total: int
    scores: dict[str, DimensionScore]
    insufficient: bool = False  # "not enough to grade": empty, one word, gibberish, off-topic
    strengths: list[str] = field(default_factory=list)
    covered_points: list[str] = field(default_factory=list)
    missed_points: list[str] = field(default_factory=list)
    coaching: str = ""
    model_answer: str = ""
    sources: list[dict[str, Any]] = field(default_factory=list)
    grader: str = "offline"
    approximate: bool = False  # graded against key points derived from a passage, not authored ones

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (also what is stored with the answer)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Grade:
        scores = {k: DimensionScore(**v) for k, v in (data.get("scores") or {}).items()}
        return cls(**{**data, "scores": scores})
