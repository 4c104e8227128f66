"""Ingestion's own queries and the source backoff rule (the Store's connection, no new tables)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from bot.config import SourceConfig
from bot.ingest.urls import redact_urls
from bot.store import Store
from bot.store.db import SourceState
from bot.store.sources_db import content_seen, forget_source

__all__ = ["backoff_delay", "content_seen", "failed", "forget_source", "record_failure", "succeeded"]

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 86400


def backoff_delay(interval_s: int, failures: int) -> dt.timedelta:
    """interval * 2^failures, capped at a day (or at the interval when that is longer)."""
    cap = max(MAX_BACKOFF_S, interval_s)
    return dt.timedelta(seconds=min(interval_s * 2 ** min(failures, 32), cap))


def failed(state: SourceState, error: str, interval_s: int, now: dt.datetime) -> SourceState:
    """The state after a failed poll. URLs in the error are redacted (userinfo, query values): anyone
    may read `last_error` with `/news sources`."""
    failures = state.failures + 1
    return dataclasses.replace(state, failures=failures, last_polled_at=now, last_error=redact_urls(error)[:2000],
                               next_retry_at=now + backoff_delay(interval_s, failures))


def succeeded(state: SourceState, now: dt.datetime, *, etag: str | None = None, last_modified: str | None = None,
              initialized: bool = True) -> SourceState:
    return dataclasses.replace(
        state, failures=0, last_polled_at=now, last_success_at=now, last_error=None, next_retry_at=None,
        etag=etag, last_modified=last_modified, initialized=initialized)


def record_failure(store: Store, source: SourceConfig, state: SourceState, error: str, now: dt.datetime) -> SourceState:
    """Count a failed poll and schedule the retry. Logged at WARNING only when the source goes from
    working to failing (then INFO while it keeps failing): a dead feed does not flood the logs."""
    if not error.startswith("source "):
        error = f"source {source.name!r}: {error}"
    error = redact_urls(error)
    new_state = failed(state, error, source.interval_s, now)
    store.save_source_state(new_state)
    retry = new_state.next_retry_at.isoformat(timespec="seconds") if new_state.next_retry_at else "?"
    if state.failures == 0:
        log.warning("%s (failing; next try at %s)", error, retry)
    else:
        log.info("%s (failure %d; next try at %s)", error, new_state.failures, retry)
    return new_state
