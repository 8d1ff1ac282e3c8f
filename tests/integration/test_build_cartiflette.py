"""`--millesimes courants` with the boundaries of the year from cartiflette, without the network: the
local server of `test_build_current` also stands in for cartiflette's S3 bucket and serves this
year's commune layer in cartiflette's format (GeoParquet, IGN field names); Etalab has only last
year's. The base must hold cartiflette's polygons, the COG membership, and say the vintage."""

from __future__ import annotations

import pytest

from indicateurs.sources.resolve import cartiflette_url
from tests import producer_fixtures as pf
from tests.integration.test_build_current import YEAR, producers  # noqa: F401 (fixture)

pytestmark = pytest.mark.integration
pytest.importorskip("cartiflette")


def _serve_cartiflette(producers, year: int) -> str:  # noqa: F811
    _name, body = pf.geo_communes_cartiflette()
    url = cartiflette_url(f"{producers.url}/s3", "COMMUNE", year)
    producers.files[url.removeprefix(producers.url)] = body
    return url


def test_current_build_takes_this_years_communes_from_cartiflette(producers):  # noqa: F811
    from indicateurs.base import load_base
    from indicateurs.build import build_base
    from indicateurs.cli.sources import freshness

    url = _serve_cartiflette(producers, YEAR)
    report = build_base(refresh=True)
    prov = report["provenance"]["geo_communes_2025"]
    assert prov["url"] == url and prov["catalogue"] == "courants" and not prov["repli"]
    assert prov["millesime"].startswith(f"COG {YEAR} (IGN ADMIN EXPRESS COG CARTO, cartiflette 0.4")
    assert producers.hits[f"/contours/{YEAR - 1}/geojson/communes-100m.geojson.gz"] == 0  # not needed
    geo = report["geometries"]
    assert geo["commune"]["matched"] == geo["commune"]["expected"] == 6 and not geo["commune"]["unknown"]

    base = load_base()
    communes = base.geometry("commune").set_index("code")
    assert set(communes.index) == set(pf.COMMUNES)
    for code, (*_rest, (lon, lat)) in pf.COMMUNES.items():  # cartiflette's squares, not Etalab's
        minx, miny, _maxx, _maxy = communes.loc[code, "geometry"].bounds
        assert minx == pytest.approx(lon + pf.CARTIFLETTE_SHIFT, abs=1e-4) and miny == pytest.approx(
            lat, abs=1e-4
        )
    # membership: from the COG lists (decoupage-administratif), not from the geometry file
    t = base.territories[base.territories["level"] == "commune"].set_index("code")
    assert t.loc["01001", "epci"] == "200069193" and t.loc["01007", "epci"] == "240100883"
    assert t.loc["2A004", "departement"] == "2A" and t.loc["29155", "region"] == "53"
    assert base.territory("commune", "01001")["nom"] == "L'Abergement-Clémenciat"
    # the EPCI, départements and régions still draw and contain their communes
    for level in ("epci", "departement", "region"):
        shapes = base.geometry(level).set_index("code")
        members = t.groupby(level if level != "departement" else "departement").groups
        for code, codes in members.items():
            if code in shapes.index:
                union = communes.loc[list(codes), "geometry"].union_all()
                assert shapes.loc[code, "geometry"].buffer(0.01).covers(union.representative_point())
    rows = {r["source"]: r for r in freshness()}
    assert rows["geo_communes_2025"]["plus_recent"].startswith(f"COG {YEAR}")
    assert rows["geo_communes_2025"]["plus_recent"].endswith("(déjà dans la base)")


def test_no_cartiflette_file_this_year_falls_back_to_etalab_of_last_year(producers):  # noqa: F811
    from indicateurs.build import build_base

    report = build_base(refresh=True)
    prov = report["provenance"]["geo_communes_2025"]
    assert prov["millesime"] == str(YEAR - 1) and "/contours/" in prov["url"]
    assert producers.hits[cartiflette_url("/s3", "COMMUNE", YEAR)] >= 1  # tried first


def test_last_years_cartiflette_wins_over_last_years_etalab(producers):  # noqa: F811
    from indicateurs.build import build_base

    _serve_cartiflette(producers, YEAR - 1)
    report = build_base(refresh=True)
    assert report["provenance"]["geo_communes_2025"]["millesime"].startswith(f"COG {YEAR - 1}")
