"""`python -m backend.rag.ingest` and `python -m backend.rag.search` run as a user runs them (subprocess, temp SQLite).

Each run loads the offline model, so the runs are shared: one module-scoped ingest, then the tests in file order.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from backend.config import ROOT, load_settings
from backend.rag import ingest, knowledge
from tests.conftest import TEST_SECRET
from tests.rag_helpers import HashEmbeddings
from tests.test_rag_ingest import INDEXES, PROCESSES, write

KOREAN = (
    "# 운영체제\n\n## 교착 상태 {#deadlock}\n\n"
    "교착 상태는 상호 배제, 점유 대기, 비선점, 순환 대기가 모두 있을 때 생깁니다.\n"
)
SUMMARY = re.compile(
    r"^(?P<files>\d+) files \((?P<unchanged>\d+) unchanged\), chunks: (?P<added>\d+) added, "
    r"(?P<skipped>\d+) skipped, (?P<removed>\d+) removed, (?P<errors>\d+) errors, [\d.]+ s \([\d.]+ chunks/s\)$"
)


def run(module: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `python -m module args` in `cwd` on the SQLite file cwd/kb.db, with no cloud service configured."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(("OPENAI_", "PINECONE_", "DATABASE_"))}
    env.update(DATABASE_URL=f"sqlite:///{cwd / 'kb.db'}", PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def summary(stdout: str) -> dict[str, int]:
    lines = stdout.strip().splitlines()
    assert lines, "no output"
    match = SUMMARY.match(lines[-1])
    assert match, lines[-1]
    return {k: int(v) for k, v in match.groupdict().items()}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    write(folder, "notes/os.md", PROCESSES)
    write(folder, "notes/databases.md", INDEXES)
    write(folder, "notes/ko/os.md", KOREAN)
    return folder


@pytest.fixture(scope="module")
def first_ingest(workdir: Path) -> subprocess.CompletedProcess[str]:
    return run("backend.rag.ingest", "notes", "--namespace", "cli", cwd=workdir)


def test_ingest_indexes_a_folder_and_prints_a_summary(first_ingest: subprocess.CompletedProcess[str]) -> None:
    assert first_ingest.returncode == 0, first_ingest.stderr
    assert summary(first_ingest.stdout) == dict(files=3, unchanged=0, added=4, skipped=0, removed=0, errors=0)
    assert first_ingest.stdout.count("\n") == 1  # the summary alone on stdout
    assert "ingest" in first_ingest.stderr and "3/3" in first_ingest.stderr  # the progress bar, on stderr


def test_ingest_run_again_adds_nothing(workdir: Path, first_ingest: subprocess.CompletedProcess[str]) -> None:
    assert first_ingest.returncode == 0, first_ingest.stderr
    second = run("backend.rag.ingest", "notes", "--namespace", "cli", cwd=workdir)
    assert second.returncode == 0, second.stderr
    assert summary(second.stdout) == dict(files=3, unchanged=3, added=0, skipped=4, removed=0, errors=0)


def test_search_json_prints_one_line_per_query_with_citations(
    workdir: Path, first_ingest: subprocess.CompletedProcess[str]
) -> None:
    assert first_ingest.returncode == 0, first_ingest.stderr
    queries = ["What is a B-tree index?", "교착 상태는 언제 생기나요?", "heap shared by threads"]
    result = run("backend.rag.search", "--json", "-k", "2", "--namespace", "cli", *queries, cwd=workdir)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(queries)
    answers = [json.loads(line) for line in lines]
    assert [a["query"] for a in answers] == queries
    for answer in answers:
        assert set(answer) == {"query", "results"}
        assert len(answer["results"]) == 2
        for item in answer["results"]:
            assert set(item) == {"source", "title", "heading", "text", "score", "relevance"}
            assert isinstance(item["score"], float)
            assert isinstance(item["text"], str) and item["text"]
        scores = [item["score"] for item in answer["results"]]
        assert scores == sorted(scores, reverse=True)

    tops = [answer["results"][0] for answer in answers]
    assert (tops[0]["source"], tops[0]["heading"]) == (str(Path("notes/databases.md")), "Databases > Indexes")
    assert tops[0]["text"].startswith("#### Indexes\n\nA B-tree index keeps keys sorted")
    assert (tops[1]["source"], tops[1]["heading"]) == (str(Path("notes/ko/os.md")), "운영체제 > 교착 상태")
    assert "교착 상태는 상호 배제" in lines[1]  # Korean printed as such, not as \\u escapes
    assert (tops[2]["source"], tops[2]["heading"]) == (
        str(Path("notes/os.md")),
        "Operating Systems > Processes and Threads",
    )


def test_ingest_reports_each_bad_file_and_exits_non_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In process (the subprocess runs above already cover start-up): exit code, error lines, summary."""
    settings = load_settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'kb.db'}", app_secret=TEST_SECRET)
    monkeypatch.setattr(ingest, "get_settings", lambda: settings)
    monkeypatch.setattr(knowledge, "make_embeddings", lambda settings: HashEmbeddings())
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "docs/good.md", PROCESSES)
    (tmp_path / "docs" / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    write(tmp_path, "docs/empty.txt", "")
    write(tmp_path, "résumé.rtf", "{\\rtf1}")

    assert ingest.main(["docs", "résumé.rtf"]) == 1
    out, err = capsys.readouterr()
    assert summary(out) == dict(files=4, unchanged=0, added=2, skipped=0, removed=0, errors=3)
    errors = sorted(line for line in err.splitlines() if line.startswith("error: "))
    assert [line.split(" (")[0] for line in errors] == [
        f"error: {Path('docs/broken.pdf')}: kb.corrupt",
        f"error: {Path('docs/empty.txt')}: kb.empty",
        "error: résumé.rtf: kb.unsupported",
    ]

    assert ingest.main(["docs"]) == 1  # the bad files are still there; the good one is unchanged
    out, _ = capsys.readouterr()
    assert summary(out) == dict(files=3, unchanged=1, added=0, skipped=2, removed=0, errors=2)


def test_ingest_refuses_a_missing_path_before_touching_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(ingest, "get_settings", lambda: pytest.fail("settings loaded for a bad command line"))
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "docs/good.md", PROCESSES)
    with pytest.raises(SystemExit) as exited:
        ingest.main(["docs", "doc/typo.md"])
    assert exited.value.code == 2
    assert "no such file or folder: doc/typo.md" in capsys.readouterr().err
