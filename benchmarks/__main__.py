"""`python -m benchmarks`: run every benchmark, one after the other, and write benchmarks/REPORT.md.

Each benchmark runs as its own process (`python -m benchmarks.<name>`, with the size flags listed in KNOWN),
so the runner depends only on what each prints: a table, and as its last line one JSON object. Every module
of this package with a `__main__` block is a benchmark (`benchmarks.browser` too, once it exists). The report
shows, per benchmark, its targets (every `targets_met` object in its JSON, each marked met or not met), the
baselines it measured in the same run, and all its figures; with the date, the machine and the git commit.

Why a target was missed: next to a `targets_met` object a benchmark may put a `targets_why` object with the
same keys, one plain sentence for each target it did not meet, stating the measured value against the bar
and a reason measured in the same run. The report shows that sentence beside the not-met target (its
Targets table has a "why not met" column) and in the summary at the top; a not-met target without one is
marked as such.
Last line: one JSON object (what was met, and each target missed with its reason).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "benchmarks" / "REPORT.md"
BUDGET_S = 600  # the whole run, on the 2-core development machine
HANG_S = 1800  # one benchmark taking longer is stopped and reported as failed
# What each benchmark measures, with the flags that keep the whole run within the budget, in running order;
# any other module of this package with a `__main__` block runs after them, as it is.
KNOWN: dict[str, tuple[list[str], str]] = {
    "retrieval": ([], "recall, MRR and latency of the retriever against dense-only and BM25-only baselines"),
    # The test half is the one its targets judge (the dev half is for tuning; both together take minutes).
    "grading": (["--view", "test"], "the offline grader on held-out answers against a naive cosine baseline"),
    "tailoring": ([], "questions picked for a résumé or job description against BM25 in one language"),
    "turn": ([], "the app's own overhead per interview turn, 10 vs 1,000 earlier sessions"),
    "history": ([], "history page, dashboard, search and opening an interview, small vs large history"),
    "load": ([], "candidates interviewing at once through the backend and in real browsers"),
    "browser": ([], "submit-to-score time in headless Chromium against the offline grader alone"),
}


def benchmarks() -> list[tuple[str, list[str], str]]:
    """(name, flags, what) of every benchmark module present now."""
    present = sorted(
        path.stem
        for path in (ROOT / "benchmarks").glob("*.py")
        if not path.stem.startswith("_") and 'if __name__ == "__main__"' in path.read_text(encoding="utf-8")
    )
    order = [name for name in KNOWN if name in present] + [name for name in present if name not in KNOWN]
    return [(name, *KNOWN.get(name, ([], "see its docstring"))) for name in order]


# Figures that are a baseline, or compare against one (shown apart from the rest).
BASELINE = re.compile(r"baseline|naive|dense|bm25|ratio", re.IGNORECASE)
MAX_FIGURES = 400


NO_REASON = "the benchmark gave no reason (no `targets_why` entry)"


class Target(NamedTuple):
    """One verdict of a benchmark: where it sits, whether it was met, and (when not) the benchmark's reason."""

    name: str
    met: bool
    why: str = ""


@dataclass
class Outcome:
    """One benchmark's run: its JSON (None when it failed), how long it took, and why it failed."""

    name: str
    command: str
    seconds: float
    data: dict[str, Any] | None
    error: str = ""
    what: str = ""
    targets: list[Target] = field(default_factory=list)

    @classmethod
    def from_output(
        cls, name: str, command: str, *, stdout: str, stderr: str, returncode: int, seconds: float, what: str = ""
    ) -> Outcome:
        """Read the last non-empty line of `stdout` as the benchmark's JSON."""
        lines = [line for line in stdout.splitlines() if line.strip()]
        data, error = None, ""
        try:
            data = json.loads(lines[-1]) if lines else None
        except json.JSONDecodeError:
            data = None
        if not isinstance(data, dict):
            data = None
            error = "no JSON object on its last line"
        if returncode != 0:
            error = f"exit code {returncode}" + (f"; {error}" if error else "")
        if error:
            tail = (stderr or stdout).strip().splitlines()[-3:]
            error += ": " + " / ".join(tail) if tail else ""
        outcome = cls(name, command, round(seconds, 1), data, error, what)
        outcome.targets = targets_in(data) if data else []
        return outcome


def targets_in(data: Any, path: str = "") -> list[Target]:
    """Every target verdict in a benchmark's JSON: the entries of each `targets_met` object, and a top-level
    `passed`, each named by where it sits; a not-met one carries the sentence of the `targets_why` beside it."""
    found: list[Target] = []
    if isinstance(data, dict):
        reasons = data.get("targets_why") if isinstance(data.get("targets_why"), dict) else {}
        for key, value in data.items():
            here = f"{path}.{key}" if path else str(key)
            if key == "targets_met" and isinstance(value, dict):
                found += [
                    Target(
                        f"{path}: {name}" if path else str(name), bool(met), "" if met else str(reasons.get(name, ""))
                    )
                    for name, met in value.items()
                ]
            elif key == "targets_why" and isinstance(value, dict):
                continue
            elif key == "passed" and not path and isinstance(value, bool):
                found.append(Target("passed", value, "" if value else str(reasons.get("passed", ""))))
            else:
                found += targets_in(value, here)
    elif isinstance(data, list):
        for i, item in enumerate(data):
            found += targets_in(item, f"{path}[{i}]")
    return found


def figures_in(data: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every figure of a benchmark's JSON as (path, value); lists of plain values stay one value."""
    if isinstance(data, dict):
        return [
            row
            for key, value in data.items()
            if key not in ("targets_met", "targets_why")
            for row in figures_in(value, f"{path}.{key}" if path else str(key))
        ]
    if isinstance(data, list) and any(isinstance(item, dict | list) for item in data):
        return [row for i, item in enumerate(data) for row in figures_in(item, f"{path}[{i}]")]
    return [(path, data)]


def _cell(value: Any) -> str:
    if isinstance(value, float):
        value = round(value, 4)
    text = (
        json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict | bool) or value is None else str(value)
    )
    return text.replace("|", "\\|").replace("\n", " ")


def _table(rows: list[tuple[str, Any]]) -> list[str]:
    lines = ["| figure | value |", "|---|---|"]
    lines += [f"| `{path}` | {_cell(value)} |" for path, value in rows[:MAX_FIGURES]]
    if len(rows) > MAX_FIGURES:
        lines.append(f"| … | {len(rows) - MAX_FIGURES} more figures in the benchmark's own output |")
    return lines


def _reason(target: Target) -> str:
    return target.why or NO_REASON


def missed(outcomes: list[Outcome]) -> dict[str, str]:
    """Every target not met, named "<benchmark>: <target>", with the benchmark's reason."""
    return {f"{o.name}: {t.name}": _reason(t) for o in outcomes for t in o.targets if not t.met}


def render(outcomes: list[Outcome], machine: dict[str, Any]) -> str:
    """The report as Markdown."""
    met = sum(t.met for o in outcomes for t in o.targets)
    total = sum(len(o.targets) for o in outcomes)
    seconds = sum(o.seconds for o in outcomes)
    lines = [
        "# Benchmark report",
        "",
        "Generated by `python -m benchmarks`; do not edit by hand (run it again instead).",
        "",
        f"- Date: {machine['date']}",
        f"- Machine: {machine['cores']} CPU cores ({machine['cpu']}), {machine['python']}, "
        f"load average at the start {machine['load_start']}, at the end {machine['load_end']} "
        "(the cores are shared: timings move with other work)",
        f"- Git commit: `{machine['commit']}`" + (f" ({machine['dirty']})" if machine.get("dirty") else ""),
        f"- Whole run: {seconds:.0f} s (budget {BUDGET_S} s: {'within' if seconds <= BUDGET_S else 'OVER'})",
        f"- Targets: {met} of {total} met"
        + (
            f"; benchmarks that failed to run: {', '.join(o.name for o in outcomes if o.data is None)}"
            if any(o.data is None for o in outcomes)
            else ""
        ),
        *(["", "Not met:", ""] if missed(outcomes) else []),
        *[f"- `{name}` — {why}" for name, why in missed(outcomes).items()],
        "",
        "| benchmark | command | seconds | targets met |",
        "|---|---|---|---|",
    ]
    for o in outcomes:
        verdict = (
            "failed to run"
            if o.data is None
            else f"{sum(t.met for t in o.targets)} / {len(o.targets)}"
            if o.targets
            else "no target in its output"
        )
        lines.append(f"| [{o.name}](#{o.name}) | `{o.command}` | {o.seconds} | {verdict} |")
    for o in outcomes:
        lines += ["", f"## {o.name}", "", f"`{o.command}` — {o.what}, {o.seconds} s.", ""]
        if o.data is None:
            lines += [f"**Failed to run**: {o.error}"]
            continue
        lines += ["### Targets", ""]
        if o.targets:
            lines += ["| target | result | why not met |", "|---|---|---|"]
            lines += [
                f"| `{t.name}` | {'met' if t.met else '**not met**'} | {'' if t.met else _cell(_reason(t))} |"
                for t in o.targets
            ]
        else:
            lines.append("The benchmark reports no met/not-met verdict (no `targets_met` in its JSON).")
        stated = [(p, v) for p, v in figures_in(o.data) if p.split(".")[-1].lower().startswith("target")]
        if stated:
            lines += ["", "Targets as the benchmark states them:", "", *_table(stated)]
        figures = figures_in(o.data)
        baselines = [(p, v) for p, v in figures if BASELINE.search(p)]
        lines += ["", "### Baselines measured in this run", ""]
        lines += _table(baselines) if baselines else ["None in its JSON."]
        lines += ["", "<details><summary>All figures</summary>", "", *_table(figures), "", "</details>"]
    return "\n".join(lines) + "\n"


def run(name: str, flags: list[str], what: str, timeout: float) -> Outcome:
    """Run one benchmark in its own process."""
    command = " ".join(["python -m", f"benchmarks.{name}", *flags])
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", f"benchmarks.{name}", *flags],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        stdout, stderr, code = done.stdout, done.stderr, done.returncode
    except subprocess.TimeoutExpired as exc:
        partial = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else exc.stdout or ""
        stdout, stderr, code = "", f"timed out after {timeout:.0f} s; its output so far: {partial[-300:]}", -1
    seconds = time.perf_counter() - started
    return Outcome.from_output(name, command, stdout=stdout, stderr=stderr, returncode=code, seconds=seconds, what=what)


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine_facts() -> dict[str, Any]:
    """Date, cores, CPU, Python, git commit and load average, for the report's header."""
    cpu = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor() or platform.machine(),
        )
        if Path("/proc/cpuinfo").exists()
        else platform.machine()
    )
    changed = len(_git("--no-optional-locks", "status", "--porcelain", "--untracked-files=no").splitlines())
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": f"Python {platform.python_version()}",
        "commit": _git("rev-parse", "--short", "HEAD") or "unknown",
        "dirty": f"{changed} tracked files with uncommitted changes in the working tree" if changed else "",
        "load_start": _load(),
    }


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    runs = benchmarks()
    parser.add_argument("--only", action="append", choices=[name for name, _, _ in runs], help="only these")
    parser.add_argument("--out", type=Path, default=REPORT, help="where to write the report")
    args = parser.parse_args()
    machine = machine_facts()
    outcomes = []
    for name, flags, what in runs:
        if args.only and name not in args.only:
            continue
        print(f"running benchmarks.{name} …", flush=True)
        outcome = run(name, flags, what, timeout=HANG_S)
        verdict = outcome.error or f"{sum(t.met for t in outcome.targets)}/{len(outcome.targets)} targets met"
        print(f"  {outcome.seconds} s: {verdict}", flush=True)
        outcomes.append(outcome)
    machine["load_end"] = _load()
    args.out.write_text(render(outcomes, machine), encoding="utf-8")
    seconds = round(sum(o.seconds for o in outcomes), 1)
    print(f"wrote {args.out} ({seconds} s)")
    summary = {
        "report": str(args.out),
        "seconds": seconds,
        "within_budget": seconds <= BUDGET_S,
        "failed": [o.name for o in outcomes if o.data is None],
        "targets_missed": missed(outcomes),
        "targets_met": sum(t.met for o in outcomes for t in o.targets),
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
