"""Articles from local files: .txt/.md/.html (with optional `NAME.meta.yaml` beside), .json and .jsonl.

A .jsonl file holds one article a line in the evaluation schema (`id`, `text`, `lang`, `published`,
`title`, `source`); unknown fields are ignored so a gold file can be read as it is.

Safeguards, since anything can be dropped into a folder:
- size: a .txt/.md/.html/.json file larger than `max_bytes` (config `fetch.max_bytes`, the cap on
  remote bodies) is refused, not cut (a cut article is a wrong article), and never read whole; a
  .jsonl file is a batch, read line by line, and only a line larger than `max_bytes` is skipped;
- encodings: see `bot.ingest.encodings` (BOMs, UTF-16 without BOM, declared charset, legacy sniffing);
  a file in no encoding we can tell, or binary (NUL bytes, control characters), is refused;
- a broken .jsonl line is skipped and logged with its line number; the lines after it are read.
A refused file is logged at WARNING naming it and why.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml

from bot.config import FetchConfig
from bot.core.models import Article
from bot.ingest.encodings import SAMPLE, NotText, check_controls, decode, detect, legacy_encoding
from bot.store.files_state import FileState, path_key

log = logging.getLogger(__name__)
TEXT_SUFFIXES = {".txt", ".md"}
JSON_SUFFIXES = {".json", ".jsonl"}
HTML_SUFFIXES = {".html", ".htm"}
ARTICLE_SUFFIXES = TEXT_SUFFIXES | JSON_SUFFIXES | HTML_SUFFIXES
DEFAULT_MAX_BYTES = FetchConfig().max_bytes
# Broken .jsonl lines logged one by one; beyond, one line counts the rest (a wrong file is not a flood).
LOGGED_BAD_LINES = 10


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


def read_capped(path: Path, max_bytes: int) -> bytes:
    """The bytes of a file no larger than `max_bytes`; a larger one is refused without being read."""
    size = path.stat().st_size
    with path.open("rb") as f:
        data = f.read(max_bytes + 1)  # never more, even if the file grew since stat
    if size > max_bytes or len(data) > max_bytes:
        raise ArticleFileError(
            f"{path}: {max(size, len(data))} bytes, larger than fetch.max_bytes ({max_bytes}); not read "
            f"(split it into smaller files or a .jsonl, or raise fetch.max_bytes)")
    return data


def decode_file(path: Path, data: bytes) -> str:
    try:
        text, found = decode(data)
    except NotText as exc:
        raise ArticleFileError(f"{path}: refused, {exc}") from None
    if found.how == "sniffed":
        log.info("%s: not UTF-8, read as %s", path, found.encoding)
    return text


def _meta_for(path: Path, max_bytes: int) -> dict[str, Any]:
    meta_path = path.with_name(path.stem + ".meta.yaml")
    if not meta_path.exists():
        return {}
    try:
        # Decoded like the articles: a meta file saved as cp1252 is read, not a UnicodeDecodeError.
        meta = yaml.safe_load(decode_file(meta_path, read_capped(meta_path, max_bytes)))
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


def read_articles(
    path: Path, *, source: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES, skip_bad_lines: bool = False,
) -> Iterator[Article]:
    """Every article in a file or folder (recursively, sorted by name for stable order).

    In a folder, a file that cannot be read (too large, binary, bad JSON, unknown encoding…) is logged,
    naming it, and skipped: the other files are kept. A single file that cannot be read raises
    ArticleFileError. A bad .jsonl line raises ArticleFileError naming `file:line` (the `extract`
    command's strictness) unless `skip_bad_lines`: then it is logged with its number and skipped, and
    the lines after it are read (every ingestion path)."""
    if path.is_dir():
        for child in article_files(path):
            try:
                yield from read_articles(child, source=source, max_bytes=max_bytes, skip_bad_lines=skip_bad_lines)
            except Exception as exc:  # one bad file must not hide the rest of the folder
                log.warning("%s", skipped(child, exc))
        return
    if not path.exists():
        raise ArticleFileError(f"{path}: no such file or folder")
    yield from _file_articles(path, source or path.parent.name or "files", max_bytes, skip_bad_lines=skip_bad_lines)


def skipped(path: Path, exc: BaseException) -> str:
    """The log line of a file skipped in a folder: its name once, and why."""
    if isinstance(exc, ArticleFileError) and str(exc).startswith(str(path)):
        return f"{exc}; file skipped"
    return f"{path}: file skipped ({exc.__class__.__name__}: {exc})"


def article_files(folder: Path) -> list[Path]:
    return [p for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES]


def _file_articles(
    path: Path, src: str, max_bytes: int, data: bytes | None = None, *, skip_bad_lines: bool = True,
) -> Iterator[Article]:
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from _jsonl_articles(path, src, max_bytes, skip_bad_lines=skip_bad_lines)
        return
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES | {".json", ""}:
        raise ArticleFileError(f"{path}: unsupported file type {suffix!r} (use .txt, .md, .html, .json, .jsonl)")
    raw = decode_file(path, data if data is not None else read_capped(path, max_bytes))
    if suffix == ".json":
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ArticleFileError(f"{path}: not valid JSON ({exc.msg})") from exc
        items = parsed if isinstance(parsed, list) else [parsed]
        for n, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raise ArticleFileError(f"{path}: item {n} is not a JSON object")
            yield article_from_dict(item, default_id=f"{path.stem}-{n}", source=src)
        return
    meta = _meta_for(path, max_bytes)
    if suffix in HTML_SUFFIXES:
        text, title = html_to_text(raw)
        meta.setdefault("title", title)
    else:
        text = raw
    yield article_from_dict({**meta, "text": text.strip()}, default_id=meta.get("id") or path.stem, source=src)


def _jsonl_articles(path: Path, src: str, max_bytes: int, *, skip_bad_lines: bool) -> Iterator[Article]:
    bad: list[str] = []
    with path.open("rb") as f:
        for n, line, problem in _jsonl_lines(path, f, max_bytes):
            if problem is None:
                assert line is not None
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as exc:
                    problem = f"not valid JSON ({exc.msg})"
                else:
                    if not isinstance(data, dict):
                        problem = "not a JSON object"
                    elif not isinstance(data.get("text"), str):
                        problem = "no 'text' string"
                    else:
                        yield article_from_dict(data, default_id=f"{path.stem}-{n}", source=src)
                        continue
            if not skip_bad_lines:
                raise ArticleFileError(f"{path}:{n}: {problem}")
            bad.append(f"{n}")
            if len(bad) <= LOGGED_BAD_LINES:
                log.warning("%s:%d: line skipped, %s; the other lines are read", path, n, problem)
    if len(bad) > LOGGED_BAD_LINES:
        log.warning("%s: %d bad lines skipped in all (lines %s…)", path, len(bad), ", ".join(bad[:30]))


def _jsonl_lines(path: Path, f: IO[bytes], max_bytes: int) -> Iterator[tuple[int, str | None, str | None]]:
    """(line number, text, None) or (line number, None, why it cannot be read), streamed: one line at a
    time in memory, each at most `max_bytes`."""
    try:
        sample = f.read(SAMPLE)
        found = detect(sample)
        if found.encoding.startswith(("utf-16", "utf-32")):
            check_controls(sample.decode(found.encoding, errors="replace"))  # characters, not only zero bytes
    except NotText as exc:
        raise ArticleFileError(f"{path}: refused, {exc}") from None
    f.seek(0)
    if found.encoding.startswith(("utf-16", "utf-32")):
        wide = io.TextIOWrapper(f, encoding=found.encoding, errors="replace", newline=None)
        limit = max(1, max_bytes // 2)  # characters: at least 2 bytes each
        n = 0
        while True:
            chars = wide.readline(limit + 1)
            if not chars:
                return
            n += 1
            if len(chars) > limit and not chars.endswith("\n"):
                while (more := wide.readline(limit)) and not more.endswith("\n"):
                    pass
                yield n, None, f"longer than fetch.max_bytes ({max_bytes})"
            else:
                yield n, chars, None
    n = 0
    while True:
        raw = f.readline(max_bytes + 1)
        if not raw:
            return
        n += 1
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            while (rest := f.readline(max_bytes)) and not rest.endswith(b"\n"):
                pass
            yield n, None, f"longer than fetch.max_bytes ({max_bytes})"
            continue
        yield n, *_decode_line(raw, found.encoding)


def _decode_line(raw: bytes, encoding: str) -> tuple[str | None, str | None]:
    try:
        return raw.decode(encoding), None
    except UnicodeDecodeError:
        pass
    try:  # UTF-8 at the start of the file, another encoding further down: judged line by line
        return raw.decode(legacy_encoding(raw)), None
    except NotText as exc:
        return None, str(exc)


# --- folders polled again and again: only the files that changed are read ------------------------


@dataclass
class FolderScan:
    """What one poll of a file or folder source found: the articles of new or changed files, the state
    to remember for them (`changed`), every file's key (`present`) and how many were skipped unchanged."""

    articles: list[Article] = field(default_factory=list)
    changed: list[FileState] = field(default_factory=list)
    present: set[str] = field(default_factory=set)
    unchanged: int = 0


def scan(path: Path, *, source: str, known: Mapping[str, FileState], max_bytes: int = DEFAULT_MAX_BYTES) -> FolderScan:
    """Read the files of `path` (a folder or one file) that are new or changed since `known`.

    A file whose size and mtime are those remembered is not opened; one whose bytes hash to the
    remembered SHA-256 (touched, copied over with the same content) is not parsed. In a folder, refused
    files are remembered too, so their warning is logged once, not on every poll; a single file that
    cannot be read raises ArticleFileError (a failure of its source, with its backoff)."""
    out = FolderScan()
    folder = path.is_dir()
    files = article_files(path) if folder else [path]
    for file in files:
        rel = path_key(file.relative_to(path).as_posix() if folder else file.name)
        out.present.add(rel)
        try:
            st = file.stat()
        except OSError as exc:
            log.warning("%s: skipped (%s)", file, exc)
            continue
        before = known.get(rel)
        if before is not None and (before.size, before.mtime_ns) == (st.st_size, st.st_mtime_ns):
            out.unchanged += 1
            continue
        state, articles = _read_changed(file, rel, st.st_size, st.st_mtime_ns, before, source, max_bytes,
                                        log_errors=folder)
        out.changed.append(state)
        out.articles.extend(articles)
    return out


def _read_changed(
    file: Path, rel: str, size: int, mtime_ns: int, before: FileState | None, source: str, max_bytes: int, *,
    log_errors: bool,
) -> tuple[FileState, list[Article]]:
    digest: str | None = None
    try:
        if file.suffix.lower() == ".jsonl":
            digest = file_digest(file)
            data = None
        else:
            data = read_capped(file, max_bytes)
            digest = hashlib.sha256(data).hexdigest()
        if before is not None and before.sha256 == digest:
            return FileState(rel, size, mtime_ns, digest, before.outcome), []
        articles = list(_file_articles(file, source, max_bytes, data))
        if before is not None and before.sha256 is not None and file.suffix.lower() not in JSON_SUFFIXES:
            # An edited one-article file is a new version, like a page source's: its own id, so the
            # store keeps it beside the first (JSON items carry their own ids: those are kept).
            articles = [dataclasses.replace(a, id=f"{a.id}#v{digest[:12]}") for a in articles]
    except (ArticleFileError, OSError, ValueError, yaml.YAMLError) as exc:
        if not log_errors:
            raise ArticleFileError(str(exc)) from exc
        log.warning("%s", skipped(file, exc))
        return FileState(rel, size, mtime_ns, digest, f"refused: {exc}"), []
    return FileState(rel, size, mtime_ns, digest, f"read: {len(articles)} article(s)"), articles


def file_digest(path: Path) -> str:
    """SHA-256 of a file, read 1 MiB at a time."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()
