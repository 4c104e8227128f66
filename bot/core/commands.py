"""The `/news` command language: one grammar, parsed here, whatever the chat.

`parse(text)` turns what follows the `/news` (or `!news`) prefix into a typed command, or into a
`ParseError` that says what went wrong, shows the usage and suggests the closest command. Help for
every subcommand, and the words readers may type for commands, kinds and types, live in each language
pack's `commands.yaml` (bot/core/langpack.py): adding a language adds no code here.
Pure: no I/O, no store.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, TypeAlias

from bot.core import langpack
from bot.core.i18n import echo
from bot.core.models import fold

RefKind = Literal["alert", "story"]
SubscriptionKind = Literal["topic", "keyword", "type", "importance"]
Since: TypeAlias = dt.timedelta | dt.datetime  # a duration back from now, or a point in time


@dataclass(frozen=True, slots=True)
class Ref:
    """An alert or a story as the reader names it: `A12`, `alert-12`, `S3`, `story:3` (a bare number: `default`)."""

    kind: RefKind
    id: int

    @property
    def label(self) -> str:
        return f"{'A' if self.kind == 'alert' else 'S'}{self.id}"


# --- commands ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Latest:
    topic: str | None = None
    since: Since | None = None
    name: Literal["latest"] = "latest"


@dataclass(frozen=True, slots=True)
class Casualties:
    topic: str | None = None
    since: Since | None = None
    name: Literal["casualties"] = "casualties"


@dataclass(frozen=True, slots=True)
class Statements:
    query: str | None = None  # a speaker or a topic
    since: Since | None = None
    name: Literal["statements"] = "statements"


@dataclass(frozen=True, slots=True)
class FightingCmd:
    query: str | None = None  # a place or a topic
    since: Since | None = None
    name: Literal["fighting"] = "fighting"


@dataclass(frozen=True, slots=True)
class DigestCmd:
    topic: str | None = None
    since: Since | None = None
    name: Literal["digest"] = "digest"


@dataclass(frozen=True, slots=True)
class Search:
    terms: str
    name: Literal["search"] = "search"


@dataclass(frozen=True, slots=True)
class StoryCmd:
    ref: Ref
    name: Literal["story"] = "story"


@dataclass(frozen=True, slots=True)
class Subscribe:
    value: str
    kind: SubscriptionKind | None = None  # None: the conversation decides (a known topic, else a keyword)
    mode: str | None = None  # alerts | digest | both (None: both)
    name: Literal["subscribe"] = "subscribe"


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    value: str
    kind: SubscriptionKind | None = None
    mode: str | None = None
    name: Literal["unsubscribe"] = "unsubscribe"


@dataclass(frozen=True, slots=True)
class Subscriptions:
    name: Literal["subscriptions"] = "subscriptions"


@dataclass(frozen=True, slots=True)
class Sources:
    name: Literal["sources"] = "sources"


@dataclass(frozen=True, slots=True)
class SourcesAdd:
    url: str
    source_name: str | None = None
    name: Literal["sources add"] = "sources add"


@dataclass(frozen=True, slots=True)
class SourcesRemove:
    source_name: str
    name: Literal["sources remove"] = "sources remove"


@dataclass(frozen=True, slots=True)
class Read:
    url: str
    name: Literal["read"] = "read"


@dataclass(frozen=True, slots=True)
class Help:
    topic: str | None = None  # a command name, or None for the list
    name: Literal["help"] = "help"


Command: TypeAlias = (
    Latest | Casualties | Statements | FightingCmd | DigestCmd | Search | StoryCmd | Subscribe | Unsubscribe
    | Subscriptions | Sources | SourcesAdd | SourcesRemove | Read | Help
)

ADMIN_COMMANDS = frozenset({"sources add", "sources remove"})


@dataclass(frozen=True, slots=True)
class ParseError:
    """What went wrong, in the reader's language, with the closest command and its usage."""

    message: str
    command: str | None = None  # the command the error is about, when known
    suggestion: str | None = None  # e.g. "latest" for "lastest"
    usage: str | None = None


# --- help --------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Spec:
    name: str
    usage: str
    examples: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    admin: bool = False

    @property
    def summary(self) -> dict[str, str]:
        """Language -> the command in one line, from every pack that has it."""
        return self._help("summary")

    @property
    def details(self) -> dict[str, str]:
        """Language -> what the command does, in full."""
        return self._help("details")

    def _help(self, key: str) -> dict[str, str]:
        return _help_texts().get((self.name, key), {})

    def help(self, lang: str, key: str) -> str:
        texts = self._help(key)
        return texts.get(lang) or texts.get(langpack.FALLBACK) or ""


# The grammar: names, usage, options and examples are the same in every language; what a command does is
# written in each pack's `commands.yaml` (`help`), with the words readers may type for it (`aliases`).
SPECS: tuple[Spec, ...] = (
    Spec("latest", "latest [TOPIC] [--since 24h]", ("latest", "latest Libya --since 24h"), ("--since",)),
    Spec("casualties", "casualties [TOPIC]", ("casualties", "casualties Tripoli"), ("--since",)),
    Spec("statements", "statements [SPEAKER|TOPIC]", ("statements", "statements Pompeo"), ("--since",)),
    Spec("fighting", "fighting [PLACE|TOPIC]", ("fighting", "fighting Tripoli"), ("--since",)),
    Spec("digest", "digest [TOPIC] [--since 24h]", ("digest", "digest Libya --since 7d"), ("--since",)),
    Spec("search", "search TERMS", ("search Haftar offensive", 'search "aéroport international"')),
    Spec("story", "story ID", ("story S1", "story A3")),
    Spec("subscribe", "subscribe [topic|keyword|type|importance] VALUE [--mode alerts|digest|both]",
         ("subscribe libya", "subscribe keyword Haftar", "subscribe type casualty --mode digest"), ("--mode",)),
    Spec("unsubscribe", "unsubscribe [topic|keyword|type|importance] VALUE [--mode alerts|digest|both]",
         ("unsubscribe libya", "unsubscribe keyword Haftar --mode alerts"), ("--mode",)),
    Spec("subscriptions", "subscriptions", ("subscriptions",)),
    Spec("sources", "sources", ("sources",)),
    Spec("sources add", "sources add URL [--name NAME]", ("sources add https://example.org/feed.xml --name example",),
         ("--name",), admin=True),
    Spec("sources remove", "sources remove NAME", ("sources remove example",), admin=True),
    Spec("read", "read URL", ("read https://example.org/article",)),
    Spec("help", "help [COMMAND]", ("help", "help latest")),
)

SPEC_BY_NAME: dict[str, Spec] = {spec.name: spec for spec in SPECS}


@lru_cache(maxsize=1)
def _help_texts() -> dict[tuple[str, str], dict[str, str]]:
    """(command, "summary" or "details") -> language -> text, from every pack's `commands.yaml`."""
    out: dict[tuple[str, str], dict[str, str]] = {}
    for lang, table in langpack.each("commands", "help").items():
        for name, texts in table.items():
            for key, text in (texts or {}).items():
                if text:
                    out.setdefault((str(name), str(key)), {})[lang] = str(text)
    return out


langpack.on_reload(_help_texts.cache_clear)
_TOP_LEVEL = tuple(spec.name for spec in SPECS if " " not in spec.name)
_SOURCES_SUB = ("add", "remove")
SUBSCRIPTION_KINDS: tuple[SubscriptionKind, ...] = ("topic", "keyword", "type", "importance")
ALERT_TYPES = ("casualty", "fighting", "statement")


def _typed(lang: str, key: str) -> dict[str, list[str]]:
    """A table of reader words (canonical name -> words) of one pack, words folded."""
    table = langpack.section(lang, "commands").get(key) or {}
    return {str(name): [fold(str(w)) for w in words or ()] for name, words in table.items()}


@lru_cache(maxsize=1)
def _words() -> _Words:
    """Every pack's reader words: a command, kind or type may be named in any language in any channel."""
    aliases: dict[str, str] = {}
    kinds: dict[str, SubscriptionKind] = {kind: kind for kind in SUBSCRIPTION_KINDS}
    types: dict[str, str] = {name: name for name in ALERT_TYPES}
    refs: dict[str, RefKind] = {}
    units: dict[str, float] = {}
    for lang in langpack.languages():
        for name, words in _typed(lang, "aliases").items():
            aliases.update({w.replace(" ", ""): name for w in words if name in SPEC_BY_NAME})
        for kind in SUBSCRIPTION_KINDS:
            kinds.update({w: kind for w in _typed(lang, "kinds").get(kind, ())})
        for name, words in _typed(lang, "types").items():
            types.update({w: name for w in words if name in ALERT_TYPES})
        for ref in ("alert", "story"):
            refs.update({w: ref for w in _typed(lang, "refs").get(ref, ())})
        section = langpack.section(lang, "commands")
        units.update({str(k).lower(): float(v) for k, v in (section.get("units") or {}).items()})
    aliases["?"] = "help"
    return _Words(aliases, kinds, types, refs, units)


langpack.on_reload(_words.cache_clear)


@dataclass(frozen=True, slots=True)
class _Words:
    aliases: dict[str, str]  # folded word -> command name
    kinds: dict[str, SubscriptionKind]
    types: dict[str, str]
    refs: dict[str, RefKind]  # what an id may start with -> what it names
    units: dict[str, float]  # duration unit -> seconds


def msg(lang: str, key: str, **values: object) -> str:
    """A parser message; the reader's words in it (a command, a value, an example made of them) are cut."""
    text = (langpack.section(lang, "commands").get("messages") or {}).get(key) \
        or langpack.value(langpack.FALLBACK, "commands", "messages")[key]
    return str(text).format(**{k: echo(v) if isinstance(v, str) else v for k, v in values.items()})


# --- tokens, durations, ids --------------------------------------------------------------------

_TOKEN = re.compile(r'"([^"]*)"|“([^”]*)”|«\s*([^»]*?)\s*»|(\S+)')
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([^\W\d_]+)?$")
_REF = re.compile(r"^(?:([^\W\d_]+)[\s:#\-_]?)?#?(\d+)$")


DEFAULT_PREFIX = "/news"
MAX_ID = 2**31 - 1
MAX_SPAN = dt.timedelta(days=36500)


def prefix_pattern(prefix: str, *, sign_optional: bool = False) -> re.Pattern[str]:
    """The chat's prefix at the start of a text, its word taken with either sign (`/news`, `!news`) as
    readers type it whatever the chat, and the spaces after it. The one definition: the adapters, the
    console and the parser all use it, with the prefix of the configuration."""
    word = re.escape(prefix.strip().lstrip("/!"))
    return re.compile(rf"^\s*[/!]{'?' if sign_optional else ''}{word}(?=\s|$)\s*", re.IGNORECASE)


def strip_prefix(text: str, prefix: str) -> str:
    """The command after the chat's prefix, when the text still starts with it (adapters strip it; a
    test or a console may not). A bare word counts too: `news latest`."""
    return prefix_pattern(prefix, sign_optional=True).sub("", text, count=1).strip()


def tokens(text: str) -> list[str]:
    """Words, with "double quotes" or « guillemets » grouping; apostrophes (d'Etat) are ordinary letters."""
    return [next(g for g in m.groups() if g is not None) for m in _TOKEN.finditer(text)]


def parse_duration(value: str) -> dt.timedelta | None:
    m = _DURATION.match(value.strip())
    if not m:
        return None
    unit = (m.group(2) or "h").lower()
    if unit not in _words().units:
        return None
    seconds = float(m.group(1)) * _words().units[unit]
    # Nothing the bot stores is older than a century; larger spans would overflow date arithmetic.
    if not seconds < MAX_SPAN.total_seconds():
        return None
    return dt.timedelta(seconds=seconds)


def parse_ref(value: str, default: RefKind = "story") -> Ref | None:
    m = _REF.match(value.strip())
    if not m:
        return None
    prefix = fold(m.group(1))
    if prefix and prefix not in _words().refs:
        return None
    kind: RefKind = _words().refs[prefix] if prefix else default
    number = int(m.group(2))
    return Ref(kind, number) if number <= MAX_ID else None  # database ids are 32-bit


def _is_url(value: str) -> bool:
    return bool(re.match(r"^https?://[^\s/]+", value, re.IGNORECASE))


def suggest(word: str) -> str | None:
    """The command closest to a misspelled one (difflib), aliases included."""
    key = fold(word).replace(" ", "")
    aliases = _words().aliases
    if key in aliases:
        return aliases[key]
    names = list(_TOP_LEVEL) + list(aliases)
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    if not close:
        return None
    return aliases.get(close[0], close[0])


# --- parsing -----------------------------------------------------------------------------------

def _usage(name: str) -> str:
    return SPEC_BY_NAME[name].usage


def _error(lang: str, name: str, key: str, **values: object) -> ParseError:
    return ParseError(msg(lang, key, **values), command=name, usage=_usage(name))


def _options(
    args: list[str], name: str, allowed: tuple[str, ...], lang: str,
) -> tuple[list[str], dict[str, str]] | ParseError:
    """Split `--opt value` / `--opt=value` from positional words; unknown options get a suggestion."""
    words: list[str] = []
    opts: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("--") and len(arg) > 2:
            opt, eq, value = arg.partition("=")
            if opt not in allowed:
                close = difflib.get_close_matches(opt, allowed, n=1, cutoff=0.5)
                err = _error(lang, name, "bad_option", cmd=name, opt=opt)
                return ParseError(err.message, name, close[0] if close else None, err.usage)
            if not eq:
                if i + 1 >= len(args):
                    return _error(lang, name, "option_value", opt=opt)
                value = args[i + 1]
                i += 1
            opts[opt] = value
        else:
            words.append(arg)
        i += 1
    return words, opts


def parse_since(value: str) -> Since | None:
    """`24h` -> a duration; `2026-11-26T08:00` or `2026-11-26` -> that time (naive: the channel's zone)."""
    duration = parse_duration(value)
    if duration is not None:
        return duration
    try:
        when = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return when if 1900 <= when.year <= 9000 else None


def _since(opts: dict[str, str], name: str, lang: str) -> Since | ParseError | None:
    if "--since" not in opts:
        return None
    since = parse_since(opts["--since"])
    return since if since is not None else _error(lang, name, "bad_since", value=opts["--since"])


def parse(text: str, lang: str = langpack.FALLBACK, prefix: str = DEFAULT_PREFIX) -> Command | ParseError:
    """`latest Libya --since 24h` -> Latest("Libya", 24h); a wrong command -> ParseError with a suggestion.
    `prefix` is what the reader types before a command in this chat (`/news`, `!news`), for the hints."""
    text = strip_prefix(text, prefix)
    args = tokens(text)
    if not args:
        return Help()
    head = "help" if args[0] == "?" else fold(args[0]).replace(" ", "")
    name = head if head in _TOP_LEVEL else _words().aliases.get(head)
    if name is None:
        close = suggest(args[0])
        parts = [msg(lang, "unknown", word=args[0])]
        parts.append(msg(lang, "did_you_mean", cmd=close) if close else msg(lang, "see_help", prefix=prefix))
        return ParseError(" ".join(parts), None, close, _usage(close) if close else None)
    rest = args[1:]
    if name == "sources" and rest and not rest[0].startswith("-"):
        sub = fold(rest[0])
        if sub not in _SOURCES_SUB:
            near = difflib.get_close_matches(sub, _SOURCES_SUB, n=1, cutoff=0.5)
            full = f"sources {near[0]}" if near else None
            parts = [msg(lang, "unknown", word=f"sources {rest[0]}")]
            parts.append(msg(lang, "did_you_mean", cmd=full) if full else msg(lang, "see_help", prefix=prefix))
            return ParseError(" ".join(parts), "sources", full, _usage(full or "sources"))
        name, rest = f"sources {sub}", rest[1:]
    if any(a in ("-h", "--help") for a in rest):
        return Help(name)
    spec = SPEC_BY_NAME[name]
    split = _options(rest, name, spec.options, lang)
    if isinstance(split, ParseError):
        return split
    words, opts = split
    joined = " ".join(words) or None
    since = _since(opts, name, lang)
    if isinstance(since, ParseError):
        return since

    if name == "latest":
        return Latest(joined, since)
    if name == "casualties":
        return Casualties(joined, since)
    if name == "statements":
        return Statements(joined, since)
    if name == "fighting":
        return FightingCmd(joined, since)
    if name == "digest":
        return DigestCmd(joined, since)
    if name == "search":
        return Search(joined) if joined else _error(lang, name, "needs", cmd=name, what=msg(lang, "terms"))
    if name == "story":
        if not words:
            return _error(lang, name, "needs", cmd=name, what=msg(lang, "an_id"))
        if len(words) > 1:
            return _error(lang, name, "too_many", cmd=name, what=msg(lang, "an_id"))
        ref = parse_ref(words[0])
        return StoryCmd(ref) if ref else _error(lang, name, "bad_id", value=words[0])
    if name in ("subscribe", "unsubscribe"):
        return _subscription(name, words, opts, lang, prefix)
    if name in ("subscriptions", "sources"):
        if words:
            return _error(lang, name, "no_args", cmd=name)
        return Subscriptions() if name == "subscriptions" else Sources()
    if name == "sources add":
        if not words:
            return _error(lang, name, "needs", cmd=name, what=msg(lang, "a_url"))
        if len(words) > 1:
            return _error(lang, name, "too_many", cmd=name, what=msg(lang, "a_url"))
        if not _is_url(words[0]):
            return _error(lang, name, "bad_url", value=words[0])
        return SourcesAdd(words[0], opts.get("--name"))
    if name == "sources remove":
        return SourcesRemove(joined) if joined else _error(lang, name, "needs", cmd=name, what=msg(lang, "a_name"))
    if name == "read":
        if not words:
            return _error(lang, name, "needs", cmd=name, what=msg(lang, "a_url"))
        if len(words) > 1:
            return _error(lang, name, "too_many", cmd=name, what=msg(lang, "a_url"))
        return Read(words[0]) if _is_url(words[0]) else _error(lang, name, "bad_url", value=words[0])
    assert name == "help"
    if not words:
        return Help()
    wanted = " ".join(fold(w) for w in words)
    if wanted in SPEC_BY_NAME:
        return Help(wanted)
    close = suggest(wanted) if " " not in wanted else None
    if close is not None and (fold(words[0]) in _words().aliases or fold(words[0]) == close):
        return Help(close)
    parts = [msg(lang, "unknown", word=" ".join(words))]
    parts.append(msg(lang, "did_you_mean", cmd=f"help {close}") if close else msg(lang, "see_help", prefix=prefix))
    return ParseError(" ".join(parts), "help", f"help {close}" if close else None, _usage("help"))


MAX_VALUE = 200  # a subscription value longer than this is not a topic nor a keyword


def _subscription(
    name: str, words: list[str], opts: dict[str, str], lang: str, prefix: str,
) -> Subscribe | Unsubscribe | ParseError:
    """`subscribe [KIND] VALUE`: an unknown KIND or a missing VALUE is an error that shows the grammar,
    never a keyword filter made of the words (which would mute the channel for everything else)."""
    kind = _words().kinds.get(fold(words[0])) if words else None
    if kind is not None:
        words = words[1:]
        if not words:
            example = {"topic": "libya", "keyword": "Haftar", "type": "casualty", "importance": "6"}[kind]
            return _error(lang, name, "needs_value", cmd=f"{prefix} {name} {kind}",
                          example=f"{prefix} {name} {kind} {example}")
    elif len(words) > 1:
        # Two words without a kind: the first one was meant as a kind ("colour red", "topc libya").
        close = difflib.get_close_matches(fold(words[0]), SUBSCRIPTION_KINDS, n=1, cutoff=0.6)
        example = f"{name} {close[0]} {' '.join(words[1:])}" if close else f'{name} keyword "{" ".join(words)}"'
        example = f"{prefix} {example}"
        err = _error(lang, name, "not_a_kind", word=words[0], example=example)
        return ParseError(err.message, name, example if close else None, err.usage)
    if not words:
        return _error(lang, name, "needs", cmd=name, what=msg(lang, "a_value"))
    value = " ".join(words).strip()
    if not value:
        return _error(lang, name, "needs", cmd=name, what=msg(lang, "a_value"))
    if len(value) > MAX_VALUE:
        return _error(lang, name, "too_long", cmd=name, n=MAX_VALUE)
    if kind == "type":
        typed = _words().types.get(fold(value))
        if typed is None:
            return _error(lang, name, "bad_type", value=value)
        value = typed
    elif kind == "importance":
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            number = -1.0
        if not 0 <= number <= 10:
            return _error(lang, name, "bad_importance", value=value)
        value = f"{number:g}"
    mode = opts.get("--mode")
    if mode is not None and fold(mode) not in ("alerts", "digest", "both"):
        return _error(lang, name, "bad_mode", value=mode)
    mode = fold(mode) if mode else None
    return Subscribe(value, kind, mode) if name == "subscribe" else Unsubscribe(value, kind, mode)


# --- help text ---------------------------------------------------------------------------------

def help_lines(name: str | None, lang: str, prefix: str = DEFAULT_PREFIX) -> tuple[str, list[str]]:
    """(title, lines) of the help: every command in one line, or one command in full, each written with the
    prefix the reader types in this chat."""
    if name is None:
        lines = []
        for spec in SPECS:
            admin = f" ({msg(lang, 'admins_only')})" if spec.admin else ""
            lines.append(f"`{prefix} {spec.usage}` — {spec.help(lang, 'summary')}{admin}")
        lines.append(msg(lang, "help_footer", prefix=prefix))
        lines.append(msg(lang, "follow_up"))
        return msg(lang, "help_title", prefix=prefix), lines
    spec = SPEC_BY_NAME[name]
    lines = [f"{msg(lang, 'usage')}: `{prefix} {spec.usage}`", spec.help(lang, "details")]
    if spec.admin:
        lines.append(f"({msg(lang, 'admins_only')})")
    if spec.examples:
        lines.append(f"{msg(lang, 'examples')}: " + ", ".join(f"`{prefix} {e}`" for e in spec.examples))
    return f"{prefix} {spec.name}", lines
