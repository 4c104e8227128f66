"""Slack's Web API refusals, classified, and one call run until Slack takes it or says no for good.

Kept apart from the adapter: delivery decides from a `ChatError` whether to try again later (429, 5xx,
timeouts) or to mark the send failed (channel gone, bot not in it, token revoked, message refused).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.chat.base import ChatError

log = logging.getLogger(__name__)

# Web API errors that trying again cannot fix (https://api.slack.com/methods/chat.postMessage#errors).
CHANNEL_ERRORS = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "channel_is_archived", "invalid_auth",
    "account_inactive", "token_revoked", "token_expired", "not_authed", "missing_scope", "no_permission",
    "team_access_not_granted", "ekm_access_denied", "restricted_action", "org_login_required",
})
MESSAGE_ERRORS = frozenset({
    "msg_too_long", "invalid_blocks", "invalid_blocks_format", "too_many_attachments", "invalid_arguments",
    "message_not_found", "cant_update_message", "edit_window_closed", "invalid_metadata_format",
    "metadata_too_large", "no_text",
})
# Thread answers and alerts wait out this many 429s in a row (each after its Retry-After) before the
# send is reported as failed (and logged): never dropped without a word.
RATE_LIMIT_RETRIES = 8
SERVER_ERROR_RETRIES = 2  # HTTP 5xx: two more tries within the call, then delivery's next pass


def classify(exc: SlackApiError) -> ChatError:
    """The Web API's refusal as a `ChatError`: permanent for the errors above, transient otherwise."""
    error = str(exc.response.get("error") or "") if exc.response is not None else ""
    status = exc.response.status_code if exc.response is not None else 0
    retry_after: float | None = None
    if status == 429 or error == "ratelimited":
        try:
            retry_after = float(exc.response.headers.get("Retry-After", 1))
        except (TypeError, ValueError):
            retry_after = 1.0
    reason = error or f"HTTP {status}"
    return ChatError(reason, permanent=error in CHANNEL_ERRORS or error in MESSAGE_ERRORS,
                     channel_wide=error in CHANNEL_ERRORS, retry_after=retry_after)


async def call_api(call: Any, *, sleep: Any = asyncio.sleep, retries: int = RATE_LIMIT_RETRIES) -> Any:
    """Run one Web API call (a coroutine factory), waiting out 429s after their Retry-After.

    Raises `ChatError` (classified) when Slack says no, or after `retries` rate limits in a row.
    """
    server_errors = 0
    for attempt in range(retries + 1):
        try:
            return await call()
        except SlackApiError as exc:
            error = classify(exc)
            status = exc.response.status_code if exc.response is not None else 0
            if status >= 500 and server_errors < SERVER_ERROR_RETRIES and attempt < retries:
                server_errors += 1  # Slack's side hiccuped: a short back-off, then the same call again
                log.info("Slack answered HTTP %d; retrying in %.1fs", status, 0.5 * 2 ** (server_errors - 1))
                await sleep(0.5 * 2 ** (server_errors - 1))
                continue
            if error.retry_after is None or attempt == retries:
                raise error from exc
            log.info("Slack rate limit; retrying in %.1fs (%d/%d)", error.retry_after, attempt + 1, retries)
            await sleep(error.retry_after)
        except (TimeoutError, OSError) as exc:
            if attempt == retries:
                raise ChatError(f"{type(exc).__name__}: {exc}", permanent=False) from exc
            await sleep(min(2.0 ** attempt, 30.0))
    raise AssertionError("unreachable")
