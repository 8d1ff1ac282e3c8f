"""Drawings of the Ressources page: the places map (markers, legend, tooltips) and the need-vs-supply
chart. The figures they draw are computed in `indicateurs.analysis.offer`. No Streamlit.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from branca.element import Element
from folium.elements import JSCSSMixin
from jinja2 import Template
from shapely.geometry.base import BaseGeometry

from indicateurs.analysis.access import ANY, distance_column
from indicateurs.analysis.classify import classify
from indicateurs.analysis.offer import MARGIN_DEG
from indicateurs.reference.catalogue import get_source
from indicateurs.reference.registry import Indicator, get_indicator
from indicateurs.render import maps
from indicateurs.sources.places import DRAWN_TYPES, PLACE_TYPES

__all__ = [
    "TYPE_STYLE",
    "need_supply_figure",
    "places_tooltip",
    "resources_map",
]

# Awesome-markers colour names (and their hex, for the legend) and Font Awesome 6 icons.
TYPE_STYLE: dict[str, dict[str, str]] = {
    "france_services": {"color": "darkblue", "hex": "#0067A3", "icon": "building-columns"},
    "conseiller_numerique": {"color": "orange", "hex": "#F69730", "icon": "user"},
    "lieu_mediation": {"color": "green", "hex": "#72B026", "icon": "laptop"},
    "aidants_connect": {"color": "purple", "hex": "#D252B9", "icon": "handshake"},
}
LOCAL_ICON = "star"
_AWESOME_JS = (
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js"
)
_AWESOME_CSS = (
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css"
)
_TIP_STYLE = (
    "<style>.leaflet-tooltip.ressources-tip { white-space: normal; width: 320px; font-size: 14px; "
    "line-height: 1.35; overflow-wrap: anywhere; }</style>"
)
_FA_CSS = "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css"
ZONE_STYLE = {
    10: {"color": "#d7301f", "weight": 2.5, "dashArray": "6 4"},
    20: {"color": "#7f0000", "weight": 4, "dashArray": "2 4"},
}


def _line(label: str, value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    text = str(value).strip()
    if not text:
        return ""
    if len(text) > 300:
        text = text[:297] + "…"
    return f"<br><b>{html.escape(label)}</b> : {html.escape(text)}"


def _source_label(source_id: str) -> str:
    """The catalogue's French name of a place's source; the raw id if the catalogue lacks it."""
    try:
        return get_source(source_id).short_label
    except ValueError:
        return source_id


def places_tooltip(row: Mapping[str, object]) -> str:
    """Tooltip HTML of one place; every value from the data is escaped."""
    kind = PLACE_TYPES.get(str(row.get("type")), str(row.get("type")))
    local = bool(row.get("local"))
    source = _source_label(str(row.get("source")))
    millesime = row.get("millesime")
    if local:
        source_text = "Ajouté localement" + (f" ({millesime})" if isinstance(millesime, str) else "")
    else:
        source_text = f"{source} ({millesime})" if isinstance(millesime, str) else source
    parts = [
        f"<b>{html.escape(str(row.get('nom') or 'Sans nom'))}</b>",
        f"<br>{html.escape(kind)}" + (" · <i>ajouté localement</i>" if local else ""),
        _line("Adresse", row.get("adresse")),
        _line("Services", _list_text(row.get("services"))),
        _line("Horaires", row.get("horaires")),
        _line("Aidants habilités", _int_text(row.get("nb_aidants"))),
        "<br><i>Position approchée (centre de la commune)</i>" if bool(row.get("position_approx")) else "",
        f"<br><small>Source : {html.escape(source_text)}</small>",
    ]
    return "".join(parts)


def _list_text(value: object) -> object:
    """'a;b;c' (the schema's list separator) shown as 'a · b · c'; other values unchanged."""
    return " · ".join(p.strip() for p in value.split(";") if p.strip()) if isinstance(value, str) else value


def _int_text(value: object) -> str | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if np.isnan(number) else f"{int(number)}"


def _places_geojson(places: pd.DataFrame) -> dict:
    features = []
    for row in places.to_dict("records"):
        style = TYPE_STYLE[row["type"]]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]},
                "properties": {
                    "tip": places_tooltip(row),
                    "markerColor": style["color"],
                    "icon": LOCAL_ICON if row.get("local") else style["icon"],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


class _PlacesLayer(JSCSSMixin, folium.MacroElement):
    """Places as awesome markers from one GeoJSON blob (no per-marker Python objects)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.geoJson({{ this.data }}, {
                pointToLayer: function(feature, latlng) {
                    var p = feature.properties;
                    return L.marker(latlng, {icon: L.AwesomeMarkers.icon({
                        icon: p.icon, prefix: "fa", markerColor: p.markerColor, iconColor: "white"})});
                }
            });
            {{ this.get_name() }}.bindTooltip(function(layer) {
                return layer.feature.properties.tip; }, {sticky: false, className: "ressources-tip"});
            {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def render(self, **kwargs):
        self.get_root().header.add_child(Element(_TIP_STYLE), name="ressources_tip_style")
        super().render(**kwargs)

    def __init__(self, places: pd.DataFrame):
        super().__init__()
        self._name = "Lieux"
        # folium's names for these links: `maps.offline` points them to the vendored copies.
        self.default_js = [("awesome_markers", _AWESOME_JS)]
        self.default_css = [("awesome_markers_css", _AWESOME_CSS), ("awesome_markers_font_css", _FA_CSS)]
        text = json.dumps(_places_geojson(places), separators=(",", ":"), ensure_ascii=False)
        for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
            text = text.replace(char, escape)
        self.data = text


def _legend_html(places: pd.DataFrame, zones: Mapping[int, int]) -> str:
    rows = []
    for place_type in DRAWN_TYPES:
        style = TYPE_STYLE[place_type]
        n = int((places["type"] == place_type).sum())
        rows.append(
            f"<div><span style='display:inline-block;width:14px;height:14px;border-radius:7px;"
            f"background:{style['hex']};margin-right:6px'></span>"
            f"<i class='fa fa-{style['icon']}'></i> {html.escape(PLACE_TYPES[place_type])} ({n})</div>"
        )
    n_local = int(places["local"].fillna(False).astype(bool).sum()) if "local" in places else 0
    rows.append(f"<div><i class='fa fa-{LOCAL_ICON}'></i> Ajouté localement ({n_local})</div>")
    for threshold, style in ZONE_STYLE.items():
        rows.append(
            f"<div><span style='display:inline-block;width:22px;height:0;border-top:{style['weight']}px dashed "
            f"{style['color']};margin-right:6px;vertical-align:middle'></span>"
            f"Commune à plus de {threshold} km de tout lieu ({zones.get(threshold, 0)})</div>"
        )
    return (
        "<div style='background:rgba(255,255,255,.94);padding:8px 10px;border-radius:4px;"
        "box-shadow:0 1px 4px rgba(0,0,0,.35);font-size:14px;max-width:330px'>"
        "<div style='font-weight:bold;margin-bottom:4px'>Lieux d'accompagnement</div>"
        + "".join(rows)
        + "<div style='font-size:12px;color:#333;margin-top:4px'>Distances à vol d'oiseau depuis un point "
        "intérieur de chaque commune. Lieux sans coordonnées non dessinés.</div></div>"
    )


def resources_map(
    communes: gpd.GeoDataFrame,
    need: pd.Series,
    indicator: Indicator | str,
    places: pd.DataFrame,
    distances: pd.DataFrame,
    *,
    highlight: str | BaseGeometry | None = None,
    topology: dict | None = None,
    height: int = 620,
) -> folium.Map:
    """Communes coloured by a need indicator, the places on and around them, zones blanches outlined.

    ``highlight``: a commune code of ``communes`` or a geometry (e.g. the EPCI), outlined and zoomed to.
    ``topology``: the cached ``maps.to_topology(communes)``, to skip rebuilding it.

    Built on the shared offline choropleth (`indicateurs.maps`): no tiles, and every CDN link is
    pointed to the vendored copies so the map draws with no network.
    """
    ind = get_indicator(indicator) if isinstance(indicator, str) else indicator
    need = need.reindex(communes["code"].to_numpy())  # legend counts: the communes drawn only
    classes = classify(need, "quantiles", indicator=ind)
    m = maps.choropleth(
        communes, need, ind, classes, highlight=highlight, level="commune", topology=topology, height=height
    )
    zones = {}
    dist = distances[distance_column(ANY)].reindex(communes["code"].to_numpy())
    for threshold, style in ZONE_STYLE.items():
        far = communes[(dist.fillna(np.inf) > threshold).to_numpy()]
        zones[threshold] = len(far)
        if len(far):
            folium.GeoJson(
                json.loads(far[["geometry"]].to_json(drop_id=True)),
                name=f"Plus de {threshold} km",
                style_function=lambda _f, s=style: {"fill": False, "opacity": 1, **s},
                interactive=False,
            ).add_to(m)
    if len(places):
        _PlacesLayer(places).add_to(m)
    maps.LegendControl(
        _legend_html(places, zones), position="topright", css_class="ressources-legend"
    ).add_to(m)
    if len(communes):  # zoom on the communes, with the places around in view
        minx, miny, maxx, maxy = communes.total_bounds
        pad = MARGIN_DEG / 2
        m.fit_bounds([[miny - pad, minx - pad], [maxy + pad, maxx + pad]])
    return maps.offline(m)


def need_supply_figure(frame: pd.DataFrame, need_id: str, *, highlight: str | None = None) -> go.Figure:
    """Scatter need (x) vs offer per 10,000 inhabitants (y), quadrants at the medians, units on axes."""
    ind = get_indicator(need_id)
    short, label = ind.short, ind.label
    scale = 100.0 if ind.is_rate else 1.0
    unit = "%" if ind.is_rate else ("score sur 10" if ind.unit == "score" else ind.unit)
    x = frame["besoin"] * scale
    y = frame["offre"]
    fig = go.Figure()
    size = np.sqrt(frame["population"].clip(lower=1).to_numpy())
    size = 8 + 28 * size / size.max() if len(size) else size
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            mode="markers",
            marker={
                "size": size,
                "color": "#5b2c83",
                "opacity": 0.65,
                "line": {"width": 0.5, "color": "white"},
            },
            text=[html.escape(str(n)) for n in frame["nom"]],
            customdata=frame["population"],
            hovertemplate="<b>%{text}</b><br>"
            + f"{html.escape(short)} : %{{x:.1f}} {html.escape(unit)}<br>"
            + "Lieux pour 10 000 hab. : %{y:.1f}<br>Population : %{customdata:,.0f}<extra></extra>",
            name="Territoires",
        )
    )
    if highlight is not None and highlight in set(frame["code"]):
        row = frame[frame["code"] == highlight]
        fig.add_trace(
            go.Scatter(
                x=row["besoin"] * scale,
                y=row["offre"],
                mode="markers+text",
                marker={"size": 18, "color": "#d7301f", "symbol": "diamond"},
                text=[html.escape(str(n)) for n in row["nom"]],
                textposition="top center",
                name="Territoire choisi",
                hoverinfo="skip",
            )
        )
    if len(frame):
        mx, my = float(x.median()), float(y.median())
        fig.add_vline(x=mx, line_dash="dash", line_color="#777")
        fig.add_hline(y=my, line_dash="dash", line_color="#777")
        labels = [
            (0.99, 0.01, "right", "bottom", "Besoin fort, offre faible : chantier prioritaire"),
            (0.99, 0.99, "right", "top", "Besoin fort, offre forte"),
            (0.01, 0.01, "left", "bottom", "Besoin faible, offre faible"),
            (0.01, 0.99, "left", "top", "Besoin faible, offre forte"),
        ]
        for xr, yr, xa, ya, text in labels:
            fig.add_annotation(
                x=xr,
                y=yr,
                xref="paper",
                yref="paper",
                xanchor=xa,
                yanchor=ya,
                text=text,
                showarrow=False,
                font={"size": 13, "color": "#b30000" if "prioritaire" in text else "#444"},
            )
    fig.update_layout(
        xaxis_title=f"{label} ({unit}) · plus à droite = plus fragile",
        yaxis_title="Lieux d'accompagnement pour 10 000 habitants",
        height=520,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        showlegend=False,
        plot_bgcolor="white",
    )
    fig.update_xaxes(showgrid=True, gridcolor="#eee")
    fig.update_yaxes(showgrid=True, gridcolor="#eee", rangemode="tozero")
    return fig
