"""Open composite index and ranks: every figure traceable to the raw rates (map classes: `analysis.classify`)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicateurs.analysis.scores._checks import check_indicator, check_indicators, group_series
from indicateurs.reference.registry import get_indicator, list_indicators

__all__ = [
    "CompositeResult",
    "composite_index",
    "default_composite_indicators",
    "fragility_percentiles",
    "fragility_rank",
    "ifn_classe_nationale",
    "ranks",
    "required_inputs",
]


def default_composite_indicators(wide: pd.DataFrame | None = None) -> list[str]:
    """Registry indicators flagged `composite = true` (those present in `wide`, if given)."""
    ids = [i.id for i in list_indicators() if i.composite]
    return [i for i in ids if wide is None or i in wide.columns]


def fragility_rank(values: pd.Series, direction: int = 1, groups: pd.Series | None = None) -> pd.Series:
    """THE rank of the atlas (profile, comparison, workshop evidence, map tooltips): 1 = most fragile.

    Highest value first when `direction` is 1 or 0 (context indicators, and scores where higher means
    more fragile), lowest first when -1; ties share the best rank ("3, 3, 5"); a missing value gets no
    rank (NA, never 0). `groups` (e.g. région codes) ranks within each group.

    >>> fragility_rank(pd.Series([0.2, 0.5, None, 0.5])).tolist()
    [3, 1, <NA>, 1]
    >>> fragility_rank(pd.Series([0.9, 0.5]), direction=-1).tolist()
    [2, 1]
    """
    numeric = _for_ranking(pd.to_numeric(values, errors="coerce"))  # float noise never splits a tie
    oriented = numeric * (-1.0 if direction == -1 else 1.0)
    if groups is None:
        rank = oriented.rank(method="min", ascending=False)
    else:
        rank = (
            oriented.groupby(groups, dropna=True).rank(method="min", ascending=False).reindex(oriented.index)
        )
    return rank.astype("Int64")


# Ranks compare values rounded to this many decimals: floating-point noise (0.16 vs
# 0.16000000000000003) must not split ties; real differences between rates are far larger.
RANK_DECIMALS = 9


def _for_ranking(values: pd.Series) -> pd.Series:
    return values.astype(float).round(RANK_DECIMALS)


def required_inputs(n_indicators: int) -> int:
    """Inputs a territory needs for a score: the registry's `min_inputs` of the default set (4 of 6),
    in proportion for another selection (2 of 3), never fewer than 1."""
    ind = get_indicator("indice_composite")
    n_default = len(default_composite_indicators()) or 1
    if not ind.min_inputs:
        return 1
    return max(1, min(n_indicators, math.ceil(ind.min_inputs * n_indicators / n_default)))


def _percentile(values: pd.Series) -> pd.Series:
    """0 = lowest, 100 = highest; the share of the *other* ranked territories below (ties count half)."""
    n = values.notna().sum()
    if n == 0:
        return pd.Series(np.nan, index=values.index, dtype=float)
    if n == 1:
        return values.where(values.isna(), 50.0).astype(float)
    return (values.rank(method="average") - 1) / (n - 1) * 100


def fragility_percentiles(
    wide: pd.DataFrame, indicators: Sequence[str], *, within: pd.Series | str | None = None
) -> pd.DataFrame:
    """Each indicator as a percentile among territories of the frame (or of the same group),
    oriented by the registry `direction` so that 100 = most fragile. Missing stays missing."""
    inds = check_indicators(wide, indicators, oriented=True)
    groups = group_series(wide, within)
    out = {}
    for ind in inds:
        oriented = _for_ranking(wide[ind.id]) * ind.direction
        if groups is None:
            out[ind.id] = _percentile(oriented)
        else:
            pct = oriented.groupby(groups, dropna=True).transform(_percentile)
            out[ind.id] = pct.reindex(wide.index)
    return pd.DataFrame(out, index=wide.index)


def _weights(indicators: Sequence[str], weights: Mapping[str, float] | Sequence[float] | None) -> pd.Series:
    if weights is None:
        w = pd.Series(1.0, index=list(indicators))
    elif isinstance(weights, Mapping):
        unknown = set(weights) - set(indicators)
        if unknown:
            raise ValueError(f"Poids donné pour un indicateur non retenu : {', '.join(sorted(unknown))}.")
        w = pd.Series({i: float(weights.get(i, 0.0)) for i in indicators})
    else:
        if len(weights) != len(indicators):
            raise ValueError(f"{len(weights)} poids pour {len(indicators)} indicateurs.")
        w = pd.Series([float(x) for x in weights], index=list(indicators))
    if (w < 0).any() or not np.isfinite(w).all():
        raise ValueError("Les poids doivent être des nombres positifs ou nuls.")
    if w.sum() <= 0:
        raise ValueError("Au moins un indicateur doit avoir un poids non nul.")
    return w / w.sum()


@dataclass(frozen=True)
class CompositeResult:
    """The composite index of every territory, with what drives it.

    `score` (0-100, 100 = most fragile), `contributions` (one column per indicator, each row summing
    to the score; NaN where the indicator is missing), `percentiles` (the oriented percentile of each
    indicator), `n_missing` (indicators left out of that territory's mean) and the normalised `weights`.
    """

    score: pd.Series
    contributions: pd.DataFrame
    percentiles: pd.DataFrame
    n_missing: pd.Series
    weights: pd.Series
    within: bool = False
    required: int = 1
    reason: pd.Series | None = None  # French sentence where a territory has no score, "" elsewhere

    @property
    def indicators(self) -> list[str]:
        return list(self.weights.index)

    def table(self) -> pd.DataFrame:
        """One row per territory: score, rank (1 = most fragile), number of missing indicators."""
        rank = fragility_rank(self.score)
        return pd.DataFrame(
            {
                "score": self.score,
                "rang": rank,
                "n_manquants": self.n_missing,
                "n_classes": rank.notna().sum(),
            }
        )


def _combine(percentiles: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean over available indicators; weights renormalised per row. Works on (n, m) @ (m, d)."""
    available = ~np.isnan(percentiles)
    filled = np.where(available, percentiles, 0.0)
    total = available.astype(float) @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        score = (filled @ weights) / total
    return np.where(total > 0, score, np.nan), total


def composite_index(
    wide: pd.DataFrame,
    indicators: Sequence[str] | None = None,
    weights: Mapping[str, float] | Sequence[float] | None = None,
    *,
    within: pd.Series | str | None = None,
    min_inputs: int | None = None,
) -> CompositeResult:
    """Open composite index: percentile of each raw rate (oriented, 100 = most fragile), weighted mean.

    Percentiles are national among the territories of `wide` (one level), or within the groups given
    by `within` (e.g. région codes). A missing value is left out of that territory's mean and the
    remaining weights are renormalised; `n_missing` counts them. A territory with fewer than
    `min_inputs` indicators (default: `required_inputs`, 4 of 6) gets no score and a `reason`. Default: registry indicators with
    `composite = true`, equal weights. `weights` is a sequence (one per indicator) or a mapping
    {indicator: weight}, where an indicator left out of the mapping gets weight 0.

    >>> wide = pd.DataFrame({"ifn": [2.0, 5.0, 8.0], "taux_pauvrete": [0.10, 0.30, 0.20]}, index=["a", "b", "c"])
    >>> res = composite_index(wide, ["ifn", "taux_pauvrete"])
    >>> res.score.round(1).tolist()  # mean fragility percentile: b and c are as fragile, for different reasons
    [0.0, 75.0, 75.0]
    >>> res.contributions.round(1).loc["b"].tolist()  # the parts of a score add up to it
    [25.0, 50.0]
    """
    indicators = list(indicators) if indicators is not None else default_composite_indicators(wide)
    pct = fragility_percentiles(wide, indicators, within=within)
    w = _weights(indicators, weights)
    values = pct.to_numpy(dtype=float)
    score, total = _combine(values, w.to_numpy()[:, None])
    score, total = score[:, 0], total[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        contrib = np.where(np.isnan(values), np.nan, values * w.to_numpy() / total[:, None])
    contributions = pd.DataFrame(contrib, index=wide.index, columns=indicators)
    n_missing = pd.Series(np.isnan(values).sum(axis=1), index=wide.index, name="n_missing")
    required = required_inputs(len(indicators)) if min_inputs is None else max(1, int(min_inputs))
    available = len(indicators) - n_missing
    too_few = (available < required).to_numpy()
    score = np.where(too_few, np.nan, score)
    contributions = contributions.where(pd.Series(~too_few, index=wide.index), axis=0)
    reason = pd.Series(
        [
            f"Indice non calculé : {a} indicateur{'s' if a > 1 else ''} disponible{'s' if a > 1 else ''} "
            f"sur {len(indicators)} (il en faut au moins {required})."
            if few
            else ""
            for a, few in zip(available, too_few, strict=True)
        ],
        index=wide.index,
        name="raison",
    )
    return CompositeResult(
        score=pd.Series(score, index=wide.index, name="score"),
        contributions=contributions,
        percentiles=pct,
        n_missing=n_missing,
        weights=w,
        within=within is not None,
        required=required,
        reason=reason,
    )


def _rank_block(oriented: pd.Series, groups: pd.Series | None = None) -> pd.DataFrame:
    """Rank columns within each group (one group when `groups` is None), vectorised with groupby."""
    if groups is None:  # national: plain ranks (groupby costs more than the ranking itself)
        rank = fragility_rank(oriented)
        avg = oriented.rank(method="average")
        n = pd.Series(float(oriented.notna().sum()), index=oriented.index)
        n_missing = pd.Series(float(oriented.isna().sum()), index=oriented.index)
    else:
        by = oriented.groupby(groups, dropna=True)
        rank = fragility_rank(oriented, groups=groups)
        avg = by.rank(method="average")
        n = oriented.notna().groupby(groups, dropna=True).transform("sum")
        n_missing = oriented.isna().groupby(groups, dropna=True).transform("sum")
    avg_values, n_values = avg.to_numpy(dtype=float), n.to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        percentile = np.where(n_values > 1, (avg_values - 1) / (n_values - 1) * 100, 50.0)
        percentile = np.where(np.isnan(avg_values), np.nan, percentile)
        decile = np.clip(np.ceil(avg_values / n_values * 10), 1, 10)
    return pd.DataFrame(
        {
            "rang": rank.astype("Int64"),
            "percentile": percentile,
            "decile": pd.array(np.where(np.isnan(decile), None, decile), dtype="Int64"),
            "n_classes": n.astype("Int64"),
            "n_manquants": n_missing.astype("Int64"),
        },
        index=oriented.index,
    )


def ranks(
    wide: pd.DataFrame, indicator: str | pd.Series, *, region: pd.Series | str | None = None
) -> pd.DataFrame:
    """National (and regional) rank of every territory on one indicator.

    Rank 1 = most fragile per the registry `direction` (a Series, e.g. a composite score, is taken as
    "higher = more fragile"); `percentile` 0..100 (100 = most fragile), `decile` 1..10 (10 = the 10 %
    most fragile), `n_classes` territories ranked, `n_manquants` left out because missing. Missing
    values get no rank (never 0). `region`: group codes (Series or column name) for the `*_region` columns.
    """
    if isinstance(indicator, pd.Series):
        oriented = _for_ranking(indicator.reindex(wide.index))
        value = oriented
    else:
        ind = check_indicator(wide, indicator, oriented=True)
        value = wide[indicator].astype(float)
        oriented = _for_ranking(value) * ind.direction
    out = _rank_block(oriented)
    out.insert(0, "valeur", value)
    groups = group_series(wide, region)
    if groups is not None:
        regional = _rank_block(oriented, groups).reindex(wide.index)
        out = out.join(regional.add_suffix("_region"))
        out.insert(out.columns.get_loc("rang_region"), "region", groups)
    return out


def ifn_classe_nationale(wide: pd.DataFrame, indicator: str = "ifn") -> pd.Series:
    """An alternative reading of IFN values above the commune: the national decile (1..10, 10 = the
    10 % most fragile territories of that level) of the population-weighted mean. Averaging communes
    pulls every EPCI towards the middle of the 1..10 scale; the decile restores the spread and reads
    as "among the 10 % of EPCI with the highest IFN"."""
    check_indicator(wide, indicator, oriented=True)
    return ranks(wide, indicator)["decile"].rename(f"{indicator}_classe_nationale")
