"""Words the bot itself writes, per reader language. Adding a language is adding a table here."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "killed": "killed", "wounded": "wounded",
        "at_least": "at least", "more_than": "more than", "about": "about", "up_to": "up to", "exact": "",
        "casualties": "Casualties", "statement": "Statement", "fighting": "Fighting",
        "source": "Source", "article_itself": "the article itself", "victims": "Victims", "since": "since",
        "where": "Where", "actors": "Armed actors", "date": "Date", "said": "said", "role": "Role",
        "outlets": "Outlets", "in": "in", "digest": "Digest", "nothing_new": "Nothing new since the last digest.",
        "and_more": "and {n} more — try `{cmd}`", "quote_in": "quote in {lang}",
        "lang_fr": "French", "lang_en": "English",
        "action_offensive": "offensive", "action_clashes": "clashes", "action_resumed": "fighting resumed",
        "action_halted": "advance halted", "action_advance": "advance", "action_withdrawal": "withdrawal",
        "action_airstrike": "air strike", "action_shelling": "shelling", "action_ceasefire": "ceasefire",
        "action_other": "armed violence",
        "section_casualty": "Casualty figures", "section_fighting": "Fighting", "section_statement": "Statements",
        "story": "Story", "changed": "changed", "from": "from", "to": "to",
        "toll_rise": "Toll rises", "toll_correction": "Toll revised down", "was": "was",
        "previously": "Previously", "now": "Now", "change": "Change", "latest_figures": "Latest figures",
        "estimate": "low {low} · best {best} · high {high}", "everyone": "all victims", "history": "History",
        "no_figures": "No casualty figures stored.", "chart_title": "Casualty figures over time",
        "best_non_party": "best: median of the latest figures of non-party sources",
        "best_median": "best: median of the latest figures (only parties to the conflict reported)",
        "not_summed": "Figures of different groups or sources count different people: they are never added up.",
        "sources_n": "{n} sources", "source_one": "1 source", "now_best": "now {figure}, best estimate",
        "pop_soldiers": "soldiers", "pop_civilians": "civilians", "pop_fighters": "fighters", "pop_police": "police",
        "pop_children": "children", "pop_women": "women", "pop_journalists": "journalists",
        "pop_protesters": "protesters",
    },
    "fr": {
        "killed": "tués", "wounded": "blessés",
        "at_least": "au moins", "more_than": "plus de", "about": "environ", "up_to": "jusqu'à", "exact": "",
        "casualties": "Bilan", "statement": "Déclaration", "fighting": "Combats",
        "source": "Source", "article_itself": "l'article lui-même", "victims": "Victimes", "since": "depuis le",
        "where": "Lieu", "actors": "Acteurs armés", "date": "Date", "said": "a déclaré", "role": "Fonction",
        "outlets": "Médias", "in": "à", "digest": "Résumé", "nothing_new": "Rien de nouveau depuis le dernier résumé.",
        "and_more": "et {n} de plus — essayez `{cmd}`", "quote_in": "citation en {lang}",
        "lang_fr": "français", "lang_en": "anglais",
        "action_offensive": "offensive", "action_clashes": "affrontements", "action_resumed": "reprise des combats",
        "action_halted": "avancée freinée", "action_advance": "avancée", "action_withdrawal": "retrait",
        "action_airstrike": "frappe aérienne", "action_shelling": "bombardements", "action_ceasefire": "cessez-le-feu",
        "action_other": "violences armées",
        "section_casualty": "Bilans", "section_fighting": "Combats", "section_statement": "Déclarations",
        "story": "Sujet", "changed": "a changé", "from": "de", "to": "à",
        "toll_rise": "Bilan en hausse", "toll_correction": "Bilan revu à la baisse", "was": "contre",
        "previously": "Avant", "now": "Désormais", "change": "Écart", "latest_figures": "Derniers bilans",
        "estimate": "bas {low} · estimation {best} · haut {high}", "everyone": "toutes victimes",
        "history": "Historique", "no_figures": "Aucun bilan enregistré.", "chart_title": "Bilans au fil du temps",
        "best_non_party": "estimation : médiane des derniers bilans des sources non parties au conflit",
        "best_median": "estimation : médiane des derniers bilans (seules des parties au conflit en ont donné)",
        "not_summed": "Les bilans de groupes ou de sources différents ne comptent pas les mêmes personnes : "
                      "ils ne sont jamais additionnés.",
        "sources_n": "{n} sources", "source_one": "1 source", "now_best": "désormais {figure}, meilleure estimation",
        "pop_soldiers": "soldats", "pop_civilians": "civils", "pop_fighters": "combattants", "pop_police": "policiers",
        "pop_children": "enfants", "pop_women": "femmes", "pop_journalists": "journalistes",
        "pop_protesters": "manifestants",
    },
}

LANGUAGES = tuple(STRINGS)


def t(lang: str, key: str, **values: object) -> str:
    table = STRINGS.get(lang) or STRINGS["en"]
    text = table.get(key) or STRINGS["en"].get(key, key)
    return text.format(**values) if values else text
