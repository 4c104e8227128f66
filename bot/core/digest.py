"""Alerts in, digest messages out.

Order: casualty figures first (by story, each story's figures reconciled per measure and
population (bot.core.tally) then what changed), then
fighting by place, then statements (by story); within each part, the most important first
(`bot.core.importance`). Every fact shows the outlets that carried it. An empty period says so in one
line rather than staying silent.

Chats cut long messages, so a digest is kept within a line and character budget per message: it is
split into at most `max_parts` messages, and what still does not fit is counted ("and 12 more") with
the command that shows it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from bot.core.i18n import t
from bot.core.importance import story_importance
from bot.core.models import Alert, Casualty, Fighting, Line, Message, Span, Statement, fold
from bot.core.render import casualty_figures, reporter
from bot.core.tally import Reconciled, figures_of, reconcile
from bot.core.tally_text import estimate_lines
from bot.core.translate import localize

SECTION_ORDER = ("casualty", "fighting", "statement")
MAX_LINES = 40
MAX_CHARS = 3000  # below Slack's 3000-character section text and far below Matrix's event size
MAX_PARTS = 3

def _since(lang: str, since: dt.datetime) -> str:
    word = t(lang, "since")
    return f"{word[:1].upper()}{word[1:]} {since.strftime('%Y-%m-%d %H:%M')}"


@dataclass(frozen=True, slots=True)
class DigestEntry:
    alert: Alert
    story_id: int | None
    story_title: str | None
    importance: float = 0.0
    outlets: tuple[str, ...] = ()
    previous: Casualty | None = None  # the story's figure before this one, for "what changed"
    story_lang: str | None = None  # language of the story's title (kept as written, marked with it)
    tally: Reconciled | None = None  # the story's figures as everywhere else (bot.service.tallies.story_view)
    alert_id: int | None = None  # the stored alert: what `StoryFigures.previous` is keyed by


@dataclass(frozen=True, slots=True)
class StoryFigures:
    """What the casualty part shows of a story beyond its entries: read only for the stories shown, since
    reconciling every story of a long period costs more than the rest of the digest."""

    tally: Reconciled | None = None
    previous: Mapping[int, Casualty] = field(default_factory=dict)  # alert id -> its reporter's figure before


# Given casualty stories in the order the digest shows them, their figures (one bulk read).
FiguresReader = Callable[[Sequence[int]], Mapping[int, StoryFigures]]
# Given alert ids, their entries in full (one bulk read): see `build_digest_parts`.
EntryReader = Callable[[Sequence[int]], Mapping[int, DigestEntry]]


def entry_line(alert: Alert, lang: str) -> Line:
    alert = localize(alert, lang)  # institution, role and place words in the reader's language
    if isinstance(alert, Casualty):
        where = f" — {alert.location}" if alert.location else ""
        return Line.of(Span(casualty_figures(alert, lang), "bold"), f" ({reporter(alert, lang)}){where}")
    if isinstance(alert, Fighting):
        actors = f" ({', '.join(alert.actors)})" if alert.actors else ""
        return Line.of(Span(alert.location, "bold"), f": {t(lang, 'action_' + alert.action)}{actors}")
    assert isinstance(alert, Statement)
    role = f", {alert.speaker_role}" if alert.speaker_role else ""
    quote = alert.quote if len(alert.quote) <= 200 else alert.quote[:197].rstrip() + "…"
    return Line.of(Span(f"{alert.speaker}{role}", "bold"), ": ", Span(quote, "quote"))


def _figures_changed(new: Casualty, old: Casualty | None) -> bool:
    return old is not None and (old.killed, old.wounded) != (new.killed, new.wounded)


def _with_outlets(line: Line, outlets: tuple[str, ...]) -> Line:
    if not outlets:
        return line
    more = f" +{len(outlets) - 3}" if len(outlets) > 3 else ""
    return Line((*line.spans, Span(f" [{', '.join(outlets[:3])}{more}]", "italic")))


@dataclass(frozen=True, slots=True)
class _Row:
    line: Line
    kind: str  # section | group | entry | note
    entries: int = 0


def _story_key(e: DigestEntry) -> tuple[int, int]:
    return (0, e.story_id) if e.story_id is not None else (1, id(e))


class _FigureBatches:
    """The figures of the casualty stories shown, read in batches that double (8, 8, 16, 32…) as the digest
    reaches them: a digest showing few stories reads few, and the reads stay a handful however many."""

    def __init__(self, figures: FiguresReader | None, wanted: list[int]) -> None:
        self.figures, self.wanted = figures, wanted
        self.at = {story_id: i for i, story_id in enumerate(wanted)}
        self.read: dict[int, StoryFigures] = {}

    def get(self, story_id: int) -> StoryFigures | None:
        if story_id not in self.read and story_id in self.at and self.figures is not None:
            start = self.at[story_id]
            self.read.update(self.figures(self.wanted[start:start + max(8, len(self.read))]))
        return self.read.get(story_id)


# Sections in order, each with its groups in order: (story key, or place rank for fighting; entries).
_Plan = list[tuple[str, list[tuple[tuple[int, int], list[DigestEntry]]]]]


def _plan(entries: list[DigestEntry], local: Callable[[DigestEntry], Alert]) -> _Plan:
    """The sections and their groups (stories; places for fighting) in the order they are shown, from what
    every entry has at hand (type, story, importance, a fighting place): nothing is laid out yet."""
    scores: dict[tuple[int, int], list[float]] = {}
    for e in entries:
        scores.setdefault(_story_key(e), []).append(e.importance)
    story_score = {k: story_importance(v) for k, v in scores.items()}
    plan: _Plan = []
    for section in SECTION_ORDER:
        chosen = [e for e in entries if e.alert.type == section]
        if not chosen:
            continue
        if section == "fighting":
            places: dict[str, list[DigestEntry]] = {}
            for e in chosen:
                place = local(e)
                assert isinstance(place, Fighting)
                places.setdefault(fold(place.location), []).append(e)
            groups = sorted(places.values(), key=lambda g: -max(x.importance for x in g))
            for group in groups:
                group.sort(key=lambda x: -x.importance)
            plan.append((section, [((2, i), g) for i, g in enumerate(groups)]))
            continue
        stories: dict[tuple[int, int], list[DigestEntry]] = {}
        for e in chosen:
            stories.setdefault(_story_key(e), []).append(e)
        plan.append((section, [(k, stories[k]) for k in sorted(stories, key=lambda k: (-story_score[k], k))]))
    return plan


def _resolved(plan: _Plan, resolve: EntryReader, most: int) -> _Plan:
    """The plan with the entries it may show read in full, in one call: a section heading, a story's title
    and each of its entries, a fighting place take a row each, and no digest shows more than `most` rows."""
    ids: list[int] = []
    rows = 0
    for section, groups in plan:
        rows += 1
        for _key, group in groups:
            rows += 1 if section == "fighting" else 1 + len(group)
            ids += [e.alert_id for e in group if e.alert_id is not None]
            if rows >= most:
                break
        if rows >= most:
            break
    found = resolve(ids)
    return [(section, [(key, [found.get(e.alert_id, e) if e.alert_id is not None else e for e in group])
                       for key, group in groups]) for section, groups in plan]


def _rows(entries: list[DigestEntry], lang: str, figures: FiguresReader | None, most: int,
          resolve: EntryReader | None = None) -> Iterator[_Row]:
    """The digest's rows in order, made as they are taken: a digest cut after its budget never lays out
    (nor reads the figures of, nor with `resolve` reads at all) what it does not show. `most`: at most that
    many rows are shown."""
    localized: dict[int, Alert] = {}

    def local_alert(e: DigestEntry) -> Alert:
        # Institution, role, actor and place words in the reader's language (quotes and names untouched).
        alert = localized.get(id(e))
        if alert is None:
            alert = localized[id(e)] = localize(e.alert, lang)
        return alert

    def local(e: DigestEntry) -> DigestEntry:
        return dataclasses.replace(e, alert=local_alert(e))

    plan = _plan(entries, local_alert)
    if resolve is not None:
        plan = _resolved(plan, resolve, most)
    for section, groups in plan:
        yield _Row(Line.of(Span(t(lang, f"section_{section}"), "bold")), "section")
        if section == "fighting":
            for raw in groups:
                group = [local(e) for e in raw[1]]
                first = group[0].alert
                assert isinstance(first, Fighting)
                actions = list(dict.fromkeys(t(lang, "action_" + x.alert.action) for x in group
                                             if isinstance(x.alert, Fighting)))
                actors = list(dict.fromkeys(a for x in group if isinstance(x.alert, Fighting) for a in x.alert.actors))
                outlets = tuple(dict.fromkeys(o for x in group for o in x.outlets))
                line = Line.of(Span(first.location, "bold"), f": {', '.join(actions)}",
                               f" ({', '.join(actors)})" if actors else "")
                yield _Row(_with_outlets(line, outlets), "entry", len(group))
            continue
        wanted = [k[1] for k, _ in groups[:most] if k[0] == 0] if section == "casualty" else []
        batches = _FigureBatches(figures, wanted)
        for key, raw_group in groups:
            group = [local(e) for e in raw_group]
            title = group[0].story_title or t(lang, "digest_no_title")
            title = title if len(title) <= 100 else title[:99].rstrip() + "…"
            yield _Row(Line.of(Span(f"▸ {title}", "italic", lang=group[0].story_lang)), "group")
            known = batches.get(key[1]) if key[0] == 0 else None
            if section == "casualty":
                # The story's figures reconciled per measure and population (bot.core.tally): low/best/high
                # side by side, never one side's count added to or mixed with the other's.
                tally = known.tally if known is not None else group[0].tally  # stories: the one view of the story
                if tally is None:
                    tally = reconcile([f for i, e in enumerate(group) if isinstance(e.alert, Casualty)
                                       for f in figures_of(e.alert, date=None, seq=i)])
                if len(tally.history) > 1:
                    for estimate in tally.estimates:
                        yield from (_Row(line, "note") for line in estimate_lines(estimate, lang, detail=False))
                # What changed, in the order it was reported.
                ordered = group
            else:
                ordered = sorted(group, key=lambda x: -x.importance)
            for e in ordered:
                line = entry_line(e.alert, lang)
                previous = e.previous
                if known is not None and e.alert_id is not None:
                    previous = known.previous.get(e.alert_id)
                if isinstance(e.alert, Casualty) and _figures_changed(e.alert, previous):
                    assert previous is not None
                    was = t(lang, "digest_previously", x=casualty_figures(previous, lang).lower())
                    line = Line((*line.spans, Span(f" — {was}", "italic")))
                yield _Row(_with_outlets(line, e.outlets), "entry", 1)


def build_digest_parts(
    entries: list[DigestEntry], *, lang: str, since: dt.datetime | None, now: dt.datetime,
    max_lines: int = MAX_LINES, max_chars: int = MAX_CHARS, max_parts: int = MAX_PARTS,
    more_command: str = "/news digest --since 24h", figures: FiguresReader | None = None,
    resolve: EntryReader | None = None,
) -> list[Message]:
    """The digest as one or more messages, each within `max_lines` lines and `max_chars` characters.
    `now` and `since` are shown as given: pass them in the channel's time zone. `figures` reads the
    tallies and earlier figures of the casualty stories shown (else the entries' own are used). `resolve`:
    the entries are placeholders (type, story, importance, a fighting place, `alert_id`), read in full by
    it for those that may be shown."""
    title = f"{t(lang, 'digest')} — {now.strftime('%Y-%m-%d %H:%M')}"
    meta = {"type": "digest"}
    head: list[Line] = []
    if since is not None:
        head.append(Line.of(Span(_since(lang, since), "italic")))
    if not entries:
        return [Message(headline=title, lines=(*head, Line.of(t(lang, "nothing_new"))), lang=lang, meta=meta)]
    # Every entry of a section is counted by one row (a fighting place's row counts its entries).
    total = sum(1 for e in entries if e.alert.type in SECTION_ORDER)
    rows = _rows(entries, lang, figures, max_parts * max_lines, resolve)
    budget_lines, budget_chars = max(3, max_lines - 1), max(200, max_chars - 120)  # room for "and N more"
    parts: list[list[_Row]] = []
    current: list[_Row] = []
    section: _Row | None = None
    group: _Row | None = None
    shown = 0
    truncated = False
    for row in rows:
        size = len(row.line.plain) + 1
        used = sum(len(r.line.plain) + 1 for r in current) + sum(len(x.plain) + 1 for x in head) + len(title)
        if current and (len(current) + len(head) + 1 > budget_lines or used + size > budget_chars):
            if len(parts) + 1 >= max_parts:
                truncated = True
                break
            # Headings never end a part: they move on with what they announce.
            carry: list[_Row] = []
            while current and current[-1].kind in ("section", "group", "note"):
                carry.insert(0, current.pop())
            if not current:  # a lone heading larger than the budget: keep it rather than loop
                current, carry = carry, []
            parts.append(current)
            # A part that continues a section (or a story) repeats its heading.
            repeat: list[_Row] = []
            if row.kind != "section" and not any(r.kind == "section" for r in carry):
                repeat += [section] if section is not None else []
                if row.kind in ("entry", "note") and group is not None and not carry:
                    repeat.append(group)
            current = repeat + carry
            head = []
        if row.kind == "section":
            section, group = row, None
        elif row.kind == "group":
            group = row
        current.append(row)
        shown += row.entries
    if current:
        while truncated and current and current[-1].kind in ("section", "group", "note"):
            current.pop()
        parts.append(current)
    messages: list[Message] = []
    first_head = [Line.of(Span(_since(lang, since), "italic"))] if since else []
    for i, part in enumerate(parts):
        lines = [r.line for r in part]
        if i == 0:
            lines = [*first_head, *lines]
        headline = title if len(parts) == 1 else f"{title} ({t(lang, 'digest_part', i=i + 1, total=len(parts))})"
        messages.append(Message(headline=headline, lines=tuple(lines), lang=lang, meta=meta))
    if shown < total:
        last = messages[-1]
        more = Line.of(Span(t(lang, "and_more", n=total - shown, cmd=more_command), "italic"))
        messages[-1] = Message(headline=last.headline, lines=(*last.lines, more), lang=lang, meta=meta)
    return messages


def build_digest(
    entries: list[DigestEntry], *, lang: str, since: dt.datetime | None, now: dt.datetime,
    max_lines: int = MAX_LINES, max_chars: int = MAX_CHARS, more_command: str = "/news digest --since 24h",
    figures: FiguresReader | None = None, resolve: EntryReader | None = None,
) -> Message:
    """The digest as a single message: what does not fit is counted with the command that shows it."""
    return build_digest_parts(entries, lang=lang, since=since, now=now, max_lines=max_lines, max_chars=max_chars,
                              max_parts=1, more_command=more_command, figures=figures, resolve=resolve)[0]
