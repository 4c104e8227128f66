"""Alerts as messages, written in the reader's language.

Facts are structured, so only the words around them are translated; quotes stay as said, marked
with the article's language. Names of people, bodies and places are kept as the article names them.
"""

from __future__ import annotations

import re

from bot.core.i18n import label, t
from bot.core.links import web_link
from bot.core.models import Alert, Casualty, Fighting, Line, Message, Span, Statement
from bot.core.tally import CasualtyChangeAlert
from bot.core.translate import localize, name_in, plural


def casualty_figures(alert: Casualty, lang: str) -> str:
    """"At least 21 killed, 27 wounded" in the reader's language."""
    parts = []
    if alert.killed is not None:
        parts.append(f"{alert.killed} {t(lang, 'killed')}")
    if alert.wounded is not None:
        parts.append(f"{alert.wounded} {t(lang, 'wounded')}")
    text = ", ".join(parts) or "?"
    qualifier = t(lang, alert.qualifier)
    text = f"{qualifier} {text}" if qualifier else text
    return text[:1].upper() + text[1:]


def reporter(alert: Casualty, lang: str) -> str:
    """Who gave the figure: in the reader's language when the glossary knows the whole name ("Health
    Ministry"), else as the article wrote it."""
    return name_in(alert.reported_by, lang) or t(lang, "article_itself")


def said(speaker: str, lang: str) -> str:
    """"a déclaré" or "ont déclaré": the verb agrees with one speaker or several."""
    return t(lang, "said_plural" if plural(speaker) else "said")


def headline(alert: Alert, lang: str) -> str:
    """One line: "At least 21 killed, 27 wounded (Health Ministry, Tripoli)"."""
    alert = localize(alert, lang)
    if isinstance(alert, Casualty):
        where = f", {alert.location}" if alert.location else ""
        return f"{casualty_figures(alert, lang)} ({reporter(alert, lang)}{where})"
    if isinstance(alert, Fighting):
        return f"{label(lang, 'fighting')}{alert.location} — {t(lang, 'action_' + alert.action)}"
    role = f" ({alert.speaker_role})" if alert.speaker_role else ""
    text = f"{alert.speaker}{role} {said(alert.speaker, lang)}"
    return text[:1].upper() + text[1:]


# A kept name that holds ordinary words (not only capitalised names) reads as another language: say which.
_COMMON_WORD = re.compile(r"(?:^|\s)[a-zà-ÿ]{3,}(?=[\s,.;:]|$)")


def name_spans(original: str | None, lang: str, article_lang: str | None) -> list[Span]:
    """A name as shown: translated when the glossary knows all of it, else kept as written, with the
    article's language on the span and, when it holds ordinary words, named after it ("(English)")."""
    if not original:
        return []
    shown = name_in(original, lang) or original
    if shown != original or not article_lang or article_lang == lang:
        return [Span(shown)]
    spans = [Span(original, lang=article_lang)]
    language = t(lang, "lang_" + article_lang)
    if _COMMON_WORD.search(original) and not language.startswith("lang_"):
        spans.append(Span(" " + t(lang, "kept_in", language=language), "italic"))
    return spans


def alert_lines(alert: Alert, lang: str, article_lang: str | None) -> list[Line]:
    original = alert
    alert = localize(alert, lang)
    lines: list[Line] = []
    if isinstance(alert, Casualty):
        assert isinstance(original, Casualty)
        if alert.victims:
            lines.append(Line.of(Span(label(lang, 'victims'), "bold"),
                                 *name_spans(original.victims, lang, article_lang)))
        source = name_spans(original.reported_by, lang, article_lang) or [Span(t(lang, "article_itself"))]
        lines.append(Line.of(Span(label(lang, 'source'), "bold"), *source))
        if alert.since:
            lines.append(Line.of(Span(f"{t(lang, 'since')} ", "bold"), alert.since.isoformat()))
    elif isinstance(alert, Fighting):
        if alert.actors:
            lines.append(Line.of(Span(label(lang, 'actors'), "bold"), ", ".join(alert.actors)))
        if alert.place and alert.place.country:
            lines.append(Line.of(Span(label(lang, 'where'), "bold"), f"{alert.place.name}, {alert.place.country}"))
        if alert.date:
            lines.append(Line.of(Span(label(lang, 'date'), "bold"), alert.date.isoformat()))
    elif isinstance(alert, Statement):
        lines.append(Line.of(Span(alert.quote, "quote", lang=article_lang)))
        if alert.date:
            lines.append(Line.of(Span(label(lang, 'date'), "bold"), alert.date.isoformat()))
    return lines


def figure_text(value: int, measure: str, qualifier: str, lang: str) -> str:
    """"at least 35 killed" in the reader's language."""
    q = t(lang, qualifier)
    return f"{q} {value} {t(lang, measure)}" if q else f"{value} {t(lang, measure)}"


def change_headline(alert: Alert, lang: str) -> str | None:
    """"Toll rises (+12 killed, was 35): 47 killed (…)" for a casualty change alert, else None."""
    if not isinstance(alert, CasualtyChangeAlert) or not alert.changes:
        return None
    kind = t(lang, "toll_rise" if alert.changes[0].delta > 0 else "toll_correction")
    from bot.core.tally_moves import change_moves  # stories: what moved, since when, whose figure

    moves = change_moves(alert.changes, lang)
    return f"{kind} ({moves}): {headline(alert, lang)}"


def change_lines(alert: Alert, lang: str) -> list[Line]:
    """For a change alert: old figure and new, each with its date and source, and the difference."""
    if not isinstance(alert, CasualtyChangeAlert):
        return []
    lines = []
    for c in alert.changes:
        for key, value, qualifier, date, source, outlet in (
            ("previously", c.old, c.old_qualifier, c.old_date, c.old_source, c.old_outlet),
            ("now", c.new, c.new_qualifier, c.new_date, c.new_source, c.new_outlet),
        ):
            who = source or t(lang, "article_itself")
            if outlet and outlet != source:
                who += f" ({outlet})"
            when = f"{date.isoformat()}, " if date else ""
            lines.append(Line.of(Span(label(lang, key), "bold"),
                                 f"{figure_text(value, c.measure, qualifier, lang)} — {when}{who}"))
        lines.append(Line.of(Span(label(lang, "change"), "bold"), f"{c.delta:+d} {t(lang, c.measure)}"))
    return lines


def ref_label(alert_id: int, story_id: int | None) -> str:
    """"A12 · S3": the short ids `reply`, `story` and `ask` take, as listings show them."""
    return f"A{alert_id}" + (f" · S{story_id}" if story_id is not None else "")


def render_alert(
    alert: Alert, *, lang: str, article_lang: str | None = None,
    outlets: list[tuple[str, str | None]] | None = None, alert_id: int | None = None, story_id: int | None = None,
) -> Message:
    """One alert as a message. `outlets` are (name, link or None) pairs of articles that carried it;
    `alert_id`/`story_id`, when given, end it with its short ids (A12 · S3), which readers quote to ask."""
    lines = [*change_lines(alert, lang), *alert_lines(alert, lang, article_lang)]
    if outlets:
        spans: list[Span] = [Span(label(lang, 'outlets'), "bold")]
        for i, (name, link) in enumerate(outlets):
            if i:
                spans.append(Span(", "))
            spans.append(Span(name, href=web_link(link)))
        if article_lang:
            name_of_lang = t(lang, "lang_" + article_lang)
            spans.append(Span(f" ({article_lang if name_of_lang.startswith('lang_') else name_of_lang})"))
        lines.append(Line(tuple(spans)))
    meta = {"type": str(alert.type)}
    if alert_id is not None:
        lines.append(Line.of(Span(f"[{ref_label(alert_id, story_id)}]", "code")))
        meta["alert_id"] = str(alert_id)
        if story_id is not None:
            meta["story_id"] = str(story_id)
    if isinstance(alert, CasualtyChangeAlert) and alert.changes:
        meta["change"] = alert.changes[0].kind  # rise | correction, for adapters that mark it
    return Message(headline=change_headline(alert, lang) or headline(alert, lang), lines=tuple(lines), lang=lang,
                   meta=meta)
