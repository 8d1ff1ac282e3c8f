"""One loader per source: raw file -> tidy frame with string codes and documented columns.

Loaders read the file they are given (see `fetch`), check the columns they need and name the source
in every error. They keep the source's own commune codes; `territories.harmonise` maps them to COG 2025.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

from indicateurs.errors import AtlasError
from indicateurs.reference.catalogue import find_source
from indicateurs.sources import derive

__all__ = [
    "SourceFormatError",
    "load_arcep_thd",
    "load_comparateur",
    "load_filosofi_territoires",
    "load_geometry",
    "load_ifn_2023",
    "load_illectronisme_hdf",
    "load_rp2017",
    "load_rp_census",
]

_PLM_ARRONDISSEMENT = r"^(751(0[1-9]|1\d|20)|132(0[1-9]|1[0-6])|6938[1-9])$"


class SourceFormatError(AtlasError, ValueError):
    """A source file does not have the expected shape (column renamed, wrong separator...)."""


def _require(df: pd.DataFrame, columns: list[str], source_id: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        src = find_source(source_id)  # a source of either catalogue (some are read in "courants" mode only)
        raise SourceFormatError(
            f"Source « {src.title} » ({source_id}) : colonne(s) manquante(s) {', '.join(missing)}. "
            f"Le fichier publié a peut-être changé de format ({src.url.split()[0]})."
        )


def _zip(path: Path, source_id: str):
    """The producer's zip archive, or a French error naming the source."""
    import zipfile

    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise SourceFormatError(f"Source {source_id} : archive zip illisible ({exc})") from exc


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


def _newest_year(columns, pattern: str, source_id: str, example: str) -> str:
    """The two-digit year of the newest column matching `pattern` (INSEE names carry their year)."""
    years = sorted({m.group(1) for c in columns if (m := re.fullmatch(pattern, str(c)))})
    if not years:
        src = find_source(source_id)
        raise SourceFormatError(
            f"Source « {src.title} » ({source_id}) : aucune colonne de la forme {example}. "
            f"Le fichier publié a peut-être changé de format ({src.url.split()[0]})."
        )
    return years[-1]


def load_comparateur(path: Path) -> pd.DataFrame:
    """INSEE comparateur de territoires per commune (arrondissement rows dropped: the commune rows hold them).

    Columns: code, population_rp (RP), superficie_km2, menages (RP), menages_fiscaux, revenu_median
    (€, Filosofi), taux_pauvrete (fraction; missing under statistical secrecy), chomeurs_15_64,
    actifs_15_64 (RP). Every edition renames its columns after its years (P18_POP, MED19, TP6019 in
    2022; P22_POP, MED21, TP6021 later): the newest years present are used and written in
    `attrs["millesime"]`, so the vintage comes from the file, never from the code.
    """
    header = pd.read_csv(path, sep=";", nrows=0).columns
    sid = "insee_comparateur_2022"
    rp = _newest_year(header, r"P(\d\d)_POP", sid, "P22_POP")
    fi = _newest_year(header, r"MED(\d\d)", sid, "MED21")
    names = {
        "CODGEO": "code",
        f"P{rp}_POP": "population_rp",
        "SUPERF": "superficie_km2",
        f"P{rp}_MEN": "menages",
        f"NBMENFISC{fi}": "menages_fiscaux",
        f"MED{fi}": "revenu_median",
        f"TP60{fi}": "taux_pauvrete",
        f"P{rp}_CHOM1564": "chomeurs_15_64",
        f"P{rp}_ACT1564": "actifs_15_64",
    }
    cols = list(names)
    df = _read_csv(path, sid, cols, code="CODGEO", sep=";")
    df = df.loc[~df["CODGEO"].str.match(_PLM_ARRONDISSEMENT), cols]
    out = df.rename(columns=names)
    numeric = out.columns.drop("code")
    out[numeric] = out[numeric].apply(pd.to_numeric, errors="coerce")
    out["taux_pauvrete"] = out["taux_pauvrete"] / 100
    out = out.reset_index(drop=True)
    out.attrs["millesime"] = f"recensement 20{rp}, Filosofi 20{fi} (colonnes P{rp}_*, MED{fi}, TP60{fi})"
    return out


_FILOSOFI_LEVELS = {"EPCI": "epci", "DEP": "departement", "REG": "region"}
# Measures of INSEE's long format (DS_FILOSOFI_CC): median standard of living (€), poverty rate (%)
_FILOSOFI_MEASURES = {"MED_SL": "revenu_median", "PR_MD60": "taux_pauvrete"}
_FILOSOFI_LONG = ["GEO", "GEO_OBJECT", "FILOSOFI_MEASURE", "TIME_PERIOD", "OBS_VALUE"]


def load_filosofi_territoires(path: Path) -> pd.DataFrame:
    """INSEE Filosofi published ABOVE the commune, in either of INSEE's two layouts of the zip
    `base-cc-filosofi-AAAA-geoAAAA_csv.zip`:

    - long (the 2021 edition in 2025 geography, and Filosofi 2 from 2023 incomes): one ';' file
      `DS_FILOSOFI_CC_data.csv`, one row per territory, measure and year (GEO, GEO_OBJECT = COM, EPCI,
      DEP, REG…, FILOSOFI_MEASURE = MED_SL, PR_MD60…, TIME_PERIOD, OBS_VALUE empty when secret);
    - wide (earlier editions): one ';' file per level `cc_filosofi_AAAA_EPCI.csv`, `_DEP`, `_REG`
      (CODGEO, MEDAA, TP60AA).

    Why: the commune file hides the poverty rate of small communes (statistical secrecy), so a mean
    of communes is biased; INSEE publishes the rate of each EPCI, département and région directly.
    Columns: level, code, revenu_median (€), taux_pauvrete (fraction); `attrs["millesime"]`.
    """

    sid = "insee_filosofi_territoires"
    with _zip(path, sid) as archive:
        names = archive.namelist()
        long = [n for n in names if re.fullmatch(r"DS_FILOSOFI\w*_data\.csv", Path(n).name, re.IGNORECASE)]
        if long:
            out, year = _filosofi_long(derive.decode_text(archive.read(long[0])), sid, Path(long[0]).name)
        else:
            out, year = _filosofi_wide(archive, names, sid)
        if out is None:
            shown = ", ".join(Path(n).name for n in names[:6]) or "archive vide"
            raise SourceFormatError(
                f"Source {sid} : ni DS_FILOSOFI_CC_data.csv (format long) ni fichiers "
                f"cc_filosofi_AAAA_EPCI/DEP/REG.csv dans l'archive {path.name} (contenu : {shown})"
            )
    out.attrs["millesime"] = f"Filosofi {year} (publié par l'INSEE à ce niveau)"
    return out


def _filosofi_long(text: str, sid: str, name: str) -> tuple[pd.DataFrame, str]:
    """EPCI, département and région rows of the long file, newest year, one row per territory."""
    import io

    header = pd.read_csv(io.StringIO(text), sep=";", nrows=0)
    _require(header, _FILOSOFI_LONG, sid)
    df = pd.read_csv(io.StringIO(text), sep=";", dtype=str, usecols=_FILOSOFI_LONG, keep_default_na=False)
    df = df[
        df["GEO_OBJECT"].str.strip().str.upper().isin(_FILOSOFI_LEVELS)
        & df["FILOSOFI_MEASURE"].str.strip().str.upper().isin(_FILOSOFI_MEASURES)
    ]
    years = pd.to_numeric(df["TIME_PERIOD"], errors="coerce")
    if df.empty or years.isna().all():
        raise SourceFormatError(
            f"Source {sid} : aucune ligne EPCI, DEP ou REG avec MED_SL ou PR_MD60 et une année dans {name}"
        )
    newest = int(years.max())
    df = df[years == newest]
    values = pd.to_numeric(
        df["OBS_VALUE"].str.replace("\u00a0", "").str.replace(" ", "").str.replace(",", "."), errors="coerce"
    )
    long = pd.DataFrame(
        {
            "level": df["GEO_OBJECT"].str.strip().str.upper().map(_FILOSOFI_LEVELS),
            "code": df["GEO"].str.strip().str.replace(r"^[A-Z]+-", "", regex=True),  # 'DEP-2A' -> '2A'
            "measure": df["FILOSOFI_MEASURE"].str.strip().str.upper().map(_FILOSOFI_MEASURES),
            "value": values,
        }
    )
    out = long.groupby(["level", "code", "measure"])["value"].first().unstack("measure")
    out = out.reindex(columns=list(_FILOSOFI_MEASURES.values())).reset_index()
    out.columns.name = None
    out["taux_pauvrete"] = out["taux_pauvrete"] / 100
    return out[["level", "code", "revenu_median", "taux_pauvrete"]], str(newest)


def _filosofi_wide(archive, names: list[str], sid: str) -> tuple[pd.DataFrame | None, str]:
    """One file per level (editions up to 2021 in 2024 geography)."""
    import io

    frames, years = [], set()
    for name in names:
        match = re.fullmatch(
            r"cc_filosofi_(\d{4})_([A-Z]+)(?:-geo\d{4})?\.csv", Path(name).name, re.IGNORECASE
        )
        if not match or match.group(2).upper() not in _FILOSOFI_LEVELS:
            continue
        df = pd.read_csv(
            io.StringIO(derive.decode_text(archive.read(name))), sep=";", dtype={"CODGEO": "string"}
        )
        yy = match.group(1)[2:]
        _require(df, ["CODGEO", f"MED{yy}", f"TP60{yy}"], sid)
        years.add(match.group(1))
        frames.append(
            pd.DataFrame(
                {
                    "level": _FILOSOFI_LEVELS[match.group(2).upper()],
                    "code": df["CODGEO"].str.strip(),
                    "revenu_median": pd.to_numeric(df[f"MED{yy}"], errors="coerce"),
                    "taux_pauvrete": pd.to_numeric(df[f"TP60{yy}"], errors="coerce") / 100,
                }
            )
        )
    if not frames:
        return None, ""
    return pd.concat(frames, ignore_index=True), max(years)


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


# ------------------------------------------------------------------ INSEE census thematic bases

# What each census base gives, per indicator id: numerator and denominator COUNTS, by column name
# without their year prefix ("P{yy}_" or "C{yy}_"). Written from INSEE's dictionaries of the RP 2021
# bases (meta_base-cc-*-2021.CSV; see `documentation` in catalogue_courant.toml).
RP_CENSUS = {
    "insee_rp_population": {
        "year": ("P", "POP"),
        "counts": {"part_65_plus": (("P", ["POP65P"]), ("P", ["POP"]))},
    },
    "insee_rp_diplomes": {
        "year": ("P", "NSCOL15P"),
        "counts": {
            "part_peu_diplomes": (
                ("P", ["NSCOL15P_DIPLMIN", "NSCOL15P_BEPC", "NSCOL15P_CAPBEP"]),
                ("P", ["NSCOL15P"]),
            )
        },
    },
    "insee_rp_menages": {
        "year": ("C", "MEN"),
        "counts": {
            "part_menages_seuls": (("C", ["MENPSEUL"]), ("C", ["MEN"])),
            "part_familles_monoparentales": (("C", ["MENFAMMONO"]), ("C", ["MEN"])),
        },
    },
}
_PLM_COMMUNES = {"751": "75056", "132": "13055", "693": "69123"}


def _census_table(path: Path, source_id: str) -> pd.DataFrame:
    """The commune table of an INSEE census base, as published: a zip holding a ';' CSV
    (`base-cc-…-AAAA.CSV`, UTF-8 or Windows latin-1) and its dictionary `meta_…`, or the xlsx
    variant (sheet COM; INSEE's title lines above the header row CODGEO are skipped)."""
    import io

    with _zip(path, source_id) as archive:
        names = archive.namelist()
        if any(n.startswith("xl/") for n in names):  # the file is itself an xlsx workbook
            return _census_xlsx(path, source_id)
        data = [n for n in names if not Path(n).name.lower().startswith("meta")]
        csvs = [n for n in data if n.lower().endswith((".csv", ".txt"))]
        xlsx = [n for n in data if n.lower().endswith(".xlsx")]
        if csvs:  # the commune table is the largest; a "-COM" file holds the 5 overseas collectivities
            text = derive.decode_text(archive.read(max(csvs, key=lambda n: archive.getinfo(n).file_size)))
            return pd.read_csv(io.StringIO(text), sep=";", dtype={"CODGEO": "string"}, low_memory=False)
        if xlsx:
            biggest = max(xlsx, key=lambda n: archive.getinfo(n).file_size)
            return _census_xlsx(io.BytesIO(archive.read(biggest)), source_id)
    raise SourceFormatError(
        f"Source « {find_source(source_id).title} » ({source_id}) : aucun fichier de données "
        f"(CSV ou xlsx) dans l'archive {path.name}"
    )


def _census_xlsx(handle, source_id: str) -> pd.DataFrame:
    book = pd.read_excel(handle, sheet_name=None, header=None, dtype=object)
    sheet = book.get("COM", next(iter(book.values())))
    head = sheet.head(20)
    rows = [i for i in head.index if "CODGEO" in set(head.loc[i].astype(str))]
    if not rows:
        raise SourceFormatError(
            f"Source « {find_source(source_id).title} » ({source_id}) : pas de ligne d'en-tête CODGEO "
            "dans le classeur xlsx"
        )
    table = sheet.iloc[rows[0] + 1 :].copy()
    table.columns = [str(c) for c in sheet.loc[rows[0]]]
    table["CODGEO"] = table["CODGEO"].astype("string")
    return table.reset_index(drop=True)


def load_rp_census(path: Path, source_id: str) -> pd.DataFrame:
    """One INSEE census base per commune: numerator and denominator counts of its indicators.

    Columns: code, then `<indicator>__num` and `<indicator>__den` (counts, for a ratio of sums) for
    each indicator of `RP_CENSUS[source_id]`. The year comes from the column names (P21_POP ->
    RP 2021), never from the code: `attrs["millesime"]` = "RP 2021". Paris, Lyon and Marseille: the
    arrondissement rows are dropped when the commune row is there (no double counting), kept (then
    folded by `harmonise`) when it is not.
    """
    spec = RP_CENSUS[source_id]
    df = _census_table(path, source_id)
    prefix, stem = spec["year"]
    yy = _newest_year(df.columns, rf"{prefix}(\d\d)_{stem}", source_id, f"{prefix}21_{stem}")
    needed = ["CODGEO"]
    for (p_num, nums), (p_den, dens) in spec["counts"].values():
        needed += [f"{p_num}{yy}_{c}" for c in nums] + [f"{p_den}{yy}_{c}" for c in dens]
    _require(df, list(dict.fromkeys(needed)), source_id)
    codes = df["CODGEO"].astype("string").str.strip().str.zfill(5)
    arrondissement = codes.str.match(_PLM_ARRONDISSEMENT).fillna(False)
    parent_there = codes[arrondissement].str[:3].map(_PLM_COMMUNES).isin(set(codes))
    drop = arrondissement & parent_there.reindex(codes.index, fill_value=False)
    df, codes = df.loc[~drop], codes[~drop]
    out = pd.DataFrame({"code": codes.values})
    for indicator, ((p_num, nums), (p_den, dens)) in spec["counts"].items():
        num = df[[f"{p_num}{yy}_{c}" for c in nums]].apply(pd.to_numeric, errors="coerce")
        den = pd.to_numeric(df[f"{p_den}{yy}_{dens[0]}"], errors="coerce")
        out[f"{indicator}__num"] = num.sum(axis=1, min_count=len(nums)).values
        out[f"{indicator}__den"] = den.values
    out.attrs["millesime"] = f"RP 20{yy}"
    return out


def load_arcep_thd(path: Path) -> pd.DataFrame:
    """ARCEP wired eligibility: code, locaux (all premises), locaux_thd (eligible to 30 Mbit/s or more).

    The speed classes are exclusive: every `elig_thd*` column present (30, 100 Mbit/s, 1 Gbit/s… a
    newer file may add classes) is summed. When the file has one row per premises `type`, only the
    "logloc" rows (all premises) are kept. `attrs["millesime"]` is the file's own `date` column.
    """
    header = pd.read_csv(path, nrows=0).columns
    thd = [c for c in header if re.fullmatch(r"elig_thd\d+[a-z]*", str(c))] or ["elig_thd30"]
    df = _read_csv(path, "arcep_debit_communes_2019", ["code_insee", "nbr", *thd], code="code_insee")
    if "type" in df.columns and df["type"].nunique() > 1:
        # one row per commune and premises type: keep all premises ("logloc" = dwellings + business
        # premises), never sum the types (they overlap)
        kinds = df["type"].astype(str)
        keep = "logloc" if (kinds == "logloc").any() else sorted(kinds.unique())[0]
        df = df[kinds == keep]
    counts = df[["nbr", *thd]].apply(pd.to_numeric, errors="coerce")
    out = pd.DataFrame(
        {
            "code": df["code_insee"],
            "locaux": counts["nbr"],
            "locaux_thd": counts[thd].sum(axis=1, min_count=1),
        }
    )
    if "date" in df.columns and df["date"].notna().any():
        out.attrs["millesime"] = f"données au {df['date'].dropna().astype(str).max()!s}"
    return out


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
    gdf = derive.cartiflette_names(gdf)  # a cartiflette/IGN file as published (INSEE_COM, NOM…)
    _require(gdf, ["code", "nom", "geometry"], source_id)
    gdf["code"] = gdf["code"].astype(str)
    if gdf.crs is None:
        gdf = gdf.set_crs(4326)
    keep = ["code", "nom", *[c for c in ("epci", "dep", "reg") if c in gdf.columns], "geometry"]
    out = gdf.loc[:, keep].to_crs(4326)
    out["geometry"] = out.geometry.make_valid() if (~out.geometry.is_valid).any() else out.geometry
    return out.reset_index(drop=True)
