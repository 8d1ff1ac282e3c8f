"""The heavy build: sources -> harmonised communes -> aggregates and scores -> Parquet under `data/base/`.

`build_base()` writes what `indicateurs.base.load_base()` reads back. The build is idempotent (skipped when inputs and code are unchanged) and
atomic (a failed build never replaces a good one).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from indicateurs.base.reader import (
    GEO_SOURCES,
    BaseBuildError,
    BaseCorruptError,
    BaseMissingError,
    load_base,
)
from indicateurs.config import base_dir, millesimes, raw_dir
from indicateurs.reference.catalogue import get_source
from indicateurs.reference.registry import (
    COMPLETE,
    ESTIMATED,
    LEVELS,
    NOT_COVERED,
    SECRET_STATUS,
    THIN,
    UNAVAILABLE,
    Indicator,
    get_indicator,
    list_indicators,
)
from indicateurs.reference.text import format_number
from indicateurs.sources import loaders
from indicateurs.sources.fetch import file_sha256
from indicateurs.sources.offer_current import offer_provenance
from indicateurs.sources.places import SOURCE_IDS as PLACE_SOURCES
from indicateurs.sources.territories import FRANCE, Reference, dissolve, harmonise, load_reference

__all__ = ["build_base"]

BUILD_VERSION = "2"  # 2: per-value status and note, minimum coverage, poverty estimate
_BUILD_LOCK = threading.Lock()  # a room opening the app at once triggers one build, not thirty
Progress = Callable[[str, float], None]
_REFERENCE_SOURCES = (
    "cog_communes_2025",
    "epci_composition_2025",
    "cog_departements_2026",
    "cog_regions_2026",
)
_INDICATOR_SOURCES = (
    "ifn_communes_2023",
    "insee_comparateur_2022",
    "d4g_rp2017_communes_2020",
    "arcep_debit_communes_2019",
    "insee_illectronisme_hdf",
)
# What a build step really does with a source, in the words of the progress bar.
_ORIGIN_WORDS = {
    "magasin": "déjà dans le magasin local",
    "miroir": "copie depuis le miroir local",
    "téléchargement": "téléchargement depuis internet",
}
SOURCES = _REFERENCE_SOURCES + _INDICATOR_SOURCES + PLACE_SOURCES + tuple(GEO_SOURCES.values())
# Boundaries the build can rebuild itself by dissolving the communes with the membership lists:
# a failed fetch of one of them is a warning, not a failed build.
_DISSOLVABLE = {GEO_SOURCES[level]: level for level in ("epci", "departement", "region")}
# Sources only some catalogues name (the current one): fetched when present, a failure is a warning.
_FILOSOFI = "insee_filosofi_territoires"
_LIEUX_NATIONAUX = "lieux_mediation_numerique"  # national file of places (current catalogue only)
# INSEE's census thematic bases (counts of the newest RP): in the current catalogue only; without
# them the four census indicators fall back to the RP 2017 rates of d4g_rp2017_communes_2020.
_CENSUS = ("insee_rp_population", "insee_rp_diplomes", "insee_rp_menages")
_CENSUS_PINNED = "d4g_rp2017_communes_2020"
_OPTIONAL_SOURCES = (_FILOSOFI, _LIEUX_NATIONAUX, *_CENSUS)
_OPTIONAL_FALLBACK = {
    _FILOSOFI: "valeurs calculées depuis les communes",
    _LIEUX_NATIONAUX: "lieux des fichiers figés utilisés",
    **dict.fromkeys(_CENSUS, "taux du RP 2017 (Data For Good) utilisés en repli"),
}


# -------------------------------------------------------------------------------------------- build


def build_base(progress: Progress | None = None, *, force: bool = False, refresh: bool = False) -> dict:
    """Fetch the sources, harmonise to COG 2025, aggregate, and write the base. Returns the build report.

    `refresh`: ask every producer again for its newest release (`--millesimes courants`); a source
    that cannot be fetched keeps the file already in the store, and the report says so.
    Builds run one at a time in a process; a caller that waited finds the base up to date and skips.
    """
    with _BUILD_LOCK:
        return _build_base(progress, force=force, refresh=refresh)


def _build_base(progress: Progress | None, *, force: bool, refresh: bool = False) -> dict:
    from indicateurs.sources.fetch import FetchError, fetch

    say = progress or (lambda step, fraction: None)
    start = time.perf_counter()
    say("Lecture des sources de données", 0.0)
    paths: dict[str, Path] = {}
    unfetched: dict[str, str] = {}
    stale: dict[str, str] = {}
    for i, source_id in enumerate(SOURCES):
        title = get_source(source_id).title
        how = {"kind": ""}

        def origin(kind: str, i=i, title=title, how=how) -> None:
            how["kind"] = kind
            say(f"{title} : {_ORIGIN_WORDS.get(kind, kind)}", 0.3 * i / len(SOURCES))

        def copied(done: int, total: int | None, i=i, title=title, how=how) -> None:
            share = done / total if total else 0.0
            words = _ORIGIN_WORDS.get(how["kind"], how["kind"])
            say(f"{title} : {words} ({format_number(done / 1e6, 1)} Mo)", 0.3 * (i + share) / len(SOURCES))

        try:
            paths[source_id] = fetch(source_id, progress=copied, force=refresh, origin=origin)
        except FetchError as exc:
            kept = raw_dir() / get_source(source_id).file
            if refresh and kept.is_file():
                paths[source_id] = kept  # offline or producer down: the version already here, said so
                stale[source_id] = str(exc)
            elif source_id in _DISSOLVABLE:
                unfetched[source_id] = str(exc)
            else:
                raise
        say(f"{title} : prête ({i + 1} sur {len(SOURCES)})", 0.3 * (i + 1) / len(SOURCES))
    optional_problems = []
    for source_id in _OPTIONAL_SOURCES:
        try:
            get_source(source_id)
        except ValueError:
            continue  # not in this catalogue (the pinned one)
        try:
            paths[source_id] = fetch(source_id, force=refresh)
        except FetchError as exc:
            kept = raw_dir() / get_source(source_id).file
            if kept.is_file():
                paths[source_id], stale[source_id] = kept, str(exc)
            else:
                optional_problems.append(
                    f"{source_id} non récupérée ({exc}) : {_OPTIONAL_FALLBACK[source_id]}"
                )
    fingerprint = _fingerprint(paths)
    target = base_dir()
    if not force and (target / "report.json").exists():
        try:
            previous = json.loads((target / "report.json").read_text(encoding="utf-8"))
        except ValueError:
            previous = {}
        if previous.get("fingerprint") == fingerprint and _readable(target):
            say("Base déjà à jour", 1.0)
            return {**previous, "skipped": True}

    tmp = target.with_name(target.name + ".tmp")
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        report = _build_into(tmp, paths, say, unfetched)
        report["warnings"] += optional_problems
        for source_id, problem in stale.items():
            report["warnings"].append(
                f"{source_id} : version la plus récente non récupérée ({problem}) ; "
                "la version déjà présente dans le magasin est utilisée"
            )
            report["provenance"][source_id]["non_actualisee"] = True
        report.update(fingerprint=fingerprint, seconds=round(time.perf_counter() - start, 1))
        (tmp / "report.json").write_text(
            json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
        )
        _swap(tmp, target)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise BaseBuildError(
            f"Impossible d'écrire la base dans {target.parent} : {exc.strerror or exc} "
            "(disque plein ou dossier en lecture seule ?). La base précédente, s'il y en a une, est conservée."
        ) from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    say("Base construite", 1.0)
    return report


def _readable(folder: Path) -> bool:
    try:
        load_base(folder)
        for level in GEO_SOURCES:  # reads the footer: a truncated or foreign file fails here
            pq.read_metadata(folder / f"geo_{level}.parquet")
        return True
    except (BaseCorruptError, BaseMissingError, OSError, pa.ArrowException):
        return False


def _swap(tmp: Path, target: Path) -> None:
    """Replace the previous base only once the new one is complete."""
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _fingerprint(paths: dict[str, Path]) -> str:
    digest = hashlib.sha256(BUILD_VERSION.encode())
    package = Path(__file__).resolve().parents[1]
    for path in _code_files(package):  # whole folders: a change anywhere in the build's code rebuilds
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    for source_id in sorted(paths):
        stat = paths[source_id].stat()
        digest.update(f"{source_id}:{stat.st_size}:{file_sha256(paths[source_id])}".encode())
    return digest.hexdigest()


# Everything the build imports or reads; views (render, atelier, cli) do not change the base.
FINGERPRINTED = ("reference", "sources", "base", "build", "analysis", "config.py")


def _code_files(package: Path) -> list[Path]:
    """The .py, .toml and .md files of the folders the build depends on, in a stable order."""
    files: list[Path] = []
    for name in FINGERPRINTED:
        root = package / name
        if root.is_file():
            files.append(root)
        else:
            files += [p for p in root.rglob("*") if p.suffix in {".py", ".toml", ".md"} and p.is_file()]
    return sorted(files)


def _build_into(folder: Path, paths: dict[str, Path], say: Progress, unfetched: dict | None = None) -> dict:
    warnings: list[str] = []
    for source_id, problem in (unfetched or {}).items():
        warnings.append(
            f"Contours {_DISSOLVABLE[source_id]} : fichier non récupéré ({problem}) ; "
            "contours reconstruits par fusion des communes selon les listes d'appartenance"
        )
    say("Construction des communes, EPCI, départements et régions (COG 2025)", 0.32)
    ref = load_reference(*(paths[s] for s in _REFERENCE_SOURCES))
    say("Calcul des indicateurs de chaque commune", 0.4)
    communes, source_reports = _commune_table(ref, paths, warnings)
    poverty = source_reports.pop("estimation_pauvrete", None)
    say("Placement des lieux d'accompagnement au numérique", 0.55)
    geo_communes = loaders.load_geometry(paths["geo_communes_2025"], "geo_communes_2025")
    places, place_counts, place_report = _places(geo_communes, paths, ref)
    placement = place_report.pop("placement", [])
    source_reports.update(place_report)
    communes = communes.join(place_counts, how="left")
    for col in place_counts.columns.drop("distance_lieu_km"):
        communes[col] = communes[col].fillna(0)
    far = communes["distance_lieu_km"]
    for km in (10, 20):
        communes[f"part_pop_plus_{km}km__num"] = communes["population"].where(far > km, 0).where(far.notna())
        communes[f"part_pop_plus_{km}km__den"] = communes["population"].where(far.notna())
    communes["lieux_pour_10000__num"] = communes.get("nb_lieux_total", np.nan)
    communes["lieux_pour_10000__den"] = communes["population"] / 10_000

    say("Calcul des EPCI, départements, régions et de la France à partir des communes", 0.7)
    territories = _territories(ref, communes)
    values = _values(communes, warnings)
    fallen = source_reports.pop("repli_recensement", None)
    if fallen:
        values = _census_fallback(values, fallen["indicateurs"])
    values = pd.concat([values, _illectronisme(paths, ref, source_reports)], ignore_index=True)
    values = _published_above_communes(values, paths, ref, source_reports)
    values = pd.concat([values, _scores(values, territories)], ignore_index=True)
    values = _population_vintage(values, territories)
    values = _with_provenance(values, _file_vintages(source_reports))
    values = offer_provenance(values, source_reports)  # counts taken from the national file

    say("Simplification des contours pour les cartes", 0.85)
    geo_report = _write_geometries(folder, paths, territories, geo_communes, ref)
    territories.to_parquet(folder / "territories.parquet", index=False)
    values.to_parquet(folder / "values.parquet", index=False)
    places.to_parquet(folder / "places.parquet", index=False)
    rows = territories.groupby("level").size().reindex(LEVELS).fillna(0).astype(int).to_dict()
    provenance = _provenance(paths, source_reports)
    return {
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "build_version": BUILD_VERSION,
        "rows_per_level": rows,
        "values": len(values),
        "sources": source_reports,
        "geometries": geo_report,
        "provenance": provenance,
        "millesimes": millesimes(),
        "warnings": warnings + _mixed_warnings(provenance),
        "estimation_pauvrete": poverty,
        "placement": placement,
        "placement_summary": _placement_summary(placement),
    }


def _provenance(paths: dict[str, Path], reports: dict) -> dict[str, dict]:
    """Per source used: the vintage actually used, its URL, origin (store, mirror, download),
    retrieval date, and whether it is a fallback to the pinned snapshot."""
    from indicateurs.sources.fetch import store_manifest

    manifest = store_manifest()
    out = {}
    for source_id in sorted(paths):
        source, entry = get_source(source_id), manifest.get(source_id, {})
        out[source_id] = {
            "millesime": entry.get("millesime") or source.millesime,
            "millesime_fichier": (reports.get(source_id) or {}).get("millesime_fichier"),
            "catalogue": entry.get("catalogue") or millesimes(),
            "url": entry.get("url") or source.url,
            "origin": entry.get("origin"),
            "fetched_at": entry.get("fetched_at"),
            "sha256": entry.get("sha256"),
            "repli": entry.get("repli"),
        }
    return out


def _mixed_warnings(provenance: dict[str, dict]) -> list[str]:
    """A base mixing current releases and pinned fallbacks says so, in French."""
    fallen = sorted(s for s, e in provenance.items() if e.get("repli"))
    if not fallen:
        return []
    return [
        "Base mixte : millésimes courants sauf pour "
        + ", ".join(fallen)
        + " (téléchargement de la version courante impossible : millésime figé utilisé)"
    ]


def _placement_summary(placement: list[dict]) -> dict:
    """Repairs, moves and drops of offer places per source (the full list is under `placement`)."""
    out: dict[str, dict[str, int]] = {}
    for row in placement:
        out.setdefault(row["source"], {}).setdefault(row["action"], 0)
        out[row["source"]][row["action"]] += 1
    return out


def _legacy_weights(ref: Reference, comparateur: pd.DataFrame) -> pd.Series:
    """Population per source-vintage code (RP 2018 and arrondissements), to weight merged communes."""
    weights = comparateur.set_index("code")["population_rp"]
    arr = pd.Series(ref.arrondissement_population, dtype=float)
    return pd.concat([weights, arr[~arr.index.isin(weights.index)]])


def _commune_table(ref: Reference, paths: dict[str, Path], warnings: list[str]) -> tuple[pd.DataFrame, dict]:
    reports: dict[str, dict] = {}
    table = ref.communes.set_index("code")[["nom", "departement", "region", "epci", "population"]].copy()

    comparateur = loaders.load_comparateur(paths["insee_comparateur_2022"])
    legacy = _legacy_weights(ref, comparateur)
    # Poverty of communes under statistical secrecy, estimated from their median income (methode.md),
    # on the source's own communes: a commune merged since from a published and a secret part gets both.
    from indicateurs.analysis.poverty import cross_validate, estimate_secret

    published = comparateur["taux_pauvrete"].notna()
    comparateur["taux_pauvrete__complet"] = comparateur["taux_pauvrete"].fillna(estimate_secret(comparateur))
    comparateur["menages_fiscaux_secrets"] = comparateur["menages_fiscaux"].where(~published, 0)
    comp = harmonise(
        comparateur,
        ref,
        source="insee_comparateur_2022",
        sums=(
            "population_rp",
            "superficie_km2",
            "menages",
            "menages_fiscaux",
            "menages_fiscaux_secrets",
            "chomeurs_15_64",
            "actifs_15_64",
        ),
        means=("revenu_median", "taux_pauvrete", "taux_pauvrete__complet"),
        weight="menages_fiscaux",
    )
    reports["insee_comparateur_2022"] = comp.report
    if comparateur.attrs.get("millesime"):
        reports["insee_comparateur_2022"]["millesime_fichier"] = comparateur.attrs["millesime"]
    frame = comp.frame.set_index("code")
    partly_secret = frame["menages_fiscaux_secrets"].fillna(0) > 0
    frame["taux_pauvrete"] = frame["taux_pauvrete"].where(~partly_secret)
    frame["taux_pauvrete__estime"] = frame["taux_pauvrete__complet"].where(frame["taux_pauvrete"].isna())
    table = table.join(frame.drop(columns=["taux_pauvrete__complet", "menages_fiscaux_secrets"]))
    reports["estimation_pauvrete"] = {
        "methode": "ajustement isotone décroissant du taux de pauvreté sur le revenu médian, "
        "appris sur les communes publiées de 2 000 ménages fiscaux ou moins",
        "validation_croisee": cross_validate(comparateur),
        "communes_estimees": int(table["taux_pauvrete__estime"].notna().sum()),
        "communes_publiees": int(table["taux_pauvrete"].notna().sum()),
    }

    ifn = loaders.load_ifn_2023(paths["ifn_communes_2023"])
    sub = ["ifn_sans_thd", "ifn_sans_4g", "ifn_pauvrete", "ifn_65_plus", "ifn_peu_diplomes"]
    h = harmonise(ifn, ref, source="ifn_communes_2023", means=tuple(sub), weight=ifn["code"].map(legacy))
    reports["ifn_communes_2023"] = h.report
    frame = h.frame.set_index("code")
    frame["ifn"] = frame[sub].mean(axis=1, skipna=False)
    table = table.join(frame)

    rp = loaders.load_rp2017(paths["d4g_rp2017_communes_2020"])
    rates = ("part_peu_diplomes", "part_65_plus", "part_menages_seuls", "part_familles_monoparentales")
    h = harmonise(rp, ref, source="d4g_rp2017_communes_2020", means=rates, weight=rp["code"].map(legacy))
    reports["d4g_rp2017_communes_2020"] = h.report
    table = table.join(h.frame.set_index("code"))
    table = _census_counts(table, ref, paths, reports, warnings)

    arcep = loaders.load_arcep_thd(paths["arcep_debit_communes_2019"])
    h = harmonise(arcep, ref, source="arcep_debit_communes_2019", sums=("locaux", "locaux_thd"))
    reports["arcep_debit_communes_2019"] = h.report
    if arcep.attrs.get("millesime"):
        reports["arcep_debit_communes_2019"]["millesime_fichier"] = arcep.attrs["millesime"]
    table = table.join(h.frame.set_index("code"))

    for source_id, rep in reports.items():
        if rep.get("rows_unknown"):
            warnings.append(
                f"{source_id} : {rep['rows_unknown']} code(s) commune inconnu(s) du COG 2025 écarté(s)"
            )

    # numerators/denominators and weights used by the aggregation
    table["w_population"] = table["population"]
    table["w_menages"] = table["menages"]
    table["w_menages_fiscaux"] = table["menages_fiscaux"]
    table["densite__num"] = table["population_rp"]
    table["densite__den"] = table["superficie_km2"]
    table["part_thd__num"] = table["locaux_thd"]
    table["part_thd__den"] = table["locaux"]
    table["taux_chomage__num"] = table["chomeurs_15_64"]
    table["taux_chomage__den"] = table["actifs_15_64"]
    return table, reports


# Census indicators -> weight of their RP 2017 rate (the pinned aggregation), used only in a fallback.
_CENSUS_WEIGHTS = {
    "part_peu_diplomes": "population",
    "part_65_plus": "population",
    "part_menages_seuls": "menages",
    "part_familles_monoparentales": "menages",
}
_CENSUS_FALLBACK_NOTE = {
    "part_65_plus": "repli sur le RP 2017 (Data For Good) : 65 ans et plus rapportés aux 15 ans ou plus, "
    "pas à la population totale",
}


def _census_counts(
    table: pd.DataFrame, ref: Reference, paths: dict[str, Path], reports: dict, warnings: list[str]
) -> pd.DataFrame:
    """Numerator and denominator counts of the census indicators that the registry aggregates as a
    ratio (current releases: INSEE's census bases), on COG 2025 codes (merged communes summed).

    A census base that could not be fetched: its indicators take the RP 2017 rate times its pinned
    weight over that weight (the pinned weighted mean, written as a ratio), and the build says so;
    `reports["repli_recensement"]` lists them for the values' source, millésime and note."""
    frames: dict[str, pd.DataFrame] = {}
    fallback: dict[str, str] = {}
    for indicator, weight in _CENSUS_WEIGHTS.items():
        ind = get_indicator(indicator)
        if ind.aggregation != "ratio":
            continue  # pinned releases: the RP 2017 rates, weighted mean
        if ind.source in paths:
            if ind.source not in frames:
                counts = loaders.load_rp_census(paths[ind.source], ind.source)
                cols = tuple(c for c in counts.columns if c != "code")
                h = harmonise(counts, ref, source=ind.source, sums=cols)
                reports[ind.source] = {**h.report, "millesime_fichier": counts.attrs["millesime"]}
                frames[ind.source] = h.frame.set_index("code")
            frame = frames[ind.source]
            for part in ("num", "den"):
                table[f"{indicator}__{part}"] = frame[f"{indicator}__{part}"].reindex(table.index)
        else:
            w = table[weight].where(table[indicator].notna())
            table[f"{indicator}__num"] = table[indicator] * w
            table[f"{indicator}__den"] = w
            fallback[indicator] = ind.source
    if fallback:
        warnings.append(
            "Recensement : base(s) INSEE "
            + ", ".join(sorted(set(fallback.values())))
            + " non récupérée(s) ; "
            + ", ".join(fallback)
            + " calculés depuis les taux du RP 2017 (Data For Good), dénominateurs du millésime figé"
        )
        reports["repli_recensement"] = {"indicateurs": sorted(fallback)}
    return table


def _census_fallback(values: pd.DataFrame, indicators: list[str]) -> pd.DataFrame:
    """Values of census indicators computed from the RP 2017 rates: their own source, millésime and
    a note saying the denominator, so a figure never claims the newest census it does not come from."""
    hit = values["indicator"].isin(indicators)
    default = "repli sur le RP 2017 (Data For Good) : recensement INSEE récent non récupéré"
    notes = values.loc[hit, "indicator"].map(_CENSUS_FALLBACK_NOTE).fillna(default)
    values["_source"] = pd.Series(None, index=values.index, dtype=object)
    values.loc[hit, "_source"] = _CENSUS_PINNED
    values.loc[hit, "_millesime"] = "RP 2017 (Data For Good, repli)"
    old = values.loc[hit, "note"].fillna("")
    values.loc[hit, "note"] = np.where(old == "", notes, old + " ; " + notes)
    return values


def _places(geo_communes, paths, ref) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Offer places, their counts per commune, and the distance from each commune to the nearest one."""
    from indicateurs.analysis.access import commune_points, nearest_distances
    from indicateurs.sources.places import DRAWN_TYPES, count_places, load_places

    names = dict(zip(ref.communes["code"], ref.communes["nom"], strict=True))
    places, report = load_places(
        geo_communes,
        {s: paths[s] for s in (*PLACE_SOURCES, _LIEUX_NATIONAUX) if s in paths},
        old_to_new=ref.old_to_new,
        postcodes=ref.postcodes,
        names=names,
    )
    counts = count_places(places)
    counts.index = counts.index.astype(str)
    distances = nearest_distances(commune_points(geo_communes), places, DRAWN_TYPES)
    counts = counts.join(
        distances[["dist_tout_type"]].rename(columns={"dist_tout_type": "distance_lieu_km"}), how="outer"
    )
    return places, counts, report


def _territories(ref: Reference, communes: pd.DataFrame) -> pd.DataFrame:
    """One row per territory of every level, with parent codes and population (sum of communes)."""
    c = communes.reset_index()
    com = c.assign(level="commune")[["level", "code", "nom", "epci", "departement", "region", "population"]]

    def majority(key: str, parent: str) -> pd.Series:
        pop = c.groupby([key, parent])["population"].sum().reset_index()
        return pop.sort_values("population", ascending=False).drop_duplicates(key).set_index(key)[parent]

    pop_epci = c.groupby("epci")["population"].sum()
    epci = ref.epci.set_index("code")
    epci_rows = pd.DataFrame(
        {
            "level": "epci",
            "code": epci.index,
            "nom": epci["nom"].values,
            "epci": epci.index,
            "departement": majority("epci", "departement").reindex(epci.index).values,
            "region": majority("epci", "region").reindex(epci.index).values,
            "population": pop_epci.reindex(epci.index).values,
            "nature": epci["nature"].values,
            "n_communes": epci["n_communes"].values,
        }
    )
    deps = ref.departements.set_index("code")
    dep_rows = pd.DataFrame(
        {
            "level": "departement",
            "code": deps.index,
            "nom": deps["nom"].values,
            "departement": deps.index,
            "region": deps["region"].values,
            "population": c.groupby("departement")["population"].sum().reindex(deps.index).values,
        }
    )
    regs = ref.regions.set_index("code")
    reg_rows = pd.DataFrame(
        {
            "level": "region",
            "code": regs.index,
            "nom": regs["nom"].values,
            "region": regs.index,
            "population": c.groupby("region")["population"].sum().reindex(regs.index).values,
        }
    )
    fr = pd.DataFrame(
        [
            {
                "level": "france",
                "code": FRANCE,
                "nom": "France (métropole et DROM)",
                "population": c["population"].sum(),
            }
        ]
    )
    out = pd.concat([com, epci_rows, dep_rows, reg_rows, fr], ignore_index=True)
    out["population"] = out["population"].astype("float").round().astype("Int64")
    out["n_communes"] = out["n_communes"].astype("Int64")
    for col in ("code", "nom", "epci", "departement", "region", "nature"):
        out[col] = out[col].astype("string")
    return out


def _values(communes: pd.DataFrame, warnings: list[str]) -> pd.DataFrame:
    """Indicator values at every level, computed from the communes as each indicator declares,
    with their coverage, status (`statut`) and note."""
    c = communes.reset_index()
    c["france"] = FRANCE
    keys = {
        "commune": "code",
        "epci": "epci",
        "departement": "departement",
        "region": "region",
        "france": "france",
    }
    frames = []
    for ind in list_indicators():
        if ind.aggregation in ("none", "score"):
            continue
        needed = [f"{ind.id}__num", f"{ind.id}__den"] if ind.aggregation == "ratio" else [ind.id]
        if not all(col in c.columns and c[col].notna().any() for col in needed):
            warnings.append(f"Indicateur {ind.id} non calculé : données communales absentes")
            continue
        reasons = _missing_reasons(c, ind, needed)
        for level, key in keys.items():
            frames.append(_aggregate(c, ind, level, key, reasons))
    return pd.concat(frames, ignore_index=True)


def _missing_reasons(c: pd.DataFrame, ind: Indicator, needed: list[str]) -> pd.Series:
    """Why each commune has no value, read from the data: the source covers no commune of its
    département (Mayotte in the comparateur, Guadeloupe and Guyane in Filosofi), a Filosofi figure
    hidden by statistical secrecy (the département is covered), or simply missing."""
    has = c[needed].notna().all(axis=1)
    dep_covered = has.groupby(c["departement"]).transform("any")
    filosofi = "Filosofi" in ind.millesime
    reason = np.where(~dep_covered, NOT_COVERED, SECRET_STATUS if filosofi else UNAVAILABLE)
    return pd.Series(np.where(has, "", reason), index=c.index)


def _aggregate(
    c: pd.DataFrame, ind: Indicator, level: str, key: str, reasons: pd.Series | None = None
) -> pd.DataFrame:
    if reasons is None:
        reasons = pd.Series(UNAVAILABLE, index=c.index)
    rows = c[c[key].notna()]
    group = rows[key]
    pop = rows["w_population"].fillna(0)
    estimate = None  # value counting the estimated communes, for indicators that declare an estimate
    if ind.aggregation == "ratio":
        num, den = rows[f"{ind.id}__num"], rows[f"{ind.id}__den"]
        has = num.notna() & den.notna()
        value = num.where(has).groupby(group).sum(min_count=1) / den.where(has).groupby(group).sum(
            min_count=1
        )
        value = value.where(np.isfinite(value))
    elif ind.aggregation == "sum":
        has = rows[ind.id].notna()
        value = rows[ind.id].groupby(group).sum(min_count=1)
    elif ind.aggregation == "weighted_mean":
        w = rows[f"w_{ind.weight}"]
        has = rows[ind.id].notna() & w.notna()
        if level == "commune":
            value = rows[ind.id].groupby(group).first()
        else:
            wv = (rows[ind.id] * w).where(has)
            value = wv.groupby(group).sum(min_count=1) / w.where(has).groupby(group).sum(min_count=1)
            if ind.estimate and f"{ind.id}__estime" in rows:
                filled = rows[ind.id].fillna(rows[f"{ind.id}__estime"])
                has_f = filled.notna() & w.notna()
                estimate = (filled * w).where(has_f).groupby(group).sum(min_count=1) / w.where(has_f).groupby(
                    group
                ).sum(min_count=1)
                estimate_cov = pop.where(has_f, 0).groupby(group).sum() / pop.groupby(group).sum().replace(
                    0, np.nan
                )
    else:
        raise ValueError(f"Agrégation inconnue pour {ind.id} : {ind.aggregation}")
    covered = pop.where(has, 0).groupby(group).sum()
    total = pop.groupby(group).sum()
    coverage = (covered / total.replace(0, np.nan)).reindex(value.index)
    status = pd.Series(COMPLETE, index=value.index, dtype=object)
    note = pd.Series("", index=value.index, dtype=object)
    if level != "commune":
        thin = coverage.fillna(0) < ind.min_coverage
        if estimate is not None:
            estimate = estimate.reindex(value.index)
            usable = estimate.notna() & (estimate_cov.reindex(value.index).fillna(0) >= ind.min_coverage)
            value = estimate.where(usable)  # the estimated communes count everywhere, flagged when they weigh
            status = status.where(~thin, np.where(usable, ESTIMATED, THIN))
            note = note.where(
                ~(thin & usable),
                "communes sous secret statistique estimées à partir de leur revenu médian ; "
                + (coverage * 100).round().astype("Int64").astype(str)
                + " % de la population dans des communes publiées",
            )
        else:
            status = status.where(~thin, THIN)
            value = value.where(~thin)
        status = status.where(value.notna() | (status == THIN), None)
        # nothing at all behind it: not "insufficient coverage" but whatever the communes say (below)
        status = status.where(~(value.isna() & (coverage.fillna(0) == 0)), None)
    # no value: say why, from the communes behind it (the reason holding most of their population)
    missing = value.isna() & (status != THIN)
    if missing.any():
        why = reasons.loc[rows.index]
        weight = pop.where(why != "", 0) + 1e-9 * (why != "")
        dominant = (
            pd.DataFrame({"g": group, "why": why, "w": weight})[why != ""]
            .groupby(["g", "why"])["w"]
            .sum()
            .reset_index()
            .sort_values("w", ascending=False)
            .drop_duplicates("g")
            .set_index("g")["why"]
        )
        status = status.where(~missing, dominant.reindex(value.index).fillna(UNAVAILABLE))
    thin_rows = (status == THIN) & value.isna()
    note = note.where(
        ~thin_rows,
        "non disponible : "
        + (coverage.fillna(0) * 100).round().astype("Int64").astype(str)
        + " % de la population couverte",
    )
    return pd.DataFrame(
        {
            "level": level,
            "code": value.index.astype(str),
            "indicator": ind.id,
            "value": value.values,
            "coverage": coverage.values,
            "statut": status.values,
            "note": note.values,
        }
    )


def _scores(values: pd.DataFrame, territories: pd.DataFrame) -> pd.DataFrame:
    """The open composite index (default weights) per level, so maps and exports can show it.

    Inputs are the base values, so an under-covered input is already missing (or its estimate); a
    territory with too few inputs gets no score and a note saying why. France: the mean of the EPCI
    scores weighted by population (a single territory cannot be ranked against itself).
    """
    from indicateurs.analysis.scores import composite_index

    ind = get_indicator("indice_composite")
    frames = []
    for level in ind.levels:
        sub = values[values["level"] == level]
        wide = sub.pivot(index="code", columns="indicator", values="value")
        status = sub.pivot(index="code", columns="indicator", values="statut")
        result = composite_index(wide)
        n = len(result.indicators)
        estimated = [
            get_indicator(i).short.lower()
            for i in result.indicators
            if i in status.columns and (status[i] == ESTIMATED).any()
        ]
        est_mask = (
            status.reindex(columns=result.indicators).eq(ESTIMATED).any(axis=1)
            if estimated
            else pd.Series(False, index=wide.index)
        )
        missing = result.n_missing
        note = np.where(
            result.reason != "",
            result.reason,
            np.where(missing > 0, "calculé sur " + (n - missing).astype(str) + f" indicateurs sur {n}", ""),
        )
        with_estimate = (est_mask.reindex(wide.index).fillna(False) & result.score.notna()).to_numpy()
        note = pd.Series(note, index=wide.index).astype(str)
        note = note.where(
            ~with_estimate,
            np.where(note == "", "un indicateur estimé", note + ", dont un estimé"),
        )
        frames.append(
            pd.DataFrame(
                {
                    "level": level,
                    "code": result.score.index.astype(str),
                    "indicator": ind.id,
                    "value": result.score.to_numpy(),
                    "coverage": (1 - missing / n).to_numpy(),
                    "statut": np.where(result.score.notna(), COMPLETE, THIN),
                    "note": note.to_numpy(),
                }
            )
        )
    epci = frames[list(ind.levels).index("epci")] if "epci" in ind.levels else None
    if epci is not None:
        pop = territories[territories["level"] == "epci"].set_index("code")["population"].astype(float)
        scored = epci.set_index("code")["value"].dropna()
        w = pop.reindex(scored.index).fillna(0)
        france = float((scored * w).sum() / w.sum()) if w.sum() > 0 else np.nan
        frames.append(
            pd.DataFrame(
                [
                    {
                        "level": "france",
                        "code": FRANCE,
                        "indicator": ind.id,
                        "value": france,
                        "coverage": float(w.sum() / pop.sum()),
                        "statut": COMPLETE,
                        "note": "moyenne des scores des EPCI pondérée par la population",
                    }
                ]
            )
        )
    return pd.concat(frames, ignore_index=True)


# EPCI codes of the illectronism study (about 2020) merged since: old SIREN -> current EPCI.
# CA du Calaisis became CA Grand Calais Terres et Mers (2017); CC de la Haute-Deûle joined the
# Métropole européenne de Lille (2020), which has its own value in the study.
_ILLECTRONISME_OLD_EPCI = {"246201149": "200090751", "245901061": "200093201"}


def _illectronisme(paths: dict[str, Path], ref: Reference, reports: dict) -> pd.DataFrame:
    df = loaders.load_illectronisme_hdf(paths["insee_illectronisme_hdf"])
    current = set(ref.epci["code"])
    old = df["code"].map(_ILLECTRONISME_OLD_EPCI)
    remap = old.notna() & ~df["code"].isin(current) & ~old.isin(df["code"])
    recoded = df.loc[remap, "code"].tolist()
    df = df.assign(
        note=np.where(remap, "valeur de l'étude pour l'ancien EPCI " + df["code"].astype(str), ""),
        code=df["code"].where(~remap, old),
    )
    known = df["code"].isin(current)
    reports["insee_illectronisme_hdf"] = {
        "source": "insee_illectronisme_hdf",
        "rows_in": len(df),
        "rows_kept": int(known.sum()),
        "rows_unknown": int((~known).sum()),
        "unknown_codes": df.loc[~known, "code"].tolist(),
        "rows_recoded": len(recoded),
        "recoded_codes": {c: _ILLECTRONISME_OLD_EPCI[c] for c in recoded},
        "coverage": round(float(known.mean()), 4),
        "note": "EPCI des Hauts-de-France uniquement",
    }
    kept = df[known]
    return pd.DataFrame(
        {
            "level": "epci",
            "code": kept["code"],
            "indicator": "taux_illectronisme",
            "value": kept["taux_illectronisme"],
            "coverage": 1.0,
            "statut": np.where(kept["taux_illectronisme"].notna(), COMPLETE, UNAVAILABLE),
            "note": kept["note"],
        }
    )


def _published_above_communes(values: pd.DataFrame, paths: dict[str, Path], ref: Reference, reports: dict):
    """Poverty rate and median income of EPCI, départements and régions as INSEE publishes them
    (Filosofi above the commune), instead of a mean of communes biased by statistical secrecy.
    Only when the catalogue names the source (current releases); rows keep a `_published` flag."""
    if _FILOSOFI not in paths:
        return values
    pub = loaders.load_filosofi_territoires(paths[_FILOSOFI])
    known = {
        "epci": set(ref.epci["code"]),
        "departement": set(ref.departements["code"]),
        "region": set(ref.regions["code"]),
    }
    ok = pd.Series(
        [code in known[level] for level, code in zip(pub["level"], pub["code"], strict=True)], index=pub.index
    )
    long = pub[ok].melt(
        id_vars=["level", "code"], value_vars=["revenu_median", "taux_pauvrete"], var_name="indicator"
    )
    long = long.dropna(subset=["value"]).assign(coverage=1.0, statut=COMPLETE, note="", _published=True)
    keys = pd.MultiIndex.from_frame(long[["level", "code", "indicator"]])
    mine = pd.MultiIndex.from_frame(values[["level", "code", "indicator"]].astype(str))
    values = values[~mine.isin(keys)].assign(_published=False)
    reports[_FILOSOFI] = {
        "source": _FILOSOFI,
        "rows_in": len(pub),
        "rows_kept": int(ok.sum()),
        "rows_unknown": int((~ok).sum()),
        "unknown_codes": pub.loc[~ok, "code"].tolist()[:50],
        "coverage": round(float(ok.mean()), 4) if len(pub) else 0.0,
        "per_level": {lvl: int(n) for lvl, n in pub[ok].groupby("level").size().items()},
        "millesime_fichier": pub.attrs.get("millesime"),
        "note": "taux de pauvreté et revenu médian publiés par l'INSEE au niveau EPCI, département, région",
    }
    return pd.concat([values, long], ignore_index=True)


def _file_vintages(reports: dict) -> dict[str, str]:
    """Source id -> the vintage its loader read in the file (when the file says it)."""
    return {sid: rep["millesime_fichier"] for sid, rep in reports.items() if rep.get("millesime_fichier")}


# Mayotte: the Etalab lists carry the 2017 census, not the legal populations of 2023 (MANIFEST, issue #14).
_POPULATION_2017 = ("976",)


def _population_vintage(values: pd.DataFrame, territories: pd.DataFrame) -> pd.DataFrame:
    """Say, next to every population that includes Mayotte, that its part is the 2017 census."""
    t = territories
    old = t["departement"].isin(_POPULATION_2017)
    codes = {
        "commune": set(t.loc[old & (t["level"] == "commune"), "code"]),
        "epci": set(t.loc[old & (t["level"] == "commune"), "epci"].dropna()),
        "departement": set(_POPULATION_2017),
        "region": set(t.loc[old & (t["level"] == "commune"), "region"].dropna()),
        "france": {FRANCE},
    }
    note = "Mayotte : population du recensement de 2017 (pas de populations légales 2023)"
    hit = pd.Series(False, index=values.index)
    for level, cs in codes.items():
        hit |= (values["level"] == level) & values["code"].isin(cs)
    hit &= values["indicator"].isin(
        ["population", "lieux_pour_10000", "part_pop_plus_10km", "part_pop_plus_20km"]
    )
    france = hit & (values["level"] == "france")
    values.loc[hit & ~france, "note"] = note
    values.loc[france, "note"] = "dont Mayotte au recensement de 2017"
    return values


def _with_provenance(values: pd.DataFrame, file_vintages: dict[str, str] | None = None) -> pd.DataFrame:
    """Source and millésime of every value; the millésime read in the file wins over the registry's
    text when it differs (a current release), so a figure never claims an older vintage."""
    ids = values["indicator"].unique()
    source = {i: get_indicator(i).source for i in ids}
    millesime = {i: get_indicator(i).millesime for i in ids}
    if millesimes() == "courants":
        for i in ids:
            if source[i] in (file_vintages or {}):
                millesime[i] = file_vintages[source[i]]
    out = values.assign(source=values["indicator"].map(source), millesime=values["indicator"].map(millesime))
    if "_source" in out.columns:  # census indicators fallen back on the RP 2017 rates: their own source
        own = out["_source"].notna()
        out.loc[own, "source"] = out.loc[own, "_source"]
        out.loc[own, "millesime"] = out.loc[own, "_millesime"]
        out = out.drop(columns=["_source", "_millesime"])
    if "_published" in out.columns:  # values INSEE publishes above the commune: their own source
        published = out["_published"].eq(True)
        out.loc[published, "source"] = _FILOSOFI
        out.loc[published, "millesime"] = (file_vintages or {}).get(_FILOSOFI, "Filosofi")
        out = out.drop(columns="_published")
    out["statut"] = out["statut"].where(out["statut"].notna(), None)
    out["note"] = out["note"].fillna("").astype("string")
    for col in ("level", "indicator", "source", "millesime", "statut"):
        out[col] = out[col].astype("category")
    out["code"] = out["code"].astype("string")
    return out


def _write_geometries(
    folder: Path, paths: dict[str, Path], territories: pd.DataFrame, geo_communes, ref: Reference
) -> dict:
    """Store each level's boundaries as GeoParquet and report how they join to the reference.

    A level whose file was not fetched is dissolved from the communes (membership lists)."""
    report = {}
    for level, source_id in GEO_SOURCES.items():
        if level == "commune":
            gdf, origin = geo_communes, source_id
        elif source_id in paths:
            gdf, origin = loaders.load_geometry(paths[source_id], source_id), source_id
        else:
            gdf, origin = dissolve(geo_communes, ref, level), "fusion des communes"
        expected = set(territories.loc[territories["level"] == level, "code"])
        present = set(gdf["code"])
        report[level] = {
            "features": len(gdf),
            "matched": len(expected & present),
            "expected": len(expected),
            "without_geometry": sorted(expected - present)[:20],
            "unknown": sorted(present - expected)[:20],
            "origin": origin,
        }
        gdf[["code", "nom", "geometry"]].to_parquet(folder / f"geo_{level}.parquet", index=False)
    return report
