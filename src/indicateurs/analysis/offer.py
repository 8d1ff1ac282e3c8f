"""The local offer in numbers: which communes a territory covers, which places are near, offer per
type and per inhabitant, who lives far from any place, where need meets little supply.

Pure computations on the base's frames (no drawing: `indicateurs.render.places_map` draws them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from indicateurs.analysis.access import ANY, distance_column, zones_blanches
from indicateurs.reference import levels
from indicateurs.reference.catalogue import Source, find_source, sources_caption
from indicateurs.reference.registry import list_indicators
from indicateurs.reference.text import with_detail
from indicateurs.sources.places import DRAWN_TYPES, PLACE_TYPES, SOURCE_IDS, TYPE_SOURCES

__all__ = [
    "CONCERNED_NOTE",
    "MARGIN_DEG",
    "MEASURES",
    "NOT_AVAILABLE",
    "OFFER_ROWS",
    "OfferSources",
    "access_summary",
    "access_table",
    "commune_counts",
    "concerned_note",
    "distinct_total",
    "need_indicators",
    "need_supply_frame",
    "need_supply_points",
    "offer_comparison",
    "offer_sources",
    "places_near",
    "territory_scope",
]

OFFER_ROWS: list[tuple[str, str]] = [
    ("nb_france_services", "Espaces France Services"),
    ("nb_permanences_cnfs", "Permanences de conseillers numériques"),
    ("nb_lieux_mediation", "Lieux de médiation (data·inclusion, partiel)"),
    ("nb_structures_aidants_connect", "Structures Aidants Connect"),
    ("nb_lieux_total", "Total des lieux (doublons possibles entre sources)"),
    ("nb_postes_cnfs", "Postes de conseillers numériques validés"),
    ("nb_cnfs_recrutes", "Conseillers numériques recrutés"),
    ("nb_aidants_connect", "Aidants habilités Aidants Connect"),
]


# The place type each count of OFFER_ROWS comes from (its label names the type's source when the base
# used another source than the pinned one).
ROW_TYPES = {
    "nb_france_services": "france_services",
    "nb_permanences_cnfs": "conseiller_numerique",
    "nb_lieux_mediation": "lieu_mediation",
    "nb_structures_aidants_connect": "aidants_connect",
}
_ROW_WORDS = {
    "nb_france_services": "Espaces France Services",
    "nb_permanences_cnfs": "Permanences de conseillers numériques",
    "nb_lieux_mediation": "Lieux de médiation",
    "nb_structures_aidants_connect": "Structures Aidants Connect",
}
MERGED_TOTAL = "Total des lieux (chaque lieu compté une fois : doublons entre sources fusionnés)"
POSSIBLE_DUPLICATES = "Des doublons entre sources sont possibles."
MERGED_DUPLICATES = (
    "Doublons entre sources fusionnés : chaque lieu est compté une fois (même identifiant, même SIRET "
    "et même commune, ou même nom et même commune)."
)


@dataclass(frozen=True)
class OfferSources:
    """Which sources the base's places really come from, per drawn type, and whether the build merged
    the duplicates between sources: the words of every offer table, map and caption follow it."""

    mode: str = "figes"
    type_sources: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(TYPE_SOURCES))
    source_ids: tuple[str, ...] = SOURCE_IDS
    merged: bool = False
    # source id -> the vintage the build used (read in the file, or the release the resolver chose)
    vintages: dict[str, str] = field(default_factory=dict)

    def source(self, source_id: str) -> Source:
        return find_source(source_id, self.mode)

    def _named(self, source_id: str) -> str:
        src = self.source(source_id)
        return ", ".join(filter(None, [src.label or src.citation, src.caveat]))

    @property
    def rows(self) -> list[tuple[str, str]]:
        """OFFER_ROWS with the labels of this base: a count whose type comes from another source
        than the pinned one names it; the total says whether duplicates were merged."""
        out = []
        for key, label in OFFER_ROWS:
            kind = ROW_TYPES.get(key)
            used = self.type_sources.get(kind, ()) if kind else ()
            if kind and used and tuple(used) != TYPE_SOURCES.get(kind):
                label = with_detail(_ROW_WORDS[key], " ; ".join(self._named(s) for s in used))
            elif key == "nb_lieux_total" and self.merged:
                label = MERGED_TOTAL
            out.append((key, label))
        return out

    @property
    def mediation_words(self) -> str:
        """How a sentence names the places of mediation: 'lieux data·inclusion' with the pinned files."""
        used = self.type_sources.get("lieu_mediation", ())
        if not used or tuple(used) == TYPE_SOURCES["lieu_mediation"]:
            return "lieux data·inclusion"
        return with_detail("lieux de médiation", " ; ".join(self._named(s) for s in used))

    @property
    def caption(self) -> str:
        """'Sources : … Des doublons entre sources sont possibles.' with the sources the base used."""
        return f"{sources_caption(self.source_ids, self.mode, self.vintages)} {MERGED_DUPLICATES if self.merged else POSSIBLE_DUPLICATES}"


def offer_sources(base=None) -> OfferSources:
    """The offer sources of `base` (its places' `source` per type, its report's de-duplication); the
    pinned files' for a base that does not say (a base built before, or a test's stand-in)."""
    places = getattr(base, "places", None)
    report = getattr(base, "report", None) or {}
    mode = str(report.get("millesimes") or "figes")
    if (
        mode != "courants"
        or places is None
        or not len(places)
        or not {"type", "source"} <= set(places.columns)
    ):
        return OfferSources(mode=mode)  # the pinned files, their words unchanged
    own = places
    if "local" in own.columns:
        own = own[~own["local"].fillna(False).astype(bool)]
    types = {}
    for kind in DRAWN_TYPES:
        counts = own.loc[own["type"] == kind, "source"].astype(str).value_counts()
        if len(counts):
            types[kind] = tuple(counts.index)
    used = set(own["source"].astype(str))
    known = [*SOURCE_IDS, *sorted(used - set(SOURCE_IDS))]
    ids = tuple(s for s in known if s in used)
    vintages = {}
    for sid in ids:  # a vintage read in the file, or the release a producer's endpoint gave
        entry = (report.get("provenance") or {}).get(sid) or {}
        if entry.get("millesime_fichier"):
            vintages[sid] = str(entry["millesime_fichier"])
        elif (
            entry.get("millesime")
            and not entry.get("repli")
            and find_source(sid, mode).resolve not in ("", "fige")
        ):
            vintages[sid] = str(entry["millesime"])
    # a current build always applies THE de-duplication rule (sources.places._merge_current)
    return OfferSources(
        mode=mode, type_sources={**TYPE_SOURCES, **types}, source_ids=ids, merged=True, vintages=vintages
    )


_TOTAL_PARTS = (
    "nb_france_services",
    "nb_permanences_cnfs",
    "nb_lieux_mediation",
    "nb_structures_aidants_connect",
)


MEASURES = {
    "nombre": "Nombre",
    "pour_10000": "Pour 10 000 habitants",
    "pour_1000_concernes": "Pour 1 000 personnes peu ou pas diplômées (estimation)",
}


CONCERNED_NOTE = (
    "Personnes concernées estimées = population × part des 15 ans ou plus sans diplôme ou peu diplômés "
    "(RP 2017) : le faible niveau de diplôme est le premier facteur d'éloignement du numérique (INSEE). "
    "La part étant calculée sur les 15 ans ou plus, l'appliquer à toute la population donne un majorant "
    "(surestimé d'environ un cinquième) : c'est un ordre de grandeur, pas un décompte."
)


def concerned_note(millesime: str = "RP 2017") -> str:
    """CONCERNED_NOTE with the census vintage of the share the base holds (`Base.millesime`)."""
    return CONCERNED_NOTE.replace("(RP 2017)", f"({millesime})")


NOT_AVAILABLE = "donnée non disponible (secret statistique)"


MARGIN_DEG = 0.08  # ~6-9 km: places just across the border are part of the local offer


def territory_scope(territories: pd.DataFrame, level: str, code: str) -> tuple[list[str], str | None]:
    """Communes drawn for a territory and the code outlined on the map.

    EPCI or département: its communes. Commune: the communes of its EPCI, the commune outlined.
    Région or France: no commune map (too many points for a projector): empty list.
    """
    communes = territories[territories["level"] == "commune"]
    if level in ("epci", "departement"):
        return sorted(communes.loc[communes[level] == code, "code"].astype(str)), None
    if level == "commune":
        row = communes[communes["code"] == code]
        if row.empty:
            return [], None
        epci = row["epci"].iloc[0]
        if pd.isna(epci):
            return [code], code
        return sorted(communes.loc[communes["epci"] == epci, "code"].astype(str)), code
    return [], None


def places_near(places: pd.DataFrame, bounds: Sequence[float], margin: float = MARGIN_DEG) -> pd.DataFrame:
    """Drawable places (fixed, with coordinates) inside ``bounds`` (minx, miny, maxx, maxy) plus a margin."""
    minx, miny, maxx, maxy = bounds
    itinerant = places["itinerant"].fillna(False).astype(bool) if "itinerant" in places else False
    keep = (
        places["type"].isin(DRAWN_TYPES)
        & ~itinerant
        & places["latitude"].between(miny - margin, maxy + margin)
        & places["longitude"].between(minx - margin, maxx + margin)
    )
    return places[keep.fillna(False)].reset_index(drop=True)


def distinct_total(row: pd.Series) -> float:
    """Distinct places of a territory: the numerator of ``lieux_pour_10000`` (each place once, after
    the de-duplication rule), read back from the rate; the sum of the types when the rate is missing.

    The sum of the types counts twice a place that belongs to two programmes (a France Services site
    hosting a conseiller numérique, in current releases); on the pinned files both are equal.
    """
    rate, population = row.get("lieux_pour_10000", np.nan), row.get("population", np.nan)
    known = rate is not None and population is not None and not pd.isna(rate) and not pd.isna(population)
    if known and population > 0:
        return float(round(float(rate) * float(population) / 10_000))
    parts = (row.get(k, 0) for k in _TOTAL_PARTS)
    return float(sum(0.0 if v is None or pd.isna(v) else float(v) for v in parts))


def _ratio(num: float, den: float, scale: float) -> float:
    if den is None or pd.isna(den) or den <= 0 or num is None or pd.isna(num):
        return np.nan
    return float(num) / float(den) * scale


def offer_comparison(
    rows: Sequence[tuple[str, pd.Series]], measure: str = "nombre", words: OfferSources | None = None
) -> pd.DataFrame:
    """Offer per type for several territories side by side (one column per territory).

    ``rows``: (label, wide row with ``population``, ``part_peu_diplomes`` and the ``nb_*`` counts).
    ``measure``: ``nombre``, ``pour_10000`` (per 10,000 inhabitants) or ``pour_1000_concernes``
    (per 1,000 estimated people concerned, see ``CONCERNED_NOTE``). Missing stays NaN.
    ``words``: the base's offer sources (`offer_sources(base)`): the row labels name them.
    """
    offer_rows = (words or OfferSources()).rows
    if measure not in MEASURES:
        raise ValueError(f"Mesure inconnue : {measure!r} (choix : {', '.join(MEASURES)}).")
    table = {}
    for label, row in rows:
        counts = {key: row.get(key, np.nan) for key, _ in offer_rows}
        counts["nb_lieux_total"] = distinct_total(row)
        population = row.get("population", np.nan)
        if measure == "pour_10000":
            values = {k: _ratio(v, population, 10_000) for k, v in counts.items()}
        elif measure == "pour_1000_concernes":
            concerned = population * row.get("part_peu_diplomes", np.nan)
            values = {k: _ratio(v, concerned, 1_000) for k, v in counts.items()}
        else:
            values = counts
        table[label] = [values[key] for key, _ in offer_rows]
    frame = pd.DataFrame(table, index=[label for _, label in offer_rows], dtype="float64")
    frame.index.name = MEASURES[measure]
    return frame


def commune_counts(
    wide: pd.DataFrame, codes: Iterable[str], words: OfferSources | None = None
) -> pd.DataFrame:
    """Places per type for each commune of the territory, with the total per 10,000 inhabitants
    (column labels: the base's offer sources, `offer_sources(base)`)."""
    offer_rows = (words or OfferSources()).rows
    sub = wide.reindex([str(c) for c in codes])
    out = pd.DataFrame({"Commune": sub["nom"].to_numpy(), "Code": sub.index.to_numpy()})
    out["Population"] = pd.to_numeric(sub["population"], errors="coerce").to_numpy()
    for key, label in offer_rows:
        if key == "nb_lieux_total":
            values = sub.apply(distinct_total, axis=1) if len(sub) else sub[list(_TOTAL_PARTS)].sum(axis=1)
        else:
            values = sub[key]
        out[label] = pd.to_numeric(values, errors="coerce").to_numpy()
    total = out[dict(offer_rows)["nb_lieux_total"]]
    out["Lieux pour 10 000 hab."] = (total / out["Population"].where(out["Population"] > 0) * 10_000).round(1)
    return out.sort_values(["Population"], ascending=False).reset_index(drop=True)


def access_table(
    distances: pd.DataFrame, communes: pd.DataFrame, types: Iterable[str] = DRAWN_TYPES
) -> pd.DataFrame:
    """One row per commune: population, km to the nearest place of each type and of any type, zone blanche.

    ``communes``: ``code``, ``nom``, ``population``. Sorted by distance to the nearest place, farthest first.
    """
    types = list(types)
    frame = communes[["code", "nom", "population"]].copy()
    frame["code"] = frame["code"].astype(str)
    dist = distances.reindex(frame["code"])
    columns = {
        "Commune": frame["nom"].to_numpy(),
        "Code": frame["code"].to_numpy(),
        "Population": frame["population"].to_numpy(),
    }
    for place_type in types:
        columns[f"{PLACE_TYPES[place_type]} (km)"] = dist[distance_column(place_type)].round(1).to_numpy()
    nearest = dist[distance_column(ANY)].to_numpy()
    columns["Lieu le plus proche (km)"] = np.round(nearest, 1)
    columns["Zone blanche"] = np.select(
        [np.nan_to_num(nearest, nan=np.inf) > 20, np.nan_to_num(nearest, nan=np.inf) > 10],
        ["plus de 20 km", "plus de 10 km"],
        "",
    )
    out = pd.DataFrame(columns)
    return out.sort_values("Lieu le plus proche (km)", ascending=False, na_position="first").reset_index(
        drop=True
    )


def access_summary(
    distances: pd.DataFrame, communes: pd.DataFrame, thresholds: Sequence[float] = (10, 20)
) -> pd.DataFrame:
    """Population and communes farther than each threshold from any place (one row per threshold)."""
    pop = communes[["code", "population"]].assign(territoire="T")
    zb = zones_blanches(distances, pop, thresholds, level="territoire")
    total = float(zb["population"].iloc[0]) if len(zb) else 0.0
    rows = []
    for t in thresholds:
        rows.append(
            {
                "Distance à tout lieu": f"plus de {t:g} km",
                "Population": int(zb[f"population_plus_{t:g}km"].iloc[0]) if len(zb) else 0,
                "Part de la population": zb[f"part_plus_{t:g}km"].iloc[0] if len(zb) and total else np.nan,
                "Communes": int(zb[f"communes_plus_{t:g}km"].iloc[0]) if len(zb) else 0,
            }
        )
    return pd.DataFrame(rows)


def need_indicators(available: Iterable[str], indicators: Iterable | None = None) -> dict[str, str]:
    """Indicators that measure need (higher = more fragile) among ``available`` ids: id -> label.
    ``indicators``: the base's registry entries (`Base.registry.list()`), else the process's."""
    available = set(available)
    entries = list_indicators() if indicators is None else indicators
    return {i.id: i.label for i in entries if i.direction == 1 and i.id in available}


def need_supply_points(
    territories: pd.DataFrame, level: str, code: str, points: str = "epci"
) -> tuple[list[str], str, str | None, str]:
    """Which territories the need-vs-supply chart places: (codes, their level, code to mark, caption).

    ``points="epci"``: the EPCI of the région (of the département for a département, of France for
    France), the chosen EPCI marked. ``points="commune"``: the communes drawn on the map.
    """
    communes = territories[territories["level"] == "commune"]
    if points == "commune":
        codes, highlight = territory_scope(territories, level, code)
        if codes:
            return codes, "commune", highlight, "Chaque point est une commune ; taille = population."
    row = territories[(territories["level"] == level) & (territories["code"] == code)]
    if level == "departement":
        area = ("departement", code)
    elif level == "region":
        area = ("region", code)
    elif level in ("epci", "commune") and len(row) and isinstance(row["region"].iloc[0], str):
        area = ("region", row["region"].iloc[0])
    else:
        area = None
    members = communes[communes[area[0]] == area[1]] if area else communes
    codes = sorted(set(members["epci"].dropna().astype(str)))
    mark = code if level == "epci" else (row["epci"].iloc[0] if level == "commune" and len(row) else None)
    where = levels.of(area[0]) if area else "de France"
    caption = f"Chaque point est un EPCI {where} ; taille = population."
    return codes, "epci", mark if isinstance(mark, str) else None, caption


def need_supply_frame(wide: pd.DataFrame, codes: Iterable[str], need: str | pd.Series) -> pd.DataFrame:
    """Territories with a need value and an offer per 10,000 inhabitants (rows without need apart).

    ``need``: an indicator id of ``wide``, or values indexed by code (e.g. the composite index).
    """
    sub = wide.reindex([str(c) for c in codes])
    need_values = sub[need] if isinstance(need, str) else need.reindex(sub.index)
    frame = pd.DataFrame(
        {
            "code": sub.index.astype(str),
            "nom": sub["nom"].to_numpy(),
            "population": pd.to_numeric(sub["population"], errors="coerce").to_numpy(),
            "besoin": pd.to_numeric(need_values, errors="coerce").to_numpy(),
            "offre": pd.to_numeric(sub["lieux_pour_10000"], errors="coerce").to_numpy(),
        }
    )
    frame.attrs["sans_donnee"] = int(
        frame["besoin"].isna().sum() + (frame["besoin"].notna() & frame["offre"].isna()).sum()
    )
    return frame.dropna(subset=["besoin", "offre"]).reset_index(drop=True)
