"""Articles from local files: .txt/.md (with optional `NAME.meta.yaml` beside), .json and .jsonl.

A .jsonl file holds one article a line in the evaluation schema (`id`, `text`, `lang`, `published`,
`title`, `source`); unknown fields are ignored so a gold file can be read as it is.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from bot.core.models import Article

log = logging.getLogger(__name__)
TEXT_SUFFIXES = {".txt", ".md"}
JSON_SUFFIXES = {".json", ".jsonl"}
HTML_SUFFIXES = {".html", ".htm"}
ARTICLE_SUFFIXES = TEXT_SUFFIXES | JSON_SUFFIXES | HTML_SUFFIXES


class ArticleFileError(ValueError):
    """A file that cannot be read as articles; the message names the file and the problem."""


def parse_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def article_from_dict(data: dict[str, Any], *, default_id: str, source: str) -> Article:
    text = data.get("text")
    if not isinstance(text, str):
        raise ArticleFileError(f"article {data.get('id', default_id)!r} has no 'text' string")
    title = data.get("title")
    return Article(
        id=str(data.get("id") or default_id),
        text=text,
        title=str(title) if title else None,
        lang=str(data["lang"]) if data.get("lang") else None,
        published=parse_date(data.get("published")),
        source=str(data.get("source") or source),
        url=str(data["url"]) if data.get("url") else None,
        outlet=str(data["outlet"]) if data.get("outlet") else None,
    )


def _decode(raw: bytes) -> str:
    # Files come from anywhere: try UTF-8 (with BOM), then the usual Western legacy encoding.
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def _meta_for(path: Path) -> dict[str, Any]:
    meta_path = path.with_name(path.stem + ".meta.yaml")
    if not meta_path.exists():
        return {}
    try:
        # Decoded like the articles: a meta file saved as cp1252 is read, not a UnicodeDecodeError.
        meta = yaml.safe_load(_decode(meta_path.read_bytes()))
    except yaml.YAMLError as exc:
        raise ArticleFileError(f"{meta_path}: not valid YAML ({exc.__class__.__name__})") from exc
    if not isinstance(meta, dict):
        raise ArticleFileError(f"{meta_path}: expected a mapping of title/lang/published/source")
    return meta


def html_to_text(html: str) -> tuple[str, str | None]:
    """Main text and title of an HTML page, boilerplate removed when the extractor can."""
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, favor_recall=True) or ""
    meta = trafilatura.extract_metadata(html)
    title = meta.title if meta is not None else None
    return text, title


def read_articles(path: Path, *, source: str | None = None) -> Iterator[Article]:
    """Every article in a file or folder (recursively, sorted by name for stable order).

    In a folder, a file that cannot be read (bad JSON, a truncated .jsonl, unreadable bytes…) is
    logged, naming it, and skipped: the articles before the error and the other files are kept. A
    single file that cannot be read raises ArticleFileError."""
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and child.suffix.lower() in ARTICLE_SUFFIXES:
                try:
                    yield from read_articles(child, source=source)
                except Exception as exc:  # one bad file must not hide the rest of the folder
                    log.warning("%s: skipped (%s: %s)", child, exc.__class__.__name__, exc)
        return
    if not path.exists():
        raise ArticleFileError(f"{path}: no such file or folder")
    suffix = path.suffix.lower()
    src = source or path.parent.name or "files"
    if suffix == ".jsonl":
        for n, line in enumerate(_decode(path.read_bytes()).splitlines(), start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ArticleFileError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
            if not isinstance(data, dict):
                raise ArticleFileError(f"{path}:{n}: expected a JSON object")
            yield article_from_dict(data, default_id=f"{path.stem}-{n}", source=src)
    elif suffix == ".json":
        try:
            data = json.loads(_decode(path.read_bytes()))
        except json.JSONDecodeError as exc:
            raise ArticleFileError(f"{path}: not valid JSON ({exc.msg})") from exc
        items = data if isinstance(data, list) else [data]
        for n, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raise ArticleFileError(f"{path}: item {n} is not a JSON object")
            yield article_from_dict(item, default_id=f"{path.stem}-{n}", source=src)
    elif suffix in TEXT_SUFFIXES or suffix in HTML_SUFFIXES or not suffix:
        meta = _meta_for(path)
        raw = _decode(path.read_bytes())
        if suffix in HTML_SUFFIXES:
            text, title = html_to_text(raw)
            meta.setdefault("title", title)
        else:
            text = raw
        yield article_from_dict(
            {**meta, "text": text.strip()}, default_id=meta.get("id") or path.stem, source=src
        )
    else:
        raise ArticleFileError(f"{path}: unsupported file type {suffix!r} (use .txt, .md, .html, .json, .jsonl)")
