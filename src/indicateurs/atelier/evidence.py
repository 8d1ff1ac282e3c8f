"""The figure behind an enjeu: value, rank, source and millésime of an indicator for a territory."""

from __future__ import annotations

import math
from typing import NamedTuple

import pandas as pd

from indicateurs.analysis.scores import fragility_rank
from indicateurs.reference.catalogue import find_source
from indicateurs.reference.levels import PLURALS, of
from indicateurs.reference.registry import Indicator, format_value, get_indicator, registry_of
from indicateurs.reference.text import format_number

from .records import Evidence

__all__ = ["KeyFigure", "describe_evidence", "evidence_for", "key_figures", "source_label"]


class KeyFigure(NamedTuple):
    """One line of the feuille de route's key figures, already formatted."""

    label: str
    value: str
    source: str
    millesime: str


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _entry(indicator_id: str, base=None, source: str | None = None) -> Indicator:
    """The registry entry that describes a figure: the base's (`Base.indicator`: the mode it was
    built in); for a stored enjeu without its base, the entry of the mode whose source it records."""
    if base is not None:
        return registry_of(base).get(indicator_id)
    if source is not None:
        for mode in ("courants", "figes"):
            ind = get_indicator(indicator_id, mode=mode)
            if ind.source == source:
                return ind
    return get_indicator(indicator_id)


def evidence_for(
    wide: pd.DataFrame, indicator_id: str, level: str, code: str, sens: str = "appuie", base=None
) -> Evidence:
    """Snapshot of `indicator_id` for territory `code` in `wide` (base.wide(level): index = codes).

    Rank 1 is the most fragile territory of the level (highest value when the indicator's direction is
    1, lowest when it is -1, highest for context indicators); missing values give no rank.
    `base`: the base `wide` comes from: its registry (labels, sources of its mode).
    """
    ind = _entry(indicator_id, base)
    value = None
    rank = total = None
    if indicator_id in wide.columns:
        column = pd.to_numeric(wide[indicator_id], errors="coerce").dropna()
        total = int(column.size) or None
        if str(code) in column.index:
            value = float(column.loc[str(code)])
            rank = int(fragility_rank(column, ind.direction).loc[str(code)])
    source, millesime = ind.source, ind.millesime
    if callable(getattr(base, "millesime", None)) and callable(getattr(base, "source_entry", None)):
        # the vintage of the value this base holds, and the source it carries (not the registry's)
        millesime = base.millesime(indicator_id, level, str(code))
        source = base.source_entry(indicator_id, level).id
    return Evidence(
        indicator_id=ind.id,
        sens=sens,
        value=value,
        rank=rank,
        rank_total=total,
        source=source,
        millesime=millesime,
        level=level,
        code=str(code),
    )


def source_label(source: str, millesime: str) -> str:
    """The catalogue's short citation with the millésime, for a source id; the raw text otherwise."""
    try:
        entry = find_source(source)  # a source of either catalogue (the base's mode may not be the process's)
    except (KeyError, ValueError):
        return f"{source} ({millesime})"
    return f"{entry.citation} ({millesime})"


def _label(indicator_id: str, source: str | None = None) -> str:
    try:
        return _entry(indicator_id, source=source).label
    except ValueError:
        return indicator_id


def _value(ev: Evidence) -> str:
    try:
        return format_value(None if _is_missing(ev.value) else ev.value, ev.indicator_id)
    except ValueError:
        return "donnée non disponible" if _is_missing(ev.value) else f"{ev.value:g}"


def describe_evidence(ev: Evidence, territory: str = "") -> str:
    """'Part des 65 ans et plus : 31,2 % (rang 12 sur 1 254 EPCI, 1 = le plus fragile) — source : …,
    chiffre de l'EPCI CA du Pays Basque': the territory by its name (a participant does not read codes)."""
    rank = ""
    if ev.rank is not None and ev.rank_total:
        plural = PLURALS.get(ev.level, ev.level)
        try:
            direction = get_indicator(ev.indicator_id).direction
        except ValueError:
            direction = 1
        meaning = "1 = le plus fragile" if direction else "1 = la valeur la plus élevée"
        rank = f" (rang {format_number(ev.rank)} sur {format_number(ev.rank_total)} {plural}, {meaning})"
    if ev.level == "france":
        where = "chiffre national"
    else:
        try:
            where = f"chiffre {of(ev.level)}"
        except ValueError:
            where = f"chiffre du niveau {ev.level}"
        if territory:
            where += f" {territory}"
    return f"{_label(ev.indicator_id, ev.source)} : {_value(ev)}{rank} — source : {source_label(ev.source, ev.millesime)}, {where}"


def key_figures(
    wide: pd.DataFrame, level: str, code: str, indicator_ids: list[str], base=None
) -> list[KeyFigure]:
    """Formatted key figures of one territory (for the exported feuille de route); `base`: the base
    `wide` comes from (its registry's labels)."""
    out = []
    for indicator_id in indicator_ids:
        ev = evidence_for(wide, indicator_id, level, code, base=base)
        value = _value(ev)
        if ev.rank is not None and ev.rank_total:
            value += f" (rang {format_number(ev.rank)}/{format_number(ev.rank_total)})"
        ind = _entry(indicator_id, base, ev.source)
        out.append(KeyFigure(ind.label, value, source_label(ev.source, ev.millesime), ev.millesime))
    return out
