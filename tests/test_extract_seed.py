"""The seed article (seeds/ in this repository) gives exactly the alerts a careful reader files."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.extract import extract_alerts
from bot.core.models import Casualty, Fighting, Statement
from bot.ingest.files import read_articles
from tests.conftest import SEEDS

SEED = SEEDS / "000_eb2ed1d0cd4a9010.txt"


@pytest.fixture(scope="module")
def alerts() -> list[Statement | Fighting | Casualty]:
    (article,) = list(read_articles(SEED))
    return extract_alerts(article)


def test_statement_by_pompeo(alerts: list[Statement | Fighting | Casualty]) -> None:
    pompeo = [a for a in alerts if isinstance(a, Statement) and "Pompeo" in a.speaker]
    assert len(pompeo) == 1
    s = pompeo[0]
    assert s.speaker == "Mike Pompeo"
    assert s.speaker_role == "secrétaire d'Etat"
    assert s.date == dt.date(2019, 4, 7)
    assert s.direct
    assert s.quote.startswith("Nous avons clairement indiqué")
    # "a-t-il ajouté" and "le chef de la diplomatie américaine" are Pompeo, not new speakers
    speakers = {a.speaker for a in alerts if isinstance(a, Statement)}
    assert not any("diplomatie" in sp or "secrétaire" in sp for sp in speakers)


def test_only_expected_speakers(alerts: list[Statement | Fighting | Casualty]) -> None:
    speakers = {a.speaker for a in alerts if isinstance(a, Statement)}
    allowed = {"Mike Pompeo", "Washington", "Ahmed al-Mesmari",
               "Conseil de sécurité des Nations unies et les ministres du G7",
               "ministère de la Santé du gouvernement basé à Tripoli"}
    assert "Mike Pompeo" in speakers
    assert speakers <= allowed


def test_fighting_at_tripoli(alerts: list[Statement | Fighting | Casualty]) -> None:
    fights = [a for a in alerts if isinstance(a, Fighting)]
    assert [f.location for f in fights] == ["Tripoli"]
    f = fights[0]
    assert f.date == dt.date(2019, 4, 7)
    assert f.place is not None and f.place.country == "Libya"
    joined = " ".join(f.actors)
    assert "ANL" in joined and "GNA" in joined


def test_casualties(alerts: list[Statement | Fighting | Casualty]) -> None:
    got = {(c.killed, c.wounded, c.qualifier, c.reported_by, c.since)
           for c in alerts if isinstance(c, Casualty)}
    assert got == {
        (35, None, "at_least", None, dt.date(2019, 4, 4)),
        (21, 27, "at_least", "ministère de la Santé du gouvernement basé à Tripoli", None),
        (14, None, "exact", "Ahmed al-Mesmari", None),
    }
