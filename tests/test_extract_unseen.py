"""Articles written for this test (none comes from an evaluation set), on wars the lexicons were not
tuned on: Sudan, Ukraine, Gaza, Yemen, the Sahel, eastern DR Congo, Myanmar. Each expectation is an
alert a careful reader files (the annotation guide of the evaluation README), or one he does not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from bot.core.extract import extract_alerts
from bot.core.models import Alert, Article, Casualty, Fighting, Statement


@dataclass(frozen=True)
class Says:
    """A statement whose speaker or role contains one of `names`."""
    names: tuple[str, ...]


@dataclass(frozen=True)
class Toll:
    """A casualty figure; `by` is a part of the source's name (None: the article's own authority)."""
    killed: int | None
    wounded: int | None
    qualifier: str = "exact"
    by: tuple[str, ...] | None = None
    since: dt.date | None = None


@dataclass(frozen=True)
class Fight:
    """A fighting alert at one of `places`, with `action` when given."""
    places: tuple[str, ...]
    action: str | None = None


@dataclass(frozen=True)
class NoToll:
    """No casualty alert carries this number."""
    number: int


@dataclass(frozen=True)
class NoFight:
    """No fighting alert at this place."""
    place: str


Expect = Says | Toll | Fight | NoToll | NoFight

ARTICLES: dict[str, tuple[str, str, dt.date, list[Expect]]] = {
    "en-sudan-market": ("en", (
        "At least 12 people were killed and 30 wounded in a drone strike on a market in El Obeid on "
        "Tuesday, the health ministry said. The Rapid Support Forces (RSF) denied any role in the attack. "
        "\"We do not target civilians,\" a spokesman for the RSF told Reuters. According to the United "
        "Nations, more than 1,200 civilians have been killed in North Kordofan since April."),
        dt.date(2026, 4, 15), [
            Toll(12, 30, "at_least", ("health ministry",)),
            Fight(("El Obeid",), "airstrike"),
            Says(("RSF", "Rapid Support Forces", "spokesman")),
            Toll(1200, None, "more_than", ("United Nations", "UN")),
        ]),
    "en-ukraine-kharkiv": ("en", (
        "Russian forces shelled the centre of Kharkiv overnight, killing four civilians and wounding 17 "
        "others, regional governor Oleh Syniehubov said on Telegram. In the east, Ukraine's army said it "
        "had repelled an attack near Pokrovsk. \"The situation is difficult but under control,\" the "
        "General Staff said in a statement."),
        dt.date(2026, 3, 10), [
            Fight(("Kharkiv",), "shelling"),
            Toll(4, 17, "exact", ("Syniehubov",)),
            Fight(("Pokrovsk",), "halted"),
            Says(("General Staff",)),
        ]),
    "en-gaza-khan-younis": ("en", (
        "An Israeli air strike on a house in Khan Younis killed at least nine members of one family, "
        "including four children, the civil defence agency said on Sunday. The Israeli military said it "
        "had struck a Hamas militant operating in the area. Gaza's health ministry says more than 40,000 "
        "people have been killed in the territory since the war began."),
        dt.date(2026, 2, 9), [
            Toll(9, None, "at_least", ("civil defence",)),
            Fight(("Khan Younis", "Khan Yunis"), "airstrike"),
            Says(("Israeli military",)),
            Toll(40000, None, "more_than", ("health ministry",)),
            NoToll(4),
        ]),
    "en-yemen-mokha": ("en", (
        "Houthi rebels fired a ballistic missile at the port city of Mokha, wounding five people, a "
        "local official told AFP. Saudi-led coalition warplanes later carried out several air strikes "
        "on Houthi positions around Hodeidah, residents said."),
        dt.date(2026, 1, 20), [
            Toll(None, 5, "exact", ("local official",)),
            Fight(("Mokha",)),
            Fight(("Hodeidah",), "airstrike"),
        ]),
    "en-drc-rubaya": ("en", (
        "M23 rebels seized the town of Rubaya in North Kivu province on Thursday after heavy fighting "
        "with the Congolese army, local sources said. About 20 civilians were killed in the clashes, "
        "according to a civil society leader, Jean Kambale. \"People are fleeing towards Goma,\" he said."),
        dt.date(2026, 5, 2), [
            Fight(("Rubaya",), "advance"),
            Toll(20, None, "about", ("Kambale",)),
            Says(("Jean Kambale",)),
        ]),
    "en-myanmar-sagaing": ("en", (
        "Myanmar's military junta carried out air strikes on a village in Sagaing region, killing 23 "
        "people, including children, a resistance group said on Friday. The junta's spokesman, Zaw Min "
        "Tun, said the army had only targeted \"terrorist\" fighters."),
        dt.date(2026, 6, 6), [
            Toll(23, None, "exact", ("resistance group",)),
            Fight(("Sagaing",), "airstrike"),
            Says(("Zaw Min Tun",)),
        ]),
    "en-mali-menaka": ("en", (
        "Suspected jihadists killed 15 soldiers in an ambush near Menaka in northeastern Mali, security "
        "sources said on Monday. The army said its troops had killed around 30 assailants in a "
        "counter-offensive on Tuesday."),
        dt.date(2026, 9, 16), [
            Toll(15, None, "exact", ("security sources",)),
            Fight(("Menaka",), "offensive"),
            Toll(30, None, "about", ("army",)),
        ]),
    "en-sudan-zamzam": ("en", (
        "The death toll from last week's attack on the Zamzam displacement camp near El Fasher has risen "
        "to more than 400, the UN humanitarian office (OCHA) said on Wednesday. The RSF, which has "
        "besieged El Fasher for months, said it had taken control of the camp."),
        dt.date(2026, 4, 23), [
            Toll(400, None, "more_than", ("OCHA", "humanitarian office")),
            Fight(("Zamzam", "El Fasher")),
            Says(("RSF",)),
        ]),
    "en-ukraine-zaporizhzhia": ("en", (
        "Two people were killed and eleven injured when a Russian missile hit an apartment building in "
        "Zaporizhzhia on Saturday, the head of the regional military administration, Ivan Fedorov, said. "
        "Ukraine's air force said it had shot down 34 of 52 drones launched overnight."),
        dt.date(2026, 11, 2), [
            Toll(2, 11, "exact", ("Fedorov",)),
            Fight(("Zaporizhzhia",)),
            NoToll(34),
            NoToll(52),
        ]),
    "en-burkina-djibo": ("en", (
        "Gunmen attacked a military base in Djibo, northern Burkina Faso, killing dozens of soldiers, a "
        "security source told Reuters. The government did not comment. Human Rights Watch said in a "
        "report that at least 223 villagers, including 56 children, were executed by the army in February."),
        dt.date(2026, 5, 11), [
            Fight(("Djibo",), "offensive"),
            Toll(223, None, "at_least", ("Human Rights Watch",)),
            NoToll(56),
        ]),
    "fr-soudan-el-obeid": ("fr", (
        "Au moins 25 civils ont été tués mardi dans des frappes de drones sur la ville d'El-Obeid, a "
        "affirmé à l'AFP un responsable local sous couvert d'anonymat. Les Forces de soutien rapide (FSR) "
        "ont démenti toute implication. « Nous ne visons pas les civils », a déclaré leur porte-parole "
        "dans un communiqué."),
        dt.date(2026, 4, 15), [
            Toll(25, None, "at_least", ("responsable local",)),
            Fight(("El-Obeid", "El Obeid"), "airstrike"),
            Says(("FSR", "Forces de soutien rapide", "porte-parole")),
        ]),
    "fr-ukraine-kharkiv": ("fr", (
        "Une vingtaine de personnes ont été blessées hier soir dans un bombardement russe sur Kharkiv, "
        "selon le gouverneur régional Oleg Synegoubov. L'armée ukrainienne affirme par ailleurs avoir "
        "repoussé plusieurs assauts près de Pokrovsk, dans la région de Donetsk."),
        dt.date(2026, 3, 10), [
            Toll(None, 20, "about", ("Synegoubov",)),
            Fight(("Kharkiv",), "shelling"),
            Fight(("Pokrovsk",), "halted"),
            Says(("armée ukrainienne",)),
        ]),
    "fr-gaza-khan-younes": ("fr", (
        "Selon un bilan de l'ONU, plus de 1.200 personnes ont été tuées dans la bande de Gaza depuis le "
        "début de la trêve. Des frappes israéliennes ont visé lundi un camp de déplacés à Khan Younès, "
        "faisant au moins huit morts, selon la Défense civile. « C'est un massacre », a dénoncé un "
        "secouriste sur place."),
        dt.date(2026, 2, 10), [
            Toll(1200, None, "more_than", ("ONU",)),
            Toll(8, None, "at_least", ("Défense civile",)),
            Fight(("Khan Younès",), "airstrike"),
        ]),
    "fr-mali-boulkessi": ("fr", (
        "Des hommes armés ont attaqué dimanche un poste de l'armée malienne à Boulkessi, dans le centre "
        "du pays, tuant une quinzaine de soldats, ont indiqué à l'AFP des sources sécuritaires. "
        "« L'ennemi a subi de lourdes pertes », a affirmé l'état-major dans un communiqué."),
        dt.date(2026, 6, 2), [
            Fight(("Boulkessi",), "offensive"),
            Toll(15, None, "about", ("sources sécuritaires",)),
            Says(("état-major",)),
        ]),
    "fr-rdc-sake": ("fr", (
        "Les rebelles du M23 se sont emparés jeudi de la ville de Sake, à une vingtaine de kilomètres de "
        "Goma, après de violents combats avec l'armée congolaise (FARDC), selon des sources locales. "
        "« La situation est très tendue », a déclaré à l'AFP le porte-parole de la société civile locale, "
        "Jean-Marie Kasereka."),
        dt.date(2026, 1, 24), [
            Fight(("Sake",), "advance"),
            Says(("Jean-Marie Kasereka", "Kasereka")),
            NoToll(20),
        ]),
    "fr-burkina-solenzo": ("fr", (
        "Au moins 40 civils ont été tués lors d'une attaque jihadiste contre le village de Solenzo, dans "
        "l'ouest du Burkina Faso, a-t-on appris lundi de sources locales. « Ils sont arrivés à moto et ont "
        "tiré sur tout ce qui bougeait », a raconté un habitant joint par téléphone."),
        dt.date(2026, 3, 16), [
            Toll(40, None, "at_least", ("sources locales",)),
            Fight(("Solenzo",), "offensive"),
            Says(("habitant",)),
        ]),
    "fr-yemen-sanaa": ("fr", (
        "Les rebelles houthis ont revendiqué mardi une attaque de missiles contre un navire au large "
        "d'Hodeida. Les frappes américaines sur Sanaa ont fait 16 morts et 42 blessés, selon le ministère "
        "de la Santé houthi."),
        dt.date(2026, 3, 18), [
            Fight(("Hodeida", "Hodeidah")),
            Fight(("Sanaa",), "airstrike"),
            Toll(16, 42, "exact", ("ministère de la Santé",)),
        ]),
    "fr-soudan-bilan": ("fr", (
        "Depuis avril 2023, la guerre entre l'armée et les paramilitaires des FSR a fait plus de 20.000 "
        "morts, selon l'OMS. « Le Soudan vit la pire crise humanitaire au monde », a averti mercredi le "
        "chef de l'ONU, Antonio Guterres."),
        dt.date(2026, 4, 16), [
            Toll(20000, None, "more_than", ("OMS",), dt.date(2023, 4, 1)),
            Says(("Antonio Guterres", "Guterres")),
            NoToll(2023),
        ]),
    "fr-ukraine-odessa": ("fr", (
        "Trois personnes ont été tuées et neuf blessées dans une attaque de drones russes sur Odessa dans "
        "la nuit de vendredi à samedi, a annoncé le gouverneur Oleg Kiper. Moscou a affirmé de son côté "
        "avoir abattu 41 drones ukrainiens au-dessus de plusieurs régions."),
        dt.date(2026, 8, 9), [
            Toll(3, 9, "exact", ("Oleg Kiper", "Kiper")),
            Fight(("Odessa",)),
            Says(("Moscou",)),
            NoToll(41),
        ]),
    "fr-birmanie-sagaing": ("fr", (
        "La junte birmane a mené des frappes aériennes sur un monastère de la région de Sagaing, tuant une "
        "trentaine de personnes, a affirmé à l'AFP un secouriste. L'armée n'a pas répondu aux "
        "sollicitations de l'AFP."),
        dt.date(2026, 7, 3), [
            Toll(30, None, "about", ("secouriste",)),
            Fight(("Sagaing",), "airstrike"),
        ]),
    # second batch: number words, toll verbs, titles after names, relative dates
    "en-sudan-singa": ("en", (
        "Sudan's army said on Sunday it had retaken the town of Singa, the capital of Sennar state, from the "
        "paramilitary Rapid Support Forces. Twenty-one people, including eight children, were killed when "
        "shells hit a camp for displaced people in Omdurman, a medical source said. The World Health "
        "Organization warned that cholera was spreading in the area."),
        dt.date(2026, 11, 9), [
            Fight(("Singa",), "advance"),
            Toll(21, None, "exact", ("medical source",)),
            Fight(("Omdurman",), "shelling"),
            Says(("World Health Organization",)),
            NoToll(8),
        ]),
    "en-ukraine-zelensky": ("en", (
        "Ukrainian President Volodymyr Zelensky said Russia had launched nearly 500 drones and 40 missiles at "
        "Ukraine overnight. In Lviv, a dozen people were wounded, the city's mayor Andriy Sadovyi said. "
        "\"Russia must be stopped,\" Zelensky said in his nightly address."),
        dt.date(2026, 7, 12), [
            Says(("Volodymyr Zelensky", "Zelensky")),
            Toll(None, 12, "about", ("Sadovyi",)),
            Fight(("Lviv",)),
            NoToll(500),
            NoToll(40),
        ]),
    "en-gaza-toll": ("en", (
        "The Gaza health ministry said on Monday that the death toll since October 7, 2023 had reached "
        "44,211, with 104,567 wounded. Israeli troops pushed deeper into Jabalia in the north of the "
        "territory, residents said."),
        dt.date(2026, 1, 12), [
            Toll(44211, 104567, "exact", ("health ministry",), dt.date(2023, 10, 7)),
            Fight(("Jabalia",), "advance"),
        ]),
    "en-myanmar-rakhine": ("en", (
        "Fighting between the Arakan Army and junta troops has killed at least 30 civilians in Rakhine "
        "state since last month, a local rights group said on Thursday. The junta did not respond to a "
        "request for comment."),
        dt.date(2026, 3, 5), [
            Toll(30, None, "at_least", ("rights group",)),
            Fight(("Rakhine",), "clashes"),
        ]),
    "en-drc-ituri": ("en", (
        "Militiamen from the CODECO group attacked a displacement camp in Djugu territory overnight, "
        "hacking to death 18 people, Ituri province's governor said. Dozens of huts were burned, a camp "
        "official told Reuters."),
        dt.date(2026, 2, 2), [
            Fight(("Djugu",), "offensive"),
            Toll(18, None, "exact", ("governor",)),
        ]),
    "fr-soudan-el-fasher": ("fr", (
        "Les paramilitaires ont pilonné dimanche El-Facher, la capitale du Darfour-Nord, faisant au moins "
        "vingt et un morts, dont six enfants, a indiqué à l'AFP une source médicale. « Les obus tombent "
        "sur les quartiers résidentiels », a dit un habitant, Mohamed Adam, joint par téléphone."),
        dt.date(2026, 10, 13), [
            Toll(21, None, "at_least", ("source médicale",)),
            Says(("Mohamed Adam",)),
            NoToll(6),
        ]),
    "fr-ukraine-bilan": ("fr", (
        "Le bilan de la frappe russe de mardi contre un immeuble de Dnipro s'élève désormais à 45 morts, "
        "a annoncé jeudi le gouverneur régional. Selon l'ONU, plus de 12.000 civils ont été tués en "
        "Ukraine depuis février 2022."),
        dt.date(2026, 1, 22), [
            Toll(45, None, "exact", ("gouverneur",)),
            Fight(("Dnipro",)),
            Toll(12000, None, "more_than", ("ONU",), dt.date(2022, 2, 1)),
        ]),
    "fr-niger-tillaberi": ("fr", (
        "Une dizaine de soldats nigériens ont été tués hier dans une embuscade près de Téra, dans la région "
        "de Tillabéri, a annoncé le ministère de la Défense dans un communiqué lu à la télévision. "
        "« Nos forces ont neutralisé plusieurs terroristes », précise le texte."),
        dt.date(2026, 5, 6), [
            Toll(10, None, "about", ("ministère de la Défense",)),
            Fight(("Téra", "Tera"), "offensive"),
            Says(("ministère de la Défense",)),
        ]),
    "fr-gaza-defense-civile": ("fr", (
        "« Nous avons retiré quinze corps des décombres », a déclaré à l'AFP Mahmoud Bassal, porte-parole "
        "de la Défense civile de Gaza, après des frappes israéliennes sur Deir el-Balah. L'armée "
        "israélienne a dit avoir visé « un centre de commandement du Hamas »."),
        dt.date(2026, 4, 1), [
            Says(("Mahmoud Bassal",)),
            Fight(("Deir el-Balah",), "airstrike"),
            Says(("armée israélienne",)),
        ]),
    "fr-rdc-bukavu": ("fr", (
        "Plus de 3.000 personnes ont été tuées depuis fin janvier dans les combats autour de Goma et "
        "Bukavu, selon un bilan de l'ONU publié vendredi. Le M23 et ses alliés rwandais contrôlent désormais "
        "les deux capitales provinciales du Kivu."),
        dt.date(2026, 2, 22), [
            Toll(3000, None, "more_than", ("ONU",)),
            Fight(("Bukavu", "Goma"), "clashes"),
        ]),
    # third batch: approximate counts, sources closing a sentence, tolls since a weekday
    "en-sudan-spokesman": ("en", (
        "Sudanese army spokesman Nabil Abdallah said on Monday that troops had repelled an RSF assault on El "
        "Fasher, killing scores of fighters. The RSF said in a statement that its forces had shot down a "
        "military drone over Nyala."),
        dt.date(2026, 3, 3), [
            Says(("Nabil Abdallah",)),
            Fight(("El Fasher",), "halted"),
            Says(("RSF",)),
        ]),
    "en-gaza-two-dozen": ("en", (
        "Nearly two dozen people were killed in Israeli strikes across Gaza overnight, including 11 in a "
        "school sheltering displaced families in Gaza City, according to the Hamas-run civil defence agency. "
        "Israel's military said it was looking into the reports."),
        dt.date(2026, 3, 3), [
            Toll(24, None, "about", ("civil defence agency",)),
            Fight(("Gaza City", "Gaza"), "airstrike"),
            NoToll(2),
        ]),
    "en-libya-since-thursday": ("en", (
        "More than 150 people have been killed in fighting between rival armed groups in Tripoli's southern "
        "suburbs since last Thursday, the Libyan health ministry said in an updated toll."),
        dt.date(2026, 3, 3), [
            Toll(150, None, "more_than", ("health ministry",), dt.date(2026, 2, 26)),
            Fight(("Tripoli",), "clashes"),
        ]),
    "en-somalia-hotel": ("en", (
        "Al-Shabaab fighters stormed a hotel in Mogadishu late on Friday, triggering a siege that left at "
        "least 21 people dead and 117 injured, police said."),
        dt.date(2026, 3, 3), [
            Toll(21, 117, "at_least", ("police",)),
            Fight(("Mogadishu",), "offensive"),
        ]),
    "fr-burkina-elus": ("fr", (
        "L'attaque a fait deux cents morts, selon des élus locaux, un bilan que le gouvernement conteste. "
        "« Ce chiffre est exagéré », a réagi le ministre de la Communication, Jean-Emmanuel Ouédraogo."),
        dt.date(2026, 3, 3), [
            Toll(200, None, "exact", ("élus locaux",)),
            Says(("Jean-Emmanuel Ouédraogo", "ministre de la Communication")),
        ]),
    "fr-mali-kidal": ("fr", (
        "Quatre casques bleus ont été blessés mercredi par l'explosion d'un engin explosif improvisé au "
        "passage de leur convoi près de Kidal, a annoncé la Minusma sur X."),
        dt.date(2026, 3, 3), [
            Toll(None, 4, "exact", ("Minusma",)),
            Fight(("Kidal",)),
        ]),
    "fr-rdc-ituri-bilan": ("fr", (
        "Au total, quelque 400 personnes ont péri dans les violences intercommunautaires dans l'Ituri depuis "
        "le début de l'année, d'après le Bureau conjoint des Nations unies aux droits de l'homme (BCNUDH)."),
        dt.date(2026, 3, 3), [
            Toll(400, None, "about", ("BCNUDH", "Bureau conjoint")),
        ]),
    # fourth batch: event notes, datelines, verbs that report only after a quotation
    "en-note-darfur": ("en", (
        "On 18 June 2023, RSF fighters attacked the village of Misterei in West Darfur, killing at least 28 "
        "civilians. Local sources reported that dozens more were wounded."),
        dt.date(2023, 6, 20), [
            Fight(("Misterei",), "offensive"),
            Toll(28, None, "at_least", None),
        ]),
    "en-note-jenin": ("en", (
        "On 31 January 2024, Israeli forces raided Jenin refugee camp and engaged in an armed clash with "
        "Palestinian militants. Three militants were killed and an Israeli soldier was injured, according "
        "to the Palestinian Ministry of Health."),
        dt.date(2024, 2, 1), [
            Fight(("Jenin",)),
            Toll(3, None, "exact", ("Ministry of Health",)),
        ]),
    "fr-ukraine-depeche": ("fr", (
        "Kiev (AFP) - Au moins sept personnes, dont un enfant, ont été tuées samedi dans des frappes russes "
        "sur la région de Kharkiv, ont annoncé les autorités locales."),
        dt.date(2024, 2, 1), [
            Toll(7, None, "at_least", ("autorités locales",)),
            Fight(("Kharkiv",), "airstrike"),
            NoToll(1),
        ]),
    "fr-soudan-reprise": ("fr", (
        "Khartoum (AFP) - Les combats entre l'armée du général Abdel Fattah al-Burhane et les FSR du général "
        "Mohamed Hamdane Daglo ont repris mardi à Omdourman, ont rapporté des témoins."),
        dt.date(2024, 2, 1), [
            Fight(("Omdourman",), "resumed"),
            Says(("témoins",)),
        ]),
    "fr-ukraine-lance": ("fr", (
        "« Nous ne reculerons pas », a lancé le président ukrainien Volodymyr Zelensky dans son allocution "
        "du soir. L'armée russe a lancé dans la nuit une nouvelle offensive près de Koupiansk."),
        dt.date(2024, 2, 1), [
            Says(("Volodymyr Zelensky",)),
            Fight(("Koupiansk",), "offensive"),
        ]),
    # fifth batch: descriptions closing a statement, prosecutors, vague counts
    "en-ukraine-prosecutors": ("en", (
        "A Russian glide bomb struck a residential area of Kostiantynivka, killing two women, prosecutors "
        "said. Reuters could not independently verify the report."),
        dt.date(2025, 8, 5), [
            Toll(2, None, "exact", ("prosecutors",)),
            Fight(("Kostiantynivka",), "airstrike"),
        ]),
    "en-niger-landmine": ("en", (
        "Five soldiers were killed and seven others wounded when their vehicle hit a landmine in the "
        "Tillaberi region, Niger's defence ministry said in a statement read on state television on Sunday."),
        dt.date(2025, 8, 5), [
            Toll(5, 7, "exact", ("defence ministry",)),
            Fight(("Tillaberi",)),
        ]),
    "en-nigeria-anonymity": ("en", (
        "Armed men killed about 50 people in attacks on several villages in Plateau state overnight, a local "
        "leader told The Associated Press, speaking on condition of anonymity for fear of reprisals."),
        dt.date(2025, 8, 5), [
            Toll(50, None, "about", ("local leader",)),
            Fight(("Plateau",), "offensive"),
        ]),
    "fr-soudan-kutum": ("fr", (
        "Au moins onze civils ont péri dans un bombardement de l'armée sur un marché de la ville de Kutum, au "
        "Darfour-Nord, a déploré la Coordination générale des camps de déplacés, une ONG locale. Plusieurs "
        "dizaines de personnes ont été blessées, selon la même source. Le conflit a fait des dizaines de "
        "milliers de morts, selon l'ONU."),
        dt.date(2025, 8, 5), [
            Toll(11, None, "at_least", ("Coordination générale",)),
            Fight(("Kutum",), "shelling"),
            NoToll(10),
        ]),
    "fr-gaza-nouveau-bilan": ("fr", (
        "D'après un nouveau bilan du ministère de la Santé de Gaza, 61.158 personnes ont été tuées et "
        "151.442 blessées depuis le début de la guerre."),
        dt.date(2025, 8, 5), [
            Toll(61158, 151442, "exact", ("ministère de la Santé",)),
        ]),
    # sixth batch: reports from a body, spokesmen after a quotation
    "en-ukraine-sumy": ("en", (
        "Sixteen people, among them three rescuers, died in a double-tap strike on Sumy, according to a "
        "statement from the regional administration. \"Our positions are holding,\" said Oleksandr Borodin, a "
        "spokesman for the 15th brigade."),
        dt.date(2025, 8, 5), [
            Toll(16, None, "exact", ("regional administration",)),
            Fight(("Sumy",), "airstrike"),
            Says(("Oleksandr Borodin",)),
            NoToll(3),
        ]),
    "fr-burkina-mansila": ("fr", (
        "Les jihadistes ont tué hier au moins 50 civils à Mansila, une commune du nord du Burkina, a rapporté "
        "une source locale jointe par l'AFP. Interrogé par l'AFP, un porte-parole de l'armée a indiqué "
        "« examiner les informations »."),
        dt.date(2025, 8, 5), [
            Toll(50, None, "at_least", ("source locale",)),
            Fight(("Mansila",)),
            Says(("porte-parole",)),
        ]),
    # seventh batch: spaced thousands, hyphenated number words, plain sources
    "fr-ukraine-milliers": ("fr", (
        "Plus de 12 000 personnes ont été tuées depuis le début de l'invasion russe, selon l'ONU. Le bilan du "
        "bombardement de Kherson est lourd : 17 morts et 40 blessés, d'après la protection civile."),
        dt.date(2025, 8, 5), [
            Toll(12000, None, "more_than", ("ONU",)),
            Toll(17, 40, "exact", ("protection civile",)),
            NoToll(12),
        ]),
    "fr-nigeria-kamikaze": ("fr", (
        "Un kamikaze s'est fait exploser sur un marché de Maiduguri, tuant soixante-dix personnes et en "
        "blessant quatre-vingt-dix autres, selon la police. Au moins 20 civils ont été tués, selon les "
        "premiers éléments, dans une seconde explosion."),
        dt.date(2025, 8, 5), [
            Toll(70, 90, "exact", ("police",)),
            Fight(("Maiduguri",)),
            Toll(20, None, "at_least", None),
        ]),
    "en-sahel-adding": ("en", (
        "Twenty-one soldiers and a civilian were killed in an attack on their base in Inata, the army said, "
        "adding that its troops had repelled the assailants."),
        dt.date(2025, 8, 5), [
            Toll(21, None, "exact", ("army",)),
            Says(("army",)),
        ]),
    # eighth batch: diplomacy, aid and history are no fighting
    "en-sudan-talks": ("en", (
        "Talks between the warring parties resumed in Jeddah on Tuesday, U.S. officials said. Aid trucks "
        "reached Port Sudan on Monday. The 2014 battle for Donetsk airport killed hundreds of soldiers on both "
        "sides, a historian recalled."),
        dt.date(2025, 8, 5), [
            NoFight("Jeddah"),
            NoFight("Port Sudan"),
            NoFight("Donetsk"),
        ]),
    "fr-rdc-diplomatie": ("fr", (
        "Le président Emmanuel Macron, en visite à Kinshasa, a appelé à un cessez-le-feu immédiat dans l'est "
        "de la RDC. Des négociations doivent reprendre à Doha la semaine prochaine, a indiqué un diplomate."),
        dt.date(2025, 8, 5), [
            Says(("Emmanuel Macron",)),
            NoFight("Kinshasa"),
            NoFight("Doha"),
        ]),
    # ninth batch: explicit bounds on approximate number words
    "fr-sahel-bornes": ("fr", (
        "Plus d'une centaine de civils ont été tués dans l'attaque de Barsalogho, selon l'ONU. Au moins une "
        "dizaine de soldats ont également péri, a indiqué l'armée. Une trentaine de blessés ont été évacués "
        "vers Kaya, selon les secours."),
        dt.date(2025, 8, 5), [
            Toll(100, None, "more_than", ("ONU",)),
            Toll(10, None, "at_least", ("armée",)),
            Toll(None, 30, "about", ("secours",)),
            Fight(("Barsalogho",), "offensive"),
            NoFight("Kaya"),
        ]),
    # tenth batch: whole wire stories with datelines, credits and page furniture
    "en-reuters-ukraine": ("en", (
        "KYIV, March 11 (Reuters) - Russian drones and missiles killed at least nine people across Ukraine "
        "overnight, officials said on Tuesday, as Kyiv and Washington prepared for talks in Saudi Arabia.\n"
        "In the southern city of Odesa, a missile struck a port facility, killing four Syrian crew members of "
        "a grain ship, Governor Oleh Kiper said. Two more people were wounded, he added.\n"
        "\"Russia continues its terror,\" Foreign Minister Andrii Sybiha wrote on X.\n"
        "(Reporting by Olena Harmash; Editing by Mark Trevelyan)"),
        dt.date(2025, 3, 11), [
            Toll(9, None, "at_least", ("officials",)),
            Toll(4, None, "exact", ("Oleh Kiper",)),
            Fight(("Odesa",)),
            Says(("Andrii Sybiha",)),
            NoFight("Saudi Arabia"),
        ]),
    "fr-afp-mali": ("fr", (
        "Mali: au moins 30 morts dans une attaque jihadiste près de Gao\n"
        "Publié le 11/03/2025 à 10h15 | AFP\n"
        "Bamako (AFP) - Au moins trente civils ont été tués lundi dans une attaque attribuée à des jihadistes "
        "contre un convoi de véhicules près de Gao, dans le nord du Mali, ont indiqué mardi à l'AFP des sources "
        "locales et sécuritaires.\n"
        "« Les assaillants ont intercepté le convoi et ont ouvert le feu sur les passagers », a expliqué un élu "
        "de la région, sous couvert d'anonymat. « C'est un carnage », a-t-il ajouté.\n"
        "Partager cet article | Facebook | Twitter"),
        dt.date(2025, 3, 11), [
            Toll(30, None, "at_least", ("sources locales",)),
            Fight(("Gao",), "offensive"),
            Says(("élu",)),
            NoFight("Bamako"),
        ]),
    # eleventh batch: event notes naming their source by its report
    "en-note-myanmar": ("en", (
        "On 1 May 2023, the People's Defence Force (PDF) ambushed a Myanmar military column near Kani township "
        "(Sagaing). 8 soldiers were killed, according to a PDF statement."),
        dt.date(2023, 5, 2), [
            Fight(("Kani",), "offensive"),
            Toll(8, None, "exact", ("PDF",)),
        ]),
    "fr-demonstratif": ("fr", (
        "Le médiateur qatari a reçu lundi à Doha le ministre iranien Abbas Araghchi. Ce dernier a promis une "
        "réponse rapide à la proposition de trêve au Liban."),
        dt.date(2025, 3, 11), [
            Says(("Abbas Araghchi",)),
        ]),
    # twelfth batch: control retaken, hospital sources, correspondents
    "fr-soudan-ed-daein": ("fr", (
        "Un responsable militaire, qui a requis l'anonymat, a indiqué que les troupes avaient repris le contrôle "
        "d'Ed Daein. Six soldats ont été tués, a-t-on appris de source hospitalière. Au moins quatre personnes "
        "ont été tuées par des tirs d'artillerie à Khartoum-Nord, d'après un correspondant de l'AFP sur place."),
        dt.date(2025, 5, 7), [
            Says(("responsable militaire",)),
            Fight(("Ed Daein",), "advance"),
            Toll(6, None, "exact", ("source hospitalière",)),
            Toll(4, None, "at_least", ("correspondant de l'AFP",)),
            Fight(("Khartoum-Nord",), "shelling"),
        ]),
    # thirteenth batch: withdrawals, recaptures, disasters
    "fr-retraits": ("fr", (
        "Les forces ukrainiennes se sont retirées d'Avdiïvka, a annoncé le commandant en chef. Au Kordofan, "
        "les paramilitaires ont repris samedi le contrôle de Babanusa. Un séisme a frappé Herat, tuant 20 "
        "personnes, selon les autorités."),
        dt.date(2025, 1, 10), [
            Fight(("Avdiïvka", "Avdiivka"), "withdrawal"),
            Fight(("Babanusa",), "advance"),
            NoFight("Herat"),
            NoToll(20),
        ]),
    "en-disaster": ("en", (
        "Drones struck an oil depot in Bryansk overnight, the regional governor said. At least seventy-three "
        "migrants drowned when their boat capsized off the coast of Libya, the IOM said."),
        dt.date(2025, 1, 10), [
            Fight(("Bryansk",)),
            NoToll(73),
            NoFight("Libya"),
        ]),
    # fourteenth batch: competing tolls, accusations
    "en-gaza-competing-tolls": ("en", (
        "Hamas said the strikes had killed 12 of its fighters, while Israel put the toll at 30. Sudan's army "
        "accused the RSF of shelling a hospital in El Fasher, an accusation the paramilitary group rejected."),
        dt.date(2025, 5, 7), [
            Toll(12, None, "exact", ("Hamas",)),
            Toll(30, None, "exact", ("Israel",)),
            Says(("Sudan's army",)),
            Fight(("El Fasher",), "shelling"),
        ]),
    # fifteenth batch: links to other stories in the page
    "fr-afp-liens": ("fr", (
        "Soudan: des frappes de drones sur Port-Soudan\n"
        "Mis à jour le 07/05/2025 à 12h30\n"
        "Port-Soudan (AFP) - Des drones ont frappé mardi un dépôt de carburant à Port-Soudan, siège provisoire "
        "du gouvernement, a indiqué l'armée, qui accuse les FSR.\n"
        "Aucune victime n'a été signalée.\n"
        "Lire aussi : Ukraine : au moins 12 morts dans une frappe russe sur Kryvyï Rih\n"
        "© 2025 AFP"),
        dt.date(2025, 5, 7), [
            Fight(("Port-Soudan",), "airstrike"),
            Says(("armée",)),
            NoFight("Kryvyï Rih"),
            NoToll(12),
        ]),
    # sixteenth batch: numbers that label or bound, not count
    "en-labels": ("en", (
        "The attack on Route 5 near Kramatorsk killed 7 people, police said. Two of the three attackers were "
        "killed, the army said, citing Security Council Resolution 2231."),
        dt.date(2025, 1, 10), [
            Toll(7, None, "exact", ("police",)),
            Toll(2, None, "exact", ("army",)),
            NoToll(5),
            NoToll(3),
            NoToll(2231),
        ]),
    "fr-labels": ("fr", (
        "Deux des trois assaillants ont été tués sur la route 4, près de Diffa, selon une source militaire. "
        "Un homme de 45 ans a été tué."),
        dt.date(2025, 1, 10), [
            Toll(2, None, "exact", ("source militaire",)),
            NoToll(3),
            NoToll(4),
            NoToll(45),
        ]),
    # seventeenth batch: "auprès de"
    "fr-aupres": ("fr", (
        "Six soldats ont été tués près de Ménaka, a-t-on appris auprès de l'armée. « La ville est encerclée », a "
        "déclaré auprès de l'AFP le gouverneur de la région."),
        dt.date(2025, 1, 10), [
            Toll(6, None, "exact", ("armée",)),
            Says(("gouverneur",)),
        ]),
}


def _fold(s: str | None) -> str:
    return (s or "").casefold().replace("-", " ")


def check(expect: Expect, alerts: list[Alert]) -> str | None:
    """None when `alerts` meet `expect`, else what is wrong."""
    if isinstance(expect, Says):
        for a in alerts:
            if isinstance(a, Statement) and any(
                    _fold(n) in _fold(a.speaker) or _fold(n) in _fold(a.speaker_role) for n in expect.names):
                return None
        return f"no statement by {expect.names}: {[a.speaker for a in alerts if isinstance(a, Statement)]}"
    if isinstance(expect, NoToll):
        bad = [a for a in alerts if isinstance(a, Casualty) and expect.number in (a.killed, a.wounded)]
        return f"{expect.number} is no casualty figure" if bad else None
    if isinstance(expect, NoFight):
        fought = [a for a in alerts if isinstance(a, Fighting) and _fold(expect.place) in _fold(a.location)]
        return f"no fighting at {expect.place} expected" if fought else None
    if isinstance(expect, Fight):
        fights = [a for a in alerts if isinstance(a, Fighting)]
        for f in fights:
            # as the scorer: the location names the place or the place names it ("Sagaing region")
            if any(f" {_fold(p)} " in f" {_fold(f.location)} " or f" {_fold(f.location)} " in f" {_fold(p)} "
                   for p in expect.places):
                if expect.action is not None and f.action != expect.action:
                    return f"{f.location}: action {f.action}, expected {expect.action}"
                return None
        return f"no fighting at {expect.places}: {[(f.location, f.action) for f in fights]}"
    tolls = [a for a in alerts if isinstance(a, Casualty)]
    for c in tolls:
        if (c.killed, c.wounded) != (expect.killed, expect.wounded):
            continue
        problems = []
        if c.qualifier != expect.qualifier:
            problems.append(f"qualifier {c.qualifier}")
        if expect.by is None:
            if c.reported_by is not None:
                problems.append(f"reported_by {c.reported_by}")
        elif not any(_fold(b) in _fold(c.reported_by) for b in expect.by):
            problems.append(f"reported_by {c.reported_by}")
        if expect.since is not None and c.since != expect.since:
            problems.append(f"since {c.since}")
        return "; ".join(problems) or None
    return f"no casualty {expect.killed}/{expect.wounded}: {[(c.killed, c.wounded) for c in tolls]}"


def run_article(key: str) -> list[Alert]:
    lang, text, published, _ = ARTICLES[key]
    return extract_alerts(Article(id=key, text=text, lang=lang, published=published))


# Expectations the rules are known to miss (a strict xfail: one that starts passing must leave the list).
KNOWN_GAPS: set[tuple[str, int]] = set()
CASES = [
    pytest.param(key, i, id=f"{key}-{i}", marks=[pytest.mark.xfail(strict=True, reason="known gap of the rules")]
                 if (key, i) in KNOWN_GAPS else [])
    for key, (_, _, _, expects) in ARTICLES.items() for i in range(len(expects))
]


@pytest.mark.parametrize(("key", "index"), CASES)
def test_unseen_expectation(key: str, index: int) -> None:
    problem = check(ARTICLES[key][3][index], run_article(key))
    assert problem is None, problem
