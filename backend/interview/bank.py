"""The bundled question bank (data/questions/*.yaml), loaded and validated once."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from backend.config import DATA_DIR

QUESTIONS_DIR = DATA_DIR / "questions"
TRACKS = ("python", "algorithms", "os", "networking", "databases", "web", "system_design", "behavioral")
DIFFICULTIES = ("easy", "medium", "hard")
LANGUAGES = ("ko", "en")


@dataclass(frozen=True)
class FollowUp:
    """A follow-up question; offline it can be graded only when its key points are authored."""

    text: dict[str, str]
    key_points: tuple[dict[str, str], ...] = ()
    model_answer: dict[str, str] | None = None

    def points(self, language: str) -> list[str]:
        return [p[language] for p in self.key_points]

    @property
    def gradable_offline(self) -> bool:
        return bool(self.key_points and self.model_answer)


CLOSING = "closing"  # the tag of a question that ends an interview


@dataclass(frozen=True)
class Question:
    """One bank question with bilingual text, key points and model answer."""

    id: str
    track: str
    difficulty: str
    tags: tuple[str, ...]
    text: dict[str, str]
    key_points: tuple[dict[str, str], ...]
    model_answer: dict[str, str]
    follow_ups: tuple[FollowUp, ...]
    reference: str  # "<track>#<anchor>" of the grounding section

    def in_language(self, language: str) -> str:
        return self.text[language]

    def points(self, language: str) -> list[str]:
        return [p[language] for p in self.key_points]

    @property
    def closes(self) -> bool:
        """Whether it ends an interview ("Do you have any questions for me?"): asked last, and answered with
        the candidate's own questions rather than a story or an explanation."""
        return CLOSING in self.tags

    @property
    def anchor(self) -> str:
        return self.reference.split("#", 1)[1]


def _question(raw: dict) -> Question:
    return Question(
        id=raw["id"],
        track=raw["track"],
        difficulty=raw["difficulty"],
        tags=tuple(raw["tags"]),
        text=dict(raw["text"]),
        key_points=tuple(dict(p) for p in raw["key_points"]),
        model_answer=dict(raw["model_answer"]),
        follow_ups=tuple(_follow_up(f) for f in raw["follow_ups"]),
        reference=raw["reference"],
    )


def _follow_up(raw: dict) -> FollowUp:
    if "text" not in raw:  # a question alone: {en, ko}
        return FollowUp(text=dict(raw))
    return FollowUp(
        text=dict(raw["text"]),
        key_points=tuple(dict(p) for p in raw.get("key_points") or ()),
        model_answer=dict(raw["model_answer"]) if raw.get("model_answer") else None,
    )


# libyaml's parser where installed (about ten times faster), else PyYAML's own.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_LOADING = threading.Lock()


def load_bank(directory: Path = QUESTIONS_DIR) -> dict[str, Question]:
    """Every question by id, in file order; parsed once per process, even when many sessions ask at once."""
    with _LOADING:
        return _load_bank(directory)


@lru_cache(maxsize=4)
def _load_bank(directory: Path) -> dict[str, Question]:
    bank: dict[str, Question] = {}
    for path in sorted(directory.glob("*.yaml")):
        for raw in yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or []:  # noqa: S506 - safe
            question = _question(raw)
            bank[question.id] = question
    return bank


def questions_for(track: str, difficulty: str | None = None) -> list[Question]:
    """Bank questions of a track (and difficulty), in bank order."""
    return [
        q
        for q in load_bank().values()
        if q.track == track and (difficulty in (None, "mixed") or q.difficulty == difficulty)
    ]


_HEADING = re.compile(r"^##\s+.*\{#([A-Za-z0-9_-]+)\}\s*$")


@lru_cache(maxsize=512)
def section_text(reference: str, language: str) -> str:
    """The bundled knowledge section `track#anchor` in `language`, heading included ('' if none)."""
    track, _, anchor = reference.partition("#")
    path = DATA_DIR / "knowledge" / language / f"{track}.md"
    if not anchor or not path.exists():
        return ""
    out: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            if out:
                break
            match = _HEADING.match(line)
            if match and match.group(1) == anchor:
                out.append(line)
        elif out:
            out.append(line)
    return "\n".join(out).strip()


def section_heading(reference: str, language: str) -> str:
    """The heading of the bundled knowledge section `track#anchor` in `language` (the reference if none)."""
    first = section_text(reference, language).split("\n", 1)[0]
    return re.sub(r"\s*\{#[^}]*\}\s*$", "", first.removeprefix("## ")).strip() or reference


def text_key(text: str) -> str:
    """`text` as question texts are compared: whitespace collapsed, case folded."""
    return " ".join(text.split()).casefold()


_FOLLOW_UP = re.compile(r":f\d+$")  # the suffix of a follow-up's question id ("python-003:f1")


def main_question_id(question_id: str) -> str:
    """The question a follow-up's id ("python-003:f1") belongs to; any other question's id as it is."""
    return _FOLLOW_UP.sub("", question_id)


def find_by_text(text: str) -> Question | None:
    """The bank question whose Korean or English text equals `text` (after trimming)."""
    return _by_text(QUESTIONS_DIR).get(text_key(text))


@lru_cache(maxsize=4)
def _by_text(directory: Path) -> dict[str, Question]:
    """Every question by its texts' keys, the first in file order for a text two share (each grading looks
    its question up several times: a scan of the bank took 0.4 ms each)."""
    index: dict[str, Question] = {}
    for question in load_bank(directory).values():
        for text in question.text.values():
            index.setdefault(text_key(text), question)
    return index
