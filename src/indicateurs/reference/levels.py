"""The territorial levels, named once: every page, export and message takes its words from here.

>>> name("epci"), title("departement"), plural("region"), of("epci")
('EPCI', 'Département', 'régions', "de l'EPCI")
>>> parents("commune")
('epci', 'departement', 'region')
>>> [lv.id for lv in LEVELS if lv.has_geometry]
['commune', 'epci', 'departement', 'region']
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "LEVELS",
    "LEVEL_IDS",
    "NAMES",
    "PLURALS",
    "TITLES",
    "Level",
    "get_level",
    "name",
    "of",
    "parents",
    "plural",
    "title",
]


@dataclass(frozen=True)
class Level:
    """One level: its id in the base and its French words."""

    id: str
    name: str  # in a sentence: "commune", "EPCI", "département"
    title: str  # at the start of a label or a column: "Commune", "Département"
    plural: str  # "communes", "EPCI" (an acronym takes no s in French)
    of: str  # "de la commune", "de l'EPCI", "du département"
    parents: tuple[str, ...]  # the levels above, nearest first (France aside)
    has_geometry: bool  # drawn on a map from a boundaries file


LEVELS: tuple[Level, ...] = (
    Level(
        "commune", "commune", "Commune", "communes", "de la commune", ("epci", "departement", "region"), True
    ),
    Level("epci", "EPCI", "EPCI", "EPCI", "de l'EPCI", ("departement", "region"), True),
    Level("departement", "département", "Département", "départements", "du département", ("region",), True),
    Level("region", "région", "Région", "régions", "de la région", (), True),
    Level("france", "France", "France", "France", "de France", (), False),
)
"""From the smallest to the largest: the order of the base, the build report and the exports."""

LEVEL_IDS: tuple[str, ...] = tuple(lv.id for lv in LEVELS)
_BY_ID = {lv.id: lv for lv in LEVELS}
NAMES: dict[str, str] = {lv.id: lv.name for lv in LEVELS}
TITLES: dict[str, str] = {lv.id: lv.title for lv in LEVELS}
PLURALS: dict[str, str] = {lv.id: lv.plural for lv in LEVELS}


def get_level(level: str) -> Level:
    """The level `level`; a ValueError naming the known ids otherwise."""
    try:
        return _BY_ID[level]
    except KeyError:
        raise ValueError(f"Niveau inconnu : {level!r} (niveaux : {', '.join(LEVEL_IDS)}).") from None


def name(level: str) -> str:
    """'epci' -> 'EPCI', 'departement' -> 'département'."""
    return get_level(level).name


def title(level: str) -> str:
    """'commune' -> 'Commune'."""
    return get_level(level).title


def plural(level: str) -> str:
    """'commune' -> 'communes', 'epci' -> 'EPCI'."""
    return get_level(level).plural


def of(level: str) -> str:
    """'epci' -> "de l'EPCI", 'departement' -> 'du département'."""
    return get_level(level).of


def parents(level: str) -> tuple[str, ...]:
    """The levels above `level`, nearest first, France excluded."""
    return get_level(level).parents
