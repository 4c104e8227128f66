"""The reconciled view of casualty figures as lines, in the reader's language (pure)."""

from __future__ import annotations

from bot.core.i18n import t
from bot.core.models import Line, Span
from bot.core.render import figure_text
from bot.core.tally import GROUPS, Estimate, Figure, Reconciled


def who(figure: Figure, lang: str) -> str:
    who = figure.reported_by or t(lang, "article_itself")
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
