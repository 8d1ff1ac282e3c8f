"""The territorial reference (COG 2025): communes, EPCI, départements, régions, and code harmonisation.

Every indicator file uses its own commune vintage; `harmonise` maps its codes to the COG 2025 list
(merged communes through `anciensCodes`, Paris/Lyon/Marseille arrondissements folded into their
commune) and reports what it could not place, so that no row is lost silently.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["Harmonised", "Reference", "dissolve", "harmonise", "load_reference"]

FRANCE = "FR"
ISLANDS_WITHOUT_EPCI = ("22016", "29083", "29155", "85113")


@dataclass(frozen=True)
class Reference:
    """COG 2025 communes (metro + DROM) and the parents of each one."""

    communes: pd.DataFrame  # code, nom, departement, region, epci, population, zone
    epci: pd.DataFrame  # code, nom, nature, mode_financement, population_2022, n_communes
    departements: pd.DataFrame  # code, nom, region
    regions: pd.DataFrame  # code, nom
    old_to_new: dict[str, str]  # old commune or municipal-arrondissement code -> COG 2025 code
    arrondissement_population: dict[str, int] = field(default_factory=dict)
    postcodes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # postcode -> COG 2025 communes


def _read_json(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def load_reference(
    communes_path: Path, epci_path: Path, departements_path: Path, regions_path: Path
) -> Reference:
    """Read the Etalab lists into the COG 2025 reference (metro + DROM; the COM have no EPCI nor polygon)."""
    raw = _read_json(communes_path)
    actual = [c for c in raw if c["type"] == "commune-actuelle" and c.get("zone") != "com"]
    communes = pd.DataFrame(
        {
            "code": [c["code"] for c in actual],
            "nom": [c["nom"] for c in actual],
            "departement": [c["departement"] for c in actual],
            "region": [c["region"] for c in actual],
            "population": [c.get("population", np.nan) for c in actual],
            "zone": [c["zone"] for c in actual],
        }
    )
    old_to_new = {old: c["code"] for c in actual for old in c.get("anciensCodes", [])}
    by_postcode: dict[str, list[str]] = {}
    for c in actual:  # La Poste codes per commune (`codesPostaux`): checks where the offer places sit
        for postcode in c.get("codesPostaux") or []:
            by_postcode.setdefault(str(postcode), []).append(c["code"])
    postcodes = {k: tuple(v) for k, v in by_postcode.items()}
    arrondissement_population = {}
    for c in raw:
        if c["type"] == "arrondissement-municipal":
            old_to_new[c["code"]] = c["commune"]
            arrondissement_population[c["code"]] = c.get("population", 0)

    epci_raw = _read_json(epci_path)
    epci = pd.DataFrame(
        {
            "code": [e["code"] for e in epci_raw],
            "nom": [e["nom"] for e in epci_raw],
            "nature": [e["type"] for e in epci_raw],
            "mode_financement": [e.get("modeFinancement") for e in epci_raw],
            "population_2022": [e.get("populationMunicipale") for e in epci_raw],
            "n_communes": [len(e["membres"]) for e in epci_raw],
        }
    )
    membership = {m["code"]: e["code"] for e in epci_raw for m in e["membres"]}
    communes["epci"] = communes["code"].map(membership)

    deps = pd.DataFrame(_read_json(departements_path))
    regs = pd.DataFrame(_read_json(regions_path))
    deps = deps.loc[deps["zone"] != "com", ["code", "nom", "region"]].reset_index(drop=True)
    regs = regs.loc[regs["zone"] != "com", ["code", "nom"]].reset_index(drop=True)
    return Reference(communes, epci, deps, regs, old_to_new, arrondissement_population, postcodes)


@dataclass(frozen=True)
class Harmonised:
    """A commune-level frame on COG 2025 codes, with the report of what happened to each input row."""

    frame: pd.DataFrame
    report: dict


def harmonise(
    df: pd.DataFrame,
    reference: Reference,
    *,
    source: str,
    code: str = "code",
    sums: tuple[str, ...] = (),
    means: tuple[str, ...] = (),
    weight: str | pd.Series | None = None,
    drop_codes: tuple[str, ...] = (),
) -> Harmonised:
    """Map `df[code]` to COG 2025 codes, then combine rows that land on the same commune.

    `sums` are counts (added); `means` are rates or scores (weighted by `weight`, a column or a Series
    aligned on df, equal weights where it is missing). A mean stays missing if every part is missing.
    Rows whose code is unknown are dropped and listed in the report.
    """
    current = set(reference.communes["code"])
    codes = df[code].astype("string").str.strip()
    mapped = codes.where(codes.isin(current), codes.map(reference.old_to_new))
    unknown = df.loc[mapped.isna(), code].astype(str).tolist()
    excluded = [
        c for c in unknown if c in drop_codes or c[:3] in ("975", "977", "978", "984", "986", "987", "988")
    ]
    unknown = [c for c in unknown if c not in excluded]
    work = df.loc[mapped.notna()].copy()
    work["_code"] = mapped[mapped.notna()].astype(str)
    if isinstance(weight, str):
        w = pd.to_numeric(work[weight], errors="coerce")
    elif isinstance(weight, pd.Series):
        w = pd.to_numeric(weight.loc[work.index], errors="coerce")
    else:
        w = pd.Series(1.0, index=work.index)
    work["_w"] = w.fillna(0.0).clip(lower=0.0)

    out = pd.DataFrame(index=pd.Index(sorted(work["_code"].unique()), name="code"))
    grouped = work.groupby("_code")
    for col in sums:
        values = pd.to_numeric(work[col], errors="coerce")
        out[col] = values.groupby(work["_code"]).sum(min_count=1)
    for col in means:
        values = pd.to_numeric(work[col], errors="coerce")
        has = values.notna()
        weights = work["_w"].where(has, 0.0)
        # equal weights inside a group whose known parts all have a zero or missing weight
        zero_groups = weights.groupby(work["_code"]).transform("sum") == 0
        weights = weights.where(~zero_groups, has.astype(float))
        num = (values.fillna(0.0) * weights).groupby(work["_code"]).sum()
        den = weights.groupby(work["_code"]).sum()
        out[col] = (num / den).where(den > 0)
    n_merged = int((grouped.size() > 1).sum())
    recoded = int((mapped.notna() & (codes != mapped).fillna(False)).sum())
    present = set(out.index)
    report = {
        "source": source,
        "rows_in": len(df),
        "rows_kept": int(mapped.notna().sum()),
        "rows_recoded": recoded,
        "communes_combined": n_merged,
        "rows_outside_scope": len(excluded),
        "rows_unknown": len(unknown),
        "unknown_codes": unknown[:50],
        "communes_covered": len(present),
        "communes_total": len(current),
        "coverage": round(len(present) / len(current), 4),
        "communes_missing": sorted(current - present)[:50],
    }
    return Harmonised(out.reset_index(), report)


def dissolve(communes_geo, reference: Reference, level: str):
    """Boundaries of a level (epci, departement, region) as the union of its communes' polygons.

    Why: the producers publish commune contours of the year; the parent levels follow from the
    membership lists of the same reference (epci.json, communes.json), so a level never depends on
    a second, possibly out-of-step, file. Communes outside any EPCI (4 islands) are left out.
    Returns a GeoDataFrame with code, nom, geometry (EPSG:4326).
    """
    import geopandas as gpd

    table = {"epci": reference.epci, "departement": reference.departements, "region": reference.regions}[
        level
    ]
    parent = reference.communes.set_index("code")[level]
    gdf = communes_geo[["code", "geometry"]].assign(_parent=communes_geo["code"].astype(str).map(parent))
    gdf = gdf.dropna(subset=["_parent"])
    merged = gdf.dissolve(by="_parent", as_index=True)[["geometry"]]
    names = table.set_index("code")["nom"]
    out = gpd.GeoDataFrame(
        {
            "code": merged.index.astype(str),
            "nom": merged.index.map(names),
            "geometry": merged.geometry.values,
        },
        crs=communes_geo.crs or "EPSG:4326",
    )
    out["geometry"] = out.geometry.make_valid() if (~out.geometry.is_valid).any() else out.geometry
    return out.reset_index(drop=True)
