"""Browser journeys: a résumé-tailored interview shows why each question was asked, and "Practise on my notes"
asks from the sections of an uploaded Markdown file and of a PDF, in real headless Chromium. Screenshots of each
land in tests/artifacts/notes/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import app_server, browser_page, label, open_page, require_browser, sign_up, wait_idle
from tests.conftest import TEST_SECRET, strong_password
from tests.test_notes import NOTES_MD, make_notes_pdf
from tests.test_tailoring import RESUME_EN

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).parent / "artifacts" / "notes"


def upload(page, path: Path) -> None:  # noqa: ANN001
    """Upload one file on the My documents page and wait until it is indexed."""
    open_page(page, "nav.documents", "en", page.get_by_test_id("stFileUploaderDropzoneInput"))
    wait_idle(page, timeout=60_000)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    page.get_by_text(f"{path.name} · ").first.wait_for(timeout=120_000)  # its row in the list: "name · n passages"
    wait_idle(page, timeout=60_000)


def choose(page, box_label: str, option: str) -> None:  # noqa: ANN001
    """Pick `option` in the select box labelled `box_label`."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    combo = page.get_by_test_id("stSelectbox").filter(has_text=box_label).get_by_role("combobox")
    for _ in range(3):  # the list may close again when another one was just closing
        combo.focus()
        combo.press("ArrowDown")  # opens the list (a click on Streamlit's combo box does not, under Playwright)
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=10_000)
            wait_idle(page)  # choosing the track redraws the set-up
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    raise AssertionError(f"could not choose {option!r} in {box_label!r}")


def start_with(page, document: str, *, notes: bool, track: str = "Python") -> None:  # noqa: ANN001
    """Open the interview set-up, choose `document` (as notes to practise on, or to tailor to) and start."""
    start = page.get_by_role("button", name=label("chat.start", "en"))
    open_page(page, "nav.chat", "en", start)
    wait_idle(page, timeout=60_000)
    choose(page, label("chat.track", "en"), track)
    choose(page, label("chat.context_doc", "en"), document)
    if notes:
        page.get_by_text(label("chat.notes", "en"), exact=True).click()
    start.click()


def end_interview(page) -> None:  # noqa: ANN001
    """End the interview and open a new set-up: from its results, or at once when nothing was answered (not kept)."""
    page.get_by_role("button", name=label("chat.end", "en")).click()
    page.get_by_role("button", name=label("chat.end_yes", "en")).click()
    results = page.get_by_text(label("summary.title", "en"), exact=True)
    discarded = page.get_by_text(label("chat.discarded", "en"))
    results.or_(discarded).first.wait_for(timeout=60_000)
    wait_idle(page, timeout=60_000)
    if results.count():
        page.get_by_role("button", name=label("chat.new", "en")).click()
    page.get_by_role("button", name=label("chat.start", "en")).wait_for(timeout=60_000)
    wait_idle(page, timeout=60_000)


def test_tailored_and_notes_interviews_say_why_each_question_is_asked(tmp_path) -> None:
    require_browser()
    SHOTS.mkdir(parents=True, exist_ok=True)
    files = {"resume.md": RESUME_EN.encode(), "os-notes.md": NOTES_MD.encode(), "network.pdf": make_notes_pdf()}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "APP_SECRET": TEST_SECRET}
    with app_server(env) as url, browser_page(locale="en-US") as page:
        journey(page, url, tmp_path, files)


def journey(page, url: str, tmp_path: Path, files: dict[str, bytes]) -> None:  # noqa: ANN001
    """The three interviews, with a screenshot of the page where a step fails."""
    try:
        _journey(page, url, tmp_path, files)
    except Exception:
        page.screenshot(path=str(SHOTS / "failure.png"), full_page=True)
        raise


def _journey(page, url: str, tmp_path: Path, files: dict[str, bytes]) -> None:  # noqa: ANN001
    """Upload the three documents, then a tailored interview and two notes interviews."""
    page.goto(url)
    wait_idle(page, timeout=90_000)
    sign_up(page, "notetaker", strong_password(), "en")
    page.get_by_test_id("stSidebarNav").wait_for(timeout=60_000)
    for name in files:
        upload(page, tmp_path / name)

    start_with(page, "resume.md", notes=False, track=label("track.web", "en"))
    page.get_by_text("You mention").first.wait_for(timeout=90_000)
    wait_idle(page, timeout=60_000)
    assert "in 'resume.md'" in page.get_by_test_id("stChatMessage").first.inner_text()
    page.screenshot(path=str(SHOTS / "tailored.png"), full_page=True)
    end_interview(page)

    start_with(page, "os-notes.md", notes=True)
    page.get_by_text("From your notes 'os-notes.md' › Deadlock").wait_for(timeout=90_000)
    wait_idle(page, timeout=60_000)
    assert "What do you know about “Deadlock”?" in page.get_by_test_id("stChatMessage").first.inner_text()
    page.screenshot(path=str(SHOTS / "notes-markdown.png"), full_page=True)
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(
        "A deadlock is when two threads each hold a lock the other needs. It needs mutual exclusion, hold "
        "and wait, no preemption and circular wait; breaking one condition prevents it."
    )
    box.press("Enter")
    page.get_by_text(label("chat.helpful", "en")).first.wait_for(timeout=90_000)
    wait_idle(page, timeout=60_000)
    page.screenshot(path=str(SHOTS / "notes-markdown-graded.png"), full_page=True)
    end_interview(page)

    start_with(page, "network.pdf", notes=True)
    page.get_by_text("From your notes 'network.pdf' › TCP handshake").wait_for(timeout=90_000)
    wait_idle(page, timeout=60_000)
    page.screenshot(path=str(SHOTS / "notes-pdf.png"), full_page=True)
    assert page.errors == []
