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
from branca.element import Element
from folium.elements import JSCSSMixin
from jinja2 import Template
from shapely.geometry.base import BaseGeometry

from indicateurs.analysis.access import ANY, distance_column
from indicateurs.analysis.classify import classify
from indicateurs.analysis.offer import MARGIN_DEG, OfferSources
from indicateurs.reference.catalogue import find_source
from indicateurs.reference.registry import Indicator, get_indicator
from indicateurs.render import maps
from indicateurs.sources.places import DRAWN_TYPES, PLACE_TYPES

__all__ = [
    "TYPE_STYLE",
    "ZONE_STYLE",
    "partial_notice",
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
# Zones blanches in blue over the yellow-to-red choropleth (red outlines vanished in it), filled
# lightly so a whole commune reads as "far", drawn in the lines pane above the coloured communes.
ZONE_STYLE = {
    10: {"color": "#1f4e9c", "weight": 2.5, "dashArray": "6 4", "fillColor": "#4a90d9", "fillOpacity": 0.35},
    20: {"color": "#08204f", "weight": 3.5, "dashArray": "", "fillColor": "#08204f", "fillOpacity": 0.45},
}
_LEGEND_STYLE = """<style>
.ressources-legend { background: rgba(255,255,255,.95); padding: 6px 10px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,.35); font-size: 13px; max-width: 340px; max-height: 55vh; overflow: auto; }
.ressources-legend summary { font-weight: bold; cursor: pointer; }
.ressources-legend .atlas-legend { margin-top: 6px; }
.ressources-legend .atlas-legend-title { font-weight: bold; margin-bottom: 2px; }
.ressources-legend .atlas-legend-row { display: flex; align-items: center; gap: 6px; margin: 1px 0; }
.ressources-legend .atlas-swatch { display: inline-block; width: 18px; height: 12px; border: 1px solid #555; flex: none; }
.ressources-legend .atlas-legend-source, .ressources-legend .note { font-size: 11px; color: #333; margin-top: 3px; }
.ressources-legend .partiel { color: #8a3b00; font-weight: bold; }
.ressources-partiel { background: #fff4e5; color: #8a3b00; border: 1px solid #8a3b00; padding: 3px 8px;
  border-radius: 4px; font-size: 13px; font-weight: bold; }
@media (max-width: 600px) { .ressources-legend { font-size: 11px; max-width: 230px; max-height: 40vh; } }
</style>"""
_PROJECTOR_STYLE = """<style>
.ressources-legend { font-size: 19px; max-width: 480px; max-height: 70vh; }
.ressources-legend .atlas-legend-source, .ressources-legend .note { font-size: 15px; }
.ressources-legend .atlas-swatch { width: 26px; height: 18px; }
.ressources-partiel { font-size: 18px; }
</style>"""


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
        return find_source(source_id).short_label
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


def partial_notice(place_type: str, words: OfferSources | None = None) -> str | None:
    """What the map must say when a type's source is a partial extract (catalogue caveat), else None.

    >>> partial_notice("lieu_mediation")
    'Lieux de médiation : extrait partiel de janvier 2023 (data·inclusion), la plupart des lieux manquent tant qu’une version récente n’est pas chargée.'
    >>> partial_notice("france_services") is None
    True
    """
    words = (
        words or OfferSources()
    )  # the base's sources per type (`offer_sources(base)`), else the pinned ones
    entries = [words.source(s) for s in words.type_sources.get(place_type, ())]
    partial = [s for s in entries if "partiel" in s.caveat]
    if not partial:
        return None
    source = partial[0]
    producer = (source.label or source.citation).split(",")[0]
    kind = {"lieu_mediation": "Lieux de médiation"}.get(place_type, PLACE_TYPES.get(place_type, place_type))
    return (
        f"{kind} : {source.caveat} de {source.date or source.millesime} ({producer}), la plupart des lieux "
        "manquent tant qu’une version récente n’est pas chargée."
    )


def _legend_html(
    places: pd.DataFrame,
    zones: Mapping[int, int],
    inside: set[str],
    need_legend: str,
    words: OfferSources | None = None,
) -> str:
    """One legend for the whole map (places, zones blanches, colours of the communes), folded in a
    <details> so it can be closed; place counts say which: in the territory, and drawn around it."""
    rows = []
    local = (
        places["local"].fillna(False).astype(bool) if "local" in places else pd.Series(False, places.index)
    )
    in_territory = (
        places["code_commune"].astype(str).isin(inside)
        if "code_commune" in places
        else pd.Series(False, index=places.index)
    )
    for place_type in DRAWN_TYPES:
        style = TYPE_STYLE[place_type]
        of_type = (places["type"] == place_type) & ~local
        n_in, n_drawn = int((of_type & in_territory).sum()), int(of_type.sum())
        notice = partial_notice(place_type, words)
        rows.append(
            f"<div><span style='display:inline-block;width:14px;height:14px;border-radius:7px;"
            f"background:{style['hex']};margin-right:6px'></span>"
            f"<i class='fa fa-{style['icon']}'></i> {html.escape(PLACE_TYPES[place_type])} : "
            f"{n_in} dans le territoire ({n_drawn} sur la carte)"
            + (f"<div class='note partiel'>⚠ {html.escape(notice)}</div>" if notice else "")
            + "</div>"
        )
    n_local, n_local_in = int(local.sum()), int((local & in_territory).sum())
    rows.append(
        f"<div><i class='fa fa-{LOCAL_ICON}'></i> Ajouté localement : {n_local_in} dans le territoire "
        f"({n_local} sur la carte)</div>"
    )
    for threshold, style in ZONE_STYLE.items():
        border = "dashed" if style["dashArray"] else "solid"
        rows.append(
            f"<div><span style='display:inline-block;width:20px;height:12px;border:{style['weight']}px {border} "
            f"{style['color']};background:{style['fillColor']};opacity:.8;margin-right:6px;"
            f"vertical-align:middle'></span>"
            f"Commune à plus de {threshold} km de tout lieu ({zones.get(threshold, 0)})</div>"
        )
    return (
        "<details open><summary>Légende</summary>"
        "<div style='font-weight:bold;margin:4px 0 2px'>Lieux d'accompagnement</div>"
        + "".join(rows)
        + "<div class='note'>« Dans le territoire » : lieux des communes du territoire, comme les tableaux "
        "de la page ; la carte montre aussi ceux des alentours. Distances à vol d'oiseau depuis un point "
        "intérieur de chaque commune. Lieux sans coordonnées non dessinés.</div>" + need_legend + "</details>"
    )


class _FoldOnSmallScreens(folium.MacroElement):
    """Close the legend when the map is narrow (a phone): the territory stays visible, one tap opens it."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            if ({{ this._parent.get_name() }}.getContainer().clientWidth < 600) {
                document.querySelectorAll(".ressources-legend details").forEach(function(d) { d.open = false; });
            }
        {% endmacro %}
        """
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
    large: bool = False,
    words: OfferSources | None = None,
) -> folium.Map:
    """Communes coloured by a need indicator, the places on and around them, zones blanches outlined.

    One foldable legend (closed on a phone-sized map, enlarged with ``large`` for a projector).

    ``highlight``: a commune code of ``communes`` or a geometry (e.g. the EPCI), outlined and zoomed to.
    ``topology``: the cached ``maps.to_topology(communes)``, to skip rebuilding it.
    ``words``: the base's offer sources (`offer.offer_sources(base)`): the caveats of the sources used.

    Built on the shared offline choropleth (`indicateurs.maps`): no tiles, and every CDN link is
    pointed to the vendored copies so the map draws with no network.
    """
    ind = get_indicator(indicator) if isinstance(indicator, str) else indicator
    need = need.reindex(communes["code"].to_numpy())  # legend counts: the communes drawn only
    classes = classify(need, "quantiles", indicator=ind)
    m = maps.choropleth(
        communes,
        need,
        ind,
        classes,
        highlight=highlight,
        level="commune",
        topology=topology,
        height=height,
        legend=False,
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
                style_function=lambda _f, s=style: {"fill": True, "opacity": 1, **s},
                interactive=False,
                pane=maps.LINES_PANE,  # above the coloured communes, which are added later
            ).add_to(m)
    if len(places):
        _PlacesLayer(places).add_to(m)
    klass = classes.assign(need)
    need_legend = maps.legend_html(
        ind,
        classes,
        counts=[int((klass == i).sum()) for i in range(len(classes.labels))],
        missing=int((klass < 0).sum()),
        level="commune",
    )
    inside = set(communes["code"].astype(str))
    m.get_root().header.add_child(
        Element(_LEGEND_STYLE + (_PROJECTOR_STYLE if large else "")), name="ressources_legend_style"
    )
    maps.LegendControl(
        _legend_html(places, zones, inside, need_legend, words),
        position="topright",
        css_class="ressources-legend",
    ).add_to(m)
    _FoldOnSmallScreens().add_to(m)
    partial = [PLACE_TYPES[t] for t in DRAWN_TYPES if partial_notice(t, words)]
    if partial:  # visible even with the legend folded
        maps.LegendControl(
            f"⚠ Couche incomplète (extrait partiel) : {html.escape(', '.join(partial))}",
            position="bottomleft",
            css_class="ressources-partiel",
        ).add_to(m)
    if len(communes):  # zoom on the communes, with the places around in view
        minx, miny, maxx, maxy = communes.total_bounds
        pad = MARGIN_DEG / 2
        m.fit_bounds([[miny - pad, minx - pad], [maxy + pad, maxx + pad]])
    return maps.offline(m)
