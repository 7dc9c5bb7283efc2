"""Browser journey: a full 5-question offline interview in English, in real headless Chromium."""

from __future__ import annotations

import pytest

from tests.browser import (
    answer_for,
    app_server,
    browser_page,
    open_and_sign_up,
    open_page,
    require_browser,
    wait_idle,
)
from tests.conftest import TEST_SECRET, strong_password

pytestmark = pytest.mark.browser


def test_full_offline_interview_in_the_browser(tmp_path) -> None:
    require_browser()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "APP_SECRET": TEST_SECRET}
    password = strong_password()
    with app_server(env) as url, browser_page(locale="en-US") as page:
        open_and_sign_up(page, url, "candidate", password, "en")
        page.get_by_test_id("stSidebarNav").wait_for(timeout=60_000)
        open_page(page, "nav.chat", "en", page.get_by_role("button", name="Start interview"))
        assert page.get_by_text("feedback is computed from each question's key points, not by an LLM").is_visible()
        page.get_by_role("button", name="Start interview").click()

        for position in range(1, 6):
            page.get_by_text(f"Question {position} of 5").wait_for(timeout=60_000)
            wait_idle(page, timeout=60_000)
            box = page.get_by_test_id("stChatInputTextArea")
            box.fill(answer_for(page, position, "en"))
            box.press("Enter")
            page.get_by_text("Was this feedback helpful?").nth(position - 1).wait_for(timeout=60_000)
            wait_idle(page, timeout=60_000)
            assert page.get_by_text("Key points", exact=True).count() >= position
            page.get_by_role("button", name="See my results" if position == 5 else "Next question").click()

        page.get_by_text("Interview results", exact=True).wait_for(timeout=60_000)
        wait_idle(page)
        assert page.get_by_text("Overall score").is_visible()
        page.reload()  # still logged in: the results come back, and a new interview can start from them
        page.get_by_text("Interview results", exact=True).wait_for(timeout=60_000)
        wait_idle(page)
        page.get_by_role("button", name="Start a new interview").click()
        page.get_by_role("button", name="Start interview").wait_for(timeout=60_000)
        assert page.errors == []
