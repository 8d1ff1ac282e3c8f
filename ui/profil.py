"""App-side caches for the Profil page: the profile and its files, keyed on (level, code).

Cached objects are shared between sessions: never mutate what these functions return.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd
import streamlit as st

from indicateurs.analysis.profile import COMPOSITE_ID, IFN_IDS, Profile, build_profile
from indicateurs.reference.levels import TITLES
from indicateurs.reference.registry import format_value
from indicateurs.render.charts import ladder_chart
from indicateurs.render.pdf import profile_pdf
from indicateurs.render.profile_files import profile_csv, profile_xlsx
from ui import cache
from ui.cache import base

__all__ = [
    "MetricTexts",
    "csv",
    "default_indicator",
    "heading",
    "key_figure_rows",
    "ladder",
    "map_indicators",
    "map_scope",
    "metric_texts",
    "pdf",
    "profile",
    "xlsx",
]


@st.cache_resource(show_spinner="Calcul du profil…", max_entries=64)
def profile(level: str, code: str) -> Profile:
    """The profile of one territory (ValueError in French when the code is unknown).

    Shared read-only (`st.cache_resource`: `st.cache_data` copied its frames on every rerun)."""
    return build_profile(base(), code, level)


def ladder(level: str, code: str, indicator_id: str):
    """The comparison ladder of one indicator, its Vega-Lite spec built once. Read-only."""
    return cache.built(
        "profil:echelle",
        (level, code, indicator_id),
        lambda: cache.frozen_chart(
            ladder_chart(
                profile(level, code).ladder, indicator_id, ind=profile(level, code).registry.get(indicator_id)
            )
        ),
    )


@st.cache_data(show_spinner=False, max_entries=16)
def pdf(level: str, code: str) -> bytes:
    return profile_pdf(profile(level, code), base())


@st.cache_data(show_spinner=False, max_entries=16)
def xlsx(level: str, code: str) -> bytes:
    return profile_xlsx(profile(level, code))


@st.cache_data(show_spinner=False, max_entries=16)
def csv(level: str, code: str) -> bytes:
    return profile_csv(profile(level, code))


class MetricTexts(NamedTuple):
    """What one key figure shows: label, figure, help, and the caption under it (source, millésime)."""

    label: str
    shown: str
    help: str
    caption: str


def metric_texts(key: pd.DataFrame, indicator_id: str) -> MetricTexts | None:
    """The texts of one key figure of `profile.key_figures` (None when the profile lacks it): the
    Profil page and its first view (`ui.first_view`) write the same words."""
    if indicator_id not in key.index:
        return None
    row = key.loc[indicator_id]
    indicator = base().indicator(indicator_id)
    shown, why = row["display"], ""
    if pd.isna(row["value"]):  # the reason is too long for a metric: say it in full underneath
        shown, why = "non disponible", row["display"]
    elif len(shown) > 20 and row.get("statut") != "estimé":
        shown = format_value(row["value"], indicator)
    lines = [why] if why and why != row.get("note") else []
    lines += [row["concerned_text"]] if row["concerned_text"] else []
    if indicator_id == COMPOSITE_ID:
        lines.append("0 = le moins fragile, 100 = le plus fragile")
    note = row.get("note", "")
    if isinstance(note, str) and note:  # « estimé », coverage, inputs of the composite, census year
        lines.append(note)
    lines.append(row["citation"])
    help_text = " ".join(filter(None, [row["label"], row["concerned_note"]]))
    return MetricTexts(indicator.short, shown, help_text, " · ".join(lines))


def map_scope(profile: Profile) -> tuple[str, str]:
    """(scope, area) of the shared map builder: the territory itself, or a commune's EPCI."""
    if profile.level in ("epci", "departement", "region"):
        return profile.level, profile.code
    parents = profile.parents.set_index("role")["code"]
    return ("epci", parents["epci"]) if "epci" in parents else ("departement", parents["departement"])


def map_indicators(profile: Profile) -> list[str]:
    """The indicators the commune map can draw for this profile."""
    return [i for i in profile.indicator_ids() if i in profile.communes.columns]


def default_indicator(choices: list[str]) -> str:
    """IFN first when the territory has it."""
    return "ifn" if "ifn" in choices else choices[0]


CONTEXT = ("population", "densite")


def heading(profile: Profile) -> tuple[str, str]:
    """The page's title and the line under it (code, département, région…)."""
    parents = " · ".join(
        f"{TITLES[r.level]} : {r.nom}" for r in profile.parents.itertuples() if r.role != "france"
    )
    return (
        f"Profil du territoire : {profile.nom}",
        " · ".join(filter(None, [f"{TITLES[profile.level]} {profile.code}", parents])),
    )


def key_figure_rows(key: pd.DataFrame) -> list[tuple[str | None, list[str]]]:
    """The key figures as the page lays them out: (heading in Markdown or None, indicator ids) per row."""
    rates = [i for i in key.index if i not in (*CONTEXT, *IFN_IDS, COMPOSITE_ID)]
    return [
        (None, [*CONTEXT, "ifn", COMPOSITE_ID]),
        (
            "**Les 5 composantes de l'indice de fragilité numérique** (1 = risque le plus faible, 10 = le plus élevé)",
            list(IFN_IDS[1:]),
        ),
        ("**Principaux taux**", rates[:3]),
        (None, rates[3:]),
    ]
