"""A short run of benchmarks/load.py: candidates interviewing at once lose nothing, double nothing, fail
nothing and stay inside the connection pool, offline and against an LLM stub with latency."""

from __future__ import annotations

import pytest

from benchmarks.load import passed, run_load
from benchmarks.turn import postgres_database


@pytest.mark.parametrize("llm", ["offline", "stub"])
def test_ten_candidates_at_once_on_postgresql(pg_url, llm: str) -> None:
    with postgres_database(pg_url) as url:
        result = run_load(url, candidates=10, llm=llm, latency=0.2)
    assert passed(result), result
    assert result["answers_stored"] == 30 and result["connections_peak"] >= 2  # they did overlap
