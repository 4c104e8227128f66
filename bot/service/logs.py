"""Logging set-up: text or JSON lines, and secrets scrubbed from every record.

Tokens end up in log lines through exception messages and URLs more often than through our own
code, so scrubbing happens on the formatted output, whatever produced it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable

# Usual names of query parameters (and key=value settings) that carry a credential.
TOKEN_PARAMS = ("key", "api_key", "apikey", "token", "access_token", "sig", "signature", "secret", "password")

# Slack (xoxb-, xoxp-, xapp-), Matrix access tokens (syt_), bearer headers, credential parameters
# (`?api_key=…`, `&sig=…`), passwords in URLs.
_TOKEN_PATTERNS = (
    re.compile(r"\bxox[abposr]-[A-Za-z0-9-]+"),
    re.compile(r"\bxapp-[A-Za-z0-9-]+"),
    re.compile(r"\bsyt_[A-Za-z0-9_]+"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"(?i)(\b(?:" + "|".join(TOKEN_PARAMS) + r")=)[^&;#\s\"'<>]+"),
    re.compile(r"(://[^:/@\s]+:)[^@\s]+(@)"),
)


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    for secret in secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, "***")
    for pattern in _TOKEN_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.re.groups >= 1 else "") + "***"
                           + (m.group(2) if m.re.groups >= 2 else ""), text)
    return text


class _Scrubbing(logging.Formatter):
    def __init__(self, secrets: Iterable[str], fmt: str | None = None) -> None:
        super().__init__(fmt)
        self.secrets = tuple(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record), self.secrets)


class JsonFormatter(_Scrubbing):
    """One JSON object a line: time, level, logger, message, and any `extra={"source": …}` fields."""

    _STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in self._STANDARD and not key.startswith("_"):
                data[key] = value if isinstance(value, str | int | float | bool) or value is None else str(value)
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        # Scrubbed before encoding: JSON escapes `"` and `\`, and a secret holding one would no longer
        # be found in the encoded line.
        clean = {k: scrub(v, self.secrets) if isinstance(v, str) else v for k, v in data.items()}
        return json.dumps(clean, ensure_ascii=False)


def setup_logging(*, level: int, fmt: str = "text", secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter(secrets))
    else:
        handler.setFormatter(_Scrubbing(secrets, "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request line with its full URL at INFO; a feed URL may carry a token anywhere.
    logging.getLogger("httpx").setLevel(max(level, logging.WARNING))
