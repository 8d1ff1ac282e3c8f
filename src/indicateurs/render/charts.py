"""Plotly figures for the pages (no st.* here): the comparison ladder of one indicator."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from indicateurs.reference.levels import TITLES
from indicateurs.reference.registry import Indicator, get_indicator
from indicateurs.reference.text import with_unit

__all__ = ["axis_title", "ladder_figure", "scale"]

# role -> (legend name, marker symbol, colour, size); shapes differ so the chart reads in grey too
_STYLE = {
    "territoire": ("Territoire", "circle", "#5B2C83", 16),
    "voisin": ("Voisins", "circle-open", "#7f7f7f", 10),
    "pair": ("Territoires comparables", "square-open", "#7f7f7f", 10),
    "epci": (TITLES["epci"], "triangle-down", "#404040", 11),
    "departement": (TITLES["departement"], "square", "#404040", 11),
    "region": (TITLES["region"], "triangle-up", "#404040", 12),
    "france": (TITLES["france"], "diamond", "#000000", 12),
}


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


def ladder_figure(
    ladder: pd.DataFrame, indicator_id: str, *, height: int | None = None, ind: Indicator | None = None
) -> go.Figure:
    """Dot plot of one indicator: the territory (large, coloured) beside its comparison territories.

    `ladder` is `Profile.ladder` (indicator, role, role_label, code, nom, value, display).
    Territories without a value are listed with "donnée non disponible" instead of a dot.
    `ind`: the base's registry entry (`Base.registry`), for the axis title.
    """
    rows = _rows(ladder, indicator_id)
    order = rows["label"].tolist()  # territory first, then neighbours, peers, parents, France
    fig = go.Figure()
    for role, (name, symbol, colour, size) in _STYLE.items():
        part = rows.loc[(rows["role"] == role) & rows["x"].notna()]
        if part.empty:
            continue
        fig.add_trace(
            go.Scatter(
                x=part["x"],
                y=part["label"],
                mode="markers",
                name="Territoire" if role == "territoire" else name,
                marker={
                    "symbol": symbol,
                    "color": colour,
                    "size": size,
                    "line": {"width": 2, "color": colour},
                },
                customdata=part[["display", "role_label"]].to_numpy(),
                hovertemplate="<b>%{y}</b><br>%{customdata[1]}<br>%{customdata[0]}<extra></extra>",
            )
        )
    missing = rows.loc[rows["x"].isna()]
    for r in missing.itertuples():
        fig.add_annotation(
            x=0,
            xref="paper",
            xanchor="left",
            y=r.label,
            text=r.display,
            showarrow=False,
            font={"color": "#555"},
        )
    territory = rows.loc[rows["role"] == "territoire", "x"]
    if not territory.empty and territory.notna().all():
        fig.add_vline(x=float(territory.iloc[0]), line={"color": "#5B2C83", "width": 1, "dash": "dot"})
    fig.update_yaxes(categoryorder="array", categoryarray=order[::-1], title=None)
    fig.update_xaxes(title=axis_title(ind or indicator_id), zeroline=False, gridcolor="#e5e5e5")
    fig.update_layout(
        height=height or 110 + 28 * len(order),
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        plot_bgcolor="white",
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        separators=", ",
        font={"size": 14},
    )
    return fig
