"""Views of the Ressources page: where the offer is, how it compares, who lives far from it, and
where need meets little supply. Pure functions (folium, plotly, pandas): no Streamlit.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping, Sequence

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
from indicateurs.reference import levels
from indicateurs.reference.catalogue import get_source
from indicateurs.reference.registry import Indicator, get_indicator, list_indicators
from indicateurs.render import maps
from indicateurs.sources.places import DRAWN_TYPES, PLACE_TYPES

__all__ = [
    "MEASURES",
    "OFFER_ROWS",
    "TYPE_STYLE",
    "access_summary",
    "access_table",
    "commune_counts",
    "need_indicators",
    "need_supply_figure",
    "need_supply_frame",
    "need_supply_points",
    "offer_comparison",
    "places_near",
    "places_tooltip",
    "resources_map",
    "territory_scope",
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
OFFER_ROWS: list[tuple[str, str]] = [
    ("nb_france_services", "Espaces France Services"),
    ("nb_permanences_cnfs", "Permanences de conseillers numériques"),
    ("nb_lieux_mediation", "Lieux de médiation (data·inclusion, partiel)"),
    ("nb_structures_aidants_connect", "Structures Aidants Connect"),
    ("nb_lieux_total", "Total des lieux (doublons possibles entre sources)"),
    ("nb_postes_cnfs", "Postes de conseillers numériques validés"),
    ("nb_cnfs_recrutes", "Conseillers numériques recrutés"),
    ("nb_aidants_connect", "Aidants habilités Aidants Connect"),
]
_TOTAL_PARTS = (
    "nb_france_services",
    "nb_permanences_cnfs",
    "nb_lieux_mediation",
    "nb_structures_aidants_connect",
)
MEASURES = {
    "nombre": "Nombre",
    "pour_10000": "Pour 10 000 habitants",
    "pour_1000_concernes": "Pour 1 000 personnes peu ou pas diplômées (estimation)",
}
CONCERNED_NOTE = (
    "Personnes concernées estimées = population × part des 15 ans ou plus sans diplôme ou peu diplômés "
    "(RP 2017) : le faible niveau de diplôme est le premier facteur d'éloignement du numérique (INSEE). "
    "La part étant calculée sur les 15 ans ou plus, l'appliquer à toute la population donne un majorant "
    "(surestimé d'environ un cinquième) : c'est un ordre de grandeur, pas un décompte."
)
NOT_AVAILABLE = "donnée non disponible (secret statistique)"
_MARGIN_DEG = 0.08  # ~6-9 km: places just across the border are part of the local offer


def territory_scope(territories: pd.DataFrame, level: str, code: str) -> tuple[list[str], str | None]:
    """Communes drawn for a territory and the code outlined on the map.

    EPCI or département: its communes. Commune: the communes of its EPCI, the commune outlined.
    Région or France: no commune map (too many points for a projector): empty list.
    """
    communes = territories[territories["level"] == "commune"]
    if level in ("epci", "departement"):
        return sorted(communes.loc[communes[level] == code, "code"].astype(str)), None
    if level == "commune":
        row = communes[communes["code"] == code]
        if row.empty:
            return [], None
        epci = row["epci"].iloc[0]
        if pd.isna(epci):
            return [code], code
        return sorted(communes.loc[communes["epci"] == epci, "code"].astype(str)), code
    return [], None


def places_near(places: pd.DataFrame, bounds: Sequence[float], margin: float = _MARGIN_DEG) -> pd.DataFrame:
    """Drawable places (fixed, with coordinates) inside ``bounds`` (minx, miny, maxx, maxy) plus a margin."""
    minx, miny, maxx, maxy = bounds
    itinerant = places["itinerant"].fillna(False).astype(bool) if "itinerant" in places else False
    keep = (
        places["type"].isin(DRAWN_TYPES)
        & ~itinerant
        & places["latitude"].between(miny - margin, maxy + margin)
        & places["longitude"].between(minx - margin, maxx + margin)
    )
    return places[keep.fillna(False)].reset_index(drop=True)


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
        pad = _MARGIN_DEG / 2
        m.fit_bounds([[miny - pad, minx - pad], [maxy + pad, maxx + pad]])
    return maps.offline(m)


def _ratio(num: float, den: float, scale: float) -> float:
    if den is None or pd.isna(den) or den <= 0 or num is None or pd.isna(num):
        return np.nan
    return float(num) / float(den) * scale


def offer_comparison(rows: Sequence[tuple[str, pd.Series]], measure: str = "nombre") -> pd.DataFrame:
    """Offer per type for several territories side by side (one column per territory).

    ``rows``: (label, wide row with ``population``, ``part_peu_diplomes`` and the ``nb_*`` counts).
    ``measure``: ``nombre``, ``pour_10000`` (per 10,000 inhabitants) or ``pour_1000_concernes``
    (per 1,000 estimated people concerned, see ``CONCERNED_NOTE``). Missing stays NaN.
    """
    if measure not in MEASURES:
        raise ValueError(f"Mesure inconnue : {measure!r} (choix : {', '.join(MEASURES)}).")
    table = {}
    for label, row in rows:
        counts = {key: row.get(key, np.nan) for key, _ in OFFER_ROWS}
        counts["nb_lieux_total"] = sum(float(row.get(k, 0) or 0) for k in _TOTAL_PARTS)
        population = row.get("population", np.nan)
        if measure == "pour_10000":
            values = {k: _ratio(v, population, 10_000) for k, v in counts.items()}
        elif measure == "pour_1000_concernes":
            concerned = population * row.get("part_peu_diplomes", np.nan)
            values = {k: _ratio(v, concerned, 1_000) for k, v in counts.items()}
        else:
            values = counts
        table[label] = [values[key] for key, _ in OFFER_ROWS]
    frame = pd.DataFrame(table, index=[label for _, label in OFFER_ROWS], dtype="float64")
    frame.index.name = MEASURES[measure]
    return frame


def commune_counts(wide: pd.DataFrame, codes: Iterable[str]) -> pd.DataFrame:
    """Places per type for each commune of the territory, with the total per 10,000 inhabitants."""
    sub = wide.reindex([str(c) for c in codes])
    out = pd.DataFrame({"Commune": sub["nom"].to_numpy(), "Code": sub.index.to_numpy()})
    out["Population"] = pd.to_numeric(sub["population"], errors="coerce").to_numpy()
    for key, label in OFFER_ROWS:
        if key == "nb_lieux_total":
            values = sub[list(_TOTAL_PARTS)].fillna(0).sum(axis=1)
        else:
            values = sub[key]
        out[label] = pd.to_numeric(values, errors="coerce").to_numpy()
    total = out[dict(OFFER_ROWS)["nb_lieux_total"]]
    out["Lieux pour 10 000 hab."] = (total / out["Population"].where(out["Population"] > 0) * 10_000).round(1)
    return out.sort_values(["Population"], ascending=False).reset_index(drop=True)


def access_table(
    distances: pd.DataFrame, communes: pd.DataFrame, types: Iterable[str] = DRAWN_TYPES
) -> pd.DataFrame:
    """One row per commune: population, km to the nearest place of each type and of any type, zone blanche.

    ``communes``: ``code``, ``nom``, ``population``. Sorted by distance to the nearest place, farthest first.
    """
    types = list(types)
    frame = communes[["code", "nom", "population"]].copy()
    frame["code"] = frame["code"].astype(str)
    dist = distances.reindex(frame["code"])
    columns = {
        "Commune": frame["nom"].to_numpy(),
        "Code": frame["code"].to_numpy(),
        "Population": frame["population"].to_numpy(),
    }
    for place_type in types:
        columns[f"{PLACE_TYPES[place_type]} (km)"] = dist[distance_column(place_type)].round(1).to_numpy()
    nearest = dist[distance_column(ANY)].to_numpy()
    columns["Lieu le plus proche (km)"] = np.round(nearest, 1)
    columns["Zone blanche"] = np.select(
        [np.nan_to_num(nearest, nan=np.inf) > 20, np.nan_to_num(nearest, nan=np.inf) > 10],
        ["plus de 20 km", "plus de 10 km"],
        "",
    )
    out = pd.DataFrame(columns)
    return out.sort_values("Lieu le plus proche (km)", ascending=False, na_position="first").reset_index(
        drop=True
    )


def access_summary(
    distances: pd.DataFrame, communes: pd.DataFrame, thresholds: Sequence[float] = (10, 20)
) -> pd.DataFrame:
    """Population and communes farther than each threshold from any place (one row per threshold)."""
    from indicateurs.analysis.access import zones_blanches

    pop = communes[["code", "population"]].assign(territoire="T")
    zb = zones_blanches(distances, pop, thresholds, level="territoire")
    total = float(zb["population"].iloc[0]) if len(zb) else 0.0
    rows = []
    for t in thresholds:
        rows.append(
            {
                "Distance à tout lieu": f"plus de {t:g} km",
                "Population": int(zb[f"population_plus_{t:g}km"].iloc[0]) if len(zb) else 0,
                "Part de la population": zb[f"part_plus_{t:g}km"].iloc[0] if len(zb) and total else np.nan,
                "Communes": int(zb[f"communes_plus_{t:g}km"].iloc[0]) if len(zb) else 0,
            }
        )
    return pd.DataFrame(rows)


def need_indicators(available: Iterable[str]) -> dict[str, str]:
    """Indicators that measure need (higher = more fragile) among ``available`` ids: id -> label."""
    available = set(available)
    return {i.id: i.label for i in list_indicators() if i.direction == 1 and i.id in available}


def need_supply_points(
    territories: pd.DataFrame, level: str, code: str, points: str = "epci"
) -> tuple[list[str], str, str | None, str]:
    """Which territories the need-vs-supply chart places: (codes, their level, code to mark, caption).

    ``points="epci"``: the EPCI of the région (of the département for a département, of France for
    France), the chosen EPCI marked. ``points="commune"``: the communes drawn on the map.
    """
    communes = territories[territories["level"] == "commune"]
    if points == "commune":
        codes, highlight = territory_scope(territories, level, code)
        if codes:
            return codes, "commune", highlight, "Chaque point est une commune ; taille = population."
    row = territories[(territories["level"] == level) & (territories["code"] == code)]
    if level == "departement":
        area = ("departement", code)
    elif level == "region":
        area = ("region", code)
    elif level in ("epci", "commune") and len(row) and isinstance(row["region"].iloc[0], str):
        area = ("region", row["region"].iloc[0])
    else:
        area = None
    members = communes[communes[area[0]] == area[1]] if area else communes
    codes = sorted(set(members["epci"].dropna().astype(str)))
    mark = code if level == "epci" else (row["epci"].iloc[0] if level == "commune" and len(row) else None)
    where = levels.of(area[0]) if area else "de France"
    caption = f"Chaque point est un EPCI {where} ; taille = population."
    return codes, "epci", mark if isinstance(mark, str) else None, caption


def need_supply_frame(wide: pd.DataFrame, codes: Iterable[str], need: str | pd.Series) -> pd.DataFrame:
    """Territories with a need value and an offer per 10,000 inhabitants (rows without need apart).

    ``need``: an indicator id of ``wide``, or values indexed by code (e.g. the composite index).
    """
    sub = wide.reindex([str(c) for c in codes])
    need_values = sub[need] if isinstance(need, str) else need.reindex(sub.index)
    frame = pd.DataFrame(
        {
            "code": sub.index.astype(str),
            "nom": sub["nom"].to_numpy(),
            "population": pd.to_numeric(sub["population"], errors="coerce").to_numpy(),
            "besoin": pd.to_numeric(need_values, errors="coerce").to_numpy(),
            "offre": pd.to_numeric(sub["lieux_pour_10000"], errors="coerce").to_numpy(),
        }
    )
    frame.attrs["sans_donnee"] = int(
        frame["besoin"].isna().sum() + (frame["besoin"].notna() & frame["offre"].isna()).sum()
    )
    return frame.dropna(subset=["besoin", "offre"]).reset_index(drop=True)


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
