"""`python -m backend.rag.search [-k 5] [--namespace NAME] [--json] [--relevant-only] QUERY...`: print the top
passages (each the section around the best matching chunk)."""

from __future__ import annotations

import argparse
import json

from backend.config import get_settings
from backend.context import build_context
from backend.rag.knowledge import make_knowledge_base
from backend.rag.store import BUNDLED


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend.rag.search", description=__doc__)
    parser.add_argument("queries", nargs="+", metavar="QUERY")
    parser.add_argument("-k", type=int, default=5, help="passages per query (default 5)")
    parser.add_argument("--namespace", action="append", help=f"namespace to search (default: {BUNDLED}); repeatable")
    parser.add_argument("--json", action="store_true", help="one JSON line per query")
    parser.add_argument(
        "--relevant-only", action="store_true", help="leave out passages below the relevance floor (as citations do)"
    )
    args = parser.parse_args(argv)
    ctx = build_context(get_settings())
    kb = make_knowledge_base(ctx.settings, ctx.sessions)
    namespaces = args.namespace or [BUNDLED]
    if namespaces == [BUNDLED]:
        kb.ensure_bundled()
    for query in args.queries:
        passages = kb.search(query, namespaces=namespaces, k=args.k, relevant_only=args.relevant_only)
        if args.json:
            results = [
                {
                    key: value
                    for key, value in p.to_dict().items()
                    if key in ("source", "title", "heading", "text", "score", "relevance")
                }
                for p in passages
            ]
            print(json.dumps({"query": query, "results": results}, ensure_ascii=False))
        else:
            print(f"# {query}")
            for rank, p in enumerate(passages, 1):
                snippet = " ".join(p.text.split())[:160]
                print(f"{rank}. [{p.score:.3f}] {p.title} ({p.source})\n   {snippet}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
