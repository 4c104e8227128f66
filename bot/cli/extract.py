"""`python -m bot extract ARTICLES…`: the alerts found in articles, as JSON lines (no database needed)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "extract",
        help="print the alerts found in articles, as JSON lines (no database needed)",
        description="Read articles (a .jsonl file of articles, a .txt/.md/.html file, or a folder) and "
        "print one JSON object per alert, in the schema of the evaluation kit.",
    )
    p.add_argument("paths", nargs="+", metavar="ARTICLES", help="a .jsonl/.json/.txt/.md/.html file or folder")
    p.set_defaults(handler=cmd_extract)


def cmd_extract(args: argparse.Namespace) -> int:
    from bot.core.extract import extract_alerts
    from bot.core.models import alert_to_dict
    from bot.ingest.files import ArticleFileError, read_articles

    out = sys.stdout
    try:
        for path in args.paths:
            for article in read_articles(Path(path)):
                for alert in extract_alerts(article):
                    out.write(json.dumps(alert_to_dict(alert), ensure_ascii=False) + "\n")
    except ArticleFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
