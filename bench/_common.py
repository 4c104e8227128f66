"""Shared helpers for the benchmark scripts: repo root on sys.path, machine facts, generated text.

Imported first by every `bench/bench_*.py` (they are run as `python bench/NAME.py` from the repo
root, so this folder is on sys.path and the repo root is put there too). Nothing here touches the
network; every generator is seeded so two runs build the same data.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# --- the machine ---------------------------------------------------------------------------------

def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_total() -> str:
    if shutil.which("free"):
        try:
            out = subprocess.run(["free", "-h"], capture_output=True, text=True, timeout=5).stdout
            for line in out.splitlines():
                if line.startswith("Mem:"):
                    return line.split()[1]
        except (OSError, subprocess.SubprocessError):
            pass
    return "unknown"


def machine() -> dict[str, str]:
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "nproc": str(os.cpu_count() or "?"),
        "memory": memory_total(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "os": f"{platform.system()} {platform.release()}",
    }


def byte_compiled() -> None:
    """Byte-compile the bot's modules into their `__pycache__` (ignored by git), as an installed package
    has them: the child processes a bench times then load them instead of compiling every module on every
    run (0.2-0.4 s of `run --once`'s start-up), which they do when `PYTHONDONTWRITEBYTECODE` is set, as on some
    machines, or in a fresh checkout whose folders they cannot write."""
    import compileall

    compileall.compile_dir(ROOT / "bot", quiet=1)


def print_header(title: str, settings: dict[str, object]) -> None:
    m = machine()
    print(f"== {title}")
    print(f"   machine: {m['cpu']}, {m['nproc']} cores, {m['memory']} RAM, {m['os']}")
    print(f"   python {m['python']}, sqlite {m['sqlite']}, {m['date']}")
    print("   settings: " + ", ".join(f"{k}={v}" for k, v in settings.items()))


def row(label: str, value: str) -> None:
    print(f"   {label:<44} {value}")


# --- timing --------------------------------------------------------------------------------------

@contextmanager
def timer() -> Iterator[list[float]]:
    """`with timer() as t: ...` then `t[0]` is the elapsed wall time in seconds."""
    box = [0.0]
    start = time.perf_counter()
    try:
        yield box
    finally:
        box[0] = time.perf_counter() - start


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty sequence: the ceil(p/100 * n)-th smallest."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[k]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# --- generated news text -------------------------------------------------------------------------
# Words are drawn at random from fairly large pools so that two generated articles share almost no
# 5-word shingles (the near-duplicate grouper must not merge them into one story).

PLACES = (
    "Tripoli", "Benghazi", "Misrata", "Sirte", "Derna", "Sabha", "Zawiya", "Gharyan", "Tobruk", "Ajdabiya",
    "Khartoum", "Omdurman", "El Fasher", "Nyala", "Kassala", "Port Sudan", "Wad Madani", "El Obeid",
    "Bamako", "Gao", "Kidal", "Mopti", "Tombouctou", "Niamey", "Agadez", "Goma", "Bunia", "Beni",
    "Kharkiv", "Bakhmut", "Avdiivka", "Kherson", "Zaporizhzhia", "Pokrovsk", "Marioupol", "Odessa",
    "Gaza", "Rafah", "Khan Younis", "Jenin", "Naplouse", "Beyrouth", "Tyr", "Saïda", "Alep", "Idlib",
)
SPEAKERS = (
    ("Abdulhamid Dbeibah", "Prime Minister", "Premier ministre"),
    ("Khalifa Haftar", "field marshal", "maréchal"),
    ("Abdel Fattah al-Burhan", "army chief", "chef de l'armée"),
    ("Mohamed Hamdan Dagalo", "RSF commander", "commandant des FSR"),
    ("António Guterres", "UN Secretary-General", "secrétaire général de l'ONU"),
    ("Stephanie Williams", "UN envoy", "envoyée de l'ONU"),
    ("Volodymyr Zelensky", "President", "président"),
    ("Emmanuel Macron", "President", "président"),
    ("Jean-Noël Barrot", "foreign minister", "ministre des Affaires étrangères"),
    ("a health ministry spokesman", None, None),
    ("Ahmed al-Mismari", "army spokesman", "porte-parole de l'armée"),
    ("Assimi Goïta", "transitional president", "président de la transition"),
)
REPORTERS_EN = ("the health ministry", "the Red Crescent", "local officials", "the UN", "MSF", "a hospital director",
                "the civil defence", "witnesses", "the army", "the emergency services")
REPORTERS_FR = ("le ministère de la Santé", "le Croissant-Rouge", "les autorités locales", "l'ONU", "MSF",
                "un directeur d'hôpital", "la défense civile", "des témoins", "l'armée", "les secours")
VICTIMS_EN = ("civilians", "people", "soldiers", "fighters", "children", "migrants", "police officers")
VICTIMS_FR = ("civils", "personnes", "soldats", "combattants", "enfants", "migrants", "policiers")
ACTIONS = ("offensive", "clashes", "resumed", "halted", "advance", "withdrawal", "airstrike", "shelling",
           "ceasefire", "other")
ACTORS = ("LNA", "GNU forces", "SAF", "RSF", "Wagner", "FAMa", "JNIM", "M23", "FARDC", "IDF", "Hamas",
          "Hezbollah", "Ukrainian forces", "Russian forces", "tribal militias")

_EN = ("government", "council", "residents", "convoy", "militia", "negotiators", "hospital", "airport", "bridge",
       "market", "district", "province", "border", "checkpoint", "drone", "artillery", "power", "water", "fuel",
       "supplies", "refugees", "camp", "port", "talks", "sanctions", "parliament", "election", "budget", "bank",
       "oil", "field", "pipeline", "road", "village", "school", "mosque", "church", "clinic", "volunteers",
       "journalists", "curfew", "protest", "strike", "price", "bread", "flour", "electricity", "network", "cable",
       "ceasefire", "truce", "mediators", "delegation", "summit", "envoy", "mission", "peacekeepers", "battalion",
       "brigade", "command", "headquarters", "warehouse", "aid", "agency", "donors", "pledge", "loan", "reform",
       "court", "judge", "prisoners", "exchange", "hostages", "release", "deadline", "statement", "report",
       "night", "morning", "week", "month", "season", "rains", "flood", "heat", "dust", "storm", "desert", "coast")
_EN_V = ("said", "warned", "reported", "denied", "confirmed", "announced", "rejected", "accepted", "called for",
         "blocked", "reopened", "closed", "shelled", "captured", "lost", "evacuated", "rebuilt", "delayed",
         "approved", "suspended", "resumed", "extended", "criticised", "welcomed", "demanded", "promised")
_EN_F = ("the", "a", "its", "their", "new", "old", "northern", "southern", "eastern", "western", "central",
         "main", "second", "last", "first", "local", "regional", "national", "foreign", "rival", "key", "damaged")
_FR = ("gouvernement", "conseil", "habitants", "convoi", "milice", "négociateurs", "hôpital", "aéroport", "pont",
       "marché", "quartier", "province", "frontière", "barrage", "drone", "artillerie", "courant", "eau",
       "carburant", "vivres", "réfugiés", "camp", "port", "pourparlers", "sanctions", "parlement", "élection",
       "budget", "banque", "pétrole", "champ", "oléoduc", "route", "village", "école", "mosquée", "église",
       "dispensaire", "bénévoles", "journalistes", "couvre-feu", "manifestation", "grève", "prix", "pain",
       "farine", "électricité", "réseau", "câble", "trêve", "médiateurs", "délégation", "sommet", "émissaire",
       "mission", "casques bleus", "bataillon", "brigade", "état-major", "entrepôt", "aide", "agence",
       "donateurs", "promesse", "prêt", "réforme", "tribunal", "juge", "prisonniers", "échange", "otages",
       "libération", "délai", "communiqué", "rapport", "nuit", "matinée", "semaine", "mois", "saison", "pluies",
       "crue", "chaleur", "poussière", "tempête", "désert", "côte")
_FR_V = ("a déclaré", "a averti", "a signalé", "a démenti", "a confirmé", "a annoncé", "a rejeté", "a accepté",
         "a réclamé", "a bloqué", "a rouvert", "a fermé", "a bombardé", "a pris", "a perdu", "a évacué",
         "a reconstruit", "a retardé", "a approuvé", "a suspendu", "a repris", "a prolongé", "a critiqué",
         "a salué", "a exigé", "a promis")
_FR_F = ("le", "la", "les", "un", "une", "son", "leur", "nouveau", "ancien", "du nord", "du sud", "de l'est",
         "de l'ouest", "central", "principal", "second", "dernier", "premier", "local", "régional", "national",
         "étranger", "rival", "endommagé")


def _sentence(rng: random.Random, lang: str) -> str:
    nouns, verbs, fill = (_FR, _FR_V, _FR_F) if lang == "fr" else (_EN, _EN_V, _EN_F)
    place = rng.choice(PLACES)
    words = [rng.choice(fill), rng.choice(nouns), rng.choice(verbs), rng.choice(fill), rng.choice(nouns)]
    if rng.random() < 0.6:
        words += ["à" if lang == "fr" else "in", place]
    words += [rng.choice(fill), rng.choice(nouns), str(rng.randint(2, 2000))]
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def fact_sentence(rng: random.Random, lang: str) -> str:
    """A sentence with a figure, a place or a quote, as an extractor would look for."""
    place = rng.choice(PLACES)
    n = rng.randint(1, 250)
    kind = rng.randrange(3)
    if lang == "fr":
        if kind == 0:
            return (f"Au moins {n} {rng.choice(VICTIMS_FR)} ont été tués à {place}, selon "
                    f"{rng.choice(REPORTERS_FR)}, qui fait aussi état de {rng.randint(0, 400)} blessés.")
        if kind == 1:
            return f"De violents combats ont opposé {rng.choice(ACTORS)} et {rng.choice(ACTORS)} près de {place}."
        name, _, role = rng.choice(SPEAKERS)
        return f"« Nous ne céderons pas à {place} », a déclaré {name}{', ' + role if role else ''}."
    if kind == 0:
        return (f"At least {n} {rng.choice(VICTIMS_EN)} were killed in {place}, {rng.choice(REPORTERS_EN)} said, "
                f"adding that {rng.randint(0, 400)} were wounded.")
    if kind == 1:
        return f"Heavy clashes broke out between {rng.choice(ACTORS)} and {rng.choice(ACTORS)} near {place}."
    name, role, _ = rng.choice(SPEAKERS)
    return f"\"We will not give up {place},\" said {name}{', ' + role if role else ''}."


def article_text(rng: random.Random, lang: str, *, sentences: int = 10) -> tuple[str, str]:
    """(title, text) of a generated article in `lang` ("en" or "fr"), about 700-1000 characters."""
    title = _sentence(rng, lang)[:-1]
    body = [_sentence(rng, lang) for _ in range(sentences)]
    for _ in range(2):
        body.insert(rng.randrange(len(body) + 1), fact_sentence(rng, lang))
    return title, " ".join(body)


def peak_rss_kib() -> int:
    """This process's peak resident set size in KiB (VmHWM from /proc, else getrusage)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
