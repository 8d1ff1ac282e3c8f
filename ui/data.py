"""App-side caches around the built base: load once, then cheap selections keyed on plain values.

Cached objects are shared between sessions: never mutate what these functions return.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from indicateurs.base import GEO_SOURCES, Base, BaseCorruptError, BaseMissingError, load_base
from indicateurs.build import build_base
from indicateurs.render import maps
from ui.safe import md

__all__ = [
    "LEVEL_NAMES",
    "SCOPES",
    "base",
    "ensure_base",
    "geometry",
    "neighbour_codes",
    "outlines",
    "scope_choices",
    "scope_geometry",
    "territory_geometry",
    "territory_options",
    "topology",
    "topology_url",
    "wide",
]

LEVEL_NAMES = {
    "france": "France",
    "region": "région",
    "departement": "département",
    "epci": "EPCI",
    "commune": "commune",
}
# Map scopes: (map level, level of the area it covers)
SCOPES: dict[str, tuple[str, str]] = {
    "france": ("epci", "france"),
    "region": ("epci", "region"),
    "departement": ("commune", "departement"),
    "epci": ("commune", "epci"),
}


@st.cache_resource(show_spinner=False)
def base() -> Base:
    """The built base, read once per server process (read-only)."""
    return load_base()


BUILD_RETRY_SECONDS = 120


@st.cache_resource(show_spinner=False, ttl=BUILD_RETRY_SECONDS)
def _failed_build() -> dict:
    """The last failed build of this process ({"message": …}), forgotten after BUILD_RETRY_SECONDS:
    each page visit must not spend a full build attempt (the network's retries included) again."""
    return {}


def ensure_base() -> Base | None:
    """The base; when it was never built, build it now with a visible progress bar.

    None when it cannot be built: the reason is shown in an error box (not folded inside the build
    status), and the caller decides which pages still work (the Atelier does without figures).
    """
    try:
        loaded = base()
        for level in GEO_SOURCES:  # a missing or damaged outline file is found here, not inside a map
            loaded.geometry(level)
        return loaded
    except (BaseMissingError, BaseCorruptError):  # never built, or damaged: (re)build it
        base.clear()
    failed = _failed_build()
    if "message" not in failed:
        with st.status("Première ouverture : construction de la base de données…", expanded=True) as status:
            bar = st.progress(0.0, text="Préparation")

            def progress(step: str, fraction: float) -> None:
                bar.progress(min(max(float(fraction), 0.0), 1.0), text=step)

            try:
                build_base(progress=progress)
            except Exception as exc:  # a missing source or mirror: say it in French, no traceback
                failed["message"] = str(exc)
                status.update(label="La base n'a pas pu être construite", state="error", expanded=False)
            else:
                status.update(label="Base construite", state="complete", expanded=False)
    if "message" in failed:
        st.error(
            f"Impossible de construire la base : {md(failed['message'])}. Vérifiez la connexion ou la "
            "variable INDICATEURS_MIROIR, puis rechargez la page (nouvel essai au plus toutes les "
            f"{BUILD_RETRY_SECONDS // 60} minutes). L'Atelier reste ouvert, sans les chiffres du territoire."
        )
        return None
    base.clear()
    return base()


@st.cache_data(show_spinner=False)
def territory_options() -> pd.DataFrame:
    """All territories for the selector: key 'level:code', French label, and a search text."""
    from ui.state import normalise

    order = {level: i for i, level in enumerate(LEVEL_NAMES)}
    t = base().territories[["level", "code", "nom"]].copy()
    t["order"] = t["level"].map(order)
    t = t.sort_values(["order", "nom"], kind="stable")
    t["key"] = t["level"] + ":" + t["code"]
    t["label"] = [
        nom if level == "france" else f"{nom} ({LEVEL_NAMES[level]}, {code})"
        for level, code, nom in zip(t["level"], t["code"], t["nom"], strict=True)
    ]
    t["search"] = [normalise(f"{nom} {code}") for nom, code in zip(t["nom"], t["code"], strict=True)]
    return t.set_index("key")[["level", "code", "nom", "label", "search"]]


@st.cache_data(show_spinner=False)
def wide(level: str) -> pd.DataFrame:
    """One row per territory of `level`: nom and one column per indicator."""
    return base().wide(level)


@st.cache_resource(show_spinner=False)
def geometry(level: str) -> gpd.GeoDataFrame:
    """Web boundaries of one level (shared, read-only)."""
    return base().geometry(level)


@st.cache_resource(show_spinner=False)
def scope_geometry(scope: str, area_code: str) -> gpd.GeoDataFrame:
    """Boundaries drawn for a scope: EPCI of France or of a région, communes of a département or an EPCI."""
    level, area_level = SCOPES[scope]
    gdf = geometry(level)
    if area_level == "france":
        return gdf
    t = base().territories
    members = t.loc[(t["level"] == level) & (t[area_level] == area_code), "code"]
    return gdf[gdf["code"].isin(set(members))].reset_index(drop=True)


@st.cache_resource(show_spinner=False)
def topology(scope: str, area_code: str) -> dict:
    """Quantised TopoJSON of a scope (built once, shared)."""
    return maps.to_topology(scope_geometry(scope, area_code))


@st.cache_resource(show_spinner=False)
def outlines(scope: str, area_code: str) -> gpd.GeoDataFrame | None:
    """Context lines: régions on the France map, départements in a région, EPCI in a département."""
    t = base().territories
    if scope == "france":
        return geometry("region")
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


@st.cache_data(show_spinner=False)
def neighbour_codes(level: str, code: str) -> list[str]:
    """Territories of the same level that share a border with `code`."""
    shape = territory_geometry(level, code)
    if shape is None:
        return []
    g = geometry(level)
    near = g[g.intersects(shape.buffer(0.002))]
    return sorted(c for c in near["code"] if c != code)


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
    text = json.dumps(topology(scope, area_code), separators=(",", ":"))
    name = f"{scope}_{area_code}_{hashlib.sha1(text.encode()).hexdigest()[:12]}.json"
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
