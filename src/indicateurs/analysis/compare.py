"""Compare a handful of territories side by side and screen the EPCI of a région.

Staff choosing which territories to invite to a workshop need two views: a side-by-side table of
2 to 12 candidates (value, national percentile, gap to the group median) and a ranked screening
table of every EPCI of a région, weighted by their own criteria. Everything here is pure pandas;
the scores (percentiles, composite index, robustness) come from `indicateurs.scores`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

import numpy as np
import pandas as pd

from indicateurs.analysis import scores
from indicateurs.errors import AtlasError
from indicateurs.reference.catalogue import Source
from indicateurs.reference.levels import NAMES, TITLES
from indicateurs.reference.registry import (
    Indicator,
    Registry,
    format_value,
    get_indicator,
    headline_ids,
    registry,
    status_text,
)
from indicateurs.reference.text import fold, format_number, with_detail

__all__ = [
    "CRITERIA",
    "DEFAULT_REGION",
    "DEFAULT_WEIGHTS",
    "MAX_TERRITORIES",
    "MIN_TERRITORIES",
    "NATURE_LABELS",
    "POPULATION_STEPS",
    "PROFILE_DEFAULT",
    "ROBUSTNESS_TOP",
    "SCREENING_LABELS",
    "Selection",
    "SelectionError",
    "check_selection",
    "comparison_export",
    "comparison_table",
    "detail_table",
    "filter_territories",
    "format_selection",
    "parse_selection",
    "population_bounds",
    "population_step_label",
    "screening_display",
    "screening_export",
    "screening_table",
    "search_rows",
    "share_link",
    "side_by_side",
    "sources_lines",
    "territory_key",
    "territory_label",
    "territory_labels",
]

MIN_TERRITORIES = 2
MAX_TERRITORIES = 12
DEFAULT_REGION = "75"  # Nouvelle-Aquitaine
NATURE_LABELS = {
    "CC": "Communauté de communes",
    "CA": "Communauté d'agglomération",
    "CU": "Communauté urbaine",
    "METRO": "Métropole",
    "MET69": "Métropole de Lyon",
}
# Criteria offered for the multi-criteria ranking: the headline indicators; weight 0 leaves one out.
CRITERIA = headline_ids()
DEFAULT_WEIGHTS = {"ifn": 1.0, "lieux_pour_10000": 1.0}
# Radar default: the headline indicators (the IFN, the offer and those of the default composite index).
PROFILE_DEFAULT = headline_ids()
ROBUSTNESS_TOP = 20
# Population slider steps; the last one means "and more" (no upper bound).
POPULATION_STEPS = (
    0,
    5_000,
    10_000,
    15_000,
    20_000,
    30_000,
    50_000,
    75_000,
    100_000,
    150_000,
    250_000,
    500_000,
    1_000_000,
)


class SelectionError(AtlasError, ValueError):
    """A selection the comparison cannot use; the message is French and shown as is."""


# --------------------------------------------------------------------------- selection and URL


def territory_key(level: str, code: str) -> str:
    """'epci:200041523': one territory in the URL and in widgets (codes alone collide across levels)."""
    return f"{level}:{code}"


def _split_key(key: str) -> tuple[str, str]:
    level, _, code = key.partition(":")
    return level, code


def territory_label(key: str, territories: pd.DataFrame) -> str:
    """'CC du Haut Val de Sèvre (200041523)'; other levels say which level they are."""
    return territory_labels([key], territories)[key]


def territory_labels(keys: Iterable[str], territories: pd.DataFrame) -> dict[str, str]:
    """Labels of many keys at once (a widget's options): one lookup table, not one scan per key."""
    keys = list(keys)
    wanted = pd.DataFrame([_split_key(k) for k in keys], columns=["level", "code"])
    found = wanted.merge(territories[["level", "code", "nom"]].astype(str), on=["level", "code"], how="left")
    out = {}
    for key, level, code, name in zip(keys, found["level"], found["code"], found["nom"], strict=True):
        name = code if pd.isna(name) else name
        if level == "epci":
            out[key] = f"{name} ({code})"
        elif level == "france":
            out[key] = name
        else:
            out[key] = f"{name} ({NAMES.get(level, level)} {code})"
    return out


@dataclass(frozen=True)
class Selection:
    """The territories read from the URL, and what could not be used (said to the user)."""

    keys: list[str]
    rejected: list[str] = field(default_factory=list)


def parse_selection(text: str | None, territories: pd.DataFrame) -> Selection:
    """Read `?selection=epci:200041523,epci:200067106`; unknown or malformed items are set aside.

    A bare code (no level) is read as an EPCI. Duplicates are dropped, order is kept.

    >>> territories = pd.DataFrame({"level": ["epci", "commune"], "code": ["242010056", "2A004"]})
    >>> parse_selection("epci:242010056, 2A004,commune:2A004,EPCI:242010056", territories)
    Selection(keys=['epci:242010056', 'commune:2A004'], rejected=['2A004'])
    """
    if not text:
        return Selection([])
    known = set(zip(territories["level"], territories["code"], strict=True))
    keys: list[str] = []
    rejected: list[str] = []
    for raw in str(text).split(","):
        item = raw.strip()
        if not item:
            continue
        level, code = _split_key(item) if ":" in item else ("epci", item)
        key = territory_key(level.strip().lower(), code.strip())
        if _split_key(key) not in known:
            rejected.append(item)
        elif key not in keys:
            keys.append(key)
    return Selection(keys, rejected)


def format_selection(keys: Iterable[str]) -> str:
    """The URL value for a selection: keys joined by commas."""
    return ",".join(keys)


def share_link(page_url: str | None, keys: Iterable[str]) -> str:
    """The link that reopens the page with this selection ('?selection=…' alone if the URL is unknown)."""
    query = "selection=" + quote(format_selection(keys), safe=":,")
    return f"{(page_url or '').split('?')[0]}?{query}"


def check_selection(keys: list[str]) -> None:
    """Refuse fewer than 2 or more than 12 territories with a message a user understands."""
    n = len(dict.fromkeys(keys))
    if n < MIN_TERRITORIES:
        raise SelectionError(
            f"Choisissez au moins {MIN_TERRITORIES} territoires à comparer "
            f"({n} sélectionné{'s' if n > 1 else ''})."
        )
    if n > MAX_TERRITORIES:
        raise SelectionError(
            f"Vous avez choisi {n} territoires : la comparaison en accepte {MAX_TERRITORIES} au plus. "
            "Retirez-en quelques-uns pour garder un tableau lisible."
        )


# --------------------------------------------------------------------------- filters


def filter_territories(
    territories: pd.DataFrame,
    *,
    level: str = "epci",
    region: str | None = None,
    departements: Iterable[str] | None = None,
    natures: Iterable[str] | None = None,
    population: tuple[float | None, float | None] | None = None,
) -> pd.DataFrame:
    """Territories of one level inside a région / départements, of given natures and population range.

    Empty filters (None or empty list) keep everything; the population bounds are inclusive.
    An EPCI is in the région (département) of its seat, as in `base.territories`.
    """
    rows = territories[territories["level"] == level]
    if region:
        rows = rows[rows["region"] == str(region)]
    departements = list(departements or [])
    if departements:
        rows = rows[rows["departement"].isin([str(d) for d in departements])]
    natures = list(natures or [])
    if natures:
        rows = rows[rows["nature"].isin(natures)]
    if population is not None:
        low, high = population
        if low is not None:
            rows = rows[rows["population"] >= low]
        if high is not None:
            rows = rows[rows["population"] <= high]
    return rows.copy()


def population_step_label(step: int) -> str:
    """'20 000' ; the last step reads '1 000 000 et plus'."""
    text = format_number(step)
    return f"{text} et plus" if step == POPULATION_STEPS[-1] else text


def population_bounds(steps: tuple[int, int]) -> tuple[float | None, float | None]:
    """Slider steps to filter bounds: the first step means no lower bound, the last no upper bound."""
    low, high = steps
    return (
        None if low <= POPULATION_STEPS[0] else float(low),
        None if high >= POPULATION_STEPS[-1] else float(high),
    )


def search_rows(frame: pd.DataFrame, text: str | None) -> pd.DataFrame:
    """Rows whose name or code contains `text`, ignoring case and accents ('sevre' finds 'Sèvre')."""
    if not text or not text.strip():
        return frame
    needle = fold(text.strip())
    hay = (frame["nom"].map(fold) + " " + frame["code"].astype(str)).str.contains(needle, regex=False)
    return frame[hay.to_numpy()]


# --------------------------------------------------------------------------- comparison


def _indicator_ids(wide: pd.DataFrame, indicators: Iterable[str] | None, reg: Registry) -> list[str]:
    ids = list(indicators) if indicators is not None else [i.id for i in reg.list()]
    return [i for i in ids if i in wide.columns]


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value)


def _format_delta(delta: float, ind: Indicator) -> str:
    """'▲ +2,1 pts', '▼ −1 234 hab.', '= médiane'. The arrow makes the sign readable without colour."""
    shown = round(delta * 100 if ind.is_rate else delta, ind.decimals)
    if shown == 0:
        return "= médiane"
    arrow, sign = ("▲", "+") if shown > 0 else ("▼", "−")
    number = format_value(abs(delta), ind, with_unit=False)
    if ind.is_rate:
        unit = "pts"
    elif ind.unit == "score":
        unit = "pt" if abs(shown) < 2 else "pts"
    else:
        unit = ind.unit
    return f"{arrow} {sign}{number}\u00a0{unit}"


def comparison_table(
    wides: Mapping[str, pd.DataFrame],
    keys: list[str],
    indicators: Iterable[str] | None = None,
    quality: Mapping[str, pd.DataFrame] | None = None,
    vintages: Callable[[str, str, str], str] | None = None,
    reg: Registry | None = None,
    entries: Callable[[str, str], Source] | None = None,
) -> pd.DataFrame:
    """One row per (territory, indicator): value, its French text, national percentile, gap to the group median.

    `wides` maps each level used by `keys` to `base.wide(level)` (the whole level: the national
    percentile is computed among all territories of that level). Missing values stay missing and
    are excluded from the median; their text says why. `quality` maps a level to
    `base.quality(level)`: the text then says « estimé » or the coverage of a thin value, and the
    table carries `coverage`, `statut` and `note`. `reg`: the base's registry (`Base.registry`: labels
    and sources of the mode it was built in); `entries`: `Base.source_entry` (the source the values carry).
    """
    reg = reg or registry()
    check_selection(keys)
    keys = list(dict.fromkeys(keys))
    parts = []
    for level in dict.fromkeys(_split_key(k)[0] for k in keys):
        wide = wides[level]
        codes = [_split_key(k)[1] for k in keys if _split_key(k)[0] == level]
        missing = [c for c in codes if c not in wide.index]
        if missing:
            raise SelectionError(
                f"Territoire inconnu au niveau {NAMES.get(level, level)} : {', '.join(missing)}."
            )
        ids = _indicator_ids(wide, indicators, reg)
        pct = _percentiles(wide, ids).loc[codes]
        values = wide.loc[codes, ids]
        long = values.rename_axis("code").reset_index().melt("code", var_name="indicator", value_name="value")
        long["percentile"] = [pct.at[c, i] for c, i in zip(long["code"], long["indicator"], strict=True)]
        long.insert(0, "level", level)
        long.insert(2, "nom", wide.loc[long["code"], "nom"].to_numpy())
        parts.append(long)
    table = pd.concat(parts, ignore_index=True)
    table["key"] = [territory_key(lv, c) for lv, c in zip(table["level"], table["code"], strict=True)]
    table["value"] = pd.to_numeric(table["value"], errors="coerce").astype(float)
    table["median"] = table.groupby("indicator", sort=False)["value"].transform("median")
    table["delta"] = table["value"] - table["median"]
    meta = {i: reg.get(i) for i in table["indicator"].unique()}
    table["label"] = table["indicator"].map(lambda i: meta[i].label)
    table["short"] = table["indicator"].map(lambda i: meta[i].short)
    table["unit"] = table["indicator"].map(lambda i: meta[i].unit)
    table["direction"] = table["indicator"].map(lambda i: meta[i].direction)
    if vintages is None:
        table["source"] = table["indicator"].map(lambda i: meta[i].citation)
        table["millesime"] = table["indicator"].map(lambda i: meta[i].millesime)
    else:  # `Base.millesime`: the vintage of each value as the base holds it, not the registry's text
        table["millesime"] = [
            vintages(i, lv, c)
            for i, lv, c in zip(table["indicator"], table["level"], table["code"], strict=True)
        ]
        table["source"] = [
            with_detail((entries(i, lv) if entries else meta[i].source_entry).citation, m)
            for i, m, lv in zip(table["indicator"], table["millesime"], table["level"], strict=True)
        ]
    table["coverage"], table["statut"], table["note"] = np.nan, None, ""
    for level, q in (quality or {}).items():
        rows = table["level"] == level
        idx = pd.MultiIndex.from_arrays([table.loc[rows, "code"].astype(str), table.loc[rows, "indicator"]])
        found = q.reindex(idx)
        table.loc[rows, "coverage"] = found["coverage"].to_numpy(dtype=float)
        table.loc[rows, "statut"] = found["statut"].to_numpy()
        table.loc[rows, "note"] = found["note"].fillna("").to_numpy()
    table["text"] = [
        status_text(v, meta[i], s, c, n)
        for v, i, s, c, n in zip(
            table["value"], table["indicator"], table["statut"], table["coverage"], table["note"], strict=True
        )
    ]
    table["delta_text"] = [
        "" if _is_missing(d) else _format_delta(d, meta[i])
        for d, i in zip(table["delta"], table["indicator"], strict=True)
    ]
    order = {i: n for n, i in enumerate(meta)}
    table["_order"] = table["indicator"].map(order)
    key_order = {k: n for n, k in enumerate(keys)}
    table["_key_order"] = table["key"].map(key_order)
    table = table.sort_values(["_order", "_key_order"]).drop(columns=["_order", "_key_order"])
    return table.reset_index(drop=True)


_READING = {1: "haut = plus fragile", -1: "haut = moins fragile", 0: "contexte"}


def side_by_side(
    table: pd.DataFrame, territories: pd.DataFrame, *, show: str = "valeur"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The grid staff read: one row per indicator, one column per territory.

    `show="valeur"`: '31,2 % ▲ +2,1 pts' (value and gap to the group median);
    `show="centile"`: '78e centile national'. Returns the text grid and the matching grid of
    national percentiles (0..100, NaN when missing) that drives the single-hue background.
    """
    keys = list(dict.fromkeys(table["key"]))
    labels = territory_labels(keys, territories)
    if show == "centile":
        text = table["percentile"].map(_percentile_text).where(table["percentile"].notna(), table["text"])
    else:
        text = table["text"].where(table["delta_text"] == "", table["text"] + "  " + table["delta_text"])
    frame = table.assign(cell=text, column=table["key"].map(labels))
    ind_order = list(dict.fromkeys(frame["label"]))
    grid = frame.pivot(index="label", columns="column", values="cell").reindex(index=ind_order)
    pct = frame.pivot(index="label", columns="column", values="percentile").reindex(index=ind_order)
    columns = [labels[k] for k in keys]
    grid, pct = grid[columns], pct[columns]
    reading = frame.drop_duplicates("label").set_index("label")["direction"].map(_READING)
    grid.insert(0, "Sens de lecture", reading.reindex(ind_order).to_numpy())
    grid.index.name = pct.index.name = "Indicateur"
    grid.columns.name = pct.columns.name = None
    return grid, pct


def _percentile_text(p: float) -> str:
    if _is_missing(p):
        return "donnée non disponible"
    n = round(p)
    return f"{n}{'er' if n == 1 else 'e'} centile national"


def sources_lines(
    indicator_ids: Iterable[str], citations: Iterable[str] | None = None, reg: Registry | None = None
) -> list[str]:
    """One line per source of the shown indicators: 'Producteur, titre (millésime) : indicateurs'.

    `citations`, aligned with `indicator_ids` (the table's `source` column), gives the vintage each
    value carries; without it, the registry's."""
    reg = reg or registry()
    ids = list(indicator_ids)
    texts = list(citations) if citations is not None else [reg.get(i).citation for i in ids]
    grouped: dict[str, list[str]] = {}
    for i, citation in dict.fromkeys(zip(ids, texts, strict=True)):
        shorts = grouped.setdefault(citation, [])
        if reg.get(i).short not in shorts:
            shorts.append(reg.get(i).short)
    return [f"{citation} : {', '.join(shorts)}" for citation, shorts in grouped.items()]


def detail_table(table: pd.DataFrame) -> pd.DataFrame:
    """Value, national percentile and gap to the median side by side, one row per territory and indicator."""
    return pd.DataFrame(
        {
            "Indicateur": table["short"],
            "Territoire": table["nom"],
            "Valeur": table["text"],
            "Centile national": table["percentile"].round(0),
            "Écart à la médiane du groupe": table["delta_text"],
            "Source": table["source"],
            "Millésime": table["millesime"],
        }
    )


def comparison_export(table: pd.DataFrame) -> pd.DataFrame:
    """The comparison as a spreadsheet: numbers as numbers (rates in %), with source and millésime."""
    scale = table["unit"].eq("%").map({True: 100.0, False: 1.0})
    return pd.DataFrame(
        {
            "Territoire": table["nom"],
            "Code": table["code"],
            "Niveau": table["level"].map(TITLES),  # as in the profile spreadsheet
            "Indicateur": table["label"],
            "Identifiant": table["indicator"],
            "Valeur": table["value"] * scale,
            "Unité": table["unit"],
            "Valeur affichée": table["text"],
            "Centile national": table["percentile"].round(1),
            "Médiane du groupe": table["median"] * scale,
            "Écart à la médiane": table["delta"] * scale,
            "Source": table["source"],
            "Millésime": table["millesime"],
            "Couverture (part de la population)": table["coverage"].round(4)
            if "coverage" in table
            else np.nan,
            "Statut": table.get("statut", None),
            "Note": table.get("note", ""),
        }
    )


# --------------------------------------------------------------------------- screening


def screening_table(
    wide: pd.DataFrame,
    territories: pd.DataFrame,
    *,
    region: str | None = DEFAULT_REGION,
    departements: Iterable[str] | None = None,
    natures: Iterable[str] | None = None,
    population: tuple[float | None, float | None] | None = None,
    weights: Mapping[str, float] | None = None,
    robustness_top: int = ROBUSTNESS_TOP,
) -> pd.DataFrame:
    """Every EPCI kept by the filters, with population, IFN, composite index, offer and a weighted rank.

    `wide` is `base.wide("epci")` for all of France: the composite index and the weighted score
    are national percentile scores (`indicateurs.scores`), then ranked among the kept rows
    (rang 1 = highest score = the first to invite). Criteria with weight 0 are left out; if every
    weight is 0 the rank falls back on the default composite index. A sentence on how stable the
    rank is comes from the scores module for the first `robustness_top` rows (it is the slow part).
    """
    rows = filter_territories(
        territories,
        level="epci",
        region=region,
        departements=departements,
        natures=natures,
        population=population,
    )
    codes = [c for c in rows["code"] if c in wide.index]
    weights = _clean_weights(weights if weights is not None else DEFAULT_WEIGHTS, wide)
    composite = _composite(wide)
    score = _composite(wide, weights) if weights else composite
    out = pd.DataFrame(index=pd.Index(codes, name="code"))
    info = rows.set_index("code")
    out["nom"] = info.loc[codes, "nom"]
    out["departement"] = info.loc[codes, "departement"]
    out["nature"] = info.loc[codes, "nature"]
    out["population"] = _column(wide, "population", codes).fillna(info.loc[codes, "population"].astype(float))
    out["ifn"] = _column(wide, "ifn", codes)
    out["indice_composite"] = composite.reindex(codes)
    out["lieux_pour_10000"] = _column(wide, "lieux_pour_10000", codes)
    out["score"] = score.reindex(codes)
    out["rang"] = scores.fragility_rank(out["score"])
    out["rang_national"] = scores.fragility_rank(score).reindex(codes)
    out = out.sort_values(["rang", "nom"], na_position="last")
    top = [c for c in out.index[:robustness_top] if not _is_missing(out.at[c, "score"])]
    sentences = _robustness_sentences(wide, top, weights)
    out["stabilite"] = [sentences.get(c, "") for c in out.index]
    return out.reset_index()


def _column(wide: pd.DataFrame, column: str, codes: list[str]) -> pd.Series:
    if column not in wide.columns:
        return pd.Series(float("nan"), index=codes)
    return pd.to_numeric(wide.loc[codes, column], errors="coerce").astype(float)


def _clean_weights(weights: Mapping[str, float], wide: pd.DataFrame) -> dict[str, float]:
    """Keep positive weights of indicators the base has; unknown ids raise the registry's French error."""
    out = {}
    for indicator, weight in weights.items():
        get_indicator(indicator)
        if weight and weight > 0 and indicator in wide.columns:
            out[indicator] = float(weight)
    return out


SCREENING_LABELS = {
    "rang": "Rang",
    "nom": "EPCI",
    "score": "Score pondéré",
    "stabilite": "Stabilité du rang national",
    "population": "Population",
    "ifn": "IFN (1 à 10)",
    "indice_composite": "Indice composite",
    "lieux_pour_10000": "Lieux / 10 000 hab.",
    "nature": "Nature",
    "departement": "Dép.",
    "code": "SIREN",
    "rang_national": "Rang national",
}


def screening_display(screen: pd.DataFrame) -> pd.DataFrame:
    """The screening table with French headers and nature names, numbers kept numeric for sorting."""
    out = screen[[c for c in SCREENING_LABELS if c in screen.columns]].copy()
    if out["lieux_pour_10000"].isna().all():  # offer not in the base yet: no empty column
        out = out.drop(columns="lieux_pour_10000")
    out["nature"] = out["nature"].map(NATURE_LABELS).fillna(out["nature"])
    rounding = {"ifn": 1, "lieux_pour_10000": 1, "indice_composite": 0, "score": 0, "population": 0}
    return out.round({k: v for k, v in rounding.items() if k in out.columns}).rename(columns=SCREENING_LABELS)


def screening_export(
    screen: pd.DataFrame,
    weights: Mapping[str, float] | None = None,
    reg: Registry | None = None,
    cite: Callable[[str], str] | None = None,
) -> pd.DataFrame:
    """The shortlist as a spreadsheet, with a line saying which weights made the rank."""
    weights = dict(weights or DEFAULT_WEIGHTS)
    reg = reg or registry()
    described = (
        ", ".join(f"{reg.get(i).short} × {w:g}" for i, w in weights.items() if w) or "indice composite"
    )
    cite = cite or (lambda i: reg.get(i).citation)  # `cite`: the base's citation at EPCI level
    return pd.DataFrame(
        {
            "Rang": screen["rang"],
            "EPCI": screen["nom"],
            "Code SIREN": screen["code"],
            "Département": screen["departement"],
            "Nature": screen["nature"].map(NATURE_LABELS).fillna(screen["nature"]),
            "Population": screen["population"],
            "IFN (1 à 10)": screen["ifn"],
            "Indice composite (0 à 100)": screen["indice_composite"],
            "Lieux pour 10 000 hab.": screen["lieux_pour_10000"],
            "Score pondéré (0 à 100)": screen["score"],
            "Rang national": screen["rang_national"],
            "Stabilité du rang national": screen["stabilite"],
            "Pondérations": described,
            "Sources": f"{cite('population')} ; {cite('ifn')} ; {cite('lieux_pour_10000')} ; "
            "indice composite : centiles nationaux des taux (voir page Sources et méthode)",
        }
    )


# --------------------------------------------------------------------------- scores (isolated)


def _percentiles(wide: pd.DataFrame, indicators: list[str]) -> pd.DataFrame:
    """National percentile (0..100, 100 = highest value) of each value among the territories of the level.

    The value itself is ranked (a Series is taken as is by `scores.ranks`, not by its fragility
    reading), so the shade means the same thing on every row; the 'Sens de lecture' column says
    which way is fragile. NaN stays NaN.
    """
    out = {}
    for i in indicators:
        values = pd.to_numeric(wide[i], errors="coerce").astype(float)
        out[i] = scores.ranks(wide, values)["percentile"]
    return pd.DataFrame(out, index=wide.index)


def _composite(wide: pd.DataFrame, weights: Mapping[str, float] | None = None) -> pd.Series:
    """Composite score 0..100 per code (100 = most fragile); None = the default open index."""
    if weights is None:
        return scores.composite_index(wide).score
    return scores.composite_index(wide, list(weights), dict(weights)).score


def _robustness_sentences(
    wide: pd.DataFrame, codes: list[str], weights: Mapping[str, float]
) -> dict[str, str]:
    """How stable each national rank is over random weightings and without each criterion."""
    indicators = list(weights) if weights else scores.default_composite_indicators(wide)
    if len(indicators) < 2:
        return dict.fromkeys(codes, _ONE_CRITERION)
    out = {}
    for code in codes:
        rob = scores.robustness(
            wide, code, indicators, n_draws=_DRAWS, weights=dict(weights) if weights else None
        )
        out[code] = scores.robustness_sentence(
            rob, "EPCI", score="selon vos pondérations" if weights else "selon l'indice composite"
        )
    return out


_DRAWS = 200
_ONE_CRITERION = "Un seul critère retenu : le rang ne dépend d'aucune pondération."
