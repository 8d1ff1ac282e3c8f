"""The digital-inclusion offer: loaders of the six offer files, one tidy places frame, counts per commune.

Why one frame: the map, the access distances and the counts all read the same rows, so a place
dropped or duplicated shows up everywhere the same way, and the report says why.

Types of rows (column `type`):

- ``france_services``: Espaces France Services (buses kept with ``itinerant = True``, never counted
  as fixed places nor used for distances);
- ``conseiller_numerique``: places where conseillers numériques hold sessions (permanences),
  placed in their commune by point in polygon;
- ``lieu_mediation``: data·inclusion places, *minus* the 2,545 conseiller-numerique rows that are
  the same places (same ids) as the permanences file (reported as duplicates, not silently dropped);
  rows with a commune code but no coordinates are put at the commune's representative point
  (``position_approx = True``);
- ``aidants_connect``: active Aidants Connect structures; the file has no coordinates, so they are
  put at their commune's representative point with ``position_approx = True``;
- ``aidants_connect_effectif`` (current mode only): an Aidants Connect structure of the 2024 export
  that the national file does not list; it keeps its number of aidants, is never drawn nor counted
  as a place;
- ``structure_cnfs``: CNFS host structures (validated posts, recruited advisers). The files have no
  coordinates: these rows carry counts per commune (``postes_valides``, ``conseillers_recrutes``)
  and have no latitude/longitude; they are never drawn nor used for distances.

In current mode (`--millesimes courants`), when the catalogue names the national file of places
of digital mediation (``lieux_mediation_numerique``), it replaces the 2022 permanences and the 2023
data·inclusion extract: its places flagged "Conseillers numériques" are ``conseiller_numerique``,
those flagged "Aidants Connect" (and not CnFS) ``aidants_connect``, the others ``lieu_mediation``;
the column ``programmes`` keeps every programme of a place. A place listed in several inputs is
kept once (`offer_current.merge_duplicates`, THE rule), and the report says how many were merged.

Text is kept as given (no escaping: escaping is the view's job).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from indicateurs.sources import offer_current as oc

__all__ = [
    "COLUMNS",
    "COUNT_COLUMNS",
    "DRAWN_TYPES",
    "PLACE_TYPES",
    "SOURCE_IDS",
    "TYPE_SOURCES",
    "count_places",
    "fold_code",
    "load_places",
    "local_places_frame",
]

PLACE_TYPES: dict[str, str] = {
    "france_services": "France Services",
    "conseiller_numerique": "Permanence de conseiller numérique",
    "lieu_mediation": "Lieu de médiation numérique",
    "aidants_connect": "Structure Aidants Connect",
    "structure_cnfs": "Structure d'accueil de conseillers numériques",
    "aidants_connect_effectif": "Structure Aidants Connect absente du fichier national (aidants comptés)",
}
DRAWN_TYPES = ("france_services", "conseiller_numerique", "lieu_mediation", "aidants_connect")

SOURCE_IDS = (
    "france_services_2023",
    "cnfs_permanences_2022",
    "data_inclusion_lieux_2023",
    "aidants_connect_structures_2024",
    "cnfs_structures_coselec_2023",
    "cnfs_structures_postes_2023",
)

TYPE_SOURCES: dict[str, tuple[str, ...]] = {
    "france_services": ("france_services_2023",),
    "conseiller_numerique": ("cnfs_permanences_2022",),
    "lieu_mediation": ("data_inclusion_lieux_2023",),
    "aidants_connect": ("aidants_connect_structures_2024",),
}
"""The catalogue sources each drawn type comes from (their caveats are shown on the map)."""

COLUMNS = [
    "id",
    "type",
    "nom",
    "adresse",
    "code_commune",
    "latitude",
    "longitude",
    "services",
    "horaires",
    "source",
    "millesime",
    "nb_conseillers",
    "nb_aidants",
    "postes_valides",
    "conseillers_recrutes",
    "itinerant",
    "position_approx",
    "local",
    "programmes",
]

COUNT_COLUMNS = [
    "nb_france_services",
    "nb_lieux_mediation",
    "nb_permanences_cnfs",
    "nb_postes_cnfs",
    "nb_cnfs_recrutes",
    "nb_structures_aidants_connect",
    "nb_aidants_connect",
    "nb_lieux_total",
]

_ARRONDISSEMENTS = (
    (re.compile(r"^751\d\d$"), "75056"),
    (re.compile(r"^6938\d$"), "69123"),
    (re.compile(r"^132\d\d$"), "13055"),
)
_WEEKDAYS = [
    ("h_lundi", "lundi"),
    ("h_mardi", "mardi"),
    ("h_mercredi", "mercredi"),
    ("h_jeudi", "jeudi"),
    ("h_vendredi", "vendredi"),
    ("h_samedi", "samedi"),
]
_NEAREST_MAX_DEG = 0.01  # ~1 km: points just off a simplified coastline still find their commune

# Reasons shown in the build report (French: they reach the Sources page).
R_NO_COORDS = "sans coordonnées"
R_NO_CODE = "sans code commune"
R_NO_CODE_NO_COORDS = "ni code commune ni coordonnées"
R_OUTSIDE = "hors des contours des communes (hors de France ?)"
R_UNKNOWN = "code commune inconnu en 2025"
R_COM = "collectivité d'outre-mer (hors du périmètre : Saint-Martin, Saint-Barthélemy…)"
R_INACTIVE = "structure inactive"
R_DUPLICATE = "doublon d'une permanence CnFS (même identifiant)"
R_MERGED = "doublon d'un lieu déjà compté (fusionné : même identifiant, SIRET et commune, ou nom et commune)"
F_NOT_NATIONAL = (
    "absente du fichier national courant : comptée seulement pour le nombre d'aidants, ni dessinée ni "
    "comptée comme lieu"
)
R_SUPERSEDED = "remplacée par le fichier national des lieux de médiation numérique (millésime courant)"
_DELIBERATE = (R_INACTIVE, R_DUPLICATE, R_MERGED)  # left out on purpose: not a coverage loss
R_BUS = "bus ou site itinérant (gardé, signalé, non compté comme lieu fixe)"
R_POSTCODE = "commune incompatible avec le code postal (autre département, plusieurs communes possibles)"
A_REPAIRED = "commune corrigée d'après le code postal"
A_DROPPED = "écarté : commune incompatible avec le code postal"
A_MOVED = "coordonnées hors de la commune : placé au point représentatif de la commune"


def fold_code(code: object, old_to_new: Mapping[str, str] | None = None) -> str | None:
    """COG 2025 code of a raw commune code: arrondissements folded, merged communes mapped.

    >>> fold_code("75112"), fold_code("1001"), fold_code(None)
    ('75056', '01001', None)
    """
    if code is None or (isinstance(code, float) and np.isnan(code)):
        return None
    text = str(code).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text or text.lower() == "nan":
        return None
    if len(text) == 4 and text.isdigit():
        text = "0" + text
    for pattern, commune in _ARRONDISSEMENTS:
        if pattern.match(text):
            return commune
    if old_to_new:
        text = old_to_new.get(text, text)
    return text


def _millesime(source_id: str) -> str:
    """The short millésime shown with a place: the catalogue's French `date` of this source."""
    from indicateurs.reference.catalogue import get_source

    try:
        source = get_source(source_id)
    except ValueError:  # a source of the other catalogue (the national file in a pinned build)
        return ""
    return source.date or source.millesime


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")


def _num(series: pd.Series) -> pd.Series:
    """French-formatted numbers (narrow no-break spaces, decimal comma) to floats."""
    text = series.astype("string").str.replace(r"[\s\u202f\u00a0]", "", regex=True).str.replace(",", ".")
    return pd.to_numeric(text, errors="coerce").astype("float64")


def _join(*parts: pd.Series) -> pd.Series:
    """Non-empty parts joined with ', ' (address line + complement)."""
    frame = pd.concat([p.astype("string").str.strip() for p in parts], axis=1)
    return frame.apply(lambda row: ", ".join(v for v in row if isinstance(v, str) and v), axis=1).replace(
        "", pd.NA
    )


class _Report:
    """Per-source counts: rows read, placed in a commune, dropped (with reasons), flagged."""

    def __init__(self) -> None:
        self.data: dict[str, dict] = {}

    def start(self, source_id: str, rows: int) -> dict:
        entry = {"rows_read": int(rows), "rows_placed": 0, "dropped": {}, "flagged": {}}
        self.data[source_id] = entry
        return entry

    @staticmethod
    def drop(entry: dict, reason: str, n: int) -> None:
        if n:
            entry["dropped"][reason] = entry["dropped"].get(reason, 0) + int(n)

    @staticmethod
    def flag(entry: dict, label: str, n: int) -> None:
        if n:
            entry["flagged"][label] = entry["flagged"].get(label, 0) + int(n)


def _codes_checked(
    frame: pd.DataFrame, raw: pd.Series, old_to_new, known: set[str], entry: dict
) -> pd.DataFrame:
    """Fold and check codes; rows with a missing or unknown code are dropped and counted."""
    codes = raw.map(lambda c: fold_code(c, old_to_new))
    missing = codes.isna()
    _Report.drop(entry, R_NO_CODE, missing.sum())
    unknown = ~missing & ~codes.isin(known)
    com = unknown & codes.str.match(r"^(97[5-8]|98)", na=False)
    _Report.drop(entry, R_COM, com.sum())
    _Report.drop(entry, R_UNKNOWN, (unknown & ~com).sum())
    return frame.assign(code_commune=codes)[~missing & ~unknown]


def _point_in_commune(
    frame: pd.DataFrame, communes: gpd.GeoDataFrame, entry: dict
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Commune code of each row from its coordinates; (placed, rows outside every commune)."""
    if frame.empty:
        return frame.assign(code_commune=pd.Series(dtype="string")), frame
    points = gpd.GeoDataFrame(
        frame[[]].copy(),
        geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]),
        crs="EPSG:4326",
    )
    joined = gpd.sjoin(points, communes[["code", "geometry"]], how="left", predicate="within")
    code = joined.loc[~joined.index.duplicated(keep="first"), "code"]
    todo = code[code.isna()].index
    if len(todo):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # geographic CRS: a ~1 km tolerance is all we need
            near = gpd.sjoin_nearest(
                points.loc[todo], communes[["code", "geometry"]], how="left", max_distance=_NEAREST_MAX_DEG
            )
        near = near.loc[~near.index.duplicated(keep="first"), "code"].dropna()
        _Report.flag(entry, "placés dans la commune la plus proche (à moins d'environ 1 km)", len(near))
        code.loc[near.index] = near
    frame = frame.assign(code_commune=code.reindex(frame.index))
    outside = frame["code_commune"].isna()
    _Report.drop(entry, R_OUTSIDE, outside.sum())
    return frame[~outside], frame[outside]


def _with_coordinates(frame: pd.DataFrame, entry: dict, reason: str = R_NO_COORDS) -> pd.DataFrame:
    frame = frame.assign(latitude=_num(frame["latitude"]), longitude=_num(frame["longitude"]))
    ok = (frame["latitude"].between(-90, 90) & frame["longitude"].between(-180, 180)).fillna(False)
    _Report.drop(entry, reason, (~ok).sum())
    return frame[ok]


def _france_services(df, communes, old_to_new, known, report) -> pd.DataFrame:
    sid = "france_services_2023"
    entry = report.start(sid, len(df))
    hours = pd.concat(
        [(label + " " + df[col].astype("string")).where(df[col].notna()) for col, label in _WEEKDAYS], axis=1
    )
    horaires = hours.apply(lambda r: " ; ".join(v for v in r if isinstance(v, str)), axis=1).replace(
        "", pd.NA
    )
    out = pd.DataFrame(
        {
            "id": "fs-" + df["id_fs"].astype(str),
            "type": "france_services",
            "nom": df["lib_fs"],
            "adresse": _join(
                df["adresse"], df["complement_adresse"], df["code_postal"] + " " + df["lib_com"]
            ),
            "latitude": df["latitude"],
            "longitude": df["longitude"],
            "services": df["format_fs_anct"].map(
                lambda f: f"France Services ({f})" if isinstance(f, str) else pd.NA
            ),
            "horaires": horaires,
            "itinerant": df["format_fs_anct"].eq("Mobile")
            | df.get("itinerance", pd.Series(index=df.index, dtype="string")).eq("Oui"),
            "_cp": df.get("code_postal"),
            "_ville": df.get("lib_com"),
        }
    )
    out = _codes_checked(out, df["insee_com"], old_to_new, known, entry)
    out = _with_coordinates(out, entry)
    _Report.flag(entry, R_BUS, out["itinerant"].sum())
    return out.assign(source=sid)


def _permanences(df, communes, old_to_new, known, report) -> pd.DataFrame:
    sid = "cnfs_permanences_2022"
    entry = report.start(sid, len(df))
    out = pd.DataFrame(
        {
            "id": "cnfs-" + df["id"].astype(str),
            "type": "conseiller_numerique",
            "nom": df["nom"],
            "adresse": _join(df["adresse"], df["code_postal"] + " " + df["commune"]),
            "latitude": df["latitude"],
            "longitude": df["longitude"],
            "services": df["services"],
            "horaires": df["horaires"],
            "nb_conseillers": _num(df["nb_conseillers"]),
            "_rid": df["id"].astype("string"),
            "_pivot": df.get("pivot"),
            "_cp": df.get("code_postal"),
            "_ville": df.get("commune"),
        }
    )
    out = _with_coordinates(out, entry)
    placed, _ = _point_in_commune(out, communes, entry)
    return placed.assign(source=sid)


def _placed_by_code_or_point(
    out: pd.DataFrame, raw_code: pd.Series, communes, points: pd.DataFrame, old_to_new, known, entry
) -> pd.DataFrame:
    """The commune of a place of the mediation schema: its ``code_insee``, else its coordinates (point
    in polygon); neither is a counted drop. A place without coordinates goes to its commune's
    representative point, flagged approximate."""
    has_xy = (out["latitude"].between(-90, 90) & out["longitude"].between(-180, 180)).fillna(False)
    with_code = raw_code.notna()
    _Report.drop(entry, R_NO_CODE_NO_COORDS, (~with_code & ~has_xy).sum())
    by_code = _codes_checked(out[with_code], raw_code[with_code], old_to_new, known, entry)
    by_xy, _ = _point_in_commune(out[~with_code & has_xy], communes, entry)
    _Report.flag(entry, "commune déduite des coordonnées (point dans polygone)", len(by_xy))
    placed = pd.concat([by_code, by_xy])
    approx = placed["latitude"].isna() | placed["longitude"].isna()
    placed = placed.assign(
        latitude=placed["latitude"].where(~approx, placed["code_commune"].map(points["latitude"])),
        longitude=placed["longitude"].where(~approx, placed["code_commune"].map(points["longitude"])),
        position_approx=approx,
    )
    _Report.flag(entry, "sans coordonnées : placés au point représentatif de leur commune", approx.sum())
    return placed


def _data_inclusion(
    df, communes, points: pd.DataFrame, old_to_new, known, report, permanence_ids: set[str]
) -> pd.DataFrame:
    sid = "data_inclusion_lieux_2023"
    entry = report.start(sid, len(df))
    dup = df["id"].astype(str).isin(permanence_ids)
    _Report.drop(entry, R_DUPLICATE, dup.sum())
    df = df[~dup]
    out = pd.DataFrame(
        {
            "id": "di-" + df["id"].astype(str),
            "type": "lieu_mediation",
            "nom": df["nom"],
            "adresse": _join(
                df["adresse"], df["complement_adresse"], df["code_postal"] + " " + df["commune"]
            ),
            "latitude": _num(df["latitude"]),
            "longitude": _num(df["longitude"]),
            "services": df["services"],
            "horaires": df["horaires"],
            "_cp": df.get("code_postal"),
            "_ville": df.get("commune"),
        }
    )
    placed = _placed_by_code_or_point(out, df["code_insee"], communes, points, old_to_new, known, entry)
    return placed.assign(source=sid)


def _aidants_connect(df, points: pd.DataFrame, old_to_new, known, report) -> pd.DataFrame:
    sid = "aidants_connect_structures_2024"
    entry = report.start(sid, len(df))
    active = df["Is Active"].astype(str).str.lower().eq("true")
    _Report.drop(entry, R_INACTIVE, (~active).sum())
    df = df[active]
    out = pd.DataFrame(
        {
            "id": "ac-" + df["ID"].astype(str),
            "type": "aidants_connect",
            "nom": df["Name"],
            "adresse": df["Address"],
            "services": "Aidants Connect : démarches administratives en ligne faites pour le compte d'un usager",
            "nb_aidants": _num(df["Nombre d'aidants"]),
            "_pivot": df.get("Siret"),
            "_cp": df.get("Zip Code"),
            "_ville": df.get("City"),
        }
    )
    out = _codes_checked(out, df["City Insee Code"], old_to_new, known, entry)
    out = out.assign(
        latitude=out["code_commune"].map(points["latitude"]),
        longitude=out["code_commune"].map(points["longitude"]),
        position_approx=True,
    )
    _Report.flag(entry, "placées au point représentatif de leur commune (position approchée)", len(out))
    return out.assign(source=sid)


def _national(df, communes, points: pd.DataFrame, old_to_new, known, report) -> pd.DataFrame:
    """The national file of places of digital mediation (current releases), one row per line.

    The commune comes from ``code_insee``, else from the coordinates (point in polygon); a place
    with neither is counted as dropped. The primary type follows the programmes (CnFS first)."""
    sid = oc.NATIONAL_SOURCE
    entry = report.start(sid, len(df))
    progs = df["dispositif_programmes_nationaux"].map(oc.programmes)
    kind = progs.map(
        lambda p: (
            "conseiller_numerique" if oc.CN in p else "aidants_connect" if oc.AC in p else "lieu_mediation"
        )
    )
    roaming = df.get("itinerance", pd.Series(pd.NA, index=df.index)).map(
        lambda v: isinstance(v, str) and "itin" in v.lower() and "fixe" not in v.lower()
    )
    out = pd.DataFrame(
        {
            "id": "lmn-" + df["id"].astype(str),
            "type": kind,
            "nom": df["nom"],
            "adresse": _join(
                df["adresse"], df["complement_adresse"], df["code_postal"] + " " + df["commune"]
            ),
            "latitude": _num(df["latitude"]),
            "longitude": _num(df["longitude"]),
            "services": df["services"].astype("string").str.replace("|", " ; ", regex=False),
            "horaires": df["horaires"],
            "programmes": progs.map(lambda p: "|".join(p) if p else pd.NA),
            "itinerant": roaming.astype(bool),
            "_rid": df["id"].astype("string"),
            "_pivot": df["pivot"],
            "_cp": df.get("code_postal"),
            "_ville": df.get("commune"),
        }
    )
    _Report.flag(
        entry, "lieux itinérants (gardés, signalés, non comptés comme lieux fixes)", int(roaming.sum())
    )
    placed = _placed_by_code_or_point(out, df["code_insee"], communes, points, old_to_new, known, entry)
    vintage = oc.file_vintage(df["date_maj"].dropna().astype(str))
    if vintage:
        entry["millesime_fichier"] = f"lieux mis à jour jusqu'au {vintage}"
        entry["date_maj_max"] = vintage
    return placed.assign(source=sid)


_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre")  # fmt: skip


def _month(day: str) -> str:
    """'2026-11-20' -> 'novembre 2026' (the short millésime shown with a place)."""
    return f"{_MONTHS[int(day[5:7]) - 1]} {day[:4]}"


def _merge_current(places: pd.DataFrame, report: dict) -> pd.DataFrame:
    """Apply THE de-duplication rule to the drawn places of current mode and report it per source.

    Priority (the first listed is kept): France Services list, national file, CnFS permanences,
    then Aidants Connect structures, which only complete a national place (number of aidants); a
    structure the national file does not list keeps its aidants (type ``aidants_connect_effectif``,
    never drawn nor counted as a place)."""
    order = {"france_services_2023": 0, oc.NATIONAL_SOURCE: 1, "cnfs_permanences_2022": 2}
    drawn = places["type"].isin(DRAWN_TYPES) & places["source"].isin(
        [*order, "aidants_connect_structures_2024"]
    )
    rows = places[drawn].assign(_order=places.loc[drawn, "source"].map(order).fillna(3))
    rows = rows.sort_values("_order", kind="stable").drop(columns="_order")
    rid = rows["_rid"] if "_rid" in rows else pd.Series(pd.NA, index=rows.index, dtype="string")
    rows = rows.assign(
        _rid=rid.fillna(rows["id"]),  # ids of other id spaces keep their prefix (fs-12 is not ac-12)
        _merge_only=rows["source"].eq("aidants_connect_structures_2024"),
    )
    kept, merged = oc.merge_duplicates(rows)
    for sid, per_rule in merged.items():
        entry = report[sid]
        entry["doublons_fusionnes"] = per_rule
        _Report.drop(entry, R_MERGED, sum(per_rule.values()))
    for sid, n in kept.attrs.get("unmatched", {}).items():
        _Report.flag(report[sid], F_NOT_NATIONAL, n)
    # an Aidants Connect structure the national file does not list: its aidants still count
    kept.loc[kept["_unmatched"], "type"] = "aidants_connect_effectif"
    return pd.concat([kept, places[~drawn]], ignore_index=True)


def _cnfs_structures(df, sid, code_col, count_col, target, old_to_new, known, report) -> pd.DataFrame:
    entry = report.start(sid, len(df))
    prefix = "coselec-" if "coselec" in sid else "postes-"
    out = pd.DataFrame(
        {
            "id": prefix + pd.Series(range(1, len(df) + 1), index=df.index).astype(str),
            "type": "structure_cnfs",
            "nom": df["Raison sociale"],
            "adresse": df.get("Adresse", pd.NA),
            target: _num(df[count_col]),
            "_cp": df.get("Code postal", pd.NA),
            "_ville": df.get("Commune INSEE", pd.NA),
        }
    )
    out = _codes_checked(out, df[code_col], old_to_new, known, entry)
    _Report.flag(entry, "sans coordonnées : comptées par commune, jamais dessinées", len(out))
    return out.assign(source=sid)


def _representative_points(communes: gpd.GeoDataFrame) -> pd.DataFrame:
    pts = communes.geometry.representative_point()
    return pd.DataFrame({"latitude": pts.y.to_numpy(), "longitude": pts.x.to_numpy()}, index=communes["code"])


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column of COLUMNS, stable dtypes, codes as strings."""
    out = frame.copy()
    defaults = {"itinerant": False, "position_approx": False, "local": False}
    for col in COLUMNS:
        if col not in out:
            out[col] = defaults.get(col, pd.NA)
    for col in (
        "latitude",
        "longitude",
        "nb_conseillers",
        "nb_aidants",
        "postes_valides",
        "conseillers_recrutes",
    ):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
    for col in ("itinerant", "position_approx", "local"):
        out[col] = out[col].fillna(defaults[col]).astype(bool)
    for col in (
        "id",
        "type",
        "nom",
        "adresse",
        "code_commune",
        "services",
        "horaires",
        "source",
        "millesime",
        "programmes",
    ):
        out[col] = out[col].astype("string")
    return out[COLUMNS].reset_index(drop=True)


def _postcode(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    text = re.sub(r"\D", "", str(value).removesuffix(".0"))
    if len(text) == 4:
        text = "0" + text
    return text if len(text) == 5 else None


def _department(code: str) -> str:
    """Département of a commune code or a postcode ('2A004' and '20000' are both Corsica)."""
    if code.startswith("97"):
        return code[:3]
    return "20" if code[:2] in ("2A", "2B") else code[:2]


def _names_commune(place_name: str, commune_name: object) -> bool:
    """True when the place's own name contains the commune's name (whole words, 4 letters or more,
    one typo allowed)."""
    import difflib

    key = _name_key(commune_name)
    if len(key) < 4:
        return False
    if f" {key} " in f" {place_name} ":
        return True
    # one letter off ("Boscammant" for Boscamnant): same number of words, 85 % alike
    words, n = place_name.split(), len(key.split())
    windows = (" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    return any(difflib.SequenceMatcher(None, w, key).ratio() >= 0.85 for w in windows)


def _name_key(name: object) -> str:
    import unicodedata

    if not isinstance(name, str):
        return ""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\bst(e?)\b", r"saint\1", re.sub(r"[^a-z0-9]+", " ", text))
    return re.sub(r"\s+", " ", text).strip()


def check_placement(
    places: pd.DataFrame,
    postcodes: Mapping[str, tuple[str, ...]],
    names: Mapping[str, str],
    communes: gpd.GeoDataFrame,
    points: pd.DataFrame,
    report: dict,
) -> tuple[pd.DataFrame, list[dict]]:
    """Check each place's commune against its postcode, then its coordinates against that commune.

    A commune the postcode does not cover is repaired from the postcode when it names one commune (or
    one commune of the place's town name, or one named in the place's own name), otherwise the place is dropped: a place counted in the
    wrong territory misleads more than a place left out (31 Aidants Connect structures of the Ain,
    the Aisne... sat in Moyenvic, 57). A postcode missing from La Poste's list (CEDEX) is not checked.
    Coordinates farther than ~1 km from the commune are replaced by its representative point.
    Returns the places and the list of every repair, move and drop (for the build report).
    """
    log: list[dict] = []
    if places.empty or not postcodes:
        return places, log
    cp = places["_cp"].map(_postcode) if "_cp" in places else pd.Series(None, index=places.index)
    city = places["_ville"].map(_name_key) if "_ville" in places else pd.Series("", index=places.index)
    code = places["code_commune"].astype("string")
    keep = pd.Series(True, index=places.index)
    new_code = code.copy()
    by_department: dict[str, list[str]] = {}
    for c in names:
        by_department.setdefault(_department(str(c)), []).append(str(c))
    place_names = places["nom"].map(_name_key)
    for i in places.index[cp.notna()]:
        candidates = postcodes.get(cp[i])
        same_department = _department(str(code[i])) == _department(cp[i])
        if not same_department and _names_commune(place_names[i], names.get(str(code[i]))):
            continue  # "France services de Belleville-en-Beaujolais" with 06922: the postcode is the typo
        if not candidates:
            if same_department or pd.isna(code[i]):
                continue  # a CEDEX or unlisted code of the same département: not checked
            # CEDEX code of another département: the communes of that département (town name decides)
            candidates = tuple(by_department.get(_department(cp[i]), ()))
            if len(candidates) <= 1:
                continue
        if code[i] in candidates:
            continue
        if same_department and city[i] and _name_key(names.get(str(code[i]))) == city[i]:
            continue  # the town name confirms the commune: the postcode is the error
        # (across départements the town name is not trusted: the Moyenvic rows all say "Moyenvic")
        by_name = [c for c in candidates if city[i] and _name_key(names.get(c)) == city[i]]
        if not by_name:  # "Mairie de Guise" with 02120: the place's own name picks the commune
            by_name = [c for c in candidates if f" {_name_key(names.get(c))} " in f" {place_names[i]} "]
        match = by_name if len(by_name) == 1 else list(candidates) if len(candidates) == 1 else []
        if not match and same_department:
            continue  # a neighbouring commune of the same département: plausible, kept
        row = places.loc[i]
        entry = {
            "source": row["source"],
            "id": row["id"],
            "nom": row["nom"],
            "code_postal": cp[i],
            "commune_source": f"{code[i]} {names.get(str(code[i]), '')}".strip(),
        }
        if match:
            new_code[i] = match[0]
            log.append(
                {**entry, "commune_retenue": f"{match[0]} {names.get(match[0], '')}", "action": A_REPAIRED}
            )
        else:
            keep[i] = False
            log.append({**entry, "commune_retenue": "", "action": A_DROPPED})
    out = places.assign(code_commune=new_code)
    repaired = out.index[new_code.ne(code).fillna(False)]
    approx = out["position_approx"].fillna(False).astype(bool) if "position_approx" in out else False
    # places drawn at their commune's point follow their repaired commune
    follow = repaired[approx.reindex(repaired).fillna(False).to_numpy()] if len(repaired) else repaired
    out.loc[follow, "latitude"] = out.loc[follow, "code_commune"].map(points["latitude"]).to_numpy()
    out.loc[follow, "longitude"] = out.loc[follow, "code_commune"].map(points["longitude"]).to_numpy()
    for sid in out.loc[~keep, "source"].unique():
        _Report.drop(report[sid], R_POSTCODE, int((~keep & (out["source"] == sid)).sum()))
    for sid in out.loc[repaired, "source"].unique():
        _Report.flag(report[sid], A_REPAIRED, int((out.loc[repaired, "source"] == sid).sum()))
    out = out[keep]
    # coordinates given by the source, checked against the commune's polygon (~1 km tolerance)
    real = (
        out["latitude"].notna()
        & out["longitude"].notna()
        & ~out.get("position_approx", False).fillna(False).astype(bool)
    )
    sub = out[real]
    if len(sub):
        pts = gpd.GeoDataFrame(
            sub[["code_commune"]],
            geometry=gpd.points_from_xy(sub["longitude"], sub["latitude"]),
            crs="EPSG:4326",
        )
        shapes = communes.set_index("code").geometry
        own = gpd.GeoSeries(sub["code_commune"].map(shapes), index=sub.index, crs="EPSG:4326")
        has_shape = own.notna()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # degrees: a rough ~1 km tolerance is all we need
            far = pd.Series(False, index=sub.index)
            far[has_shape] = pts.geometry[has_shape].distance(own[has_shape]) > _NEAREST_MAX_DEG
        moved = far[far].index
        for i in moved:
            row = out.loc[i]
            log.append(
                {
                    "source": row["source"],
                    "id": row["id"],
                    "nom": row["nom"],
                    "code_postal": cp.get(i),
                    "commune_source": f"{row['code_commune']} {names.get(str(row['code_commune']), '')}",
                    "commune_retenue": f"{row['code_commune']} {names.get(str(row['code_commune']), '')}",
                    "action": A_MOVED,
                }
            )
        out.loc[moved, "latitude"] = out.loc[moved, "code_commune"].map(points["latitude"]).to_numpy()
        out.loc[moved, "longitude"] = out.loc[moved, "code_commune"].map(points["longitude"]).to_numpy()
        out.loc[moved, "position_approx"] = True
        for sid in out.loc[moved, "source"].unique():
            _Report.flag(report[sid], A_MOVED, int((out.loc[moved, "source"] == sid).sum()))
    return out, log


def load_places(
    communes: gpd.GeoDataFrame,
    paths: Mapping[str, Path],
    old_to_new: Mapping[str, str] | None = None,
    *,
    postcodes: Mapping[str, tuple[str, ...]] | None = None,
    names: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Read the six offer files into one tidy places frame, with a per-source coverage report.

    Args:
        communes: COG 2025 communes, columns ``code`` (str) and ``geometry`` (EPSG:4326).
        paths: raw file of each source id in ``SOURCE_IDS`` (missing ids are skipped and reported).
        old_to_new: pre-2025 commune codes to their current commune (from ``anciensCodes``).

    Returns:
        ``(places, report)``: ``places`` has the columns of ``COLUMNS``; ``report[source_id]`` gives
        ``rows_read``, ``rows_placed``, ``dropped`` ({reason: n}), ``flagged`` ({note: n}) and
        ``coverage`` = placed / (read - rows left out on purpose: duplicates, inactive structures).
        With ``postcodes`` (postcode -> commune codes) and ``names`` (code -> name), every place's
        commune is checked against its postcode (see ``check_placement``); ``report["placement"]``
        lists every repair, move and drop.
    """
    communes = communes[["code", "geometry"]].to_crs("EPSG:4326") if communes.crs else communes
    communes = communes.assign(code=communes["code"].astype(str)).reset_index(drop=True)
    known = set(communes["code"])
    points = _representative_points(communes)  # where places known only by their commune are drawn
    report = _Report()
    frames = []
    current = oc.NATIONAL_SOURCE in paths  # current mode: the national file replaces older extracts
    superseded = [s for s in oc.SUPERSEDED if s in paths] if current else []
    paths = {s: p for s, p in paths.items() if s not in superseded}
    missing = [s for s in SOURCE_IDS if s not in paths and s not in superseded]
    if "france_services_2023" in paths:
        frames.append(
            _france_services(_read(paths["france_services_2023"]), communes, old_to_new, known, report)
        )
    permanence_ids: set[str] = set()
    if "cnfs_permanences_2022" in paths:
        raw = _read(paths["cnfs_permanences_2022"])
        permanence_ids = set(raw["id"].astype(str))
        frames.append(_permanences(raw, communes, old_to_new, known, report))
    if "data_inclusion_lieux_2023" in paths:
        raw = _read(paths["data_inclusion_lieux_2023"])
        frames.append(_data_inclusion(raw, communes, points, old_to_new, known, report, permanence_ids))
    if current:
        raw = oc.read_national(paths[oc.NATIONAL_SOURCE])
        frames.append(_national(raw, communes, points, old_to_new, known, report))
    if "aidants_connect_structures_2024" in paths:
        raw = _read(paths["aidants_connect_structures_2024"])
        frames.append(_aidants_connect(raw, points, old_to_new, known, report))
    if "cnfs_structures_coselec_2023" in paths:
        raw = _read(paths["cnfs_structures_coselec_2023"])
        frames.append(
            _cnfs_structures(
                raw,
                "cnfs_structures_coselec_2023",
                "Code commune INSEE",
                "Nombre de conseillers validés par le COSELEC",
                "postes_valides",
                old_to_new,
                known,
                report,
            )
        )
    if "cnfs_structures_postes_2023" in paths:
        raw = _read(paths["cnfs_structures_postes_2023"])
        frames.append(
            _cnfs_structures(
                raw,
                "cnfs_structures_postes_2023",
                "Code commune Insee",
                "Nb de conseillers recrutés",
                "conseillers_recrutes",
                old_to_new,
                known,
                report,
            )
        )
    frames = [f for f in frames if len(f)]
    places = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    placement: list[dict] = []
    if postcodes and len(places):
        if "position_approx" in places:
            places["position_approx"] = places["position_approx"].astype("boolean").fillna(False)
        places, placement = check_placement(places, postcodes, names or {}, communes, points, report.data)
    if current and len(places):
        places = _merge_current(places, report.data)
    places = places.assign(millesime=places["source"].map(_millesime) if len(places) else pd.NA)
    national_day = report.data.get(oc.NATIONAL_SOURCE, {}).get("date_maj_max")
    if national_day:
        places.loc[places["source"] == oc.NATIONAL_SOURCE, "millesime"] = _month(national_day)
    places = _finish(places)
    for sid, entry in report.data.items():
        entry["rows_placed"] = int((places["source"] == sid).sum())
        entry["rows_dropped"] = int(sum(entry["dropped"].values()))
        entry["unaccounted"] = entry["rows_read"] - entry["rows_placed"] - entry["rows_dropped"]
        deliberate = sum(n for reason, n in entry["dropped"].items() if reason in _DELIBERATE)
        expected = entry["rows_read"] - deliberate
        entry["rows_in"] = entry["rows_read"]  # names shared with the other loaders' reports
        entry["coverage"] = round(entry["rows_placed"] / expected, 4) if expected else 0.0
    if postcodes:
        report.data["placement"] = placement

    def unread(**why) -> dict:  # a source not read: each its own (mutable) counters
        return {"rows_read": 0, "rows_placed": 0, "rows_dropped": 0, "dropped": {}, "flagged": {}, **why}

    for sid in superseded:
        report.data[sid] = unread(note=R_SUPERSEDED, remplacee_par=oc.NATIONAL_SOURCE)
    for sid in missing:
        report.data[sid] = unread(missing=True)
    return places, report.data


def count_places(places: pd.DataFrame, codes: Iterable[str] | None = None) -> pd.DataFrame:
    """Counts per commune (index ``code``) for the registry ids of theme "offre".

    ``nb_lieux_total`` = distinct places drawn (France Services fixed sites, CnFS permanences, lieux
    de médiation, Aidants Connect structures: each row has one type); it is the numerator of
    ``lieux_pour_10000``. Buses are not counted. A place counts once in each indicator it belongs
    to: ``nb_permanences_cnfs`` and ``nb_structures_aidants_connect`` also count the places of
    another type whose ``programmes`` name the programme (current mode: a France Services site
    hosting a conseiller numérique). With the pinned files ``programmes`` is empty and every
    count is the count of one type. Pass ``codes`` to get a row (of zeros) for every commune; a
    zero here is a real zero.
    """
    p = places[~places["itinerant"].astype(bool)]
    by = p.groupby("code_commune")
    typ = p["type"]
    progs = p["programmes"].astype("string").fillna("") if "programmes" in p else pd.Series("", index=p.index)
    cnfs = (typ == "conseiller_numerique") | progs.str.contains(oc.CN, regex=False)
    aidants = (typ == "aidants_connect") | progs.str.contains(oc.AC, regex=False)
    counts = pd.DataFrame(
        {
            "nb_france_services": (typ == "france_services").groupby(p["code_commune"]).sum(),
            "nb_lieux_mediation": (typ == "lieu_mediation").groupby(p["code_commune"]).sum(),
            "nb_permanences_cnfs": cnfs.groupby(p["code_commune"]).sum(),
            "nb_postes_cnfs": by["postes_valides"].sum(min_count=1),
            "nb_cnfs_recrutes": by["conseillers_recrutes"].sum(min_count=1),
            "nb_structures_aidants_connect": aidants.groupby(p["code_commune"]).sum(),
            "nb_aidants_connect": by["nb_aidants"].sum(min_count=1),
            "nb_lieux_total": typ.isin(DRAWN_TYPES).groupby(p["code_commune"]).sum(),
        }
    )
    if codes is not None:
        counts = counts.reindex(pd.Index([str(c) for c in codes]))
    counts = counts.fillna(0).astype("int64")
    counts.index = counts.index.astype(str).rename("code")
    return counts[COUNT_COLUMNS]


def local_places_frame(records: Iterable[Mapping], communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """Places added by the host territory (validated upload/form records) as rows of the places frame.

    Records without coordinates are put at their commune's representative point
    (``position_approx = True``); all are marked ``local = True`` ("ajouté localement").
    """
    records = list(records)
    if not records:
        return _finish(pd.DataFrame(columns=COLUMNS))
    frame = pd.DataFrame(records)
    for col in ("adresse", "code_commune", "latitude", "longitude", "services", "horaires", "id"):
        if col not in frame:
            frame[col] = pd.NA
    frame["latitude"] = pd.to_numeric(frame["latitude"], errors="coerce")
    frame["longitude"] = pd.to_numeric(frame["longitude"], errors="coerce")
    points = _representative_points(communes)
    no_xy = frame["latitude"].isna() | frame["longitude"].isna()
    codes = frame["code_commune"].map(lambda c: fold_code(c))
    frame = frame.assign(
        code_commune=codes,
        latitude=frame["latitude"].where(~no_xy, codes.map(points["latitude"])),
        longitude=frame["longitude"].where(~no_xy, codes.map(points["longitude"])),
        position_approx=no_xy,
        local=True,
        source="ajout_local",
        millesime=_added_on(frame),
    )
    missing_code = frame["code_commune"].isna() & frame["latitude"].notna()
    if missing_code.any():
        pts = frame[missing_code]
        placed, _ = _point_in_commune(
            pts.drop(columns="code_commune"), communes[["code", "geometry"]], {"dropped": {}, "flagged": {}}
        )
        frame.loc[placed.index, "code_commune"] = placed["code_commune"]
    numbers = pd.Series([str(i + 1) for i in range(len(frame))], index=frame.index)
    ids = frame["id"].map(lambda v: None if pd.isna(v) else str(int(v)) if isinstance(v, float) else str(v))
    frame["id"] = "local-" + ids.fillna(numbers).astype("string")
    return _finish(frame)


def _added_on(frame: pd.DataFrame) -> pd.Series:
    """'ajouté le 28/11/2026' from the store's `created_at`, when known."""
    if "created_at" not in frame:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    dates = pd.to_datetime(frame["created_at"], errors="coerce", utc=True)
    return ("ajouté le " + dates.dt.strftime("%d/%m/%Y")).astype("string")
