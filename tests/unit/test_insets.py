"""The overseas départements drawn as insets beside metropolitan France (issue #17, item 4)."""

import math

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from indicateurs.render import maps
from indicateurs.render.insets import DROM, FRANCE_BOUNDS, inset_frames, with_insets


def _square(lon: float, lat: float, half: float = 0.05):
    return box(lon - half, lat - half, lon + half, lat + half)


@pytest.fixture
def france() -> gpd.GeoDataFrame:
    """One small square per overseas département and two in metropolitan France."""
    places = {
        "971": (-61.5, 16.2),
        "972": (-61.0, 14.6),
        "973": (-53.0, 4.0),
        "974": (55.5, -21.1),
        "976": (45.15, -12.8),
        "33": (-0.6, 44.8),
        "2A": (8.9, 41.9),
    }
    return gpd.GeoDataFrame(
        {"code": list(places), "nom": list(places)},
        geometry=[_square(*xy) for xy in places.values()],
        crs="EPSG:4326",
    )


def test_every_overseas_departement_lands_in_its_own_box_and_the_metropole_stays(france):
    moved = with_insets(france).set_index("code").geometry
    for inset in DROM:
        assert box(*inset.target).contains(moved[inset.code]), inset.nom
    assert moved["33"].equals(france.set_index("code").geometry["33"])
    assert moved["2A"].equals(france.set_index("code").geometry["2A"])
    (south, west), (north, east) = FRANCE_BOUNDS
    xmin, ymin, xmax, ymax = moved.total_bounds
    assert west <= xmin and xmax <= east and south <= ymin and ymax <= north


def test_insets_keep_the_shape_on_a_mercator_map(france):
    """A square stays a square on screen: screen height ~ dlat / cos(lat)."""
    inset = next(d for d in DROM if d.code == "974")
    moved = inset.transform(_square(55.5, -21.1, 0.1))
    x0, y0, x1, y1 = moved.bounds
    lat = (y0 + y1) / 2
    src_ratio = 1 / math.cos(math.radians(-21.1))
    assert (y1 - y0) / math.cos(math.radians(lat)) / (x1 - x0) == pytest.approx(src_ratio, rel=0.02)


def test_insets_do_not_overlap_each_other_or_metropolitan_france():
    frames = inset_frames()
    assert list(frames["nom"]) == ["Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"]
    for i, a in enumerate(frames.geometry):
        for b in frames.geometry[i + 1 :]:
            assert not a.intersects(b)
        assert a.bounds[2] < -5.2  # west of Pointe de Corsen (Finistère)


def test_the_input_frame_is_not_changed(france):
    before = france.geometry.copy()
    with_insets(france)
    assert france.geometry.geom_equals(before).all()


def test_base_map_is_fitted_to_the_bounds_it_is_given(france):
    html = maps.base_map(with_insets(france), highlight="33", bounds=FRANCE_BOUNDS).get_root().render()
    assert "[[41.3, -10.8], [51.2, 9.6]]" in html.replace("\n", "").replace("  ", "")


def test_layer_bounds_is_the_whole_layer_with_a_small_margin():
    gdf = gpd.GeoDataFrame({"code": ["a"]}, geometry=[box(0, 40, 10, 50)], crs="EPSG:4326")
    assert maps.layer_bounds(gdf) == [[39.8, -0.2], [50.2, 10.2]]


def test_a_point_far_from_any_drom_is_not_moved():
    g = gpd.GeoDataFrame({"code": ["x"]}, geometry=[Point(-150, -17)])  # Polynésie: no inset
    assert with_insets(g).geometry.iloc[0].equals(Point(-150, -17))


def test_each_inset_is_named_on_the_map(france):
    from indicateurs.render.insets import label_insets

    m = label_insets(maps.base_map(with_insets(france), bounds=FRANCE_BOUNDS))
    rendered = m.get_root().render()
    for name in ("Guadeloupe", "Martinique", "Guyane", "La R", "Mayotte"):
        assert name in rendered
    assert "cdn" not in " ".join(url for _, url in m.default_js)
