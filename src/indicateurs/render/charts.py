"""Vega-Lite specs of the pages' charts (no st.* here): the comparison ladder of one indicator and the
need/supply scatter of the Ressources page.

Plain dicts drawn by `st.vega_lite_chart` (Streamlit bundles Vega: ~0.8 MB, offline), so no page loads
the 4.7 MB Plotly bundle before its map (issue #16). Numbers read the French way through Vega's
`config.locale` (decimal comma, narrow no-break space between thousands). Data sit in named `datasets`
so that layers share them.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from indicateurs.reference.levels import TITLES
from indicateurs.reference.registry import Indicator, get_indicator
from indicateurs.reference.text import with_unit

__all__ = [
    "LOCALE",
    "axis_title",
    "ladder_chart",
    "need_supply_chart",
    "records",
    "scale",
    "spec",
    "wrap_title",
]

# Vega's number locale: "1 234,5" (the thousands separator is U+202F, as format_number writes it).
LOCALE = {"number": {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", "\u00a0€"]}}

# role -> (legend name, shape, colour, filled, area in px²); shapes differ so the chart reads in grey too
_STYLE = {
    "territoire": ("Territoire", "circle", "#5B2C83", True, 256),
    "voisin": ("Voisins", "circle", "#7f7f7f", False, 100),
    "pair": ("Territoires comparables", "square", "#7f7f7f", False, 100),
    "epci": (TITLES["epci"], "triangle-down", "#404040", True, 121),
    "departement": (TITLES["departement"], "square", "#404040", True, 121),
    "region": (TITLES["region"], "triangle-up", "#404040", True, 144),
    "france": (TITLES["france"], "diamond", "#000000", True, 144),
}


def spec(layers: list[dict], datasets: dict[str, list[dict]], **top) -> dict:
    """A layered Vega-Lite spec as wide as its container, French number format, no action menu."""
    return {
        "width": "container",
        **top,
        "datasets": datasets,
        "layer": layers,
        "config": {
            "locale": LOCALE,
            "font": "sans-serif",
            "axis": {"labelFontSize": 13, "titleFontSize": 13, "labelLimit": 170},
            "legend": {"labelFontSize": 13, "labelLimit": 220},
            "view": {"stroke": None},
        },
    }


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts: NaN becomes null (Vega reads it as missing, never as 0)."""
    out = frame.astype(object).where(frame.notna(), None)
    return out.to_dict(orient="records")


def wrap_title(text: str, width: int = 42) -> list[str]:
    """A title cut into lines that fit a phone (Vega never wraps a title: it would be clipped)."""
    return textwrap.wrap(text, width) or [text]


def scale(indicator_id: str) -> float:
    """Factor from stored value to displayed value (rates are stored as fractions, shown ×100)."""
    return 100.0 if get_indicator(indicator_id).is_rate else 1.0


def axis_title(indicator: str | Indicator) -> str:
    """'Pauvreté (%)': the short label with its unit, for an axis (give the base's entry: its label)."""
    ind = get_indicator(indicator) if isinstance(indicator, str) else indicator
    unit = "score de 1 à 10" if ind.unit == "score" else ind.unit
    return with_unit(ind.short, unit)


def _rows(ladder: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    rows = ladder.loc[ladder["indicator"] == indicator_id].copy()
    duplicated = rows["nom"].duplicated(keep=False)
    rows["label"] = rows["nom"].where(~duplicated, rows["nom"] + " (" + rows["code"] + ")")
    rows["x"] = rows["value"] * scale(indicator_id)
    return rows


def ladder_chart(ladder: pd.DataFrame, indicator_id: str, *, ind: Indicator | None = None) -> dict:
    """Dot plot of one indicator: the territory (large, coloured) beside its comparison territories.

    `ladder` is `Profile.ladder` (indicator, role, role_label, code, nom, value, display).
    Territories without a value are listed with "donnée non disponible" instead of a dot.
    `ind`: the base's registry entry (`Base.registry`), for the axis title.
    """
    rows = _rows(ladder, indicator_id)
    order = rows["label"].tolist()  # territory first (on top), then neighbours, peers, parents, France
    roles = [
        r for r in _STYLE if (rows["role"] == r).any() and rows.loc[rows["role"] == r, "x"].notna().any()
    ]
    rows["groupe"] = rows["role"].map({r: s[0] for r, s in _STYLE.items()})
    rows["aire"] = rows["role"].map({r: s[4] for r, s in _STYLE.items()})
    table = records(rows[["label", "groupe", "role", "role_label", "display", "x", "aire"]])
    names = [_STYLE[r][0] for r in roles]
    y = {
        "field": "label",
        "type": "nominal",
        "scale": {"domain": order},
        "axis": {"title": None},
        "sort": None,
    }
    legend = {"title": None, "orient": "top", "direction": "horizontal", "columns": 2}
    dots = {
        "data": {"name": "echelle"},
        "transform": [{"filter": "isValid(datum.x)"}],
        "mark": {"type": "point", "strokeWidth": 2, "opacity": 1},
        "encoding": {
            "y": y,
            "x": {
                "field": "x",
                "type": "quantitative",
                "title": axis_title(ind or indicator_id),
                "scale": {"zero": False, "nice": True},
                "axis": {"gridColor": "#e5e5e5"},
            },
            "shape": {
                "field": "groupe",
                "type": "nominal",
                "scale": {"domain": names, "range": [_STYLE[r][1] for r in roles]},
                "legend": legend,
            },
            "stroke": {
                "field": "groupe",
                "type": "nominal",
                "scale": {"domain": names, "range": [_STYLE[r][2] for r in roles]},
                "legend": legend,
            },
            "fill": {
                "field": "groupe",
                "type": "nominal",
                "scale": {
                    "domain": names,
                    "range": [_STYLE[r][2] if _STYLE[r][3] else "white" for r in roles],
                },
                "legend": legend,
            },
            # its own field: a size legend switched off would switch off the merged one
            "size": {"field": "aire", "type": "quantitative", "scale": None, "legend": None},
            "tooltip": [
                {"field": "label", "type": "nominal", "title": "Territoire"},
                {"field": "role_label", "type": "nominal", "title": "Rôle"},
                {"field": "display", "type": "nominal", "title": "Valeur"},
            ],
        },
    }
    missing = {
        "data": {"name": "echelle"},
        "transform": [{"filter": "!isValid(datum.x)"}],
        "mark": {"type": "text", "align": "left", "color": "#555", "fontSize": 13},
        "encoding": {"y": y, "x": {"value": 4}, "text": {"field": "display"}},
    }
    layers = [dots, missing]
    territory = rows.loc[rows["role"] == "territoire", "x"]
    if not territory.empty and territory.notna().all():
        layers.insert(
            0,
            {
                "data": {"values": [{"x": float(territory.iloc[0])}]},
                "mark": {"type": "rule", "color": "#5B2C83", "strokeWidth": 1, "strokeDash": [2, 3]},
                "encoding": {"x": {"field": "x", "type": "quantitative"}},
            },
        )
    return spec(layers, {"echelle": table}, height={"step": 28})


def need_supply_chart(frame: pd.DataFrame, need: str | Indicator, *, highlight: str | None = None) -> dict:
    """Scatter need (x) vs offer per 10,000 inhabitants (y), quadrants at the medians, units on axes.

    `frame` is `offer.need_supply_frame` (code, nom, population, besoin, offre). The disc's diameter
    grows with the square root of the population (8 to 36 px); the chosen territory is a red diamond.
    `need`: the base's registry entry (`Base.indicator`), or an id (the process's registry)."""
    ind = get_indicator(need) if isinstance(need, str) else need
    short, label = ind.short, ind.label
    factor = 100.0 if ind.is_rate else 1.0
    unit = "%" if ind.is_rate else ("score sur 10" if ind.unit == "score" else ind.unit)
    points = pd.DataFrame(
        {
            "code": frame["code"].astype(str),
            "nom": frame["nom"].astype(str),
            "population": frame["population"],
            "besoin": frame["besoin"] * factor,
            "offre": frame["offre"],
        }
    )
    root = np.sqrt(points["population"].clip(lower=1).to_numpy(dtype=float))
    diameter = 8 + 28 * root / root.max() if len(root) else root
    points["aire"] = diameter**2
    x_title = f"{label} ({unit}) · plus à droite = plus fragile"
    y_title = "Lieux d'accompagnement pour 10 000 habitants"
    x = {
        "field": "besoin",
        "type": "quantitative",
        "title": wrap_title(x_title, 45),
        "scale": {"zero": False},
    }
    y = {"field": "offre", "type": "quantitative", "title": y_title}
    layers: list[dict] = [
        {
            "data": {"name": "nuage"},
            "mark": {
                "type": "circle",
                "color": "#5b2c83",
                "opacity": 0.65,
                "stroke": "white",
                "strokeWidth": 0.5,
            },
            "encoding": {
                "x": x,
                "y": y,
                "size": {"field": "aire", "type": "quantitative", "scale": None, "legend": None},
                "tooltip": [
                    {"field": "nom", "type": "nominal", "title": "Territoire"},
                    {
                        "field": "besoin",
                        "type": "quantitative",
                        "title": f"{short} ({unit})",
                        "format": ".1f",
                    },
                    {
                        "field": "offre",
                        "type": "quantitative",
                        "title": "Lieux pour 10 000 hab.",
                        "format": ".1f",
                    },
                    {"field": "population", "type": "quantitative", "title": "Population", "format": ",.0f"},
                ],
            },
        }
    ]
    if len(points):
        mx, my = float(points["besoin"].median()), float(points["offre"].median())
        rule = {"type": "rule", "color": "#777", "strokeDash": [6, 4]}
        layers += [
            {
                "data": {"values": [{"x": mx}]},
                "mark": rule,
                "encoding": {"x": {"field": "x", "type": "quantitative"}},
            },
            {
                "data": {"values": [{"y": my}]},
                "mark": rule,
                "encoding": {"y": {"field": "y", "type": "quantitative"}},
            },
        ]
        corners = [
            # two short lines each: the four corners stay apart on a phone
            ("width", "height", "right", "bottom", "Besoin fort, offre faible :\nchantier prioritaire"),
            ("width", 0, "right", "top", "Besoin fort,\noffre forte"),
            (0, "height", "left", "bottom", "Besoin faible,\noffre faible"),
            (0, 0, "left", "top", "Besoin faible,\noffre forte"),
        ]
        for cx, cy, align, baseline, text in corners:
            layers.append(
                {
                    "data": {"values": [{"texte": text}]},
                    "mark": {
                        "type": "text",
                        "align": align,
                        "baseline": baseline,
                        "dx": -4 if align == "right" else 4,
                        "dy": -4 if baseline == "bottom" else 4,
                        "fontSize": 13,
                        "lineBreak": "\n",
                        "color": "#b30000" if "prioritaire" in text else "#444",
                    },
                    "encoding": {"x": {"value": cx}, "y": {"value": cy}, "text": {"field": "texte"}},
                }
            )
    if highlight is not None and highlight in set(points["code"]):
        chosen = {"data": {"name": "nuage"}, "transform": [{"filter": {"field": "code", "equal": highlight}}]}
        layers += [
            {
                **chosen,
                "mark": {
                    "type": "point",
                    "shape": "diamond",
                    "filled": True,
                    "color": "#d7301f",
                    "size": 324,
                },
                "encoding": {"x": x, "y": y, "tooltip": None},
            },
            {
                **chosen,
                "mark": {
                    "type": "text",
                    "baseline": "bottom",
                    "dy": -12,
                    "fontSize": 13,
                    "fontWeight": "bold",
                },
                "encoding": {"x": x, "y": y, "text": {"field": "nom"}},
            },
        ]
    return spec(layers, {"nuage": records(points)}, height=520)
