"""A choropleth as one inline SVG: the map a page can show before any JavaScript has arrived.

Same projection as Leaflet (Web Mercator), the same frame (`bounds` fitted and centred, as
`fitBounds`), shapes simplified to the pixel and written in whole pixels: France by EPCI is about
100 kB of SVG, 40 kB once compressed, where the interactive map needs Leaflet, TopoJSON and a frame.
No scripts, no external links: it draws offline, in any browser, as soon as the HTML arrives.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely

__all__ = ["Label", "Lines", "svg_choropleth"]

_RING = re.compile(r"\(([^()]+)\)")
_TOLERANCE = 0.6  # px: finer is invisible, coarser shows


@dataclass(frozen=True)
class Lines:
    """Unfilled outlines drawn over the shapes (context, neighbours, the chosen territory)."""

    geometries: Sequence  # shapely geometries, lon/lat
    color: str
    width: float
    dash: str | None = None


@dataclass(frozen=True)
class Label:
    """A short text at a lon/lat point (its top-left corner), e.g. the name of an inset."""

    lon: float
    lat: float
    text: str


def _mercator_y(lat: np.ndarray) -> np.ndarray:
    lat = np.radians(np.clip(lat, -85.0, 85.0))
    return np.degrees(np.log(np.tan(np.pi / 4 + lat / 2)))


class _Frame:
    """lon/lat -> pixels of a `width` x `height` box where `bounds` is fitted and centred (y down)."""

    def __init__(self, bounds: Sequence[Sequence[float]], width: int, height: int):
        (south, west), (north, east) = bounds
        y0, y1 = _mercator_y(np.array([south, north], dtype=float))
        self.scale = min(width / max(east - west, 1e-9), height / max(y1 - y0, 1e-9))
        self.cx, self.cy = (west + east) / 2, (y0 + y1) / 2
        self.width, self.height = width, height

    def __call__(self, coords: np.ndarray) -> np.ndarray:
        x = (coords[:, 0] - self.cx) * self.scale + self.width / 2
        y = self.height / 2 - (_mercator_y(coords[:, 1]) - self.cy) * self.scale
        return np.column_stack([x, y])


def _paths(geometries: Sequence, frame: _Frame) -> list[str]:
    """SVG path data of each geometry (polygons or lines), in whole pixels; '' when nothing is left."""
    geoms = np.asarray(list(geometries), dtype=object)
    if not len(geoms):
        return []
    missing = np.array([g is None for g in geoms])
    geoms = np.where(missing, shapely.Point(), geoms)
    projected = shapely.transform(geoms, frame)
    simple = shapely.simplify(projected, _TOLERANCE, preserve_topology=True)
    texts = shapely.to_wkt(simple, rounding_precision=0, trim=True)
    out = []
    for text in texts:
        closed = "POLYGON" in text
        rings = _RING.findall(text) if "EMPTY" not in text else []
        out.append("".join(_ring(ring, closed) for ring in rings))
    return out


def _ring(text: str, closed: bool) -> str:
    """'x y, x y, …' in whole pixels -> 'Mx y' then relative moves (a third of the bytes), repeated
    points dropped."""
    xy = np.rint(np.array(text.replace(",", " ").split(), dtype=float)).astype(np.int64).reshape(-1, 2)
    steps = np.diff(xy, axis=0)
    steps = steps[(steps != 0).any(axis=1)]
    if closed and len(steps) < 2:
        return ""  # smaller than a pixel
    moves = " ".join(f"{dx} {dy}" for dx, dy in steps.tolist()).replace(" -", "-")
    return f"M{xy[0, 0]} {xy[0, 1]}" + (f"l{moves}" if moves else "") + ("z" if closed else "")


def svg_choropleth(
    shapes: Sequence,
    fills: Sequence[str],
    bounds: Sequence[Sequence[float]],
    *,
    width: int = 800,
    height: int = 600,
    lines: Sequence[Lines] = (),
    labels: Sequence[Label] = (),
    title: str = "",
) -> str:
    """One `<svg>` of `shapes` (lon/lat) filled with `fills`, framed on `bounds` ([[S, W], [N, E]]).

    Styled as the interactive map's values layer (white edges, fill opacity 0.92); `lines` are drawn
    over the shapes in order; `title` is the accessible name. It scales to its container's width.
    """
    if len(shapes) != len(fills):
        raise ValueError(f"{len(shapes)} formes pour {len(fills)} couleurs")
    frame = _Frame(bounds, width, height)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'preserveAspectRatio="xMidYMid meet" role="img" aria-label="{html.escape(title)}">',
        f"<title>{html.escape(title)}</title>" if title else "",
        '<g fill-opacity="0.92" stroke="#ffffff" stroke-width="0.5" stroke-opacity="0.9" '
        'stroke-linejoin="round" fill-rule="evenodd">',
    ]
    for d, fill in zip(_paths(shapes, frame), fills, strict=True):
        if d:
            parts.append(f'<path fill="{html.escape(fill)}" d="{d}"/>')
    parts.append("</g>")
    for group in lines:
        data = "".join(_paths(group.geometries, frame))
        if data:
            dash = f' stroke-dasharray="{html.escape(group.dash)}"' if group.dash else ""
            parts.append(
                f'<path fill="none" stroke="{html.escape(group.color)}" stroke-width="{group.width:g}"'
                f' stroke-linejoin="round"{dash} d="{data}"/>'
            )
    for label in labels:
        x, y = frame(np.array([[label.lon, label.lat]], dtype=float))[0]
        parts.append(
            f'<text x="{x + 2:.0f}" y="{y + 14:.0f}" font-size="12" font-family="sans-serif" '
            f'paint-order="stroke" stroke="#ffffff" stroke-width="3">{html.escape(label.text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
