"""Schema of the bundled question bank: complete in both languages, unique ids, grounded in existing sections."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import yaml

from backend.config import DATA_DIR
from backend.interview.bank import DIFFICULTIES, QUESTIONS_DIR, TRACKS, load_bank, questions_for
from backend.interview.offline import grade_bank_answer, grade_offline
from backend.rag.bundle import fill_vectors, sentence_vectors
from backend.rag.embeddings import offline_embeddings

KNOWLEDGE = DATA_DIR / "knowledge"
FIELDS = {"id", "track", "difficulty", "tags", "text", "key_points", "model_answer", "follow_ups", "reference"}
_ANCHOR = re.compile(r"^#{1,6}\s+.*\{#([A-Za-z0-9_-]+)\}\s*$", re.M)
_HANGUL = re.compile(r"[가-힣]")
# E5 cosine above which two key points of one question say the same thing (a paraphrase sits near 0.95;
# distinct claims about one topic below 0.93 across the bank).
NEAR_DUPLICATE = 0.96


def raw_questions() -> list[tuple[Path, dict]]:
    """Every question as written in the YAML files (duplicates kept, unlike load_bank's dict)."""
    found = []
    for path in sorted(QUESTIONS_DIR.glob("*.yaml")):
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(entries, list), path
        found += [(path, entry) for entry in entries]
    return found


RAW = raw_questions()


def anchors(language: str, track: str) -> list[str]:
    path = KNOWLEDGE / language / f"{track}.md"
    return _ANCHOR.findall(path.read_text(encoding="utf-8")) if path.exists() else []


def bilingual(value: object, where: str) -> None:
    """A {ko, en} mapping of non-empty strings; the Korean one is Korean, the English one is not."""
    assert isinstance(value, dict) and set(value) == {"ko", "en"}, where
    for language in ("ko", "en"):
        assert isinstance(value[language], str) and value[language].strip(), (where, language)
    assert _HANGUL.search(value["ko"]), (where, value["ko"])
    assert not _HANGUL.search(value["en"]), (where, value["en"])


def test_bank_size_and_coverage_per_track_and_difficulty() -> None:
    assert len(RAW) >= 160
    tracks = Counter(entry["track"] for _, entry in RAW)
    assert set(tracks) == set(TRACKS)
    for track in TRACKS:
        assert tracks[track] >= 20, track
        assert {q.difficulty for q in questions_for(track)} == set(DIFFICULTIES), track


def test_ids_are_unique_stable_and_named_after_their_track() -> None:
    ids = Counter(entry["id"] for _, entry in RAW)
    assert [i for i, n in ids.items() if n > 1] == []
    for path, entry in RAW:
        assert path.stem == entry["track"], (path.name, entry["id"])
        assert re.fullmatch(rf"{entry['track']}-\d{{3}}", entry["id"]), entry["id"]
    assert len(load_bank()) == len(RAW)  # nothing silently overwritten by the loader


@pytest.mark.parametrize("entry", [entry for _, entry in RAW], ids=lambda e: e["id"])
def test_question_is_complete_in_both_languages(entry: dict) -> None:
    qid = entry["id"]
    assert set(entry) == FIELDS, (qid, set(entry) ^ FIELDS)
    assert entry["track"] in TRACKS and entry["difficulty"] in DIFFICULTIES, qid
    assert entry["tags"] and all(isinstance(t, str) and t.strip() for t in entry["tags"]), qid
    bilingual(entry["text"], f"{qid} text")
    assert 3 <= len(entry["key_points"]) <= 6, qid
    for i, point in enumerate(entry["key_points"]):
        bilingual(point, f"{qid} key point {i}")
    bilingual(entry["model_answer"], f"{qid} model answer")
    assert 1 <= len(entry["follow_ups"]) <= 2, qid
    for i, follow_up in enumerate(entry["follow_ups"]):
        if "text" not in follow_up:  # a question alone (not asked offline)
            bilingual(follow_up, f"{qid} follow-up {i}")
            continue
        assert set(follow_up) == {"text", "key_points", "model_answer"}, (qid, i)
        bilingual(follow_up["text"], f"{qid} follow-up {i}")
        assert 2 <= len(follow_up["key_points"]) <= 4, (qid, i)
        for j, point in enumerate(follow_up["key_points"]):
            bilingual(point, f"{qid} follow-up {i} key point {j}")
        bilingual(follow_up["model_answer"], f"{qid} follow-up {i} model answer")


def test_the_first_follow_up_of_every_question_can_be_graded_offline() -> None:
    missing = [q.id for q in load_bank().values() if not q.follow_ups[0].gradable_offline]
    assert missing == []


@pytest.mark.parametrize("question", list(load_bank().values()), ids=lambda q: q.id)
def test_key_points_are_distinct_claims_each_found_in_the_model_answer(question) -> None:
    """One checkable claim per key point: no two near-duplicates, each made by the model answer."""
    embeddings = offline_embeddings()
    for language in ("en", "ko"):
        points = question.points(language)
        vectors = fill_vectors(points, sentence_vectors(points), embeddings.embed_passages)  # shipped when current
        similar = vectors @ vectors.T - np.eye(len(points))
        assert similar.max() < NEAR_DUPLICATE, (language, points[int(similar.max(axis=1).argmax())])
        # Every key point covered (a story's feedback names its weak STAR parts instead of missed points).
        graded = grade_bank_answer(question, question.model_answer[language], language, embeddings)
        assert set(graded.covered_points) == set(points), (language, graded.missed_points)
        for follow_up in question.follow_ups:
            if follow_up.gradable_offline:
                answer = follow_up.model_answer[language]
                graded = grade_offline(question=follow_up.text[language], key_points=follow_up.points(language),
                                       answer=answer, language=language, track=question.track,
                                       embeddings=embeddings, model_answer=answer)
                assert set(graded.covered_points) == set(follow_up.points(language)), (language, "follow-up")


@pytest.mark.parametrize("entry", [entry for _, entry in RAW], ids=lambda e: e["id"])
def test_question_is_grounded_in_a_section_of_both_documents(entry: dict) -> None:
    track, _, anchor = entry["reference"].partition("#")
    assert track == entry["track"] and anchor, entry["reference"]
    for language in ("en", "ko"):
        assert anchor in anchors(language, track), f"{entry['id']}: no {{#{anchor}}} in {language}/{track}.md"


@pytest.mark.parametrize("track", TRACKS)
def test_both_languages_of_a_reference_document_have_the_same_unique_anchors(track: str) -> None:
    english, korean = anchors("en", track), anchors("ko", track)
    assert english, track
    assert len(set(english)) == len(english), track
    assert english == korean, track


def test_loaded_questions_match_the_files() -> None:
    bank = load_bank()
    for _, entry in RAW:
        question = bank[entry["id"]]
        assert question.text == entry["text"]
        assert question.points("ko") == [p["ko"] for p in entry["key_points"]]
        assert question.points("en") == [p["en"] for p in entry["key_points"]]
        assert question.anchor == entry["reference"].split("#", 1)[1]
