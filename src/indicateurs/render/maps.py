"""Choropleth maps (folium) that draw offline and stay light: quantised TopoJSON, local JS/CSS.

Pure functions, no Streamlit: the page wraps them in caches and `st_folium`.

Cache the parts (topology, values), never a `folium.Map` given to `st_folium`: st_folium renames
the elements of the map it renders, and folium's layers add their `addTo` line under the old
name, so the second render of the same map object refers to undefined variables (blank map).
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import topojson
from branca.element import Element
from folium.elements import JSCSSMixin
from jinja2 import Template
from shapely.geometry.base import BaseGeometry

from indicateurs.analysis.classify import Classes
from indicateurs.analysis.scores import fragility_rank
from indicateurs.reference.registry import Indicator, format_value, get_indicator, status_text
from indicateurs.reference.text import format_number, with_detail, with_unit

__all__ = [
    "LINES_PANE",
    "LOCAL_ASSETS",
    "PROJECTOR_LEGEND_CSS",
    "STATIC_URL",
    "LegendControl",
    "base_map",
    "choropleth",
    "highlight_geometry",
    "layer_bounds",
    "legend_html",
    "offline",
    "rank",
    "to_topology",
    "unit_label",
    "value_column",
    "value_table",
    "values_layer",
]

STATIC_URL = "/app/static/vendor"
"""Where Streamlit serves `static/vendor/` (absolute: the map runs inside a component iframe)."""

_LEAFLET = f"{STATIC_URL}/leaflet@1.9.4"
_FA = f"{STATIC_URL}/fontawesome-free@6.2.0"
_AWESOME = f"{STATIC_URL}/leaflet.awesome-markers@2.0.5"
_CLUSTER = f"{STATIC_URL}/leaflet.markercluster@1.1.0"
LOCAL_ASSETS: dict[str, str | None] = {
    # name used by folium -> vendored copy (None: not needed offline, dropped)
    "leaflet": f"{_LEAFLET}/leaflet.js",
    "leaflet_css": f"{_LEAFLET}/leaflet.css",
    "jquery": f"{STATIC_URL}/jquery@3.7.1/jquery.min.js",
    "bootstrap": f"{STATIC_URL}/bootstrap@5.2.2/bootstrap.bundle.min.js",
    "bootstrap_css": f"{STATIC_URL}/bootstrap@5.2.2/bootstrap.min.css",
    "awesome_markers": f"{_AWESOME}/leaflet.awesome-markers.js",
    "awesome_markers_css": f"{_AWESOME}/leaflet.awesome-markers.css",
    "awesome_markers_font_css": f"{_FA}/css/all.min.css",
    "glyphicons_css": None,
    "awesome_rotate_css": None,
    "topojson": f"{STATIC_URL}/topojson-client@3.1.0/topojson-client.min.js",
    "markerclusterjs": f"{_CLUSTER}/leaflet.markercluster.js",
    "markerclustercss": f"{_CLUSTER}/MarkerCluster.css",
    "markerclusterdefaultcss": f"{_CLUSTER}/MarkerCluster.Default.css",
}
_TOPOJSON_JS = f"{STATIC_URL}/topojson-client@3.1.0/topojson-client.min.js"
_METRO_BOUNDS = [[41.3, -5.2], [51.1, 9.6]]
_OBJECT = "territoires"
LINES_PANE = "atlasLignes"  # outlines above the coloured shapes
_LINES_PANE = LINES_PANE
_OUTLINES_PANE = "atlasContours"  # context lines fetched from a static file, just under LINES_PANE
_OUTLINE_STYLE_ARGS = {"color": "#333333", "weight": 1.5, "name": "Contours"}
_OUTLINE_STYLE = {"fill": False, "color": "#333333", "weight": 1.5, "opacity": 1}
_RESOLUTION = 0.003  # degrees (~300 m): finer is invisible at the scale a whole layer is shown
_STYLE = """<style>
.leaflet-container { background: #ffffff; font-family: sans-serif; }
.leaflet-tooltip { font-size: 15px; line-height: 1.35; white-space: nowrap; }
.leaflet-tooltip small { color: #444; }
</style>"""


def offline(m: folium.Map) -> folium.Map:
    """Point every CDN link of `m` (and its children) to the vendored copies, on this instance only.

    Links folium names but that have no local copy are kept (they would fail offline, loudly);
    links marked None in LOCAL_ASSETS are dropped because nothing here needs them.
    """
    for element in _walk(m):
        for attr in ("default_js", "default_css"):
            links = getattr(element, attr, None)
            if not links:
                continue
            local = [(name, LOCAL_ASSETS.get(name, url)) for name, url in links]
            setattr(element, attr, [(name, url) for name, url in local if url])
    return m


def to_topology(gdf: gpd.GeoDataFrame, *, quantization: float | None = None) -> dict:
    """Quantised TopoJSON of `gdf` (columns code, geometry): shared borders stored once, ids = codes.

    Properties are left empty: `choropleth` fills in only what the tooltip needs.
    The quantisation gives about 300 m resolution, bounded to 1e4..1e5 steps.
    """
    frame = gdf[["code", "geometry"]].reset_index(drop=True)
    if quantization is None:
        xmin, ymin, xmax, ymax = frame.total_bounds
        quantization = float(np.clip(max(xmax - xmin, ymax - ymin) / _RESOLUTION, 1e4, 1e5))
    topo = topojson.Topology(frame, prequantize=quantization, object_name=_OBJECT).to_dict()
    for geom in topo["objects"][_OBJECT]["geometries"]:
        geom["id"] = str(geom.get("properties", {}).get("code"))
        geom["properties"] = {}
    topo.pop("bbox", None)
    return topo


def unit_label(indicator: Indicator) -> str:
    """The unit as shown in titles: '%', 'score sur 10', 'hab.'."""
    return "score sur 10" if indicator.unit == "score" else indicator.unit


def rank(values: pd.Series, indicator: Indicator) -> pd.Series:
    """Rank 1 = most fragile among the shown territories (`scores.fragility_rank`); missing stays NA."""
    return fragility_rank(values, indicator.direction)


def value_table(
    names: pd.Series,
    values: pd.Series,
    indicator: Indicator | str,
    classes: Classes,
    quality: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The map's figures as a table (code, nom, value in display units, rank, class), most fragile first.

    Rates are shown ×100; a missing value has an empty cell and the class says why.
    """
    ind = get_indicator(indicator) if isinstance(indicator, str) else indicator
    codes = names.index.astype(str)
    numeric = pd.to_numeric(values.reindex(names.index), errors="coerce")
    klass = classes.assign(numeric)
    missing = format_value(None, ind)
    labels = [classes.labels[k] if k >= 0 else missing[:1].upper() + missing[1:] for k in klass]
    table = pd.DataFrame(
        {
            "Code": codes,
            "Nom": names.to_numpy(),
            value_column(ind): (numeric * (100 if ind.is_rate else 1)).to_numpy(),
            "Rang": rank(numeric, ind).array,
            "Classe": labels,
        }
    )
    if quality is not None:  # coverage and status travel with the figures (and the CSV export)
        q = quality.reindex(codes)
        table["Valeur affichée"] = _shown_texts(numeric.to_numpy(), ind, codes, quality)
        table["Couverture"] = (q["coverage"].astype(float) * 100).round(0).to_numpy()
        table["Statut"] = q["statut"].to_numpy()
    return table.sort_values(["Rang", "Nom"], na_position="last", kind="stable").reset_index(drop=True)


def value_column(indicator: Indicator) -> str:
    """Header of the value column: 'Part des 65 ans et plus (%)'."""
    return with_unit(indicator.short, unit_label(indicator))


def legend_html(
    indicator: Indicator | str,
    classes: Classes,
    *,
    counts: Sequence[int] | None = None,
    missing: int = 0,
    level: str | None = None,
    note: str = "",
    millesime: str | None = None,
) -> str:
    """HTML legend: title (label + unit), one swatch per class with its bounds, then source line
    (and `note`, e.g. how many values are estimated or left out for want of coverage).

    `millesime`: the vintage of the values drawn (`Base.millesime`); the registry's text without it."""
    ind = get_indicator(indicator) if isinstance(indicator, str) else indicator
    citation = with_detail(ind.source_entry.citation, millesime) if millesime else ind.citation
    rows = []
    for i, (label, color) in enumerate(zip(classes.labels, classes.colors, strict=True)):
        count = f" <span class='atlas-count'>({counts[i]})</span>" if counts is not None else ""
        rows.append(_legend_row(color, html.escape(label) + count))
    if missing or not classes.labels:
        count = f" <span class='atlas-count'>({missing})</span>" if counts is not None else ""
        rows.append(_legend_row(classes.missing_color, html.escape(classes.missing_label) + count))
    level_text = f" · Niveau : {html.escape(level)}" if level else ""
    return (
        "<div class='atlas-legend'>"
        f"<div class='atlas-legend-title'>{html.escape(with_unit(ind.label, unit_label(ind)))}</div>"
        f"<div class='atlas-legend-rows'>{''.join(rows)}</div>"
        f"<div class='atlas-legend-source'>Source : {html.escape(citation)}{level_text}</div>"
        + (f"<div class='atlas-legend-source'>{html.escape(note)}</div>" if note else "")
        + "</div>"
    )


def choropleth(
    gdf: gpd.GeoDataFrame,
    values: pd.Series,
    indicator: Indicator | str,
    classes: Classes,
    *,
    highlight: str | BaseGeometry | None = None,
    neighbours: Iterable[str] = (),
    outlines: gpd.GeoDataFrame | None = None,
    topology: dict | None = None,
    legend: bool = True,
    level: str | None = None,
    height: int = 620,
    millesime: str | None = None,
) -> folium.Map:
    """A light, offline folium choropleth of `values` (indexed by code) over `gdf` (code, nom, geometry).

    Tooltips show name (escaped), value with unit, rank and millésime; the `highlight` territory
    (a code of `gdf` or a geometry) is outlined and zoomed to; `neighbours` (codes) are outlined
    too; `outlines` (e.g. départements) give context without basemap tiles. Pass `topology`
    (from `to_topology(gdf)`, cached by the caller) to skip the topology build.
    """
    m = base_map(
        gdf, highlight=highlight, neighbours=neighbours, outlines=outlines, topology=topology, height=height
    )
    values_layer(gdf, values, indicator, classes, millesime=millesime).add_to(m)
    if legend:
        ind = get_indicator(indicator) if isinstance(indicator, str) else indicator
        klass = classes.assign(values)
        counts = [int((klass == i).sum()) for i in range(len(classes.labels))]
        missing = int((klass < 0).sum())
        LegendControl(
            legend_html(ind, classes, counts=counts, missing=missing, level=level, millesime=millesime)
            + _LEGEND_CSS
        ).add_to(m)
    return offline(m)


def base_map(
    gdf: gpd.GeoDataFrame,
    *,
    highlight: str | BaseGeometry | None = None,
    neighbours: Iterable[str] = (),
    outlines: gpd.GeoDataFrame | None = None,
    topology: dict | None = None,
    topology_url: str | None = None,
    height: int = 620,
    bounds: Sequence[Sequence[float]] | None = None,
    outlines_url: str | None = None,
) -> folium.Map:
    """The part of a choropleth that does not depend on the indicator: shapes, outlines, zoom.

    `bounds` ([[south, west], [north, east]]) is what the map is fitted to, the area its label names
    (a whole région, France with its insets); by default the highlighted territory and its
    surroundings, else the whole layer.

    The shapes are quantised TopoJSON, either inline or, with `topology_url`, fetched by the
    browser from a static file (cached by the browser, and kept out of the websocket);
    `values_layer` then colours them. With st_folium, pass the layer as `feature_group_to_add`.
    Likewise `outlines_url` (a static file of `outline_geojson(outlines)`) replaces the inline
    context lines: they are then drawn in their own pane just under the other lines, as inline.
    """
    frame = gdf[["code", "nom", "geometry"]].assign(code=lambda d: d["code"].astype(str))
    topo = None if topology_url else topology if topology is not None else to_topology(frame)
    m = folium.Map(location=[46.6, 2.4], zoom_start=6, tiles=None, zoom_snap=0.25, height=height)
    m.get_root().header.add_child(Element(_STYLE), name="atlas_style")
    folium.map.CustomPane(_LINES_PANE, z_index=450, pointer_events=False).add_to(m)
    _TopologyData(topo, url=topology_url).add_to(m)
    if outlines_url:
        # Fetched by the browser: a separate pane under the lines keeps them below the highlight and
        # the neighbours whatever arrives first (inline, they were simply added before).
        folium.map.CustomPane(_OUTLINES_PANE, z_index=449, pointer_events=False).add_to(m)
        _StaticOutlines(outlines_url, _OUTLINE_STYLE).add_to(m)
    elif outlines is not None and len(outlines):
        _outline_layer(outlines, **_OUTLINE_STYLE_ARGS).add_to(m)
    neighbours = [str(c) for c in neighbours]
    if neighbours:
        near = frame[frame["code"].isin(neighbours)]
        if len(near):
            _outline_layer(near, color="#1f4e9c", weight=2.5, dash="6 4", name="Voisins").add_to(m)
    target = highlight_geometry(frame, highlight)
    if target is not None:
        shape = gpd.GeoDataFrame({"geometry": [target]}, crs=frame.crs or "EPSG:4326")
        _outline_layer(shape, color="#000000", weight=4, name="Territoire choisi").add_to(m)
    if bounds is not None:
        m.fit_bounds([list(corner) for corner in bounds])
    elif target is not None:
        m.fit_bounds(_padded_bounds(target.bounds))
    else:
        m.fit_bounds(_default_bounds(frame))
    # A choropleth needs Leaflet only: skip jQuery, Bootstrap and the marker icons.
    m.default_js = [pair for pair in m.default_js if pair[0] == "leaflet"]
    m.default_css = [pair for pair in m.default_css if pair[0] == "leaflet_css"]
    return offline(m)


def _shown_texts(values, ind: Indicator, codes, quality: pd.DataFrame | None) -> list[str]:
    """Each value's text, « estimé » or the coverage of a thin value when `quality` (by code) is known.

    The quality rows are aligned once (`reindex`), not looked up per territory: `quality.loc[code]`
    for each of 1,255 EPCI cost 0.2 s per indicator on the server (issue #16)."""
    if quality is None:
        return [format_value(_float(v), ind) for v in values]
    q = quality.reindex(pd.Index(codes).astype(str))
    return [
        status_text(_float(v), ind, s if isinstance(s, str) else None, c, n)
        for v, s, c, n in zip(
            values, q["statut"].to_numpy(), q["coverage"].to_numpy(), q["note"].to_numpy(), strict=True
        )
    ]


def values_layer(
    gdf: gpd.GeoDataFrame,
    values: pd.Series,
    indicator: Indicator | str,
    classes: Classes,
    quality: pd.DataFrame | None = None,
    *,
    millesime: str | None = None,
) -> folium.FeatureGroup:
    """The coloured layer of one indicator over the shapes of `base_map` (same `gdf`).

    Per territory it carries only the tooltip texts (escaped name, value with unit, rank) and
    the class index; colours and the millésime line are shared.
    """
    ind = get_indicator(indicator) if isinstance(indicator, str) else indicator
    codes = gdf["code"].astype(str).to_numpy()
    values = values.copy()
    values.index = values.index.astype(str)
    series = pd.Series(values.reindex(codes).to_numpy(), index=codes)
    ranks = rank(series, ind)
    n_ranked = int(ranks.notna().sum())
    klass = classes.assign(series)
    shown = _shown_texts(series.to_numpy(), ind, codes, quality)
    props = {
        code: [
            html.escape(str(name)),
            html.escape(text),
            "" if pd.isna(r) else f"{_ordinal(int(r))} sur {_thousands(n_ranked)}",
            int(k),
        ]
        for code, name, text, r, k in zip(
            codes, gdf["nom"], shown, ranks.to_numpy(), klass.to_numpy(), strict=True
        )
    }
    vintage = millesime or ind.millesime  # the base's vintage when the caller has it
    footer = f"{ind.short} · {ind.source_entry.producer.split('(')[0].strip()}, {vintage}"
    group = folium.FeatureGroup(name=ind.short, control=False)
    _ChoroplethLayer(props, classes, footer=footer).add_to(group)
    return group


class _TopologyData(JSCSSMixin, folium.MacroElement):
    """The shapes of the map, once per page, where every values layer can find them."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {%- if this.url %}
            window.atlasTopology = fetch({{ this.url|tojson }}).then(function(r) { return r.json(); });
            {%- else %}
            window.atlasTopology = Promise.resolve({{ this.compact_json }});
            {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, topology: dict | None, url: str | None = None):
        super().__init__()
        self.default_js = [("topojson", _TOPOJSON_JS)]
        self._name = "AtlasTopology"
        self.url = url
        self.compact_json = "" if url else _compact_json(topology)


class _ChoroplethLayer(JSCSSMixin, folium.MacroElement):
    """Territories coloured in the browser from a class index: no per-feature style dicts."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }}_props = {{ this.props_json }};
            var {{ this.get_name() }}_colors = {{ this.colors|tojson }};
            var {{ this.get_name() }}_footer = {{ this.footer|tojson }};
            var {{ this.get_name() }} = L.geoJson(null, {
                smoothFactor: 0.6,
                style: function(feature) {
                    var p = {{ this.get_name() }}_props[feature.id];
                    var k = p ? p[3] : -1;
                    return {
                        fillColor: k >= 0 ? {{ this.get_name() }}_colors[k] : {{ this.missing|tojson }},
                        fillOpacity: 0.92, color: "#ffffff", weight: 0.5, opacity: 0.9
                    };
                }
            }).addTo({{ this._parent.get_name() }});
            {{ this.get_name() }}.bindTooltip(function(layer) {
                var p = {{ this.get_name() }}_props[layer.feature.id] || ["", "", "", -1];
                return "<b>" + p[0] + "</b><br>" + p[1] + (p[2] ? "<br>Rang : " + p[2] : "")
                    + "<br><small>" + {{ this.get_name() }}_footer + "</small>";
            }, {sticky: true});
            Promise.resolve(window.atlasTopology).then(function(topo) {
                {{ this.get_name() }}.addData(topojson.feature(topo, topo.objects.territoires));
            });
        {% endmacro %}
        """
    )

    def __init__(self, props: dict, classes: Classes, *, footer: str):
        super().__init__()
        self.default_js = [("topojson", _TOPOJSON_JS)]
        self._name = "Valeurs"
        self.props = props
        self.colors = list(classes.colors)
        self.missing = classes.missing_color
        self.footer = html.escape(footer)
        self.props_json = _compact_json(props)


class LegendControl(folium.MacroElement):
    """An HTML legend drawn inside the map (a Leaflet control), so it shows in exports and fullscreen."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.control({position: {{ this.position|tojson }}});
            {{ this.get_name() }}.onAdd = function() {
                var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
                div.innerHTML = {{ this.html|tojson }};
                return div;
            };
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, legend: str, *, position: str = "bottomleft", css_class: str = "atlas-map-legend"):
        super().__init__()
        self._name = "Legend"
        self.html = legend
        self.position = position
        self.css_class = css_class


_LEGEND_CSS = """<style>
.atlas-map-legend { background: rgba(255,255,255,0.94); padding: 8px 10px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,.35); font-size: 14px; max-width: 320px; }
.atlas-legend-title { font-weight: bold; margin-bottom: 4px; }
.atlas-legend-row { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
.atlas-swatch { display: inline-block; width: 22px; height: 14px; border: 1px solid #555; flex: none; }
.atlas-legend-source { margin-top: 4px; font-size: 12px; color: #333; }
</style>"""


PROJECTOR_LEGEND_CSS = (
    _LEGEND_CSS
    + """<style>
.atlas-map-legend { font-size: 20px; max-width: 420px; }
.atlas-legend-source { font-size: 15px; }
.atlas-swatch { width: 30px; height: 20px; }
</style>"""
)
"""Legend inside the map on a projector: read from the back of the room."""


def _compact_json(data: object) -> str:
    """JSON without spaces, safe inside a <script> (same escapes as jinja's tojson)."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(char, escape)
    return text


def _walk(element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def _legend_row(color: str, text: str) -> str:
    return (
        f"<div class='atlas-legend-row'><span class='atlas-swatch' style='background:{color}'></span>"
        f"<span>{text}</span></div>"
    )


def _outline_layer(
    gdf: gpd.GeoDataFrame, *, color: str, weight: float, name: str, dash: str | None = None
) -> folium.GeoJson:
    style = {"fill": False, "color": color, "weight": weight, "opacity": 1}
    if dash:
        style["dashArray"] = dash
    return folium.GeoJson(
        outline_geojson(gdf), name=name, style_function=lambda _f: style, interactive=False, pane=_LINES_PANE
    )


def outline_geojson(gdf: gpd.GeoDataFrame) -> dict:
    """Context lines as GeoJSON, simplified (1/800 of the extent, at most ~1 km) and rounded to ~100 m."""
    xmin, ymin, xmax, ymax = gdf.total_bounds
    tolerance = min(max(xmax - xmin, ymax - ymin) / 800, 0.01)
    geoms = shapely.set_precision(gdf.geometry.simplify(tolerance).to_numpy(), 0.001)
    data = json.loads(gpd.GeoSeries(geoms, crs=gdf.crs).to_json(drop_id=True))
    for feature in data["features"]:
        feature["properties"] = {}
    return data


class _StaticOutlines(folium.MacroElement):
    """Context lines fetched from a static file (`outline_geojson`, cached by the browser) instead
    of tens of kB of GeoJSON inside every map's script: the same lines, style and pane."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.geoJson(null, {
                style: function() { return {{ this.style|tojson }}; },
                interactive: false, pane: {{ this.pane|tojson }}
            }).addTo({{ this._parent.get_name() }});
            fetch({{ this.url|tojson }}).then(function(r) { return r.json(); }).then(function(data) {
                {{ this.get_name() }}.addData(data);
            });
        {% endmacro %}
        """
    )

    def __init__(self, url: str, style: dict):
        super().__init__()
        self._name = "Contours"
        self.url = url
        self.style = dict(style)
        self.pane = _OUTLINES_PANE


def highlight_geometry(frame: gpd.GeoDataFrame, highlight: str | BaseGeometry | None) -> BaseGeometry | None:
    """The outlined territory's shape: `highlight` itself, or the shape of that code in `frame`."""
    if highlight is None:
        return None
    if isinstance(highlight, BaseGeometry):
        return highlight
    match = frame.loc[frame["code"] == str(highlight), "geometry"]
    return match.iloc[0] if len(match) else None


def _padded_bounds(bounds: tuple[float, float, float, float]) -> list[list[float]]:
    """Zoom on the territory but keep its surroundings in view (its own size on each side)."""
    xmin, ymin, xmax, ymax = bounds
    pad_x = max(xmax - xmin, 0.1)
    pad_y = max(ymax - ymin, 0.06)
    return [[ymin - pad_y, xmin - pad_x], [ymax + pad_y, xmax + pad_x]]


def _default_bounds(frame: gpd.GeoDataFrame) -> list[list[float]]:
    """The whole layer, or metropolitan France when the layer also spans the overseas départements
    (without insets: see `render.insets`)."""
    xmin, ymin, xmax, ymax = frame.total_bounds
    if xmax - xmin > 40:
        return _METRO_BOUNDS
    return [[ymin, xmin], [ymax, xmax]]


def layer_bounds(gdf: gpd.GeoDataFrame, margin: float = 0.02) -> list[list[float]]:
    """[[south, west], [north, east]] of the whole layer with a small margin: the map fills its frame."""
    xmin, ymin, xmax, ymax = gdf.total_bounds
    dx, dy = (xmax - xmin) * margin, (ymax - ymin) * margin
    return [[ymin - dy, xmin - dx], [ymax + dy, xmax + dx]]


def _float(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if np.isnan(number) else number


def _ordinal(n: int) -> str:
    return "1er" if n == 1 else f"{_thousands(n)}e"


def _thousands(n: int) -> str:
    return format_number(n)
