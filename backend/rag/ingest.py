"""`python -m backend.rag.ingest PATH... [--namespace NAME] [--rebuild]`: index files and folders."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from backend.config import get_settings
from backend.context import build_context
from backend.rag.knowledge import make_knowledge_base
from backend.rag.store import BUNDLED


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend.rag.ingest", description=__doc__)
    parser.add_argument("paths", nargs="+", help="files (.md .txt .docx .pdf) or folders")
    parser.add_argument("--namespace", default=BUNDLED, help=f"target namespace (default: {BUNDLED})")
    parser.add_argument("--rebuild", action="store_true", help="re-index even unchanged files")
    args = parser.parse_args(argv)
    missing = [path for path in args.paths if not Path(path).exists()]
    if missing:  # checked up front: a typo would otherwise abort the run half-way with a traceback
        parser.error(f"no such file or folder: {', '.join(missing)}")
    ctx = build_context(get_settings())
    kb = make_knowledge_base(ctx.settings, ctx.sessions)
    report = kb.ingest_paths(
        args.paths,
        namespace=args.namespace,
        rebuild=args.rebuild,
        progress=lambda files: tqdm(files, desc="ingest", unit="file", file=sys.stderr),
    )
    for path, error in report.errors:
        print(f"error: {path}: {error.code} ({error.detail})", file=sys.stderr)
    print(report.summary())
    return 1 if report.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
