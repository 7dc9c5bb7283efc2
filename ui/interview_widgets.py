"""Widgets of the interview: rubric, transcript entries, score card, summary."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import streamlit as st
import streamlit.components.v2

from backend.context import AppContext
from backend.history import SessionRow
from backend.interview import engine
from backend.interview.engine import (
    AnswerView,
    InterviewView,
    MessageView,
    PastAnswer,
    Summary,
    default_title,
    question_heading,
)
from backend.interview.planning import WEAK_SCORE
from backend.interview.rubric import CONTENT, DIMENSIONS, FORM, FORM_SHARE, dimensions_for
from backend.markdown import literal as plain  # text shown as written
from backend.rag.titles import source_title
from ui import keys
from ui.i18n import language, t
from ui.strings import translate


def title(raw: str, track: str, difficulty: str, lang: str) -> str:
    """An interview's title for display: its own once renamed, else its track and difficulty, translated."""
    if raw and raw != default_title(track, difficulty, lang):
        return raw
    return f"{t(f'track.{track}')} · {t(f'difficulty.{difficulty}')} · {t(f'language.{lang}')}"


def continue_label(row: SessionRow) -> str:
    """The label of the button back into an unfinished interview: its title and how far it got."""
    progress = [t("history.answered", n=row.answered)] if row.answered else []
    if row.score_so_far is not None:
        progress.append(t("history.so_far", score=row.score_so_far))
    shown = title(row.title, row.track, row.difficulty, row.language)
    return t("home.continue", title=" · ".join([shown, *progress]))


def rubric(track: str) -> None:
    """The rubric with what each level means."""
    lang = language()
    with st.expander(t("chat.rubric"), icon=":material/rule:"):
        st.caption(total_rule(dimensions_for(track)))
        for key in dimensions_for(track):
            spec = DIMENSIONS[key]
            st.markdown(f"**{spec['name'][lang]}**")
            st.markdown("\n".join(f"{i}. {text}" for i, text in enumerate(spec["levels"][lang], 1)))


def total_rule(dimensions: Iterable[str]) -> str:
    """How the total comes from the scores of these rubric dimensions (rubric.total_from), in words."""
    if set(dimensions) == {*CONTENT, *FORM}:
        return t("chat.total_technical", form=round(100 * FORM_SHARE))
    return t("chat.total_story")


def _previous_total(view: InterviewView, answer: AnswerView) -> float | None:
    earlier = [
        a.grade.total
        for a in view.answers.values()
        if a.question_id == answer.question_id and a.attempt_no < answer.attempt_no and a.grade is not None
    ]
    return earlier[-1] if earlier else None


def _local_day(moment: datetime) -> date:
    """A UTC time's day in the logged-in user's time zone."""
    account = st.session_state.get(keys.ACCOUNT)
    return moment.astimezone(ZoneInfo(account.timezone if account else "UTC")).date()


def _local_date(moment: datetime) -> str:
    """A UTC time as a date in the logged-in user's time zone."""
    return f"{_local_day(moment):%Y-%m-%d}"


def practice_links(view: InterviewView, answer: AnswerView, total: float) -> None:
    """Where this answer sits in the candidate's practice: the earlier answer it retries, its later
    practice, and when its question is next due for review."""
    if answer.previous is not None:
        before, when = answer.previous
        st.caption(t("history.practice_of", date=_local_date(when), total=before))
    if answer.later is not None:
        after, when = answer.later
        st.caption(t("history.practised_later", date=_local_date(when), total=after, delta=after - total))
    due = view.due.get(answer.question_id)
    if due is not None:
        days = (_local_day(due) - _local_day(datetime.now(UTC))).days
        key = "review.due_now" if days <= 0 else "review.next_tomorrow" if days == 1 else "review.next"
        # A retry right after the feedback is practice, not recall: the schedule stays the first answer's, and says so.
        said = t(key, date=_local_date(due), days=days)
        st.caption(f"{said}  \n{t('review.first_answer')}" if answer.attempt_no > 1 else said)  # on a line of its own


def past_answer(past: PastAnswer) -> None:
    """The earlier answer the open question practises again: its score, and its text and missed points to read
    before answering."""
    total = "–" if past.total is None else f"{past.total:.0f}"
    with st.expander(t("chat.past_answer", date=_local_date(past.at), total=total), icon=":material/history:"):
        answer_text(past.text)
        if past.missed_points:
            st.markdown(f"**{t('chat.past_missed')}**")
            st.markdown("\n".join(f"- {plain(p)}" for p in past.missed_points))


def score_card(view: InterviewView, answer: AnswerView, on_vote, on_practise=None) -> None:  # noqa: ANN001
    """Total, rubric bars with evidence, missed points, model answer, sources, practice links, thumbs;
    with `on_practise(answer_id)`, a button to practise the question again."""
    grade = answer.grade
    if grade is None:
        return
    lang = language()
    previous = _previous_total(view, answer)
    if previous is None and answer.previous is not None:
        previous = answer.previous[0]
    change = None if previous is None else round(grade.total - previous)
    same = change == 0
    delta = None if change is None else t("chat.same") if same else t("chat.diff", delta=change)
    left, right = st.columns([1, 3])
    left.metric(
        t("chat.total"),
        f"{grade.total}/100",
        delta=delta,
        delta_color="off" if same else "normal",
        delta_arrow="off" if same else "auto",  # "+0" with an arrow up read as a gain
        help=total_rule(grade.scores),
    )
    with left:
        practice_links(view, answer, grade.total)
    with right:
        if grade.insufficient:  # no grade: bars at 1/5 beside "not enough to grade" read as one
            st.warning(t("chat.insufficient"), icon=":material/help:")
        elif grade.approximate:
            st.caption(t("chat.approximate"))
        shown = ""
        for key, dim in grade.scores.items() if not grade.insufficient else ():
            name = DIMENSIONS.get(key, {}).get("name", {}).get(lang, key)
            st.progress(dim.score / 5, text=f"{name} · {dim.score}/5")
            caption = t("chat.evidence", text=plain(dim.evidence)) if dim.evidence else t("chat.no_evidence")
            if caption != shown:  # the same sentence under every bar reads as noise: shown once, where it starts
                st.caption(caption)
            shown = caption
    with st.expander(t("chat.key_points"), icon=":material/checklist:"):
        for title, points in (("chat.missed", grade.missed_points), ("chat.covered", grade.covered_points)):
            if points:
                st.markdown(f"**{t(title)}**")
                st.markdown("\n".join(f"- {plain(p)}" for p in points))
        if not grade.missed_points:
            st.caption(t("chat.none_missed"))
    if grade.model_answer:
        with st.expander(t("chat.model_answer"), icon=":material/lightbulb:"):
            # A bank answer is plain text (`__eq__` stays as written); one from the candidate's notes is Markdown.
            written = grade.grader != "offline" or grade.approximate
            st.markdown(inert(excerpt(grade.model_answer, limit=3000)) if written else plain(grade.model_answer))
    if grade.sources:
        with st.expander(t("chat.sources", n=len(grade.sources)), icon=":material/menu_book:"):
            for source in grade.sources:
                st.markdown(f"**{plain(source_title(source))}**")
                st.markdown(inert(quiet_headings(excerpt(str(source["text"]), limit=1300))))
    if on_practise is not None:
        key = f"{keys.PRACTICE_PREFIX}{answer.id}"
        if st.button(t("history.practise"), key=key, icon=":material/fitness_center:"):
            on_practise(answer.id)
    vote_key = f"{keys.VOTE_PREFIX}{answer.id}"
    if vote_key not in st.session_state and answer.id in view.votes:
        st.session_state[vote_key] = 1 if view.votes[answer.id] else 0
    st.feedback("thumbs", key=vote_key, on_change=on_vote, args=(answer.id, vote_key))
    st.caption(t("chat.helpful"))
    if st.session_state.get(vote_key) == 0:  # not helpful: what was wrong says more than the thumb
        comment_key = f"{keys.VOTE_COMMENT_PREFIX}{answer.id}"
        if comment_key not in st.session_state:
            st.session_state[comment_key] = view.vote_comments.get(answer.id, "")
        st.text_input(
            t("chat.vote_comment"),
            key=comment_key,
            max_chars=engine.MAX_VOTE_COMMENT,
            on_change=on_vote,
            args=(answer.id, comment_key),
        )


def save_vote(ctx: AppContext, *, user_id: int, answer_id: int, key: str) -> None:
    """A score card's vote callback: the thumb (or the comment with a thumbs-down) in widget `key`, saved and
    acknowledged."""
    value = st.session_state.get(key)
    if key.startswith(keys.VOTE_COMMENT_PREFIX):
        engine.set_vote(ctx, user_id=user_id, answer_id=answer_id, helpful=False, comment=str(value or "").strip())
        st.toast(t("chat.vote_comment_saved"), icon=":material/check:")
    elif value is not None:
        engine.set_vote(ctx, user_id=user_id, answer_id=answer_id, helpful=bool(value))
        st.toast(t("chat.vote_thanks"), icon=":material/check:")


def excerpt(text: str, limit: int = 700) -> str:
    """A passage as readable Markdown: cut at a line end near `limit`, code fences balanced, "…" where it is cut.

    A passage of a long code sample can begin inside the sample: its first fence is then the bare one that
    closes it, and an opening fence goes before its code (after its heading), not a closing one at its end."""
    text = text.strip()
    cut = len(text) > limit
    if cut:
        end = text.rfind("\n", 0, limit)
        text = text[: end if end > limit // 2 else limit].rstrip() + " …"
    fences = [line.strip() for line in text.splitlines() if line.strip().startswith("```")]
    if len(fences) % 2 and not cut and fences[0] == "```":
        heading, _, body = text.partition("\n\n") if text.startswith("#") else ("", "", text)
        text = f"{heading}\n\n```\n{body}" if heading else f"```\n{body}"
    elif len(fences) % 2:
        text += "\n```"
    return text if text[:1].isupper() or not text[:1].isalpha() else "… " + text


_HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.+?)\s*#*\s*$")


def quiet_headings(text: str) -> str:
    """A passage's Markdown headings (outside code) as bold lines: its heading stays with it, under its title,
    without being louder than the question it is cited for."""
    lines, fenced = [], False
    for line in text.split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        heading = None if fenced else _HEADING.match(line)
        lines.append(f"**{heading.group(1)}**" if heading else line)
    return "\n".join(lines)


_CODE = re.compile(r"(```.*?(?:```|$)|`[^`\n]*`)", re.S)
_LINK_SYNTAX = re.compile(r"([\[\]<>])")
# Where a bare address would become a link: a zero-width space breaks "://" and "www." in the source.
_BARE_ADDRESS = re.compile(r"(?i)(?<=\w:)(?=//)|(?<=\bwww)(?=\.)")


def inert(text: str) -> str:
    """Markdown from an upload, a document or an LLM, with its links, images and HTML shown as text.

    Headings, lists, emphasis and code still render; brackets and angle brackets are escaped outside
    code, so `![x](http://host/t.png)` cannot make the viewer's browser fetch anything.
    """
    parts = _CODE.split(text)
    for i in range(0, len(parts), 2):  # even parts are outside code
        parts[i] = _BARE_ADDRESS.sub("\u200b", _LINK_SYNTAX.sub(r"\\\1", _BOLD.sub(_bold_flanking, parts[i])))
    return "".join(parts)


_BOLD = re.compile(r"(?<![*\\])\*\*(?![\s*])(.+?)(?<![\s*])\*\*(?!\*)")
_EDGES = re.compile(r"(\W*)(.*?)(\W*)", re.S)


def _bold_flanking(match: re.Match[str]) -> str:
    """Bold that Markdown would show with its asterisks: punctuation at its edge beside a letter, as Korean writes
    it ("**경쟁 상태(race condition)**는" closes before a particle), moves outside the asterisks."""
    text, start, end = match.string, match.start(), match.end()
    lead, core, trail = _EDGES.fullmatch(match.group(1)).groups()
    if not core:
        return match.group(0)
    before = lead if start and text[start - 1].isalnum() else ""  # moves outside, before the asterisks
    after = trail if end < len(text) and text[end].isalnum() else ""
    return f"{before}**{lead if not before else ''}{core}{trail if not after else ''}**{after}"


# A fenced code block in a candidate's answer: its language (optional) and its code, up to the closing fence or the end.
_FENCED = re.compile(r"^[ \t]*```[ \t]*([\w+#.-]*)[^\n]*\n(.*?)(?:^[ \t]*```[ \t]*$|\Z)", re.S | re.M)


def answer_text(text: str) -> None:
    """A candidate's answer as written: its prose as plain text, its fenced code blocks as code (never Markdown)."""
    at = 0
    for block in _FENCED.finditer(text):
        if prose := text[at : block.start()].strip():
            st.text(prose)
        st.code(block.group(2).rstrip("\n"), language=block.group(1).lower() or None)
        at = block.end()
    if (prose := text[at:].strip()) or at == 0:
        st.text(prose)


def message(view: InterviewView, msg: MessageView, on_vote, on_practise=None) -> None:  # noqa: ANN001
    """One transcript entry (see score_card for `on_practise`)."""
    kind = msg.meta.get("kind")
    if kind == "question":
        with st.chat_message("assistant", avatar=":material/record_voice_over:"):
            key, params = question_heading(msg.meta)
            st.markdown(f"**{t(key, **params)}.** {plain(msg.content)}")
            if msg.meta.get("reason"):
                st.caption(plain(reason_text(msg.meta["reason"], view.setup.language)))
    elif kind == "answer":
        with st.chat_message("user"):
            answer_text(msg.content)
    elif kind == "feedback":
        with st.chat_message("assistant", avatar=":material/school:"):
            answer = view.answers.get(msg.meta.get("answer_id"))
            llm_written = answer is not None and answer.grade is not None and answer.grade.grader != "offline"
            st.markdown(inert(msg.content) if llm_written else plain(msg.content))
            if answer is not None:
                score_card(view, answer, on_vote, on_practise)
    elif kind == "skipped":
        with st.chat_message("assistant", avatar=":material/skip_next:"):
            st.caption(t("chat.skipped"))
            if model := msg.meta.get("model_answer"):
                with st.expander(t("chat.model_answer"), icon=":material/lightbulb:"):
                    st.markdown(inert(excerpt(model, limit=3000)) if msg.meta.get("markdown") else plain(model))


def reason_text(reason: dict, lang: str) -> str:
    """Why a question was asked, in the interview's language: the section of the candidate's notes it comes
    from, or the words of their résumé / job description it matches."""
    name = str(reason.get("document", ""))
    if "section" in reason:
        return translate("chat.reason_section", lang, name=name, section=reason["section"])
    document = translate("chat.reason_document", lang, name=name) if name else translate("chat.reason_pasted", lang)
    return translate("chat.reason_words", lang, document=document, words=", ".join(reason.get("words", [])))


def summary(result: Summary) -> None:
    """The end-of-interview summary."""
    st.subheader(t("summary.title"))
    if result.overall is None:
        st.info(t("summary.nothing"))
        return
    left, right = st.columns(2)
    left.metric(t("summary.overall"), f"{result.overall:.0f}/100")
    right.metric(t("summary.answered"), result.answered)
    if result.skipped:
        right.caption(t("summary.skipped", n=result.skipped))
    strong, weak = st.columns(2)
    sides = ((strong, "summary.strongest", result.strongest), (weak, "summary.weakest", result.weakest))
    for column, title, topics in sides:
        with column:
            st.markdown(f"**{t(title)}**")
            rows = [f"- {t('summary.topic_row', topic=plain(x.topic), score=x.score)}" for x in topics]
            if rows:
                st.markdown("\n".join(rows))
            else:
                st.caption(t(f"{title}_none", score=WEAK_SCORE))
    if result.improvements:
        st.markdown(f"**{t('summary.improvements')}**")
        st.markdown(
            "\n".join(
                f"- {t('summary.improvement_row', **{**row, 'question': plain(row['question'])})}"
                for row in result.improvements
            )
        )
    if result.study:
        st.markdown(f"**{t('summary.study')}**")
        for item in result.study:
            with st.expander(plain(source_title(item)), icon=":material/menu_book:"):
                st.caption(plain(item["question"]))
                st.markdown(inert(item["text"]))


# Both components below run fixed code in the page (no iframe); what they get from Python is data only (a turn id,
# the candidate's own draft as a textarea value, a constant CSS selector), never markup.
_DRAFT_KEEPER = st.components.v2.component(
    name="interview_coach.draft_keeper",
    js="""
export default function (component) {
  const { data, setStateValue } = component;
  // The turns whose draft was put back into each answer box. Per box, not per page load: leaving the page for
  // another one of the app and coming back draws a new, empty box.
  const restored = (window.__draftRestored = window.__draftRestored || new WeakMap());
  // The tab's own copy, written on every keystroke, for a refresh or a move to another page sooner than the server
  // save; dropped once the server holds the same text (and with the tab).
  const slot = "interview-coach-draft:" + data.turn;
  const stored = () => { try { return sessionStorage.getItem(slot); } catch { return null; } };
  const kept = () => stored() ?? "";
  const keep = (text) => { try { sessionStorage.setItem(slot, text); } catch {} };
  if (data.draft && kept() === data.draft) { try { sessionStorage.removeItem(slot); } catch {} }
  let box = null, timer = null, since = null;
  const save = () => { clearTimeout(timer); timer = null; since = null; if (box) setStateValue("text", box.value); };
  // A second after the last keystroke, and at least every few seconds while typing goes on.
  const onInput = () => {
    keep(box.value);
    clearTimeout(timer);
    since = since ?? Date.now();
    if (Date.now() - since >= data.max_wait_ms) save(); else timer = setTimeout(save, data.pause_ms);
  };
  const onKey = (event) => {  // sent: no save of the text on its way, and no copy left in the tab
    if (event.key === "Enter" && !event.shiftKey) { clearTimeout(timer); timer = null; keep(""); }
  };
  const attach = () => {
    box = document.querySelector('[data-testid="stChatInputTextArea"]');
    if (!box) return false;
    const turns = restored.get(box) ?? new Set();
    restored.set(box, turns);
    if (!turns.has(data.turn)) {  // once per box: put the kept draft back into an empty box
      turns.add(data.turn);
      // A new question: the box takes the keyboard, unless the candidate is in another field or on a touch screen
      // (where focus opens the keyboard over the question).
      const idle = !document.activeElement || document.activeElement === document.body ||
        document.activeElement.tagName === "BUTTON";
      if (idle && matchMedia("(pointer: fine)").matches) box.focus({ preventScroll: true });
      const text = stored() ?? data.draft;  // the tab's copy is the newer one while it lasts (emptied too)
      if (text && !box.value) {
        Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value").set.call(box, text);
        box.dispatchEvent(new Event("input", { bubbles: true }));
        if (text !== data.draft) timer = setTimeout(save, 0);  // the server has not seen it yet
      }
    } else if (box.value !== data.draft) {
      onInput();  // typed while the last save was on its way
    }
    box.addEventListener("input", onInput);
    box.addEventListener("keydown", onKey, true);
    return true;
  };
  const poll = attach() ? null : setInterval(() => attach() && clearInterval(poll), 100);
  return () => {
    clearInterval(poll);
    clearTimeout(timer);
    if (box) { box.removeEventListener("input", onInput); box.removeEventListener("keydown", onKey, true); }
  };
}
""",
)

_SCROLLER = st.components.v2.component(
    name="interview_coach.scroll_into_view",
    js="""
export default function ({ data }) {
  let tries = 0;
  const find = () => {
    const found = document.querySelectorAll(data.selector);
    return found.length ? found[found.length - 1] : null;
  };
  const go = () => {
    const element = find();
    if (!element) {
      if (++tries < 50) setTimeout(go, 100);
      return;
    }
    const header = document.querySelector('[data-testid="stHeader"]');  // fixed: the start would sit under it
    element.style.scrollMarginTop = `${header ? header.getBoundingClientRect().height : 0}px`;
    element.scrollIntoView({ block: "start" });
  };
  setTimeout(go, 50);
}
""",
)

# What scroll_into_view can bring into view (the last match).
SCORE_CARD = '[data-testid="stChatMessage"]:has([data-testid="stMetric"])'
SUMMARY = ".st-key-summary"


def draft_keeper(turn: str, draft: str, on_save) -> None:  # noqa: ANN001
    """Save what the candidate types in the answer box without a click (`on_save(turn, text)`), and put a kept
    draft back into the empty box after a refresh."""
    key = f"{keys.DRAFT_PREFIX}{turn}"
    _DRAFT_KEEPER(
        key=key,
        data={"turn": turn, "draft": draft, "pause_ms": 1000, "max_wait_ms": 4000},
        default={"text": draft},
        on_text_change=lambda: on_save(turn, (st.session_state[key] or {}).get("text") or ""),
        height=0,
    )


def scroll_into_view(selector: str) -> None:
    """Scroll the page so the last element matching `selector` (SCORE_CARD, SUMMARY) starts at the top."""
    _SCROLLER(key=f"scroll_{selector}", data={"selector": selector}, height=0)
