"""A short run of benchmarks/load.py: candidates interviewing at once lose nothing, double nothing, fail
nothing and stay inside the connection pool, offline (alongside 2 real browser sessions on a `streamlit run`
server) and against an LLM stub with latency."""

from __future__ import annotations

import pytest

from benchmarks.load import checks_why, passed, run_load
from benchmarks.turn import postgres_database
from tests.browser import require_browser


@pytest.mark.parametrize(("llm", "browsers"), [("offline", 2), ("stub", 0)])
def test_ten_candidates_at_once_on_postgresql(pg_url, llm: str, browsers: int) -> None:
    if browsers:
        require_browser()
    with postgres_database(pg_url) as url:
        result = run_load(url, candidates=10, llm=llm, latency=0.2, browsers=browsers)
    errors = [*result["errors"], *(result["browsers"] or {}).get("errors", [])]
    assert passed(result), (checks_why(result), errors[:5])
    assert result["answers_stored"] == 30 and result["connections_peak"] >= 2  # they did overlap
    if browsers:
        assert result["browsers"]["answers_stored"] == 3 * browsers and result["browsers"]["answers_match_sent"]
        assert result["browsers"]["connections_peak"] >= 1  # the server's connections were watched
