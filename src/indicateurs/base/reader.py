"""Reader of the built base: territories, indicator values in long form, web geometries, offer places.

`load_base()` reads back in well under a second what `indicateurs.build.build_base()` wrote under
`data/base/`; it never computes anything, so every view can rely on it without the build's weight.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import pandas as pd

from indicateurs.config import base_dir
from indicateurs.errors import AtlasError
from indicateurs.reference.catalogue import Source, find_source
from indicateurs.reference.registry import COMPUTED, LEVELS, Indicator, Registry, get_indicator, status_text
from indicateurs.reference.text import did_you_mean, with_detail

__all__ = ["GEO_SOURCES", "Base", "BaseBuildError", "BaseCorruptError", "BaseMissingError", "load_base"]

GEO_SOURCES = {
    "commune": "geo_communes_2025",
    "epci": "geo_epci_2025",
    "departement": "geo_departements_2025",
    "region": "geo_regions_2025",
}


# Inputs of the figures the atlas computes from places and populations (the composite index: the
# indicators flagged `composite`): their millésime is composed from the inputs' in a current base.
_PLACE_COUNTS = (
    "nb_france_services",
    "nb_permanences_cnfs",
    "nb_lieux_mediation",
    "nb_structures_aidants_connect",
)
COMPUTED_INPUTS = {
    "lieux_pour_10000": (*_PLACE_COUNTS, "population"),
    "distance_lieu_km": _PLACE_COUNTS,
    "part_pop_plus_10km": (*_PLACE_COUNTS, "population"),
    "part_pop_plus_20km": (*_PLACE_COUNTS, "population"),
}


class BaseMissingError(AtlasError, FileNotFoundError):
    """The base has not been built yet (run `python -m indicateurs build`)."""


class BaseCorruptError(AtlasError, RuntimeError):
    """The files of the built base cannot be read; rebuilding fixes it."""


class BaseBuildError(AtlasError, RuntimeError):
    """The base could not be written (disk full, read-only folder...); the previous base is kept."""


class Base:
    """Read-only view of the built base. Frames returned are copies: callers may change them freely."""

    def __init__(
        self,
        folder: Path,
        territories: pd.DataFrame,
        values: pd.DataFrame,
        places: pd.DataFrame,
        report: dict,
    ):
        self.folder = folder
        self.territories = territories
        self.values = values
        self.places = places
        self.report = report
        self.built_at: str = report.get("built_at", "")
        self._wide: dict[str, pd.DataFrame] = {}
        self._geo: dict[str, gpd.GeoDataFrame] = {}
        self._vintages: dict[str | None, tuple[dict, dict]] = {}

    # ------------------------------------------------------------------ registry

    @property
    def mode(self) -> str:
        """The catalogue the base was BUILT from (`figes` or `courants`, report.json), not this process's."""
        return str(self.report.get("millesimes") or "figes")

    @cached_property
    def registry(self) -> Registry:
        """The indicators as this base's build defined them: the labels, sources and denominators of
        its mode, whatever `INDICATEURS_MILLESIMES` says in the process that reads it; in a current
        base, an indicator whose values fell back on the pinned source keeps its pinned entry."""
        if self.mode != "courants" or "source" not in self.values.columns:
            return Registry(self.mode)
        sources = self.values.groupby("indicator", observed=True)["source"].agg(lambda s: set(map(str, s)))
        fallen = set()
        for current in Registry("courants").list():
            pinned = get_indicator(current.id, mode="figes")
            used = sources.get(current.id, set())
            if pinned.source != current.source and used and current.source not in used:
                fallen.add(current.id)
        return Registry(self.mode, frozenset(fallen))

    def indicator(self, indicator_id: str) -> Indicator:
        """The registry entry of an indicator as this base defines it (`Base.registry`)."""
        return self.registry.get(indicator_id)

    # ------------------------------------------------------------------ vintages

    def source_millesime(self, source_id: str) -> str | None:
        """The vintage of a source as the build used it (report.json `provenance`), or None when the
        build says nothing newer than the catalogue's text.

        The vintage read in the file wins; else, for a source taken from the current catalogue (not a
        fallback to the snapshot), the release the resolver chose. A pinned build keeps its texts."""
        entry = (self.report.get("provenance") or {}).get(source_id) or {}
        if entry.get("millesime_fichier"):
            return str(entry["millesime_fichier"])
        if entry.get("catalogue") == "courants" and not entry.get("repli") and entry.get("millesime"):
            return str(entry["millesime"])
        return None

    def millesime(self, indicator_id: str, level: str | None = None, code: str | None = None) -> str:
        """The vintage of the values this base holds for an indicator (at `level`, for territory `code`
        when given, else at any level): the one every view prints. The registry's text is kept when
        the base's vintage agrees with it (same years), so a pinned build reads as before; several
        vintages (e.g. Filosofi published above the commune for some EPCI) are joined with ' ; '."""
        pairs, per_code = self._vintage_pairs(level)
        found = pairs.get(indicator_id, [])
        if code is not None and len(found) > 1 and (str(code), indicator_id) in per_code:
            found = [per_code[(str(code), indicator_id)]]
        ind = self.indicator(indicator_id)
        if ind.source == COMPUTED and self.mode == "courants":
            composed = self._computed_millesime(indicator_id, level, code)
            if composed:
                return composed
        texts = []
        for source_id, text in found or [(ind.source, ind.millesime)]:
            text = text or ind.millesime
            used = self.source_millesime(source_id)
            texts.append(text if used is None or _same_years(text, used) else used)
        return " ; ".join(dict.fromkeys(texts))

    def citation(self, indicator_id: str, level: str | None = None, code: str | None = None) -> str:
        """'Producer, dataset (vintage)' with the vintage of the values this base holds; the producer
        is the one of the source the values carry (the national file of places of mediation in
        current mode, not the registry's data·inclusion extract) when they all carry one."""
        return with_detail(
            self.source_entry(indicator_id, level).citation, self.millesime(indicator_id, level, code)
        )

    def source_entry(self, indicator_id: str, level: str | None = None) -> Source:
        """The catalogue entry of the source the indicator's values carry in this base (the registry's
        when the values name several, e.g. Filosofi published above the commune for some EPCI)."""
        ind = self.indicator(indicator_id)
        pairs, _per_code = self._vintage_pairs(level)
        used = {s for s, _text in pairs.get(indicator_id, []) if s and s != "nan"}
        if len(used) == 1 and ind.source not in used and ind.source != COMPUTED:
            try:
                return find_source(used.pop(), self.mode)
            except ValueError:
                pass
        return ind.source_entry

    def indicator_at(self, indicator_id: str, level: str | None = None) -> Indicator:
        """The registry entry with the source its values carry at `level` (for a view that cites
        `Indicator.source_entry`, such as the map's legend and tooltips)."""
        ind = self.indicator(indicator_id)
        entry = self.source_entry(indicator_id, level)
        return ind if entry.id == ind.source else replace(ind, source=entry.id)

    def _computed_millesime(self, indicator_id: str, level: str | None, code: str | None) -> str:
        """The vintage of a figure the atlas computes (lieux pour 10 000, distances, composite index),
        composed from the vintages of its inputs in this base: 'France Services : ressource du … ;
        Lieux de médiation, Permanences CnFS : lieux mis à jour jusqu'au … ; Population : …'."""
        if indicator_id == "indice_composite":
            inputs = tuple(i.id for i in self.registry.list() if i.composite)
        else:
            inputs = COMPUTED_INPUTS.get(indicator_id, ())
        present = set(self.values["indicator"].astype(str)) if "indicator" in self.values else set()
        grouped: dict[str, list[str]] = {}
        for input_id in inputs:
            if input_id not in present:
                continue
            vintage = re.sub(r"^[^:\d]{1,40} : ", "", self.millesime(input_id, level, code))
            grouped.setdefault(vintage, []).append(self.indicator(input_id).short)
        return " ; ".join(f"{', '.join(shorts)} : {vintage}" for vintage, shorts in grouped.items())

    def _row_millesimes(self, level: str, codes, indicator_ids) -> list[str]:
        """`millesime` of many (code, indicator) rows: one lookup per indicator, per territory only
        where the level mixes vintages."""
        pairs, _per_code = self._vintage_pairs(level)
        shared = {i: self.millesime(i, level) for i in set(indicator_ids) if len(pairs.get(i, [])) <= 1}
        return [
            shared[i] if i in shared else self.millesime(i, level, c)
            for c, i in zip(codes, indicator_ids, strict=True)
        ]

    def _vintage_pairs(self, level: str | None) -> tuple[dict, dict]:
        """Per indicator, the (source, millésime) pairs of its values at `level` (one pass over the
        values, kept); for an indicator with several, the pair of each territory."""
        if level not in self._vintages:
            values = self.values
            if not {"source", "millesime"} <= set(values.columns):
                self._vintages[level] = ({}, {})
                return self._vintages[level]
            sub = values if level is None else values[values["level"] == level]
            keys = sub[["indicator", "source", "millesime"]].drop_duplicates()
            pairs: dict[str, list[tuple[str, str]]] = {}
            for ind_id, source_id, text in keys.to_numpy():
                pairs.setdefault(str(ind_id), []).append(
                    (str(source_id), str(text) if pd.notna(text) else "")
                )
            multi = [i for i, p in pairs.items() if len(p) > 1]
            rows = sub[sub["indicator"].isin(multi)] if multi else sub.iloc[:0]
            per_code = {
                (str(c), str(i)): (str(s), str(m))
                for c, i, s, m in rows[["code", "indicator", "source", "millesime"]].to_numpy()
            }
            self._vintages[level] = (pairs, per_code)
        return self._vintages[level]

    def wide(self, level: str) -> pd.DataFrame:
        """One row per territory of `level` (index = code): `nom`, `population` and one column per indicator."""
        _check_level(level)
        if level not in self._wide:
            sub = self.values[self.values["level"] == level]
            table = sub.pivot(index="code", columns="indicator", values="value")
            names = self.territories.loc[self.territories["level"] == level].set_index("code")["nom"]
            # every registry indicator is a column at every level (missing where it does not apply)
            table = table.reindex(index=names.index, columns=[i.id for i in self.registry.list()])
            table.insert(0, "nom", names)
            table.columns.name = None
            self._wide[level] = table
        return self._wide[level].copy()

    def coverage(self, level: str) -> pd.DataFrame:
        """Share of the population of each territory whose communes have a value, per indicator."""
        _check_level(level)
        sub = self.values[self.values["level"] == level]
        return sub.pivot(index="code", columns="indicator", values="coverage")

    def quality(self, level: str) -> pd.DataFrame:
        """Coverage, status (`statut`) and note of every value of `level`, indexed by (code, indicator).

        A base built before statuses existed gives coverage only (statut and note empty)."""
        _check_level(level)
        sub = self.values[self.values["level"] == level]
        out = pd.DataFrame(
            {
                "code": sub["code"].astype(str).to_numpy(),
                "indicator": sub["indicator"].astype(str).to_numpy(),
                "coverage": sub["coverage"].to_numpy(),
                "statut": sub["statut"].astype(object).to_numpy() if "statut" in sub else None,
                "note": sub["note"].astype(object).to_numpy() if "note" in sub else "",
            }
        )
        return out.set_index(["code", "indicator"])

    def detail(self, level: str, codes=None) -> pd.DataFrame:
        """Long table that travels with an export: one row per (territory, indicator) with value, unit,
        source, millésime, coverage, status and note (rates as fractions, unit '%' says so)."""
        quality = self.quality(level).reset_index()
        values = self.values[self.values["level"] == level]
        frame = quality.assign(valeur=values["value"].to_numpy())
        if codes is not None:
            frame = frame[frame["code"].isin([str(c) for c in codes])]
        names = self.territories.loc[self.territories["level"] == level].set_index("code")["nom"]
        meta = {i: self.indicator(i) for i in frame["indicator"].unique()}
        vintages = self._row_millesimes(level, frame["code"], frame["indicator"])
        citations = {
            (i, m): with_detail(self.source_entry(i, level).citation, m)
            for i, m in set(zip(frame["indicator"], vintages, strict=True))
        }
        return pd.DataFrame(
            {
                "code": frame["code"].to_numpy(),
                "nom": frame["code"].map(names).to_numpy(),
                "indicateur": frame["indicator"].to_numpy(),
                "libelle": frame["indicator"].map(lambda i: meta[i].label).to_numpy(),
                "valeur": frame["valeur"].to_numpy(),
                "unite": frame["indicator"]
                .map(lambda i: "fraction (0 à 1 ; ×100 pour un %)" if meta[i].is_rate else meta[i].unit)
                .to_numpy(),
                "valeur_affichee": [
                    status_text(v, meta[i], s, c, n)
                    for v, i, s, c, n in zip(
                        frame["valeur"],
                        frame["indicator"],
                        frame["statut"],
                        frame["coverage"],
                        frame["note"],
                        strict=True,
                    )
                ],
                "source": [citations[(i, m)] for i, m in zip(frame["indicator"], vintages, strict=True)],
                "millesime": vintages,
                "couverture": frame["coverage"].round(4).to_numpy(),
                "statut": frame["statut"].to_numpy(),
                "note": frame["note"].to_numpy(),
            }
        ).reset_index(drop=True)

    def geometry(self, level: str) -> gpd.GeoDataFrame:
        """Web-simplified boundaries (EPSG:4326) with `code`, `nom`, `geometry`."""
        if level not in GEO_SOURCES:
            raise ValueError(
                f"Pas de contours pour le niveau {level!r} (niveaux : {', '.join(GEO_SOURCES)})."
            )
        if level not in self._geo:
            try:
                self._geo[level] = gpd.read_parquet(self.folder / f"geo_{level}.parquet")
            except Exception as exc:  # a truncated or missing file
                raise BaseCorruptError(f"Contours « {level} » illisibles dans {self.folder} : {exc}") from exc
        return self._geo[level].copy()

    def territory(self, level: str, code: str) -> pd.Series:
        """The row of one territory; ValueError with close names when the code is unknown."""
        _check_level(level)
        rows = self.territories[
            (self.territories["level"] == level) & (self.territories["code"] == str(code))
        ]
        if rows.empty:
            codes = self.territories.loc[self.territories["level"] == level, "code"].tolist()
            raise ValueError(f"Territoire inconnu : {level} {code!r}.{did_you_mean(code, codes)}")
        return rows.iloc[0]


def _same_years(registry_text: str, used: str) -> bool:
    """Whether the vintage the build used says the same years as the registry's text ('RP 2018' and
    'recensement 2018, Filosofi 2019 (colonnes P18_*…)'): then the registry's wording is kept."""
    years = set(re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", registry_text))
    return bool(years) and years <= set(re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", used))


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"Niveau inconnu : {level!r} (niveaux : {', '.join(LEVELS)}).")


# --------------------------------------------------------------------------------------------- load


def load_base(folder: Path | None = None) -> Base:
    """Read the built base (under 1 s). BaseMissingError if it was never built, BaseCorruptError if unreadable."""
    folder = folder or base_dir()
    report_path = folder / "report.json"
    if not report_path.exists():
        raise BaseMissingError(
            f"La base n'est pas encore construite ({folder}). Lancez « python -m indicateurs build »."
        )
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
        territories = pd.read_parquet(folder / "territories.parquet")
        values = pd.read_parquet(folder / "values.parquet")
        places = pd.read_parquet(folder / "places.parquet")
    except Exception as exc:
        raise BaseCorruptError(
            f"La base construite dans {folder} est illisible ({exc}). Reconstruisez-la avec « python -m indicateurs build »."
        ) from exc
    return Base(folder, territories, values, places, report)
