"""The figure behind an enjeu: value, rank, source and millésime of an indicator for a territory."""

from __future__ import annotations

import math
from typing import NamedTuple

import pandas as pd

from indicateurs.analysis.scores import fragility_rank
from indicateurs.reference.catalogue import get_source
from indicateurs.reference.levels import NAMES, PLURALS
from indicateurs.reference.registry import format_value, get_indicator
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


def evidence_for(
    wide: pd.DataFrame, indicator_id: str, level: str, code: str, sens: str = "appuie"
) -> Evidence:
    """Snapshot of `indicator_id` for territory `code` in `wide` (base.wide(level): index = codes).

    Rank 1 is the most fragile territory of the level (highest value when the indicator's direction is
    1, lowest when it is -1, highest for context indicators); missing values give no rank.
    """
    ind = get_indicator(indicator_id)
    value = None
    rank = total = None
    if indicator_id in wide.columns:
        column = pd.to_numeric(wide[indicator_id], errors="coerce").dropna()
        total = int(column.size) or None
        if str(code) in column.index:
            value = float(column.loc[str(code)])
            rank = int(fragility_rank(column, ind.direction).loc[str(code)])
    return Evidence(
        indicator_id=ind.id,
        sens=sens,
        value=value,
        rank=rank,
        rank_total=total,
        source=ind.source,
        millesime=ind.millesime,
        level=level,
        code=str(code),
    )


def source_label(source: str, millesime: str) -> str:
    """The catalogue's short citation with the millésime, for a source id; the raw text otherwise."""
    try:
        entry = get_source(source)
    except (KeyError, ValueError):
        return f"{source} ({millesime})"
    return f"{entry.citation} ({millesime})"


def _label(indicator_id: str) -> str:
    try:
        return get_indicator(indicator_id).label
    except ValueError:
        return indicator_id


def _value(ev: Evidence) -> str:
    try:
        return format_value(None if _is_missing(ev.value) else ev.value, ev.indicator_id)
    except ValueError:
        return "donnée non disponible" if _is_missing(ev.value) else f"{ev.value:g}"


def describe_evidence(ev: Evidence) -> str:
    """'Part des 65 ans et plus : 31,2 % (rang 12 sur 1 254 EPCI, 1 = le plus fragile) — source …, niveau EPCI'."""
    rank = ""
    if ev.rank is not None and ev.rank_total:
        plural = PLURALS.get(ev.level, ev.level)
        try:
            direction = get_indicator(ev.indicator_id).direction
        except ValueError:
            direction = 1
        meaning = "1 = le plus fragile" if direction else "1 = la valeur la plus élevée"
        rank = f" (rang {ev.rank} sur {format_number(ev.rank_total)} {plural}, {meaning})"
    where = "France" if ev.level == "france" else f"{NAMES.get(ev.level, ev.level)} {ev.code}"
    return (
        f"{_label(ev.indicator_id)} : {_value(ev)}{rank} — source : {source_label(ev.source, ev.millesime)}, "
        f"niveau {where}"
    )


def key_figures(wide: pd.DataFrame, level: str, code: str, indicator_ids: list[str]) -> list[KeyFigure]:
    """Formatted key figures of one territory (for the exported feuille de route)."""
    out = []
    for indicator_id in indicator_ids:
        ev = evidence_for(wide, indicator_id, level, code)
        value = _value(ev)
        if ev.rank is not None and ev.rank_total:
            value += f" (rang {ev.rank}/{ev.rank_total})"
        ind = get_indicator(indicator_id)
        out.append(KeyFigure(ind.label, value, source_label(ind.source, ind.millesime), ind.millesime))
    return out
