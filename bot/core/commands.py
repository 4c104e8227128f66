"""The `/news` command language: one grammar, parsed here, whatever the chat.

`parse(text)` turns what follows the `/news` (or `!news`) prefix into a typed command, or into a
`ParseError` that says what went wrong, shows the usage and suggests the closest command. Help for
every subcommand lives beside the grammar, in English and French, so the two cannot drift apart.
Pure: no I/O, no store.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

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
    summary: dict[str, str]
    details: dict[str, str]
    examples: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    admin: bool = False
    aliases: tuple[str, ...] = field(default=())


SPECS: tuple[Spec, ...] = (
    Spec("latest", "latest [TOPIC] [--since 24h]",
         {"en": "the newest alerts, on a topic if you give one",
          "fr": "les dernières alertes, sur un sujet si vous en donnez un"},
         {"en": "Shows the newest alerts (statements, fighting, casualty figures). TOPIC matches story topics, "
                "places, speakers and words of the alert, in English or French, accents and case ignored. "
                "--since takes a duration (30m, 24h, 7d, 2w) or a date and time (2026-11-26T08:00).",
          "fr": "Affiche les dernières alertes (déclarations, combats, bilans). SUJET est cherché dans les sujets, "
                "les lieux, les personnes citées et les mots de l'alerte, en français ou en anglais, sans tenir "
                "compte des accents ni des majuscules. --since prend une durée (30m, 24h, 7d ou 7j, 2w) ou une "
                "date et heure (2026-11-26T08:00)."},
         ("latest", "latest Libya --since 24h"), ("--since",), aliases=("derniers", "dernieres", "new", "news")),
    Spec("casualties", "casualties [TOPIC]",
         {"en": "casualty figures, each with who gave it", "fr": "les bilans, chacun avec qui l'a donné"},
         {"en": "Lists casualty figures (killed, wounded) with the source each figure comes from, newest first.",
          "fr": "Liste les bilans (tués, blessés) avec la source de chaque chiffre, les plus récents d'abord."},
         ("casualties", "casualties Tripoli"), ("--since",), aliases=("bilan", "bilans", "victimes", "morts")),
    Spec("statements", "statements [SPEAKER|TOPIC]",
         {"en": "who said what, by speaker or topic", "fr": "qui a dit quoi, par personne ou par sujet"},
         {"en": "Lists statements, optionally only those of one speaker (any part of the name: Pompeo) or on a "
                "topic. Quotes are shown as said, in the article's language.",
          "fr": "Liste les déclarations, éventuellement d'une seule personne (une partie du nom suffit : Pompeo) "
                "ou sur un sujet. Les citations restent dans la langue de l'article."},
         ("statements", "statements Pompeo"), ("--since",), aliases=("declarations", "citations", "quotes")),
    Spec("fighting", "fighting [PLACE|TOPIC]",
         {"en": "fighting updates, by place or topic", "fr": "les combats, par lieu ou par sujet"},
         {"en": "Lists fighting updates (offensives, clashes, air strikes…), optionally at one place: Tripoli, "
                "Libya or Libye all work.",
          "fr": "Liste les combats (offensives, affrontements, frappes…), éventuellement en un lieu : Tripoli, "
                "Libye ou Libya conviennent."},
         ("fighting", "fighting Tripoli"), ("--since",), aliases=("combats", "affrontements", "clashes")),
    Spec("digest", "digest [TOPIC] [--since 24h]",
         {"en": "a digest: figures, then fighting, then statements", "fr": "un résumé : bilans, combats, déclarations"},
         {"en": "Builds a digest of the alerts since the given time (default 24h): casualty figures first, then "
                "fighting by place, then statements.",
          "fr": "Construit un résumé des alertes depuis la durée donnée (24h par défaut) : bilans d'abord, puis "
                "combats par lieu, puis déclarations."},
         ("digest", "digest Libya --since 7d"), ("--since",), aliases=("resume", "summary")),
    Spec("search", "search TERMS",
         {"en": "full-text search in articles and alerts", "fr": "recherche plein texte dans articles et alertes"},
         {"en": "Searches every stored article and alert, best matches first, with the matching passage. "
                "Words are matched in English and French (Libya finds Libye).",
          "fr": "Cherche dans tous les articles et alertes enregistrés, les meilleurs résultats d'abord, avec le "
                "passage trouvé. Les mots sont cherchés en français et en anglais (Libye trouve Libya)."},
         ("search Haftar offensive", 'search "aéroport international"'), aliases=("recherche", "chercher", "find")),
    Spec("story", "story ID",
         {"en": "one story: its articles and alerts", "fr": "un sujet : ses articles et ses alertes"},
         {"en": "Shows one story with its articles (title, outlet, link) and its alerts. ID is a story id (S3 or "
                "3) or an alert id (A12), as shown by latest and search.",
          "fr": "Affiche un sujet avec ses articles (titre, média, lien) et ses alertes. ID est un numéro de sujet "
                "(S3 ou 3) ou d'alerte (A12), tel qu'affiché par latest et search."},
         ("story S1", "story A3"), aliases=("sujet", "histoire")),
    Spec("subscribe", "subscribe [topic|keyword|type|importance] VALUE [--mode alerts|digest|both]",
         {"en": "follow a topic or a keyword in this channel", "fr": "suivre un sujet ou un mot-clé dans ce salon"},
         {"en": "Subscribes this channel to a topic (a source tag such as libya, in English or French), a keyword "
                "(a word or name the alert must mention), an alert type (casualty, fighting, statement) or a "
                "minimum importance (0 to 10). Without a kind: a known topic, an alert type, else a keyword. "
                "--mode: alerts (real time), digest, or both (default).",
          "fr": "Abonne ce salon à un sujet (une étiquette de source comme libya, en français ou en anglais), un "
                "mot-clé (un mot ou un nom que l'alerte doit citer), un type d'alerte (casualty, fighting, "
                "statement) ou une importance minimale (0 à 10). Sans genre : un sujet connu, un type d'alerte, "
                "sinon un mot-clé. --mode : alerts (temps réel), digest (résumé) ou both (les deux, par défaut)."},
         ("subscribe libya", "subscribe keyword Haftar", "subscribe type casualty --mode digest"), ("--mode",),
         aliases=("abonner", "suivre", "follow")),
    Spec("unsubscribe", "unsubscribe [topic|keyword|type|importance] VALUE [--mode alerts|digest|both]",
         {"en": "stop following a topic or keyword", "fr": "ne plus suivre un sujet ou un mot-clé"},
         {"en": "Removes one of this channel's subscriptions (see `subscriptions`), or only one of its streams "
                "with --mode alerts or --mode digest. Subscriptions from the configuration file stay.",
          "fr": "Retire un des abonnements de ce salon (voir `subscriptions`), ou seulement un de ses flux avec "
                "--mode alerts ou --mode digest. Les abonnements du fichier de configuration restent."},
         ("unsubscribe libya", "unsubscribe keyword Haftar --mode alerts"), ("--mode",),
         aliases=("desabonner", "unfollow")),
    Spec("subscriptions", "subscriptions",
         {"en": "this channel's subscriptions", "fr": "les abonnements de ce salon"},
         {"en": "Lists the topics and keywords this channel follows.",
          "fr": "Liste les sujets et mots-clés suivis par ce salon."},
         ("subscriptions",), aliases=("abonnements",)),
    Spec("sources", "sources",
         {"en": "the sources and their health", "fr": "les sources et leur état"},
         {"en": "Lists every source with its health: last successful read, failures in a row, last error.",
          "fr": "Liste chaque source avec son état : dernière lecture réussie, échecs consécutifs, dernière erreur."},
         ("sources",)),
    Spec("sources add", "sources add URL [--name NAME]",
         {"en": "add a feed or page to read", "fr": "ajouter un flux ou une page à lire"},
         {"en": "Admins only. Adds a feed (RSS/Atom) or web page to the sources; it is kept in the database and "
                "survives restarts. NAME defaults to the site's host name.",
          "fr": "Réservé aux admins. Ajoute un flux (RSS/Atom) ou une page web aux sources ; elle est gardée dans "
                "la base et survit aux redémarrages. NAME vaut par défaut le nom du site."},
         ("sources add https://example.org/feed.xml --name example",), ("--name",), admin=True),
    Spec("sources remove", "sources remove NAME",
         {"en": "remove a source added by command", "fr": "retirer une source ajoutée par commande"},
         {"en": "Admins only. Removes a source that was added with `sources add`. Sources from the configuration "
                "file are removed by editing that file.",
          "fr": "Réservé aux admins. Retire une source ajoutée avec `sources add`. Les sources du fichier de "
                "configuration se retirent en modifiant ce fichier."},
         ("sources remove example",), admin=True),
    Spec("read", "read URL",
         {"en": "read one web page now and file its alerts",
          "fr": "lire une page web maintenant et en tirer les alertes"},
         {"en": "Fetches one page (public addresses only), extracts its statements, fighting and casualty "
                "figures, stores them and shows them.",
          "fr": "Récupère une page (adresses publiques uniquement), en extrait déclarations, combats et bilans, "
                "les enregistre et les affiche."},
         ("read https://example.org/article",), aliases=("lire",)),
    Spec("help", "help [COMMAND]",
         {"en": "this list, or the help of one command", "fr": "cette liste, ou l'aide d'une commande"},
         {"en": "Without a command: every command in one line. With one: its usage, what it does and examples.",
          "fr": "Sans commande : toutes les commandes en une ligne. Avec une commande : son usage, ce qu'elle fait "
                "et des exemples."},
         ("help", "help latest"), aliases=("aide", "?")),
)

SPEC_BY_NAME: dict[str, Spec] = {spec.name: spec for spec in SPECS}
_TOP_LEVEL = tuple(spec.name for spec in SPECS if " " not in spec.name)
_ALIASES: dict[str, str] = {alias: spec.name for spec in SPECS for alias in spec.aliases}
_SOURCES_SUB = ("add", "remove")

_MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "unknown": "Unknown command `{word}`.", "did_you_mean": "Did you mean `{cmd}`?",
        "see_help": "Type `{prefix} help` for the list of commands.",
        "needs": "`{cmd}` needs {what}.", "terms": "search terms", "an_id": "an id (S3 or A12)",
        "a_value": "a topic or keyword", "a_url": "a web address (http:// or https://)", "a_name": "a source name",
        "bad_id": "`{value}` is not an id: use S3 for a story or A12 for an alert.",
        "bad_url": "`{value}` is not a web address: it must start with http:// or https://.",
        "bad_since": "`{value}` is not a duration nor a date: use 30m, 24h, 7d, 2w or 2026-11-26T08:00.",
        "bad_mode": "`{value}` is not a mode: use alerts, digest or both.",
        "bad_option": "`{cmd}` has no option `{opt}`.", "no_args": "`{cmd}` takes no arguments.",
        "too_many": "`{cmd}` takes one {what}, not several.", "option_value": "`{opt}` needs a value.",
        "needs_value": "`{cmd}` needs a value, e.g. `{example}`.",
        "not_a_kind": "`{word}` is not a kind of subscription: use topic, keyword, type or importance "
                      "(a phrase goes in quotes), e.g. `{example}`.",
        "bad_type": "`{value}` is not an alert type: use casualty, fighting or statement.",
        "bad_importance": "importance is a number from 0 to 10, not `{value}`.",
        "too_long": "`{cmd}` takes a value of at most {n} characters.",
        "usage": "Usage", "examples": "Examples", "commands": "Commands", "admins_only": "admins only",
        "help_title": "{prefix} commands", "help_footer": "`{prefix} help COMMAND` tells more about one command.",
        "follow_up": "In an alert's thread, just ask: who said it? how many wounded? where? which source?",
    },
    "fr": {
        "unknown": "Commande inconnue : `{word}`.", "did_you_mean": "Vouliez-vous dire `{cmd}` ?",
        "see_help": "Tapez `{prefix} help` pour la liste des commandes.",
        "needs": "`{cmd}` demande {what}.", "terms": "des mots à chercher", "an_id": "un numéro (S3 ou A12)",
        "a_value": "un sujet ou un mot-clé", "a_url": "une adresse web (http:// ou https://)",
        "a_name": "un nom de source",
        "bad_id": "`{value}` n'est pas un numéro : S3 pour un sujet, A12 pour une alerte.",
        "bad_url": "`{value}` n'est pas une adresse web : elle doit commencer par http:// ou https://.",
        "bad_since": "`{value}` n'est ni une durée ni une date : utilisez 30m, 24h, 7d (7j), 2w ou 2026-11-26T08:00.",
        "bad_mode": "`{value}` n'est pas un mode : utilisez alerts, digest ou both.",
        "bad_option": "`{cmd}` n'a pas d'option `{opt}`.", "no_args": "`{cmd}` ne prend pas d'arguments.",
        "too_many": "`{cmd}` prend un seul {what}.", "option_value": "`{opt}` demande une valeur.",
        "needs_value": "`{cmd}` demande une valeur, par exemple `{example}`.",
        "not_a_kind": "`{word}` n'est pas un genre d'abonnement : utilisez topic (sujet), keyword (mot-clé), "
                      "type ou importance (une expression entre guillemets), par exemple `{example}`.",
        "bad_type": "`{value}` n'est pas un type d'alerte : utilisez casualty (bilan), fighting (combats) ou "
                    "statement (déclaration).",
        "bad_importance": "l'importance est un nombre de 0 à 10, pas `{value}`.",
        "too_long": "`{cmd}` prend une valeur de {n} caractères au plus.",
        "usage": "Usage", "examples": "Exemples", "commands": "Commandes", "admins_only": "réservé aux admins",
        "help_title": "Commandes {prefix}", "help_footer": "`{prefix} help COMMANDE` en dit plus sur une commande.",
        "follow_up": "Dans le fil d'une alerte, posez simplement votre question : qui a parlé ? combien de "
                     "blessés ? où ? quelle source ?",
    },
}


def msg(lang: str, key: str, **values: object) -> str:
    """A parser message; the reader's words in it (a command, a value, an example made of them) are cut."""
    table = _MESSAGES.get(lang) or _MESSAGES["en"]
    return (table.get(key) or _MESSAGES["en"][key]).format(
        **{k: echo(v) if isinstance(v, str) else v for k, v in values.items()})


# --- tokens, durations, ids --------------------------------------------------------------------

_TOKEN = re.compile(r'"([^"]*)"|“([^”]*)”|«\s*([^»]*?)\s*»|(\S+)')
_PREFIX = re.compile(r"^\s*[/!]?news\b", re.IGNORECASE)
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(s|sec|m|min|mn|h|d|j|w|sem)?$", re.IGNORECASE)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "mn": 60, "h": 3600, "d": 86400, "j": 86400, "w": 604800,
          "sem": 604800}
_REF = re.compile(r"^(?:(a|alert|alerte|s|story|sujet)[\s:#\-_]?)?#?(\d+)$", re.IGNORECASE)


DEFAULT_PREFIX = "/news"
MAX_ID = 2**31 - 1
MAX_SPAN = dt.timedelta(days=36500)


def tokens(text: str) -> list[str]:
    """Words, with "double quotes" or « guillemets » grouping; apostrophes (d'Etat) are ordinary letters."""
    return [next(g for g in m.groups() if g is not None) for m in _TOKEN.finditer(text)]


def parse_duration(value: str) -> dt.timedelta | None:
    m = _DURATION.match(value.strip())
    if not m:
        return None
    unit = (m.group(2) or "h").lower()
    seconds = float(m.group(1)) * _UNITS[unit]
    # Nothing the bot stores is older than a century; larger spans would overflow date arithmetic.
    if not seconds < MAX_SPAN.total_seconds():
        return None
    return dt.timedelta(seconds=seconds)


def parse_ref(value: str, default: RefKind = "story") -> Ref | None:
    m = _REF.match(value.strip())
    if not m:
        return None
    prefix = (m.group(1) or "").lower()
    kind: RefKind = "alert" if prefix.startswith("a") else "story" if prefix else default
    number = int(m.group(2))
    return Ref(kind, number) if number <= MAX_ID else None  # database ids are 32-bit


def _is_url(value: str) -> bool:
    return bool(re.match(r"^https?://[^\s/]+", value, re.IGNORECASE))


def suggest(word: str) -> str | None:
    """The command closest to a misspelled one (difflib), aliases included."""
    key = fold(word).replace(" ", "")
    if key in _ALIASES:
        return _ALIASES[key]
    names = list(_TOP_LEVEL) + list(_ALIASES)
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    if not close:
        return None
    return _ALIASES.get(close[0], close[0])


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


def parse(text: str, lang: str = "en", prefix: str = DEFAULT_PREFIX) -> Command | ParseError:
    """`latest Libya --since 24h` -> Latest("Libya", 24h); a wrong command -> ParseError with a suggestion.
    `prefix` is what the reader types before a command in this chat (`/news`, `!news`), for the hints."""
    text = _PREFIX.sub("", text, count=1).strip()
    args = tokens(text)
    if not args:
        return Help()
    head = "help" if args[0] == "?" else fold(args[0]).replace(" ", "")
    name = head if head in _TOP_LEVEL else _ALIASES.get(head)
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
    if close is not None and (fold(words[0]) in _ALIASES or fold(words[0]) == close):
        return Help(close)
    parts = [msg(lang, "unknown", word=" ".join(words))]
    parts.append(msg(lang, "did_you_mean", cmd=f"help {close}") if close else msg(lang, "see_help", prefix=prefix))
    return ParseError(" ".join(parts), "help", f"help {close}" if close else None, _usage("help"))


# What a subscription is about, as readers may name it (folded), in English and French.
_KIND_WORDS: dict[str, SubscriptionKind] = {
    "topic": "topic", "topics": "topic", "sujet": "topic", "sujets": "topic", "theme": "topic",
    "keyword": "keyword", "keywords": "keyword", "mot cle": "keyword", "motcle": "keyword", "mots cles": "keyword",
    "word": "keyword", "mot": "keyword",
    "type": "type", "types": "type", "genre": "type",
    "importance": "importance", "min importance": "importance", "score": "importance",
}
_TYPE_WORDS: dict[str, str] = {
    "casualty": "casualty", "casualties": "casualty", "bilan": "casualty", "bilans": "casualty",
    "victimes": "casualty", "fighting": "fighting", "combats": "fighting", "combat": "fighting",
    "statement": "statement", "statements": "statement", "declaration": "statement", "declarations": "statement",
}
MAX_VALUE = 200  # a subscription value longer than this is not a topic nor a keyword


def _subscription(
    name: str, words: list[str], opts: dict[str, str], lang: str, prefix: str,
) -> Subscribe | Unsubscribe | ParseError:
    """`subscribe [KIND] VALUE`: an unknown KIND or a missing VALUE is an error that shows the grammar,
    never a keyword filter made of the words (which would mute the channel for everything else)."""
    kind = _KIND_WORDS.get(fold(words[0])) if words else None
    if kind is not None:
        words = words[1:]
        if not words:
            example = {"topic": "libya", "keyword": "Haftar", "type": "casualty", "importance": "6"}[kind]
            return _error(lang, name, "needs_value", cmd=f"{prefix} {name} {kind}",
                          example=f"{prefix} {name} {kind} {example}")
    elif len(words) > 1:
        # Two words without a kind: the first one was meant as a kind ("colour red", "topc libya").
        close = difflib.get_close_matches(fold(words[0]), ("topic", "keyword", "type", "importance"), n=1, cutoff=0.6)
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
        typed = _TYPE_WORDS.get(fold(value))
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
            lines.append(f"`{prefix} {spec.usage}` — {spec.summary.get(lang, spec.summary['en'])}{admin}")
        lines.append(msg(lang, "help_footer", prefix=prefix))
        lines.append(msg(lang, "follow_up"))
        return msg(lang, "help_title", prefix=prefix), lines
    spec = SPEC_BY_NAME[name]
    lines = [f"{msg(lang, 'usage')}: `{prefix} {spec.usage}`", spec.details.get(lang, spec.details["en"])]
    if spec.admin:
        lines.append(f"({msg(lang, 'admins_only')})")
    if spec.examples:
        lines.append(f"{msg(lang, 'examples')}: " + ", ".join(f"`{prefix} {e}`" for e in spec.examples))
    return f"{prefix} {spec.name}", lines
