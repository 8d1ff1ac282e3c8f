"""Boundaries of the year through cartiflette (IGN ADMIN EXPRESS COG CARTO): the resolver asks
cartiflette for the path of the year's layer, our fetch downloads it, the transform maps IGN's
field names to ours (issue #15)."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, datetime

import geopandas as gpd
import pytest

from indicateurs.reference.catalogue import load_catalogue
from indicateurs.sources import derive, loaders
from indicateurs.sources.resolve import candidates, cartiflette_url
from tests import producer_fixtures as pf

cartiflette = pytest.importorskip("cartiflette")


def _source(**fields):
    return replace(load_catalogue("courants")["geo_communes_2025"], **fields)


def test_the_path_is_cartiflettes_own():
    from cartiflette.client import consolidated_url
    from cartiflette.constants import ENDPOINT_URL

    mine = cartiflette_url(ENDPOINT_URL, "COMMUNE", 2026)
    theirs = consolidated_url(
        "FRANCE_ENTIERE",
        bucket="projet-cartiflette",
        path_within_bucket="production",
        provider="IGN",
        dataset_family="ADMINEXPRESS",
        source="EXPRESS-COG-CARTO-TERRITOIRE",
        year=2026,
        borders="COMMUNE",
        crs=4326,
        simplification=50,
    )
    assert mine == theirs
    assert mine.endswith(
        "/year=2026/administrative_level=COMMUNE/crs=4326/layout=FRANCE_ENTIERE"
        "/vectorfile_format=parquet/simplification=50/raw.parquet"
    )
    assert _source().url == ENDPOINT_URL  # the catalogue names cartiflette's endpoint


def test_candidates_newest_year_first_cartiflette_then_etalab():
    source = _source(url="http://s3", url_pattern="E/{annee}/communes-100m.geojson.gz")
    found = candidates(source, None, now=datetime(2026, 11, 29, tzinfo=UTC))
    assert [c.vintage[:8] for c in found[:4]] == ["COG 2026", "2026", "COG 2025", "2025"]
    assert found[0].url.startswith("http://s3/projet-cartiflette/production/") and "year=2026" in found[0].url
    assert found[1].url == "E/2026/communes-100m.geojson.gz"
    assert f"cartiflette {cartiflette.__version__}" in found[0].vintage


def test_geoparquet_becomes_the_geojson_the_loader_reads(tmp_path):
    name, body = pf.geo_communes_cartiflette()
    src, dst = tmp_path / name, tmp_path / "communes.geojson"
    src.write_bytes(body)
    assert derive.apply(_source(), src, dst)
    data = json.loads(dst.read_text(encoding="utf-8"))
    props = {f["properties"]["code"]: f["properties"] for f in data["features"]}
    assert set(props) == set(pf.COMMUNES)
    assert props["01001"] == {
        "code": "01001",
        "nom": "L'Abergement-Clémenciat",
        "dep": "01",
        "reg": "84",
        "epci": "200069193",
    }
    assert props["29155"]["epci"] is None  # 'NC': no EPCI (Ouessant)
    gdf = loaders.load_geometry(dst, "geo_communes_2025")
    lon, lat = pf.COMMUNES["2A004"][5]
    bounds = gdf.set_index("code").loc["2A004", "geometry"].bounds
    assert bounds == pytest.approx(
        (lon + pf.CARTIFLETTE_SHIFT, lat, lon + pf.CARTIFLETTE_SHIFT + pf.SIDE, lat + pf.SIDE)
    )


def test_an_etalab_file_still_goes_through_the_same_source(tmp_path):
    name, body = pf.geo_communes()
    src, dst = tmp_path / name, tmp_path / "communes.geojson"
    src.write_bytes(body)
    derive.apply(_source(), src, dst)
    first = json.loads(dst.read_text(encoding="utf-8"))["features"][0]["properties"]
    assert {"code", "nom", "dep", "reg"} <= set(first)


def test_missing_ign_columns_are_named(tmp_path):
    from shapely.geometry import box

    bad = gpd.GeoDataFrame({"CODE": ["01001"]}, geometry=[box(0, 0, 1, 1)], crs=4326)
    src = tmp_path / "raw.parquet"
    bad.to_parquet(src)
    with pytest.raises(derive.DeriveError, match="INSEE_COM, NOM"):
        derive.apply(_source(), src, tmp_path / "out.geojson")


def test_the_loader_reads_cartiflette_names_as_published(tmp_path):
    """A GeoJSON from cartiflette's API (IGN names) is read as it is."""
    _name, body = pf.geo_communes_cartiflette()
    gdf = gpd.read_parquet(io.BytesIO(body))
    path = tmp_path / "api.geojson"
    gdf.to_file(path, driver="GeoJSON")
    out = loaders.load_geometry(path, "geo_communes_2025")
    assert set(out["code"]) == set(pf.COMMUNES) and {"dep", "reg", "epci"} <= set(out.columns)
