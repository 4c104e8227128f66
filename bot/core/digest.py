"""Alerts in, one digest message out: casualty figures first, then fighting by place, then statements.

Kept within a length budget, because chats cut long messages: what does not fit is counted and the
reader is told which command shows the rest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.core.i18n import t
from bot.core.models import Alert, Casualty, Fighting, Line, Message, Span, Statement
from bot.core.render import casualty_figures, reporter
from bot.core.translate import localize

SECTION_ORDER = ("casualty", "fighting", "statement")


@dataclass(frozen=True, slots=True)
class DigestEntry:
    alert: Alert
    story_id: int | None
    story_title: str | None
    importance: float = 0.0
    outlets: tuple[str, ...] = ()


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


def build_digest(
    entries: list[DigestEntry], *, lang: str, since: dt.datetime | None, now: dt.datetime,
    max_lines: int = 40, more_command: str = "/news digest --since 24h",
) -> Message:
    title = f"{t(lang, 'digest')} — {now.strftime('%Y-%m-%d %H:%M')}"
    if not entries:
        return Message(headline=title, lines=(Line.of(t(lang, "nothing_new")),), lang=lang, meta={"type": "digest"})
    lines: list[Line] = []
    shown = 0
    for section in SECTION_ORDER:
        chosen = sorted((e for e in entries if e.alert.type == section), key=lambda e: -e.importance)
        if not chosen:
            continue
        if len(lines) >= max_lines:
            break
        lines.append(Line.of(Span(t(lang, f"section_{section}"), "bold")))
        for e in chosen:
            if len(lines) >= max_lines:
                break
            line = entry_line(e.alert, lang)
            if e.outlets:
                line = Line((*line.spans, Span(f" [{', '.join(e.outlets[:3])}]", "italic")))
            lines.append(line)
            shown += 1
    if shown < len(entries):
        lines.append(Line.of(Span(t(lang, "and_more", n=len(entries) - shown, cmd=more_command), "italic")))
    return Message(headline=title, lines=tuple(lines), lang=lang, meta={"type": "digest"})
