"""Real Chromium: finish an interview, find it on the history page, open it and download its PDF."""

from __future__ import annotations

from pypdf import PdfReader

from tests.browser import app_server, browser_page, open_and_sign_up, open_page, require_browser, wait_idle
from tests.conftest import TEST_SECRET, strong_password
from ui.strings import STRINGS

ANSWER = "프로세스는 각자 독립된 가상 주소 공간을 가지고, 스레드는 같은 프로세스의 힙과 전역 변수를 공유합니다."


def ko(key: str) -> str:
    return STRINGS[key]["ko"]


def test_a_finished_interview_is_found_on_the_history_page_and_downloads_as_a_korean_pdf(tmp_path) -> None:
    require_browser()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "APP_SECRET": TEST_SECRET}
    with app_server(env) as url, browser_page(locale="ko-KR") as page:
        open_and_sign_up(page, url, "historian", strong_password(), "ko")
        nav = page.get_by_test_id("stSidebarNav")
        nav.wait_for(timeout=60_000)
        open_page(page, "nav.chat", "ko", page.get_by_role("button", name=ko("chat.start")))
        slider = page.get_by_role("slider")
        slider.focus()
        slider.press("Home")  # one question
        page.get_by_role("button", name=ko("chat.start")).click()
        box = page.get_by_test_id("stChatInputTextArea")
        box.wait_for(timeout=60_000)
        wait_idle(page, timeout=60_000)
        box.fill(ANSWER)
        box.press("Enter")
        page.get_by_text(ko("chat.helpful")).wait_for(timeout=60_000)
        wait_idle(page, timeout=60_000)
        page.get_by_role("button", name=ko("chat.finish")).click()
        page.get_by_text(ko("summary.title"), exact=True).wait_for(timeout=60_000)

        open_page(page, "nav.history", "ko", page.get_by_role("button", name=ko("history.open")).first)
        wait_idle(page)
        assert page.get_by_role("button", name=ko("history.open")).count() == 1
        page.get_by_role("button", name=ko("history.open")).first.click()
        # The answer as written in the transcript (its sentence may also be quoted as a score's evidence).
        page.get_by_test_id("stText").get_by_text(ANSWER, exact=True).wait_for(timeout=60_000)
        wait_idle(page)
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name=ko("history.download_pdf")).click()
        path = tmp_path / "interview.pdf"
        download.value.save_as(path)
        text = "".join(p.extract_text() for p in PdfReader(path).pages)
        assert ANSWER.replace(" ", "") in text.replace(" ", "").replace("\n", "")
        assert page.errors == []
