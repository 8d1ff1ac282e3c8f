"""The statistical profile of one territory: key figures, ladders, commune table, plain-French summary.

A `Profile` is plain data (frames and strings) assembled from the built base; the page, the
PDF, the XLSX/CSV exports and the CLI all read the same object, so the numbers always agree.

Example:
    >>> from indicateurs.base import load_base
    >>> profile = build_profile(load_base(), "200067106")          # doctest: +SKIP
    >>> profile.nom, profile.key_figures.loc["ifn", "display"]     # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from indicateurs.analysis import scores
from indicateurs.analysis._cache import per_base
from indicateurs.reference.catalogue import Source, find_source
from indicateurs.reference.levels import NAMES, PLURALS, TITLES
from indicateurs.reference.levels import parents as level_parents
from indicateurs.reference.registry import (
    Indicator,
    Registry,
    format_value,
    get_indicator,
    registry,
    registry_of,
    status_text,
    theme_ids,
)
from indicateurs.reference.text import did_you_mean, format_number, lower_first, suggest, with_detail

__all__ = [
    "COMPOSITE_ID",
    "ROLE_LABELS",
    "Profile",
    "build_profile",
    "display_value",
    "resolve_territory",
]

ROLE_LABELS = {
    "territoire": "Territoire",
    "voisin": "Voisin",
    "pair": "Territoire comparable",
    **{level: TITLES[level] for level in ("epci", "departement", "region", "france")},
}
_LEVEL_ORDER = ("epci", "commune", "departement", "region", "france")
COMPOSITE_ID = "indice_composite"  # the open composite index, a registry indicator computed by the base
IFN_IDS = theme_ids("ifn", exclude=(COMPOSITE_ID,))  # the IFN and its five sub-scores
_KEY_IDS = ("population", "densite", *IFN_IDS)


@dataclass(frozen=True)
class Profile:
    """Everything the profile shows about one territory; frames use raw values (rates as fractions)."""

    level: str
    code: str
    nom: str
    parents: pd.DataFrame  # role, level, code, nom
    key_figures: pd.DataFrame  # index indicator id: label, value, display, unit, citation, percentiles…
    ladder: pd.DataFrame  # indicator, role, role_label, level, code, nom, value, display
    ranks: pd.DataFrame  # level, code, indicator, value, rank, count, national_pct, regional_pct
    communes: pd.DataFrame  # index commune code: nom + one column per indicator
    summary: list[str]
    caveats: list[str]
    data_date: str
    n_communes: int = 0
    # The indicators as the base's build defines them (labels, sources of its mode: `Base.registry`).
    registry: Registry = field(default_factory=registry)
    # Indicator -> the source its values carry in the base (`Base.source_entry`), and source -> the
    # URL the build fetched (report.json provenance): what the exports cite, not the catalogue's.
    source_ids: dict[str, str] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)

    def source_entry(self, indicator_id: str) -> Source:
        """The catalogue entry of the source of this profile's values of an indicator."""
        ind = self.registry.get(indicator_id)
        sid = self.source_ids.get(indicator_id)
        if sid and sid != ind.source:
            try:
                return find_source(sid, self.registry.mode)
            except ValueError:
                pass
        return ind.source_entry

    def source_urls(self, indicator_id: str) -> list[str]:
        """The address(es) of an indicator's source: the URL the build used, else the catalogue's."""
        entry = self.source_entry(indicator_id)
        used = self.urls.get(entry.id)
        return used.split() if used else entry.urls

    def millesime(self, indicator_id: str) -> str:
        """The vintage of the indicator's values in this profile (the territory's own level first),
        as the base says it; the registry's text for a profile built without one."""
        ladder = self.ladder
        if "millesime" in ladder.columns:
            rows = ladder[ladder["indicator"] == indicator_id]
            own = rows[rows["level"] == self.level]
            for frame in (own, rows):
                if len(frame):
                    return str(frame["millesime"].iloc[0])
        return self.registry.get(indicator_id).millesime

    def citation(self, indicator_id: str) -> str:
        """'Producer, dataset (vintage)' with the vintage of this profile's values."""
        return with_detail(self.source_entry(indicator_id).citation, self.millesime(indicator_id))

    def indicator_ids(self) -> list[str]:
        """Registry indicators that have at least one value in the ladder, in registry order."""
        present = set(self.ladder.loc[self.ladder["value"].notna(), "indicator"])
        return [i.id for i in self.registry.list() if i.id in present]


# ---------------------------------------------------------------- lookups


_RANK_COLUMNS = ("rank", "count", "national_pct", "regional_pct")


def _memo(base, key: tuple, fn):
    """Once per loaded base (`analysis._cache.per_base`), so that 100 profiles built from one base reuse
    ranks, composites and frames; the answers go away with the base. Shared: never mutate them."""
    return per_base(base, ("profile", *key), fn)


def _territories(base, level: str) -> pd.DataFrame:
    def make():
        t = base.territories
        return t.loc[t["level"] == level].set_index("code", drop=False)

    return _memo(base, ("territories", level), make)


def _quality(base, level: str) -> pd.DataFrame | None:
    """Coverage, status and note per (code, indicator), when the base has them."""
    if not hasattr(base, "quality"):
        return None
    return _memo(base, ("quality", level), lambda: base.quality(level))


def _quality_of(base, level: str, code: str, indicator_id: str) -> tuple[float, str | None, str]:
    q = _quality(base, level)
    if q is None or (code, indicator_id) not in q.index:
        return float("nan"), None, ""
    row = q.loc[(code, indicator_id)]
    status = row["statut"] if isinstance(row["statut"], str) else None
    return (
        float(row["coverage"]) if pd.notna(row["coverage"]) else float("nan"),
        status,
        str(row["note"] or ""),
    )


def _wide(base, level: str) -> pd.DataFrame:
    """`base.wide(level)` with plain float columns (nullable NA becomes NaN, which formatting expects)."""

    def make():
        wide = base.wide(level)
        numeric = [c for c in wide.columns if c != "nom"]
        wide[numeric] = wide[numeric].apply(pd.to_numeric, errors="coerce").astype("float64")
        wide.index = wide.index.astype(str)
        return wide

    return _memo(base, ("wide", level), make)


def resolve_territory(base, code: str, level: str | None = None) -> tuple[str, str, str]:
    """(level, code, nom) of `code`; a French ValueError with close codes or names otherwise.

    Without `level`, the first level that holds the code wins, in the order epci, commune,
    departement, region, france (so "75" is the département; pass level="region" for the région).
    """
    code = str(code).strip()
    if level is not None and level not in TITLES:
        hint = did_you_mean(level, TITLES, n=2)
        raise ValueError(f"Niveau inconnu : {level!r}.{hint} Niveaux possibles : {', '.join(TITLES)}.")
    levels = [level] if level else list(_LEVEL_ORDER)
    if code.upper() == "FR" and "france" in levels:
        code = "FR"
    for lvl in levels:
        table = _territories(base, lvl)
        if code in table.index:
            return lvl, code, str(table.at[code, "nom"])
    raise ValueError(_unknown_message(base, code, levels))


def _unknown_message(base, code: str, levels: list[str]) -> str:
    t = base.territories
    t = t.loc[t["level"].isin(levels)]
    by_code = difflib.get_close_matches(code, t["code"].tolist(), n=3, cutoff=0.7)
    names = dict(zip(t["nom"].str.lower(), t["code"], strict=False))
    by_name = difflib.get_close_matches(code.lower(), names, n=3, cutoff=0.6)
    hints = [*by_code, *(f"{names[n]} ({t.loc[t['code'] == names[n], 'nom'].iloc[0]})" for n in by_name)]
    where = f" au niveau {NAMES[levels[0]]}" if len(levels) == 1 else ""
    message = f"Code de territoire inconnu{where} : {code!r}."
    elsewhere = base.territories.loc[base.territories["code"] == code]
    if len(levels) == 1 and not elsewhere.empty:
        other = elsewhere.iloc[0]
        message += f" C'est le code d'un autre niveau : {TITLES[other['level']]} {other['nom']}."
    elif hints:
        message += suggest(hints)
    else:
        message += (
            " Un EPCI se désigne par son SIREN (9 chiffres), une commune par son code INSEE (5 caractères)."
        )
    return message


def _member_communes(base, level: str, code: str) -> list[str]:
    communes = _territories(base, "commune")
    if level == "commune":
        return [code]
    if level == "france":
        return communes.index.tolist()
    return communes.index[communes[level].astype(str) == code].tolist()


# ---------------------------------------------------------------- scores (memoised per base and level)


def _composite(base, level: str) -> pd.Series:
    """The open composite index per code of `level` (0..100, higher = more fragile), as the base stores it."""

    def make():
        wide = _wide(base, level)
        if level == "france" or len(wide) < 2:
            return pd.Series(np.nan, index=wide.index, dtype=float)
        if COMPOSITE_ID in wide.columns and wide[COMPOSITE_ID].notna().any():
            return wide[COMPOSITE_ID]
        return scores.composite_index(wide).score.astype(float)  # a base built before the index was stored

    return _memo(base, ("composite", level), make)


def _neighbours(base, level: str, code: str, n: int) -> list[str]:
    """Codes of up to `n` contiguous territories of the same level, the most populous first."""
    if level == "france":
        return []
    found = scores.base_neighbours(base, level).get(code, [])
    population = _territories(base, level)["population"]
    return sorted(found, key=lambda c: -float(population.get(c, 0) or 0))[:n]


def _peers(base, level: str, code: str, n: int) -> list[str]:
    """Codes of the `n` territories of the same level with the closest socio-demographic profile."""
    if level == "france":
        return []
    try:
        return scores.peers(_wide(base, level), code, k=n).index.astype(str).tolist()
    except ValueError:  # no known feature for this territory
        return []


def _region(base, level: str) -> pd.Series | None:
    if level not in ("commune", "epci", "departement"):
        return None
    return scores.region_codes(base.territories, level).reindex(_wide(base, level).index)


def _rank_table(base, level: str) -> pd.DataFrame:
    """Long table: code, indicator, value, rank (1 = most fragile), count, national and regional percentile.

    Percentiles are oriented: 100 = the most fragile; for context indicators (no direction) 100 = the highest.
    """

    def make():
        wide = _wide(base, level)
        region = _region(base, level)
        series = {
            i.id: wide[i.id] * (i.direction or 1) for i in registry_of(base).list() if i.id in wide.columns
        }
        series[COMPOSITE_ID] = _composite(base, level)
        rows = []
        for ind_id, oriented in series.items():
            out = scores.ranks(wide, oriented.astype(float), region=region)
            regional = out.get("percentile_region", pd.Series(np.nan, index=out.index))
            rows.append(
                pd.DataFrame(
                    {
                        "level": level,
                        "code": wide.index,
                        "indicator": ind_id,
                        "value": wide[ind_id].to_numpy() if ind_id in wide.columns else oriented.to_numpy(),
                        "rank": out["rang"].to_numpy(dtype=float, na_value=np.nan),
                        "count": out["n_classes"].to_numpy(dtype=float, na_value=np.nan),
                        "national_pct": out["percentile"].to_numpy(dtype=float, na_value=np.nan),
                        "regional_pct": regional.to_numpy(dtype=float, na_value=np.nan),
                    }
                )
            )
        return pd.concat(rows, ignore_index=True).set_index(["code", "indicator"], drop=False)

    return _memo(base, ("ranks", level), make)


def _people_concerned(base, level: str, code: str, indicator: Indicator) -> tuple[float, str, str]:
    """(number, unit word, note) behind a rate: rate × the right population; NaN when not estimable."""
    if not indicator.is_rate or indicator.concerned is None:
        return float("nan"), "", ""

    def make():
        try:
            return scores.people_concerned(_wide(base, level), base.territories, indicator.id)
        except ValueError:
            return None

    table = _memo(base, ("concerned", level, indicator.id), make)
    if table is None or code not in table.index:
        return float("nan"), "", ""
    row = table.loc[code]
    number = float(row["nombre"]) if pd.notna(row["nombre"]) else float("nan")
    return number, str(row["unite"]), str(row["note"] or "")


def _robustness_sentence(base, level: str, code: str) -> str:
    """How stable the composite rank is under other weightings, in one French sentence."""
    if level == "france":
        return ""
    try:
        rob = scores.robustness(_wide(base, level), code, n_draws=200)
    except ValueError:
        return ""
    return scores.robustness_sentence(rob, scores.level_label(level))


# ---------------------------------------------------------------- assembly


def display_value(value, indicator_id: str) -> str:
    """French text of a value; missing values say why (never 0 or nan)."""
    return format_value(value, indicator_id)


def _parents(base, level: str, code: str) -> pd.DataFrame:
    rows = []
    own = _territories(base, level).loc[code]
    for parent_level in level_parents(level):
        parent_code = own.get(parent_level)
        if parent_code is None or pd.isna(parent_code):
            continue
        parent_code = str(parent_code)
        table = _territories(base, parent_level)
        if parent_code in table.index:
            rows.append((parent_level, parent_level, parent_code, str(table.at[parent_code, "nom"])))
    if level != "france":
        rows.append(("france", "france", "FR", "France"))
    return pd.DataFrame(rows, columns=["role", "level", "code", "nom"])


def _ladder(base, level: str, code: str, nom: str, neighbours, peers, parents) -> pd.DataFrame:
    members = [("territoire", level, code)]
    members += [("voisin", level, c) for c in neighbours]
    members += [("pair", level, c) for c in peers if c not in neighbours]
    members += [(r.role, r.level, r.code) for r in parents.itertuples()]
    rows = []
    for role, lvl, c in members:
        wide = _wide(base, lvl)
        if c not in wide.index:
            continue
        record = wide.loc[c]
        name = str(record.get("nom", c)) if lvl != "france" else "France"
        composite = _composite(base, lvl).get(c, np.nan)
        for ind in registry_of(base).list():
            if ind.id == COMPOSITE_ID:
                rows.append((ind.id, role, lvl, c, name, composite))
            elif ind.id in wide.columns:
                rows.append((ind.id, role, lvl, c, name, record[ind.id]))
    reg = registry_of(base)
    ladder = pd.DataFrame(rows, columns=["indicator", "role", "level", "code", "nom", "value"])
    ladder["value"] = pd.to_numeric(ladder["value"], errors="coerce")
    known = ladder.groupby("indicator")["value"].transform(lambda v: v.notna().any())
    ladder = ladder.loc[known].reset_index(drop=True)  # drop indicators that no compared territory has
    ladder["role_label"] = ladder["role"].map(ROLE_LABELS)
    quality = [
        _quality_of(base, lv, c, i)
        for lv, c, i in zip(ladder["level"], ladder["code"], ladder["indicator"], strict=True)
    ]
    ladder["coverage"] = [q[0] for q in quality]
    ladder["statut"] = [q[1] for q in quality]
    ladder["note"] = [q[2] for q in quality]
    ladder["display"] = [
        status_text(v, reg.get(i), q[1], q[0], q[2])
        for v, i, q in zip(ladder["value"], ladder["indicator"], quality, strict=True)
    ]
    ladder["millesime"] = [  # the vintage of each value, as the base says it (Base.millesime)
        _millesime_of(base, i, lv, c) or reg.get(i).millesime
        for lv, c, i in zip(ladder["level"], ladder["code"], ladder["indicator"], strict=True)
    ]
    return ladder


def _millesime_of(base, indicator_id: str, level: str, code: str) -> str | None:
    """`Base.millesime` of one territory's value when the base has it, else None."""
    accessor = getattr(base, "millesime", None)
    return accessor(indicator_id, level, code) if callable(accessor) else None


def _key_figures(base, level: str, code: str) -> pd.DataFrame:
    wide = _wide(base, level)
    ranks = _rank_table(base, level) if level != "france" else None  # France is ranked against nothing
    composite = [COMPOSITE_ID] if level != "france" else []  # a relative index: no meaning for France alone
    reg = registry_of(base)
    key_ids = [*_KEY_IDS, *composite, *(i.id for i in reg.list() if i.composite)]
    used = _vintages_used(base, level, code)
    rows = []
    for ind_id in dict.fromkeys(key_ids):
        ind = reg.get(ind_id)
        if ind_id == COMPOSITE_ID:
            value = float(_composite(base, level).get(code, np.nan))
        elif ind_id in wide.columns:
            value = pd.to_numeric(wide.at[code, ind_id], errors="coerce")
        else:
            continue
        concerned, word, note = _people_concerned(base, level, code, ind)
        coverage, status, value_note = _quality_of(base, level, code, ind_id)
        entry = base.source_entry(ind_id, level) if hasattr(base, "source_entry") else ind.source_entry
        unit, source = ind.unit, entry.producer
        millesime = _millesime_of(base, ind_id, level, code) or used.get(ind_id) or ind.millesime
        citation = with_detail(entry.citation, millesime)  # the vintage and source the base holds
        rank_row = ranks.loc[(code, ind_id)] if ranks is not None and (code, ind_id) in ranks.index else None
        rows.append(
            {
                "indicator": ind_id,
                "label": ind.label,
                "value": value,
                "display": status_text(value, ind, status, coverage, value_note),
                "coverage": coverage,
                "statut": status,
                "note": value_note,
                "unit": unit,
                "source": source,
                "millesime": millesime,
                "citation": citation,
                "rank": rank_row["rank"] if rank_row is not None else np.nan,
                "count": rank_row["count"] if rank_row is not None else np.nan,
                "national_pct": rank_row["national_pct"] if rank_row is not None else np.nan,
                "regional_pct": rank_row["regional_pct"] if rank_row is not None else np.nan,
                "concerned": concerned,
                "concerned_text": _concerned_text(ind_id, concerned, word)
                + (" (estimé)" if status == "estimé" and math.isfinite(concerned) else ""),
                "concerned_note": note,
            }
        )
    return pd.DataFrame(rows).set_index("indicator", drop=False)


def _vintages_used(base, level: str, code: str) -> dict[str, str]:
    """Indicator -> millésime of the values the base holds for this territory (report of the build:
    with `--millesimes courants` it is read from the producer's file, not the registry's text)."""
    values = getattr(base, "values", None)
    if values is None or "millesime" not in values.columns:
        return {}
    rows = values[(values["level"] == level) & (values["code"] == code)]
    rows = rows[rows["millesime"].notna()]
    return dict(zip(rows["indicator"].astype(str), rows["millesime"].astype(str), strict=True))


def _concerned_text(indicator_id: str, number: float, word: str) -> str:
    """'environ 40 000 personnes'; for a coverage rate (higher is better) the count is of those left out."""
    if not math.isfinite(number):
        return ""
    left_out = " non couverts" if get_indicator(indicator_id).direction < 0 else ""
    return f"environ {_group_int(number)} {word}{left_out}"


def _group_int(number: float) -> str:
    return format_number(round(number))


def _summary(key: pd.DataFrame, level: str, reg: Registry | None = None) -> list[str]:
    """Strengths and fragilities in plain French, from national percentiles.

    `national_pct` is already oriented by `_rank_table` (100 = the most fragile whatever the direction):
    it is used as is, never turned over a second time (a good THD coverage is a strength).
    """
    reg = reg or registry()
    directional = [
        i
        for i in key.index
        if i != COMPOSITE_ID and not i.startswith("ifn") and get_indicator(i).direction != 0
    ]
    oriented = {}
    for ind_id in directional:
        pct = key.at[ind_id, "national_pct"]
        if pd.notna(pct):
            oriented[ind_id] = float(pct)
    others = "territoires" if level == "france" else PLURALS[level]
    fragile = sorted((i for i, p in oriented.items() if p >= 75), key=lambda i: -oriented[i])
    strong = sorted((i for i, p in oriented.items() if p <= 25), key=lambda i: oriented[i])
    lines = []
    ifn = key["value"].get("ifn", np.nan)
    if pd.notna(ifn):
        ifn_pct = key.at["ifn", "national_pct"]
        where = f" ; il est plus élevé que dans {ifn_pct:.0f} % des {others}" if pd.notna(ifn_pct) else ""
        lines.append(f"Indice de fragilité numérique : {display_value(ifn, 'ifn')}{where}.")
    if fragile:
        words = ", ".join(f"{lower_first(reg.get(i).short)} ({key.at[i, 'display']})" for i in fragile[:4])
        lines.append(f"Fragilités (parmi le quart le plus fragile des {others}) : {words}.")
    if strong:
        words = ", ".join(f"{lower_first(reg.get(i).short)} ({key.at[i, 'display']})" for i in strong[:4])
        lines.append(f"Points d'appui (parmi le quart le moins fragile des {others}) : {words}.")
    if not fragile and not strong and oriented:
        lines.append(f"Le territoire se situe dans la moyenne des {others} pour les principaux indicateurs.")
    return lines


def _caveats(key: pd.DataFrame, communes: pd.DataFrame) -> list[str]:
    lines = [
        "Ces indicateurs mesurent un risque de fragilité numérique, pas un nombre de personnes exclues "
        "du numérique : les effectifs « concernés » appliquent un taux à une population.",
        "Les sources ont des millésimes différents (du recensement 2017 à 2024) ; la couverture "
        "très haut débit date de 2019 et a beaucoup progressé depuis.",
    ]
    secret = key.loc[key["value"].isna() & (key["indicator"] != COMPOSITE_ID), "label"].tolist()
    if secret:
        lines.append(
            f"Donnée non disponible pour ce territoire (secret statistique ou absence) : {', '.join(secret)}."
        )
    if "taux_pauvrete" in communes.columns and len(communes) > 1:
        hidden = int(communes["taux_pauvrete"].isna().sum())
        status = key["statut"].get("taux_pauvrete") if "statut" in key.columns else None
        if hidden:
            how = {  # what the territory's figure is made of (its status in the base, issue #14)
                "estimé": "leur taux est estimé à partir de leur revenu médian, d'où la mention « estimé »",
                "couverture insuffisante": "trop peu de population reste couverte : la valeur n'est pas affichée",
            }.get(status, "la valeur du territoire repose sur les communes publiées")
            lines.append(
                f"Taux de pauvreté : {hidden} commune(s) sur {len(communes)} sont sous secret statistique ; {how}."
            )
    return lines


def _data_date(base) -> str:
    report = getattr(base, "report", None)
    built = None
    if isinstance(report, dict):
        built = report.get("built_at") or report.get("date")
    elif report is not None and hasattr(report, "attrs"):
        built = report.attrs.get("built_at")
    return str(built)[:10] if built else dt.date.today().isoformat()


def build_profile(
    base, code: str, level: str | None = None, *, n_neighbours: int = 5, n_peers: int = 5
) -> Profile:
    """The profile of one territory (EPCI, commune, département, région or France).

    Raises a French ValueError naming close codes when `code` is unknown at `level`.
    """
    level, code, nom = resolve_territory(base, code, level)
    parents = _parents(base, level, code)
    neighbours = _neighbours(base, level, code, n_neighbours)
    peers = _peers(base, level, code, n_peers)
    ladder = _ladder(base, level, code, nom, neighbours, peers, parents)
    key = _key_figures(base, level, code)
    member_codes = _member_communes(base, level, code) if level != "france" else []
    communes = (
        _wide(base, "commune").reindex(member_codes) if member_codes else _wide(base, "commune").iloc[:0]
    )
    parts = [
        _rank_table(base, lvl).loc[lambda r, codes=codes: r["code"].isin(codes)]
        for lvl, codes in ladder.groupby("level")["code"].unique().items()
        if lvl != "france"
    ]
    empty = pd.DataFrame(columns=["level", "code", "indicator", "value", *_RANK_COLUMNS])
    ranks = pd.concat(parts, ignore_index=True) if parts else empty
    return Profile(
        level=level,
        code=code,
        nom=nom,
        parents=parents,
        key_figures=key,
        ladder=ladder,
        ranks=ranks,
        communes=communes,
        summary=[
            *_summary(key, level, registry_of(base)),
            *filter(None, [_robustness_sentence(base, level, code)]),
        ],
        caveats=_caveats(key, communes),
        data_date=_data_date(base),
        n_communes=len(member_codes),
        registry=registry_of(base),
        source_ids=_source_ids(base, level),
        urls={
            str(sid): str(e["url"])
            for sid, e in ((getattr(base, "report", None) or {}).get("provenance") or {}).items()
            if isinstance(e, dict) and e.get("url")
        },
    )


def _source_ids(base, level: str) -> dict[str, str]:
    """Indicator -> id of the source its values carry at `level` (`Base.source_entry`), if the base says."""
    accessor = getattr(base, "source_entry", None)
    if not callable(accessor):
        return {}
    return {i.id: accessor(i.id, level).id for i in registry_of(base).list()}
