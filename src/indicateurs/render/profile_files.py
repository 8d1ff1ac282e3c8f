"""The profile to take away as tables: comparison table, XLSX (with commune and sources sheets), CSV."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from indicateurs.analysis.profile import _RANK_COLUMNS, Profile, display_value
from indicateurs.reference.levels import TITLES
from indicateurs.reference.registry import get_indicator, list_themes
from indicateurs.reference.text import format_number, with_unit
from indicateurs.render.tables import csv_bytes, safe_filename, xlsx_bytes

__all__ = ["comparison_table", "profile_csv", "profile_filename", "profile_xlsx"]


def _shown(value, indicator_id: str):
    """The value as a spreadsheet shows it: rates ×100, missing -> the French explanation."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return display_value(np.nan, indicator_id)
    if get_indicator(indicator_id).is_rate:
        return float(value) * 100
    return float(value)


def comparison_table(profile: Profile) -> pd.DataFrame:
    """All indicators for the territory and its comparison territories, one row per (territory, indicator).

    Rates are given in % (×100); missing values carry the French explanation instead of a number.
    """
    ranks = profile.ranks[["level", "code", "indicator", *_RANK_COLUMNS]].reset_index(drop=True)
    rows = profile.ladder.merge(ranks, on=["level", "code", "indicator"], how="left")
    meta = {i: _meta(profile, i) for i in rows["indicator"].unique()}
    has_value = rows["value"].notna()
    return pd.DataFrame(
        {
            "Rôle": rows["role_label"],
            "Niveau": rows["level"].map(TITLES),
            "Code": rows["code"],
            "Territoire": rows["nom"],
            "Identifiant": rows["indicator"],
            "Indicateur": rows["indicator"].map(lambda i: meta[i][0]),
            "Valeur": [_shown(v, i) for v, i in zip(rows["value"], rows["indicator"], strict=True)],
            "Unité": rows["indicator"].map(lambda i: meta[i][1]),
            "Rang national": [_int_or_blank(v) for v in rows["rank"].where(has_value)],
            "Nombre de territoires classés": [_int_or_blank(v) for v in rows["count"]],
            "Centile de fragilité (France)": [_round_or_blank(v) for v in rows["national_pct"]],
            "Centile de fragilité (région)": [_round_or_blank(v) for v in rows["regional_pct"]],
            "Source": rows["indicator"].map(lambda i: meta[i][2]),
            "Millésime": rows["millesime"]  # the vintage of each value, as the base says it
            if "millesime" in rows
            else rows["indicator"].map(lambda i: meta[i][3]),
            "Couverture (part de la population)": rows["coverage"].round(4) if "coverage" in rows else "",
            "Statut": rows.get("statut", ""),
            "Valeur affichée": rows.get("display", ""),
            "Note": rows.get("note", ""),
        }
    )


def _meta(profile: Profile, indicator_id: str) -> tuple[str, str, str, str]:
    """(label, unit, source, millésime) of an indicator, as the profile's base says them."""
    ind = profile.registry.get(indicator_id)
    return ind.label, ind.unit, profile.source_entry(indicator_id).producer, profile.millesime(indicator_id)


def _int_or_blank(value):
    return int(value) if pd.notna(value) else ""


def _round_or_blank(value):
    return round(float(value), 1) if pd.notna(value) else ""


def _commune_sheets(profile: Profile) -> dict[str, pd.DataFrame]:
    """One sheet per theme of commune-level indicators, with the commune code and name."""
    communes = profile.communes
    if communes.empty:
        return {}
    sheets: dict[str, pd.DataFrame] = {}
    themes = dict.fromkeys(i.theme for i in profile.registry.list())  # registry order: contexte first
    short = {t.id: t.short for t in list_themes()}
    for theme in themes:
        ids = [
            i.id
            for i in profile.registry.list(theme)
            if i.id in communes.columns and communes[i.id].notna().any() and "commune" in i.levels
        ]
        if not ids:
            continue
        frame = pd.DataFrame(
            {"Code commune": communes.index.astype(str), "Commune": communes["nom"].to_numpy()}
        )
        for ind_id in ids:
            ind = profile.registry.get(ind_id)
            frame[with_unit(ind.short, ind.unit)] = [_shown(v, ind_id) for v in communes[ind_id].to_numpy()]
        sheets[f"Communes - {short[theme]}"] = frame
    return sheets


def _sources_sheet(profile: Profile) -> pd.DataFrame:
    ids = set(profile.ladder["indicator"])
    rows = [
        {
            "Identifiant": ind.id,
            "Indicateur": ind.label,
            "Unité": ind.unit,
            "Source": profile.source_entry(ind.id).producer,
            "Jeu de données": profile.source_entry(ind.id).title,
            "Millésime": profile.millesime(ind.id),
            "Licence": profile.source_entry(ind.id).licence,
            "Adresse": " ".join(profile.source_urls(ind.id)),  # the URL the build used (provenance)
            "Définition": ind.description,
        }
        for ind in profile.registry.list()
        if ind.id in ids
    ]
    rows.append(
        {
            "Identifiant": "notes",
            "Indicateur": "Lecture",
            "Unité": "",
            "Source": "",
            "Jeu de données": "",
            "Millésime": f"données de la base du {profile.data_date}",
            "Licence": "",
            "Adresse": "",
            "Définition": "Taux en % (×100). Rang national : 1 = situation la plus fragile (ou valeur la plus "
            "élevée pour les indicateurs de contexte) ; percentile : 100 = le plus fragile. "
            + " ".join(profile.caveats),
        }
    )
    return pd.DataFrame(rows)


def profile_xlsx(profile: Profile) -> bytes:
    """XLSX: indicators for the territory and its comparisons, commune sheets, sources sheet."""
    sheets = {
        "Indicateurs": comparison_table(profile),
        **_commune_sheets(profile),
        "Sources": _sources_sheet(profile),
    }
    return xlsx_bytes(
        sheets,
        number_formats={"Centile de fragilité (France)": "0.0", "Centile de fragilité (région)": "0.0"},
    )


def profile_csv(profile: Profile) -> bytes:
    """CSV (UTF-8 BOM, ';', decimal comma) of the comparison table."""
    table = comparison_table(profile)
    for column in (
        "Valeur",
        "Centile de fragilité (France)",
        "Centile de fragilité (région)",
    ):  # mixed columns: numbers and text
        table[column] = [_french_number(v) if isinstance(v, float) else v for v in table[column].to_numpy()]
    return csv_bytes(table)


def _french_number(value: float) -> str:
    return format_number(value, 4, trim=True, group=False)


def profile_filename(profile: Profile, extension: str) -> str:
    """'profil-cc-du-haut-val-de-sevre-200067106.pdf'."""
    return safe_filename(f"profil {profile.nom} {profile.code}", f".{extension.lstrip('.')}")
