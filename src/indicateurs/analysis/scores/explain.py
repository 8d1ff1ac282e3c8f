"""Scores told to people: how many people, how stable a rank is, and plain-French sentences."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicateurs.analysis.scores._checks import check_code, check_indicator
from indicateurs.analysis.scores._checks import level_label as _label_of
from indicateurs.analysis.scores.composite import (
    _combine,
    _weights,
    default_composite_indicators,
    fragility_percentiles,
    ranks,
)
from indicateurs.reference.registry import format_value, get_indicator
from indicateurs.reference.text import format_number

__all__ = [
    "DENOMINATORS",
    "Robustness",
    "people_concerned",
    "robustness",
    "robustness_sentence",
    "round_sensibly",
    "sentence",
    "summary",
]

# registry `concerned` -> (column used when the base has no such count, factor, unit, note).
# Factors are national ratios from the INSEE comparateur (RP 2018): households / population = 0,446,
# active 15-64 / population = 0,462. They are stated on screen whenever used.
DENOMINATORS: dict[str, tuple[float, str, str]] = {
    "population": (1.0, "personnes", ""),
    "population_15_plus": (
        0.82,
        "personnes",
        "La part est calculée sur les 15 ans ou plus : elle est appliquée aux 15 ans ou plus, estimés à "
        "82 % de la population (moyenne nationale, INSEE RP 2017), et non à toute la population.",
    ),
    "menages": (
        0.446,
        "ménages",
        "Nombre de ménages estimé à partir de la population (2,24 personnes par ménage en moyenne en "
        "France, INSEE RP 2018).",
    ),
    "actifs": (
        0.462,
        "personnes",
        "Nombre d'actifs de 15 à 64 ans estimé à 46 % de la population (moyenne nationale, INSEE RP 2018).",
    ),
    "locaux": (math.nan, "locaux", "Nombre de locaux non disponible à ce niveau : pas d'estimation."),
}

# Column names under which the base may carry the real counts (preferred over the approximations).
_ALIASES = {"actifs": ("actifs", "actifs_15_64"), "population_15_plus": ("population_15_plus", "pop_15_plus")}


def round_sensibly(x: float) -> float:
    """Round an estimate so it does not look more precise than it is: 7 -> 7, 347 -> 350, 12 345 -> 12 000."""
    if x is None or not np.isfinite(x):
        return math.nan
    if x < 20:
        return float(round(x))
    if x < 1000:
        return float(round(x, -1))
    digits = math.floor(math.log10(x)) - 1
    return float(round(x, -digits))


def _infer_level(territories: pd.DataFrame, codes: pd.Index) -> pd.DataFrame:
    if "level" not in territories.columns:
        return (
            territories.set_index(territories["code"].astype(str)) if "code" in territories else territories
        )
    overlap = (
        territories.assign(hit=territories["code"].astype(str).isin(codes)).groupby("level")["hit"].sum()
    )
    level = overlap.idxmax()
    return territories[territories["level"] == level].set_index("code")


def people_concerned(
    wide: pd.DataFrame,
    territories: pd.DataFrame | None,
    indicator: str,
    *,
    codes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Estimated number of people (or households, premises) behind a rate: rate × the right population.

    The population is the registry field `concerned`, read from `wide` or `territories` when the base
    has it, otherwise approximated from the population (see `DENOMINATORS`; the `note` says so). For an
    indicator where higher is better (e.g. THD coverage) the count is of those *not* covered (1 − rate).
    Returns nom, taux, base, nombre (rounded, NA when unknown), unite, texte ("environ 12 000
    personnes", or why there is no number) and note (the approximation made, if any).
    """
    ind = check_indicator(wide, indicator)
    if not ind.is_rate or not ind.concerned:
        raise ValueError(f"{ind.short} n'est pas un taux : pas de nombre de personnes à estimer.")
    frame = wide if codes is None else wide.loc[[check_code(wide, c) for c in codes]]
    terr = (
        _infer_level(territories, frame.index) if territories is not None else pd.DataFrame(index=frame.index)
    )
    factor, unit, note = DENOMINATORS[ind.concerned]

    def column(name: str) -> pd.Series | None:
        for src in (frame, terr):
            for alias in _ALIASES.get(name, (name,)):
                if alias in src.columns:
                    return src[alias].reindex(frame.index).astype(float)
        return None

    denominator = column(ind.concerned)
    if denominator is not None:
        note = ""
    else:
        population = column("population")
        if population is None:
            raise ValueError("Population inconnue : impossible d'estimer un nombre de personnes.")
        denominator = population * factor
    rate = frame[indicator].astype(float)
    share = rate if ind.direction >= 0 else 1 - rate
    if ind.direction < 0:
        note = f"Nombre de {unit} hors de l'indicateur (complément du taux « {ind.short} »). {note}".strip()
    number = (share * denominator).map(round_sensibly).round().astype("Int64")
    missing = format_value(math.nan, ind)
    text = [
        f"environ {_int(int(n))} {unit}"
        if pd.notna(n)
        else (missing if pd.isna(r) else "estimation impossible")
        for n, r in zip(number, rate, strict=True)
    ]
    return pd.DataFrame(
        {
            "nom": frame["nom"] if "nom" in frame.columns else pd.NA,
            "taux": rate,
            "base": denominator,
            "nombre": number,
            "unite": unit,
            "texte": text,
            "note": note,
        },
        index=frame.index,
    )


@dataclass(frozen=True)
class Robustness:
    """How a territory's composite rank moves: without each indicator, and over random weightings.

    Ranks: 1 = most fragile among `n_ranked`. `rank_min`/`rank_max` cover equal weights, every
    drop-one variant and every random draw.
    """

    code: str
    n_ranked: int
    rank: int | None
    rank_without: pd.Series
    draw_ranks: np.ndarray
    rank_min: int | None
    rank_max: int | None

    @property
    def share_worst(self) -> float:
        """The least fragile position reached, as a share of territories (0.2 = within the top 20 %)."""
        return math.nan if self.rank_max is None else self.rank_max / self.n_ranked

    @property
    def share_best(self) -> float:
        return math.nan if self.rank_min is None else self.rank_min / self.n_ranked

    @property
    def typical_range(self) -> tuple[int, int] | None:
        """Ranks reached by the central 90 % of the random weightings (extreme weightings aside)."""
        draws = self.draw_ranks[np.isfinite(self.draw_ranks)]
        if draws.size == 0:
            return None
        low, high = np.quantile(draws, [0.05, 0.95], method="nearest")
        return int(low), int(high)


def _ranks_of(target: int, scores: np.ndarray) -> np.ndarray:
    """Rank (1 = highest score) of row `target` in each column; NaN rows are not ranked."""
    ref = scores[target]
    with np.errstate(invalid="ignore"):
        better = (scores > ref).sum(axis=0)
    return np.where(np.isnan(ref), np.nan, better + 1)


def robustness(
    wide: pd.DataFrame,
    code: str,
    indicators: Sequence[str] | None = None,
    n_draws: int = 500,
    seed: int = 0,
    *,
    weights: Mapping[str, float] | Sequence[float] | None = None,
    within: pd.Series | str | None = None,
) -> Robustness:
    """Rank of `code`'s composite index when each indicator is dropped and over `n_draws` random weight
    vectors (Dirichlet(1): every weighting equally likely). Reproducible with `seed`."""
    code = check_code(wide, code)
    indicators = list(indicators) if indicators is not None else default_composite_indicators(wide)
    pct = fragility_percentiles(wide, indicators, within=within).to_numpy(dtype=float)
    target = wide.index.get_loc(code)
    w0 = _weights(indicators, weights).to_numpy()
    base_score, _ = _combine(pct, w0[:, None])
    n_ranked = int(np.isfinite(base_score).sum())
    rank0 = _ranks_of(target, base_score)[0]
    without = {}
    for j, ind in enumerate(indicators):
        w = w0.copy()
        w[j] = 0.0
        if w.sum() == 0:
            without[ind] = np.nan
            continue
        s, _ = _combine(pct, (w / w.sum())[:, None])
        without[ind] = _ranks_of(target, s)[0]
    rng = np.random.default_rng(seed)
    draws = rng.dirichlet(np.ones(len(indicators)), size=n_draws).T  # (m, d)
    chunks = [_ranks_of(target, _combine(pct, draws[:, i : i + 100])[0]) for i in range(0, n_draws, 100)]
    draw_ranks = np.concatenate(chunks) if chunks else np.array([])
    every = np.concatenate([[rank0], list(without.values()), draw_ranks])
    every = every[np.isfinite(every)]
    as_int = lambda x: None if not np.isfinite(x) else int(x)  # noqa: E731
    return Robustness(
        code=code,
        n_ranked=n_ranked,
        rank=as_int(rank0),
        rank_without=pd.Series(without, dtype=float).astype("Int64"),
        draw_ranks=draw_ranks,
        rank_min=int(every.min()) if every.size else None,
        rank_max=int(every.max()) if every.size else None,
    )


def _nth(rank: int) -> str:
    return "1er" if rank == 1 else f"{rank}e"


def _int(x: int) -> str:
    return format_number(x)


def robustness_sentence(rob: Robustness, level_label: str = "EPCI", *, score: str = "") -> str:
    """One French sentence on the stability of the rank, e.g. "… reste dans les 20 % les plus fragiles
    quelle que soit la pondération" or "son rang varie de 45 à 310 … : prudence".

    The rank is national (among every territory of the level in France): it says so, and `score` names
    the score ranked (e.g. "selon vos pondérations") when it is not the default composite index, so the
    sentence is never read as a rank among the rows of a filtered table."""
    label = _label_of(level_label)
    if rob.rank is None:
        return "Pas d'indice composite pour ce territoire : données non disponibles (secret statistique)."
    n = _int(rob.n_ranked)
    where = f"{label} de France" if label != "France" else label
    what = f" {score}" if score else ""
    start = f"Classé {_nth(rob.rank)} sur {n} {where}{what} (1er = le plus fragile)"
    always = "quelle que soit la pondération, même sans l'un des indicateurs"
    for t in (0.05, 0.1, 0.2, 0.25):
        if rob.share_worst <= t:
            return f"{start}, il reste dans les {round(t * 100)} % les plus fragiles {always}."
        if rob.share_best > 1 - t:
            return f"{start}, il reste dans les {round(t * 100)} % les moins fragiles {always}."
    span = f"de {_nth(rob.rank_min)} à {_nth(rob.rank_max)}"
    if (rob.rank_max - rob.rank_min) / rob.n_ranked <= 0.15:
        return f"{start}, son rang bouge peu selon la pondération ({span}) : le classement est solide."
    typical = rob.typical_range
    detail = f" (de {_nth(typical[0])} à {_nth(typical[1])} dans 9 cas sur 10)" if typical else ""
    return f"{start}, son rang varie {span} selon la pondération{detail} : prudence, le classement dépend des choix."


def _elide(text: str) -> str:
    return f"d'{text}" if text[:1].lower() in "aeiouyhéèêàâîôû" else f"de {text}"


def sentence(wide: pd.DataFrame, code: str, indicator: str, level_label: str = "EPCI") -> str:
    """Plain-French sentence from the values, with the source and millésime, e.g.
    "31,0 % de 65 ans et plus : plus que 80 % des EPCI de France (INSEE, … (RP 2017))"."""
    ind = check_indicator(wide, indicator)
    code = check_code(wide, code)
    label = _label_of(level_label)
    values = wide[indicator].astype(float)
    value = values.loc[code]
    text = format_value(value, ind)
    head, sep = f"{ind.short} : {text}", ","
    if np.isnan(value):
        return f"{head} ({ind.citation})."
    if ind.is_rate:
        short = ind.short if ind.short[:3].isupper() else ind.short[0].lower() + ind.short[1:]
        head, sep = f"{text} {_elide(short)}", " :"
    others = values.drop(index=code).dropna()
    if others.empty or label == "France":
        return f"{head} ({ind.citation})."
    lower = math.floor(100 * (others < value).mean())
    higher = math.floor(100 * (others > value).mean())
    if lower >= higher:
        comparison = f"plus que {lower} % des {label} de France"
    else:
        comparison = f"moins que {higher} % des {label} de France"
    return f"{head}{sep} {comparison} ({ind.citation})."


def summary(
    wide: pd.DataFrame,
    code: str,
    indicators: Sequence[str] | None = None,
    *,
    region: pd.Series | str | None = None,
    level_label: str = "EPCI",
) -> pd.DataFrame:
    """One row per indicator for one territory: value (raw and in French), national (and regional)
    rank, decile, the plain-French sentence and the source: the territory profile in one table.
    Default: every registry indicator with a direction that `wide` carries."""
    code = check_code(wide, code)
    if indicators is None:
        indicators = [c for c in wide.columns if c != "nom" and _oriented(c)]
    rows = []
    for ind_id in indicators:
        ind = check_indicator(wide, ind_id, oriented=True)
        r = ranks(wide, ind_id, region=region).loc[code]
        row = {
            "indicateur": ind_id,
            "libelle": ind.short,
            "valeur": r["valeur"],
            "valeur_texte": format_value(r["valeur"], ind),
            "rang": r["rang"],
            "n_classes": r["n_classes"],
            "n_manquants": r["n_manquants"],
            "decile": r["decile"],
        }
        if "rang_region" in r.index:
            row.update(rang_region=r["rang_region"], n_classes_region=r["n_classes_region"])
        row.update(phrase=sentence(wide, code, ind_id, level_label), source=ind.citation)
        rows.append(row)
    return pd.DataFrame(rows).set_index("indicateur")


def _oriented(column: str) -> bool:
    try:
        return get_indicator(column).direction != 0
    except ValueError:  # a column that is not an indicator (e.g. a count kept by the base)
        return False
