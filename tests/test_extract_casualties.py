"""Casualty alerts: who gives the figure, sub-figures, coordinated and repeated figures."""

from __future__ import annotations

import datetime as dt

from bot.core.extract import extract_alerts
from bot.core.models import Article, Casualty

FRIDAY = dt.date(2024, 5, 10)


def casualties(text: str, lang: str, title: str | None = None) -> list[Casualty]:
    art = Article(id="c", text=text, lang=lang, published=FRIDAY, title=title)
    return [a for a in extract_alerts(art) if isinstance(a, Casualty)]


def figures(text: str, lang: str = "en") -> list[tuple[int | None, int | None]]:
    """(killed, wounded) of each casualty alert, in order."""
    return [(c.killed, c.wounded) for c in casualties(text, lang)]


def test_sources_in_both_orders() -> None:
    (c,) = casualties("Quatorze villageois ont été tués jeudi soir, a indiqué la police locale.", "fr")
    assert (c.killed, c.reported_by) == (14, "police locale")
    (c,) = casualties("Selon le Croissant-Rouge, au moins 9 personnes ont péri dans l'explosion.", "fr")
    assert (c.killed, c.qualifier, c.reported_by) == (9, "at_least", "Croissant-Rouge")
    (c,) = casualties("Health officials said that 31 people were killed and 70 wounded.", "en")
    assert (c.killed, c.wounded, c.reported_by) == (31, 70, "Health officials")


def test_figure_on_the_article_s_own_authority() -> None:
    (c,) = casualties("Three soldiers died when their vehicle hit a mine on Tuesday.", "en")
    assert (c.killed, c.reported_by) == (3, None)


def test_spokesman_named_between_commas() -> None:
    text = "Le porte-parole de l'armée, Karim Benali, a fait état de 6 soldats tués depuis lundi."
    (c,) = casualties(text, "fr")
    assert (c.killed, c.reported_by, c.since) == (6, "Karim Benali", dt.date(2024, 5, 6))


def test_sub_figures_are_not_figures() -> None:
    text = "Au moins 40 civils, dont 12 enfants, ont été tués, selon une ONG locale."
    got = casualties(text, "fr")
    assert [(c.killed, c.qualifier) for c in got] == [(40, "at_least")]
    got = casualties("Twenty people were killed, including 8 women.", "en")
    assert [c.killed for c in got] == [20]


def test_coordinated_figures_share_the_verb_and_qualifier() -> None:
    got = casualties("At least 5 guards and 11 prisoners were killed in the riot.", "en")
    assert sorted((c.killed, c.qualifier) for c in got) == [(5, "at_least"), (11, "at_least")]


def test_wounded_in_the_next_sentence() -> None:
    text = "A truck bomb exploded near the market, killing seven people. Another 25 were wounded."
    (c,) = casualties(text, "en")
    assert (c.killed, c.wounded) == (7, 25)


def test_verb_before_the_number() -> None:
    (c,) = casualties("Le raid a tué 8 villageois et blessé 40 autres à l'aube.", "fr")
    assert (c.killed, c.wounded) == (8, 40)


def test_repeated_figure_is_one_alert() -> None:
    text = ("Douze soldats ont été tués mardi. "
            "Les douze soldats ont été tués dans une embuscade, selon l'armée.")
    (c,) = casualties(text, "fr", title="12 soldats tués dans une embuscade")
    assert (c.killed, c.reported_by) == (12, "armée")


def test_source_named_after_the_sentence() -> None:
    text = "Two soldiers and four rebels were killed on Monday near the border, the army said in a statement."
    got = casualties(text, "en")
    assert sorted((c.killed, c.reported_by) for c in got) == [(2, "army"), (4, "army")]


def test_ages_are_not_figures() -> None:
    assert casualties("A 25-year-old man was shot dead by police.", "en") == []


def test_killing_and_wounding_with_qualifier() -> None:
    text = "The bomb exploded in the market, killing at least 12 people and wounding 30 others."
    (c,) = casualties(text, "en")
    assert (c.killed, c.wounded, c.qualifier) == (12, 30, "at_least")
    (c,) = casualties("La bombe a explosé, tuant au moins 12 personnes et blessant 30 autres.", "fr")
    assert (c.killed, c.wounded, c.qualifier) == (12, 30, "at_least")


def src(text: str, lang: str) -> list[tuple[int | None, int | None, str | None]]:
    return [(c.killed, c.wounded, c.reported_by) for c in casualties(text, lang)]


def test_source_carried_into_a_sentence_that_goes_on() -> None:
    text = ("Selon l'OSDH, 12 civils ont été tués à Homs. "
            "Près de Hama, sept autres villageois ont été tués par des tirs d'artillerie.")
    assert src(text, "fr") == [(12, None, "OSDH"), (7, None, "OSDH")]
    text = ("According to the health ministry, 12 civilians were killed in the strike on Monday. "
            "Five other people died in a separate raid on Tuesday.")
    assert src(text, "en") == [(12, None, "health ministry"), (5, None, "health ministry")]


def test_source_not_carried_across_a_new_topic() -> None:
    text = ("D'après des journalistes sur place, la ville manque d'eau. "
            "Dans le pays voisin, des émeutes ont fait quatre blessés.")
    assert src(text, "fr") == [(None, 4, None)]
    text = "Police said the crowd dispersed on Monday. Nine people were injured in clashes in the capital."
    assert src(text, "en") == [(None, 9, None)]


def test_pronoun_and_same_source_name_the_last_source() -> None:
    text = "The governor said that the town was shelled overnight. He added that 4 soldiers were killed."
    assert src(text, "en") == [(4, None, "governor")]
    text = ("According to the army, 12 rebels were killed in Kessa. "
            "Seven civilians died in Dorba on Friday, according to the same source.")
    assert src(text, "en") == [(12, None, "army"), (7, None, "army")]


def test_a_lone_attribution_vouches_for_its_sentence_s_only_figure() -> None:
    text = ("Mardi, 41 villageois, dont 9 femmes, avaient été tués et de nombreux autres atteints lors du "
            "pilonnage d'un marché très fréquenté au coeur de la petite localité, selon l'ONG locale.")
    assert src(text, "fr") == [(41, None, "ONG locale")]


def test_parts_listed_after_a_total_are_no_figures() -> None:
    text = ("Au moins 17 personnes, quatre policiers, six assaillants et sept passants, ont péri dans "
            "l'attaque, d'après l'ONG.")
    assert src(text, "fr") == [(17, None, "ONG")]
    text = "Au moins 64 personnes -- 30 civils, 20 miliciens et 14 gendarmes -- sont mortes jeudi, selon l'ONG."
    assert src(text, "fr") == [(64, None, "ONG")]
    text = "At least 40 people (12 soldiers and 28 civilians) were killed on Monday, the ministry said."
    assert src(text, "en") == [(40, None, "ministry")]


def test_coordinated_figures_without_a_total_stay_apart() -> None:
    text = "Attackers killed two policemen and four civilians on Monday."
    assert [c.killed for c in casualties(text, "en")] == [2, 4]


def test_comma_lists_of_figures_share_their_verb() -> None:
    text = "Three soldiers, two policemen and four civilians were killed on Monday."
    assert [c.killed for c in casualties(text, "en")] == [3, 2, 4]
    text = "Trois soldats, deux policiers et quatre civils ont été tués lundi."
    assert [c.killed for c in casualties(text, "fr")] == [3, 2, 4]


def test_only_a_source_of_figures_or_an_attribution_is_carried() -> None:
    text = ("Rebels shelled the city on Tuesday, killing at least 25 civilians, according to local activists. "
            "The council called for an immediate ceasefire. Another 40 people were wounded, the activists added.")
    assert src(text, "en") == [(25, None, "local activists"), (None, 40, "local activists")]
    text = ("The council called for an immediate ceasefire on Tuesday. "
            "Another 40 people were wounded in the shelling.")
    assert src(text, "en") == [(None, 40, None)]


def test_french_un_counts_before_a_victim_and_its_verb() -> None:
    text = "Un soldat a été tué et trois autres blessés lors de combats près de Gao."
    assert src(text, "fr") == [(1, 3, None)]
    assert [c.killed for c in casualties("Une femme et deux enfants ont été tués lundi.", "fr")] == [1, 2]
    assert [c.killed for c in casualties("Un habitant a déclaré que 5 personnes ont été tuées.", "fr")] == [5]
    assert [c.killed for c in casualties("Un bombardement a tué 12 personnes.", "fr")] == [12]


def test_a_figure_s_location_is_the_nearest_place() -> None:
    text = ("Ukrainian forces repelled 25 attacks around Bakhmut over the past day, the General Staff said, "
            "adding that Russian shelling killed two civilians in Kherson.")
    (c,) = casualties(text, "en")
    assert (c.killed, c.location) == (2, "Kherson")


def test_it_added_gives_the_last_source() -> None:
    text = "The health ministry said 10 soldiers died in Homs. It added that 12 civilians were killed in Hama."
    assert src(text, "en") == [(10, None, "health ministry"), (12, None, "health ministry")]
    text = "Le ministère de la Santé a fait état de 10 soldats tués à Homs. Il a ajouté que 12 civils avaient péri."
    assert src(text, "fr") == [(10, None, "ministère de la Santé"), (12, None, "ministère de la Santé")]
    assert src("It was reported that 5 people died in Homs.", "en") == [(5, None, None)]


# --- issue 13: what counts as a casualty figure ---

def test_counts_of_attacks_towns_and_shells_are_no_casualties() -> None:
    assert not casualties("Les rebelles ont mené 1000 attaques en un an, selon l'armée.", "fr")
    assert not casualties("Insurgents fired 155mm shells at 4 Syrian towns, the army said.", "en")
    assert not casualties("Share 0 85 12 comments", "en")


def test_a_range_is_a_low_and_a_high_bound() -> None:
    found = casualties("Entre 10 et 15 soldats ont été tués à Tamra, selon l'armée.", "fr")
    assert sorted((c.killed, c.qualifier) for c in found) == [(10, "at_least"), (15, "up_to")]
    found = casualties("10-15 civilians were killed in the shelling of Dorba.", "en")
    assert sorted((c.killed, c.qualifier) for c in found) == [(10, "at_least"), (15, "up_to")]


def test_clock_times_are_no_figures() -> None:
    (c,) = casualties("17 h 50 : 12 soldats ont été tués près de Tamra.", "fr")
    assert c.killed == 12
    (c,) = casualties("Clashes erupted at 15:17 in Dorba, killing 3 people.", "en")
    assert c.killed == 3


def test_since_the_start_of_the_offensive_resolves_where_the_article_dates_it() -> None:
    text = ("Les forces de Kessa ont lancé leur offensive le 4 mars contre Tamra. "
            "Le porte-parole a fait état de 14 soldats tués depuis le début de l'offensive.")
    (c,) = casualties(text, "fr")
    assert c.since == dt.date(2024, 3, 4)
    (c,) = casualties("Le porte-parole a fait état de 14 soldats tués depuis le début de l'offensive.", "fr")
    assert c.since is None  # the article never says when it began
    (c,) = casualties("More than 9000 people have been killed since the conflict broke out in March 2019.", "en")
    assert c.since == dt.date(2019, 3, 1)


def test_casualty_confidence_follows_the_evidence() -> None:
    (strong,) = casualties("Au moins 12 civils ont été tués dimanche à Tamra, selon l'ONG.", "fr")
    (weak,) = casualties("Dorba: 12.", "en") or [strong]
    assert strong.confidence >= 0.5
    assert weak is strong or weak.confidence < strong.confidence


def test_tolls_of_a_time_long_past_are_no_alert_but_tolls_since_a_year_are() -> None:
    assert not casualties("La bataille de 1916 a fait 61 000 tués, selon les historiens.", "fr")
    assert not casualties("The 1998 bombing of the market killed 62 people.", "en")
    (c,) = casualties("Plus de 5000 personnes ont été tuées depuis 2011, selon l'ONU.", "fr")
    assert (c.killed, c.since) == (5000, dt.date(2011, 1, 1))


def test_an_injury_as_a_figure_of_speech_is_no_casualty() -> None:
    assert not casualties("Cette décision est une blessure pour tout le pays, a-t-il dit.", "fr")
    (c,) = casualties("Un mort et trois blessés à Tamra dimanche.", "fr")
    assert (c.killed, c.wounded) == (1, 3)


def test_disease_and_accidents_are_no_casualties_of_violence() -> None:
    assert not casualties("Quelque 500 personnes sont décédées du coronavirus en 24 heures.", "fr")
    assert not casualties("Twelve people were killed in a traffic accident near Dorba.", "en")


def test_a_victim_noun_with_its_own_casualty_word_outweighs_the_verb_before() -> None:
    found = casualties("Three civilians killed, 12 others injured in rocket attacks on Dorba on Friday.", "en")
    assert {(c.killed, c.wounded) for c in found} == {(3, 12)}
    (c, *_) = casualties("The attacks claimed the lives of five villagers and injured 90 others.", "en")
    assert (c.killed, c.wounded) == (5, 90)


def test_a_dashed_date_is_no_figure() -> None:
    assert all(c.killed != 12 for c in casualties("10-05-2024 Rebels kill 20 soldiers in Dorba.", "en"))


def test_a_dataset_coding_note_is_no_figure() -> None:
    found = casualties("Three soldiers were killed in Dorba (coded as 5 fatalities in total).", "en")
    assert [c.killed for c in found] == [3]


# --- which attribution of a sentence vouches for which figure ---


def test_the_first_attribution_after_a_figure_vouches_for_it_however_far() -> None:
    alerts = casualties("Ces violences, qui ont fait au moins 3.000 morts en six mois selon l'ONU, ont encore coûté "
                        "la vie à quatre civils, tombés jeudi sous les balles des forces de l'ordre, un dans la "
                        "province de Hama, trois à Kafr Soussa, près de la capitale, selon le Croissant-Rouge.", "fr")
    assert {c.killed: c.reported_by for c in alerts} == {3000: "ONU", 4: "Croissant-Rouge"}


def test_an_attribution_after_another_figure_is_that_figure_s() -> None:
    alerts = casualties("Des déserteurs ont tué jeudi sept policiers en représailles à la mort de 11 civils dans "
                        "le nord du pays, en proie à des violences ayant fait plus de 3.000 morts, selon l'ONU.", "fr")
    assert {c.killed: c.reported_by for c in alerts}[3000] == "ONU"
    assert {c.killed: c.reported_by for c in alerts}[7] is None


def test_others_after_a_figure_share_the_attribution_that_ends_the_sentence() -> None:
    alerts = casualties("Five civilians were killed in shelling on Tell Sabka on Thursday, and six others died in "
                        "the village of Kafr Soussa, according to the Red Crescent.", "en")
    assert {c.killed: c.reported_by for c in alerts} == {5: "Red Crescent", 6: "Red Crescent"}


def test_a_passive_participle_names_the_source_of_a_toll() -> None:
    (c,) = casualties("Un chiffre moins important que les 20.000 tués annoncés le mois dernier par la rébellion.", "fr")
    assert (c.killed, c.reported_by) == (20000, "rébellion")
    (c,) = casualties("The new figure is above the 40 dead given on Monday by the health ministry in Gaza.", "en")
    assert (c.killed, c.reported_by) == (40, "health ministry")


def test_killed_by_names_who_killed_not_who_counted() -> None:
    (c,) = casualties("Twelve civilians were killed by government forces in Tell Sabka on Thursday.", "en")
    assert c.reported_by is None


def test_figures_of_others_take_the_last_source_over_sentences_without_figures() -> None:
    alerts = casualties("Selon l'OSDH, 24 civils ont péri à Kafr Soussa. Les militants craignent une opération "
                        "d'envergure. \"Les déserteurs sont nombreux\", a expliqué un militant. Dans d'autres "
                        "secteurs de la province, 16 civils ont été tués.", "fr")
    assert {c.killed: c.reported_by for c in alerts} == {24: "OSDH", 16: "OSDH"}


def test_an_attack_claimed_by_a_group_is_not_its_count() -> None:
    (c,) = casualties("A double bomb blast in Tell Sabka on Thursday killed 57 people and was claimed by the "
                      "Kessa Front.", "en")
    assert (c.killed, c.reported_by) == (57, None)


def test_the_verb_before_a_figure_and_its_victims_governs_it() -> None:
    (c,) = casualties("Army units killed 15 Kessa Front fighters and injured others near Tell Sabka on Thursday.", "en")
    assert (c.killed, c.wounded) == (15, None)


def test_the_same_figure_at_two_places_of_one_sentence_is_two_alerts() -> None:
    alerts = casualties("These included 2 killed and 4 injured in Tell Sabka locality and 2 killed in the Kafr "
                        "Soussa area.", "en")
    assert {c.location: (c.killed, c.wounded) for c in alerts} == {"Tell Sabka": (2, 4), "Kafr Soussa": (2, None)}


def test_martyred_counts_as_killed() -> None:
    (c,) = casualties("Three citizens were martyred and others were injured in a car bomb attack in Tell Sabka.", "en")
    assert (c.killed, c.wounded) == (3, None)


def test_the_death_of_a_number_is_killed_whatever_follows() -> None:
    (c,) = casualties("Three shells hit Tell Sabka, causing the death of one civilian and injury of 13 others.", "en")
    assert (c.killed, c.wounded) == (1, 13)


def test_a_death_toll_that_reached_a_number_is_killed_before_a_later_injured() -> None:
    (c,) = casualties("The death toll from the shelling of Tell Sabka in the past 24 hours has reached 20 people in "
                      "addition to tens of others injured.", "en")
    assert (c.killed, c.wounded) == (20, None)


def test_death_sentences_and_hunger_are_no_casualties_of_violence() -> None:
    assert casualties("Le tribunal a prononcé samedi la condamnation à mort de 21 supporters.", "fr") == []
    assert casualties("At least two children died of malnutrition in Tell Sabka in recent weeks.", "en") == []
    assert casualties("A court sentenced 12 men to death on Monday; a death sentence for 12 men.", "en") == []


def test_a_part_of_a_count_is_no_figure_of_its_own() -> None:
    alerts = casualties("Cinquante-huit des 360 enfants blessés avaient moins de 12 ans.", "fr")
    assert [(c.killed, c.wounded) for c in alerts] == [(None, 360)]


def test_a_count_over_a_stretch_of_time_runs_from_its_first_day() -> None:
    (c,) = casualties("At least 88 fighters have been killed in two days of clashes near Tell Sabka.", "en")
    assert c.since == FRIDAY - dt.timedelta(days=2)
    (c,) = casualties("Au moins 40 civils ont été tués en trois jours à Kafr Soussa.", "fr")
    assert c.since == FRIDAY - dt.timedelta(days=3)
    (c,) = casualties("Twelve people were killed in the past 24 hours in Tell Sabka.", "en")
    assert c.since == FRIDAY - dt.timedelta(days=1)


def test_a_date_the_count_names_outweighs_a_stretch() -> None:
    (c,) = casualties("Deux soldats ont été tués depuis le 2 mai, en huit jours de combats.", "fr")
    assert c.since == dt.date(2024, 5, 2)


def test_the_family_the_victims_belong_to_is_no_figure() -> None:
    (c,) = casualties("Five civilians of one family including a child were killed in air strikes on Tell Sabka.", "en")
    assert c.killed == 5
    (c,) = casualties("L'OSDH a fait état de la mort de 128 personnes jeudi.", "fr")
    assert c.killed == 128


def test_a_family_of_six_killed_counts_six() -> None:
    (c,) = casualties("A family of six was killed in a gas attack on Tell Sabka on Thursday.", "en")
    assert c.killed == 6


def test_victims_among_a_toll_are_a_part_of_it() -> None:
    assert casualties("Fourteen children and a woman were among those killed in Tell Sabka.", "en") == []
    assert casualties("Cinq enfants figurent parmi les morts de Kafr Soussa.", "fr") == []


def test_a_part_of_the_dead_or_wounded_is_no_figure_of_its_own() -> None:
    # the toll is told elsewhere; these say who some of its victims were
    assert casualties("The monitor said at least 12 of the dead were fighters.", "en") == []
    assert casualties("Six of those killed in Tell Sabka were aid workers.", "en") == []
    assert casualties("Nine of the injured are in a critical condition, the hospital said.", "en") == []
    # "one of three people killed": the part is no figure, the total is the toll
    assert [c.killed for c in casualties("A nurse was one of three people killed in Tell Sabka.", "en")] == [3]
    # "12 people, 4 of them children": who some of them were
    got = casualties("The strike killed 12 people, 4 of them children, and wounded 30 in Tell Sabka.", "en")
    assert [(c.killed, c.wounded) for c in got] == [(12, 30)]
    # but "two of the three attackers were killed" is a toll of two
    (c,) = casualties("Two of the four gunmen were killed by the guards.", "en")
    assert c.killed == 2
    # a count of a group's members who were killed is a figure
    (c,) = casualties("Gunmen stormed the post; five of them were killed by the guards.", "en")
    assert c.killed == 5
    # an approximate number of the dead is a figure
    (c,) = casualties("Une trentaine de morts ont été relevés à Kafr Soussa.", "fr")
    assert (c.killed, c.qualifier) == (30, "about")


def test_every_part_listed_after_including_is_a_part() -> None:
    got = casualties("Nineteen people, including seven women and three children, were killed in Tell Sabka.", "en")
    assert [(c.killed, c.wounded) for c in got] == [(19, None)]
    got = casualties("Onze civils, dont deux femmes et quatre enfants, ont été tués à Kafr Soussa.", "fr")
    assert [(c.killed, c.wounded) for c in got] == [(11, None)]
    # a figure with its own casualty word, or of "others", is not one of the parts
    got = casualties("The strike killed 14 people including 5 children and wounded 30 others.", "en")
    assert [(c.killed, c.wounded) for c in got] == [(14, 30)]
    got = casualties("At least 9 people were killed including 2 children and more than 20 wounded.", "en")
    assert [(c.killed, c.wounded) for c in got] == [(9, 20)]
    got = casualties("The strike killed 12 people including three children and 40 people were wounded.", "en")
    assert [(c.killed, c.wounded) for c in got] == [(12, 40)]
    got = casualties("La frappe a tué 12 personnes, dont trois enfants et 40 personnes ont été blessées.", "fr")
    assert [(c.killed, c.wounded) for c in got] == [(12, 40)]
    # a list ends on its conjunction, or on a comma when it has none: what follows opens the total
    for text in ("Including four women and two children, 25 people were killed in Tell Sabka.",
                 "Including two children, 25 people were killed in Tell Sabka."):
        assert [c.killed for c in casualties(text, "en")] == [25], text
    # a bare participle after a part describes it: no verb of its own
    for text in ("The strike killed 12 people, including three children and two women killed in their homes.",
                 "The strike killed 12 people, including three children and two women wounded earlier."):
        assert [(c.killed, c.wounded) for c in casualties(text, "en")] == [(12, None)], text
    # a long list, with its commas or with them lost, reaches the total's verb
    for text in ("Nineteen people, including seven women, three children and two old men, were killed.",
                 "Nineteen people including seven women three children and two old men were killed."):
        assert [c.killed for c in casualties(text, "en")] == [19], text


def test_victims_among_the_dead_are_a_part_of_the_toll() -> None:
    assert casualties("There were 7 children among the dead in Tell Sabka, the monitor said.", "en") == []
    assert casualties("On compte trois journalistes parmi les victimes de Kafr Soussa.", "fr") == []


def test_places_and_things_destroyed_are_no_casualties() -> None:
    text = "Troops destroyed three hideouts of the militants near Tell Sabka, killing several of them."
    assert casualties(text, "en") == []
    text = "L'armée a détruit deux repaires des insurgés près de Kafr Soussa, tuant plusieurs d'entre eux."
    assert casualties(text, "fr") == []


def test_two_figures_whose_comma_was_lost_keep_their_verbs() -> None:
    got = casualties("Shelling of Tell Sabka kills 9 wounds 31, a local group said.", "en")
    assert [(c.killed, c.wounded) for c in got] == [(9, 31)]
    got = casualties("The blast killed 14 people injured 40 others in Tell Sabka on Monday.", "en")
    assert [(c.killed, c.wounded) for c in got] == [(14, 40)]
    # "Three civilians killed 12 others injured": each figure's own word still comes first
    got = casualties("Three civilians killed 12 others injured in Tell Sabka.", "en")
    assert sorted((c.killed, c.wounded) for c in got) == [(3, 12)]


def test_share_counts_and_related_links_of_a_scraped_page_are_no_figures() -> None:
    got = casualties("Get short URL 3815 At least 6 civilians were killed in Tell Sabka on Monday.", "en")
    assert [(c.killed, c.qualifier) for c in got] == [(6, "at_least")]
    # but a figure right after its verb is one, whatever follows it
    got = casualties("The shelling killed 12 At least 30 others were wounded in Tell Sabka.", "en")
    assert [(c.killed, c.wounded) for c in got] == [(12, 30)]
    text = ("Six civilians were killed in Tell Sabka on Monday.\n"
            "312 Related Army kills 40 militants near Tell Sabka\n")
    assert [c.killed for c in casualties(text, "en")] == [6]


def test_one_number_for_two_fates_is_a_figure_of_neither() -> None:
    assert figures("At least 48 people were killed or injured in the shelling of Tell Sabka.", "en") == []
    assert figures("Rockets killed and injured five civilians in Tell Sabka on Thursday.", "en") == []
    assert figures("Twelve people were killed in Tell Sabka and another 50 were wounded or missing.", "en") \
        == [(12, None)]
    assert figures("L'explosion a fait 48 morts et blessés à Kafr Soussa jeudi.", "fr") == []
    assert figures("Trente personnes ont été tuées ou blessées à Kafr Soussa.", "fr") == []
    # a number for each fate, two words of one fate, or a verb with an object of its own stay figures
    assert figures("The shelling of Tell Sabka killed 12 and wounded 30 on Thursday.", "en") == [(12, 30)]
    assert figures("The attackers killed and executed 70 people in Tell Sabka on Thursday.", "en") == [(70, None)]
    assert figures("The war has left at least 200,000 people dead and displaced half the population.", "en") \
        == [(200000, None)]
    assert figures("L'attaque a fait 12 morts et 30 blessés à Kafr Soussa.", "fr") == [(12, 30)]


def test_a_count_of_people_with_another_fate_is_no_casualty_figure() -> None:
    def killed(text: str, lang: str) -> list[int | None]:
        return [c.killed for c in casualties(text, lang)]

    assert killed("Police arrested 12 people after clashes in Tell Sabka that killed three.", "en") == [3]
    assert killed("Twelve people are missing and three were killed in Tell Sabka.", "en") == [3]
    assert killed("Six people remain trapped under the rubble after the strike on Tell Sabka killed two.", "en") \
        == [2]
    assert killed("Six personnes sont toujours sous les décombres après la frappe qui a tué deux civils à "
                  "Kafr Soussa.", "fr") == [2]
    # one person's death is no count's casualty word
    assert killed("Ils ne sont plus que six dans le village depuis sa mort.", "fr") == []
    # the counted people's own bodies still are
    assert killed("At least 35 people were found shot and their bodies dumped near Tell Sabka.", "en") == [35]


def test_each_figure_keeps_its_own_words() -> None:
    # a fate before a killing, with "and", is what happened first; the number is of the killed
    assert figures("Militants kidnapped and killed 12 aid workers near Tell Sabka on Friday.", "en") == [(12, None)]
    assert figures("Au moins 12 civils ont été enlevés et tués à Kafr Soussa.", "fr") == [(12, None)]
    assert figures("Fifty people were kidnapped or killed in Tell Sabka.", "en") == []
    # the first casualty word has its own figure; the second one its own too
    assert figures("The explosion in Tell Sabka left 12 people dead and wounded 30 others.", "en") == [(12, 30)]
    assert figures("L'explosion a fait 12 morts et blessé 30 personnes à Kafr Soussa.", "fr") == [(12, 30)]
    # "and" opening the next clause joins no fates
    assert figures("At least 12 people were killed and injured civilians were rushed to hospitals in Tell Sabka.",
                   "en") == [(12, None)]
    # a verb that governs a number of its own, or a vague count after it, is not the figure before it
    assert figures("Eight people were taken to hospital after the blast killed two in Tell Sabka.", "en") \
        == [(2, None)]
    assert figures("Terrorist attacks kill 10 injure scores in Tell Sabka.", "en") == [(10, None)]
    assert figures("Shells landed on the square in Tell Sabka killing 4 citizens injuring many others.", "en") \
        == [(4, None)]
    assert figures("4 Turkish Troopers Killed 4 Wounded in Tell Sabka.", "en") == [(4, 4)]
    assert figures("The attack killed 3 citizens and injured 8 others in Tell Sabka.", "en") == [(3, 8)]
    # people with another fate than death or wounds are no casualties
    assert figures("The ministry said 300 people had been evacuated and 12 killed in Tell Sabka.", "en") \
        == [(12, None)]
    assert figures("Three hostages were freed and two were killed in Tell Sabka.", "en") == [(2, None)]


def test_third_review_cases() -> None:
    # a figure's own noun phrase may hold a complement before its verb, with the comma to the next one lost
    assert figures("Fourteen members of the same family were killed 6 injured in the raid on Tell Sabka", "en") \
        == [(14, 6)]
    assert figures("Au moins 12 membres d'une même famille ont été tués 6 blessés à Kafr Soussa", "fr") == [(12, 6)]
    assert figures("Four people including a child killed six others injured in attacks on Tell Sabka", "en") \
        == [(4, 6)]
    # another fate told of the victims before their death is not theirs instead of it
    assert figures("At least 12 soldiers captured by rebels last week were executed on Monday in Tell Sabka.", "en") \
        == [(12, None)]
    assert figures("Douze otages enlevés la semaine dernière ont été exécutés à Kafr Soussa.", "fr") == [(12, None)]
    assert figures("Gunmen abducted 12 workers and killed them near Tell Sabka.", "en") == [(12, None)]
    assert figures("The Red Crescent evacuated 40 wounded from the besieged district of Tell Sabka.", "en") \
        == [(None, 40)]
    # a number in a name, a gerund with its own object, a count of things
    assert figures("Shells hit al-Mazzeh 86 in Tell Sabka injuring 7 people.", "en") == [(None, 7)]
    assert figures("Daesh kidnapped 900 Executed 18 People in Tell Sabka.", "en") == [(18, None)]


def test_a_count_with_another_fate_is_not_carried_by_the_next_figure_s_verb() -> None:
    assert figures("Police arrested 12 protesters and 3 killed in Tell Sabka on Monday.") == [(3, None)]
    assert figures("Gunmen kidnapped 12 people killed 3 others in Tell Sabka on Monday.") == [(3, None)]
    assert figures("Rescuers said 20 people rescued from the rubble and 5 killed in Tell Sabka.") == [(5, None)]
    assert figures("The Red Crescent evacuated 300 civilians and 40 wounded from Tell Sabka.") == [(None, 40)]


def test_fifth_review_cases() -> None:
    # coordinated victims with one passive verb were all killed, whatever happened to them before
    assert figures("Twelve patients evacuated from the hospital and three medics were killed when the convoy was "
                   "hit near Tell Sabka.") == [(12, None), (3, None)]
    assert figures("Douze otages enlevés en janvier et trois soldats ont été exécutés à Kafr Soussa.", "fr") \
        == [(12, None), (3, None)]
    # a fate in a relative clause is not the figure's own
    assert figures("Twelve hostages who had been kidnapped in January were executed near Tell Sabka.") \
        == [(12, None)]
    # a fate word after the previous figure is that figure's, in a headline without commas
    assert figures("Tell Sabka shelling: 15 missing 12 killed 30 injured, civil defence says") == [(12, 30)]


def test_a_bare_count_after_other_fates_is_a_clause_of_its_own() -> None:
    assert figures("Twenty people rescued from the rubble and five were killed in Tell Sabka on Monday.") \
        == [(5, None)]
    assert figures("Quarante manifestants arrêtés lundi et trois autres ont été tués à Kafr Soussa.", "fr") \
        == [(3, None)]
    assert figures("Twelve protesters who marched on the governor's office were arrested and three were killed in "
                   "Tell Sabka.") == [(3, None)]
