"""Plotly figures of the Comparer page: one bar chart per indicator and a radar of percentile profiles.

They take the long table of `compare.comparison_table` and never call Streamlit. Colours come
from a colour-blind-safe palette, and each territory also gets its own marker symbol and dash, so
the charts stay readable in grey.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from pandas.io.formats.style import Styler

from indicateurs.reference.registry import Indicator, get_indicator
from indicateurs.reference.text import with_unit

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
_SYMBOLS = [
    "circle",
    "square",
    "diamond",
    "triangle-up",
    "x",
    "cross",
    "star",
    "triangle-down",
    "pentagon",
    "hexagon",
    "circle-open",
    "square-open",
]
_DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
_BAR = "#5B2C83"
_MISSING = "donnée non disponible"


def _axis_title(ind: Indicator, short: str) -> str:
    unit = "%" if ind.is_rate else ("score de 1 à 10" if ind.unit == "score" else ind.unit)
    return with_unit(short, unit)


def indicator_chart(table: pd.DataFrame, indicator_id: str) -> go.Figure:
    """Horizontal bars of one indicator for the compared territories, the group median as a dashed line.

    Rates are drawn in % (×100). A territory without value keeps its row, with the words
    'donnée non disponible' instead of a bar (never a bar at 0).
    """
    ind = get_indicator(indicator_id)
    rows = table[table["indicator"] == indicator_id].copy()
    # the words of the table (the base's registry: `comparison_table(reg=…)`), the registry's without
    label = str(rows["label"].iloc[0]) if "label" in rows and len(rows) else ind.label
    label_short = str(rows["short"].iloc[0]) if "short" in rows and len(rows) else ind.short
    scale = 100.0 if ind.is_rate else 1.0
    rows["x"] = rows["value"] * scale
    rows = rows.sort_values("x", na_position="first")
    names = rows["nom"].tolist()
    present = rows["x"].notna()
    fig = go.Figure(
        go.Bar(
            x=rows.loc[present, "x"],
            y=rows.loc[present, "nom"],
            orientation="h",
            marker_color=_BAR,
            text=rows.loc[present, "text"],
            textposition="auto",
            hovertemplate="%{y} : %{text}<extra></extra>",
            name=ind.short,
        )
    )
    for name in rows.loc[~present, "nom"]:
        fig.add_annotation(
            x=0, y=name, text=_MISSING, showarrow=False, xanchor="left", font={"color": "#555"}
        )
    median = rows["median"].dropna()
    if not median.empty:
        fig.add_vline(
            x=float(median.iloc[0]) * scale,
            line_dash="dash",
            line_color="#333",
            annotation_text="médiane du groupe",
            annotation_position="top",
        )
    fig.update_layout(
        title={"text": label, "font": {"size": 15}},
        xaxis_title=_axis_title(ind, label_short),
        yaxis={"categoryorder": "array", "categoryarray": names, "title": None},
        height=140 + 28 * len(names),
        margin={"l": 10, "r": 10, "t": 60, "b": 40},
        showlegend=False,
        separators=", ",
    )
    return fig


def profile_chart(table: pd.DataFrame, indicators: list[str] | None = None) -> go.Figure:
    """Radar of fragility percentiles (0..100), one closed line per territory: outwards = more fragile.

    The national percentile of each value is turned round for indicators where a high value means
    less fragility (e.g. THD coverage), so every axis reads the same way. A missing value leaves a
    gap in the line rather than dropping to 0.
    """
    rows = table if indicators is None else table[table["indicator"].isin(indicators)]
    order = list(dict.fromkeys(rows["indicator"]))
    shorts = dict(zip(rows["indicator"], rows["short"], strict=True)) if "short" in rows else {}
    theta = [shorts.get(i) or get_indicator(i).short for i in order]
    flip = pd.Series({i: get_indicator(i).direction < 0 for i in order})
    fig = go.Figure()
    for n, (key, group) in enumerate(rows.groupby("key", sort=False)):
        pct = group.set_index("indicator")["percentile"].reindex(order)
        pct = pct.where(~flip, 100 - pct)
        r = [*pct.tolist(), pct.iloc[0]]
        fig.add_trace(
            go.Scatterpolar(
                r=r,
                theta=[*theta, theta[0]],
                name=str(group["nom"].iloc[0]),
                mode="lines+markers",
                connectgaps=False,
                line={"color": _PALETTE[n % len(_PALETTE)], "dash": _DASHES[n % len(_DASHES)], "width": 2},
                marker={"symbol": _SYMBOLS[n % len(_SYMBOLS)], "size": 8},
                hovertemplate="%{theta} : %{r:.0f} / 100<extra>%{fullData.name}</extra>",
                meta=key,
            )
        )
    fig.update_layout(
        polar={"radialaxis": {"range": [0, 100], "tickvals": [0, 25, 50, 75, 100]}},
        title={
            "text": "Profils de fragilité : centile national, vers l'extérieur = plus fragile",
            "font": {"size": 15},
        },
        legend={"orientation": "h", "y": -0.15},
        height=560,
        margin={"l": 40, "r": 40, "t": 70, "b": 40},
    )
    return fig


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
