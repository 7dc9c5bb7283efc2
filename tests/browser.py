"""A real headless Chromium against a real `streamlit run` server, for browser journeys."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ROOT
from ui.strings import STRINGS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_browser() -> None:
    """Skip without Chromium/Playwright, unless REQUIRE_BROWSER=1 (then fail)."""
    missing = not Path(CHROMIUM).exists()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = True
    if missing:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("REQUIRE_BROWSER=1 but Chromium or Playwright is missing")
        pytest.skip("Chromium or Playwright not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def app_server(env: dict[str, str]) -> Iterator[str]:
    """Run `streamlit run main.py` with `env` added; yields its URL."""
    port = _free_port()
    full_env = {**os.environ, **env, "PYTHONUNBUFFERED": "1"}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "main.py",
        "--server.headless=true",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        "--browser.gatherUsageStats=false",
    ]
    # The server's output goes to a file: a pipe nobody reads would block a server that logs a lot.
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        else:
            log.seek(0)
            raise RuntimeError("streamlit did not start: " + log.read().decode(errors="replace")[-2000:])
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextmanager
def browser_page(locale: str = "ko-KR") -> Iterator[object]:
    """A fresh Chromium page; console errors are collected on `page.errors`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield new_page(browser, locale)
        finally:
            browser.close()


def new_page(browser, locale: str = "ko-KR"):  # noqa: ANN001, ANN201
    """A page in a new context (its own cookies) of `browser`, collecting console errors on `page.errors`."""
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: _console_error(page, m))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("response", lambda r: _failed_response(page, r))
    return page


def _console_error(page, message) -> None:  # noqa: ANN001
    # Failed requests are recorded with their URL by _failed_response instead.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        page.errors.append(message.text)


def _failed_response(page, response) -> None:  # noqa: ANN001
    # Opened at a page URL (/chat), Streamlit's frontend first probes /chat/_stcore/… and falls back to /_stcore/…
    # (streamlit/streamlit#7074): exactly those two 404s are expected.
    probe = re.search(r"://[^/]+/[^_][^/]*/_stcore/(health|host-config)$", response.url)
    if response.status >= 400 and not (probe and response.status == 404):
        page.errors.append(f"HTTP {response.status} {response.url}")


def sign_up(page, username: str, password: str, language: str) -> None:  # noqa: ANN001
    """Fill and send the sign-up form, with its labels in `language`."""
    label = {key: STRINGS[key][language] for key in STRINGS if key.startswith("auth.")}
    page.get_by_role("tab", name=label["auth.signup_tab"]).click(timeout=90_000)
    form = page.get_by_test_id("stForm").nth(1)
    username_box = form.get_by_role("textbox", name=label["auth.username"])
    username_box.wait_for(timeout=90_000)  # a busy machine may take a while to draw the tab
    username_box.fill(username)
    form.get_by_role("textbox", name=label["auth.password"], exact=True).fill(password)
    form.get_by_role("textbox", name=label["auth.password_confirm"]).fill(password)
    form.get_by_role("button", name=label["auth.signup_button"]).click()


def open_and_sign_up(page, url: str, username: str, password: str, language: str) -> None:  # noqa: ANN001
    """Open a fresh app (its first run indexes the knowledge base) and sign up there."""
    page.goto(url)
    wait_idle(page, timeout=90_000)
    sign_up(page, username, password, language)


def wait_idle(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    page.wait_for_timeout(300)


def open_page(page, nav_key: str, language: str, ready) -> None:  # noqa: ANN001
    """Click the sidebar link `nav_key` and wait for the locator `ready`. The first visit of a fresh server may
    index the bundled documents for a minute on a slow machine; a click that a rerun still in flight swallowed
    (right after signing in) shows as an idle app without `ready`, and is clicked again."""
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=label(nav_key, language))
    idle = page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')
    wait_idle(page, timeout=90_000)
    for _ in range(3):
        link.click()
        page.wait_for_timeout(1_000)
        for _ in range(180):  # up to three minutes
            if ready.count():
                return
            if idle.count():
                page.wait_for_timeout(1_000)  # idle a second later and still without `ready`: click again
                if ready.count():
                    return
                if idle.count():
                    break
            page.wait_for_timeout(1_000)
    ready.wait_for(state="attached", timeout=1_000)  # fails with Playwright's message naming `ready`


def label(key: str, language: str) -> str:
    """The UI string `key` in `language`."""
    return STRINGS[key][language]


def asked_question(page, position: int, language: str = "en"):  # noqa: ANN001, ANN201
    """The bank question asked at `position` (1-based), once the page shows it."""
    from backend.interview.bank import load_bank

    questions = {q.text[language]: q for q in load_bank().values()}
    for _ in range(240):
        messages = page.get_by_test_id("stChatMessage").all_inner_texts()
        asked = [q for m in messages for text, q in questions.items() if text in m]
        if len(asked) >= position:
            return asked[position - 1]
        page.wait_for_timeout(250)
    raise AssertionError(f"question {position} never appeared")


def answer_for(page, position: int, language: str) -> str:  # noqa: ANN001
    """The bank's model answer to the question asked at `position` (the candidate knows their stuff)."""
    return asked_question(page, position, language).model_answer[language]


def start_interview(page, language: str, questions: int) -> None:  # noqa: ANN001
    """Open the interview page from the sidebar and start an interview of `questions` questions."""
    from playwright.sync_api import expect

    start = page.get_by_role("button", name=label("chat.start", language))
    open_page(page, "nav.chat", language, start)
    wait_idle(page, timeout=60_000)
    slider = page.get_by_role("slider")
    slider.focus()
    slider.press("Home")  # 1, then one step per extra question
    for _ in range(questions - 1):
        slider.press("ArrowRight")
    expect(slider).to_have_value(str(questions))
    start.click()


def answer_question(page, position: int, planned: int, language: str, text: str | None = None) -> None:  # noqa: ANN001
    """Answer the question at `position` (with the bank's model answer unless `text`) and wait for its feedback."""
    page.get_by_text(label("chat.progress", language).format(position=position, planned=planned)).wait_for(
        timeout=90_000
    )
    wait_idle(page, timeout=60_000)
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(text or answer_for(page, position, language))
    box.press("Enter")
    page.get_by_text(label("chat.helpful", language)).nth(position - 1).wait_for(timeout=90_000)
    wait_idle(page, timeout=60_000)
