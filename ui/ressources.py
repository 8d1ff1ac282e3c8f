"""App-side caches and storage glue for the Ressources page (the package stays Streamlit-free).

Cached objects are shared between sessions: never mutate what these functions return.
"""

from __future__ import annotations

import hashlib

import geopandas as gpd
import pandas as pd
import streamlit as st

from indicateurs.analysis.access import commune_points, nearest_distances
from indicateurs.analysis.offer import (
    OfferSources,
    access_summary,
    access_table,
    need_supply_frame,
    need_supply_points,
    offer_sources,
    places_near,
    territory_scope,
)
from indicateurs.analysis.offer import commune_counts as commune_counts_of
from indicateurs.atelier import StoreUnavailable
from indicateurs.atelier.validate import Problem, place_key
from indicateurs.render.charts import need_supply_chart
from indicateurs.render.places_map import resources_map as view_map
from indicateurs.render.tables import french_style
from indicateurs.sources.places import COLUMNS, DRAWN_TYPES, local_places_frame
from ui import cache, folium_frames
from ui.atelier.context import get_store
from ui.cache import base, wide

__all__ = [
    "access",
    "access_styled",
    "commune_counts",
    "communes",
    "describe_problem",
    "distances",
    "known_communes",
    "local_places",
    "map_frame",
    "nearby_places",
    "need_supply",
    "offer_words",
    "resources_map",
    "save_local_places",
    "scope",
    "scope_geometry",
    "storage_is_persistent",
    "territory",
    "territory_shape",
]

_SESSION_PLACES = "ressources_lieux_session"
_OUTAGE = "ressources_stockage_en_panne"


def offer_words() -> OfferSources:
    """The sources the base's places come from and whether duplicates were merged (built once)."""
    return cache.built("ressources:sources_offre", None, lambda: offer_sources(base()))


@st.cache_data(show_spinner=False)
def scope(level: str, code: str) -> tuple[list[str], str | None]:
    """Communes drawn for the territory and the commune to outline (see `territory_scope`)."""
    return territory_scope(base().territories, level, code)


@st.cache_resource(show_spinner=False)
def scope_geometry(level: str, code: str) -> gpd.GeoDataFrame:
    """Boundaries of the communes drawn for the territory (shared, read-only)."""
    codes, _ = scope(level, code)
    return cache.subset("commune", codes)


@st.cache_resource(show_spinner=False)
def territory_shape(level: str, code: str):
    """The outline drawn on the map: the commune's code, or the EPCI / département boundary."""
    _, highlight = scope(level, code)
    if highlight is not None:
        return highlight
    geo = cache.geometry(level) if level in ("epci", "departement") else None
    match = geo.loc[geo["code"] == code, "geometry"] if geo is not None else []
    return match.iloc[0] if len(match) else None


@st.cache_data(show_spinner=False)
def nearby_places(level: str, code: str, local: pd.DataFrame) -> pd.DataFrame:
    """National places on and around the territory, plus the local additions."""
    geo = scope_geometry(level, code)
    if geo.empty:
        return pd.DataFrame(columns=COLUMNS)
    allp = pd.concat([base().places, local], ignore_index=True) if len(local) else base().places
    return places_near(allp, geo.total_bounds)


@st.cache_data(show_spinner=False)
def distances(level: str, code: str, local: pd.DataFrame) -> pd.DataFrame:
    """Km from each commune of the territory to the nearest place of each type (national + local places)."""
    geo = scope_geometry(level, code)
    allp = pd.concat([base().places, local], ignore_index=True) if len(local) else base().places
    return nearest_distances(commune_points(geo), allp, DRAWN_TYPES)


def map_frame(
    level: str, code: str, need_id: str, local: pd.DataFrame, height: int = 600, *, large: bool = False
):
    """The map of the territory as the component draws it (`ui.folium_frames`), built once per server
    for this territory, need indicator, height and set of local places (they change the map)."""
    return cache.built(
        "ressources:carte",
        (level, code, need_id, height, large, _fingerprint(local)),
        lambda: folium_frames.frame(resources_map(level, code, need_id, local, height, large=large)),
    )


def need_supply(level: str, code: str, points: str, need_id: str) -> tuple:
    """(caption, frame, chart) of the need/supply scatter, its Vega-Lite spec built once per choice.
    Read-only."""

    def build() -> tuple:
        codes, scatter_level, highlight, caption = need_supply_points(base().territories, level, code, points)
        frame = need_supply_frame(wide(scatter_level), codes, need_id)
        return (
            caption,
            frame,
            cache.frozen_chart(need_supply_chart(frame, base().indicator(need_id), highlight=highlight)),
        )

    return cache.built("ressources:nuage", (level, code, points, need_id), build)


def territory(level: str, code: str) -> pd.Series:
    """The base's row of one territory (`Base.territory`), looked up once. Read-only."""
    return cache.built("ressources:territoire", (level, code), lambda: base().territory(level, code))


def known_communes() -> frozenset[str]:
    """Every commune code, for checking added places (35 000 codes: a set built once)."""
    return cache.built("ressources:codes_communes", None, lambda: frozenset(wide("commune").index))


def commune_counts(level: str, code: str) -> pd.DataFrame:
    """Places per type for each commune of the territory (`offer.commune_counts`), built once. Read-only."""
    return cache.built(
        "ressources:lieux_par_commune",
        (level, code),
        lambda: commune_counts_of(wide("commune"), scope(level, code)[0], offer_words()),
    )


def access(level: str, code: str, local: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(summary, table) of the distances to the nearest place, built once per territory and set of
    local places (they move the nearest place). Read-only."""

    def build() -> tuple[pd.DataFrame, pd.DataFrame]:
        near, rows = distances(level, code, local), communes(level, code)
        return access_summary(near, rows), access_table(near, rows)

    return cache.built("ressources:acces", (level, code, _fingerprint(local)), build)


def access_styled(level: str, code: str, local: pd.DataFrame):
    """The table of `access`, styled the French way once (`cache.frozen_styler`). Read-only."""
    return cache.built(
        "ressources:acces_style",
        (level, code, _fingerprint(local)),
        lambda: cache.frozen_styler(french_style(access(level, code, local)[1])),
    )


def _fingerprint(local: pd.DataFrame) -> str:
    """A key for a set of local places (their whole content)."""
    return hashlib.sha1(local.to_csv(index=False).encode()).hexdigest()


def communes(level: str, code: str) -> pd.DataFrame:
    """The territories' rows of the communes drawn for the territory, selected once. Read-only."""

    def build() -> pd.DataFrame:
        t = base().territories
        return t[(t["level"] == "commune") & t["code"].isin(scope(level, code)[0])]

    return cache.built("ressources:communes", (level, code), build)


def resources_map(
    level: str, code: str, need_id: str, local: pd.DataFrame, height: int = 600, *, large: bool = False
):
    """A new folium map of the territory, from cached parts (`map_frame` renders it once).

    Never cache the map itself: st_folium renames the map's elements while rendering it, so a
    cached map rendered a second time (next rerun, other session) refers to layers that no longer
    exist and the browser shows a blank map.
    """
    geo = scope_geometry(level, code)
    return view_map(
        geo,
        wide("commune")[need_id].reindex(geo["code"].to_numpy()),
        base().indicator(need_id),
        nearby_places(level, code, local),
        distances(level, code, local),
        highlight=territory_shape(level, code),
        topology=cache.topology("commune", tuple(scope(level, code)[0])),
        height=height,
        large=large,
        words=offer_words(),
    )


# ------------------------------------------------------------------------------------ local places


def _store():
    """The workshop store shared with the Atelier page, or None when it cannot be reached."""
    try:
        return get_store()
    except StoreUnavailable:
        return None


def storage_is_persistent() -> bool:
    """False when the store cannot be reached, or failed during this run (lost after start-up)."""
    return _store() is not None and not st.session_state.get(_OUTAGE, False)


def local_places(level: str, code: str) -> pd.DataFrame:
    """Places added for this territory, as rows of the places frame (marked local).

    When the database fails (stopped server, deleted or damaged file) the page keeps working on the
    places kept in this session, and `storage_is_persistent` says so.
    """
    codes, _ = scope(level, code)
    st.session_state[_OUTAGE] = False
    store = _store()
    records = None
    if store is not None:
        try:
            records = store.list_local_places(territoire=(level, code), communes=codes).to_dict("records")
        except StoreUnavailable:
            st.session_state[_OUTAGE] = True
    if records is None:
        records = [
            r for r in st.session_state.get(_SESSION_PLACES, []) if r.get("_territoire") == (level, code)
        ]
    if records:
        return local_places_frame(records, cache.geometry("commune"))
    return cache.built(
        "ressources:aucun_lieu", None, lambda: local_places_frame([], cache.geometry("commune"))
    )


def describe_problem(problem: Problem) -> str:
    """The one place a refused place becomes a sentence: 'Ligne 4 : ...' (file) or 'Formulaire : ...'."""
    where = f"Ligne {problem.line}" if problem.line is not None else "Formulaire"
    return f"{where} : {problem.reason}."


def save_local_places(
    records: list[dict], lines: list[int | None], level: str, code: str
) -> tuple[int, list[Problem]]:
    """Store validated records; (number added, a Problem per skipped record, at its file line)."""
    store = _store()
    if store is not None and not st.session_state.get(_OUTAGE, False):
        try:
            return store.add_local_places(records, territoire=(level, code), lines=lines)
        except StoreUnavailable:
            st.session_state[_OUTAGE] = True
    # session-only fallback (no store, or lost during the workshop), same duplicate rule as the store
    kept = st.session_state.setdefault(_SESSION_PLACES, [])
    seen = {place_key(r) for r in kept if r.get("_territoire") == (level, code)}
    added, problems = 0, []
    for record, line in zip(records, lines, strict=True):
        if place_key(record) in seen:
            problems.append(Problem(line, f"« {record['nom']} » est déjà enregistré (ignoré)"))
            continue
        seen.add(place_key(record))
        kept.append({**record, "_territoire": (level, code)})
        added += 1
    return added, problems
