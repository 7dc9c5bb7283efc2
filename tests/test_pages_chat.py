"""AppTest: a full offline interview through the chat page — answers, retry, thumbs, summary, resume."""

from __future__ import annotations

import json
from collections import deque

import pytest
from sqlalchemy import select

from backend import history
from backend.db.models import FeedbackVote
from backend.errors import NotFound
from backend.interview import engine
from backend.interview.bank import TRACKS, load_bank
from backend.markdown import literal
from tests.apptest_helpers import new_app, sign_up, texts
from tests.conftest import make_context, strong_password
from tests.llm_stub import StubLLM
from ui import keys
from ui.strings import STRINGS, translate


def en(key: str) -> str:
    return STRINGS[key]["en"]


def start_interview(ctx, username: str = "chatter"):
    at = new_app(ctx).run()
    at.segmented_control(key=keys.LANGUAGE_PICKER).set_value("en").run()
    at = sign_up(at, username, strong_password())
    at.switch_page("app_pages/chat.py").run()
    assert not at.exception, at.exception
    assert en("chat.mode_offline") in texts(at)
    at.selectbox(key=keys.SETUP_TRACK).select_index(TRACKS.index("os"))  # labels are translated
    at.segmented_control(key=keys.SETUP_LANGUAGE).set_value("en")
    at.slider(key=keys.SETUP_COUNT).set_value(3)
    return at.button(key=keys.SETUP_START).click().run()


def another_interview(ctx, account, questions: int = 2, **choices) -> int:
    """A databases interview (or as `choices` say) of the same account, started outside the page."""
    setup = {"track": "databases", "difficulty": "mixed", "language": "en", "num_questions": questions, **choices}
    return engine.start_interview(ctx, user_id=account.id, mode="offline", setup=engine.InterviewSetup(**setup))


def current_question(at):
    view = engine.load_interview(
        at.session_state["_test_context"],
        user_id=at.session_state[keys.ACCOUNT].id,
        session_id=at.session_state[keys.CHAT_SESSION],
    )
    return view, load_bank()[view.current["main_id"]]


def test_a_skipped_question_shows_its_model_answer(ctx) -> None:
    at = start_interview(ctx, "skipper")
    _, question = current_question(at)
    at = at.button(key=keys.ACT_SKIP).click().run()
    assert not at.exception, at.exception
    assert en("chat.skipped") in texts(at)
    shown = [e.children[0].value for e in at.expander if e.label == en("chat.model_answer")]
    assert shown == [literal(question.model_answer["en"])]  # as written: Markdown marks escaped


def test_full_offline_interview_through_the_chat_page(ctx) -> None:
    at = start_interview(ctx)
    assert not at.exception, at.exception
    view, question = current_question(at)
    assert question.text["en"] in texts(at)

    # Answer 1: strong, then thumbs up, then retry with a weak answer (both attempts kept, difference shown).
    at.chat_input(key=keys.CHAT_INPUT).set_value(question.model_answer["en"]).run()
    assert not at.exception, at.exception
    assert [m.value for m in at.metric][0].endswith("/100")
    at.feedback[0].set_value(1).run()
    with ctx.tx() as db:
        assert db.scalar(select(FeedbackVote.helpful)) is True
    assert en("chat.vote_thanks") in [toast.value for toast in at.toast]
    # Thumbs down asks what was wrong; what is written is kept with the vote.
    assert not [i for i in at.text_input if i.label == en("chat.vote_comment")]
    at.feedback[0].set_value(0).run()
    box = next(i for i in at.text_input if i.label == en("chat.vote_comment"))
    box.input("The model answer skips the GIL.").run()
    assert not at.exception, at.exception
    with ctx.tx() as db:
        assert db.execute(select(FeedbackVote.helpful, FeedbackVote.comment)).one() == (
            False,
            "The model answer skips the GIL.",
        )
    at.button(key=keys.ACT_RETRY).click().run()
    at.chat_input(key=keys.CHAT_INPUT).set_value("I don't really know.").run()
    assert not at.exception, at.exception
    deltas = [m.delta for m in at.metric if m.delta]
    assert deltas and deltas[-1].startswith("-")

    # Answer 2 and 3, with a rerun in between (as a browser refresh would): the interview resumes.
    at.button(key=keys.ACT_NEXT).click().run()
    fresh = new_app(
        ctx,
        **{
            keys.ACCOUNT: at.session_state[keys.ACCOUNT],
            keys.TOKEN: at.session_state[keys.TOKEN],
            keys.COOKIE_CHECKED: True,
        },
    )
    fresh.run()
    fresh.switch_page("app_pages/chat.py").run()
    assert not fresh.exception, fresh.exception
    _, second = current_question(fresh)
    assert second.text["en"] in texts(fresh) and second.id != question.id
    fresh.chat_input(key=keys.CHAT_INPUT).set_value(second.model_answer["en"]).run()
    fresh.button(key=keys.ACT_NEXT).click().run()
    _, third = current_question(fresh)
    fresh.chat_input(key=keys.CHAT_INPUT).set_value(third.model_answer["en"]).run()
    # After the last feedback "See my results" ends the interview: no "End interview" beside it.
    assert fresh.button(key=keys.ACT_NEXT).label == en("chat.finish")
    assert keys.ACT_END not in [b.key for b in fresh.button]
    fresh.button(key=keys.ACT_NEXT).click().run()
    assert not fresh.exception, fresh.exception
    assert en("summary.title") in [s.value for s in fresh.subheader]
    assert any(m.label == en("summary.overall") for m in fresh.metric)
    assert any(c.value.endswith(en("chat.progress_done").format(count=3)) for c in fresh.caption)


def test_answer_box_states_and_enforces_the_length_limit(ctx) -> None:
    at = start_interview(ctx, "verbose")
    limit = ctx.settings.max_answer_chars
    assert en("chat.max_chars").format(max=limit) in texts(at)
    at.chat_input(key=keys.CHAT_INPUT).set_value("x" * (limit + 10)).run()
    assert not at.exception, at.exception
    view, _ = current_question(at)
    assert not view.answers  # never stored over the limit (nor cut: see the test below)


def test_a_blank_answer_is_refused_with_a_message_and_the_question_stays_open(ctx) -> None:
    at = start_interview(ctx, "blank")
    at.chat_input(key=keys.CHAT_INPUT).set_value("  \n ").run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [en("interview.empty_answer")]
    view, _ = current_question(at)
    assert not view.answers and view.state == engine.State.QUESTION


def test_gibberish_is_not_praised(ctx) -> None:
    at = start_interview(ctx, "gibberish")
    at.chat_input(key=keys.CHAT_INPUT).set_value("asdf qwer zxcv").run()
    assert not at.exception, at.exception
    assert en("chat.insufficient") in texts(at)
    assert [m.value for m in at.metric][0] == "0/100"
    assert not at.get("progress")  # no rubric bars beside "not enough to grade"


def test_an_answer_over_the_limit_is_kept_with_the_limit_to_shorten_and_send(ctx) -> None:
    at = start_interview(ctx, "paster")
    limit = ctx.settings.max_answer_chars
    pasted = "Processes have their own address space. " * (limit // 40 + 10)
    at.chat_input(key=keys.CHAT_INPUT).set_value(pasted).run()
    assert not at.exception, at.exception
    assert en("interview.too_long").format(max=limit) in texts(at)
    box = next(a for a in at.text_area if a.key and a.key.startswith(keys.TOO_LONG_PREFIX))
    assert box.value == pasted  # nothing lost
    at.button(key=keys.SEND_SHORTENED).click().run()  # not shortened yet: still kept, still said, nothing stored
    assert not at.exception, at.exception
    assert en("interview.too_long").format(max=limit) in texts(at)
    assert not current_question(at)[0].answers
    # Shortened and sent with one click (the edit and the click arrive in the same run).
    box = next(a for a in at.text_area if a.key and a.key.startswith(keys.TOO_LONG_PREFIX))
    box.set_value(pasted[:300])
    at.button(key=keys.SEND_SHORTENED).click().run()
    assert not at.exception, at.exception
    view, _ = current_question(at)
    assert [a.answer_text for a in view.answers.values()] == [pasted[:300].strip()]


def test_a_refresh_shows_the_interview_in_the_address_even_when_a_newer_one_is_unfinished(ctx) -> None:
    at = start_interview(ctx, "resumer")
    older, account = at.session_state[keys.CHAT_SESSION], at.session_state[keys.ACCOUNT]
    older_question = current_question(at)[1]
    newer = another_interview(ctx, account)
    at.run()  # still the one opened in this session, now named in the address
    assert at.query_params["interview"] == str(older)

    fresh = new_app(ctx, **{keys.ACCOUNT: account, keys.TOKEN: at.session_state[keys.TOKEN], keys.COOKIE_CHECKED: True})
    fresh.query_params["interview"] = str(older)
    fresh.run()
    fresh.switch_page("app_pages/chat.py").run()
    assert not fresh.exception, fresh.exception
    assert fresh.session_state[keys.CHAT_SESSION] == older != newer
    assert older_question.text["en"] in texts(fresh)

    stranger = new_app(ctx).run()  # another user's interview id in the address is ignored
    stranger.segmented_control(key=keys.LANGUAGE_PICKER).set_value("en").run()
    stranger = sign_up(stranger, "stranger", strong_password())
    stranger.query_params["interview"] = str(older)
    stranger.switch_page("app_pages/chat.py").run()
    assert not stranger.exception, stranger.exception
    assert keys.CHAT_SESSION not in stranger.session_state
    assert older_question.text["en"] not in texts(stranger)


def test_a_failed_grading_keeps_the_answer_on_screen_and_the_retry_draws_the_score_card(httpserver) -> None:
    llm = StubLLM()
    httpserver.expect_request("/v1/chat/completions", method="POST").respond_with_handler(llm.handler)
    ctx = make_context(openai_base_url=httpserver.url_for("/v1"), openai_model="stub-model", openai_max_retries=0)
    at = new_app(ctx).run()
    at.segmented_control(key=keys.LANGUAGE_PICKER).set_value("en").run()
    at = sign_up(at, "unlucky", strong_password())
    at.switch_page("app_pages/chat.py").run()
    at.segmented_control(key=keys.SETUP_LANGUAGE).set_value("en")
    at.slider(key=keys.SETUP_COUNT).set_value(1)
    at.button(key=keys.SETUP_START).click().run()
    assert not at.exception, at.exception

    llm.failures.append(500)
    answer = "A process owns its address space; threads share it."
    at.chat_input(key=keys.CHAT_INPUT).set_value(answer).run()
    assert not at.exception, at.exception
    assert [m.text[0].value for m in at.chat_message if m.text] == [answer]  # the answer stays on screen
    assert en("chat.answer_saved") in texts(at) and at.error
    assert not at.metric

    scores = {d: {"score": 4, "evidence": "", "note": ""} for d in ("correctness", "depth", "clarity", "structure")}
    llm.replies = deque(
        [
            json.dumps(
                {
                    "insufficient": False,
                    "scores": scores,
                    "strengths": [],
                    "covered_points": [],
                    "missed_points": [],
                    "coaching": "Add an example.",
                }
            )
        ]
    )
    at.button(key=keys.ACT_RETRY_GRADING).click().run()
    assert not at.exception, at.exception
    assert [m.value for m in at.metric][0].endswith("/100")
    assert not at.error


def test_the_score_card_shows_a_sentence_once_where_several_scores_rest_on_it(ctx) -> None:
    at = start_interview(ctx, "evidence")
    _, question = current_question(at)
    at.chat_input(key=keys.CHAT_INPUT).set_value(question.model_answer["en"].split(". ")[0] + ".").run()
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption if c.value.startswith(en("chat.evidence").split("{")[0])]
    assert captions, "no score rests on a sentence"
    assert all(a != b for a, b in zip(captions, captions[1:], strict=False))


def test_a_passage_that_begins_inside_a_code_sample_opens_it_after_its_heading() -> None:
    from ui.interview_widgets import excerpt

    inside = "#### Condition variables\n\nwith cond:\n    cond.wait()\n```\n\nA condition variable lets a thread sleep."
    assert excerpt(inside) == (
        "#### Condition variables\n\n```\nwith cond:\n    cond.wait()\n```\n\nA condition variable lets a thread sleep."
    )
    cut = "#### Sample\n\nProse.\n\n```python\nx = 1\n"  # ends inside its sample: closed at the end
    assert excerpt(cut) == cut.strip() + "\n```"


def test_korean_bold_that_ends_in_punctuation_before_a_particle_still_renders_bold() -> None:
    from ui.interview_widgets import inert

    # Markdown does not close "**…)**" before a letter: the bracket moves outside, where it closes.
    assert inert("**경쟁 상태(race condition)**는 두 스레드가") == "**경쟁 상태(race condition**)는 두 스레드가"
    assert inert("값을 x**(괄호)**y") == "값을 x(**괄호**)y"
    # Bold Markdown already closes, and code, stay as they are.
    for text in ("**굵게**는 그대로", "a **(b)** c", "`**a)**b`"):
        assert inert(text) == text


def test_fewer_questions_than_asked_is_said_as_a_notice(ctx) -> None:
    at = new_app(ctx).run()
    at.segmented_control(key=keys.LANGUAGE_PICKER).set_value("en").run()
    at = sign_up(at, "greedy", strong_password())
    at.switch_page("app_pages/chat.py").run()
    at.selectbox(key=keys.SETUP_TRACK).select_index(TRACKS.index("os"))
    at.segmented_control(key=keys.SETUP_DIFFICULTY).set_value("easy")
    at.slider(key=keys.SETUP_COUNT).set_value(15)
    at = at.button(key=keys.SETUP_START).click().run()
    assert not at.exception, at.exception
    easy = sum(q.track == "os" and q.difficulty == "easy" for q in load_bank().values())
    # Information to take in, not a success.
    assert translate("chat.fewer_questions", "en", count=easy, asked=15) in [i.value for i in at.info]
    assert not at.toast


def test_the_set_up_follows_the_chosen_track_and_keeps_the_last_choices(ctx) -> None:
    from datetime import UTC, datetime

    from tests.history_helpers import add_interview

    at = new_app(ctx).run()
    at.segmented_control(key=keys.LANGUAGE_PICKER).set_value("en").run()
    at = sign_up(at, "chooser", strong_password())
    user = at.session_state[keys.ACCOUNT]
    add_interview(
        ctx,
        user_id=user.id,
        created_at=datetime.now(UTC),
        answers=[("databases-001", 20, "No idea.")],
        track="databases",
    )
    at.switch_page("app_pages/chat.py").run()
    star = en("chat.weak_spots")
    assert at.selectbox(key=keys.SETUP_TRACK).value == "databases"  # the last interview's track
    assert star in [c.label for c in at.checkbox]  # and its weak spot
    # Choosing a track redraws the set-up at once: its weak spots are offered, and the rubric is that track's.
    at.selectbox(key=keys.SETUP_TRACK).select_index(TRACKS.index("python")).run()
    assert star not in [c.label for c in at.checkbox]
    at.selectbox(key=keys.SETUP_TRACK).select_index(TRACKS.index("databases")).run()
    assert star in [c.label for c in at.checkbox]
    at.selectbox(key=keys.SETUP_TRACK).select_index(TRACKS.index("behavioral")).run()
    assert "**Situation**" in [m.value for m in at.markdown]
    # Started, ended, and a new interview: the set-up starts from the choices made last time.
    at.selectbox(key=keys.SETUP_TRACK).select_index(TRACKS.index("os"))
    at.segmented_control(key=keys.SETUP_DIFFICULTY).set_value("hard")
    at.slider(key=keys.SETUP_COUNT).set_value(3)
    at = at.button(key=keys.SETUP_START).click().run()
    at.button(key=keys.ACT_SKIP).click().run()
    at.button(key=keys.ACT_END).click().run()
    # The results say where it stopped, not "Question 2 of 3" as if it went on.
    assert any(c.value.endswith(en("chat.progress_ended").format(position=2, planned=3)) for c in at.caption)
    at.button(key=keys.ACT_NEW).click().run()
    assert not at.exception, at.exception
    assert at.selectbox(key=keys.SETUP_TRACK).value == "os"
    assert at.segmented_control(key=keys.SETUP_DIFFICULTY).value == "hard"
    assert at.slider(key=keys.SETUP_COUNT).value == 3
    # And after logging in again (a new session): from the interview last set up, not a "practise again" since.
    account = at.session_state[keys.ACCOUNT]
    another_interview(ctx, account, questions=1, track="python", language="ko", question_ids=("python-001",))
    later = new_app(ctx, **{keys.ACCOUNT: account, keys.TOKEN: at.session_state[keys.TOKEN], keys.COOKIE_CHECKED: True})
    later.run()
    later.session_state[keys.CHAT_NEW] = True  # the set-up, not the practice left unfinished
    later.switch_page("app_pages/chat.py").run()
    assert not later.exception, later.exception
    assert later.selectbox(key=keys.SETUP_TRACK).value == "os"
    assert later.segmented_control(key=keys.SETUP_DIFFICULTY).value == "hard"
    assert later.slider(key=keys.SETUP_COUNT).value == 3
    # A click on the chosen difficulty or language keeps it: the interview never starts on an empty choice
    # ("Mixed · English" without a word).
    assert all(at.segmented_control(key=k).proto.required for k in (keys.SETUP_DIFFICULTY, keys.SETUP_LANGUAGE))


def test_the_rubric_and_the_total_say_how_the_total_is_made() -> None:
    from backend.interview.rubric import FORM_SHARE, dimensions_for, total_from
    from ui.interview_widgets import total_rule

    technical = total_rule(dimensions_for("os"))
    assert f"{round(100 * FORM_SHARE)}%" in technical
    # What it says holds: nothing right scores 0 however clear; clear form takes off at most that share.
    assert total_from({"correctness": 1, "depth": 1, "clarity": 5, "structure": 5}) == 0
    assert total_from({"correctness": 5, "depth": 5, "clarity": 1, "structure": 1}) == round(100 * (1 - FORM_SHARE))
    assert total_rule(dimensions_for("behavioral")) != technical


def test_a_passage_keeps_its_headings_as_bold_lines_not_as_headings_louder_than_the_question() -> None:
    from ui.interview_widgets import quiet_headings

    code = "```python\n# not a heading\n```"
    passage = f"## Descriptors\n\nA descriptor defines __get__.\n\n{code}\n### In practice ##\nUse it."
    assert quiet_headings(passage) == (
        f"**Descriptors**\n\nA descriptor defines __get__.\n\n{code}\n**In practice**\nUse it."
    )


def second_tab(ctx, at):
    """The same account's interview opened in another browser tab."""
    account = at.session_state[keys.ACCOUNT]
    tab = new_app(ctx, **{keys.ACCOUNT: account, keys.TOKEN: at.session_state[keys.TOKEN], keys.COOKIE_CHECKED: True})
    tab.run()
    tab.switch_page("app_pages/chat.py").run()
    assert not tab.exception, tab.exception
    return tab


def test_an_answer_from_a_tab_left_behind_is_not_saved_for_a_question_it_never_showed(ctx) -> None:
    first = start_interview(ctx, "twotabs")
    second = second_tab(ctx, first)
    view, question = current_question(first)
    assert question.text["en"] in texts(second)
    first.chat_input(key=keys.CHAT_INPUT).set_value("An answer from the first tab, about the question.").run()
    first.button(key=keys.ACT_NEXT).click().run()
    moved_on, _ = current_question(first)
    assert moved_on.current["turn"] != view.current["turn"]

    second.chat_input(key=keys.CHAT_INPUT).set_value("Typed in the second tab for the first question.").run()
    assert not second.exception, second.exception
    assert en("interview.answered_elsewhere") in [e.value for e in second.error]
    assert "Typed in the second tab for the first question." in [c.value for c in second.code]
    now, _ = current_question(first)
    assert [a.answer_text for a in now.answers.values()] == ["An answer from the first tab, about the question."]
    assert now.current["turn"] == moved_on.current["turn"] and now.state == engine.State.QUESTION


def test_skip_from_a_tab_left_behind_does_not_skip_the_question_another_tab_shows(ctx) -> None:
    first = start_interview(ctx, "twoskips")
    second = second_tab(ctx, first)
    first.button(key=keys.ACT_SKIP).click().run()
    shown, _ = current_question(first)
    second.button(key=keys.ACT_SKIP).click().run()  # still showing the first question
    assert not second.exception, second.exception
    assert [toast.value for toast in second.toast] == [en("interview.changed")]  # the click is not silently lost
    now, question = current_question(first)
    assert now.current["turn"] == shown.current["turn"] and now.position == 2
    assert question.text["en"] in texts(second)  # drawn anew at the question that is open now


def test_start_a_new_interview_after_results_shows_the_set_up_even_with_an_older_one_unfinished(ctx) -> None:
    at = start_interview(ctx, "newafter")
    older, account = at.session_state[keys.CHAT_SESSION], at.session_state[keys.ACCOUNT]
    older_question = current_question(at)[1]
    finished = another_interview(ctx, account, questions=1)
    turn = engine.load_interview(ctx, user_id=account.id, session_id=finished).current["turn"]
    engine.skip_question(ctx, user_id=account.id, session_id=finished, turn=turn)  # ends it: its only question
    at.session_state[keys.CHAT_SESSION] = finished
    at.run()
    at.button(key=keys.ACT_NEW).click().run()
    assert not at.exception, at.exception
    assert at.button(key=keys.SETUP_START) and older_question.text["en"] not in texts(at)
    assert at.button(key=keys.CHAT_CONTINUE).label.startswith(en("home.continue").split("{")[0])
    at.button(key=keys.CHAT_CONTINUE).click().run()
    assert not at.exception, at.exception
    assert at.session_state[keys.CHAT_SESSION] == older and older_question.text["en"] in texts(at)


def test_code_in_an_answer_is_shown_as_code_and_the_rest_as_written(ctx) -> None:
    at = start_interview(ctx, "coder")
    code = "with open(path) as f:\n    data = f.read()"
    answer = f"A context manager releases it:\n```python\n{code}\n```\n**Always** closed."
    at.chat_input(key=keys.CHAT_INPUT).set_value(answer).run()
    assert not at.exception, at.exception
    assert [(c.value, c.language) for c in at.code] == [(code, "python")]
    assert {"A context manager releases it:", "**Always** closed."} <= {e.value for e in at.text}


def test_an_interview_ended_before_anything_was_answered_is_not_kept(ctx) -> None:
    at = start_interview(ctx, "quitter")
    session_id, account = at.session_state[keys.CHAT_SESSION], at.session_state[keys.ACCOUNT]
    assert en("chat.end_confirm_empty") in texts(at)  # said before the click
    at.button(key=keys.ACT_END).click().run()
    assert not at.exception, at.exception
    assert en("chat.discarded") in [i.value for i in at.info]
    assert at.button(key=keys.SETUP_START) and keys.CHAT_SESSION not in at.session_state
    assert history.history_page(ctx, user_id=account.id, timezone="UTC", filters=history.HistoryFilter()).total == 0
    with pytest.raises(NotFound):
        engine.load_interview(ctx, user_id=account.id, session_id=session_id)


def test_a_retry_scoring_the_same_says_so_without_an_arrow(ctx) -> None:
    at = start_interview(ctx, "sameagain")
    _, question = current_question(at)
    at.chat_input(key=keys.CHAT_INPUT).set_value(question.model_answer["en"]).run()
    at.button(key=keys.ACT_RETRY).click().run()
    at.chat_input(key=keys.CHAT_INPUT).set_value(question.model_answer["en"]).run()
    assert not at.exception, at.exception
    retried = at.metric[-1].proto
    assert retried.delta == en("chat.same") and retried.direction == retried.MetricDirection.Value("NONE")
