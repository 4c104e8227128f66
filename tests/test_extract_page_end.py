"""What follows an article on its page (related stories, reader comments) files no alert."""

from __future__ import annotations

import datetime as dt

from bot.core.extract import extract_alerts
from bot.core.models import Article, Casualty, Statement

BODY_FR = ("Le ministre de l'Intérieur, Karim Benali, a déclaré mardi que « la ville de Kafr Soussa est sous "
           "contrôle ». Au moins 12 civils ont été tués lundi dans des bombardements sur Kafr Soussa, selon une ONG "
           "locale. Les secours ont continué de chercher des survivants toute la nuit dans les décombres des "
           "immeubles touchés, a précisé la protection civile, qui craint un bilan plus lourd dans la matinée. "
           "Les écoles de la ville resteront fermées jusqu'à la fin de la semaine.\n")
COMMENT_FR = ("« Tout cela est un mensonge », a déclaré Paul Durand. "
              "Au moins 300 personnes ont été tuées dans la ville.\n")
BODY_EN = ("Interior minister Karim Benali said on Tuesday that \"the town of Tell Sabka is under control\". At least "
           "12 civilians were killed on Monday in shelling of Tell Sabka, a local group said. Rescuers searched the "
           "rubble of the buildings that were hit through the night, the civil defence said, fearing a higher toll "
           "by the morning as more families reported relatives missing. Schools in the town will stay "
           "closed until the end of the week.\n")
COMMENT_EN = "\"All of this is a lie,\" John Miller said. At least 300 people were killed in the city.\n"


def alerts(text: str, lang: str) -> tuple[set[str], set[int | None]]:
    got = extract_alerts(Article(id="p", text=text, lang=lang, published=dt.date(2024, 5, 10)))
    return ({a.speaker for a in got if isinstance(a, Statement)},
            {a.killed for a in got if isinstance(a, Casualty)})


def test_a_comments_heading_ends_the_article() -> None:
    assert alerts(BODY_FR + COMMENT_FR, "fr") == ({"Karim Benali", "Paul Durand"}, {12, 300})  # no heading
    for heading in ("Charte de modération", "12 commentaires"):
        assert alerts(f"{BODY_FR}{heading}\n{COMMENT_FR}", "fr") == ({"Karim Benali"}, {12}), heading
    for heading in ("Comments", "Leave a reply"):
        assert alerts(f"{BODY_EN}{heading}\n{COMMENT_EN}", "en") == ({"Karim Benali"}, {12}), heading


def test_a_box_of_other_stories_at_the_end_ends_the_article() -> None:
    headlines = "".join(f"Une autre histoire de la semaine, numéro {n}\n" for n in range(6))
    for heading in ("Dans la même rubrique", "Réagissez :"):
        assert alerts(f"{BODY_FR}{heading}\n{headlines}{COMMENT_FR}", "fr") == ({"Karim Benali"}, {12}), heading
    headlines = "".join(f"Another story of the week, number {n}\n" for n in range(6))
    assert alerts(f"{BODY_EN}Related articles\n{headlines}{COMMENT_EN}", "en") == ({"Karim Benali"}, {12})
    # the same heading under every post of a live blog is furniture: it ends nothing
    posts = [f"{n}:00 GMT\nThe army said it had shelled the eastern districts again, residents said.\n"
             "Share this article\n" for n in range(8, 16)]
    text = "".join(posts) + "Rebels said they had killed 18 soldiers near Tell Sabka on Monday.\nShare this article\n"
    assert 18 in alerts(text, "en")[1]


def test_the_headlines_of_a_box_inside_the_article_are_no_news() -> None:
    text = (BODY_FR + "Lire aussi\nYémen : 30 morts dans un raid aérien à Hodeïda\n" + "\n".join(MORE_FR) + "\n")
    assert alerts(text, "fr")[1] == {12}


def test_a_heading_in_a_sentence_or_at_the_top_ends_nothing() -> None:
    # a heading word inside a line of the body is text
    text = BODY_EN + "The comments of the minister were read on state television.\n" + COMMENT_EN
    assert alerts(text, "en") == ({"Karim Benali", "John Miller"}, {12, 300})
    # near the top a heading is the page's menu, before the article
    assert alerts("Les plus lus\n" + BODY_FR + COMMENT_FR, "fr")[0] == {"Karim Benali", "Paul Durand"}


COMMENTS_FR = [
    "Je ne comprends pas pourquoi vous publiez cela.",
    "Le ministre Paul Durand a affirmé que tout était sous contrôle, quelle blague !",
    "Merci pour cet article, je partage votre analyse.",
    "Au moins 300 personnes ont été tuées à Kafr Soussa, qui peut le croire ?",
    "Vous oubliez le rôle de l'armée dans cette affaire.",
    "Mon voisin dit la même chose depuis des mois.",
    "Et les médias se taisent, comme toujours.",
    "Tu as raison, il faut le répéter.",
]


MORE_FR = [
    "Les combats se sont poursuivis mardi dans les faubourgs de la ville, selon des habitants.",
    "Les routes vers le nord restaient coupées et les convois d'aide attendaient à la frontière.",
    "Le gouvernement a promis des renforts dans les prochains jours.",
    "Les écoles resteront fermées jusqu'à nouvel ordre.",
]


def test_a_run_of_reader_comments_without_a_heading_files_nothing() -> None:
    text = BODY_FR + "\n".join(MORE_FR + COMMENTS_FR) + "\n"
    speakers, killed = alerts(text, "fr")
    assert killed == {12} and "Karim Benali" in speakers and "Paul Durand" not in speakers
    # the same lines with no article before them are no comments under it: left
    assert 300 in alerts("\n".join(COMMENTS_FR) + "\n", "fr")[1]


def test_an_interview_keeps_its_questions_and_answers() -> None:
    lines = [
        "Karim Benali, chef de la protection civile, répond à nos questions.",
        "Que s'est-il passé lundi ?",
        "Je suis arrivé à l'aube. Au moins 23 civils ont été tués à Kafr Soussa, j'ai vu les corps.",
        "Vous attendiez-vous à une telle attaque ?",
        "Je ne pensais pas qu'ils viseraient le marché, vous savez, c'était jour de marché !",
        "Que demandez-vous au gouvernement ?",
        "Je demande des abris, vous l'avez compris, et de l'eau pour les familles.",
        "Et maintenant ?",
        "Nous reconstruirons, je vous le promets, mais il faut du temps.",
    ]
    assert 23 in alerts("\n".join(lines) + "\n", "fr")[1]


def test_an_explainer_s_questions_are_the_article_s() -> None:
    lines = [
        "Tell Sabka offensive: what we know so far.",
        "What happened?",
        "Government forces launched an offensive on Tell Sabka on Monday, residents said.",
        "How many people have been killed?",
        "At least 45 people have been killed since Monday, a local monitoring group said.",
        "Who is fighting?",
        "The army and its allies face rebel groups that have held the town since 2014.",
        "What comes next?",
        "Aid groups said they feared a siege of the town's eastern districts.",
    ]
    assert alerts("\n".join(lines) + "\n", "en")[1] == {45}


def test_a_box_of_other_stories_inside_the_article_ends_nothing() -> None:
    for heading in ("Partager cet article", "Dans la même rubrique", "Réagissez"):
        text = BODY_FR + heading + "\n" + "\n".join(MORE_FR) + "\n" + \
            "Au moins 30 civils ont été tués mardi à Kafr Soussa, selon une ONG locale.\n" + "\n".join(MORE_FR) + "\n"
        assert alerts(text, "fr")[1] == {12, 30}, heading


def test_quotations_in_the_first_person_are_the_article_s() -> None:
    lines = [f"« Je ne partirai pas, j'ai tout perdu », a déclaré un habitant de Kafr Soussa, le {n} mai."
             for n in range(1, 9)]
    text = BODY_FR + "\n".join(lines) + "\nAu moins 300 personnes ont été tuées à Kafr Soussa.\n"
    speakers, killed = alerts(text, "fr")
    assert killed == {12, 300} and "Karim Benali" in speakers and len(speakers) == 2


def test_a_blog_footer_line_ends_the_article() -> None:
    footer = "Vous pouvez suivre les réponses à cet article avec le flux RSS.\n"
    assert alerts(BODY_FR + footer + COMMENT_FR, "fr") == ({"Karim Benali"}, {12})
    footer = "You can follow any responses to this entry through the RSS 2.0 feed.\n"
    assert alerts(BODY_EN + footer + COMMENT_EN, "en") == ({"Karim Benali"}, {12})


PLAIN_EN = [
    "Government forces shelled the eastern districts of Tell Sabka for a third day on Monday, residents said.",
    "The main road to the north was closed and aid convoys were waiting at the border crossing.",
    "The local council said water and power had been cut in most of the town since Saturday.",
    "Schools will stay closed until the end of the week, the education office said in a statement.",
    "Several families left the town on foot towards the villages in the hills, witnesses said.",
    "The army said it would open a corridor for civilians on Tuesday morning.",
    "Talks between the two sides were due to resume in the capital later this week.",
]


def test_an_interview_after_a_long_introduction_is_read_whole() -> None:
    qa = [
        "We spoke to Dr Ahmed Khalil, who runs the town's only hospital.",
        "What did you see on Monday?",
        "I saw children brought in with shrapnel wounds. At least 30 people were killed in the market, I counted "
        "the bodies myself.",
        "How are you coping?",
        "We have no anaesthetics left and my staff have not slept for two days.",
        "What do you need most?",
        "I need blood, fuel for the generators and safe passage for my ambulances.",
        "Will you stay?",
        "I will stay as long as my patients are here, whatever happens to the town.",
    ]
    assert 30 in alerts("\n".join(PLAIN_EN + qa) + "\n", "en")[1]


def test_an_article_that_ends_on_a_witness_s_own_words_is_read_whole() -> None:
    words = ["\"We buried them this morning,\" the mayor said.",
             "On Monday 4 of my neighbours were killed when a shell hit their house, I saw it from my window.",
             "I do not know who will be next, my children ask me every night."]
    assert 4 in alerts("\n".join(PLAIN_EN + words) + "\n", "en")[1]


def test_a_live_blog_s_asides_are_no_comments() -> None:
    entries = [
        "14:05 GMT", "That's all from me for now. I'm handing over to my colleague Tom for the evening.",
        "13:40 GMT", "The army said its units had reached the edge of the old town.",
        "13:10 GMT", "You can read our explainer on the offensive on our website.",
        "12:55 GMT", "Aid agencies said 3,000 families had fled since the morning.",
        "12:30 GMT", "Rebels said they had killed 20 soldiers in an ambush near Tell Sabka.",
        "12:00 GMT", "Welcome to our live coverage of the offensive. I'm Sarah and I will be with you today.",
    ]
    assert 20 in alerts("\n".join(PLAIN_EN + entries) + "\n", "en")[1]


def test_a_link_to_the_comments_near_the_top_ends_nothing() -> None:
    header = ("Kafr Soussa sous les bombes : la ville pleure ses morts après une nuit de frappes sans précédent "
              "sur les quartiers est, où les secours fouillent encore les décombres. Reportage de notre envoyé "
              "spécial sur place, qui a pu suivre les équipes de la protection civile pendant toute la journée de "
              "lundi, entre les immeubles effondrés et les hôpitaux débordés par l'afflux des blessés, alors que "
              "les habitants tentent de fuir vers le nord par la seule route encore ouverte.\n")
    text = header + "Lecture 3 min.\n12 commentaires\n" + BODY_FR + "\n".join(MORE_FR) + "\n"
    assert alerts(text, "fr") == ({"Karim Benali", "gouvernement", "habitants"}, {12})


def test_a_box_of_other_stories_followed_by_the_article_is_an_inset() -> None:
    later = ("Au moins 8 soldats ont été tués mardi soir dans une embuscade près de Kafr Soussa, a indiqué une "
             "source militaire, qui a précisé que les assaillants avaient pris la fuite vers les collines à l'est de "
             "la ville avant l'arrivée des renforts venus du chef-lieu de la région.\n")
    text = BODY_FR + "\n".join(MORE_FR) + "\nSur le même thème\nUne autre histoire\n" + later
    assert alerts(text, "fr")[1] == {12, 8}
    # wire copy writes short paragraphs
    later = "Au moins 8 soldats ont été tués mardi soir dans une embuscade près de Kafr Soussa, a indiqué l'armée.\n"
    text = BODY_FR + "\n".join(MORE_FR) + "\nSur le même thème\nUne autre histoire\n" + later
    assert alerts(text, "fr")[1] == {12, 8}


def test_hundreds_of_comments_under_a_short_post_are_no_article() -> None:
    # a blog's post of a title and a lead under a thread hundreds of lines long: the thread is no article or
    # essay however short the post is
    post = "Le blog de la rédaction : Kafr Soussa\n" + BODY_FR
    thread = [f"{line} (message {k})" for k in range(130) for line in COMMENTS_FR]
    speakers, killed = alerts(post + "\n".join(thread) + "\n", "fr")
    assert killed == {12} and speakers == {"Karim Benali"}
    # a few hundred such lines under so short a post could be the article's own text (a speech, one sentence
    # a line): left
    speakers, killed = alerts(post + "\n".join(thread[:300]) + "\n", "fr")
    assert 300 in killed


def test_a_run_of_other_stories_teasers_under_their_datelines_is_no_article() -> None:
    teasers = [
        "(Athènes) Un incendie de forêt continuait de brûler jeudi près de Corinthe, selon les pompiers.",
        "(Londres) « Il m'a menacée », a déclaré Jeanne Morel devant le tribunal de Londres mercredi.",
        "(Portland) Au moins 300 personnes ont été tuées dans la ville, a affirmé Paul Durand.",
        "(Téhéran) La récente révélation du président a surpris les observateurs de la région.",
        "(Paris) Le film d'action sorti le mois dernier rencontre un succès international.",
        "(Londres) L'actrice a reconnu mardi avoir menti devant le tribunal, selon son avocat.",
    ]
    speakers, killed = alerts(BODY_FR + "\n".join(MORE_FR + teasers) + "\n", "fr")
    assert killed == {12} and "Karim Benali" in speakers and not {"Jeanne Morel", "Paul Durand"} & speakers
    # an article opening on its own dateline is read whole, and so is a live page's few dated entries
    speakers, killed = alerts("(Beyrouth) " + BODY_FR + "\n".join(MORE_FR) + "\n", "fr")
    assert killed == {12} and "Karim Benali" in speakers
    entries = [
        "(Kafr Soussa) Des combats ont éclaté lundi à l'entrée de la ville, selon des habitants.",
        "(Damas) « Nous ne céderons pas », a déclaré Omar Nasser, porte-parole de l'armée.",
        "(Beyrouth) L'émissaire de l'ONU Karim Haddad a appelé à une trêve immédiate.",
        "(Tell Sabka) Au moins 40 personnes ont été tuées dans des frappes aériennes, selon une ONG.",
        "(Alep) Les secours ont continué de chercher des survivants toute la nuit.",
    ]
    speakers, killed = alerts(BODY_FR + "\n".join(MORE_FR + entries) + "\n", "fr")
    assert 40 in killed and "Omar Nasser" in speakers


def test_a_live_page_whose_entries_carry_wire_credits_is_read_whole() -> None:
    entries = [f"({credit}) Des combats ont éclaté à Kafr Soussa, selon des habitants, entrée numéro {k}."
               for k, credit in enumerate(["AFP", "Reuters", "AP", "AFP", "Reuters", "AP", "AFP"])]
    entries.append("(AFP) Au moins 40 personnes ont été tuées dans des frappes aériennes, selon une ONG locale.")
    assert 40 in alerts(BODY_FR + "\n".join(MORE_FR + entries) + "\n", "fr")[1]
