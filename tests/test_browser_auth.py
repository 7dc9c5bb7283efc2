"""Browser journey: sign up, survive a refresh, log out — in real headless Chromium."""

from __future__ import annotations

import pytest

from tests.browser import app_server, browser_page, open_and_sign_up, open_page, require_browser, sign_up, wait_idle
from tests.conftest import TEST_SECRET, strong_password
from ui.strings import STRINGS

pytestmark = pytest.mark.browser


def test_signup_refresh_stays_logged_in_then_logout(tmp_path) -> None:
    require_browser()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "APP_SECRET": TEST_SECRET}
    password = strong_password()
    with app_server(env) as url, browser_page() as page:
        page.goto(url)
        wait_idle(page)
        assert page.get_by_text("면접 코치").first.is_visible()
        # The page says its language (Streamlit's says "en"), and Korean lines break between words, not inside them:
        # in the paragraphs themselves, which carry Streamlit's own word-break.
        page.wait_for_function("document.documentElement.lang === 'ko'", timeout=30_000)
        paragraphs = "[data-testid=stAppViewContainer] [data-testid=stMarkdownContainer] p"
        breaking = f"() => [...document.querySelectorAll('{paragraphs}')].map(p => getComputedStyle(p).wordBreak)"
        assert set(page.evaluate(breaking)) == {"keep-all"}
        page.get_by_text("English", exact=True).click()
        page.wait_for_function("document.documentElement.lang === 'en'", timeout=30_000)
        assert set(page.evaluate(breaking)) == {"keep-all"}  # Korean content shows in the English interface too
        page.get_by_text("한국어", exact=True).click()
        page.wait_for_function("document.documentElement.lang === 'ko'", timeout=30_000)
        wait_idle(page)
        sign_up(page, "browser_user", password, "ko")
        page.get_by_text("안녕하세요, browser_user 님").wait_for(timeout=30_000)
        wait_idle(page)
        page.wait_for_function("document.documentElement.lang === 'ko'", timeout=30_000)  # logged in: from the sidebar
        cookies = {c["name"]: c for c in page.context.cookies()}
        assert "ic_session" in cookies and cookies["ic_session"]["sameSite"] == "Strict"
        assert cookies["ic_session"]["value"] not in page.url

        page.reload()
        page.get_by_text("안녕하세요, browser_user 님").wait_for(timeout=30_000)
        page.get_by_role("button", name="로그아웃").wait_for(timeout=30_000)  # the sidebar may draw a moment later

        # The uploader's own English button and limit read in Korean (Streamlit writes them in English).
        uploader = page.get_by_test_id("stFileUploaderDropzone")
        open_page(page, "nav.documents", "ko", uploader)
        drawn = uploader.evaluate(
            """zone => [zone.querySelector("button [data-testid='stMarkdownContainer'] p"),
                        zone.querySelector("[data-testid='stFileUploaderDropzoneInstructions'] span")]
                       .map(e => [getComputedStyle(e, "::after").content, getComputedStyle(e).fontSize])"""
        )
        assert drawn == [['"파일 선택"', "0px"], ['"파일당 10MB"', "0px"]]

        page.get_by_role("button", name="로그아웃").click()
        page.get_by_role("tab", name="회원가입").wait_for(timeout=30_000)
        wait_idle(page)
        page.reload()
        wait_idle(page)
        assert page.get_by_role("tab", name="회원가입").is_visible()
        assert not page.get_by_text("안녕하세요, browser_user 님").count()
        assert page.errors == []


def test_a_bookmarked_page_opened_logged_out_leads_through_login_to_that_page(tmp_path) -> None:
    require_browser()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "APP_SECRET": TEST_SECRET}
    with app_server(env) as url, browser_page(locale="en-US") as page:
        page.goto(url + "/history")
        page.get_by_role("tab", name=STRINGS["auth.signup_tab"]["en"]).wait_for(timeout=90_000)  # login in place
        wait_idle(page, timeout=60_000)
        assert page.get_by_text("does not seem to exist").count() == 0
        sign_up(page, "bookmarker", strong_password(), "en")
        page.get_by_role("heading", name=STRINGS["history.title"]["en"]).wait_for(timeout=60_000)
        assert page.url.endswith("/history")
        assert page.errors == []


def test_a_deleted_account_says_so_and_signing_up_again_lands_on_home(tmp_path) -> None:
    require_browser()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "APP_SECRET": TEST_SECRET}
    password = strong_password()
    with app_server(env) as url, browser_page(locale="en-US") as page:
        open_and_sign_up(page, url, "deleter", password, "en")
        page.get_by_text("Hello, deleter").wait_for(timeout=60_000)
        account_title = page.get_by_role("heading", name=STRINGS["account.title"]["en"])
        open_page(page, "nav.account", "en", account_title)
        wait_idle(page)
        page.get_by_text(STRINGS["account.delete"]["en"]).last.click()  # the expander
        form = page.get_by_test_id("stForm").last
        form.get_by_role("textbox", name=STRINGS["auth.password"]["en"]).fill(password)
        form.get_by_text(STRINGS["account.delete_confirm"]["en"]).click()
        form.get_by_role("button", name=STRINGS["account.delete_button"]["en"]).click()
        notice = page.get_by_text(STRINGS["account.deleted"]["en"])
        notice.wait_for(timeout=30_000)
        wait_idle(page)
        page.wait_for_timeout(2_000)  # the cookie component's reruns, which wiped a one-run message
        assert notice.is_visible()

        sign_up(page, "deleter", password, "en")
        page.get_by_role("heading", name="Hello, deleter").wait_for(timeout=60_000)
        wait_idle(page)
        assert not account_title.count()
        assert not notice.count()
        assert page.errors == []
