"""Fighting updates: the most specific place, the actors, the action, and what is no fighting."""

from __future__ import annotations

import datetime as dt

from bot.core.extract import extract_alerts
from bot.core.models import Article, Fighting

SATURDAY = dt.date(2024, 3, 16)


def fights(text: str, lang: str) -> list[Fighting]:
    art = Article(id="f", text=text, lang=lang, published=SATURDAY)
    return [a for a in extract_alerts(art) if isinstance(a, Fighting)]


def places(text: str, lang: str = "en") -> list[str]:
    return [f.location for f in fights(text, lang)]


def test_shelling_of_a_named_village() -> None:
    (f,) = fights("Vendredi, l'armée a pilonné la localité de Kafr Tala, dans la province de Hama.", "fr")
    assert f.location == "Kafr Tala"
    assert f.action == "shelling"
    assert f.date == dt.date(2024, 3, 15)
    assert any("armée" in a for a in f.actors)


def test_english_clashes_and_container_place() -> None:
    (f,) = fights("Heavy clashes broke out between the army and rebel fighters in Mabanga in Tanda district "
                  "on 14 March.", "en")
    assert f.location == "Mabanga"
    assert f.action == "clashes"
    assert f.date == dt.date(2024, 3, 14)


def test_one_alert_per_place() -> None:
    text = ("Rebels attacked Goma on Thursday. "
            "Government troops shelled rebel positions around Goma on Friday.")
    alerts = fights(text, "en")
    assert [f.location for f in alerts] == ["Goma"]
    assert alerts[0].place is not None and alerts[0].place.country == "DR Congo"


def test_threats_and_history_are_not_fighting() -> None:
    assert fights("Le chef rebelle menace de lancer une offensive sur Kidal.", "fr") == []
    assert fights("The militia could attack Bunia if talks fail.", "en") == []
    assert fights("La ville avait été détruite par des combats en 2014.", "fr") == []


def test_airstrike_action() -> None:
    (f,) = fights("Air force jets carried out air strikes on rebel bases near Kadugli.", "en")
    assert f.action == "airstrike"
    assert f.location == "Kadugli"


def test_lists_of_places() -> None:
    text = "Des affrontements ont eu lieu dans les quartiers de Bab Amr, Khalidiyé et Inchaat jeudi."
    assert [f.location for f in fights(text, "fr")] == ["Bab Amr", "Khalidiyé", "Inchaat"]


def test_speakers_and_bases_are_not_places() -> None:
    text = "Washington a condamné les frappes, selon l'ONG basée à Londres."
    assert fights(text, "fr") == []


def test_unknown_village_gets_the_article_s_country() -> None:
    text = "Des combats ont éclaté jeudi dans le village de Kfar Nabuda, dans le nord de la Syrie."
    (f,) = fights(text, "fr")
    assert f.place is not None
    assert (f.place.name, f.place.country, f.place.lat) == ("Kfar Nabuda", "Syria", None)


def test_diplomatic_bodies_are_not_armed_actors() -> None:
    text = ("Samedi, les forces du Front patriotique du Nord (FPN) ont lancé une offensive sur Kidal, "
            "tandis que les ministres du G7 appelaient au calme.")
    (f,) = fights(text, "fr")
    assert f.actors == ("forces du Front patriotique du Nord (FPN)",)
    text = "Le Conseil de sécurité de l'ONU et le G20 ont condamné les bombardements de l'armée sur Gao."
    (f,) = fights(text, "fr")
    assert f.actors == ("armée",)
    text = "G7 ministers met as militiamen of the RPF attacked Bunia and the AU summit opened."
    (f,) = fights(text, "en")
    assert f.actors == ("militiamen of the RPF",)


def test_a_body_said_to_strike_is_an_actor() -> None:
    (f,) = fights("NATO bombed government positions near Sirte on Friday.", "en")
    assert f.actors == ("NATO",)
    (f,) = fights("L'OTAN a bombardé des positions près de Syrte vendredi.", "fr")
    assert f.actors == ("OTAN",)


def test_variants_of_one_actor_are_merged() -> None:
    text = ("Les forces du Front patriotique du Nord (FPN) ont attaqué Kidal vendredi. "
            "Samedi, les combattants du FPN ont été repoussés à Kidal par l'armée.")
    (f,) = fights(text, "fr")
    assert f.actors == ("forces du Front patriotique du Nord (FPN)", "armée")
    text = ("The RPF attacked Bunia on Monday. On Tuesday, fighters of the Rally for Peace and Freedom (RPF) "
            "shelled army positions in Bunia.")
    (f,) = (f for f in fights(text, "en") if f.location == "Bunia")
    assert f.actors == ("fighters of the Rally for Peace and Freedom (RPF)", "army")


def test_generic_noun_and_proper_name_stay_apart() -> None:
    from bot.core.extract.fighting import same_actor
    from bot.core.extract.lexicon import load_lexicon

    fr, en = load_lexicon("fr"), load_lexicon("en")
    assert same_actor("forces de l'ANL", "forces de l'armée nationale libyenne (ANL)", fr)
    assert same_actor("armée", "armée syrienne", fr)
    assert not same_actor("armée", "Armée syrienne libre", fr)
    assert not same_actor("US forces", "US-backed SDF", en)
    assert not same_actor("forces de la RDC", "rebelles de la RDC", fr, frozenset({"rdc"}))


def test_acronym_of_a_spelled_out_political_body_is_no_actor() -> None:
    text = ("Le Conseil de coordination nationale (CCN) a condamné mardi les bombardements de l'armée "
            "sur Gao, que le CCN juge inacceptables.")
    (f,) = fights(text, "fr")
    assert f.actors == ("armée",)
    text = "The Regional Council (RC) said that army jets bombed Goma, and the RC called for talks."
    (f,) = fights(text, "en")
    assert f.actors == ("army jets",)


def test_english_of_names_no_place_unless_a_place_word_leads() -> None:
    text = "The President of the Regional Assembly said that gunmen attacked Kessa village on Monday."
    assert [f.location for f in fights(text, "en")] == ["Kessa"]
    text = "Fighters of the Rally for Peace and Freedom (RPF) shelled army positions in Bunia."
    assert [f.location for f in fights(text, "en")] == ["Bunia"]
    text = "Rebels took control of parts of Dorba on Monday after fighting on the eastern side of Kessa."
    assert [f.location for f in fights(text, "en")] == ["Dorba", "Kessa"]


def test_container_after_areas_of() -> None:
    text = "Gunmen attacked homes in the Tamra and Dilo areas of Kessa district overnight."
    assert [f.location.split()[0] for f in fights(text, "en")] == ["Tamra", "Dilo"]


def test_actor_names_are_clean() -> None:
    (f,) = fights("Chadian air force jets struck rebel columns near Abeche on Thursday.", "en")
    assert f.actors == ("Chadian air force jets",)
    (f,) = fights("Douze miliciens ont été abattus samedi par l'armée près de Kidal.", "fr")
    assert f.actors == ("miliciens", "armée")
    text = "Gunmen opened fire at the gate of the Palm Hotel in Mogadishu, killing nine guests."
    assert "Palm Hotel" not in fights(text, "en")[0].actors
    text = "A bus was ambushed by gunmen between Dorba and Kessa near Garissa on Monday."
    assert fights(text, "en")[0].actors == ("gunmen",)
    text = "Fighting broke out late on Friday between Kessa’s forces and Dorba militias near Tamra."
    assert fights(text, "en")[0].actors == ("Kessa’s forces", "Dorba militias")


def test_a_closing_quote_opens_no_actor_name() -> None:
    text = ("Le commandement s'est dit \"prêt à tenir la ville\", assurant avoir \"abattu un drone\" "
            "près de Homs.")
    (f,) = fights(text, "fr")
    assert "assurant avoir" not in f.actors


def test_a_container_place_is_no_actor() -> None:
    (f,) = fights("Militiamen attacked Tamra in Kessa killing five people.", "en")
    assert (f.location, f.actors) == ("Tamra", ("Militiamen",))


def test_people_after_loyalty_words_and_negated_fighting_are_no_places() -> None:
    text = "Des jeunes fidèles à Karim Haddad ont affronté la police à Saïda dans la nuit."
    assert [f.location for f in fights(text, "fr")] == ["Saïda"]
    text = "Clashes erupted between youths loyal to Kessa Dorba in Tamra on Monday."
    assert [f.location for f in fights(text, "en")] == ["Tamra"]
    assert fights("L'armée n'a jamais bombardé Tamra, a assuré le maire.", "fr") == []
    assert fights("The army has never shelled Tamra.", "en") == []


def test_media_and_reporting_clauses_name_no_place() -> None:
    text = "« C'est une attaque contre des civils », a-t-il déclaré sur Telegram après les frappes sur Kharkiv."
    assert [f.location for f in fights(text, "fr")] == ["Kharkiv"]
    text = "Air strikes on Rafah killed 18 people overnight, health officials in Gaza said."
    assert [f.location for f in fights(text, "en")] == ["Rafah"]


def test_the_month_may_voids_nothing() -> None:
    (f,) = fights("Gunmen killed five people in Tillaberi on 3 May.", "en")
    assert (f.location, f.date) == ("Tillaberi", dt.date(2023, 5, 3))
    assert fights("Gunmen may attack Tillaberi next week.", "en") == []


def test_places_off_a_coast_and_names_split_at_a_conjunction() -> None:
    (f,) = fights("Rebels launched a missile attack on a ship off Hodeidah on Wednesday.", "en")
    assert f.location == "Hodeidah"
    text = ("Les affrontements entre l'armée soudanaise et les Forces de soutien rapide (FSR) ont fait "
            "au moins 56 morts à Khartoum.")
    (f,) = fights(text, "fr")
    assert f.actors == ("armée soudanaise", "Forces de soutien rapide (FSR)")
    text = "Saudi-led coalition jets struck rebel positions in Saada, the coalition said."
    assert fights(text, "en")[0].actors == ("Saudi-led coalition jets",)


def test_places_after_buildings_capitals_and_compass_regions() -> None:
    text = "Une frappe de missile russe sur un immeuble résidentiel de Dnipro a fait huit morts lundi."
    assert [f.location for f in fights(text, "fr")] == ["Dnipro"]
    text = "At least 30 people were killed in clashes between rival militias in the Libyan capital Tripoli."
    assert [f.location for f in fights(text, "en")] == ["Tripoli"]
    text = "Une trentaine de civils ont été tués dans l'attaque de trois villages du centre du Mali."
    assert [f.location for f in fights(text, "fr")] == ["Mali"]


def test_french_adjectives_and_number_words_are_no_actors_or_places() -> None:
    text = "L'armée russe a affirmé avoir frappé des cibles militaires près de Kharkiv."
    assert fights(text, "fr")[0].actors == ("armée russe",)
    text = "Trois maisons ont été détruites par des bombardements à Alep."
    assert [f.location for f in fights(text, "fr")] == ["Alep"]


def test_each_place_takes_its_own_clause_s_action() -> None:
    text = ("Ukrainian forces repelled 25 attacks around Bakhmut over the past day, the General Staff said, "
            "adding that Russian shelling killed two civilians in Kherson.")
    got = {f.location: f.action for f in fights(text, "en")}
    assert got == {"Bakhmut": "halted", "Kherson": "shelling"}


def test_a_name_before_its_adjective_and_auxiliary_fights() -> None:
    text = "Le Hezbollah libanais a tiré dimanche des roquettes sur le nord d'Israël."
    (f,) = fights(text, "fr")
    assert (f.location, f.actors) == ("Israël", ("Hezbollah",))


def test_a_misread_apostrophe_is_shown_as_one() -> None:
    text = "Fighting broke out late on Friday between Kessa\x92s forces and Dorba militias near Tamra."
    assert fights(text, "en")[0].actors == ("Kessa’s forces", "Dorba militias")


# --- issue 13: precision of fighting updates ---

def test_a_place_named_as_backdrop_is_no_fighting() -> None:
    found = fights("Tandis que la conférence à Genève s'ouvrait, les combats s'intensifiaient à Kessa.", "fr")
    assert [f.location for f in found] == ["Kessa"]
    found = fights("Rebels stormed Dorba on Friday, as peace talks in Nairobi stalled.", "en")
    assert [f.location for f in found] == ["Dorba"]


def test_a_reference_point_is_no_place_of_fighting() -> None:
    found = fights("Les rebelles ont attaqué Tamra, à 80 km au nord de Kessa.", "fr")
    assert [f.location for f in found] == ["Tamra"]
    found = fights("Warplanes struck Dorba, 40 kilometres (25 miles) south of Goma.", "en")
    assert [f.location for f in found] == ["Dorba"]


def test_a_direction_word_never_makes_a_country() -> None:
    text = ("Forces loyal to General Kessa Abani shelled Wadi Tamra, in the south of the country, and clashed "
            "with southern militias south of Misrata.")
    for f in fights(text, "en"):
        assert f.place is None or f.place.country == "Libya", f.place
    misrata = next(f for f in fights(text, "en") if f.location == "Misrata")
    assert misrata.place is not None and misrata.place.country == "Libya"


def test_an_unknown_village_takes_the_country_of_the_known_towns_around_it() -> None:
    (f, *_) = fights("Des combats ont éclaté à Wadi Tamra, entre Misrata et Syrte.", "fr")
    assert f.location == "Wadi Tamra" and f.place is not None and f.place.country == "Libya"


def test_actors_are_whole_noun_phrases_with_both_sides() -> None:
    (f,) = fights("Forces loyal to Kessa Abani clashed with troops of the unity government in Dorba.", "en")
    assert "Forces loyal to Kessa Abani" in f.actors
    assert any("troops of the unity government" in a for a in f.actors)
    (f,) = fights("Les forces fidèles au général Abani ont pilonné Tamra dimanche.", "fr")
    assert f.actors[0] == "forces fidèles au général Abani"


def test_a_lost_apostrophe_genitive_is_no_place() -> None:
    found = fights("Regime jets bombed Syrias Tamra district on Friday.", "en")
    assert [f.location for f in found] == ["Tamra district"]


def test_a_new_development_at_the_same_place_is_a_new_alert_in_a_story() -> None:
    day1 = Fighting(article_id="a", location="Tamra", action="clashes", date=dt.date(2024, 3, 15))
    same = Fighting(article_id="b", location="Tamra", action="clashes", date=dt.date(2024, 3, 15))
    other_action = Fighting(article_id="b", location="Tamra", action="advance", date=dt.date(2024, 3, 15))
    next_day = Fighting(article_id="c", location="Tamra", action="clashes", date=dt.date(2024, 3, 16))
    # the same day's fighting called an offensive by another outlet is no new development
    same_fight = Fighting(article_id="d", location="Tamra", action="offensive", date=dt.date(2024, 3, 15))
    assert day1.key() == same.key() == same_fight.key()
    assert len({day1.key(), other_action.key(), next_day.key()}) == 3


def test_confidence_is_higher_when_the_action_is_in_the_place_s_clause() -> None:
    (close,) = fights("Rebels attacked Dorba on Friday.", "en")
    far = next(f for f in fights("Thousands of families have lived in Kessa for decades, and the town "
                                 "had long been quiet when the army shelled it.", "en") if f.location == "Kessa")
    assert close.confidence > far.confidence


def test_a_people_after_a_plural_article_is_no_place() -> None:
    assert not fights("Le tribun s'attaque aux Tamrans et multiplie les attaques contre les Dorbis.", "fr")


def test_title_case_headline_words_are_neither_places_nor_actors() -> None:
    """Capitalised words the article also writes in lower case are common words, not names."""
    text = ("Six Killed in Terrorist Attacks in Dorba. Six people were killed in terrorist attacks in Dorba on "
            "Friday. Elsewhere air strikes hit Kessa, a town east of Tamra, the monitor said. Life goes on elsewhere.")
    found = fights(text, "en")
    assert sorted(f.location for f in found) == ["Dorba", "Kessa"]
    assert all("Elsewhere" not in a for f in found for a in f.actors)


def test_places_joined_by_a_conjunction_and_a_genitive_and_after_an_adjective() -> None:
    found = fights("Les combats ont éclaté à l'aube dans les quartiers de Tamra et de Kessa.", "fr")
    assert sorted(f.location for f in found) == ["Kessa", "Tamra"]
    (f,) = fights("Rebel forces seized the strategic Tal Dorba hill on Thursday.", "en")
    assert f.location == "Tal Dorba" and f.action == "advance"


def test_celebratory_gunfire_is_no_fighting() -> None:
    assert not fights("Des tirs de joie ont retenti à Tamra après l'annonce.", "fr")
    assert not fights("Celebratory gunfire rang out in Dorba after the vote.", "en")


def test_history_with_a_full_date_and_moves_without_troops() -> None:
    assert not fights("Le 17 novembre 1997, un groupe armé massacrait des touristes à Tamra.", "fr")
    found = fights("Il a abandonné les excursions vers Kessa, déconseillées par le ministère.", "fr")
    assert all(f.confidence < 0.35 for f in found)


def test_a_longer_name_wins_over_a_shorter_known_one() -> None:
    (f, *_) = fights("Des affrontements ont éclaté à Beni Tamra dimanche.", "fr")
    assert f.location == "Beni Tamra"


def test_a_fronted_place_of_a_speaker_and_a_town_placed_by_another() -> None:
    found = fights("À Genève, l'ONU a confirmé des frappes aériennes sur Tamra.", "fr")
    assert [f.location for f in found] == ["Tamra"]
    found = fights("À Kessa, au nord de Tamra, des heurts ont fait deux morts.", "fr")
    assert [f.location for f in found] == ["Kessa"]
    assert not fights("Le 17 novembre 1997, un groupe armé massacrait des civils à Tamra.", "fr")


def test_battles_of_antiquity_are_history() -> None:
    assert not fights("En 480 avant JC, des batailles navales ont eu lieu près de Tamra.", "fr")
    assert not fights("In the 5th century BC, armies clashed near Dorba.", "en")


def test_a_running_total_of_the_war_is_no_fighting_update() -> None:
    assert not fights("More than 9000 people have been killed in Dorba since the war began in March 2019.", "en")
    assert fights("Clashes killed nine people in Dorba on Friday.", "en")


def test_a_group_s_locations_and_a_town_located_by_a_far_direction() -> None:
    found = fights("Jets struck Dorba Front locations in Kessa region, killing 40.", "en")
    assert [f.location for f in found] == ["Kessa"]
    found = fights("Rebels failed to capture Tamra, located northwest of the ancient city of Kessa.", "en")
    assert [f.location for f in found] == ["Tamra"]


def test_a_compass_word_between_the_place_noun_and_the_name() -> None:
    found = fights("L'armée a lancé un assaut contre les quartiers est de Tamra et de Kessa.", "fr")
    assert sorted(f.location for f in found) == ["Kessa", "Tamra"]


def test_a_group_named_as_an_armed_actor_is_no_place() -> None:
    text = "Dorbist militants attacked Kessa. Government troops advanced in their push towards the Dorbist stronghold."
    assert [f.location for f in fights(text, "en")] == ["Kessa"]


# --- one event named by its town and its smaller place; names that are no place ---


def test_a_known_city_framing_a_smaller_place_gives_one_alert_at_the_smaller_place() -> None:
    alerts = fights("À Hama (centre), les forces de sécurité ont pris d'assaut la localité de Tell Zarqa, "
                    "selon une ONG.", "fr")
    assert [f.location for f in alerts] == ["Tell Zarqa"]
    alerts = fights("In Idlib province, rebels launched an assault on the military camp of Wadi Barqa on Friday.", "en")
    assert [f.location for f in alerts] == ["Wadi Barqa"]


def test_two_places_joined_by_and_stay_two_alerts() -> None:
    alerts = fights("L'armée a bombardé Hama et la localité de Tell Zarqa vendredi.", "fr")
    assert sorted(f.location for f in alerts) == ["Hama", "Tell Zarqa"]


def test_two_spellings_of_one_village_are_one_place() -> None:
    alerts = fights("Des combats ont éclaté jeudi à Kafr Soussa. Dans le quartier de Kafr Soussé, deux obus de "
                    "mortier sont tombés vendredi sur une gare routière.", "fr")
    assert [f.location for f in alerts] == ["Kafr Soussa"]


def test_a_title_case_headline_verb_is_neither_a_place_nor_part_of_one() -> None:
    alerts = fights("Army Advances in Homs Kills 12 Militants.", "en")
    assert [f.location for f in alerts] == ["Homs"]
    alerts = fights("Car Bomb Kills 70 People in Tell Barak Market.", "en")
    assert [f.location for f in alerts] == ["Tell Barak Market"]


def test_a_river_after_its_town_is_no_place_of_its_own() -> None:
    alerts = fights("Dans la ville de Tell Sabka sur l'Oronte, des combats avaient lieu vendredi entre "
                    "rebelles et soldats.", "fr")
    assert [f.location for f in alerts] == ["Tell Sabka"]


def test_the_leader_a_regime_is_named_after_is_no_place() -> None:
    assert fights("Ces attaques contre le régime de Karim Haddad ont fait des dizaines de morts.", "fr") == []


def test_a_group_s_affiliate_is_no_place() -> None:
    alerts = fights("Rebel forces including fighters from Al-Qaedas Kessa affiliate had seized the strategic "
                    "Tal Marwan hill on Thursday.", "en")
    assert [f.location for f in alerts] == ["Tal Marwan"]


def test_fighting_dated_months_before_the_article_is_background_not_pushed() -> None:
    from bot.core.extract.confidence import is_pushed
    (f,) = fights("Rebels attacked the town of Tell Barak on 2 January.", "en")
    assert not is_pushed(f)
    (g,) = fights("Rebels attacked the town of Tell Barak on Thursday.", "en")
    assert is_pushed(g)


# --- the day of a fighting update ---


def test_a_follow_on_sentence_without_a_date_tells_of_the_story_s_day() -> None:
    alerts = fights("Russian air strikes on Thursday killed 20 civilians in the village of Deir Kifa. "
                    "The monitor said the strikes also hit the village of Tell Sabka on the eastern bank.", "en")
    assert {f.location: f.date for f in alerts} == {"Deir Kifa": dt.date(2024, 3, 14),
                                                      "Tell Sabka": dt.date(2024, 3, 14)}


def test_bombing_since_a_day_is_dated_that_day() -> None:
    (f,) = fights("A witness said warplanes had heavily bombarded the town of Tell Sabka since Thursday morning.", "en")
    assert f.date == dt.date(2024, 3, 14)


def test_the_day_fighting_began_is_not_the_day_of_what_follows() -> None:
    alerts = fights("Les affrontements ont débuté jeudi à Kafr Soussa. Des combats avaient lieu dans le quartier "
                    "de Tell Zarqa, selon l'OSDH.", "fr")
    assert {f.location: f.date for f in alerts}["Tell Zarqa"] == SATURDAY


def test_a_place_in_today_s_news_stays_pushed_when_a_later_sentence_recalls_its_past() -> None:
    from bot.core.extract.confidence import is_pushed
    (f,) = fights("Four killed in a gas attack on Tell Barak. Reports of gas attacks on Tell Barak emerged after "
                  "the offensive on the town began on 2 January.", "en")
    assert is_pushed(f)


# --- actors ---


def test_the_body_an_air_raid_is_said_of_is_its_actor() -> None:
    (f,) = fights("Plus à l'ouest, des raids aériens de l'Otan ont visé vendredi la ville de Tell Sabka.", "fr")
    assert f.actors == ("Otan",)
    (f,) = fights("Air strikes by NATO hit the town of Tell Sabka on Friday.", "en")
    assert f.actors == ("NATO",)


def test_a_dateline_in_capitals_is_no_actor() -> None:
    (f,) = fights("BEIRUT A push by government forces to take the town of Harasta killed at least 23 people on "
                  "Sunday.", "en")
    assert "BEIRUT" not in f.actors


def test_a_plan_of_strikes_and_a_group_s_affiliation_tell_of_no_fighting() -> None:
    assert fights("Des manifestations dénoncent les projets de frappes américaines sur Tell Sabka.", "fr") == []
    alerts = fights("Des rebelles ont attaqué jeudi Kafr Soussa, avec Jabhat Kessa, affilié à Al-Qaïda.", "fr")
    assert [f.location for f in alerts] == ["Kafr Soussa"]


def test_present_tense_headline_verbs_and_pounding_are_fighting() -> None:
    (f,) = fights("Army aircraft pounded militant positions in the village of Tell Sabka on Friday.", "en")
    assert (f.location, f.action) == ("Tell Sabka", "shelling")
    (f,) = fights("Les forces loyales avancent vendredi sur Kafr Soussa.", "fr")
    assert (f.location, f.action) == ("Kafr Soussa", "advance")


def test_a_building_beside_its_district_is_no_place_of_its_own() -> None:
    alerts = fights("Les combats touchent vendredi le quartier de Bab Sabka, où l'armée est entrée et encercle la "
                    "mosquée Zine el-Kessa.", "fr")
    assert [f.location for f in alerts] == ["Bab Sabka"]
    (f,) = fights("Air strikes hit the al-Kessa hospital on Friday.", "en")
    assert f.location == "al-Kessa"  # the building alone still tells where


def test_every_direction_phrase_of_a_located_clause_is_a_reference_point() -> None:
    alerts = fights("The villages of Tell Sabka and Kafr Soussa which the militants attacked on Friday are located "
                    "northwest of the city of Hama and southwest of Bab Kessa town.", "en")
    assert sorted(f.location for f in alerts) == ["Kafr Soussa", "Tell Sabka"]


def test_a_time_phrase_opens_no_clause_between_the_fighting_and_its_place() -> None:
    from bot.core.extract.confidence import is_pushed
    (f,) = fights("Au Liban voisin, des accrochages ont opposé pendant la nuit des habitants de quartiers rivaux "
                  "hostiles au régime à Tell Sabka, faisant neuf blessés.", "fr")
    assert f.location == "Tell Sabka" and is_pushed(f)


def test_where_gunfire_was_heard_from_is_not_where_it_was() -> None:
    assert fights("The sound of gunfire and explosions audible from the town of Tell Sabka continued for hours "
                  "on Friday.", "en") == []


def test_the_day_after_an_attack_dates_the_attack_the_day_before() -> None:
    (f,) = fights("L'opposition a annoncé samedi qu'elle suspendait sa participation, au lendemain de tirs "
                  "meurtriers de missiles contre la ville de Tell Sabka.", "fr")
    assert f.date == dt.date(2024, 3, 15)
    (f,) = fights("A day after the shelling of the town of Tell Sabka, rebels withdrew.", "en")
    assert f.date == dt.date(2024, 3, 15)


def test_a_link_glued_to_a_name_is_no_place() -> None:
    assert fights("Syrian Army Captures Several Regions in Northern Kessahttpst.coGtDL9PV pic.twitter.com.", "en") == []


def test_a_described_kind_of_place_is_no_place_name() -> None:
    alerts = fights("The bombings killed 21 people on Friday in a mostly Kessite neighbourhood of Homs.", "en")
    assert [f.location for f in alerts] == ["Homs"]


def test_the_place_an_army_advances_on_is_the_place() -> None:
    (f,) = fights("The army advances on al-Kessa in Raqqa on Friday.", "en")
    assert (f.location, f.action) == ("al-Kessa", "advance")


def test_a_gerund_of_capture_tells_of_an_advance() -> None:
    (f,) = fights("On Friday the rebels were focusing their efforts on capturing Tell Sabka hill.", "en")
    assert (f.location, f.action) == ("Tell Sabka hill", "advance")


def test_words_of_page_furniture_and_of_a_group_s_name_are_no_places() -> None:
    alerts = fights("Militants of the so-called Islamic State in Iraq and Levant fired shells at Tell Sabka on "
                    "Friday.", "en")
    assert [f.location for f in alerts] == ["Tell Sabka"]
    assert fights("The coalition fights groups in the Middle East after the Islamic State seized large areas.",
                  "en") == []
    alerts = fights("Five dead in blast in central Kessa NGO AFP Friday. At least five people were killed in a "
                    "blast in Tell Sabka.", "en")
    assert "Kessa NGO" not in [f.location for f in alerts]


def test_a_weekday_that_lost_its_apostrophe_is_no_place() -> None:
    alerts = fights("Some of the fighters were killed in Sundays shelling of Tell Sabka, the monitor said.", "en")
    assert [f.location for f in alerts] == ["Tell Sabka"]


def test_the_body_that_carried_out_strikes_is_their_actor() -> None:
    (f,) = fights("Plus tôt, la coalition avait mené des raids sur la ville de Tell Sabka, selon une agence.", "fr")
    assert f.actors == ("coalition",)
    (f,) = fights("L'Otan a mené vendredi des frappes sur la ville de Tell Sabka.", "fr")
    assert f.actors == ("Otan",)
    (f,) = fights("Air strikes hit the town of Tell Sabka on Friday.", "en")
    assert "Air" not in f.actors


def test_the_group_or_origin_of_fighters_is_no_place() -> None:
    got = fights("Militants from the Saraya Front fired rockets on the Bab Kisan district of Tell Sabka.", "en")
    assert [f.location for f in got] == ["Bab Kisan district"]
    got = fights("Des combattants venus de Zenzara ont attaqué jeudi la ville de Kafr Soussa.", "fr")
    assert [f.location for f in got] == ["Kafr Soussa"]
    # but the place they were driven from is where the fighting was
    got = fights("Government troops pushed rebels from Kafr Nabudah in heavy fighting on Monday.", "en")
    assert [f.location for f in got] == ["Kafr Nabudah"]
    # a name after an article is the group's, whatever the verb
    got = fights("Kurdish forces forced militants from the Saraya Front to retreat from Tell Sabka.", "en")
    assert [f.location for f in got] == ["Tell Sabka"]


def test_a_compass_word_alone_is_no_place() -> None:
    got = fights("Troops clashed with insurgents in the Southwestern parts of Tell Sabka on Friday.", "en")
    assert [f.location for f in got] == ["Tell Sabka"]


def test_a_title_case_headline_does_not_lengthen_a_known_place() -> None:
    text = ("Toll From Shelling in Homs City Rises to 12.\n"
            "Army artillery shelled the city on Friday, killing 12 people, a local group said.")
    assert {f.location for f in fights(text, "en")} == {"Homs"}
    # nor by an armed group's acronym
    assert [f.location for f in fights("Army shelling hit Homs ISIS positions on Monday.", "en")] == ["Homs"]
    # in running text the name goes on
    text = "Rebels shelled Aleppo University Hospital on Monday, damaging the hospital's main building."
    assert [f.location for f in fights(text, "en")] == ["Aleppo University Hospital"]


def test_a_warning_against_strikes_is_no_strike() -> None:
    assert fights("Moscow warned against new missile strikes on Tell Sabka on Tuesday.", "en") == []
    assert fights("Moscou a mis en garde contre de nouvelles frappes sur Kafr Soussa.", "fr") == []


def test_bodies_and_armed_groups_named_like_places_are_no_places() -> None:
    assert places("Five civilians were killed in fighting which resulted in the Nusra Front and its allies taking "
                  "control of the village of Tell Sabka.", "en") == ["Tell Sabka"]
    assert places("Fighting between militants and Kurdish troops has forced residents to flee the IS-bastion city "
                  "of Tell Sabka.", "en") == ["Tell Sabka"]
    assert "State Department" not in places("Russia called on the State Department to condemn the air strikes "
                                            "on Tell Sabka.", "en")
    assert places("Des combattants du Front al-Nosra ont attaqué lundi le village de Kafr Soussa.", "fr") \
        == ["Kafr Soussa"]
    # a place in the gazetteer keeps its name; a hospital is a place strikes hit
    assert places("Jets struck the Al-Quds Hospital in Tell Sabka on Monday.", "en")


def test_where_the_gunners_sit_is_not_where_the_shells_fell() -> None:
    assert places("Terrorists positioned in Kafr Nabudah fired rocket shells at the town of Tell Sabka.",
                  "en") == ["Tell Sabka"]
    assert places("Des terroristes retranchés dans Kafr Nabudah ont tiré des obus sur Kafr Soussa lundi.", "fr") \
        == ["Kafr Soussa"]


def test_troops_stationed_somewhere_are_attacked_there() -> None:
    assert places("Rebels attacked government troops stationed in Tell Sabka overnight, killing 12 soldiers.",
                  "en") == ["Tell Sabka"]
    assert places("Warplanes pounded militants entrenched in Tell Sabka for a third day.", "en") == ["Tell Sabka"]
    assert places("L'aviation a pilonné les rebelles retranchés dans Kafr Soussa.", "fr") == ["Kafr Soussa"]


def test_headline_qualifiers_abbreviations_and_agencies_are_no_places() -> None:
    assert places("Car Bomb Leaves At Least 25 Dead in Tell Sabka.") == ["Tell Sabka"]
    assert places("Gunmen targeted a UN-Red Crescent convoy near Tell Sabka on Monday.") == ["Tell Sabka"]
    assert "St" not in places("Russian jets flew from a base near St. Petersburg before striking Tell Sabka.")


def test_a_place_before_its_source_in_a_short_scraped_line_is_the_place_of_fighting() -> None:
    assert [f.location for f in fights("Clashes near Tell Sabka the activists said.", "en")] == ["Tell Sabka"]
    assert [f.location for f in fights("Fighting erupted in UN-administered Abyei on Monday.", "en")]


def test_a_risk_is_no_fighting_update() -> None:
    assert fights("L'évolution du conflit vers un affrontement confessionnel risque d'avoir un fâcheux impact en "
                  "Turquie.", "fr") == []
    assert fights("An escalation of the clashes risks spilling over into Tell Sabka, analysts said.", "en") == []


def test_where_gunners_are_counts_when_another_clause_names_other_fighting() -> None:
    places = [f.location for f in fights("Syrian jets pounded rebels entrenched in Tell Sabka, while fierce clashes "
                                         "erupted in Kafr Soussa.", "en")]
    assert places == ["Tell Sabka", "Kafr Soussa"]
