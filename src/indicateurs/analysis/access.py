"""Access to the offer: distance from each commune to the nearest place, and "zones blanches".

Distances are straight-line (as the crow flies), in km, from the commune's representative point
(a point guaranteed inside the polygon; a population-weighted point would be better but no
population grid is in the sources) to the nearest place, computed in a metric projection:
Lambert-93 (EPSG:2154) for metropolitan France, the local UTM projection for each DROM, and each
DROM only against its own places (nobody in Guyane goes to a place in Martinique).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy.spatial import cKDTree

__all__ = ["ANY", "commune_points", "distance_column", "nearest_distances", "zone_of", "zones_blanches"]

ANY = "tout_type"
_PROJECTIONS = {
    "metro": "EPSG:2154",  # RGF93 / Lambert-93
    "971": "EPSG:5490",  # RGAF09 / UTM 20N (Guadeloupe)
    "972": "EPSG:5490",  # RGAF09 / UTM 20N (Martinique)
    "973": "EPSG:2972",  # RGFG95 / UTM 22N (Guyane)
    "974": "EPSG:2975",  # RGR92 / UTM 40S (La Réunion)
    "976": "EPSG:4471",  # RGM04 / UTM 38S (Mayotte)
}


def distance_column(place_type: str) -> str:
    """Name of the distance column for a place type (``ANY`` for the nearest place of any type)."""
    return f"dist_{place_type}"


def zone_of(codes: pd.Series) -> pd.Series:
    """Computation zone of commune codes: 'metro', or the DROM département code (971…976)."""
    prefix = codes.astype(str).str[:3]
    return prefix.where(prefix.isin(list(_PROJECTIONS)), "metro")


def commune_points(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One point per commune (``code``, point geometry EPSG:4326): the representative point."""
    communes = communes.to_crs("EPSG:4326") if communes.crs and communes.crs.to_epsg() != 4326 else communes
    return gpd.GeoDataFrame(
        {"code": communes["code"].astype(str).to_numpy()},
        geometry=communes.geometry.representative_point().to_numpy(),
        crs="EPSG:4326",
    )


def _project(zone: str, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    transformer = Transformer.from_crs("EPSG:4326", _PROJECTIONS[zone], always_xy=True)
    x, y = transformer.transform(lon, lat)
    return np.column_stack([x, y])


def nearest_distances(
    communes_points: gpd.GeoDataFrame,
    places: pd.DataFrame,
    types: Iterable[str],
) -> pd.DataFrame:
    """Distance (km) from each commune point to the nearest place of each type and of any of them.

    Args:
        communes_points: ``code`` + point geometry (EPSG:4326), e.g. from ``commune_points``.
        places: the places frame (``type``, ``code_commune``, ``latitude``, ``longitude``,
            ``itinerant``); buses and rows without coordinates are ignored.
        types: place types to measure; ``dist_tout_type`` is the nearest among them.

    Returns:
        One row per commune (index ``code``), columns ``dist_<type>`` and ``dist_tout_type`` in km;
        NaN when the commune's zone (metropolitan France or its DROM) has no place of that type.

    >>> import geopandas as gpd, pandas as pd
    >>> pts = gpd.GeoDataFrame({"code": ["01001"]}, geometry=gpd.points_from_xy([5.0], [46.0]), crs=4326)
    >>> pl = pd.DataFrame({"type": ["france_services"], "code_commune": ["01002"],
    ...                    "latitude": [46.0], "longitude": [5.0], "itinerant": [False]})
    >>> float(nearest_distances(pts, pl, ["france_services"]).iloc[0, 0])
    0.0
    """
    types = list(types)
    pts = communes_points.to_crs("EPSG:4326") if communes_points.crs.to_epsg() != 4326 else communes_points
    codes = pts["code"].astype(str).reset_index(drop=True)
    lon, lat = pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()
    commune_zone = zone_of(codes).to_numpy()

    usable = places["latitude"].notna() & places["longitude"].notna() & places["type"].isin(types)
    if "itinerant" in places:
        usable &= ~places["itinerant"].fillna(False).astype(bool)
    pl = places.loc[usable, ["type", "code_commune", "latitude", "longitude"]]
    place_zone = zone_of(pl["code_commune"].astype(str)).to_numpy()

    out = np.full((len(codes), len(types)), np.nan)
    for zone in np.unique(commune_zone):
        rows = np.flatnonzero(commune_zone == zone)
        xy = _project(zone, lon[rows], lat[rows])
        in_zone = pl[place_zone == zone]
        if in_zone.empty:
            continue
        pxy = _project(zone, in_zone["longitude"].to_numpy(float), in_zone["latitude"].to_numpy(float))
        ptype = in_zone["type"].to_numpy()
        for j, place_type in enumerate(types):
            mask = ptype == place_type
            if mask.any():
                dist, _ = cKDTree(pxy[mask]).query(xy, k=1)
                out[rows, j] = dist / 1000.0
    frame = pd.DataFrame(out, columns=[distance_column(t) for t in types], index=pd.Index(codes, name="code"))
    frame[distance_column(ANY)] = frame.min(axis=1, skipna=True)
    return frame


def zones_blanches(
    distances: pd.DataFrame,
    population: pd.DataFrame,
    thresholds: Sequence[float] = (10, 20),
    level: str = "commune",
) -> pd.DataFrame:
    """Population living farther than each threshold (km) from any place, per commune or grouped.

    Args:
        distances: output of ``nearest_distances`` (index ``code``, column ``dist_tout_type``).
        population: ``code``, ``population`` and, to group, a column named like ``level``
            (``epci``, ``departement``...).
        thresholds: distances in km.
        level: ``commune`` or a column of ``population`` to group by.

    Returns:
        Index = territory code; columns ``population``, and for each threshold ``t``:
        ``population_plus_<t>km``, ``part_plus_<t>km`` (fraction 0..1) and
        ``communes_plus_<t>km``. A commune whose zone has no place at all counts as beyond every
        threshold. ``attrs["communes_sans_distance"]`` counts communes of ``population`` absent
        from ``distances`` (left out, not silently counted).
    """
    pop = population.copy()
    pop["code"] = pop["code"].astype(str)
    known = pop["code"].isin(distances.index)
    pop = pop[known]
    dist = distances[distance_column(ANY)].reindex(pop["code"]).to_numpy(dtype=float)
    pop = pop.assign(_dist=np.where(np.isnan(dist), np.inf, dist))
    key = "code" if level == "commune" else level
    cols = {}
    for t in thresholds:
        beyond = pop["_dist"] > t
        cols[f"population_plus_{t:g}km"] = pop["population"].where(beyond, 0)
        cols[f"communes_plus_{t:g}km"] = beyond.astype(int)
    grouped = pop[[key, "population"]].assign(**cols).groupby(key).sum(min_count=1)
    for t in thresholds:
        grouped[f"part_plus_{t:g}km"] = grouped[f"population_plus_{t:g}km"] / grouped["population"]
    grouped.index = grouped.index.astype(str).rename("code")
    grouped.attrs["communes_sans_distance"] = int((~known).sum())
    return grouped
