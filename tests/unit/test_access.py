"""Nearest-place distances and zones blanches on hand-made cases with known answers."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from indicateurs.analysis.access import commune_points, nearest_distances, zone_of, zones_blanches

_TO_WGS84 = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)


def _lambert93(x: float, y: float) -> tuple[float, float]:
    lon, lat = _TO_WGS84.transform(x, y)
    return lon, lat


@pytest.fixture
def case():
    """Commune A at (700 km, 6 600 km) in Lambert-93; a France Services exactly 10 km east, a
    lieu de médiation 3 km north and 4 km east (5 km away); commune B 30 km south; a Martinique
    commune whose only place is in Guadeloupe (another zone: no distance)."""
    a = _lambert93(700_000, 6_600_000)
    b = _lambert93(700_000, 6_570_000)
    fs = _lambert93(710_000, 6_600_000)
    lieu = _lambert93(704_000, 6_603_000)
    points = gpd.GeoDataFrame(
        {"code": ["01001", "01002", "97209"]},
        geometry=gpd.points_from_xy([a[0], b[0], -61.07], [a[1], b[1], 14.6]),
        crs="EPSG:4326",
    )
    places = pd.DataFrame(
        {
            "type": ["france_services", "lieu_mediation", "france_services", "france_services"],
            "code_commune": ["01003", "01001", "97105", "01001"],
            "longitude": [fs[0], lieu[0], -61.73, a[0]],
            "latitude": [fs[1], lieu[1], 16.0, a[1]],
            "itinerant": [False, False, False, True],  # the bus at A is ignored
        }
    )
    return points, places


def test_distances_known_answer(case):
    points, places = case
    d = nearest_distances(points, places, ["france_services", "lieu_mediation"])
    assert d.loc["01001", "dist_france_services"] == pytest.approx(10.0, abs=1e-3)
    assert d.loc["01001", "dist_lieu_mediation"] == pytest.approx(5.0, abs=1e-3)
    assert d.loc["01001", "dist_tout_type"] == pytest.approx(5.0, abs=1e-3)
    assert d.loc["01002", "dist_france_services"] == pytest.approx(np.hypot(10, 30), abs=1e-3)
    assert d.loc["01002", "dist_lieu_mediation"] == pytest.approx(np.hypot(4, 33), abs=1e-3)
    # Martinique is only compared with Martinique: the Guadeloupe place does not count.
    assert d.loc["97209"].isna().all()


def test_zone_of():
    zones = zone_of(pd.Series(["01001", "2A004", "97105", "97209", "97302", "97411", "97608"]))
    assert zones.tolist() == ["metro", "metro", "971", "972", "973", "974", "976"]


def test_commune_points_inside_polygon():
    from shapely.geometry import Polygon

    # A U-shaped commune: its centroid falls outside, the representative point does not.
    u = Polygon([(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3)])
    pts = commune_points(gpd.GeoDataFrame({"code": ["01001"]}, geometry=[u], crs="EPSG:4326"))
    assert pts.geometry.iloc[0].within(u)
    assert not u.centroid.within(u)


def test_zones_blanches(case):
    points, places = case
    d = nearest_distances(points, places, ["france_services", "lieu_mediation"])
    population = pd.DataFrame(
        {
            "code": ["01001", "01002", "97209", "01999"],
            "population": [1000, 200, 50, 7],
            "departement": ["01", "01", "972", "01"],
        }
    )
    per_commune = zones_blanches(d, population)
    assert per_commune.loc["01001", "population_plus_10km"] == 0
    assert per_commune.loc["01002", "population_plus_20km"] == 200  # 31.6 km away
    assert per_commune.loc["97209", "population_plus_20km"] == 50  # no place in its zone
    assert per_commune.attrs["communes_sans_distance"] == 1  # 01999 left out and counted
    per_dep = zones_blanches(d, population, level="departement")
    assert per_dep.loc["01", "population"] == 1200
    assert per_dep.loc["01", "population_plus_10km"] == 200
    assert per_dep.loc["01", "part_plus_10km"] == pytest.approx(200 / 1200)
    assert per_dep.loc["01", "communes_plus_20km"] == 1
