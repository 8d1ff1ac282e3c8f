"""Glue for the Carte page: which indicators can be mapped, and the map of one view."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from indicateurs.analysis.classify import METHODS, Classes, classify
from indicateurs.reference.levels import NAMES
from indicateurs.reference.registry import Indicator, list_themes
from indicateurs.reference.text import format_number, lower_first
from indicateurs.render import insets, maps, svg_map
from indicateurs.render import tables as exports
from ui import cache, data, folium_frames

__all__ = [
    "DEFAULT_INDICATOR",
    "DEFAULT_METHOD",
    "THEMES",
    "MapView",
    "build_view",
    "draw",
    "indicator_options",
    "method_options",
    "static_map",
]

THEMES = {theme.id: theme.label for theme in list_themes()}  # screen order
DEFAULT_INDICATOR = "ifn"
# Quantiles separate the territories of every scope; fixed IFN classes stay one click away
# (with them 91 % of EPCI fall in four adjacent reds on the France map).
DEFAULT_METHOD = "quantiles"


@dataclass(frozen=True)
class MapView:
    """Everything the page shows for one (scope, indicator, method): map, legend, caption, table.

    Built once per server (`ui.cache.built`) and shared by every session: read-only.
    """

    frame: folium_frames.Frame
    layer: folium_frames.LayerScript
    indicator: Indicator
    classes: Classes
    legend: str
    caption: str
    table: pd.DataFrame
    level: str
    csv: Callable[[], bytes]  # deferred: built on the first click of « Télécharger », then kept


@st.cache_resource(show_spinner=False)
def indicator_options(level: str) -> dict[str, str]:
    """Indicator id -> 'Thème · label', for the indicators that have values at `level`, grouped by theme.

    Shared read-only (`st.cache_resource`: no copy per read)."""
    table = cache.wide(level)
    available = [
        i for i in cache.base().registry.list() if i.id in table.columns and table[i.id].notna().any()
    ]
    order = {theme: n for n, theme in enumerate(THEMES)}
    available.sort(key=lambda i: order.get(i.theme, len(order)))
    return {i.id: f"{THEMES.get(i.theme, i.theme)} · {i.label}" for i in available}


def method_options(indicator: Indicator) -> dict[str, str]:
    """Classification methods that make sense for the indicator (IFN classes for 1..10 scores only)."""
    return {k: v for k, v in METHODS.items() if k != "ifn" or indicator.unit == "score"}


def _values(scope: str, area: str, indicator_id: str) -> pd.Series:
    level = data.SCOPES[scope][0]
    codes = data.scope_geometry(scope, area)["code"]
    return cache.wide(level)[indicator_id].reindex(codes.to_numpy())


@st.cache_resource(show_spinner=False, max_entries=512)
def _quality(level: str, indicator_id: str) -> pd.DataFrame:
    """Coverage, status and note of one indicator's values at `level`, indexed by code. Read-only.

    The same rows as `Base.quality(level).xs(indicator_id)`, picked from the long values table by its
    categorical columns: `Base.quality("commune")` builds 2.4 million rows (1.7 s) for one indicator."""
    values = cache.base().values
    sub = values[(values["level"] == level) & (values["indicator"] == indicator_id)]
    return pd.DataFrame(
        {
            "coverage": sub["coverage"].to_numpy(),
            "statut": sub["statut"].astype(object).to_numpy() if "statut" in sub else None,
            "note": sub["note"].astype(object).to_numpy() if "note" in sub else "",
        },
        index=pd.Index(sub["code"].astype(str).to_numpy(), name="code"),
    )


class _LazyCsv:
    """The table's CSV, made on the first download only (`st.download_button` calls it on click):
    0.1 s of CPU that most views never need (issue #16). Shared between sessions, built once."""

    def __init__(self, table: pd.DataFrame, citation: str, level: str):
        self._args = (table, citation, level)
        self._bytes: bytes | None = None
        self._lock = threading.Lock()

    def __call__(self) -> bytes:
        with self._lock:
            if self._bytes is None:
                table, citation, level = self._args
                self._bytes = exports.csv_bytes(table.assign(Source=citation, Niveau=level))
            return self._bytes


def build_view(
    scope: str,
    area: str,
    indicator_id: str,
    method: str,
    territory: tuple[str, str],
    *,
    show_neighbours: bool = False,
    height: int = 620,
    projector: bool = False,
) -> MapView:
    """The map of the view (shapes, outlines, zoom), its values layer, legend, caption and table.

    The map does not depend on the indicator, so the component keeps it when the indicator changes
    and only the values layer (~0.1 MB for France) travels to the browser. Both halves are built
    once per server: a rerun only looks them up. On a projector the enlarged legend sits inside the
    map, so that frame is built per indicator too (one screen, not the room).
    """
    level = data.SCOPES[scope][0]
    sel_level, sel_code = territory
    in_layer = sel_level == level and sel_code in set(data.scope_geometry(scope, area)["code"])
    neighbours = bool(in_layer and show_neighbours)
    values = cache.built(
        "carte:valeurs",
        (scope, area, indicator_id, method),
        lambda: _values_view(scope, area, indicator_id, method),
    )
    legend = values[3] + maps.PROJECTOR_LEGEND_CSS if projector else None
    frame = cache.built(
        "carte:cadre",
        (scope, area, sel_level, sel_code, neighbours, height, legend),
        lambda: _frame(scope, area, territory, in_layer, neighbours, height, legend),
    )
    return MapView(frame, *values)


def draw(view: MapView, *, key: str, height: int) -> None:
    """The map of the view, drawn by the st_folium component (nothing returned to the server)."""
    folium_frames.show(view.frame, view.layer, key=key, height=height)


@dataclass(frozen=True)
class _Parts:
    """What a map of one scope and territory draws besides the values: read by both renderings."""

    gdf: object  # the scope's shapes (code, nom, geometry): cached, read-only
    highlight: object  # the chosen territory: a code of `gdf`, a geometry, or None
    neighbours: list[str]
    outlines: object  # context lines (GeoDataFrame) or None
    bounds: list[list[float]]
    france: bool


def _parts(scope: str, area: str, territory: tuple[str, str], in_layer: bool, neighbours: bool) -> _Parts:
    level = data.SCOPES[scope][0]
    sel_level, sel_code = territory
    gdf = data.scope_geometry(scope, area)
    highlight = sel_code if in_layer else data.territory_geometry(sel_level, sel_code)
    france = data.SCOPES[scope][1] == "france"
    if france and highlight is not None and not in_layer:
        highlight = insets.move(highlight)  # an overseas territory is outlined in its inset
    return _Parts(
        gdf=gdf,
        highlight=highlight,
        neighbours=data.neighbour_codes(level, sel_code) if neighbours else [],
        outlines=data.outlines(scope, area),
        # Fit the map to what its label names: France with its insets, the whole région, the EPCI…
        bounds=insets.FRANCE_BOUNDS if france else maps.layer_bounds(gdf),
        france=france,
    )


def _frame(
    scope: str,
    area: str,
    territory: tuple[str, str],
    in_layer: bool,
    neighbours: bool,
    height: int,
    legend: str | None = None,
) -> folium_frames.Frame:
    """The map without values: shapes (static TopoJSON), outlines, the chosen territory, its neighbours."""
    parts = _parts(scope, area, territory, in_layer, neighbours)
    m = maps.base_map(
        parts.gdf,
        highlight=parts.highlight,
        neighbours=parts.neighbours,
        outlines=parts.outlines,
        topology=data.scope_topology(scope, area),
        topology_url=data.topology_url(scope, area),
        outlines_url=data.outlines_url(scope, area),
        height=height,
        bounds=parts.bounds,
    )
    if parts.france:
        insets.label_insets(m)
    if legend is not None:  # projector: the enlarged legend inside the full-width map
        maps.LegendControl(legend, position="bottomright").add_to(m)
    return folium_frames.frame(m)


def static_map(
    view: MapView, scope: str, area: str, territory: tuple[str, str], *, show_neighbours: bool
) -> str:
    """The view's map as one inline SVG (`render.svg_map`), for the page's first view (`ui.first_view`):
    the same shapes, class colours, outlines, chosen territory, neighbours and frame. Built once per server."""
    level = data.SCOPES[scope][0]
    sel_level, sel_code = territory
    in_layer = sel_level == level and sel_code in set(data.scope_geometry(scope, area)["code"])
    neighbours = bool(in_layer and show_neighbours)

    def build() -> str:
        parts = _parts(scope, area, territory, in_layer, neighbours)
        gdf = parts.gdf
        palette = [*view.classes.colors, view.classes.missing_color]  # class -1 (no value): the last
        klass = view.classes.assign(_values(scope, area, view.indicator.id))
        lines = []
        if parts.outlines is not None and len(parts.outlines):
            lines.append(svg_map.Lines(parts.outlines.geometry.to_numpy(), "#333333", 1.5))
        if parts.neighbours:
            near = gdf[gdf["code"].astype(str).isin(parts.neighbours)]
            lines.append(svg_map.Lines(near.geometry.to_numpy(), "#1f4e9c", 2.5, "6 4"))
        target = maps.highlight_geometry(gdf, parts.highlight)
        if target is not None:
            lines.append(svg_map.Lines([target], "#000000", 4))
        labels = [svg_map.Label(i.target[0], i.target[3], i.nom) for i in insets.DROM] if parts.france else []
        return svg_map.svg_choropleth(
            gdf.geometry.to_numpy(),
            [palette[k] for k in klass.to_numpy()],
            parts.bounds,
            lines=lines,
            labels=labels,
            title=f"Carte : {view.indicator.label}",
        )

    key = (scope, area, view.indicator.id, view.classes.method, sel_level, sel_code, neighbours)
    return cache.built("carte:svg", key, build)


def _values_view(scope: str, area: str, indicator_id: str, method: str) -> tuple:
    """(layer script, indicator, classes, legend, caption, table, level, CSV bytes) of one indicator."""
    level = data.SCOPES[scope][0]
    ind = cache.base().indicator_at(indicator_id, level)  # its label and the source its values carry
    gdf = data.scope_geometry(scope, area)
    values = _values(scope, area, indicator_id)
    classes = classify(values, method, indicator=indicator_id)  # type: ignore[arg-type]
    quality = _quality(level, indicator_id)
    # the vintage of the values drawn, as the base says it (not the registry's text)
    millesime, citation = (
        cache.base().millesime(indicator_id, level),
        cache.base().citation(indicator_id, level),
    )
    layer = folium_frames.layer_script(
        maps.values_layer(gdf, values, ind, classes, quality, millesime=millesime)
    )
    level_name = NAMES[level]
    france = data.SCOPES[scope][1] == "france"
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
        ind,
        classes,
        counts=counts,
        missing=int((klass < 0).sum()),
        level=level_name,
        note=note,
        millesime=millesime,
    )
    known = int(values.notna().sum())
    caption = (
        f"Source : {citation} · Niveau : {level_name} · {format_number(known)} territoires renseignés sur "
        f"{format_number(len(values))}"
        + (f" ({note})" if note else "")
        + f" · Classes : {lower_first(METHODS[method])}."
        + (" Départements d'outre-mer en encadrés à gauche (échelles différentes)." if france else "")
    )
    names = gdf.set_index("code")["nom"]
    table = maps.value_table(names, values.set_axis(names.index), ind, classes, quality)
    csv = _LazyCsv(table, citation, level)
    return layer, ind, classes, legend, caption, table, level, csv
