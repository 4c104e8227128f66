"""One source is one series whatever the language or the spelling; populations likewise."""

from __future__ import annotations

import datetime as dt

from bot.core.models import Casualty
from bot.core.tally import SeriesBook, figures_of, identity_of, population_of
from bot.core.tally_moves import source_label

SEED = ("Le ministère de la Santé du gouvernement basé à Tripoli a déclaré dans un communiqué qu'au moins 21 "
        "personnes avaient été tuées et au moins 27 blessées, tandis que le porte-parole des forces de Haftar, "
        "Ahmed al-Mesmari, a fait état samedi que 14 soldats tués depuis le début de l'offensive.")


def key(reported_by: str, evidence: str = "") -> str:
    return identity_of(Casualty("a", killed=1, reported_by=reported_by, evidence=evidence))[0]


def test_one_health_ministry_in_two_languages() -> None:
    fr = key("ministère de la Santé du gouvernement basé à Tripoli", SEED)
    # The extractor may keep only the name after "of": the words before it say whose body it is.
    en = key("UN-backed GNA", "The health ministry of the UN-backed GNA said 47 people had been killed.")
    assert fr == en == key("health ministry of the UN-backed GNA") == key("Libyan Ministry of Health")
    assert source_label(fr, "UN-backed GNA", None, "en") == "health ministry"
    assert source_label(fr, None, None, "fr") == "ministère de la Santé"
    # A body that merely backs the name is not the source: "the UN-backed GNA" alone is the GNA.
    assert key("UN-backed GNA", "The UN-backed GNA said 47 people had been killed.") != key("UN")


def test_who_by_any_name() -> None:
    assert key("OMS") == key("WHO") == key("World Health Organization") == key("l'Organisation mondiale de la santé")
    assert key("OMS") != key("ministère de la Santé")


def test_a_named_spokesman_is_the_side_he_speaks_for() -> None:
    named = key("Ahmed al-Mesmari", SEED)
    assert named == key("LNA spokesman Ahmed al-Mesmari") == key("porte-parole de l'ANL") == key("LNA")
    assert key("a spokesman", "A spokesman said 14 died.") != named  # no side named: not merged


def test_the_same_person_named_alone_later_joins_his_series() -> None:
    day = dt.date(2019, 4, 8)
    tied = figures_of(Casualty("a", killed=14, victims="soldats", reported_by="Ahmed al-Mesmari", evidence=SEED),
                      date=day, scope="s")
    alone = figures_of(Casualty("b", killed=19, victims="of its soldiers", reported_by="al-Mesmari",
                                evidence="Al-Mesmari said 19 of its soldiers had been killed."),
                       date=day + dt.timedelta(days=1), scope="s", seq=1)
    book = SeriesBook([*tied, *alone])
    [series] = book.series
    assert [f.value for f in series.figures] == [14, 19] and series.key.population == "soldiers"


def test_populations() -> None:
    assert population_of("of its soldiers") == population_of("soldiers") == population_of("soldats") == "soldiers"
    assert population_of("morts parmi les soldats") == "soldiers"
    assert population_of("personnes, y compris un médecin") == population_of("people, including civilians") == ""
    assert population_of("civils") == population_of("civilians") == "civilians"
