"""Selections of the Carte page on the cached base (`ui.cache`): scopes, outlines, neighbours.

Cached objects are shared between sessions: never mutate what these functions return.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from indicateurs.analysis.scores import base_neighbours
from indicateurs.render.insets import inset_frames
from indicateurs.render.maps import outline_geojson
from ui import cache
from ui.cache import base, geometry

__all__ = [
    "SCOPES",
    "neighbour_codes",
    "outlines",
    "outlines_url",
    "scope_choices",
    "scope_codes",
    "scope_geometry",
    "scope_topology",
    "territory_geometry",
    "topology_url",
]

# Map scopes: (map level, level of the area it covers)
SCOPES: dict[str, tuple[str, str]] = {
    "france": ("epci", "france"),
    "region": ("epci", "region"),
    "departement": ("commune", "departement"),
    "epci": ("commune", "epci"),
}


@st.cache_resource(show_spinner=False)
def scope_codes(scope: str, area_code: str) -> tuple[str, ...] | None:
    """Codes drawn for a scope (None: the whole level): EPCI of a région, communes of a département…"""
    level, area_level = SCOPES[scope]
    if area_level == "france":
        return None
    t = base().territories
    members = t.loc[(t["level"] == level) & (t[area_level] == area_code), "code"]
    return tuple(sorted(members.astype(str)))


@st.cache_resource(show_spinner=False)
def scope_geometry(scope: str, area_code: str) -> gpd.GeoDataFrame:
    """Boundaries drawn for a scope: EPCI of France (overseas in insets) or of a région, communes of a
    département or an EPCI."""
    if SCOPES[scope][1] == "france":
        return cache.france_geometry(SCOPES[scope][0])
    return cache.subset(SCOPES[scope][0], scope_codes(scope, area_code))


def scope_topology(scope: str, area_code: str) -> dict:
    """Quantised TopoJSON of a scope (`ui.cache.topology`, built once, shared)."""
    if SCOPES[scope][1] == "france":
        return cache.france_topology(SCOPES[scope][0])
    return cache.topology(SCOPES[scope][0], scope_codes(scope, area_code))


@st.cache_resource(show_spinner=False)
def outlines(scope: str, area_code: str) -> gpd.GeoDataFrame | None:
    """Context lines: régions on the France map, départements in a région, EPCI in a département."""
    t = base().territories
    if scope == "france":  # régions, and a frame around each overseas inset
        frames = inset_frames()
        return pd.concat([cache.france_geometry("region"), frames], ignore_index=True)
    if scope == "region":
        deps = t.loc[(t["level"] == "departement") & (t["region"] == area_code), "code"]
        g = geometry("departement")
        return g[g["code"].isin(set(deps))].reset_index(drop=True)
    if scope == "departement":
        epcis = t.loc[(t["level"] == "commune") & (t["departement"] == area_code), "epci"].dropna()
        g = geometry("epci")
        return g[g["code"].isin(set(epcis))].reset_index(drop=True)
    return None


@st.cache_resource(show_spinner=False)
def territory_geometry(level: str, code: str):
    """The boundary of one territory (None for France or an unknown code)."""
    if level not in ("commune", "epci", "departement", "region"):
        return None
    g = geometry(level)
    match = g.loc[g["code"] == code, "geometry"]
    return match.iloc[0] if len(match) else None


def neighbour_codes(level: str, code: str) -> list[str]:
    """Territories of the same level that share a border with `code` (the Profil's rule, `base_neighbours`)."""
    if level not in ("commune", "epci", "departement", "region"):
        return []
    return list(base_neighbours(base(), level).get(code, []))


@st.cache_data(show_spinner=False)
def scope_choices(level: str, code: str) -> list[tuple[str, str, str]]:
    """Map scopes that contain the chosen territory, default first: (scope, area code, French label)."""
    t = base().territories
    row = t[(t["level"] == level) & (t["code"] == code)]
    if row.empty or level == "france":
        return [("france", "FR", "France entière, par EPCI")]
    row = row.iloc[0]

    def name(lvl: str, c: object) -> str | None:
        if c is None or pd.isna(c):
            return None
        match = t.loc[(t["level"] == lvl) & (t["code"] == str(c)), "nom"]
        return match.iloc[0] if len(match) else None

    def area(scope: str, c: object) -> tuple[str, str, str] | None:
        nom = name(scope, c)
        if nom is None:
            return None
        labels = {
            "region": f"Région {nom}, par EPCI",
            "departement": f"Département {nom}, par commune",
            "epci": f"{nom}, par commune",
        }
        return scope, str(c), labels[scope]

    candidates = {
        "region": [area("region", code)],
        "departement": [area("departement", code), area("region", row["region"])],
        "epci": [area("region", row["region"]), area("epci", code), area("departement", row["departement"])],
        "commune": [
            area("epci", row["epci"]),
            area("departement", row["departement"]),
            area("region", row["region"]),
        ],
    }[level]
    return [c for c in candidates if c is not None] + [("france", "FR", "France entière, par EPCI")]


STATIC_TOPOLOGY = Path(__file__).resolve().parents[1] / "static" / "topo"


@st.cache_resource(show_spinner=False)
def topology_url(scope: str, area_code: str) -> str | None:
    """URL of the scope's TopoJSON written under static/topo/ (content-addressed, so the browser
    may cache it for good); None when the folder is not writable (the map then embeds it)."""
    text = json.dumps(scope_topology(scope, area_code), separators=(",", ":"))
    return _static_json(f"{scope}_{area_code}", text)


@st.cache_resource(show_spinner=False)
def outlines_url(scope: str, area_code: str) -> str | None:
    """URL of the scope's context lines (`outlines`) as GeoJSON under static/topo/, like the shapes:
    the France map's régions were 90 kB inside every map script, serialised again for each territory
    (issue #16). None without outlines, or when the folder is not writable (the map embeds them)."""
    lines = outlines(scope, area_code)
    if lines is None or not len(lines):
        return None
    text = json.dumps(outline_geojson(lines), separators=(",", ":"))
    return _static_json(f"contours_{scope}_{area_code}", text)


def _static_json(stem: str, text: str) -> str | None:
    """Write `text` once as static/topo/<stem>_<hash>.json; its URL, or None if not writable."""
    name = f"{stem}_{hashlib.sha1(text.encode()).hexdigest()[:12]}.json"
    try:
        STATIC_TOPOLOGY.mkdir(parents=True, exist_ok=True)
        target = STATIC_TOPOLOGY / name
        if not target.exists():
            tmp = target.with_suffix(".tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(target)
    except OSError:
        return None
    return f"/app/static/topo/{name}"
