"""Map classes: bounds, French labels and a colour-blind-safe palette where darker = more fragile."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import mapclassify
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import to_hex

from indicateurs.reference.registry import Indicator, format_value, get_indicator
from indicateurs.reference.text import format_number

__all__ = ["METHODS", "MISSING_COLOR", "MISSING_LABEL", "Classes", "classify"]

Method = Literal["quantiles", "jenks", "ifn"]
METHODS: dict[str, str] = {
    "quantiles": "Quantiles (effectifs égaux)",
    "jenks": "Seuils naturels (Jenks)",
    "ifn": "Classes fixes de l'IFN (1 à 10)",
}
MISSING_LABEL = "Donnée non disponible"
MISSING_COLOR = "#bdbdbd"
# ColorBrewer sequential palettes (colour-blind safe): YlOrRd for fragility, Blues for context.
_FRAGILITY_CMAP = "YlOrRd"
_CONTEXT_CMAP = "Blues"
# Exact Fisher-Jenks is quadratic in pure Python (no numba): above this size it runs on
# evenly spaced quantiles of the values, which is deterministic and visually identical.
_JENKS_SAMPLE = 200


@dataclass(frozen=True)
class Classes:
    """Class upper bounds (ascending), their French labels and colours; missing values apart."""

    bins: tuple[float, ...]
    labels: tuple[str, ...]
    colors: tuple[str, ...]
    method: str = "quantiles"
    missing_label: str = MISSING_LABEL
    missing_color: str = MISSING_COLOR

    def assign(self, values: pd.Series) -> pd.Series:
        """Class index of each value (0 = lowest values), -1 for a missing value."""
        numeric = pd.to_numeric(values, errors="coerce")
        if not self.bins:
            return pd.Series(-1, index=values.index, dtype="int64")
        index = np.searchsorted(np.asarray(self.bins), numeric.to_numpy(dtype=float), side="left")
        index = np.minimum(index, len(self.bins) - 1)
        return pd.Series(np.where(numeric.isna(), -1, index), index=values.index, dtype="int64")

    def color_of(self, values: pd.Series) -> pd.Series:
        """Fill colour of each value (grey when missing)."""
        palette = np.asarray([*self.colors, self.missing_color])
        return pd.Series(palette[self.assign(values).to_numpy()], index=values.index)


def classify(
    values: pd.Series, method: Method = "quantiles", k: int = 5, *, indicator: Indicator | str | None = None
) -> Classes:
    """Classes of `values` for a choropleth: quantiles, Jenks natural breaks, or the IFN 1..10 scale.

    `indicator` (registry entry or id) gives units for the labels and the palette orientation:
    direction -1 (higher is better) reverses it so darker always means more fragile.
    """
    if method not in METHODS:
        raise ValueError(f"Méthode de classement inconnue : {method!r} (choix : {', '.join(METHODS)}).")
    ind = get_indicator(indicator) if isinstance(indicator, str) else indicator
    numeric = pd.to_numeric(values, errors="coerce").astype(float)
    data = numeric[np.isfinite(numeric)].to_numpy()
    if method == "ifn":
        bins = [*(i + 0.5 for i in range(1, 10)), 10.0]
        labels = tuple(
            f"{i}\u00a0/\u00a010 (de {_plain(max(1, i - 0.5))} à {_plain(min(10, i + 0.5))})"
            for i in range(1, 11)
        )
        return Classes(bins=tuple(bins), labels=labels, colors=_palette(10, ind), method=method)
    if data.size == 0:
        return Classes(bins=(), labels=(), colors=(), method=method)
    lower, bins = float(data.min()), _data_bins(data, method, k)
    labels = tuple(_label(lo, hi, ind) for lo, hi in zip((lower, *bins[:-1]), bins, strict=True))
    return Classes(bins=tuple(bins), labels=labels, colors=_palette(len(bins), ind), method=method)


def _data_bins(data: np.ndarray, method: str, k: int) -> list[float]:
    n_unique = np.unique(data).size
    k = max(1, min(k, n_unique))
    if k == 1:
        return [float(data.max())]
    if method == "quantiles":
        bins = mapclassify.Quantiles(data, k=k).bins
    else:
        sample = data if data.size <= _JENKS_SAMPLE else np.quantile(data, np.linspace(0, 1, _JENKS_SAMPLE))
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Numba not installed")
            bins = mapclassify.FisherJenks(sample, k=min(k, np.unique(sample).size)).bins
    bins = sorted({float(b) for b in bins})
    bins[-1] = max(bins[-1], float(data.max()))
    return bins


def _label(lower: float, upper: float, ind: Indicator | None) -> str:
    if ind is None:
        return f"de {_plain(lower)} à {_plain(upper)}"
    return f"de {format_value(lower, ind)} à {format_value(upper, ind)}"


def _plain(number: float) -> str:
    return format_number(number, 2, trim=True)


def _palette(k: int, ind: Indicator | None) -> tuple[str, ...]:
    direction = ind.direction if ind is not None else 1
    cmap = colormaps[_CONTEXT_CMAP if direction == 0 else _FRAGILITY_CMAP]
    # Avoid the near-white end so the lightest class stays visible on a projector.
    stops = np.linspace(0.12, 1.0, k) if k > 1 else np.array([0.6])
    colors = [to_hex(cmap(float(t))) for t in stops]
    return tuple(reversed(colors)) if direction < 0 else tuple(colors)
