"""The configuration file: loaded, validated, and turned into typed settings.

Validation stops at the first problem with one line naming the file, the key and what is expected,
because a bot that starts half-configured fails later, in a channel, where nobody reads tracebacks.
Secrets never live in the file: keys ending in `_env` name the environment variables holding them.

The file's schema is a set of pydantic models (strict types, unknown keys refused); their errors are
turned back into that one line. The rest of the code sees plain frozen dataclasses, built from the
validated models in one place, so nothing outside this module depends on pydantic.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError, PydanticUndefined

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
    concurrency: int = 50  # requests at once, every source together: as many as sources polled at once
    per_host: int = 2
    allow_private: bool = False
    sources_at_once: int = 50  # sources polled at once by `run --once` (a slow feed holds one slot)


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
    charts: bool = False  # draw story charts and print their paths


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
    trust: str = "tofu"  # end-to-end encryption: "tofu" or "verified" (then only trusted_devices)
    trusted_devices: tuple[str, ...] = ()  # "@user:server DEVICEID ed25519-fingerprint"


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
                 self.matrix.access_token_env, self.matrix.password_env, "MATRIX_STORE_KEY"]  # [e2e] store key
        return [v for v in (self.secret(n) for n in names) if v]


_FETCHCONFIG, _SLACKCONFIG, _MATRIXCONFIG, _HEALTHCONFIG = FetchConfig(), SlackConfig(), MatrixConfig(), HealthConfig()


# --- the file's schema (pydantic) ------------------------------------------------------------
#
# The schema mirrors the YAML as written (`interval: 15m`, `outputs.slack`), the dataclasses above
# are what the code uses (`interval_s`); `_to_config` is the one place that maps one onto the other.
# Every field's description is the "expected …" half of its error line, so the words a user reads
# and the schema's documentation cannot drift apart.

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NOT_SHOWN = object()  # marks a rejected value that must not be echoed (it may be a secret)


def _expected(text: str, *, key: tuple[str | int, ...] = (), got: object = None, show: bool = True) -> Exception:
    """A schema error carrying its own "expected …" text; `key` is relative to where it is raised."""
    ctx: dict[str, Any] = {"expected": text, "key": key}
    if key or not show:
        ctx["got"] = got if show else _NOT_SHOWN
    return PydanticCustomError("config", "expected {expected}", ctx)


def _duration(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    m = _DURATION.match(value) if isinstance(value, str) else None
    if not m or float(m.group(1)) <= 0:
        raise _expected("a duration like 30s, 15m or 1h")
    return float(m.group(1)) * _UNITS[m.group(2)]


def _interval(value: object) -> float:
    seconds = _duration(value)
    if seconds < MIN_INTERVAL_S:
        raise _expected(f"at least {MIN_INTERVAL_S}s (sources are polled politely)")
    return seconds


def _listed(value: object) -> object:
    return [value] if isinstance(value, str) else value  # `tags: war` means `tags: [war]`, as it always has


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _expected("an IANA time zone such as Europe/Paris") from None
    return name


def _language(value: str) -> str:
    if not re.fullmatch(r"[a-z]{2}", value):
        raise _expected("a two-letter language code such as en or fr")
    return value


def _reader_language(value: str) -> str:
    """A language the bot writes in (alerts, digests, answers): one it has words for."""
    from bot.core.i18n import languages

    if value not in languages():
        raise _expected(f"a language the bot writes in: {', '.join(languages())}")
    return value


def _cron(text: str) -> str:
    fields = text.split()
    if len(fields) != 5:
        raise _expected("a cron line 'MIN HOUR DAY MONTH DAYS' such as '0 8 * * mon-fri'")
    if re.search(r"\d", fields[4]):
        # APScheduler numbers weekdays from Monday=0, cron from Sunday=0: names avoid the trap.
        raise _expected("day names in the day-of-week field (mon-fri, sat,sun), not numbers")
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(text, timezone="UTC")
    except ValueError as exc:
        raise _expected(f"a valid cron line ({exc})") from None
    return text


def _quiet_hours(value: object) -> tuple[str, str]:
    parts = value.split("-") if isinstance(value, str) else []
    if len(parts) != 2 or not all(_HHMM.match(x.strip()) for x in parts):
        raise _expected("a range like '22:00-07:00'")
    return parts[0].strip(), parts[1].strip()


def _env_name(value: str) -> str:
    # A value that is no variable name is most likely the secret itself, pasted in: never echo it.
    if not _ENV_NAME.match(value):
        raise _expected("the NAME of an environment variable holding the secret (such as SLACK_BOT_TOKEN), "
                        "not the secret itself", show=False)
    return value


def _database(url: str) -> str:
    if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", url):
        raise _expected("a sqlite:/// or postgresql:// URL")
    return url


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Texts = Annotated[list[Text], BeforeValidator(_listed)]
Duration = Annotated[float, BeforeValidator(_duration)]
Count = Annotated[int, Field(ge=0)]
Port = Annotated[int, Field(ge=1, le=65535)]
Language = Annotated[str, AfterValidator(_language)]
ReaderLanguage = Annotated[str, AfterValidator(_language), AfterValidator(_reader_language)]
TimeZone = Annotated[Text, AfterValidator(_timezone)]
EnvName = Annotated[Text, AfterValidator(_env_name)]
_STRING, _STRINGS, _WHOLE, _BOOL = "a non-empty string", "a list of strings", "a whole number >= 0", "true or false"
_ENV = "the name of an environment variable"


def _field(expected: str, default: Any = PydanticUndefined) -> Any:
    return Field(default, description=expected)


class _Schema(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _null_means_default(cls, data: object) -> object:
        # `key:` with nothing after it is null in YAML; it has always meant "the default".
        if data is None:
            return {}
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None}
        return data


class _Source(_Schema):
    name: Text = _field("a name for the source")
    type: Literal["feed", "page", "file", "folder"] = _field(f"one of {', '.join(SOURCE_TYPES)}")
    url: Text | None = _field(_STRING, None)
    path: Text | None = _field(_STRING, None)
    lang: Language | None = _field("a two-letter language code such as en or fr", None)
    tags: Texts = _field(_STRINGS, [])
    interval: Annotated[float, BeforeValidator(_interval)] = _field("a duration like 30s, 15m or 1h", 900.0)
    backfill: Count = _field(_WHOLE, 0)

    @model_validator(mode="after")
    def _where_to_read(self) -> _Source:
        if self.type in ("feed", "page") and not (self.url and re.match(r"^https?://", self.url)):
            raise _expected(f"an http(s) URL for a {self.type} source", key=("url",), got=self.url)
        if self.type in ("file", "folder") and not self.path:
            raise _expected(f"a path for a {self.type} source", key=("path",))
        return self


class _Fetch(_Schema):
    user_agent: Text = _field(_STRING, _FETCHCONFIG.user_agent)
    timeout: Duration = _field("a duration like 30s, 15m or 1h", _FETCHCONFIG.timeout_s)
    max_bytes: Count = _field(_WHOLE, _FETCHCONFIG.max_bytes)
    max_redirects: Count = _field(_WHOLE, _FETCHCONFIG.max_redirects)
    concurrency: Count = _field(_WHOLE, _FETCHCONFIG.concurrency)
    per_host: Count = _field(_WHOLE, _FETCHCONFIG.per_host)
    allow_private: bool = _field(_BOOL, _FETCHCONFIG.allow_private)
    sources_at_once: Count = _field(_WHOLE, _FETCHCONFIG.sources_at_once)


class _Console(_Schema):
    enabled: bool = _field(_BOOL, True)
    color: Literal["auto", "always", "never"] = _field("one of auto, always, never", "auto")
    charts: bool = _field(_BOOL, False)


class _Slack(_Schema):
    enabled: bool = _field(_BOOL, False)
    mode: Literal["http", "socket"] = _field("one of http, socket", _SLACKCONFIG.mode)
    host: Text = _field(_STRING, _SLACKCONFIG.host)
    port: Port = _field("a port number from 1 to 65535", _SLACKCONFIG.port)
    bot_token_env: EnvName = _field(_ENV, _SLACKCONFIG.bot_token_env)
    signing_secret_env: EnvName = _field(_ENV, _SLACKCONFIG.signing_secret_env)
    app_token_env: EnvName = _field(_ENV, _SLACKCONFIG.app_token_env)
    admins: Texts = _field(_STRINGS, [])
    api_url: Text | None = _field(_STRING, None)


class _Matrix(_Schema):
    enabled: bool = _field(_BOOL, False)
    homeserver: Text = _field("the homeserver's http(s) URL", "")
    user_id: Text = _field("a Matrix user id like @newsbot:example.org", "")
    access_token_env: EnvName = _field(_ENV, _MATRIXCONFIG.access_token_env)
    password_env: EnvName = _field(_ENV, _MATRIXCONFIG.password_env)
    prefix: Text = _field(_STRING, _MATRIXCONFIG.prefix)
    rooms: Texts = _field(_STRINGS, [])
    admins: Texts = _field(_STRINGS, [])
    admin_power_level: Count = _field(_WHOLE, _MATRIXCONFIG.admin_power_level)
    trust: Literal["tofu", "verified"] = _field("one of tofu, verified", "tofu")
    trusted_devices: Texts = _field(_STRINGS, [])

    @model_validator(mode="after")
    def _trusted_devices(self) -> _Matrix:
        for i, entry in enumerate(self.trusted_devices):
            if len(entry.split()) < 3 or not entry.startswith("@"):
                raise _expected("'@user:server DEVICEID ed25519-fingerprint'", key=("trusted_devices", i), got=entry)
        return self

    @model_validator(mode="after")
    def _reachable(self) -> _Matrix:
        if self.enabled and not re.match(r"^https?://", self.homeserver):
            raise _expected("the homeserver's http(s) URL", key=("homeserver",), got=self.homeserver or None)
        if self.enabled and not re.match(r"^@[^:]+:.+$", self.user_id):
            raise _expected("a Matrix user id like @newsbot:example.org", key=("user_id",), got=self.user_id or None)
        return self


class _Outputs(_Schema):
    console: _Console = _field("a mapping", _Console())
    slack: _Slack = _field("a mapping", _Slack())
    matrix: _Matrix = _field("a mapping", _Matrix())


class _Digest(_Schema):
    cron: Annotated[Text, AfterValidator(_cron)] = _field("a cron line such as '0 8 * * mon-fri'")
    timezone: TimeZone | None = _field("an IANA time zone such as Europe/Paris", None)


class _Channel(_Schema):
    output: Literal["console", "slack", "matrix"] = _field(f"one of {', '.join(OUTPUTS)}")
    id: Text | None = _field(_STRING, None)
    language: ReaderLanguage | None = _field("a two-letter language code such as en or fr", None)
    alerts: bool = _field(_BOOL, True)
    digest: _Digest | None = _field("a mapping", None)
    topics: Texts = _field(_STRINGS, [])
    keywords: Texts = _field(_STRINGS, [])
    types: Annotated[list[Literal["statement", "fighting", "casualty"]], BeforeValidator(_listed)] = _field(
        f"alert types among {', '.join(ALERT_TYPE_NAMES)}", list(ALERT_TYPE_NAMES))
    min_importance: float = _field("a number", 0.0)
    quiet_hours: Annotated[tuple[str, str], BeforeValidator(_quiet_hours)] | None = _field(
        "a range like '22:00-07:00'", None)

    @model_validator(mode="after")
    def _has_an_id(self) -> _Channel:
        if self.output != "console" and self.id is None:
            what = "a Slack channel id such as C0123456" if self.output == "slack" else "a Matrix room id or alias"
            raise _expected(what, key=("id",))
        return self


class _Health(_Schema):
    enabled: bool = _field(_BOOL, False)
    host: Text = _field(_STRING, _HEALTHCONFIG.host)
    port: Port = _field("a port number from 1 to 65535", _HEALTHCONFIG.port)


class _File(_Schema):
    # Fields in the order they are checked: the first mistake is the one reported.
    language: ReaderLanguage = _field("a two-letter language code such as en or fr", "en")
    timezone: TimeZone = _field("an IANA time zone such as Europe/Paris", "UTC")
    database: Annotated[Text, AfterValidator(_database)] = _field("a sqlite:/// or postgresql:// URL",
                                                                 "sqlite:///data/bot.db")
    retention: Duration = _field("a duration like 30s, 15m or 1h", 90 * 86400.0)
    log_format: Literal["text", "json"] = _field("one of text, json", "text")
    sources: list[_Source] = _field("a list of sources", [])
    fetch: _Fetch = _field("a mapping", _Fetch())
    outputs: _Outputs = _field("a mapping", _Outputs())
    channels: list[_Channel] = _field("a list of channels", [])
    health: _Health = _field("a mapping", _Health())

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, sources: list[_Source]) -> list[_Source]:
        for i, src in enumerate(sources):
            if any(o.name == src.name for o in sources[:i]):
                raise _expected("a name no other source has", key=(i, "name"), got=src.name)
        return sources

    @model_validator(mode="after")
    def _channels_on_enabled_outputs(self) -> _File:
        enabled = {"console": self.outputs.console.enabled, "slack": self.outputs.slack.enabled,
                   "matrix": self.outputs.matrix.enabled}
        for i, ch in enumerate(self.channels):
            if not enabled[ch.output]:
                raise _expected(f"an enabled output (set outputs.{ch.output}.enabled: true)",
                                key=("channels", i, "output"), got=ch.output)
        return self


# --- from the schema's errors to one line ----------------------------------------------------


def _shown(got: object) -> str:
    if got is _NOT_SHOWN:
        return "a value that is not a variable name (not shown: it may be a secret)"
    return repr(got) if not isinstance(got, dict | list) else type(got).__name__


def _key(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _model_at(loc: tuple[str | int, ...]) -> tuple[type[BaseModel] | None, str | None]:
    """The schema model holding the last key of `loc`, and that key's field name."""
    model: type[BaseModel] | None = _File
    name: str | None = None
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        info = model.model_fields.get(part)
        if info is None:
            return model, None
        name = part
        nested = _nested_model(info.annotation)
        model = nested if nested is not None else None
    return model, name


def _nested_model(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def _description(loc: tuple[str | int, ...]) -> str:
    parent_loc = tuple(loc)
    while parent_loc and isinstance(parent_loc[-1], int):
        parent_loc = parent_loc[:-1]  # an item of a list is described by the list's field
    if not parent_loc:
        return "a mapping"
    holder, _ = _model_at(parent_loc[:-1])
    info = holder.model_fields.get(str(parent_loc[-1])) if holder is not None else None
    return (info.description if info is not None else None) or "a valid value"


def _one_line(error: Any, file: str) -> ConfigError:
    loc: tuple[str | int, ...] = tuple(error["loc"])
    kind: str = error["type"]
    if kind == "extra_forbidden" or kind == "invalid_key":
        holder, _ = _model_at(loc[:-1])
        allowed = tuple(holder.model_fields) if holder is not None else ()
        k = loc[-1] if kind == "extra_forbidden" else error["input"]
        hint = ""
        if isinstance(k, str) and f"{k}_env" in allowed:
            hint = f" (secrets come from the environment: set {k}_env to a variable name)"
        where = _key(loc[:-1])
        return ConfigError(f"{file}: {where + '.' if where else ''}{k}: unknown key{hint}; "
                           f"expected one of: {', '.join(allowed)}")
    if kind == "config":
        ctx = error["ctx"]
        full = (*loc, *ctx["key"])
        got = ctx["got"] if "got" in ctx else error["input"]
        return ConfigError(f"{file}: {_key(full) or 'top level'}: expected {ctx['expected']}, got {_shown(got)}")
    mapping = kind in ("model_type", "model_attributes_type", "dict_type")
    expected = "a mapping" if mapping else _description(loc)
    got = None if kind == "missing" else error["input"]
    return ConfigError(f"{file}: {_key(loc) or 'top level'}: expected {expected}, got {_shown(got)}")


def parse_config(data: object, file: str) -> Config:
    """Validate the loaded YAML against the schema; the first mistake becomes one ConfigError line."""
    try:
        schema = _File.model_validate(data)
    except ValidationError as exc:
        raise _one_line(exc.errors()[0], file) from None
    return _to_config(schema, file)


def _to_config(f: _File, file: str) -> Config:
    sources = tuple(
        SourceConfig(name=s.name, type=s.type, url=s.url, path=s.path, lang=s.lang, tags=tuple(s.tags),
                     interval_s=int(s.interval), backfill=s.backfill)
        for s in f.sources)
    fetch = FetchConfig(
        user_agent=f.fetch.user_agent, timeout_s=f.fetch.timeout, max_bytes=f.fetch.max_bytes,
        max_redirects=f.fetch.max_redirects, concurrency=max(1, f.fetch.concurrency),
        per_host=max(1, f.fetch.per_host), allow_private=f.fetch.allow_private,
        sources_at_once=max(1, f.fetch.sources_at_once))
    o = f.outputs
    console = ConsoleConfig(enabled=o.console.enabled, color=o.console.color, charts=o.console.charts)
    slack = SlackConfig(
        enabled=o.slack.enabled, mode=o.slack.mode, host=o.slack.host, port=o.slack.port,
        bot_token_env=o.slack.bot_token_env, signing_secret_env=o.slack.signing_secret_env,
        app_token_env=o.slack.app_token_env, admins=tuple(o.slack.admins), api_url=o.slack.api_url)
    matrix = MatrixConfig(
        enabled=o.matrix.enabled, homeserver=o.matrix.homeserver, user_id=o.matrix.user_id,
        access_token_env=o.matrix.access_token_env, password_env=o.matrix.password_env, prefix=o.matrix.prefix,
        rooms=tuple(o.matrix.rooms), admins=tuple(o.matrix.admins), admin_power_level=o.matrix.admin_power_level,
        trust=o.matrix.trust, trusted_devices=tuple(o.matrix.trusted_devices))
    channels = [
        ChannelConfig(
            output=c.output, id=c.id if c.id is not None else c.output, language=c.language or f.language,
            alerts=c.alerts,
            digest=DigestConfig(cron=c.digest.cron, timezone=c.digest.timezone or f.timezone) if c.digest else None,
            topics=tuple(c.topics), keywords=tuple(c.keywords), types=tuple(c.types),
            min_importance=c.min_importance, quiet_hours=c.quiet_hours)
        for c in f.channels]
    if console.enabled and not any(c.output == "console" for c in channels):
        channels.insert(0, ChannelConfig(output="console", id="console", language=f.language))
    health = HealthConfig(enabled=f.health.enabled, host=f.health.host, port=f.health.port)
    return Config(
        health=health, path=file, database=f.database, language=f.language, timezone=f.timezone,
        retention_days=max(1, int(f.retention // 86400)), log_format=f.log_format, sources=sources,
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
