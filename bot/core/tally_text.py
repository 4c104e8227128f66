"""The reconciled view of casualty figures as lines, in the reader's language (pure)."""

from __future__ import annotations

from bot.core.i18n import t
from bot.core.models import Line, Span
from bot.core.render import figure_text
from bot.core.tally import GROUPS, Estimate, Figure, Reconciled
from bot.core.tally_moves import source_label
from bot.core.tally_sources import day_text, phrase


def who(figure: Figure, lang: str) -> str:
    """A figure's source as the reader knows it: one name per source whatever the article called it."""
    if not figure.reported_by:
        who = t(lang, "article_itself")
    else:
        who = source_label(figure.source, figure.reported_by, None, lang)
    if figure.outlet and not figure.reported_by:
        who += f" ({figure.outlet})"
    return who


def group_name(population: str, victims: str | None, lang: str) -> str:
    """What a figure counts, for the reader: "all victims", "soldiers"/"soldats", or as the article named it."""
    if not population:
        return t(lang, "everyone")
    if population in GROUPS:
        return t(lang, f"pop_{population}")
    return victims or population


def estimate_lines(e: Estimate, lang: str, *, detail: bool = True) -> list[Line]:
    """"Killed — all victims: low 21 · best 45 · high 45", then each source's latest figure."""
    group = group_name(e.population, e.victims, lang)
    head = f"{t(lang, e.measure)[:1].upper()}{t(lang, e.measure)[1:]} — {group}: "
    lines = [Line.of(Span(head, "bold"), t(lang, "estimate", low=e.low, best=e.best, high=e.high),
                     f" ({t(lang, 'sources_n', n=len(e.latest)) if len(e.latest) > 1 else t(lang, 'source_one')})")]
    if detail:
        for f in e.latest:
            when = f", {f.date.isoformat()}" if f.date else ""
            figure = figure_text(f.value, f.measure, f.qualifier, lang)
            lines.append(Line.of("  • ", figure, f" — {who(f, lang)}{when}"))
    return lines


def view_lines(view: Reconciled, lang: str, *, detail: bool = True, rules: bool = True) -> list[Line]:
    lines: list[Line] = []
    for e in view.estimates:
        lines.extend(estimate_lines(e, lang, detail=detail))
    if rules and view.estimates:
        used = {e.best_rule for e in view.estimates}
        for rule in ("non_party_median", "median"):
            if rule in used:
                key = "best_non_party" if rule == "non_party_median" else "best_median"
                lines.append(Line.of(Span(t(lang, key), "italic")))
        lines.append(Line.of(Span(t(lang, "not_summed"), "italic")))
    return lines


def headline_figures(view: Reconciled, lang: str) -> str | None:
    """The story's figures in one line, for a thread root or a digest: the latest figure of all victims
    (killed, and the same source's wounded), whose it is and when, and the range of the sources when
    they differ: "47 killed, 181 wounded (health ministry, 9 April) — range 35–47 killed"."""
    if view.empty:
        return None
    killed = [e for e in view.estimates if e.measure == "killed"]
    top = next((e for e in killed if not e.population), killed[0] if killed else view.estimates[0])
    latest = max(top.latest, key=Figure.order)
    parts = [figure_text(latest.value, latest.measure, latest.qualifier, lang)]
    other = next((e for e in view.estimates if e.measure != top.measure and e.population == top.population), None)
    if other is not None:
        mate = next((f for f in other.latest if f.source == latest.source), None)
        if mate is not None:
            parts.append(figure_text(mate.value, mate.measure, mate.qualifier, lang))
    when = f", {day_text(latest.date, lang)}" if latest.date else ""
    text = f"{', '.join(parts)} ({who(latest, lang)}{when})"
    if top.low != top.high:
        text += " — " + phrase("range", lang).format(low=top.low, high=top.high, measure=t(lang, top.measure))
    return text
