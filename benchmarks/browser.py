"""`python -m benchmarks.browser`: submit-to-score time of a 10-question offline interview in headless Chromium.

Starts the app (`streamlit run main.py`) on a throwaway SQLite file, signs up, runs a 10-question English
interview with the offline interviewer, answering each question with the bank's model answer, and measures in
the page, from the Enter keypress that sends the answer to the moment its score card is in the page (and to the
moment the answer itself shows in the transcript, and whether the grading status showed in between). As
baseline, in the same run, the offline grader alone grades the same answers to the same questions (what the
candidate waits for at the least). Prints each turn, p50/p95 of both and their ratio, the machine's load
average before and after (the 2 cores are shared), and, as its last line, one JSON object.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from backend.interview.offline import grade_bank_answer
from backend.rag.embeddings import offline_embeddings
from tests.browser import app_server, asked_question, browser_page, open_and_sign_up, open_page, wait_idle
from ui.strings import STRINGS

QUESTIONS = 10
TRACK = "databases"
TARGET_P95_S = 1.5
# Installed before the keypress: notes when Enter goes down in the answer box and when the page first holds one
# more score card (a metric in a chat message) than before.
_WATCH = """([cards, answer, grading]) => {
  window.__sent = null; window.__shown = null; window.__status = false; window.__scored = null;
  const box = document.querySelector('[data-testid="stChatInputTextArea"]');
  box.addEventListener('keydown', (e) => { if (e.key === 'Enter') window.__sent = performance.now(); },
                       {capture: true, once: true});
  const count = () => document.querySelectorAll('[data-testid="stChatMessage"] [data-testid="stMetric"]').length;
  const said = (text) => [...document.querySelectorAll('[data-testid="stChatMessage"]')]
    .some((m) => m.innerText.includes(text));
  const observer = new MutationObserver(() => {
    if (window.__sent === null) return;
    if (window.__shown === null && said(answer)) window.__shown = performance.now();
    if (!window.__status && said(grading)) window.__status = true;
    if (count() > cards) { window.__scored = performance.now(); observer.disconnect(); }
  });
  observer.observe(document.body, {childList: true, subtree: true, characterData: true});
}"""


def _en(key: str) -> str:
    return STRINGS[key]["en"]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def browser_turns(url: str) -> list[tuple[object, float, float | None, bool]]:
    """Run the interview in Chromium; per question: the question, seconds from Enter to its score card and to the
    answer shown in the transcript, and whether the grading status was seen in between."""
    turns = []
    with browser_page(locale="en-US") as page:
        open_and_sign_up(page, url, "bench_candidate", "Bench-candidate-7x!", "en")
        start = page.get_by_role("button", name=_en("chat.start"))
        open_page(page, "nav.chat", "en", start)  # clicks again if a rerun right after signing in swallowed it
        wait_idle(page, timeout=60_000)
        page.get_by_test_id("stSelectbox").first.click()
        page.get_by_role("option", name=STRINGS[f"track.{TRACK}"]["en"]).click()
        wait_idle(page)  # choosing the track redraws the set-up
        slider = page.get_by_role("slider")
        slider.focus()
        slider.press("Home")
        for _ in range(QUESTIONS - 1):
            slider.press("ArrowRight")
        wait_idle(page)
        start.click()
        for position in range(1, QUESTIONS + 1):
            page.get_by_text(f"Question {position} of {QUESTIONS}").first.wait_for(timeout=60_000)
            wait_idle(page, timeout=60_000)
            question = asked_question(page, position)
            box = page.get_by_test_id("stChatInputTextArea")
            box.fill(question.model_answer["en"])
            page.evaluate(_WATCH, [position - 1, question.model_answer["en"][:40], _en("chat.grading")])
            box.press("Enter")
            page.wait_for_function("window.__scored !== null", timeout=60_000)
            seconds, shown, status = page.evaluate(
                "[(window.__scored - window.__sent) / 1000, window.__shown && (window.__shown - window.__sent) / 1000,"
                " window.__status]"
            )
            turns.append((question, seconds, shown, status))
            print(
                f"  question {position:2d}: score card {seconds * 1000:6.0f} ms, answer shown "
                f"{'-' if shown is None else f'{shown * 1000:.0f} ms'}, grading status seen: {status}  {question.id}",
                flush=True,
            )
            wait_idle(page, timeout=60_000)
            page.get_by_role("button", name=_en("chat.finish") if position == QUESTIONS else _en("chat.next")).click()
        page.get_by_text(_en("summary.title"), exact=True).wait_for(timeout=60_000)
        if page.errors:
            raise RuntimeError(f"console errors: {page.errors}")
    return turns


def grader_seconds(turns: list[tuple]) -> list[float]:
    """The offline grader alone on the same answers (embedding model warmed up first)."""
    embeddings = offline_embeddings()
    grade_bank_answer(turns[0][0], turns[0][0].model_answer["en"], "en", embeddings)
    times = []
    for question, *_ in turns:
        started = time.perf_counter()
        grade_bank_answer(question, question.model_answer["en"], "en", embeddings)
        times.append(time.perf_counter() - started)
    return times


def main() -> int:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}",
            "APP_SECRET": "benchmark-pepper-" + "x" * 32,
            "OPENAI_API_KEY": "",
            "OPENAI_BASE_URL": "",
            "PINECONE_API_KEY": "",
        }
        with app_server(env) as url:
            turns = browser_turns(url)
    backend = grader_seconds(turns)
    load_after = os.getloadavg()
    browser = [s for _, s, _, _ in turns]
    shown = [a for _, _, a, _ in turns if a is not None]
    result = {
        "questions": len(turns),
        "submit_to_score_p50_s": round(statistics.median(browser), 3),
        "submit_to_score_p95_s": round(_percentile(browser, 0.95), 3),
        "submit_to_answer_shown_p50_s": round(statistics.median(shown), 3) if shown else None,
        "answer_shown_before_score": len(shown),
        "grading_status_seen": sum(1 for *_, status in turns if status),
        "grader_p50_s": round(statistics.median(backend), 3),
        "grader_p95_s": round(_percentile(backend, 0.95), 3),
        "ratio_p95": round(_percentile(browser, 0.95) / _percentile(backend, 0.95), 2),
        "target_p95_s": TARGET_P95_S,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
    }
    print()
    print(f"{'':24}{'p50':>10}{'p95':>10}")
    p50, p95 = result["submit_to_score_p50_s"], result["submit_to_score_p95_s"]
    print(f"{'browser submit→score':24}{p50:>9.3f}s{p95:>9.3f}s")
    print(f"{'offline grader alone':24}{result['grader_p50_s']:>9.3f}s{result['grader_p95_s']:>9.3f}s")
    print(f"ratio (p95, browser / grader): {result['ratio_p95']}  ·  target p95 ≤ {TARGET_P95_S} s")
    print(
        f"answer shown before its score card in {len(shown)}/{len(turns)} turns (p50 "
        f"{result['submit_to_answer_shown_p50_s']} s after Enter); grading status seen in "
        f"{result['grading_status_seen']}/{len(turns)}"
    )
    print(f"load average (1, 5, 15 min) before {result['load_average_before']}, after {result['load_average_after']}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
