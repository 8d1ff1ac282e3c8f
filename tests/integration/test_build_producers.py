"""The README's first command with NO mirror: the base is built from files in the producers' own
formats (tests/producer_fixtures.py) served by a local HTTP server standing in for the producers."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import pytest

from indicateurs.reference import catalogue
from indicateurs.reference.catalogue import get_source
from indicateurs.sources import fetch as fetch_mod
from tests import producer_fixtures as pf

pytestmark = pytest.mark.integration


@pytest.fixture
def producers(monkeypatch, producer_server):
    """The local producers' server (conftest) serving the files in the producers' formats, every build
    source pointed at it, no mirror, an empty store."""
    files, url = producer_server.files, producer_server.url
    for sid, (name, body) in pf.producer_files().items():
        files[f"/{sid}/{name}"] = body
        monkeypatch.setitem(catalogue._load(), sid, replace(get_source(sid), url=f"{url}/{sid}/{name}"))
    return producer_server


def _value(base, level, code, indicator):
    return base.wide(level).loc[code, indicator]


def test_the_base_builds_from_producer_formats_without_the_mirror(producers):
    from indicateurs.base import load_base
    from indicateurs.build import build_base

    report = build_base()
    assert report["rows_per_level"] == {"commune": 6, "epci": 3, "departement": 3, "region": 3, "france": 1}
    assert {e["origin"] for e in report["provenance"].values()} == {"téléchargement"}
    assert all(e["url"].startswith(producers.url) for e in report["provenance"].values())
    base = load_base()

    t = base.territories.set_index("code")
    assert t.loc["01002", "epci"] == "200069193" and t.loc["2A004", "departement"] == "2A"
    assert t.loc["200069193", "population"] == 1000  # communes.json populations, not a GeoJSON property
    assert t.loc["240100883", "nature"] == "CC" and t.loc["240100883", "n_communes"] == 2
    assert t.loc["FR", "population"] == sum(v[4] for v in pf.COMMUNES.values())

    # geometries at every level, taken from the Etalab layers (code, nom only)
    for level, n in (("commune", 6), ("epci", 3), ("departement", 3), ("region", 3)):
        geo = base.geometry(level)
        assert len(geo) == n and geo.geometry.notna().all(), level
        assert report["geometries"][level]["matched"] == n, level
    epci = base.geometry("epci").set_index("code")
    assert epci.loc["200069193"].geometry.area == pytest.approx(2 * pf.SIDE**2)

    # ARCEP: 'Version beta' line and ';' handled; the old code 01999 folded into 01002
    thd = {c: (t30 + t100 + t1g, n) for c, (n, t30, t100, t1g) in pf.ARCEP.items()}
    assert _value(base, "commune", "01002", "part_thd") == pytest.approx((20 + 30) / (100 + 50))
    assert _value(base, "commune", "01001", "part_thd") == pytest.approx(110 / 400)
    in_epci = [thd[c] for c in ("01004", "01007")]
    assert _value(base, "epci", "240100883", "part_thd") == pytest.approx(
        sum(a for a, _ in in_epci) / sum(n for _, n in in_epci)
    )
    # INSEE zip (';', latin-1 dictionary): unemployment ratio and secret poverty rate
    assert _value(base, "epci", "240100883", "taux_chomage") == pytest.approx((900 + 120) / (7200 + 1450))
    assert _value(base, "commune", "01004", "taux_pauvrete") == pytest.approx(0.165)
    assert base.wide("commune")["taux_pauvrete"].isna().sum() == 3
    assert _value(base, "commune", "2A004", "revenu_median") == 21500
    # IFN: the published total (9.9) is ignored, the mean of the 5 recomputed
    assert _value(base, "commune", "01001", "ifn") == pytest.approx(sum(pf.IFN["01001"]) / 5)
    # Data For Good: codes padded back, duplicate empty rows dropped, % -> fraction
    assert _value(base, "commune", "01001", "part_peu_diplomes") == pytest.approx(0.40)
    assert _value(base, "commune", "29155", "part_65_plus") == pytest.approx(0.40)
    # illectronisme: French '18,7' parsed; the EPCI outside the fixture is reported, not kept
    assert _value(base, "epci", "240100883", "taux_illectronisme") == pytest.approx(0.187)
    assert report["sources"]["insee_illectronisme_hdf"]["rows_unknown"] == 1

    # offer: quoted France Services CSV (bus not counted), CNFS JSON, data·inclusion JSON
    assert _value(base, "commune", "01004", "nb_france_services") == 1
    assert _value(base, "commune", "01001", "nb_france_services") == 0
    assert _value(base, "commune", "2A004", "nb_permanences_cnfs") == 1
    assert _value(base, "epci", "200069193", "nb_lieux_mediation") == 1
    assert _value(base, "commune", "29155", "nb_lieux_mediation") == 1  # placed by its code, no coordinates
    assert _value(base, "commune", "01004", "nb_postes_cnfs") == 2  # COSELEC ';', code '1004' padded
    assert _value(base, "commune", "01004", "nb_cnfs_recrutes") == 2  # cnum.json, number 1004 padded
    assert _value(base, "commune", "01004", "nb_structures_aidants_connect") == 1  # inactive one left out

    raw = fetch_mod.raw_dir()
    stored = "".join(p.read_text(encoding="utf-8", errors="ignore") for p in raw.iterdir() if p.is_file())
    assert "Camille Exemple" not in stored and "camille@example.org" not in stored


def test_parent_boundaries_are_dissolved_from_the_communes_when_their_files_are_missing(producers):
    from indicateurs.base import load_base
    from indicateurs.build import build_base

    for sid in ("geo_epci_2025", "geo_departements_2025", "geo_regions_2025"):
        producers.files.pop(next(p for p in producers.files if p.startswith(f"/{sid}/")))
    report = build_base()
    base = load_base()
    for level, n in (("epci", 3), ("departement", 3), ("region", 3)):
        assert report["geometries"][level]["origin"] == "fusion des communes", level
        assert report["geometries"][level]["matched"] == n, level
    epci = base.geometry("epci").set_index("code")
    assert epci.loc["240100883"].geometry.area == pytest.approx(2 * pf.SIDE**2)
    assert epci.loc["240100883", "nom"] == "CC de la Plaine de l'Ain"
    assert "29155" not in set(epci.index)  # the island has no EPCI
    dep = base.geometry("departement").set_index("code")
    assert dep.loc["01"].geometry.area == pytest.approx(4 * pf.SIDE**2)
    assert any("fusion des communes" in w for w in report["warnings"])
    assert isinstance(base.geometry("region"), gpd.GeoDataFrame)


def test_a_missing_commune_layer_still_fails_clearly(producers):
    from indicateurs.build import build_base
    from indicateurs.sources.fetch import FetchError

    producers.files.pop(next(p for p in producers.files if p.startswith("/geo_communes_2025/")))
    with pytest.raises(FetchError, match=r"geo_communes_2025.*HTTP 404"):
        build_base()
