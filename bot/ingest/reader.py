"""The chat's `read URL`: one page read through the guarded fetcher, for callers that hold only a fetch config.

It sits above both `guard` (which the fetcher calls on every hop) and `pages` (which reads the page), so
neither of those has to import the other.
"""

from __future__ import annotations

from bot.config import FetchConfig
from bot.core.models import Article
from bot.ingest.fetch import Fetcher
from bot.ingest.pages import read_url as read_page


async def read_url(
    url: str, allow_private: bool | None = None, *, fetch: FetchConfig | None = None, fetcher: Fetcher | None = None,
) -> Article:
    """The article at a user-requested URL, guarded (see `bot.ingest.pages.read_url`).
    Raises `bot.ingest.pages.ReadError` (refused, failed, or not an article)."""
    return await read_page(url, fetcher=fetcher, fetch=fetch, allow_private=allow_private)
