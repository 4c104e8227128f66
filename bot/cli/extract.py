"""`python -m bot extract ARTICLES…`: the alerts found in articles, as JSON lines (no database needed)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

EXTRACT_EXIT = """exit status: 0 every article was read; 1 some articles failed (each is named on stderr with
its error, the others' alerts are printed); 2 a file could not be read as articles."""


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "extract",
        help="print the alerts found in articles, as JSON lines (no database needed)",
        description="Read articles (a .jsonl file of articles, a .txt/.md/.html file, or a folder) and "
        "print one JSON object per alert, in the schema of the evaluation kit, with its `confidence`. "
        "By default only the alerts that would be pushed to chats are printed.",
        epilog=EXTRACT_EXIT,
    )
    p.add_argument("paths", nargs="+", metavar="ARTICLES", help="a .jsonl/.json/.txt/.md/.html file or folder")
    p.add_argument("--all", action="store_true",
                   help="print every alert found, also those below the push threshold (each has its confidence)")
    p.set_defaults(handler=cmd_extract)


def cmd_extract(args: argparse.Namespace) -> int:
    from bot.core.extract import extract_alerts
    from bot.core.extract.confidence import is_pushed
    from bot.core.models import alert_to_dict
    from bot.ingest.files import ArticleFileError, read_articles

    out = sys.stdout
    failed = 0
    try:
        for path in args.paths:
            for article in read_articles(Path(path)):
                try:
                    alerts = extract_alerts(article)
                except Exception as exc:  # one bad article must not cost the others their alerts
                    failed += 1
                    print(f"failed: article {article.id}: {type(exc).__name__}: {exc}", file=sys.stderr)
                    continue
                for alert in alerts:
                    if not args.all and not is_pushed(alert):
                        continue
                    out.write(json.dumps(alert_to_dict(alert), ensure_ascii=False) + "\n")
    except ArticleFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if failed:
        print(f"{failed} article(s) failed", file=sys.stderr)
        return 1
    return 0
