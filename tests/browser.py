"""A real headless Chromium against a real `streamlit run` server, for browser journeys."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
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
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
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
            raise RuntimeError("streamlit did not start")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextmanager
def browser_page(locale: str = "ko-KR") -> Iterator[object]:
    """A fresh Chromium page; console errors are collected on `page.errors`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.errors = []
        page.on("console", lambda m: _console_error(page, m))
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.on("response", lambda r: _failed_response(page, r))
        try:
            yield page
        finally:
            browser.close()


def _console_error(page, message) -> None:  # noqa: ANN001
    # Failed requests are recorded with their URL by _failed_response instead.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        page.errors.append(message.text)


def _failed_response(page, response) -> None:  # noqa: ANN001
    # Opened at a page URL (/chat), Streamlit's frontend first probes /chat/_stcore/… and falls back to /_stcore/….
    probe = re.search(r"://[^/]+/[^_][^/]*/_stcore/(health|host-config)$", response.url)
    if response.status >= 400 and not probe:
        page.errors.append(f"HTTP {response.status} {response.url}")


def sign_up(page, username: str, password: str, language: str) -> None:  # noqa: ANN001
    """Fill and send the sign-up form, with its labels in `language`."""
    label = {key: STRINGS[key][language] for key in STRINGS if key.startswith("auth.")}
    page.get_by_role("tab", name=label["auth.signup_tab"]).click()
    form = page.get_by_test_id("stForm").nth(1)
    form.get_by_role("textbox", name=label["auth.username"]).fill(username)
    form.get_by_role("textbox", name=label["auth.password"], exact=True).fill(password)
    form.get_by_role("textbox", name=label["auth.password_confirm"]).fill(password)
    form.get_by_role("button", name=label["auth.signup_button"]).click()


def wait_idle(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    page.wait_for_timeout(300)
