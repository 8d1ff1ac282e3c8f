"""One loader per source: raw file -> tidy frame with string codes and documented columns.

Loaders read the file they are given (see `fetch`), check the columns they need and name the source
in every error. They keep the source's own commune codes; `territories.harmonise` maps them to COG 2025.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from indicateurs.errors import AtlasError
from indicateurs.reference.catalogue import get_source

__all__ = [
    "SourceFormatError",
    "load_arcep_thd",
    "load_comparateur",
    "load_geometry",
    "load_ifn_2023",
    "load_illectronisme_hdf",
    "load_rp2017",
]

_PLM_ARRONDISSEMENT = r"^(751(0[1-9]|1\d|20)|132(0[1-9]|1[0-6])|6938[1-9])$"


class SourceFormatError(AtlasError, ValueError):
    """A source file does not have the expected shape (column renamed, wrong separator...)."""


def _require(df: pd.DataFrame, columns: list[str], source_id: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        src = get_source(source_id)
        raise SourceFormatError(
            f"Source « {src.title} » ({source_id}) : colonne(s) manquante(s) {', '.join(missing)}. "
            f"Le fichier publié a peut-être changé de format ({src.url.split()[0]})."
        )


def _read_csv(path: Path, source_id: str, columns: list[str], *, code: str, sep: str = ",") -> pd.DataFrame:
    df = pd.read_csv(path, sep=sep, dtype={code: "string"}, low_memory=False)
    _require(df, columns, source_id)
    return df


def load_ifn_2023(path: Path) -> pd.DataFrame:
    """IFN 2023 per commune: columns code, nom and the 5 sub-scores (1..10) plus `ifn`, their mean.

    The published `total` is ignored and recomputed (the July 2023 export averages 14 indicators).
    The 6 zero-population Meuse communes carry 0 everywhere, outside the 1..10 scale: they become missing.
    """
    names = {
        "no_thd_coverage_rate": "ifn_sans_thd",
        "no_4g_coverage_rate": "ifn_sans_4g",
        "poverty_rate": "ifn_pauvrete",
        "older_65_rate": "ifn_65_plus",
        "nscol15p_rate": "ifn_peu_diplomes",
    }
    df = _read_csv(path, "ifn_communes_2023", ["code", "name", *names], code="code")
    out = df[["code", "name", *names]].rename(columns={"name": "nom", **names})
    scores = out[list(names.values())].apply(pd.to_numeric, errors="coerce")
    scores = scores.where(scores >= 1)
    out[list(names.values())] = scores
    out["ifn"] = scores.mean(axis=1, skipna=False)
    return out


def load_comparateur(path: Path) -> pd.DataFrame:
    """INSEE comparateur de territoires per commune (arrondissement rows dropped: the commune rows hold them).

    Columns: code, population_rp (RP 2018), superficie_km2, menages (RP 2018), menages_fiscaux (2019),
    revenu_median (€, Filosofi 2019), taux_pauvrete (fraction; missing under statistical secrecy),
    chomeurs_15_64, actifs_15_64 (RP 2018).
    """
    cols = [
        "CODGEO",
        "P18_POP",
        "SUPERF",
        "P18_MEN",
        "NBMENFISC19",
        "MED19",
        "TP6019",
        "P18_CHOM1564",
        "P18_ACT1564",
    ]
    df = _read_csv(path, "insee_comparateur_2022", cols, code="CODGEO", sep=";")
    df = df.loc[~df["CODGEO"].str.match(_PLM_ARRONDISSEMENT), cols]
    out = df.rename(
        columns={
            "CODGEO": "code",
            "P18_POP": "population_rp",
            "SUPERF": "superficie_km2",
            "P18_MEN": "menages",
            "NBMENFISC19": "menages_fiscaux",
            "MED19": "revenu_median",
            "TP6019": "taux_pauvrete",
            "P18_CHOM1564": "chomeurs_15_64",
            "P18_ACT1564": "actifs_15_64",
        }
    )
    numeric = out.columns.drop("code")
    out[numeric] = out[numeric].apply(pd.to_numeric, errors="coerce")
    out["taux_pauvrete"] = out["taux_pauvrete"] / 100
    return out.reset_index(drop=True)


def load_rp2017(path: Path) -> pd.DataFrame:
    """RP 2017 rates computed by Data For Good, as fractions.

    Columns: code, part_peu_diplomes and part_65_plus (denominator: population aged 15+, as published),
    part_menages_seuls and part_familles_monoparentales (denominator: households).
    Paris, Lyon and Marseille appear only as arrondissements.
    """
    names = {
        "TX_NSCOL15P": "part_peu_diplomes",
        "TX_65ETPLUS": "part_65_plus",
        "TX_MENSEUL": "part_menages_seuls",
        "TX_FAMMONO": "part_familles_monoparentales",
    }
    df = _read_csv(path, "d4g_rp2017_communes_2020", ["CODE_INSEE", *names], code="CODE_INSEE")
    out = df[["CODE_INSEE", *names]].rename(columns={"CODE_INSEE": "code", **names})
    out[list(names.values())] = out[list(names.values())].apply(pd.to_numeric, errors="coerce") / 100
    return out


def load_arcep_thd(path: Path) -> pd.DataFrame:
    """ARCEP 2019 wired eligibility: code, locaux (all premises), locaux_thd (eligible to 30 Mbit/s or more)."""
    thd = ["elig_thd30", "elig_thd100", "elig_thd1g"]
    df = _read_csv(path, "arcep_debit_communes_2019", ["code_insee", "nbr", *thd], code="code_insee")
    counts = df[["nbr", *thd]].apply(pd.to_numeric, errors="coerce")
    return pd.DataFrame(
        {
            "code": df["code_insee"],
            "locaux": counts["nbr"],
            "locaux_thd": counts[thd].sum(axis=1, min_count=1),
        }
    )


def load_illectronisme_hdf(path: Path) -> pd.DataFrame:
    """INSEE modelled illectronism for the EPCI of Hauts-de-France: code (SIREN), taux_illectronisme (fraction)."""
    df = _read_csv(path, "insee_illectronisme_hdf", ["code_epci", "taux_illectronisme_pct"], code="code_epci")
    return pd.DataFrame(
        {
            "code": df["code_epci"].str.strip(),
            "nom": df.get("nom_epci"),
            "taux_illectronisme": pd.to_numeric(df["taux_illectronisme_pct"], errors="coerce") / 100,
            "nb_personnes_illectronisme": pd.to_numeric(
                df.get("nb_personnes_illectronisme"), errors="coerce"
            ),
        }
    )


def load_geometry(path: Path, source_id: str) -> gpd.GeoDataFrame:
    """Boundaries as a GeoDataFrame in EPSG:4326 with `code` (string), `nom` and `geometry`."""
    gdf = gpd.read_file(path, engine="pyogrio")
    _require(gdf, ["code", "nom", "geometry"], source_id)
    gdf["code"] = gdf["code"].astype(str)
    if gdf.crs is None:
        gdf = gdf.set_crs(4326)
    keep = ["code", "nom", *[c for c in ("epci", "dep", "reg") if c in gdf.columns], "geometry"]
    out = gdf.loc[:, keep].to_crs(4326)
    out["geometry"] = out.geometry.make_valid() if (~out.geometry.is_valid).any() else out.geometry
    return out.reset_index(drop=True)
