"""The overseas départements as insets beside metropolitan France, as the public atlases draw them.

Guadeloupe, Martinique, Guyane, La Réunion and Mayotte lie thousands of km away: a map of
"France (métropole et DROM)" fitted to all of them would show dots. Each is moved and scaled into a
box in the Atlantic, west of Brittany and the Bay of Biscay, with its shape kept (the scale differs
between insets, as in every atlas). The transform depends only on fixed boxes, not on the data,
so the EPCI, départements and régions of one island fall on each other. Geometries only: the values
and codes do not change. Callers cache the result per level.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import folium
import geopandas as gpd
import shapely
from shapely import affinity
from shapely.geometry import box

__all__ = ["DROM", "FRANCE_BOUNDS", "Inset", "inset_frames", "label_insets", "move", "with_insets"]


@dataclass(frozen=True)
class Inset:
    """One overseas département: where it is (lon/lat box) and the box it is drawn in."""

    code: str
    nom: str
    source: tuple[float, float, float, float]  # xmin, ymin, xmax, ymax in degrees
    target: tuple[float, float, float, float]

    def transform(self, geometry):
        """The geometry moved into the target box, centred, shape kept on a Web Mercator map."""
        sx0, sy0, sx1, sy1 = self.source
        tx0, ty0, tx1, ty1 = self.target
        cos_src = math.cos(math.radians((sy0 + sy1) / 2))
        cos_dst = math.cos(math.radians((ty0 + ty1) / 2))
        # Screen size ~ (dx, dy / cos(lat)): scale x by s, y by s * cos_dst / cos_src.
        y_factor = cos_dst / cos_src
        s = min((tx1 - tx0) / (sx1 - sx0), (ty1 - ty0) / ((sy1 - sy0) * y_factor))
        sx, sy = s, s * y_factor
        scx, scy = (sx0 + sx1) / 2, (sy0 + sy1) / 2
        tcx, tcy = (tx0 + tx1) / 2, (ty0 + ty1) / 2
        return affinity.affine_transform(geometry, [sx, 0, 0, sy, tcx - sx * scx, tcy - sy * scy])


def _slot(i: int) -> tuple[float, float, float, float]:
    """Five boxes stacked from the latitude of Dunkerque to that of Corsica's south, west of France."""
    top, height, gap = 51.1, 1.82, 0.18
    y1 = top - i * (height + gap)
    return (-10.6, y1 - height, -6.4, y1)


DROM: tuple[Inset, ...] = (
    Inset("971", "Guadeloupe", (-61.9, 15.8, -60.95, 16.55), _slot(0)),
    Inset("972", "Martinique", (-61.3, 14.37, -60.78, 14.9), _slot(1)),
    Inset("973", "Guyane", (-54.65, 2.08, -51.5, 5.8), _slot(2)),
    Inset("974", "La Réunion", (55.2, -21.4, 55.85, -20.85), _slot(3)),
    Inset("976", "Mayotte", (44.98, -13.05, 45.32, -12.62), _slot(4)),
)
FRANCE_BOUNDS = [[41.3, -10.8], [51.2, 9.6]]
"""[[south, west], [north, east]] of metropolitan France with the insets: the France map's frame."""


def _which(geometry) -> Inset | None:
    if geometry is None or geometry.is_empty:
        return None
    x, y = shapely.get_coordinates(geometry.representative_point())[0]
    for inset in DROM:
        x0, y0, x1, y1 = inset.source
        if x0 - 1 <= x <= x1 + 1 and y0 - 1 <= y <= y1 + 1:
            return inset
    return None


def move(geometry):
    """One geometry moved into its inset if it is overseas, unchanged otherwise."""
    inset = _which(geometry)
    return inset.transform(geometry) if inset is not None else geometry


def with_insets(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy of `gdf` (EPCI, départements, régions…, lon/lat) with the overseas shapes in their insets.

    >>> from shapely.geometry import Point
    >>> g = gpd.GeoDataFrame({"code": ["974", "33"]}, geometry=[Point(55.5, -21.1), Point(-0.6, 44.8)])
    >>> [tuple(round(v, 2) for v in p.coords[0]) for p in with_insets(g).geometry]
    [(-8.61, 44.27), (-0.6, 44.8)]
    """
    out = gdf.copy()
    geoms = [move(geometry) for geometry in out.geometry.to_numpy()]
    return out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=gdf.crs))


def inset_frames() -> gpd.GeoDataFrame:
    """The inset boxes (code, nom, geometry), drawn as thin frames around each overseas département."""
    return gpd.GeoDataFrame(
        {"code": [d.code for d in DROM], "nom": [d.nom for d in DROM]},
        geometry=[box(*d.target) for d in DROM],
        crs="EPSG:4326",
    )


def label_insets(m: folium.Map) -> folium.Map:
    """Write each overseas département's name in the top-left corner of its inset (Leaflet divIcons)."""
    for inset in DROM:
        x0, _y0, _x1, y1 = inset.target
        folium.Marker(
            [y1, x0],
            icon=folium.DivIcon(
                html=(
                    "<div style='font: 12px sans-serif; background: rgba(255,255,255,.9); padding: 0 3px;"
                    f" white-space: nowrap; display: inline-block'>{html.escape(inset.nom)}</div>"
                ),
                icon_size=(0, 0),
                icon_anchor=(-2, -2),
                class_name="atlas-inset-label",
            ),
            interactive=False,
        ).add_to(m)
    return m
