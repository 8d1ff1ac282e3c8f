"""Vega-Lite specs of the Comparer page: one bar chart per indicator and a radar of percentile profiles.

They take the long table of `compare.comparison_table` and never call Streamlit. Colours come
from a colour-blind-safe palette, and each territory also gets its own marker symbol and dash, so
the charts stay readable in grey.
"""

from __future__ import annotations

import math
import textwrap

import pandas as pd
from pandas.io.formats.style import Styler

from indicateurs.reference.registry import Indicator, get_indicator
from indicateurs.reference.text import with_unit
from indicateurs.render.charts import records, spec, wrap_title

__all__ = ["indicator_chart", "profile_chart", "style_grid"]

# Okabe-Ito (colour-blind safe), then greys; symbols and dashes separate lines without colour.
_PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
    "#7F7F7F",
    "#5B2C83",
    "#8C564B",
    "#1F4E79",
]
_SHAPES = [
    "circle",
    "square",
    "diamond",
    "triangle-up",
    "cross",
    "triangle-down",
    "triangle-right",
    "triangle-left",
    "stroke",
    "wedge",
    "arrow",
    "triangle",
]
_DASHES = [[1, 0], [6, 4], [2, 3], [6, 3, 2, 3], [10, 4], [10, 3, 2, 3]]
_BAR = "#5B2C83"
_MISSING = "donnée non disponible"


def _axis_title(ind: Indicator, short: str) -> str:
    unit = "%" if ind.is_rate else ("score de 1 à 10" if ind.unit == "score" else ind.unit)
    return with_unit(short, unit)


def indicator_chart(table: pd.DataFrame, indicator_id: str) -> dict:
    """Horizontal bars of one indicator for the compared territories, the group median as a dashed line.

    Rates are drawn in % (×100). A territory without value keeps its row, with the words
    'donnée non disponible' instead of a bar (never a bar at 0). Highest value on top.
    """
    ind = get_indicator(indicator_id)
    rows = table[table["indicator"] == indicator_id].copy()
    # the words of the table (the base's registry: `comparison_table(reg=…)`), the registry's without
    label = str(rows["label"].iloc[0]) if "label" in rows and len(rows) else ind.label
    label_short = str(rows["short"].iloc[0]) if "short" in rows and len(rows) else ind.short
    factor = 100.0 if ind.is_rate else 1.0
    rows["x"] = rows["value"] * factor
    rows = rows.sort_values("x", na_position="first")
    names = rows["nom"].tolist()[::-1]
    rows["shown"] = rows["text"].where(rows["x"].notna(), _MISSING)
    columns = ["nom", "x", "shown"] + [c for c in ("source", "statut") if c in rows.columns]
    y = {"field": "nom", "type": "nominal", "scale": {"domain": names}, "axis": {"title": None}, "sort": None}
    x = {"field": "x", "type": "quantitative", "title": _axis_title(ind, label_short)}
    tooltip = [
        {"field": "nom", "type": "nominal", "title": "Territoire"},
        {"field": "shown", "type": "nominal", "title": label_short},
    ]
    tooltip += [
        {"field": c, "type": "nominal", "title": c.capitalize()} for c in ("source", "statut") if c in rows
    ]
    present = {"data": {"name": "barres"}, "transform": [{"filter": "isValid(datum.x)"}]}
    layers: list[dict] = [
        {**present, "mark": {"type": "bar", "color": _BAR}, "encoding": {"x": x, "y": y, "tooltip": tooltip}},
        {
            **present,
            "mark": {"type": "text", "align": "left", "dx": 3, "fontSize": 13},
            "encoding": {"x": x, "y": y, "text": {"field": "shown"}, "tooltip": tooltip},
        },
        {
            "data": {"name": "barres"},
            "transform": [{"filter": "!isValid(datum.x)"}],
            "mark": {"type": "text", "align": "left", "color": "#555", "fontSize": 13},
            "encoding": {"x": {"value": 4}, "y": y, "text": {"field": "shown"}},
        },
    ]
    median = rows["median"].dropna()
    if not median.empty:
        at = {"x": {"field": "x", "type": "quantitative"}}
        layers += [
            {
                "data": {"values": [{"x": float(median.iloc[0]) * factor}]},
                "mark": {"type": "rule", "color": "#333", "strokeDash": [6, 4]},
                "encoding": at,
            },
            {
                "data": {"values": [{"x": float(median.iloc[0]) * factor, "texte": "médiane du groupe"}]},
                "mark": {"type": "text", "baseline": "bottom", "dy": -2, "fontSize": 12, "color": "#333"},
                "encoding": {**at, "y": {"value": 0}, "text": {"field": "texte"}},
            },
        ]
    return spec(
        layers,
        {"barres": records(rows[columns])},
        title={"text": wrap_title(label), "fontSize": 15, "anchor": "start", "offset": 16},
        height={"step": 28},
        padding={"left": 5, "right": 40, "top": 5, "bottom": 5},
    )


_RINGS = (25, 50, 75, 100)


def _at(radius: float, angle: float) -> tuple[float, float]:
    """Cartesian point of a radar (angle 0 on top, clockwise)."""
    return radius * math.sin(angle), radius * math.cos(angle)


def profile_chart(table: pd.DataFrame, indicators: list[str] | None = None) -> dict:
    """Radar of fragility percentiles (0..100), one closed line per territory: outwards = more fragile.

    The national percentile of each value is turned round for indicators where a high value means
    less fragility (e.g. THD coverage), so every axis reads the same way. A missing value leaves a
    gap in the line rather than dropping to 0. Vega-Lite has no polar line: the points are placed in
    x/y here (axis 0 on top, clockwise), on rings at 25, 50, 75 and 100.
    """
    rows = table if indicators is None else table[table["indicator"].isin(indicators)]
    order = list(dict.fromkeys(rows["indicator"]))
    shorts = dict(zip(rows["indicator"], rows["short"], strict=True)) if "short" in rows else {}
    theta = [shorts.get(i) or get_indicator(i).short for i in order]
    flip = pd.Series({i: get_indicator(i).direction < 0 for i in order}, dtype=bool)
    angles = [2 * math.pi * k / max(len(order), 1) for k in range(len(order))]
    points, names = [], []
    for n, (key, group) in enumerate(rows.groupby("key", sort=False)):
        name = str(group["nom"].iloc[0])
        names.append(name)
        pct = group.set_index("indicator")["percentile"].reindex(order)
        pct = pct.where(~flip, 100 - pct)
        segment = 0
        for k in [*range(len(order)), 0]:  # closed line: back to the first axis
            r = pct.iloc[k]
            if pd.isna(r):
                segment += 1  # a gap, never a drop to 0
                continue
            px, py = _at(float(r), angles[k])
            points.append(
                {
                    "nom": name,
                    "cle": key,
                    "trait": f"{n}-{segment}",
                    "rang": len(points),
                    "axe": theta[k],
                    "centile": float(r),
                    "lu": f"{float(r):.0f} / 100",
                    "x": px,
                    "y": py,
                }
            )
    grid = [
        {"anneau": ring, "rang": s, **dict(zip(("x", "y"), _at(ring, 2 * math.pi * s / 72), strict=True))}
        for ring in _RINGS
        for s in range(73)
    ]
    spokes = [
        {"axe": t, "rang": e, **dict(zip(("x", "y"), _at(100 * e, a), strict=True))}
        for t, a in zip(theta, angles, strict=True)
        for e in (0, 1)
    ]
    labels = []
    for t, a in zip(theta, angles, strict=True):
        lx, ly = _at(108, a)
        side = math.sin(a)
        align = "center" if abs(side) < 0.2 else ("left" if side > 0 else "right")
        # short lines: a long name would push the rings into a dot on a phone
        labels.append(
            {"axe": t, "lignes": "\n".join(textwrap.wrap(t, 16) or [t]), "x": lx, "y": ly, "align": align}
        )
    between = math.pi / max(len(order), 1)  # ring values between the first two axes, off the names
    rings = [
        {"texte": str(ring), **dict(zip(("x", "y"), _at(ring, between), strict=True))} for ring in _RINGS
    ]
    # Same extent on both axes, whatever the width: the rings stay round on a phone and a projector.
    fit = "max(1, width / max(height, 1))"
    xs = {"domainMin": {"expr": f"-135 * {fit}"}, "domainMax": {"expr": f"135 * {fit}"}}
    ys = {
        "domainMin": {"expr": "-135 * max(1, height / max(width, 1))"},
        "domainMax": {"expr": "135 * max(1, height / max(width, 1))"},
    }
    xq = {"field": "x", "type": "quantitative", "axis": None, "scale": xs}
    yq = {"field": "y", "type": "quantitative", "axis": None, "scale": ys}
    colours = [_PALETTE[n % len(_PALETTE)] for n in range(len(names))]
    who = {"field": "nom", "type": "nominal", "title": "Territoire"}
    legend = {"orient": "bottom", "direction": "vertical", "title": None, "labelLimit": 300}
    line_enc = {
        "x": xq,
        "y": yq,
        "order": {"field": "rang", "type": "quantitative"},
        "detail": {"field": "trait", "type": "nominal"},
        "color": {**who, "scale": {"domain": names, "range": colours}, "legend": legend},
        "strokeDash": {
            **who,
            "scale": {"domain": names, "range": [_DASHES[n % len(_DASHES)] for n in range(len(names))]},
            "legend": legend,
        },
    }
    point_enc = {
        "x": xq,
        "y": yq,
        "color": {**who, "scale": {"domain": names, "range": colours}, "legend": legend},
        "shape": {
            **who,
            "scale": {"domain": names, "range": [_SHAPES[n % len(_SHAPES)] for n in range(len(names))]},
            "legend": legend,
        },
        "tooltip": [
            who,
            {"field": "axe", "type": "nominal", "title": "Indicateur"},
            {"field": "lu", "type": "nominal", "title": "Centile de fragilité"},
        ],
    }
    names_at = [  # the indicators' names round the rings, aligned away from the centre
        {
            "data": {"name": "axes"},
            "transform": [{"filter": {"field": "align", "equal": align}}],
            "mark": {
                "type": "text",
                "fontSize": 12,
                "color": "#333",
                "baseline": "middle",
                "align": align,
                "limit": 120,
                "lineHeight": 14,
                "lineBreak": "\n",
            },
            "encoding": {"x": xq, "y": yq, "text": {"field": "lignes"}},
        }
        for align in ("left", "center", "right")
    ]
    layers = [
        {
            "data": {"name": "anneaux"},
            "mark": {"type": "line", "color": "#d9d9d9", "strokeWidth": 1},
            "encoding": {"x": xq, "y": yq, "detail": {"field": "anneau"}, "order": {"field": "rang"}},
        },
        {
            "data": {"name": "rayons"},
            "mark": {"type": "line", "color": "#d9d9d9", "strokeWidth": 1},
            "encoding": {"x": xq, "y": yq, "detail": {"field": "axe"}, "order": {"field": "rang"}},
        },
        {
            "data": {"name": "graduations"},
            "mark": {"type": "text", "align": "left", "baseline": "bottom", "color": "#777", "fontSize": 11},
            "encoding": {"x": xq, "y": yq, "text": {"field": "texte"}},
        },
        *names_at,
        {"data": {"name": "profils"}, "mark": {"type": "line", "strokeWidth": 2}, "encoding": line_enc},
        {
            "data": {"name": "profils"},
            "mark": {"type": "point", "filled": True, "size": 64},
            "encoding": point_enc,
        },
    ]
    return spec(
        layers,
        {"profils": points, "anneaux": grid, "rayons": spokes, "axes": labels, "graduations": rings},
        title={
            "text": wrap_title(
                "Profils de fragilité : centile national, vers l'extérieur = plus fragile", 34
            ),
            "fontSize": 15,
            "anchor": "start",
        },
        height=440,
        padding={"left": 12, "right": 12, "top": 5, "bottom": 5},
        resolve={"scale": {"color": "shared"}},
    )


# Single-hue sequential scale (light to dark violet): its lightness alone carries the order, so it
# reads in grey and for every kind of colour blindness.
_SHADES = ["#f4f0f8", "#e3d8ee", "#cbb6df", "#ae8fcb", "#8f67b4", "#70449a", "#52287a", "#3a1559"]


def _shade(percentile: float) -> str:
    if pd.isna(percentile):
        return "color: #555555; font-style: italic"
    n = min(len(_SHADES) - 1, int(percentile / 100 * len(_SHADES)))
    text = "#ffffff" if n >= 4 else "#1a1a1a"
    return f"background-color: {_SHADES[n]}; color: {text}"


def style_grid(grid: pd.DataFrame, percentiles: pd.DataFrame) -> Styler:
    """Shade each territory cell by its national percentile (darker = higher value)."""

    def css(frame: pd.DataFrame) -> pd.DataFrame:
        out = pd.DataFrame("", index=frame.index, columns=frame.columns)
        for col in percentiles.columns:
            out[col] = percentiles[col].map(_shade)
        return out

    return grid.style.apply(css, axis=None)
