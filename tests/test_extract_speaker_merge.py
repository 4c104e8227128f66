"""One speaker named several ways in an article gives one statement, not one per name."""

from __future__ import annotations

import datetime as dt

from bot.core.extract import extract_alerts
from bot.core.models import Article, Statement

DAY = dt.date(2024, 5, 2)


def statements(text: str, lang: str) -> list[Statement]:
    art = Article(id="m", text=text, lang=lang, published=DAY)
    return [a for a in extract_alerts(art) if isinstance(a, Statement)]


def test_an_acronym_and_the_name_it_spells_are_one_body() -> None:
    text = ("L'Union continentale des Marais a appelé les deux camps à un cessez-le-feu immédiat. "
            "L'UCM a aussi demandé l'ouverture d'un couloir humanitaire vers le port.")
    (s,) = statements(text, "fr")
    assert "Union continentale des Marais" in s.speaker
    assert "couloir humanitaire" in s.evidence


def test_a_generic_source_and_its_fuller_name_are_one_source() -> None:
    text = ("Turkish security sources said the attackers had crossed the river at night. "
            "The security sources said the border posts were reinforced on Monday.")
    (s,) = statements(text, "en")
    assert s.speaker == "Turkish security sources"


def test_a_name_and_its_epithet_are_one_body() -> None:
    text = ("Le Hamdoun libéral a nié toute implication dans l'attaque du convoi. "
            "Le Hamdoun a affirmé que ses militants n'étaient pas présents dans la vallée.")
    (s,) = statements(text, "fr")
    assert "Hamdoun" in s.speaker


def test_two_bodies_that_share_a_word_stay_apart() -> None:
    text = ("L'armée nationale a affirmé avoir repris le contrôle du pont. "
            "L'armée de libération a démenti toute perte dans ses rangs. "
            "L'armée a ajouté que les combats se poursuivaient au nord.")
    names = sorted(s.speaker for s in statements(text, "fr"))
    assert "armée nationale" in names and "armée de libération" in names


def test_a_place_speaks_through_the_voice_the_sentence_names() -> None:
    text = ("La Tunisie a demandé samedi une réunion urgente du Conseil de sécurité, a indiqué le "
            "ministère des Affaires étrangères dans un communiqué.")
    (s,) = statements(text, "fr")
    assert s.speaker.startswith("ministère des Affaires étrangères")
    assert s.quote.startswith("La Tunisie a demandé")


def test_a_place_alone_as_subject_still_speaks() -> None:
    text = "Washington a demandé samedi une réunion urgente du Conseil de sécurité sur la crise."
    (s,) = statements(text, "fr")
    assert s.speaker == "Washington"


def test_a_body_and_its_media_stay_apart() -> None:
    text = ("Douze personnes ont été tuées dans un raid sur le marché, ont rapporté samedi les médias du "
            "régime. Le régime a par ailleurs accusé l'alliance de viser des quartiers habités.")
    names = {s.speaker for s in statements(text, "fr")}
    assert "régime" in names


def test_a_name_written_like_an_anaphor_is_its_own_body() -> None:
    text = ("Le conflit a fait plus de 70.000 morts selon l'ONU. La Coalition a souligné qu'elle "
            "assimilait \"le silence international à une participation à la tuerie\".")
    by = {s.speaker: s for s in statements(text, "fr")}
    assert "Coalition" in by
    assert "ONU" not in by or "silence international" not in by["ONU"].quote


def test_a_bare_role_is_the_person_the_article_named_with_it() -> None:
    text = ("L'émissaire international Karim Haddad est arrivé à Damas. Dans une interview, l'émissaire "
            "international a reconnu que ses efforts avaient pour l'instant échoué.")
    (s,) = statements(text, "fr")
    assert s.speaker == "Karim Haddad"
    assert "efforts avaient pour l'instant échoué" in s.quote


def test_a_role_two_persons_hold_stays_a_role() -> None:
    text = ("The minister Karim Haddad met the minister Paul Verdier in Geneva. The minister said the "
            "talks would resume on Monday.")
    for s in statements(text, "en"):
        assert s.speaker not in ("Karim Haddad", "Paul Verdier")


def test_a_bare_role_after_a_title_and_name_between_commas() -> None:
    text = ("Lors d'une conférence de presse avec le ministre italien des Affaires étrangères, Paolo "
            "Verdi, le chef rebelle a demandé des armes. L'attaque montre \"que même dans la capitale, "
            "il y a une capacité de réaction forte\", selon le ministre.")
    names = {s.speaker for s in statements(text, "fr")}
    assert "Paolo Verdi" in names
    assert "ministre" not in names


def test_a_person_heard_alone_and_in_a_joint_subject_is_one_speaker() -> None:
    text = ("YPG spokesman Redur Amed and Turkish security sources said the attackers came at dawn. "
            "Amed said some of the attackers had crossed the river at night.")
    assert len(statements(text, "en")) == 1


def test_a_place_alone_and_in_a_joint_subject_stay_apart() -> None:
    text = ("Paris et Rome ont salué la trêve annoncée samedi dans la capitale. Paris demande aussi la fin "
            "des violences contre les manifestants.")
    names = {s.speaker for s in statements(text, "fr")}
    assert "Paris" in names
