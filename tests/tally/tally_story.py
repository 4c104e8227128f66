"""Shared pieces of the tally tests: a story of real-looking articles, a test extractor, a recording
chat adapter and a story grouper that files every article of the test under one story."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.chat.base import Posted
from bot.core.models import Alert, Article, Casualty, Message
from bot.store import Store

D = dt.date

# A story told over five articles, from four outlets, in two languages.
ARTICLES = [
    Article(
        id="afp-1", source="afp", outlet="AFP", lang="fr", published=D(2019, 4, 6),
        title="Libye : au moins 35 morts dans les combats près de Tripoli",
        text="Au moins 35 personnes, dont des civils, ont été tuées depuis jeudi dans les combats au sud de "
             "Tripoli, où les forces du maréchal Haftar tentent de percer vers la capitale.",
    ),
    Article(
        id="lemonde-1", source="lemonde", outlet="Le Monde", lang="fr", published=D(2019, 4, 7),
        title="Libye : le bilan des combats autour de Tripoli s'alourdit",
        text="Le bilan des affrontements autour de Tripoli s'est alourdi à 47 morts depuis jeudi, selon un "
             "décompte établi dimanche soir à partir des hôpitaux de la capitale.",
    ),
    Article(
        id="reuters-1", source="reuters", outlet="Reuters", lang="en", published=D(2019, 4, 7),
        title="Libya: Tripoli government and Haftar give differing tolls",
        text="The health ministry of the Tripoli-based government said 21 people, including a doctor, had been "
             "killed and 27 wounded. Haftar's spokesman Ahmed al-Mesmari said 14 soldiers had been killed since "
             "the start of the offensive.",
    ),
    Article(
        # Le Monde corrects its own count: another outlet's lower number would be an older report, no correction
        id="ap-1", source="lemonde", outlet="Le Monde", lang="en", published=D(2019, 4, 8),
        title="Libya fighting: death toll revised to 45",
        text="The death toll of the fighting south of Tripoli since Thursday was revised down to 45 after two "
             "bodies were found to have been counted twice.",
    ),
    Article(
        id="rfi-1", source="rfi", outlet="RFI", lang="fr", published=D(2019, 4, 8),
        title="Libye : 45 morts depuis le début de l'offensive sur Tripoli",
        text="Au moins 45 personnes ont été tuées depuis jeudi dans l'offensive sur Tripoli.",
    ),
]

THURSDAY = D(2019, 4, 4)

# What a careful extractor files from each article (the real one is built elsewhere).
FIGURES: dict[str, list[Casualty]] = {
    "afp-1": [Casualty("afp-1", killed=35, qualifier="at_least", victims="personnes", since=THURSDAY,
                       location="Tripoli", evidence=ARTICLES[0].text)],
    "lemonde-1": [Casualty("lemonde-1", killed=47, victims="morts", since=THURSDAY, location="Tripoli",
                           evidence=ARTICLES[1].text)],
    "reuters-1": [
        Casualty("reuters-1", killed=21, wounded=27, qualifier="exact", victims="people",
                 reported_by="Tripoli health ministry", evidence=ARTICLES[2].text),
        Casualty("reuters-1", killed=14, victims="soldiers", reported_by="Ahmed al-Mesmari",
                 evidence=ARTICLES[2].text),
    ],
    "ap-1": [Casualty("ap-1", killed=45, victims="dead", since=THURSDAY, evidence=ARTICLES[3].text)],
    "rfi-1": [Casualty("rfi-1", killed=45, qualifier="at_least", victims="personnes", since=THURSDAY,
                       evidence=ARTICLES[4].text)],
}


def extract_figures(article: Article) -> list[Alert]:
    """The deterministic test extractor."""
    return list(FIGURES.get(article.id, []))


class OneStory:
    """Files every article under one story (the real grouper is built elsewhere)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.story_id: int | None = None

    def story_for(self, article: Article, article_id: int) -> int:
        if self.story_id is None:
            self.story_id = self.store.new_story("Offensive on Tripoli", topic="libya")
        self.store.attach_to_story(article_id, self.story_id)
        return self.story_id


@dataclass
class Recorder:
    """A chat adapter that records what it is asked to do."""

    name: str = "slack"
    shows_images: bool = True
    calls: list[tuple[str, str, str | None, Message]] = field(default_factory=list)
    n: int = 0

    def _id(self) -> str:
        self.n += 1
        return f"m{self.n}"

    async def post(self, channel: str, message: Message) -> Posted:
        mid = self._id()
        self.calls.append(("post", channel, mid, message))
        return Posted(channel, mid)

    async def reply(self, channel: str, thread_id: str, message: Message) -> Posted:
        self.calls.append(("reply", channel, thread_id, message))
        return Posted(channel, self._id())

    async def edit(self, channel: str, message_id: str, message: Message) -> None:
        self.calls.append(("edit", channel, message_id, message))
