"""Words the bot itself writes, per reader language. Adding a language is adding a table here."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "killed": "killed", "wounded": "wounded",
        "at_least": "at least", "more_than": "more than", "about": "about", "up_to": "up to", "exact": "",
        "casualties": "Casualties", "statement": "Statement", "fighting": "Fighting",
        "source": "Source", "article_itself": "the article itself", "victims": "Victims", "since": "since",
        "colon": ": ", "where": "Where", "actors": "Armed actors", "date": "Date", "said": "said",
        "said_plural": "said", "role": "Role", "kept_in": "(as written, in {language})",
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
        # answers to follow-up questions
        "ans_who": "Who spoke", "ans_said": "What was said", "ans_casualties": "Casualty figures",
        "ans_killed": "Killed", "ans_wounded": "Wounded", "ans_where": "Where", "ans_when": "When",
        "ans_sources": "Sources", "ans_changed": "What changed", "ans_else": "What else happened",
        "ans_not_found": "Not in the sources", "ans_not_found_terms": "The sources say nothing about {terms}.",
        "ans_no_direct": "The sources do not answer this directly.",
        "ans_closest": "Closest sentences in the sources:", "ans_no_close": "No sentence in the sources comes close.",
        "ans_no_speaker": "No one is quoted in the sources.", "ans_figures_by": "Figures given by",
        "ans_others_none": "Other sources gave no figure for the {what}: {who}.",
        "ans_none_figure": "The sources give no figure for the {what}.", "ans_places_named": "Places named",
        "ans_no_place": "The sources name no place.", "ans_spoke_on": "{who} spoke on {date}",
        "ans_fighting_on": "Fighting at {where}: {date}", "ans_toll_since": "{figures} since {date}",
        "ans_published": "Article published on {date}", "ans_no_date": "The sources give no date.",
        "ans_file": "file", "ans_one_article": "One article so far: nothing has changed since the first report.",
        "ans_new_in": "New in {title}", "ans_figure_changed": "{who}: {old} → {new}",
        "ans_nothing_else": "Nothing else in this story.", "ans_elsewhere": "Elsewhere",
        "ans_alert_count_one": "{n} alert", "ans_alert_count_other": "{n} alerts",
        "ans_in_story": "In this story", "ans_story_unknown": "No such story.",
        # commands
        "cmd_latest": "Latest alerts", "cmd_nothing": "Nothing found.", "cmd_search": "Search: {terms}",
        "cmd_no_results": "No results for {terms}.", "cmd_no_story": "No story or alert {ref}.",
        "cmd_articles": "Articles", "cmd_alerts": "Alerts", "kind_topic": "topic", "kind_keyword": "keyword",
        "cmd_subscribed": "This channel now follows {kind} {value}.",
        "cmd_already_subscribed": "This channel already follows {kind} {value}.",
        "cmd_unsubscribed": "This channel no longer follows {value}.",
        "cmd_not_subscribed": "This channel does not follow {value}.", "cmd_subscriptions": "Subscriptions",
        "cmd_no_subscriptions": "This channel follows no topic or keyword yet.",
        "cmd_sources": "Sources", "cmd_last_success": "last success {when}", "cmd_never": "never read yet",
        "cmd_failures_one": "{n} failure in a row", "cmd_failures_other": "{n} failures in a row",
        "cmd_last_error": "last error", "cmd_added_by": "added by {who}",
        "cmd_healthy": "healthy", "cmd_no_sources": "No sources.",
        "cmd_admin_only": "Only admins may use `{cmd}`.", "cmd_source_added": "Source {name} added: {url}.",
        "cmd_source_exists": "There is already a source named {name}.",
        "cmd_source_removed": "Source {name} removed.", "cmd_source_unknown": "No source added under the name {name}.",
        "cmd_source_in_config": "{name} comes from the configuration file: remove it there.",
        "cmd_read_failed": "Could not read {url}: {error}", "cmd_read_done": "Read: {title}",
        "cmd_read_alerts_one": "{n} new alert",
        "cmd_read_alerts_other": "{n} new alerts", "cmd_read_known": "This page was already read.",
        "cmd_error": "Sorry", "cmd_usage": "Usage", "cmd_since": "since {when}", "cmd_url_refused": "Refused: {error}",
        "ans_no_direct_title": "No direct answer in the sources",
        "kind_type": "alert type", "kind_importance": "minimum importance",
        "the_kind_topic": "the topic", "the_kind_keyword": "the keyword", "the_kind_type": "the alert type",
        "the_kind_importance": "the minimum importance",
        "mode_alerts": "real-time alerts only", "mode_digest": "digest only", "from_config": "configuration file",
        "cmd_sub_in_config": "{value} comes from the configuration file: change it there.",
        "shortened": "(message shortened)", "chart": "Chart",
        "digest_previously": "previously {x}", "digest_part": "part {i} of {total}",
        "digest_no_title": "Untitled story",
        "cmd_filtered_one": "{n} alert left out by this channel's filters: see `{cmd}`.",
        "cmd_filtered_other": "{n} alerts left out by this channel's filters: see `{cmd}`.",
        "ans_figure_source": "Source of this figure", "ans_also": "Also in this story",
        "ans_more": "{n} more in this story: ask “what else?”",
    },
    "fr": {
        # "colon": French typography puts a space before it (" : "); one edit here, once tests/tally's
        # "Avant: …" follows.
        "killed": "tués", "wounded": "blessés",
        "at_least": "au moins", "more_than": "plus de", "about": "environ", "up_to": "jusqu'à", "exact": "",
        "casualties": "Bilan", "statement": "Déclaration", "fighting": "Combats",
        "source": "Source", "article_itself": "l'article lui-même", "victims": "Victimes", "since": "depuis le",
        "colon": ": ", "where": "Lieu", "actors": "Acteurs armés", "date": "Date", "said": "a déclaré",
        "said_plural": "ont déclaré", "role": "Fonction", "kept_in": "(tel quel, en {language})",
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
        # réponses aux questions dans les fils
        "ans_who": "Qui a parlé", "ans_said": "Ce qui a été dit", "ans_casualties": "Bilans",
        "ans_killed": "Tués", "ans_wounded": "Blessés", "ans_where": "Où", "ans_when": "Quand",
        "ans_sources": "Sources", "ans_changed": "Ce qui a changé", "ans_else": "Ce qui s'est passé d'autre",
        "ans_not_found": "Ce n'est pas dans les sources",
        "ans_not_found_terms": "Les sources ne disent rien de {terms}.",
        "ans_no_direct": "Les sources ne répondent pas directement à cette question.",
        "ans_closest": "Phrases les plus proches dans les sources :",
        "ans_no_close": "Aucune phrase des sources n'en approche.",
        "ans_no_speaker": "Personne n'est cité dans les sources.", "ans_figures_by": "Chiffres donnés par",
        "ans_others_none": "Les autres sources ne donnent pas de chiffre pour les {what} : {who}.",
        "ans_none_figure": "Les sources ne donnent aucun chiffre pour les {what}.",
        "ans_places_named": "Lieux cités", "ans_no_place": "Les sources ne citent aucun lieu.",
        "ans_spoke_on": "{who} : déclaration du {date}", "ans_fighting_on": "Combats à {where} : {date}",
        "ans_toll_since": "{figures} depuis le {date}", "ans_published": "Article publié le {date}",
        "ans_no_date": "Les sources ne donnent pas de date.", "ans_file": "fichier",
        "ans_one_article": "Un seul article pour l'instant : rien n'a changé depuis la première information.",
        "ans_new_in": "Nouveau dans {title}", "ans_figure_changed": "{who} : {old} → {new}",
        "ans_nothing_else": "Rien d'autre dans ce sujet.", "ans_elsewhere": "Ailleurs",
        "ans_alert_count_one": "{n} alerte", "ans_alert_count_other": "{n} alertes",
        "ans_in_story": "Dans ce sujet", "ans_story_unknown": "Sujet introuvable.",
        # commandes
        "cmd_latest": "Dernières alertes", "cmd_nothing": "Rien trouvé.", "cmd_search": "Recherche : {terms}",
        "cmd_no_results": "Aucun résultat pour {terms}.", "cmd_no_story": "Aucun sujet ni alerte {ref}.",
        "cmd_articles": "Articles", "cmd_alerts": "Alertes", "kind_topic": "sujet", "kind_keyword": "mot-clé",
        "cmd_subscribed": "Ce salon suit désormais {kind} {value}.",
        "cmd_already_subscribed": "Ce salon suit déjà {kind} {value}.",
        "cmd_unsubscribed": "Ce salon ne suit plus {value}.", "cmd_not_subscribed": "Ce salon ne suit pas {value}.",
        "cmd_subscriptions": "Abonnements", "cmd_no_subscriptions": "Ce salon ne suit encore aucun sujet ni mot-clé.",
        "cmd_sources": "Sources", "cmd_last_success": "dernier succès {when}", "cmd_never": "jamais lue",
        "cmd_failures_one": "{n} échec consécutif",
        "cmd_failures_other": "{n} échecs consécutifs", "cmd_last_error": "dernière erreur",
        "cmd_added_by": "ajoutée par {who}", "cmd_healthy": "en bonne santé", "cmd_no_sources": "Aucune source.",
        "cmd_admin_only": "Seuls les admins peuvent utiliser `{cmd}`.",
        "cmd_source_added": "Source {name} ajoutée : {url}.",
        "cmd_source_exists": "Il existe déjà une source nommée {name}.",
        "cmd_source_removed": "Source {name} retirée.",
        "cmd_source_unknown": "Aucune source ajoutée sous le nom {name}.",
        "cmd_source_in_config": "{name} vient du fichier de configuration : retirez-la là.",
        "cmd_read_failed": "Impossible de lire {url} : {error}", "cmd_read_done": "Lu : {title}",
        "cmd_read_alerts_one": "{n} nouvelle alerte",
        "cmd_read_alerts_other": "{n} nouvelles alertes", "cmd_read_known": "Cette page a déjà été lue.",
        "cmd_error": "Désolé", "cmd_usage": "Usage", "cmd_since": "depuis {when}",
        "cmd_url_refused": "Refusé : {error}",
        "ans_no_direct_title": "Pas de réponse directe dans les sources",
        "kind_type": "type d'alerte", "kind_importance": "importance minimale",
        "the_kind_topic": "le sujet", "the_kind_keyword": "le mot-clé", "the_kind_type": "le type d'alerte",
        "the_kind_importance": "l'importance minimale",
        "mode_alerts": "alertes en temps réel seulement", "mode_digest": "résumé seulement",
        "from_config": "fichier de configuration",
        "cmd_sub_in_config": "{value} vient du fichier de configuration : modifiez-le là.",
        "shortened": "(message raccourci)", "chart": "Graphique",
        "digest_previously": "précédemment {x}", "digest_part": "partie {i} sur {total}",
        "digest_no_title": "Sujet sans titre",
        "cmd_filtered_one": "{n} alerte écartée par les filtres de ce salon : voir `{cmd}`.",
        "cmd_filtered_other": "{n} alertes écartées par les filtres de ce salon : voir `{cmd}`.",
        "ans_figure_source": "Source de ce bilan", "ans_also": "Aussi dans ce sujet",
        "ans_more": "{n} de plus dans ce sujet : demandez « quoi d'autre ? »",
    },
}

LANGUAGES = tuple(STRINGS)


def label(lang: str, key: str) -> str:
    """"Source: " or, with French spacing, "Source : "."""
    return t(lang, key) + t(lang, "colon")
ECHO_MAX = 80  # characters of a reader's own text the bot repeats back


def echo(text: str, limit: int = ECHO_MAX) -> str:
    """A reader's text as the bot repeats it: on one line and cut with a marker, so a 20,000-character
    command is never sent back whole (nor pushes a reply over a chat's size limit)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


# Which counts take a word's singular form: French says "0 alerte", English "0 alerts".
SINGULAR: dict[str, frozenset[int]] = {"en": frozenset({1}), "fr": frozenset({0, 1})}


def t(lang: str, key: str, **values: object) -> str:
    """The text of `key` in `lang` (English when missing). With an integer `n` and a `key_one`/`key_other`
    pair, the form that agrees with `n`."""
    table = STRINGS.get(lang) or STRINGS["en"]
    n = values.get("n")
    if isinstance(n, int) and f"{key}_one" in STRINGS["en"]:
        key += "_one" if n in SINGULAR.get(lang, SINGULAR["en"]) else "_other"
    text = table.get(key) or STRINGS["en"].get(key, key)
    return text.format(**values) if values else text
