"""The candidate's whole journey in real headless Chromium, in the Korean and the English UI.

`streamlit run main.py` on a free port against PostgreSQL: a fresh database created for this module on the
server of TEST_DATABASE_URL and dropped afterwards. Sign up → an offline interview of 3 questions → refresh in
the middle and resume on the same question → see the results → the history page lists the interview → log out
→ the old session cookie, put into a new browser context, no longer logs in → a wrong password gets the error,
the right one gets in. Every page is screenshotted into tests/artifacts/e2e/<language>/ (git-ignored); any
Streamlit exception box, and any browser console error or failed request other than the two 404s Streamlit
itself makes for <page>/_stcore/health and <page>/_stcore/host-config (streamlit/streamlit#7074), fails it.
Waits are on visible elements and on Streamlit's script state, never on fixed sleeps.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from benchmarks.turn import postgres_database
from tests.browser import (
    answer_question,
    app_server,
    browser_page,
    label,
    new_page,
    open_page,
    require_browser,
    sign_up,
    start_interview,
    wait_idle,
)
from tests.conftest import ROOT, TEST_SECRET, strong_password
from ui.keys import COOKIE_NAME

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "tests" / "artifacts" / "e2e"
LOCALES = {"ko": "ko-KR", "en": "en-US"}
QUESTIONS = 3


@pytest.fixture(scope="module")
def app_url(pg_url: str) -> Iterator[str]:
    """One app server for the module, on a fresh PostgreSQL database."""
    require_browser()
    with postgres_database(pg_url) as database_url, app_server(
        {"DATABASE_URL": database_url, "APP_SECRET": TEST_SECRET}
    ) as url:
        yield url


class Camera:
    """Screenshots each page in order, after checking it shows no exception box and logged no error."""

    def __init__(self, language: str) -> None:
        self.folder = ARTIFACTS / language
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.count = 0

    def shot(self, page, name: str, focus=None) -> None:  # noqa: ANN001
        """Screenshot `page` (scrolled to `focus`, a locator) as the next numbered `name`."""
        wait_idle(page, timeout=60_000)
        if focus is not None:
            focus.scroll_into_view_if_needed()
        self.count += 1
        page.screenshot(path=self.folder / f"{self.count:02d}-{name}.png", full_page=True)
        assert page.get_by_test_id("stException").count() == 0, name
        assert page.errors == [], (name, page.errors)

    @contextmanager
    def on_failure(self, page) -> Iterator[None]:  # noqa: ANN001
        """Screenshot every open page of `page`'s browser as it was when the journey failed."""
        try:
            yield
        except BaseException:
            pages = [p for context in page.context.browser.contexts for p in context.pages]
            for i, open_page in enumerate(pages):
                open_page.screenshot(path=self.folder / f"failure-{i}.png", full_page=True)
            raise


def greeting(page, username: str, language: str):  # noqa: ANN001, ANN201
    return page.get_by_text(label("home.greeting", language).format(username=username))


def logged_in(page, username: str, language: str) -> bool:  # noqa: ANN001
    """Whether a freshly opened page greets `username` (else it shows the login form)."""
    greeting_ = greeting(page, username, language)
    signup_tab = page.get_by_role("tab", name=label("auth.signup_tab", language))
    greeting_.or_(signup_tab).first.wait_for(timeout=90_000)
    wait_idle(page, timeout=60_000)
    return greeting_.count() == 1 and signup_tab.count() == 0


@pytest.mark.parametrize("language", ["ko", "en"])
def test_a_candidate_signs_up_interviews_resumes_after_a_refresh_reviews_and_logs_out(app_url, language) -> None:
    camera = Camera(language)
    username, password = f"journey_{language}", strong_password()
    with browser_page(locale=LOCALES[language]) as page, camera.on_failure(page):
        page.goto(app_url)
        page.get_by_role("tab", name=label("auth.signup_tab", language)).wait_for(timeout=120_000)
        camera.shot(page, "login")

        sign_up(page, username, password, language)
        greeting(page, username, language).wait_for(timeout=60_000)
        page.wait_for_function(f"document.cookie.includes('{COOKIE_NAME}=')", timeout=30_000)  # written by the page
        camera.shot(page, "home")

        start_interview(page, language, QUESTIONS)
        answer_question(page, 1, QUESTIONS, language)
        camera.shot(page, "feedback-1", page.get_by_role("button", name=label("chat.next", language)))
        page.get_by_role("button", name=label("chat.next", language)).click()
        progress = label("chat.progress", language).format(position=2, planned=QUESTIONS)
        page.get_by_text(progress).wait_for(timeout=60_000)
        camera.shot(page, "question-2", page.get_by_test_id("stChatInputTextArea"))
        transcript = page.get_by_test_id("stChatMessage").all_inner_texts()
        assert page.url == f"{app_url}/chat", page.url  # what the refresh reloads

        page.reload()  # mid-interview: still logged in, on the same question, nothing lost
        signup_tab = page.get_by_role("tab", name=label("auth.signup_tab", language))
        page.get_by_text(progress).or_(signup_tab).first.wait_for(timeout=90_000)
        assert signup_tab.count() == 0, "the refresh logged the candidate out"
        wait_idle(page, timeout=60_000)
        assert page.get_by_test_id("stChatMessage").all_inner_texts() == transcript
        camera.shot(page, "question-2-after-refresh", page.get_by_test_id("stChatInputTextArea"))

        answer_question(page, 2, QUESTIONS, language)
        page.get_by_role("button", name=label("chat.next", language)).click()
        answer_question(page, 3, QUESTIONS, language)
        page.get_by_role("button", name=label("chat.finish", language)).click()
        page.get_by_text(label("summary.title", language), exact=True).wait_for(timeout=60_000)
        page.get_by_text(label("summary.overall", language)).first.wait_for(timeout=30_000)
        camera.shot(page, "results", page.get_by_text(label("summary.title", language), exact=True))

        open_page(page, "nav.history", language, page.get_by_role("button", name=label("history.open", language)).first)
        wait_idle(page)
        assert page.get_by_role("button", name=label("history.open", language)).count() == 1
        assert page.get_by_text(label("history.answered", language).format(n=QUESTIONS)).first.is_visible()
        camera.shot(page, "history")

        cookie = next(c for c in page.context.cookies() if c["name"] == COOKIE_NAME)
        with_cookie = new_page(page.context.browser, LOCALES[language])  # the cookie alone logs in, for now
        with_cookie.context.add_cookies([cookie])
        with_cookie.goto(app_url)
        assert logged_in(with_cookie, username, language)
        with_cookie.context.close()

        page.get_by_role("button", name=label("sidebar.logout", language)).click()
        page.get_by_role("tab", name=label("auth.signup_tab", language)).wait_for(timeout=60_000)
        camera.shot(page, "logged-out")

        replayed = new_page(page.context.browser, LOCALES[language])  # the same cookie after logout
        replayed.context.add_cookies([cookie])
        replayed.goto(app_url)
        assert not logged_in(replayed, username, language)
        camera.shot(replayed, "old-cookie-after-logout")

        form = replayed.get_by_test_id("stForm").first  # the login tab is open first
        form.get_by_role("textbox", name=label("auth.username", language)).fill(username)
        form.get_by_role("textbox", name=label("auth.password", language), exact=True).fill(password + "x")
        form.get_by_role("button", name=label("auth.login_button", language)).click()
        replayed.get_by_text(label("auth.bad_credentials", language)).wait_for(timeout=60_000)
        camera.shot(replayed, "wrong-password")

        form.get_by_role("textbox", name=label("auth.password", language), exact=True).fill(password)
        form.get_by_role("button", name=label("auth.login_button", language)).click()
        greeting(replayed, username, language).wait_for(timeout=60_000)
        camera.shot(replayed, "logged-in-again")
