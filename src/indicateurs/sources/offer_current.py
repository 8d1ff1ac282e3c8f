"""The national file of places of digital mediation (current releases) and THE de-duplication rule.

Why here: in `--millesimes courants` the offer comes from several producers that list the same
place (the national file of the Cartographie nationale, the France Services list, the Aidants
Connect export): a place must count once per indicator, and the build must say how many it merged.
The rule lives in one function, `merge_duplicates`, so the report, the map and the counts agree.

The national file ("Lieux de médiation numérique sur le territoire national", ANCT, data.gouv.fr)
follows the schema "Lieux de médiation numérique" (LaMednum/standard-mediation-num on
schema.data.gouv.fr). Formats read:

- schema v1.0 (2022-2023 extracts): multi-valued fields separated by ',', national programmes in
  ``labels_nationaux`` ("CNFS", "France Services", "Aidants Connect");
- later exports (opendata publication of the Cartographie nationale): ';' separator with a BOM,
  multi-valued fields separated by '|', programmes in ``dispositif_programmes_nationaux``
  ("Conseillers numériques", "France Services", "Aidants Connect"…), ``pivot`` often the
  placeholder '00000000000000' (no SIRET carried by places any more), ``date_maj`` a timestamp.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from indicateurs.reference.text import normalise

__all__ = [
    "AC",
    "CN",
    "FS",
    "NATIONAL_SOURCE",
    "RULES",
    "SUPERSEDED",
    "file_vintage",
    "merge_duplicates",
    "offer_provenance",
    "programmes",
    "read_national",
    "valid_pivot",
]

NATIONAL_SOURCE = "lieux_mediation_numerique"
# Pinned offer files the national file replaces in current mode (same schema, same producers' chain:
# the conseiller-numerique places and the data·inclusion places are inside the national file).
SUPERSEDED = ("cnfs_permanences_2022", "data_inclusion_lieux_2023")

CN = "Conseillers numériques"
AC = "Aidants Connect"
FS = "France Services"

# The rule, in the order it is tried (French: the names reach the build report).
RULES = ("même identifiant", "même SIRET et même commune", "même nom et même commune")

_PROGRAMME_COLUMNS = ("dispositif_programmes_nationaux", "labels_nationaux")


def programmes(value: object) -> list[str]:
    """Canonical names of the national programmes listed in one cell ('|', ';' or ',' separated).

    >>> programmes("CNFS,France Services"), programmes("Conseillers numériques|Aidants Connect")
    (['Conseillers numériques', 'France Services'], ['Conseillers numériques', 'Aidants Connect'])
    """
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return []
    out: list[str] = []
    for part in re.split(r"[|;,]", str(value)):
        key = normalise(part)
        if not key:
            continue
        if key in (
            "cnfs",
            "conseiller numerique",
            "conseillers numeriques",
            "conseiller numerique france services",
        ):
            name = CN
        elif key == "aidants connect":
            name = AC
        elif key in ("france services", "france service"):
            name = FS
        else:
            name = part.strip()
        if name not in out:
            out.append(name)
    return out


def valid_pivot(value: object) -> str | None:
    """A SIRET (14 digits, not the all-zero placeholder) or an RNA number (W + 9 digits); else None.

    >>> valid_pivot("21010004000010.0"), valid_pivot("00000000000000"), valid_pivot("w751234567")
    ('21010004000010', None, 'W751234567')
    """
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip().upper().removesuffix(".0").replace(" ", "")
    if re.fullmatch(r"\d{14}", text) and set(text) != {"0"}:
        return text
    if re.fullmatch(r"W\d{9}", text):
        return text
    return None


def read_national(path: Path) -> pd.DataFrame:
    """The national file as text columns, whatever its separator, BOM and schema version.

    ``labels_nationaux`` (schema v1.0) is renamed ``dispositif_programmes_nationaux``; codes stay
    strings (leading zeros kept)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    header = text.split("\n", 1)[0]
    sep = ";" if header.count(";") > header.count(",") else ","
    frame = pd.read_csv(
        io.StringIO(text),
        sep=sep,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        quoting=csv.QUOTE_MINIMAL,
    )
    frame.columns = [str(c).strip() for c in frame.columns]
    if "dispositif_programmes_nationaux" not in frame and "labels_nationaux" in frame:
        frame = frame.rename(columns={"labels_nationaux": "dispositif_programmes_nationaux"})
    for col in (
        "id",
        "pivot",
        "nom",
        "commune",
        "code_postal",
        "code_insee",
        "adresse",
        "latitude",
        "longitude",
    ):
        if col not in frame:
            frame[col] = pd.NA
    for col in ("dispositif_programmes_nationaux", "services", "horaires", "date_maj", "complement_adresse"):
        if col not in frame:
            frame[col] = pd.NA
    return frame


def file_vintage(dates: Iterable[object], *, today: date | None = None) -> str | None:
    """The newest update date of the file (ISO day), future dates ignored; None if none is readable.

    >>> file_vintage(["2026-11-20 03:12:45.1", "2025-01-02", "2099-01-01", ""], today=date(2026, 11, 29))
    '2026-11-20'
    """
    limit = (today or datetime.now(UTC).date()).isoformat()
    days = [str(d)[:10] for d in dates if isinstance(d, str) and re.match(r"\d{4}-\d{2}-\d{2}", str(d))]
    days = [d for d in days if d <= limit]
    return max(days) if days else None


def merge_duplicates(rows: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, dict[str, int]]]:
    """THE de-duplication rule: a place listed several times (in one file or in several) is kept once.

    Two rows are the same place when they have an identical source id (``_rid``), else the same
    SIRET/RNA (``_pivot``, placeholders ignored, see `valid_pivot`) in the same commune
    (``code_commune``), else the same normalised name (``nom``, `normalise`) in the same commune.
    Rows are read in the order given (the first one is kept: pass the inputs in priority order);
    the kept row takes the union of the programmes (``programmes``, '|'-joined) and the counts it
    lacks (``nb_aidants``, ``nb_conseillers``); the aidants of several ``_merge_only`` structures
    found at one place add up (distinct structures, distinct people). Rows flagged ``_merge_only`` (an input used only
    to complete the others) never receive other rows; those that match nothing are kept with
    ``_unmatched = True`` (the caller decides what they count for); itinerant rows never merge.

    Returns ``(kept rows, {source: {rule: merged rows}})``; ``kept.attrs["unmatched"]`` counts the
    ``_merge_only`` rows that matched nothing, per source.
    """
    if rows.empty:
        out = rows.assign(_unmatched=pd.Series(dtype=bool))
        out.attrs["unmatched"] = {}
        return out, {}
    rows = rows.reset_index(drop=True)
    n = len(rows)
    col = lambda name: rows[name].tolist() if name in rows else [None] * n  # noqa: E731
    rid, pivot, commune, name = col("_rid"), col("_pivot"), col("code_commune"), col("nom")
    source, only = col("source"), col("_merge_only")
    roaming = [v is True or (not pd.isna(v) and bool(v)) for v in col("itinerant")]
    progs = [programmes(p) for p in col("programmes")]
    aidants, conseillers = col("nb_aidants"), col("nb_conseillers")
    seen: list[dict] = [{}, {}, {}]  # one index per rule: key -> kept row
    keep = [False] * n
    lonely = [False] * n
    target = list(range(n))
    merged: dict[str, dict[str, int]] = {}
    unmatched: dict[str, int] = {}

    def flagged(i: int) -> bool:
        return only[i] is not None and not pd.isna(only[i]) and bool(only[i])

    def keys(i: int) -> list:
        place = str(commune[i]) if isinstance(commune[i], str) and commune[i] else None
        folded = normalise(name[i]) if isinstance(name[i], str) else ""
        return [
            str(rid[i]).strip() if isinstance(rid[i], str) and rid[i].strip() else None,
            (valid_pivot(pivot[i]), place) if valid_pivot(pivot[i]) and place else None,
            (folded, place) if folded and place else None,
        ]

    for i in range(n):
        if roaming[i]:
            keep[i] = True
            continue
        mine = keys(i)
        hit = next(
            ((rule, seen[rule][k]) for rule, k in enumerate(mine) if k is not None and k in seen[rule]), None
        )
        if hit is None:
            keep[i] = True
            if flagged(i):
                unmatched[source[i]] = unmatched.get(source[i], 0) + 1
                lonely[i] = True
                continue  # matches nothing, and nothing may merge into it
            for rule, k in enumerate(mine):
                if k is not None:
                    seen[rule].setdefault(k, i)
            continue
        rule, j = hit
        target[i] = j
        per = merged.setdefault(str(source[i]), {})
        per[RULES[rule]] = per.get(RULES[rule], 0) + 1
        progs[j] += [p for p in progs[i] if p not in progs[j]]
        for values in (aidants, conseillers):
            if pd.isna(values[j]) and not pd.isna(values[i]):
                values[j] = values[i]
            elif values is aidants and flagged(i) and not pd.isna(values[i]):
                values[j] += values[i]  # two Aidants Connect structures at one place: their aidants add up
        for r, k in enumerate(mine):  # the merged row's other keys now point to the kept place
            if k is not None:
                seen[r].setdefault(k, j)
    out = rows.assign(
        _unmatched=lonely,
        programmes=["|".join(p) if p else pd.NA for p in progs],
        **{c: v for c, v in (("nb_aidants", aidants), ("nb_conseillers", conseillers)) if c in rows},
    )[keep]
    out.attrs["unmatched"] = unmatched
    return out.reset_index(drop=True), merged


# Indicators counted from the national file when it is used (their registry source is a pinned file).
NATIONAL_INDICATORS = ("nb_lieux_mediation", "nb_permanences_cnfs", "nb_structures_aidants_connect")
# Indicators computed from every drawn place (France Services + the national file).
ALL_PLACES_INDICATORS = ("lieux_pour_10000", "distance_lieu_km", "part_pop_plus_10km", "part_pop_plus_20km")
_FS = "france_services_2023"
_AC = "aidants_connect_structures_2024"


def _resource_vintage(source_id: str) -> str | None:
    """What the fetch recorded for a current release ("ressource du 2026-03-02 : …"), if any."""
    from indicateurs.sources.fetch import store_manifest

    entry = store_manifest().get(source_id) or {}
    return entry.get("millesime") if entry.get("catalogue") == "courants" else None


def _pinned_offer_sources(values: pd.DataFrame) -> pd.DataFrame:
    """Without the national file (unreachable), a count the current registry gives to it comes from
    the pinned place file: its values carry that file's source and millésime, so the base describes
    them with the pinned words (`Base.registry`), never as the national file."""
    from indicateurs.reference.registry import get_indicator

    if values.empty or "source" not in values.columns:
        return values
    hit = values["source"].astype(str).eq(NATIONAL_SOURCE)
    if not hit.any():
        return values
    out = values.copy()
    which = out.loc[hit, "indicator"].astype(str)
    for col in ("source", "millesime"):
        was_category = isinstance(out[col].dtype, pd.CategoricalDtype)
        column = out[col].astype("object")
        column[hit] = which.map(lambda i, col=col: getattr(get_indicator(i, mode="figes"), col))
        out[col] = column.astype("category") if was_category else column
    return out


def offer_provenance(values: pd.DataFrame, reports: dict) -> pd.DataFrame:
    """Source and millésime of the place counts in current mode, read in the files, never in the code:
    the national file's newest ``date_maj`` for the counts it gives, the France Services resource
    date for ``nb_france_services``, both for the indicators computed from every place. Unchanged
    with the pinned files (the national file is not used and France Services is not a current release).
    """
    national = (reports.get(NATIONAL_SOURCE) or {}).get("millesime_fichier")
    fs = (reports.get(_FS) or {}).get("millesime_fichier") or _resource_vintage(_FS)
    if not national:
        values = _pinned_offer_sources(values)
    if values.empty or not (national or fs):
        return values
    changes: dict[str, tuple[str | None, str]] = {}
    if fs:
        changes["nb_france_services"] = (None, f"France Services : {fs}")
    if national:
        for indicator in NATIONAL_INDICATORS:
            changes[indicator] = (NATIONAL_SOURCE, national)
        ac = (reports.get(_AC) or {}).get("millesime_fichier") or "février 2024"
        changes["nb_aidants_connect"] = (None, f"{ac} (structures retrouvées dans le fichier national)")
        both = " ; ".join(
            filter(None, [f"France Services : {fs}" if fs else "", f"lieux de médiation : {national}"])
        )
        for indicator in ALL_PLACES_INDICATORS:
            changes[indicator] = (None, both)
    hit = values["indicator"].astype(str).isin(changes)
    if not hit.any():
        return values
    out = values.copy()
    which = out.loc[hit, "indicator"].astype(str)
    for col, pick in (("source", 0), ("millesime", 1)):
        was_category = isinstance(out[col].dtype, pd.CategoricalDtype)
        column = out[col].astype("object")
        new = which.map(lambda i, pick=pick: changes[i][pick])
        column[hit] = new.where(new.notna(), column[hit])
        out[col] = column.astype("category") if was_category else column
    return out
