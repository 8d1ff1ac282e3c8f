"""Input checks shared by the scores modules: clear French errors with close matches."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import pandas as pd

from indicateurs.reference.levels import PLURALS
from indicateurs.reference.registry import Indicator, get_indicator
from indicateurs.reference.text import did_you_mean, suggest


def hint(value: str, choices: Iterable[str]) -> str:
    """The scores' suggestion: a looser cutoff (0.5), as column and level names are short."""
    return did_you_mean(value, choices, cutoff=0.5)


def check_code(wide: pd.DataFrame, code: str) -> str:
    """`code` as a string present in `wide.index`; a ValueError naming close codes or names otherwise."""
    code = str(code)
    if code in wide.index:
        return code
    choices = list(wide.index.astype(str))
    close = difflib.get_close_matches(code, choices, n=3, cutoff=0.6)
    if not close and "nom" in wide.columns:  # the user may have typed a name
        names = wide["nom"].astype(str)
        by_name = difflib.get_close_matches(code, list(names), n=3, cutoff=0.6)
        close = [f"{c} ({n})" for c, n in names[names.isin(by_name)].items()][:3]
    elif close and "nom" in wide.columns:
        close = [f"{c} ({wide.at[c, 'nom']})" for c in close]
    raise ValueError(f"Territoire inconnu : {code!r}.{suggest(close)}")


def check_level(level: str) -> str:
    if level not in PLURALS:
        raise ValueError(f"Niveau inconnu : {level!r}.{hint(level, PLURALS)}")
    return level


def level_label(level_or_label: str) -> str:
    """'epci' -> 'EPCI', 'commune' -> 'communes' (a label such as 'communes' is accepted as is);
    a ValueError with close matches otherwise."""
    if level_or_label in PLURALS:
        return PLURALS[level_or_label]
    if level_or_label in PLURALS.values():
        return level_or_label
    choices = [*PLURALS, *PLURALS.values()]
    raise ValueError(f"Niveau inconnu : {level_or_label!r}.{hint(level_or_label, choices)}")


def check_indicator(wide: pd.DataFrame, indicator_id: str, *, oriented: bool = False) -> Indicator:
    """The registry entry of a column of `wide`; ValueError if unknown, absent or without direction."""
    ind = get_indicator(indicator_id)  # ValueError with close matches if not in the registry
    if indicator_id not in wide.columns:
        columns = [c for c in wide.columns if c != "nom"]
        raise ValueError(
            f"L'indicateur {indicator_id!r} n'est pas disponible à ce niveau.{hint(indicator_id, columns)}"
        )
    if oriented and ind.direction == 0:
        raise ValueError(
            f"L'indicateur {indicator_id!r} ({ind.short}) est un indicateur de contexte sans sens de "
            "fragilité : il ne peut pas entrer dans un indice."
        )
    return ind


def check_indicators(
    wide: pd.DataFrame, indicators: Sequence[str], *, oriented: bool = False
) -> list[Indicator]:
    if isinstance(indicators, str):
        indicators = [indicators]
    if not indicators:
        raise ValueError("Choisissez au moins un indicateur.")
    if len(set(indicators)) != len(indicators):
        raise ValueError("Un indicateur est choisi deux fois.")
    return [check_indicator(wide, i, oriented=oriented) for i in indicators]


def group_series(wide: pd.DataFrame, groups: pd.Series | str | None) -> pd.Series | None:
    """Group codes (e.g. région) aligned on `wide.index`, from a Series or a column name of `wide`."""
    if groups is None:
        return None
    if isinstance(groups, str):
        if groups not in wide.columns:
            raise ValueError(f"Colonne de regroupement inconnue : {groups!r}.{hint(groups, wide.columns)}")
        groups = wide[groups]
    return groups.reindex(wide.index)


def region_codes(territories: pd.DataFrame, level: str) -> pd.Series:
    """Région code of every territory of `level`, indexed by code: the `region=` / `within=` argument."""
    check_level(level)
    rows = territories[territories["level"] == level]
    return rows.set_index(rows["code"].astype(str))["region"].rename("region")
