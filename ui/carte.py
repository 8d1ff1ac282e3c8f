"""Glue for the Carte page: which indicators can be mapped, and the map of one view."""

from __future__ import annotations

from dataclasses import dataclass

import folium
import pandas as pd
import streamlit as st

from indicateurs.analysis.classify import METHODS, Classes, classify
from indicateurs.reference.levels import NAMES
from indicateurs.reference.registry import Indicator, get_indicator, list_indicators, list_themes
from indicateurs.render import maps
from ui import cache, data

__all__ = ["THEMES", "MapView", "build_view", "indicator_options", "method_options"]

THEMES = {theme.id: theme.label for theme in list_themes()}  # screen order


@dataclass(frozen=True)
class MapView:
    """Everything the page shows for one (scope, indicator, method): map, legend, caption, table."""

    map: folium.Map
    layer: folium.FeatureGroup
    indicator: Indicator
    classes: Classes
    legend: str
    caption: str
    table: pd.DataFrame
    level: str


@st.cache_data(show_spinner=False)
def indicator_options(level: str) -> dict[str, str]:
    """Indicator id -> 'Thème · label', for the indicators that have values at `level`, grouped by theme."""
    table = cache.wide(level)
    available = [i for i in list_indicators() if i.id in table.columns and table[i.id].notna().any()]
    order = {theme: n for n, theme in enumerate(THEMES)}
    available.sort(key=lambda i: order.get(i.theme, len(order)))
    return {i.id: f"{THEMES.get(i.theme, i.theme)} · {i.label}" for i in available}


def method_options(indicator: Indicator) -> dict[str, str]:
    """Classification methods that make sense for the indicator (IFN classes for 1..10 scores only)."""
    return {k: v for k, v in METHODS.items() if k != "ifn" or indicator.unit == "score"}


@st.cache_data(show_spinner=False)
def _values(scope: str, area: str, indicator_id: str) -> pd.Series:
    level = data.SCOPES[scope][0]
    codes = data.scope_geometry(scope, area)["code"]
    return cache.wide(level)[indicator_id].reindex(codes.to_numpy())


@st.cache_data(show_spinner=False)
def _classes(scope: str, area: str, indicator_id: str, method: str) -> Classes:
    return classify(_values(scope, area, indicator_id), method, indicator=indicator_id)  # type: ignore[arg-type]


@st.cache_data(show_spinner=False)
def _quality(level: str, indicator_id: str) -> pd.DataFrame:
    """Coverage, status and note of one indicator's values at `level`, indexed by code."""
    q = cache.base().quality(level)
    if indicator_id not in q.index.get_level_values(1):
        return pd.DataFrame({"coverage": [], "statut": [], "note": []}, index=pd.Index([], dtype=str))
    return q.xs(indicator_id, level="indicator")


def build_view(
    scope: str,
    area: str,
    indicator_id: str,
    method: str,
    territory: tuple[str, str],
    *,
    show_neighbours: bool = False,
    height: int = 620,
) -> MapView:
    """The map of the view (shapes, outlines, zoom), its values layer, legend, caption and table.

    The map does not depend on the indicator, so st_folium keeps it when the indicator changes
    and only the values layer (~0.1 MB for France) travels to the browser.
    """
    ind = get_indicator(indicator_id)
    level = data.SCOPES[scope][0]
    gdf = data.scope_geometry(scope, area)
    values = _values(scope, area, indicator_id)
    classes = _classes(scope, area, indicator_id, method)
    sel_level, sel_code = territory
    in_layer = sel_level == level and sel_code in set(gdf["code"])
    highlight = sel_code if in_layer else data.territory_geometry(sel_level, sel_code)
    neighbours = data.neighbour_codes(level, sel_code) if (in_layer and show_neighbours) else []
    level_name = NAMES[level]
    m = maps.base_map(
        gdf,
        highlight=highlight,
        neighbours=neighbours,
        outlines=data.outlines(scope, area),
        topology=data.scope_topology(scope, area),
        topology_url=data.topology_url(scope, area),
        height=height,
    )
    quality = _quality(level, indicator_id)
    layer = maps.values_layer(gdf, values, ind, classes, quality)
    klass = classes.assign(values)
    counts = [int((klass == i).sum()) for i in range(len(classes.labels))]
    status = quality["statut"].reindex(gdf["code"].astype(str).to_numpy())
    estimated, thin = int((status == "estimé").sum()), int((status == "couverture insuffisante").sum())
    note = ", ".join(
        t
        for t in (
            f"{estimated} valeur{'s' if estimated > 1 else ''} estimée{'s' if estimated > 1 else ''}"
            if estimated
            else "",
            f"{thin} non affichée{'s' if thin > 1 else ''} (couverture insuffisante)" if thin else "",
        )
        if t
    )
    legend = maps.legend_html(
        ind, classes, counts=counts, missing=int((klass < 0).sum()), level=level_name, note=note
    )
    known = int(values.notna().sum())
    caption = (
        f"Source : {ind.citation} · Niveau : {level_name} · {known} territoires renseignés sur {len(values)}"
        + (f" ({note})" if note else "")
        + f" · Classement : {METHODS[method].lower()}."
    )
    names = gdf.set_index("code")["nom"]
    table = maps.value_table(names, values.set_axis(names.index), ind, classes, quality)
    return MapView(m, layer, ind, classes, legend, caption, table, level)
