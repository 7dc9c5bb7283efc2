"""Browser journeys of the interview page as a candidate lives it (issue 12 items 1, 2, 4, 9), in headless Chromium:
refreshes come back to the same question, an unsent answer survives a refresh, the score card and the summary
are brought into view, on a desktop and a phone-sized screen."""

from __future__ import annotations

import sqlite3

import pytest

from tests.browser import app_server, asked_question, browser_page, require_browser, sign_up, wait_idle
from tests.conftest import TEST_SECRET, strong_password
from ui.strings import STRINGS

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def en(key: str) -> str:
    return STRINGS[key]["en"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One app server for the module, on its own SQLite file; yields (url, database path)."""
    require_browser()
    database = tmp_path_factory.mktemp("interview") / "app.db"
    with app_server({"DATABASE_URL": f"sqlite:///{database}", "APP_SECRET": TEST_SECRET}) as url:
        yield url, database


def begin(page, url: str, username: str, questions: int, viewport: dict | None = None) -> None:  # noqa: ANN001
    """Sign up, open the interview page and start an English interview of `questions` questions."""
    page.goto(url)
    wait_idle(page, timeout=90_000)
    sign_up(page, username, strong_password(), "en")
    page.get_by_test_id("stSidebarNav").wait_for(timeout=60_000)
    if viewport:
        page.set_viewport_size(viewport)
    page.goto(url + "/chat")
    start = page.get_by_role("button", name=en("chat.start"))
    start.wait_for(timeout=120_000)
    wait_idle(page, timeout=60_000)
    slider = page.get_by_role("slider")
    slider.focus()
    slider.press("Home")
    for _ in range(questions - 1):
        slider.press("ArrowRight")
    start.click()
    page.get_by_text(en("chat.progress").format(position=1, planned=questions)).wait_for(timeout=60_000)
    wait_idle(page, timeout=60_000)


def top_in_view(locator) -> bool:  # noqa: ANN001
    """Whether the element's top edge is on screen (its start, not just some part of it, can be read); scrolled to,
    it may sit half a pixel above."""
    return locator.evaluate("e => { const r = e.getBoundingClientRect(); return r.top > -2 && r.top < innerHeight; }")


def test_a_refresh_always_comes_back_to_the_interview_and_its_question(server) -> None:
    url, _ = server
    with browser_page(locale="en-US") as page:
        begin(page, url, "refresher", questions=2)
        question = asked_question(page, 1).text["en"]
        here = page.url
        assert here == url + "/chat"  # the latest unfinished interview: a clean address
        for attempt in range(30):
            page.reload()
            page.get_by_text(en("chat.progress").format(position=1, planned=2)).wait_for(timeout=60_000)
            wait_idle(page, timeout=60_000)
            assert page.url == here, attempt
            assert page.get_by_role("heading", name=en("chat.title")).is_visible(), attempt
            assert asked_question(page, 1).text["en"] == question, attempt
            page.get_by_test_id("stChatInputTextArea").wait_for(timeout=30_000)  # the answer box is back too
        assert page.errors == []


def test_an_unsent_answer_is_kept_on_the_server_and_comes_back_after_a_refresh(server) -> None:
    url, database = server
    draft = "A deadlock needs four conditions: mutual exclusion, hold and wait, 그리고 순환 대기"
    with browser_page(locale="en-US") as page:
        begin(page, url, "drafter", questions=2)
        box = page.get_by_test_id("stChatInputTextArea")
        box.click()
        box.press_sequentially(draft[:20], delay=20)
        box.type(draft[20:])  # no Enter, no click: the candidate just types
        page.wait_for_timeout(2500)  # saved a second after the last keystroke
        wait_idle(page)
        with sqlite3.connect(database) as db:
            assert db.execute("SELECT text FROM answer_drafts").fetchall() == [(draft,)]

        page.reload()
        box = page.get_by_test_id("stChatInputTextArea")
        box.wait_for(timeout=60_000)
        page.wait_for_function(
            "d => document.querySelector('[data-testid=\"stChatInputTextArea\"]')?.value === d", arg=draft,
            timeout=30_000,
        )
        box.press("Enter")  # the restored text is the real value of the box: it sends
        page.get_by_text(en("chat.helpful")).first.wait_for(timeout=60_000)
        wait_idle(page)
        assert page.get_by_test_id("stChatMessage").filter(has_text=draft).count() == 1
        with sqlite3.connect(database) as db:
            assert db.execute("SELECT count(*) FROM answer_drafts").fetchone() == (0,)
            assert db.execute("SELECT answer_text FROM answers").fetchall() == [(draft,)]
        assert page.errors == []


def test_an_answer_typed_just_before_a_refresh_comes_back(server) -> None:
    url, database = server
    draft = "Paging splits memory into fixed-size pages, 그리고 TLB caches translations"
    with browser_page(locale="en-US") as page:
        begin(page, url, "quickrefresh", questions=2)
        box = page.get_by_test_id("stChatInputTextArea")
        box.click()
        box.type(draft)
        page.reload()  # at once: before the server save a second after the last keystroke
        page.wait_for_function(
            "d => document.querySelector('[data-testid=\"stChatInputTextArea\"]')?.value === d", arg=draft,
            timeout=60_000,
        )
        page.wait_for_timeout(1500)
        wait_idle(page)
        with sqlite3.connect(database) as db:  # and the server has it now too
            assert db.execute("SELECT text FROM answer_drafts").fetchall() == [(draft,)]
        assert page.errors == []


def test_an_answer_typed_just_before_moving_to_another_page_is_there_on_coming_back(server) -> None:
    url, database = server
    draft = "A semaphore counts permits, 그리고 a mutex has one owner"
    with browser_page(locale="en-US") as page:
        begin(page, url, "wanderer", questions=2)
        page.wait_for_function("() => document.activeElement?.dataset.testid === 'stChatInputTextArea'")
        page.keyboard.type(draft)  # the question's answer box has the keyboard: no click needed
        nav = page.get_by_test_id("stSidebarNav")
        nav.get_by_role("link", name=en("nav.history")).click()  # at once: before the server save
        page.get_by_role("heading", name=en("history.title")).wait_for(timeout=60_000)
        nav.get_by_role("link", name=en("nav.chat")).click()
        page.wait_for_function(
            "d => document.querySelector('[data-testid=\"stChatInputTextArea\"]')?.value === d", arg=draft,
            timeout=60_000,
        )
        saved = []
        for _ in range(40):  # and the server has it now too, saved a moment later
            page.wait_for_timeout(500)
            with sqlite3.connect(database) as db:
                saved = db.execute("SELECT text FROM answer_drafts WHERE text = ?", (draft,)).fetchall()
            if saved:
                break
        assert saved == [(draft,)]
        assert page.errors == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_score_card_and_then_the_summary_are_brought_into_view(server, viewport) -> None:
    url, _ = server
    with browser_page(locale="en-US") as page:
        begin(page, url, f"viewer_{viewport['width']}", questions=2, viewport=viewport)
        box = page.get_by_test_id("stChatInputTextArea")
        box.fill(asked_question(page, 1).model_answer["en"])
        box.press("Enter")
        page.get_by_text(en("chat.helpful")).first.wait_for(timeout=60_000)
        wait_idle(page)
        page.wait_for_timeout(500)
        score = page.get_by_test_id("stChatMessage").filter(has=page.get_by_test_id("stMetric")).last
        assert top_in_view(score), "the score card starts above or below the screen"
        assert page.get_by_test_id("stMetric").last.is_visible()

        page.get_by_role("button", name=en("chat.next")).click()
        page.get_by_text(en("chat.progress").format(position=2, planned=2)).wait_for(timeout=60_000)
        wait_idle(page)
        skip = page.get_by_role("button", name=en("chat.skip"))
        skip.scroll_into_view_if_needed()  # where the candidate is: at the end of a long page
        skip.click()
        summary = page.get_by_text(en("summary.title"), exact=True)
        summary.wait_for(timeout=60_000)
        wait_idle(page)
        page.wait_for_timeout(500)
        assert top_in_view(summary), "the summary is off screen"
        assert page.get_by_text(en("summary.overall")).is_visible()
        # The interview is below, collapsed: no score card until it is asked for.
        assert page.get_by_test_id("stChatMessage").count() == 0
        page.get_by_text(en("chat.transcript")).click()
        page.get_by_test_id("stChatMessage").first.wait_for(timeout=30_000)
        assert page.errors == []
