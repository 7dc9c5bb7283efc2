"""Tailoring to a résumé or job description: the questions closest to it, each with the document's words that
chose it, in the interview's language; grading cites the chosen document and never another user's."""

from __future__ import annotations

import pytest

from backend import accounts
from backend.interview import engine, planning
from backend.interview.engine import Llms
from backend.interview.planning import InterviewSetup
from backend.rag.knowledge import KnowledgeBase
from backend.rag.store import LocalStore, user_namespace
from tests.conftest import strong_password
from tests.rag_helpers import HashEmbeddings
from tests.test_engine import answer

RESUME_EN = (
    "Backend engineer. Added Redis caching for product pages (cache-aside), cutting database load by half.\n"
    "Moved email sending to Celery background jobs."
)
RESUME_KO = "결제 API의 멱등성 키를 설계했고, 장애 후 재시도를 지수 백오프로 해결했습니다."


@pytest.fixture(params=["sqlite", "postgres"])
def any_ctx(request, ctx):
    return ctx if request.param == "sqlite" else request.getfixturevalue("pg_ctx")


def _questions(view):
    return [m for m in view.messages if m.meta.get("kind") == "question"]


def test_tailoring_names_the_words_of_the_document_each_question_matched() -> None:
    tailoring = planning.tailor("web", RESUME_EN, embeddings=None)
    setup = InterviewSetup(track="web", language="en", num_questions=4, context_text=RESUME_EN)
    plan = planning.plan_questions(setup, seed=3, tailoring=tailoring)
    reasons = tailoring.reasons(plan, document="resume.md")
    assert "web-021" in plan[:3]  # cache-aside with Redis
    assert {"Redis", "cache-aside"} & set(reasons["web-021"]["words"])
    for reason in reasons.values():  # every word named is written in the résumé, as written there
        assert reason["document"] == "resume.md"
        assert all(word in RESUME_EN for word in reason["words"])


def test_a_reason_names_the_documents_phrase_not_the_questions_instruction_verb() -> None:
    resume = "Designed JWT-based authentication. Ran services behind an nginx load balancer, with rate limiting."
    words = planning.tailor("web", resume, embeddings=None).words
    assert "rate limiting" in words["web-023"]  # "Design a rate limiter for an API…": one phrase, as written
    assert "JWT-based authentication" in words["web-009"]  # "JWT-based" shares "JWT" with the question
    assert not any("Designed" in w for named in words.values() for w in named)  # "Design …" asks, it is no topic


def test_a_reason_names_no_verb_form_and_no_word_twice() -> None:
    # "You mention REST API, Designed" and "You mention Redis caching, Redis" (a candidate's plain-text résumé).
    resume = (
        "Built a REST API in Django serving 2,000 requests per second.\n"
        "Reduced checkout latency by adding composite indexes in PostgreSQL and Redis caching.\n"
        "Designed idempotent payment webhooks, building an outbox table."
    )
    named = [w for words in planning.tailor("web", resume, embeddings=None).words.values() for w in words]
    assert "REST API" in named and "Redis caching" in named
    assert not {"Designed", "building", "serving", "adding", "Built"} & set(named), named
    words = planning.tailor("web", resume, embeddings=None).words
    assert all(not (w in words[q] and any(w in o and w != o for o in words[q])) for q in words for w in words[q])


def test_a_reason_names_no_word_the_question_only_uses_in_passing() -> None:
    # "Why would you move work like sending emails into a background job queue…": "You mention background jobs,
    # like, requests" named the résumé's "I like making slow systems fast".
    resume = (
        "Backend engineer. I like making slow systems fast.\n"
        "Built the order service, handling 2,000 requests per second.\n"
        "Moved background jobs from cron scripts to Celery with RabbitMQ."
    )
    words = planning.tailor("web", resume, embeddings=None).words
    named = {w for ws in words.values() for w in ws}
    assert "background jobs" in named and not {"like", "instead", "into"} & {w.lower() for w in named}, words


def test_korean_words_are_named_without_their_particles() -> None:
    tailoring = planning.tailor("system_design", RESUME_KO, embeddings=None)
    words = tailoring.words["system_design-013"]  # idempotent payment retries
    assert "재시도" in words and all(w in RESUME_KO for w in words)  # 재시도를 → 재시도
    assert not any(w.endswith(("를", "을", "했습니다")) for w in words)


def test_a_document_sharing_no_word_tailors_nothing() -> None:
    tailoring = planning.tailor("os", "Gardening, cooking and hiking.", embeddings=None)
    assert not any(tailoring.words.values())


def test_a_tailored_interview_shows_why_each_question_was_chosen(any_ctx) -> None:
    user = accounts.signup(any_ctx, username="tailored", password=strong_password())
    setup = InterviewSetup(
        track="web", language="ko", num_questions=3, context_text=RESUME_EN, context_name="resume.md"
    )
    session_id = engine.start_interview(any_ctx, user_id=user.id, setup=setup, mode="offline")
    for _ in range(2):
        view = engine.load_interview(any_ctx, user_id=user.id, session_id=session_id)
        engine.skip_question(any_ctx, user_id=user.id, session_id=session_id, turn=view.current["turn"])
    asked = _questions(engine.load_interview(any_ctx, user_id=user.id, session_id=session_id))
    reasons = [m.meta.get("reason") for m in asked]
    assert len(asked) == 3 and sum(r is not None for r in reasons) >= 2  # one question may be kept for breadth
    for reason in filter(None, reasons):
        assert reason["document"] == "resume.md" and all(w in RESUME_EN for w in reason["words"])


def test_a_plain_interview_gives_no_reason(ctx) -> None:
    user = accounts.signup(ctx, username="plain", password=strong_password())
    session_id = engine.start_interview(ctx, user_id=user.id, setup=InterviewSetup(track="os"), mode="offline")
    view = engine.load_interview(ctx, user_id=user.id, session_id=session_id)
    assert _questions(view)[0].meta.get("reason") is None


def test_grading_cites_the_chosen_resume_and_never_another_users_upload(any_ctx) -> None:
    embeddings = HashEmbeddings()
    kb = KnowledgeBase(LocalStore(any_ctx.sessions, embeddings), embeddings, max_bytes=100_000)
    owner = accounts.signup(any_ctx, username="owner", password=strong_password())
    other = accounts.signup(any_ctx, username="other", password=strong_password())
    resume = (
        "# Résumé\n\n## Caching\n\n"
        "I built the cache-aside pattern with Redis: read the cache, on a miss read the database.\n"
    )
    kb.add_upload(user_id=owner.id, filename="resume.md", data=resume.encode())
    kb.add_upload(user_id=other.id, filename="theirs.md", data=resume.replace("I built", "We built").encode())
    setup = InterviewSetup(
        track="web",
        language="en",
        num_questions=1,
        question_ids=("web-021",),
        context_text=resume,
        context_name="resume.md",
    )
    session_id = engine.start_interview(any_ctx, user_id=owner.id, setup=setup, mode="offline")
    answer(
        any_ctx,
        owner,
        session_id,
        "Cache-aside with Redis: the app reads the cache first and on a miss reads the database and fills it.",
    )
    grade = engine.grade_pending(any_ctx, kb, Llms(), user_id=owner.id, session_id=session_id)
    namespaces = {s["namespace"] for s in grade.sources}
    assert user_namespace(owner.id) in namespaces  # the résumé is cited where it is relevant
    assert user_namespace(other.id) not in namespaces
    assert all(s["source"] != "theirs.md" for s in grade.sources)


def test_the_setup_form_tailors_to_a_chosen_upload_and_shows_the_reason(ctx) -> None:
    from tests.apptest_helpers import new_app, sign_up, texts
    from ui import keys
    from ui.strings import translate

    at = new_app(ctx).run()
    at.segmented_control(key=keys.LANGUAGE_PICKER).set_value("en").run()
    at = sign_up(at, "tailor", strong_password())
    at.switch_page("app_pages/chat.py").run()
    kb = at.session_state["_test_kb"]
    kb.add_upload(user_id=at.session_state[keys.ACCOUNT].id, filename="resume.md", data=RESUME_EN.encode())
    at.run()
    at.selectbox(key=keys.SETUP_TRACK).select_index(planning.TRACKS.index("web"))
    at.segmented_control(key=keys.SETUP_LANGUAGE).set_value("en")
    at.selectbox(key=keys.SETUP_CONTEXT_DOC).select("resume.md")
    at = at.button(key=keys.SETUP_START).click().run()
    assert not at.exception, at.exception
    view = engine.load_interview(
        ctx, user_id=at.session_state[keys.ACCOUNT].id, session_id=at.session_state[keys.CHAT_SESSION]
    )
    reason = _questions(view)[0].meta["reason"]
    assert reason["document"] == "resume.md" and reason["words"]
    document = translate("chat.reason_document", "en", name="resume.md")
    expected = translate("chat.reason_words", "en", document=document, words=", ".join(reason["words"]))
    assert expected in texts(at).replace("\\", "")


def test_the_resume_passage_a_question_was_chosen_for_is_found_in_the_owners_upload_only(ctx) -> None:
    embeddings = HashEmbeddings()
    kb = KnowledgeBase(LocalStore(ctx.sessions, embeddings), embeddings, max_bytes=100_000)
    owner = accounts.signup(ctx, username="owner", password=strong_password())
    other = accounts.signup(ctx, username="other", password=strong_password())
    resume = "# Jane\n\n## Skills\n\nPython and Django.\n\n## Experience\n\nAdded Redis caching (cache-aside).\n"
    kb.add_upload(user_id=owner.id, filename="resume.md", data=resume.encode())
    reason = {"words": ["cache-aside", "Redis"], "document": "resume.md"}
    found = planning.document_passage(kb, user_id=owner.id, reason=reason)
    assert found is not None and "Redis caching" in found.text and found.namespace == user_namespace(owner.id)
    assert planning.document_passage(kb, user_id=other.id, reason=reason) is None
    assert planning.document_passage(kb, user_id=owner.id, reason={**reason, "words": ["Kubernetes"]}) is None
    assert planning.document_passage(kb, user_id=owner.id, reason=None) is None


def test_a_tailored_question_is_graded_citing_the_resume_with_the_offline_model(ctx) -> None:
    from backend.rag.knowledge import make_knowledge_base

    kb = make_knowledge_base(ctx.settings, ctx.sessions)
    kb.ensure_bundled()
    user = accounts.signup(ctx, username="jane", password=strong_password())
    resume = (
        "# Jane Doe\n\n## Experience\n\nAt Shopco I added Redis caching for product pages with the cache-aside "
        "pattern: the service reads the cache first and on a miss reads PostgreSQL and fills the cache.\n\n"
        "## Skills\n\nPython, Django, Celery, PostgreSQL.\n"
    )
    kb.add_upload(user_id=user.id, filename="resume.md", data=resume.encode())
    setup = InterviewSetup(track="web", language="ko", num_questions=1, context_text=resume, context_name="resume.md")
    session_id = engine.start_interview(ctx, user_id=user.id, setup=setup, mode="offline")
    view = engine.load_interview(ctx, user_id=user.id, session_id=session_id)
    assert _questions(view)[0].meta["reason"]["document"] == "resume.md"
    answer(ctx, user, session_id, "캐시 어사이드는 먼저 Redis를 읽고, 없으면 DB에서 읽어 캐시에 채우는 방식입니다.")
    grade = engine.grade_pending(ctx, kb, Llms(), user_id=user.id, session_id=session_id)
    cited = [s for s in grade.sources if s["source"] == "resume.md"]
    assert cited and "Redis caching" in cited[0]["text"] and cited[0]["title"].startswith("resume.md")
    assert grade.sources[0]["namespace"] == "bundled"  # the question's grounding section stays first
