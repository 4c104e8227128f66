"""The configuration file: loaded, validated, and turned into typed settings.

Validation stops at the first problem with one line naming the file, the key and what is expected,
because a bot that starts half-configured fails later, in a channel, where nobody reads tracebacks.
Secrets never live in the file: keys ending in `_env` name the environment variables holding them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

DEFAULT_CONFIG = Path("config/bot.yaml")
SOURCE_TYPES = ("feed", "page", "file", "folder")
OUTPUTS = ("console", "slack", "matrix")
ALERT_TYPE_NAMES: tuple[str, ...] = ("statement", "fighting", "casualty")
MIN_INTERVAL_S = 10
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ConfigError(Exception):
    """One clear line: `FILE: KEY: expected …, got …`."""


@dataclass(frozen=True, slots=True)
class SourceConfig:
    name: str
    type: str
    url: str | None = None
    path: str | None = None
    lang: str | None = None
    tags: tuple[str, ...] = ()
    interval_s: int = 900
    backfill: int = 0


@dataclass(frozen=True, slots=True)
class FetchConfig:
    user_agent: str = "newsalert-bot/0.1 (+self-hosted news alerts)"
    timeout_s: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    concurrency: int = 8
    per_host: int = 2
    allow_private: bool = False


@dataclass(frozen=True, slots=True)
class DigestConfig:
    cron: str
    timezone: str


@dataclass(frozen=True, slots=True)
class ChannelConfig:
    output: str
    id: str
    language: str = "en"
    alerts: bool = True
    digest: DigestConfig | None = None
    topics: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    types: tuple[str, ...] = ALERT_TYPE_NAMES
    min_importance: float = 0.0
    quiet_hours: tuple[str, str] | None = None  # ("22:00", "07:00") in the digest's/bot's time zone


@dataclass(frozen=True, slots=True)
class ConsoleConfig:
    enabled: bool = True
    color: str = "auto"  # auto | always | never


@dataclass(frozen=True, slots=True)
class SlackConfig:
    enabled: bool = False
    mode: str = "http"  # http | socket
    host: str = "127.0.0.1"
    port: int = 3000
    bot_token_env: str = "SLACK_BOT_TOKEN"
    signing_secret_env: str = "SLACK_SIGNING_SECRET"
    app_token_env: str = "SLACK_APP_TOKEN"
    admins: tuple[str, ...] = ()
    api_url: str | None = None  # Web API base URL; only for proxies and the tests' stand-in server


@dataclass(frozen=True, slots=True)
class MatrixConfig:
    enabled: bool = False
    homeserver: str = ""
    user_id: str = ""
    access_token_env: str = "MATRIX_ACCESS_TOKEN"
    password_env: str = "MATRIX_PASSWORD"
    prefix: str = "!news"
    rooms: tuple[str, ...] = ()
    admins: tuple[str, ...] = ()
    admin_power_level: int = 50


@dataclass(frozen=True, slots=True)
class HealthConfig:
    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 9108


@dataclass(frozen=True, slots=True)
class Config:
    path: str
    database: str = "sqlite:///data/bot.db"
    language: str = "en"
    timezone: str = "UTC"
    retention_days: int = 90
    log_format: str = "text"
    sources: tuple[SourceConfig, ...] = ()
    fetch: FetchConfig = field(default_factory=FetchConfig)
    console: ConsoleConfig = field(default_factory=ConsoleConfig)
    slack: SlackConfig = field(default_factory=SlackConfig)
    matrix: MatrixConfig = field(default_factory=MatrixConfig)
    channels: tuple[ChannelConfig, ...] = ()
    health: HealthConfig = field(default_factory=HealthConfig)

    def secret(self, env_name: str) -> str | None:
        value = os.environ.get(env_name)
        return value if value else None

    def secrets(self) -> list[str]:
        """Every secret value the config points at, so logs can scrub them."""
        names = [self.slack.bot_token_env, self.slack.signing_secret_env, self.slack.app_token_env,
                 self.matrix.access_token_env, self.matrix.password_env]
        return [v for v in (self.secret(n) for n in names) if v]


# --- validation helpers ----------------------------------------------------------------------

T = TypeVar("T")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, key: str, expected: str, got: object) -> ConfigError:
        shown = repr(got) if not isinstance(got, dict | list) else type(got).__name__
        return ConfigError(f"{self.file}: {key}: expected {expected}, got {shown}")

    def mapping(self, value: object, key: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(key, "a mapping", value)
        for k in value:
            if k not in allowed:
                hint = ""
                if isinstance(k, str) and f"{k}_env" in allowed:
                    hint = f" (secrets come from the environment: set {k}_env to a variable name)"
                prefix = f"{key}." if key else ""
                raise ConfigError(
                    f"{self.file}: {prefix}{k}: unknown key{hint}; expected one of: {', '.join(allowed)}"
                )
        return dict(value)

    def get(self, data: dict[str, Any], key: str, path: str, kind: Callable[[object, str], T], default: T) -> T:
        if key not in data or data[key] is None:
            return default
        return kind(data[key], f"{path}{key}")

    def string(self, value: object, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "a non-empty string", value)
        return value.strip()

    def boolean(self, value: object, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, "true or false", value)
        return value

    def integer(self, value: object, key: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(key, "a whole number >= 0", value)
        return value

    def port(self, value: object, key: str) -> int:
        n = self.integer(value, key)
        if not 1 <= n <= 65535:
            raise self.fail(key, "a port number from 1 to 65535", value)
        return n

    def number(self, value: object, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, "a number", value)
        return float(value)

    def duration(self, value: object, key: str) -> float:
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return float(value)
        m = _DURATION.match(value) if isinstance(value, str) else None
        if not m or float(m.group(1)) <= 0:
            raise self.fail(key, "a duration like 30s, 15m or 1h", value)
        return float(m.group(1)) * _UNITS[m.group(2)]

    def strings(self, value: object, key: str) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(key, "a list of strings", value)
        return tuple(self.string(v, f"{key}[{i}]") for i, v in enumerate(value))

    def choice(self, options: tuple[str, ...]) -> Callable[[object, str], str]:
        def check(value: object, key: str) -> str:
            if value not in options:
                raise self.fail(key, f"one of {', '.join(options)}", value)
            return str(value)

        return check

    def timezone(self, value: object, key: str) -> str:
        name = self.string(value, key)
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(key, "an IANA time zone such as Europe/Paris", value) from None
        return name

    def language(self, value: object, key: str) -> str:
        if not isinstance(value, str) or not re.fullmatch(r"[a-z]{2}", value):
            raise self.fail(key, "a two-letter language code such as en or fr", value)
        return value

    def reader_language(self, value: object, key: str) -> str:
        """A language the bot writes in (alerts, digests, answers): one it has words for."""
        from bot.core.i18n import LANGUAGES

        lang = self.language(value, key)
        if lang not in LANGUAGES:
            raise self.fail(key, f"a language the bot writes in: {', '.join(LANGUAGES)}", value)
        return lang

    def cron(self, value: object, key: str) -> str:
        text = self.string(value, key)
        fields = text.split()
        if len(fields) != 5:
            raise self.fail(key, "a cron line 'MIN HOUR DAY MONTH DAYS' such as '0 8 * * mon-fri'", value)
        if re.search(r"\d", fields[4]):
            # APScheduler numbers weekdays from Monday=0, cron from Sunday=0: names avoid the trap.
            raise self.fail(key, "day names in the day-of-week field (mon-fri, sat,sun), not numbers", value)
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(text, timezone="UTC")
        except ValueError as exc:
            raise self.fail(key, f"a valid cron line ({exc})", value) from None
        return text


_TOP = ("database", "language", "timezone", "retention", "log_format", "sources", "fetch", "outputs", "channels",
        "health")


def parse_config(data: object, file: str) -> Config:
    r = _Reader(file)
    top = r.mapping(data, "", _TOP)
    language = r.get(top, "language", "", r.reader_language, "en")
    timezone = r.get(top, "timezone", "", r.timezone, "UTC")
    database = r.get(top, "database", "", r.string, "sqlite:///data/bot.db")
    if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", database):
        raise r.fail("database", "a sqlite:/// or postgresql:// URL", database)
    retention = r.get(top, "retention", "", r.duration, 90 * 86400.0)
    log_format = r.get(top, "log_format", "", r.choice(("text", "json")), "text")

    raw_sources = top.get("sources") or []
    if not isinstance(raw_sources, list):
        raise r.fail("sources", "a list of sources", raw_sources)
    sources: list[SourceConfig] = []
    for i, item in enumerate(raw_sources):
        p = f"sources[{i}]."
        s = r.mapping(item, f"sources[{i}]", ("name", "type", "url", "path", "lang", "tags", "interval", "backfill"))
        if "name" not in s:
            raise r.fail(f"sources[{i}].name", "a name for the source", None)
        if "type" not in s:
            raise r.fail(f"sources[{i}].type", f"one of {', '.join(SOURCE_TYPES)}", None)
        kind = r.choice(SOURCE_TYPES)(s["type"], p + "type")
        src = SourceConfig(
            name=r.string(s["name"], p + "name"),
            type=kind,
            url=r.get(s, "url", p, r.string, None),
            path=r.get(s, "path", p, r.string, None),
            lang=r.get(s, "lang", p, r.language, None),
            tags=r.get(s, "tags", p, r.strings, ()),
            interval_s=int(r.get(s, "interval", p, r.duration, 900.0)),
            backfill=r.get(s, "backfill", p, r.integer, 0),
        )
        if src.interval_s < MIN_INTERVAL_S:
            raise r.fail(p + "interval", f"at least {MIN_INTERVAL_S}s (sources are polled politely)", s.get("interval"))
        if kind in ("feed", "page") and not (src.url and re.match(r"^https?://", src.url)):
            raise r.fail(p + "url", f"an http(s) URL for a {kind} source", src.url)
        if kind in ("file", "folder") and not src.path:
            raise r.fail(p + "path", f"a path for a {kind} source", None)
        if any(o.name == src.name for o in sources):
            raise r.fail(p + "name", "a name no other source has", src.name)
        sources.append(src)

    f = r.mapping(top.get("fetch"), "fetch", (
        "user_agent", "timeout", "max_bytes", "max_redirects", "concurrency", "per_host", "allow_private"))
    d = FetchConfig()
    fetch = FetchConfig(
        user_agent=r.get(f, "user_agent", "fetch.", r.string, d.user_agent),
        timeout_s=r.get(f, "timeout", "fetch.", r.duration, d.timeout_s),
        max_bytes=r.get(f, "max_bytes", "fetch.", r.integer, d.max_bytes),
        max_redirects=r.get(f, "max_redirects", "fetch.", r.integer, d.max_redirects),
        concurrency=max(1, r.get(f, "concurrency", "fetch.", r.integer, d.concurrency)),
        per_host=max(1, r.get(f, "per_host", "fetch.", r.integer, d.per_host)),
        allow_private=r.get(f, "allow_private", "fetch.", r.boolean, d.allow_private),
    )

    outputs = r.mapping(top.get("outputs"), "outputs", OUTPUTS)
    c = r.mapping(outputs.get("console"), "outputs.console", ("enabled", "color"))
    console = ConsoleConfig(
        enabled=r.get(c, "enabled", "outputs.console.", r.boolean, True),
        color=r.get(c, "color", "outputs.console.", r.choice(("auto", "always", "never")), "auto"),
    )
    sk = r.mapping(outputs.get("slack"), "outputs.slack", (
        "enabled", "mode", "host", "port", "bot_token_env", "signing_secret_env", "app_token_env", "admins", "api_url"))
    sd, sp = SlackConfig(), "outputs.slack."
    slack = SlackConfig(
        enabled=r.get(sk, "enabled", sp, r.boolean, False),
        mode=r.get(sk, "mode", sp, r.choice(("http", "socket")), sd.mode),
        host=r.get(sk, "host", sp, r.string, sd.host),
        port=r.get(sk, "port", sp, r.port, sd.port),
        bot_token_env=r.get(sk, "bot_token_env", sp, r.string, sd.bot_token_env),
        signing_secret_env=r.get(sk, "signing_secret_env", sp, r.string, sd.signing_secret_env),
        app_token_env=r.get(sk, "app_token_env", sp, r.string, sd.app_token_env),
        admins=r.get(sk, "admins", sp, r.strings, ()),
        api_url=r.get(sk, "api_url", sp, r.string, None),
    )
    mx = r.mapping(outputs.get("matrix"), "outputs.matrix", (
        "enabled", "homeserver", "user_id", "access_token_env", "password_env", "prefix", "rooms", "admins",
        "admin_power_level"))
    md, mp = MatrixConfig(), "outputs.matrix."
    matrix = MatrixConfig(
        enabled=r.get(mx, "enabled", mp, r.boolean, False),
        homeserver=r.get(mx, "homeserver", mp, r.string, ""),
        user_id=r.get(mx, "user_id", mp, r.string, ""),
        access_token_env=r.get(mx, "access_token_env", mp, r.string, md.access_token_env),
        password_env=r.get(mx, "password_env", mp, r.string, md.password_env),
        prefix=r.get(mx, "prefix", mp, r.string, md.prefix),
        rooms=r.get(mx, "rooms", mp, r.strings, ()),
        admins=r.get(mx, "admins", mp, r.strings, ()),
        admin_power_level=r.get(mx, "admin_power_level", mp, r.integer, 50),
    )
    if matrix.enabled and not re.match(r"^https?://", matrix.homeserver):
        raise r.fail(mp + "homeserver", "the homeserver's http(s) URL", matrix.homeserver or None)
    if matrix.enabled and not re.match(r"^@[^:]+:.+$", matrix.user_id):
        raise r.fail(mp + "user_id", "a Matrix user id like @newsbot:example.org", matrix.user_id or None)

    raw_channels = top.get("channels") or []
    if not isinstance(raw_channels, list):
        raise r.fail("channels", "a list of channels", raw_channels)
    channels: list[ChannelConfig] = []
    enabled = {"console": console.enabled, "slack": slack.enabled, "matrix": matrix.enabled}
    for i, item in enumerate(raw_channels):
        p = f"channels[{i}]."
        ch = r.mapping(item, f"channels[{i}]", (
            "output", "id", "language", "alerts", "digest", "topics", "keywords", "types", "min_importance",
            "quiet_hours"))
        if "output" not in ch:
            raise r.fail(p + "output", f"one of {', '.join(OUTPUTS)}", None)
        output = r.choice(OUTPUTS)(ch["output"], p + "output")
        if output != "console" and "id" not in ch:
            what = "a Slack channel id such as C0123456" if output == "slack" else "a Matrix room id or alias"
            raise r.fail(p + "id", what, None)
        if not enabled[output]:
            raise r.fail(p + "output", f"an enabled output (set outputs.{output}.enabled: true)", output)
        digest = None
        if ch.get("digest") is not None:
            dg = r.mapping(ch["digest"], p + "digest", ("cron", "timezone"))
            if "cron" not in dg:
                raise r.fail(p + "digest.cron", "a cron line such as '0 8 * * mon-fri'", None)
            digest = DigestConfig(
                cron=r.cron(dg["cron"], p + "digest.cron"),
                timezone=r.get(dg, "timezone", p + "digest.", r.timezone, timezone),
            )
        quiet = None
        if ch.get("quiet_hours") is not None:
            q = ch["quiet_hours"]
            parts = q.split("-") if isinstance(q, str) else []
            if len(parts) != 2 or not all(_HHMM.match(x.strip()) for x in parts):
                raise r.fail(p + "quiet_hours", "a range like '22:00-07:00'", q)
            quiet = (parts[0].strip(), parts[1].strip())
        types = r.get(ch, "types", p, r.strings, ALERT_TYPE_NAMES)
        for t in types:
            if t not in ALERT_TYPE_NAMES:
                raise r.fail(p + "types", f"alert types among {', '.join(ALERT_TYPE_NAMES)}", t)
        channels.append(ChannelConfig(
            output=output,
            id=r.get(ch, "id", p, r.string, output),
            language=r.get(ch, "language", p, r.reader_language, language),
            alerts=r.get(ch, "alerts", p, r.boolean, True),
            digest=digest,
            topics=r.get(ch, "topics", p, r.strings, ()),
            keywords=r.get(ch, "keywords", p, r.strings, ()),
            types=types,
            min_importance=r.get(ch, "min_importance", p, r.number, 0.0),
            quiet_hours=quiet,
        ))
    if console.enabled and not any(c.output == "console" for c in channels):
        channels.insert(0, ChannelConfig(output="console", id="console", language=language))

    h = r.mapping(top.get("health"), "health", ("enabled", "host", "port"))
    health = HealthConfig(
        enabled=r.get(h, "enabled", "health.", r.boolean, False),
        host=r.get(h, "host", "health.", r.string, "127.0.0.1"),
        port=r.get(h, "port", "health.", r.port, 9108),
    )

    return Config(
        health=health, path=file, database=database, language=language, timezone=timezone,
        retention_days=max(1, int(retention // 86400)), log_format=log_format, sources=tuple(sources),
        fetch=fetch, console=console, slack=slack, matrix=matrix, channels=tuple(channels),
    )


def load_config(path: Path | str = DEFAULT_CONFIG) -> Config:
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such file (copy config/bot.yaml and edit it)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot be read ({exc.__class__.__name__})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "somewhere"
        raise ConfigError(f"{file}: {where}: not valid YAML") from None
    config = parse_config(data, file)
    return _resolve_paths(config, Path(path))


def _resolve_paths(config: Config, path: Path) -> Config:
    """Relative source paths and the SQLite file are read from the working directory, as written."""
    return config


def require_secret(config: Config, env_key: str, env_name: str) -> str:
    """The secret named by an `*_env` key, or a ConfigError naming the key and the variable."""
    value = config.secret(env_name)
    if value is None:
        raise ConfigError(f"{config.path}: {env_key}: environment variable {env_name} is not set")
    return value
