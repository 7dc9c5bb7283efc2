"""The mock interview: set-up, transcript, grading with citations, summary."""

import queue
import threading
import uuid

import streamlit as st

from backend import history
from backend.errors import AppError, NotFound
from backend.interview import engine, notes, planning
from backend.interview.bank import DIFFICULTIES, TRACKS
from backend.interview.engine import State
from backend.llm.provider import mode_label
from ui import interview_widgets as widgets
from ui import keys, runtime
from ui.i18n import labeller, language, t
from ui.strings import LANGUAGE_NAMES

ctx = runtime.context()
account = st.session_state[keys.ACCOUNT]
llms = runtime.llms(ctx)
choice = runtime.llm_choice(ctx)

st.title(t("chat.title"))
if llms.online:
    st.info(t("chat.mode_llm", model=choice.model), icon=":material/smart_toy:")
else:
    st.info(t("chat.mode_offline"), icon=":material/offline_bolt:")
runtime.show_flash()
kb = runtime.knowledge(ctx)  # after the title: the first visit of a fresh server indexes, with a spinner


def act(action, **kwargs) -> None:  # noqa: ANN001
    """Run an engine action for this session; show its error or rerun."""
    try:
        action(ctx, user_id=account.id, session_id=session_id, **kwargs)
    except engine.StaleInterview:  # another tab or click got there first: said, and where the interview stands shown
        st.toast(t("interview.changed"), icon=":material/sync:")  # a toast outlasts the rerun below
    except AppError as exc:
        runtime.show_error(exc)
        return
    st.session_state[keys.SCROLL_TO] = "summary"  # used only if the interview has ended
    st.rerun()


def vote(answer_id: int, key: str) -> None:
    widgets.save_vote(ctx, user_id=account.id, answer_id=answer_id, key=key)


def end_button(view) -> None:  # noqa: ANN001
    """ "End interview", behind a confirmation that says what is skipped (after the last feedback there is nothing
    to skip, and "See my results" ends it: no such button then)."""
    confirm = (
        "chat.end_confirm_empty"
        if view.untouched
        else "chat.end_confirm"
        if view.position < view.planned
        else "chat.end_confirm_this"
    )
    with st.popover(t("chat.end"), icon=":material/stop_circle:", use_container_width=True):
        st.caption(t(confirm))
        if st.button(t("chat.end_yes"), key=keys.ACT_END, type="primary"):
            end_now()


def end_now() -> None:
    """End the interview: its results, or (nothing answered or skipped, so it was not kept) a new set-up that says
    so."""
    try:
        summary = engine.end_interview(ctx, user_id=account.id, session_id=session_id)
    except AppError as exc:
        runtime.show_error(exc)
        return
    if summary.discarded:
        st.session_state.pop(keys.CHAT_SESSION, None)
        st.query_params.pop("interview", None)
        st.session_state[keys.CHAT_NEW] = True  # the set-up, not an older unfinished interview
        runtime.flash(t("chat.discarded"), notice=True)
    else:
        st.session_state[keys.SCROLL_TO] = "summary"
    st.rerun()


def last_choices() -> dict:
    """The choices of the interview last set up: in this session, else (a new login, another tab) the latest saved."""
    if keys.SETUP_LAST not in st.session_state:
        setup = planning.last_setup(ctx, user_id=account.id)
        st.session_state[keys.SETUP_LAST] = (
            {}
            if setup is None
            else {
                "track": setup.track,
                "difficulty": setup.difficulty,
                "language": setup.language,
                "count": setup.num_questions,
            }
        )
    return st.session_state[keys.SETUP_LAST]


def setup_track() -> str:
    """The track chosen in the set-up: as picked now, else the previous interview's."""
    return st.session_state.get(keys.SETUP_TRACK) or last_choices().get("track", TRACKS[0])


def setup_form() -> None:
    """Choose track, difficulty, language, count and an optional job description / résumé."""
    docs = kb.user_documents(user_id=account.id)
    last = last_choices()  # the previous interview's choices, kept for the next one
    st.subheader(t("chat.setup"))
    # Outside the form: the rubric above and the weak-spots choice below follow the track as it is chosen.
    track = st.selectbox(
        t("chat.track"),
        TRACKS,
        index=TRACKS.index(setup_track()),
        format_func=labeller("track", TRACKS),
        key=keys.SETUP_TRACK,
        placeholder=t("common.choose"),
    )
    has_history = bool(planning.weak_question_ids(ctx, user_id=account.id, track=track))
    with st.form("setup"):
        difficulty = st.segmented_control(
            t("chat.difficulty"),
            [*DIFFICULTIES, "mixed"],
            default=last.get("difficulty", "mixed"),
            format_func=labeller("difficulty", [*DIFFICULTIES, "mixed"]),
            key=keys.SETUP_DIFFICULTY,
            required=True,  # a click on the chosen option keeps it, never an empty choice
        )
        lang = st.segmented_control(
            t("chat.language"),
            ["ko", "en"],
            default=last.get("language", language()),
            format_func=LANGUAGE_NAMES.get,
            key=keys.SETUP_LANGUAGE,
            required=True,  # a click on the chosen option keeps it, never an empty choice
        )
        count = st.slider(
            t("chat.num_questions"), 1, planning.MAX_QUESTIONS, last.get("count", 5), key=keys.SETUP_COUNT
        )
        context = st.text_area(
            t("chat.context"), help=t("chat.context_help"), max_chars=planning.MAX_CONTEXT_CHARS, key=keys.SETUP_CONTEXT
        )
        doc = (
            st.selectbox(
                t("chat.context_doc"),
                ["", *[d.source for d in docs]],
                format_func={"": t("chat.context_none"), **{d.source: d.source for d in docs}}.__getitem__,
                key=keys.SETUP_CONTEXT_DOC,
                placeholder=t("common.choose"),
            )
            if docs
            else ""
        )
        practise_notes = (
            st.checkbox(t("chat.notes"), help=t("chat.notes_help"), key=keys.SETUP_NOTES) if docs else False
        )
        weak = (
            st.checkbox(
                t("chat.weak_spots"), help=t("chat.weak_spots_help"), key=keys.SETUP_WEAK, disabled=not has_history
            )
            if has_history
            else False
        )
        if st.form_submit_button(t("chat.start"), type="primary", key=keys.SETUP_START, icon=":material/play_arrow:"):
            if practise_notes and not doc:
                st.error(t("chat.notes_pick"))
                return
            if practise_notes and track == "behavioral":  # a notes question asks what the notes explain, not a story
                st.error(t("chat.notes_track"))
                return
            if doc and not practise_notes:  # the chosen document only, never another of the user's uploads
                passages = kb.user_document_passages(user_id=account.id, source=doc)
                context = "\n\n".join([context, *[p.text for p in passages]]).strip()
            st.session_state[keys.SETUP_LAST] = {
                "track": track,
                "difficulty": difficulty or "mixed",
                "language": lang or language(),
                "count": count,
            }
            setup = planning.InterviewSetup(
                track=track,
                difficulty=difficulty or "mixed",
                language=lang or language(),
                num_questions=count,
                context_text="" if practise_notes else context,
                context_name="" if practise_notes else doc,
                weak_spots=bool(weak) and not practise_notes,
            )
            try:
                questions = (
                    notes.note_questions(
                        ctx,
                        kb,
                        llms.interviewer or llms.grader,
                        user_id=account.id,
                        source=doc,
                        language=setup.language,
                        track=track,
                        count=count,
                    )
                    if practise_notes
                    else None
                )
                new_id = engine.start_interview(
                    ctx, user_id=account.id, setup=setup, mode=mode_label(ctx.settings, choice), questions=questions
                )
            except AppError as exc:
                runtime.show_error(exc)
                return
            st.session_state[keys.CHAT_SESSION] = new_id
            planned = engine.load_interview(ctx, user_id=account.id, session_id=new_id).planned
            if planned < setup.num_questions:  # the bank (or the notes) had fewer: said, not silently capped
                runtime.flash(t("chat.fewer_questions", count=planned, asked=setup.num_questions), notice=True)
            st.rerun()


def grade_now(view) -> None:  # noqa: ANN001
    """Grade the saved answer under a visible status in the interviewer's bubble: streamed token by token with
    an LLM."""
    with st.chat_message("assistant", avatar=":material/school:"), st.status(t("chat.grading")) as status:
        if not llms.online:
            engine.grade_pending(ctx, kb, llms, user_id=account.id, session_id=view.session_id)
            status.update(label=t("chat.graded"), state="complete")
            return
        tokens: queue.Queue = queue.Queue()
        outcome: dict = {}

        def work() -> None:
            try:
                engine.grade_pending(ctx, kb, llms, user_id=account.id, session_id=view.session_id, on_token=tokens.put)
            except AppError as exc:
                outcome["error"] = exc
            finally:
                tokens.put(None)

        thread = threading.Thread(target=work, daemon=True)
        thread.start()

        def stream():
            while (token := tokens.get()) is not None:
                yield token

        st.write_stream(stream())
        thread.join()
        if "error" in outcome:
            status.update(state="error")
            raise outcome["error"]
        status.update(label=t("chat.graded"), state="complete")


def tab_id() -> str:
    """This browser tab's id (session state is per tab): tells another tab's answer from this tab's own."""
    return st.session_state.setdefault(keys.TAB_ID, uuid.uuid4().hex)


def save_draft(turn: str, text: str) -> None:
    try:
        engine.save_draft(ctx, user_id=account.id, session_id=session_id, turn=turn, text=text, client=tab_id())
    except AppError as exc:  # answered meanwhile in another tab: the text is shown back (live_turn)
        if exc.code != "interview.answered_elsewhere":
            raise
        st.session_state[keys.UNSENT] = text


def show_unsent(text: str) -> None:
    """An answer that could not be kept, shown back to copy: nothing the candidate typed is lost."""
    runtime.show_error(AppError("interview.answered_elsewhere"))
    st.code(text.strip(), language=None, wrap_lines=True)


def grade_here(view, turn_messages, drawn: int):  # noqa: ANN001, ANN201
    """Grade the saved answer under a visible status, then draw what grading added to the transcript (after its
    first `drawn` messages) in place; returns the interview as it now stands."""
    with turn_messages:
        status = st.empty()
        try:
            with status.container():
                grade_now(view)
        except AppError as exc:
            failed = exc  # mostly recorded on the interview too, and then shown below with a retry
        else:
            failed = None
            status.empty()
            st.session_state[keys.SCROLL_TO] = "score"
        view = engine.load_interview(ctx, user_id=account.id, session_id=session_id)
        for msg in view.messages[drawn:]:
            widgets.message(view, msg, vote)
    if failed is not None and not view.last_error:
        runtime.show_error(failed)
    return view


def sent_answer(turn: str) -> str | None:
    """The answer to `turn` sent in this run (read before the box is drawn, so this run draws the score card
    instead)."""
    too_long = f"{keys.TOO_LONG_PREFIX}{turn}"
    if st.session_state.get(keys.SEND_SHORTENED):  # still over the limit: not sent, the box below says so
        kept = st.session_state.get(too_long) or ""
        return kept if len(kept.strip()) <= ctx.settings.max_answer_chars else None
    text = st.session_state.get(keys.CHAT_INPUT)
    if not isinstance(text, str):
        return None  # a blank answer is sent on: the engine refuses it with a message
    if len(text.strip()) > ctx.settings.max_answer_chars:
        st.session_state[too_long] = text  # kept to shorten, below
        return None
    return text


@st.fragment
def live_turn() -> None:
    """The open question, its answer and feedback, and what to do next.

    A fragment: sending an answer and grading it, a saved draft or a thumbs reruns this part only, and the
    score card is drawn in the run that grades, so the time to the score card does not grow with the transcript
    above it. What changes the transcript (next question, retry, follow-up, skip) reruns the page.
    """
    view = st.session_state.pop(keys.CHAT_VIEW, None) or engine.load_interview(
        ctx, user_id=account.id, session_id=session_id
    )
    start = live_start(view)
    if unsent := st.session_state.pop(keys.UNSENT, None):
        show_unsent(unsent)
    turn_messages = st.container()
    with turn_messages:
        for msg in view.messages[start:]:
            widgets.message(view, msg, vote)
    drawn = len(view.messages)
    # The turn this tab showed when its answer was typed or a button clicked: another tab may have moved the interview
    # on since, and what was meant for that question must not land on the next one.
    shown = st.session_state.get(keys.SHOWN_TURN) or view.current["turn"]
    text = sent_answer(shown)
    if text is not None:
        try:
            engine.submit_answer(ctx, user_id=account.id, session_id=session_id, turn=shown, text=text, client=tab_id())
        except engine.StaleInterview:
            st.rerun()
        except AppError as exc:
            if exc.code != "interview.answered_elsewhere":
                runtime.show_error(exc)
            elif shown == view.current["turn"]:
                show_unsent(text)
            else:  # the page above shows an older question: drawn anew, with the text kept to copy
                st.session_state[keys.UNSENT] = text
                st.session_state.pop(keys.SHOWN_TURN, None)
                st.rerun()
        else:
            # Else the answer of a turn already saved (Enter pressed twice, or the same text from another tab): once.
            if view.state == State.QUESTION and shown == view.current["turn"]:
                with turn_messages, st.chat_message("user"):  # the answer shows at once, then the grading status
                    widgets.answer_text(text.strip())
                view = grade_here(view, turn_messages, drawn + 1)
    elif view.state == State.GRADING and (not view.last_error or st.session_state.get(keys.ACT_RETRY_GRADING)):
        view = grade_here(view, turn_messages, drawn)  # sent before a refresh or a dropped connection, or a retry
    if view.state == State.FEEDBACK and st.session_state.pop(keys.SCROLL_TO, None) == "score":
        widgets.scroll_into_view(widgets.SCORE_CARD)

    st.session_state[keys.SHOWN_TURN] = view.current["turn"]
    if view.state == State.GRADING:  # grading failed: the answer is saved
        if view.last_error:
            runtime.show_error(AppError(view.last_error["code"], **view.last_error.get("params", {})))
        st.caption(t("chat.answer_saved"))
        st.button(t("chat.retry_grading"), key=keys.ACT_RETRY_GRADING, type="primary", icon=":material/refresh:")

    elif view.state == State.QUESTION:
        turn = view.current["turn"]
        if view.practising is not None:  # practised again: what was said then, to do better now
            widgets.past_answer(view.practising)
        cols = st.columns(2)
        if cols[0].button(t("chat.skip"), key=keys.ACT_SKIP, icon=":material/skip_next:", use_container_width=True):
            act(engine.skip_question, turn=shown)
        with cols[1]:
            end_button(view)
        limit = ctx.settings.max_answer_chars
        st.caption(t("chat.max_chars", max=limit))
        # No hard cap on the box: a browser swallows a paste over it without a word. An answer over the limit is
        # kept in an editable box below, with the limit, to shorten and send (see sent_answer).
        st.chat_input(t("chat.input"), key=keys.CHAT_INPUT)
        widgets.draft_keeper(turn, view.draft, save_draft)
        too_long = f"{keys.TOO_LONG_PREFIX}{turn}"
        if too_long in st.session_state:
            if len(st.session_state[too_long].strip()) > limit:
                runtime.show_error(AppError("interview.too_long", max=limit))
            kept = st.text_area(t("chat.shorten", max=limit), key=too_long, height=260)
            st.caption(t("chat.length", n=len(kept.strip()), max=limit))
            # Never disabled: a click straight after editing the box (still focused) saves the text and sends it at
            # once; disabled until the box lost focus, the first click only saved it.
            st.button(t("chat.send_shortened"), key=keys.SEND_SHORTENED, type="primary")

    elif view.state == State.FEEDBACK:
        last = view.position >= view.planned
        cols = st.columns(3 if last else 4)
        if cols[0].button(
            t("chat.finish") if last else t("chat.next"),
            key=keys.ACT_NEXT,
            type="primary",
            icon=":material/arrow_forward:",
            use_container_width=True,
        ):
            act(engine.next_question, turn=shown)
        if cols[1].button(
            t("chat.follow_up"),
            key=keys.ACT_FOLLOW_UP,
            disabled=not view.can_follow_up,
            help=None
            if view.can_follow_up
            else t("chat.follow_up_none" if view.current.get("kind") == "main" else "chat.follow_up_nested"),
            icon=":material/subdirectory_arrow_right:",
            use_container_width=True,
        ):
            try:
                engine.follow_up(ctx, kb, llms, user_id=account.id, session_id=session_id, turn=shown)
            except engine.StaleInterview:
                st.rerun()  # another tab got there first: show where the interview stands
            except AppError as exc:
                runtime.show_error(exc)
            else:
                st.rerun()
        if cols[2].button(t("chat.retry"), key=keys.ACT_RETRY, icon=":material/replay:", use_container_width=True):
            act(engine.retry_question, turn=shown)
        if not last:
            with cols[3]:
                end_button(view)
        st.chat_input(t("chat.input_disabled"), disabled=True, key=keys.CHAT_INPUT)

    else:  # ended meanwhile (another tab): the page shows the summary
        st.rerun()


def live_start(view) -> int:  # noqa: ANN001
    """Where the open turn starts in the transcript: its question (the last one asked)."""
    questions = [i for i, msg in enumerate(view.messages) if msg.meta.get("kind") == "question"]
    return questions[-1] if questions else len(view.messages)


def chosen_session() -> int | None:
    """The interview this page shows: the one picked in this session, else the one in the address (a refresh
    keeps it), else none after "Start a new interview", else the latest unfinished one."""
    picked = st.session_state.get(keys.CHAT_SESSION)
    if picked:
        st.session_state.pop(keys.CHAT_NEW, None)
        return picked
    in_url = st.query_params.get("interview", "")
    if in_url.isdigit():
        try:
            engine.load_interview(ctx, user_id=account.id, session_id=int(in_url))
        except AppError:
            pass  # not this user's, or deleted: fall back
        else:
            st.session_state.pop(keys.CHAT_NEW, None)
            return int(in_url)
    if st.session_state.get(keys.CHAT_NEW):
        return None
    return engine.active_session_id(ctx, user_id=account.id)


def continue_unfinished() -> None:
    """Above the set-up of a new interview: the unfinished one, to go back to instead."""
    for row in history.recent_sessions(ctx, user_id=account.id, timezone=account.timezone, limit=1, status="active"):
        if st.button(widgets.continue_label(row), key=keys.CHAT_CONTINUE, icon=":material/play_arrow:"):
            st.session_state[keys.CHAT_SESSION] = row.id
            st.rerun()


session_id = chosen_session()
if session_id is None:
    st.query_params.pop("interview", None)
    continue_unfinished()
    widgets.rubric(setup_track())
    setup_form()
    st.stop()

try:
    view = engine.load_interview(ctx, user_id=account.id, session_id=session_id)
except NotFound:  # deleted meanwhile: ended with nothing in it, or deleted from the history, in another tab
    st.session_state.pop(keys.CHAT_SESSION, None)
    st.query_params.pop("interview", None)
    st.rerun()
# A refresh starts a new session: the address names the interview whenever the latest unfinished one is not it (a
# finished interview, or an older one resumed from the history), so that a refresh shows it again. A finished one
# stays on screen through its address only, and opening the page from the menu starts a new one.
if view.state == State.ENDED or session_id != engine.active_session_id(ctx, user_id=account.id):
    st.query_params["interview"] = str(session_id)
else:
    st.query_params.pop("interview", None)
if view.state == State.ENDED:
    st.session_state.pop(keys.CHAT_SESSION, None)
else:
    st.session_state[keys.CHAT_SESSION] = session_id
# Its title (the notes' name for questions from the candidate's notes, else track · difficulty · language).
shown = widgets.title(view.title, view.setup.track, view.setup.difficulty, view.setup.language)
if view.state != State.ENDED:
    progress = "chat.progress"
else:  # where it stopped: the last question asked, or all of them
    progress = "chat.progress_done" if view.position >= view.planned else "chat.progress_ended"
st.caption(f"{widgets.plain(shown)} · {t(progress, position=view.position, planned=view.planned, count=view.planned)}")

if view.state == State.ENDED:  # the results first, where the candidate is looking; the interview below
    with st.container(key="summary"):
        widgets.summary(engine.summarize(ctx, user_id=account.id, session_id=session_id))
        if st.button(t("chat.new"), key=keys.ACT_NEW, type="primary", icon=":material/add:"):
            st.query_params.pop("interview", None)
            st.session_state[keys.CHAT_NEW] = True  # the set-up, even while an older interview is unfinished
            st.rerun()
    if st.session_state.pop(keys.SCROLL_TO, None) == "summary":
        widgets.scroll_into_view(widgets.SUMMARY)
    if st.toggle(t("chat.transcript"), key=keys.SHOW_TRANSCRIPT):
        widgets.rubric(view.setup.track)
        for msg in view.messages:
            widgets.message(view, msg, vote)
else:
    widgets.rubric(view.setup.track)
    for msg in view.messages[: live_start(view)]:
        widgets.message(view, msg, vote)
    st.session_state[keys.CHAT_VIEW] = view
    live_turn()
