"""Web pages: main text and metadata (title, date, language) by trafilatura, and `read_url`.

A page whose main text is shorter than `MIN_TEXT_CHARS`, or holds fewer than `MIN_PROSE_WORDS`
words of running prose, is not an article (a home page, a list of links, an error page): nothing
is stored and the caller logs why.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from bot.config import FetchConfig
from bot.core.models import Article
from bot.ingest.fetch import Fetcher, FetchError, FetchResult
from bot.ingest.files import parse_date
from bot.ingest.lang import settle_language
from bot.ingest.text import decode_bytes, html_lang, lang_code
from bot.ingest.urls import host_of, normalize_url

log = logging.getLogger(__name__)

MIN_TEXT_CHARS = 200
# …and at least this many words in prose lines (lines of 8+ words): lists of links, menus and teasers
# can add up to 200 characters without being an article.
MIN_PROSE_WORDS = 40


class NotAnArticle(Exception):
    """A page with no article text; the message names the URL."""


class ReadError(Exception):
    """`read_url` could not produce an article: refused, failed or not an article."""


def _extract(html: str, url: str) -> tuple[str, str | None, dt.date | None, str | None]:
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False)
    if doc is None or isinstance(doc, dict):
        return "", None, None, None
    return doc.text or "", doc.title or None, parse_date(doc.date), lang_code(doc.language)


def extract_page(
    content: bytes, *, url: str, source: str, content_type: str = "", lang: str | None = None,
    key: str | None = None, min_chars: int = MIN_TEXT_CHARS, outlet: str | None = None,
) -> Article:
    """The article on a page; raises NotAnArticle when there is no main text worth the name."""
    html = decode_bytes(content, content_type)
    if not html.strip():
        raise NotAnArticle(f"{url}: empty page")
    try:
        text, title, published, doc_lang = _extract(html, url)
    except Exception as exc:  # trafilatura on junk: a page we cannot read is not an article
        raise NotAnArticle(f"{url}: page could not be parsed ({exc.__class__.__name__})") from None
    text = text.strip()
    if len(text) < min_chars:
        raise NotAnArticle(f"{url}: no article text on the page ({len(text)} characters of main text)")
    prose = sum(n for n in (len(line.split()) for line in text.splitlines()) if n >= 8)
    if prose < MIN_PROSE_WORDS:
        raise NotAnArticle(f"{url}: no article text on the page (lists or fragments, {prose} words of prose)")
    norm = normalize_url(url)
    return Article(
        id=key or norm, text=text, title=title, lang=doc_lang or html_lang(content) or lang,
        published=published, source=source, url=norm, outlet=outlet or source,
    )


async def extract_fetched(result: FetchResult, *, source: str, lang: str | None = None, key: str | None = None,
                          url: str | None = None, outlet: str | None = None) -> Article:
    """`extract_page` on a fetch result, in a worker thread (trafilatura is CPU work)."""
    if result.truncated:
        log.info("%s: body cut at the size limit; extracting from what was read", result.url)
    return await asyncio.to_thread(
        extract_page, result.content, url=url or result.url, source=source, content_type=result.content_type,
        lang=lang, key=key, outlet=outlet)


async def read_url(
    url: str, *, fetcher: Fetcher | None = None, fetch: FetchConfig | None = None, allow_private: bool | None = None,
    source: str = "read", lang: str | None = None,
) -> Article:
    """Fetch a user-requested URL and return its article (the `/news read URL` command).

    Uses `fetcher` (share the pipeline's: `pipeline.fetcher`), else a short-lived one built from
    `fetch`. The URL guard checks the URL and every redirect hop unless `allow_private` (default: the
    fetch config's) lifts it. Raises ReadError with a message fit to show the user.
    """
    if fetcher is None:
        own = Fetcher(fetch or FetchConfig())
        try:
            return await read_url(url, fetcher=own, allow_private=allow_private, source=source, lang=lang)
        finally:
            await own.aclose()
    private = fetcher.config.allow_private if allow_private is None else allow_private
    try:
        result = await fetcher.get(url, guard=True, allow_private=private)
    except FetchError as exc:
        raise ReadError(str(exc)) from None
    try:
        article = await extract_fetched(result, source=source, lang=lang, outlet=host_of(result.url) or source)
    except NotAnArticle as exc:
        raise ReadError(str(exc)) from None
    return await asyncio.to_thread(settle_language, article)
