"""Names kept whole or translated whole, never word for word; French agreement; plural forms."""

from __future__ import annotations

from bot.chat.matrix_render import message_content
from bot.core.models import Alert, Article, Casualty, Statement
from bot.core.render import render_alert
from tests.commands.conftest import World, WorldFactory, seed_extractor

EN_ARTICLE = Article(
    id="en-1", lang="en", source="wire", title="Strikes near Tripoli",
    text="At least 12 people were killed, the Health Ministry of the UN-backed Government of National Accord said. "
         "The Security Council and the G7 ministers said the fighting must stop.")
EN_FIGURE = Casualty("en-1", killed=12, qualifier="at_least", victims="of its soldiers",
                     reported_by="Health Ministry of the UN-backed Government of National Accord", location="Tripoli")
JOINT = Statement("en-1", "the Security Council and the G7 ministers", "The fighting must stop", direct=True)


def extractor(article: Article) -> list[Alert]:
    return [EN_FIGURE, JOINT] if article.id == "en-1" else seed_extractor(article)


def test_an_english_name_in_a_french_channel_is_kept_whole_and_marked() -> None:
    message = render_alert(EN_FIGURE, lang="fr", article_lang="en")
    # before: "ministère de la Santé of the Nations unies-backed Gouvernement…" and "Victimes: of its soldats"
    assert message.headline == ("Au moins 12 tués (Health Ministry of the UN-backed Government of National Accord, "
                                "Tripoli)")
    lines = [line.plain for line in message.lines]
    assert "Victimes: of its soldiers (tel quel, en anglais)" in lines
    assert "Source: Health Ministry of the UN-backed Government of National Accord (tel quel, en anglais)" in lines
    assert "ministère" not in message.plain and "soldats" not in message.plain
    html = message_content(message)["formatted_body"]
    assert '<span lang="en">Health Ministry of the UN-backed Government of National Accord</span>' in html
    assert '<span lang="en">of its soldiers</span>' in html


def test_a_name_the_glossary_knows_whole_is_translated_unmarked() -> None:
    figure = Casualty("x", killed=3, reported_by="Health Ministry", victims="civilians")
    message = render_alert(figure, lang="fr", article_lang="en")
    assert "Source: ministère de la Santé" in message.plain and "Victimes: civils" in message.plain
    assert "tel quel" not in message.plain


def test_french_agreement_of_the_verb_with_several_speakers() -> None:
    assert render_alert(JOINT, lang="fr", article_lang="en").headline == (
        "Le Conseil de sécurité et les ministres du G7 ont déclaré")
    assert render_alert(JOINT, lang="en", article_lang="en").headline == (
        "The Security Council and the G7 ministers said")
    french = Statement("x", "le Conseil de sécurité et les ministres du G7", "Il faut cesser les combats")
    # before: "le Conseil de sécurité et les ministres du G7 a déclaré"
    assert render_alert(french, lang="fr", article_lang="fr").headline == (
        "Le Conseil de sécurité et les ministres du G7 ont déclaré")
    assert render_alert(french, lang="en", article_lang="fr").headline == (
        "The Security Council and the G7 ministers said")
    one = Statement("x", "Mike Pompeo", "…", speaker_role="secrétaire d'Etat")
    assert render_alert(one, lang="fr", article_lang="fr").headline == "Mike Pompeo (secrétaire d'Etat) a déclaré"


async def test_an_english_article_delivered_to_the_french_channel(make_world: WorldFactory) -> None:
    world = await make_world(extractor=extractor)
    world.pipeline.process(EN_ARTICLE)
    await world.pipeline.deliver()
    printed = world.out.getvalue()
    assert "Au moins 12 tués (Health Ministry of the UN-backed Government of National Accord, Tripoli)" in printed
    assert "Le Conseil de sécurité et les ministres du G7 ont déclaré" in printed
    assert "The Security Council and the G7 ministers said" in printed
    assert "Nations unies-backed" not in printed and "of its soldats" not in printed


async def test_plural_forms_and_articles_in_french_templates(world: World) -> None:
    # before: "Ce salon suit désormais le importance minimale 6."
    assert "Ce salon suit désormais l'importance minimale 6." in await world.run("subscribe importance 6",
                                                                                   channel="console-fr", lang="fr")
    assert "Ce salon suit désormais le mot-clé Haftar." in await world.run("subscribe keyword Haftar",
                                                                            channel="console-fr", lang="fr")
    assert "This channel now follows the topic libya." in await world.run("subscribe libya")
    # before: "5 alerte(s)"; the count is the seed's alerts, the point is the plural
    n = len(world.store.alerts())
    assert n > 1
    assert f"{n} alertes (français)" in await world.ask("Quelle source ?", channel="console-fr", lang="fr")
    assert f"{n} alerts (French)" in await world.ask("source?")
