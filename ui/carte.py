"""Glue for the Carte page: which indicators can be mapped, and the map of one view."""

from __future__ import annotations

from dataclasses import dataclass

import folium
import pandas as pd
import streamlit as st

from indicateurs.analysis.classify import METHODS, Classes, classify
from indicateurs.reference.levels import NAMES
from indicateurs.reference.registry import Indicator, get_indicator, list_indicators, list_themes
from indicateurs.render import insets, maps
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
    france = data.SCOPES[scope][1] == "france"
    if france and highlight is not None and not in_layer:
        highlight = insets.move(highlight)  # an overseas territory is outlined in its inset
    # Fit the map to what its label names: France with its insets, the whole région, the EPCI…
    bounds = insets.FRANCE_BOUNDS if france else maps.layer_bounds(gdf)
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
        bounds=bounds,
    )
    if france:
        insets.label_insets(m)
    layer = maps.values_layer(gdf, values, ind, classes)
    klass = classes.assign(values)
    counts = [int((klass == i).sum()) for i in range(len(classes.labels))]
    legend = maps.legend_html(ind, classes, counts=counts, missing=int((klass < 0).sum()), level=level_name)
    known = int(values.notna().sum())
    caption = (
        f"Source : {ind.citation} · Niveau : {level_name} · {known} territoires renseignés sur {len(values)}"
        f" · Classement : {METHODS[method].lower()}."
        + (" Départements d'outre-mer en encadrés à gauche (échelles différentes)." if france else "")
    )
    names = gdf.set_index("code")["nom"]
    table = maps.value_table(names, values.set_axis(names.index), ind, classes)
    return MapView(m, layer, ind, classes, legend, caption, table, level)
