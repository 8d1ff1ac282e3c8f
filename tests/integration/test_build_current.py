"""`--millesimes courants` without the network: local servers stand in for the npm registry, the Etalab
contours of the year, INSEE, ARCEP "last" and the data.gouv.fr API, with the producers' usual faults
(newest resource not listed first, 404 on the newest, renamed columns, zipped ';' latin-1 CSV)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from indicateurs.reference.catalogue import load_catalogue
from tests import producer_fixtures as pf

pytestmark = pytest.mark.integration

YEAR = datetime.now(UTC).year
# npm_registry() publishes 7.0.0 on 2026-03-15: its French vintage, never "version 7.0.0" alone
COG_7 = "COG 2026, populations légales 2023 (en vigueur au 1er janvier 2026 ; decoupage-administratif 7.0.0 du 2026-03-15)"
NPM_FILES = {
    "cog_communes_2025": pf.cog_communes,
    "epci_composition_2025": pf.epci_composition,
    "cog_departements_2026": pf.cog_departements,
    "cog_regions_2026": pf.cog_regions,
}
GEO = {
    "geo_communes_2025": pf.geo_communes,
    "geo_epci_2025": pf.geo_epci,
    "geo_departements_2025": pf.geo_departements,
    "geo_regions_2025": pf.geo_regions,
}


@pytest.fixture
def producers(monkeypatch, producer_server):
    """The local producers' server (conftest) for every producer; `files[path] = bytes`, 404 otherwise.
    Both catalogues point at it: the current one at the producers' endpoints, the pinned one at the
    old formats."""
    monkeypatch.setenv("INDICATEURS_MILLESIMES", "courants")
    files, url = producer_server.files, producer_server.url
    current, pinned = load_catalogue("courants"), load_catalogue("figes")

    def point(catalogue, sid, **fields):
        monkeypatch.setitem(catalogue, sid, replace(catalogue[sid], **fields))

    # pinned catalogue: the old producer formats (used only as a fallback)
    for sid, (name, body) in pf.producer_files().items():
        files[f"/fige/{sid}/{name}"] = body
        point(pinned, sid, url=f"{url}/fige/{sid}/{name}")
    # npm: latest 7.0.0 (files present), 6.0.0 older
    files["/npm/@etalab/decoupage-administratif"] = pf.npm_registry(["5.3.0", "6.0.0", "7.0.0"], "7.0.0")
    for sid, writer in NPM_FILES.items():
        name, body = writer()
        files[f"/jsdelivr/decoupage-administratif@7.0.0/data/{name}"] = body
        point(
            current,
            sid,
            url=f"{url}/npm/@etalab/decoupage-administratif",
            url_pattern=f"{url}/jsdelivr/decoupage-administratif@{{version}}/data/{name}",
        )
    # Etalab contours: this year's not published yet (404), last year's served
    for sid, writer in GEO.items():
        name, body = writer()
        files[f"/contours/{YEAR - 1}/geojson/{name}"] = body
        point(current, sid, url_pattern=f"{url}/contours/{{annee}}/geojson/{name}")
    # cartiflette (communes): its S3 endpoint is this server, which has no file until a test adds one
    point(current, "geo_communes_2025", url=f"{url}/s3")
    # INSEE: the stable URL serves the newest edition (renamed columns)
    name, body = pf.insee_comparateur_courant()
    files[f"/insee/{name}"] = body
    for sid in ("insee_comparateur_2022", "insee_comparateur_meta_2022"):
        point(current, sid, url=f"{url}/insee/{name}")
    # INSEE Filosofi above the commune (one file per level in one zip)
    name, body = pf.insee_filosofi_territoires()
    files[f"/insee/{name}"] = body
    point(current, "insee_filosofi_territoires", url=f"{url}/insee/{name}")
    # ARCEP "last"
    name, body = pf.arcep_debit_courant()
    files[f"/arcep/last/commune/{name}"] = body
    point(current, "arcep_debit_communes_2019", url=f"{url}/arcep/last/commune/{name}")
    # data.gouv.fr: newest resource listed last and answering 404; the one before is served
    _, fs_body = pf.france_services()
    files["/dg/fs-2026-03.csv"] = fs_body
    files["/dg/fs-2025-01.csv"] = b"id_fs\n1\n"  # older and broken: must not be reached
    files["/api/1/datasets/liste-des-structures-france-services/"] = pf.datagouv_dataset(
        [
            ("Liste France services mars 2026", "csv", f"{url}/dg/fs-2026-03.csv", "2026-03-02T09:00:00"),
            ("Liste France services janvier 2025", "csv", f"{url}/dg/fs-2025-01.csv", "2025-01-10T09:00:00"),
            ("Liste France services (carte)", "html", f"{url}/dg/carte.html", "2026-11-01T09:00:00"),
            ("Liste France services octobre 2026", "csv", f"{url}/dg/fs-2026-10.csv", "2026-10-01T09:00:00"),
        ]
    )
    point(current, "france_services_2023", url=f"{url}/api/1/datasets/liste-des-structures-france-services/")
    # national file of places of digital mediation: newest CSV listed after an older one and a GeoJSON
    _, lieux_body = pf.lieux_mediation_numerique()
    files["/dg/lieux-mediation-numerique-2026-11.csv"] = lieux_body
    files["/dg/lieux-mediation-numerique-2025-06.csv"] = b"id;nom\n"  # older: must not be reached
    files["/api/1/datasets/lieux-mediation-numerique/"] = pf.datagouv_dataset(
        [
            ("Lieux de médiation numérique - Format CSV Mednum (2025)", "csv",
             f"{url}/dg/lieux-mediation-numerique-2025-06.csv", "2025-06-01T04:00:00"),
            ("Lieux de médiation numérique - Format GeoJSON", "geojson",
             f"{url}/dg/lieux.geojson", "2026-11-21T04:00:00"),
            ("Lieux de médiation numérique - Format CSV Mednum", "csv",
             f"{url}/dg/lieux-mediation-numerique-2026-11.csv", "2026-11-21T04:00:00"),
        ]
    )  # fmt: skip
    point(current, "lieux_mediation_numerique", url=f"{url}/api/1/datasets/lieux-mediation-numerique/")
    # sources without a producer endpoint: the current entry = the pinned URL
    for sid in (
        "ifn_communes_2023",
        "d4g_rp2017_communes_2020",
        "insee_illectronisme_hdf",
        "cnfs_permanences_2022",
        "data_inclusion_lieux_2023",
        "aidants_connect_structures_2024",
        "cnfs_structures_coselec_2023",
        "cnfs_structures_postes_2023",
    ):
        name, body = pf.FILES[sid]()
        files[f"/courant/{sid}/{name}"] = body
        point(current, sid, url=f"{url}/courant/{sid}/{name}")
    # INSEE census bases found through pynsee's file catalogue (its HTTP transport pointed here)
    census = serve_census(url, files, monkeypatch)
    for sid in census:
        point(current, sid, url=f"{url}/insee/fichier/{census[sid]}")
    return producer_server


PYNSEE_LISTS = {  # pynsee's catalogue URLs (pynsee/download/_get_dict_data_source.py) -> local paths
    "https://minio.lab.sspcloud.fr/pierrelamarche/melodi/liste_donnees.json": "/pynsee/melodi/liste_donnees.json",
    "https://raw.githubusercontent.com/InseeFrLab/DoReMIFaSol/master/data-raw/liste_donnees.json": (
        "/pynsee/doremifasol/liste_donnees.json"
    ),
}


def serve_census(url: str, files: dict[str, bytes], monkeypatch) -> dict[str, str]:
    """Serve the RP 2021 census bases and pynsee's two file lists; point pynsee's HTTP session at
    the local server (only its transport is replaced: `get_file_list()` itself runs unchanged).

    The MELODI list announces an RP 2022 evol-struct-pop file that answers 404 (published late)
    after the 2021 one and an older 2020 one: the resolver must take 2021. Returns source id ->
    the path (under /insee/fichier/) of the last release the atlas's catalogue knows."""
    import requests
    from pynsee.download import _get_dict_data_source as pynsee_catalogue

    from indicateurs.sources import resolve

    known = {}
    entries = []
    for sid, writer, page, nom in (
        ("insee_rp_population", pf.insee_rp_population, "8201904", "RP_POPULATION_COM"),
        ("insee_rp_diplomes", pf.insee_rp_diplomes, "8202319", "RP_DIPLOMES_COM"),
        ("insee_rp_menages", pf.insee_rp_menages, "8205182", "RP_MENAGES_COM"),
    ):
        name, body = writer()
        files[f"/insee/fichier/{page}/{name}"] = body
        known[sid] = f"{page}/{name}"
        entries.append((f"{nom}_2021", f"{nom} 2021", f"{url}/insee/fichier/{page}/{name}", "2021-01-01"))
    entries.insert(0, ("RP_POPULATION_COM_2020", "2020", f"{url}/insee/fichier/1/base-cc-evol-struct-pop-2020_csv.zip", "2020-01-01"))  # fmt: skip
    entries.append(("RP_POPULATION_COM_2022", "2022", f"{url}/insee/fichier/2/base-cc-evol-struct-pop-2022_csv.zip", "2022-01-01"))  # fmt: skip
    files[PYNSEE_LISTS[next(iter(PYNSEE_LISTS))]] = pf.pynsee_catalogue(entries)
    files[list(PYNSEE_LISTS.values())[1]] = pf.pynsee_catalogue([])

    class LocalSession(requests.Session):
        def get(self, target, *args, **kwargs):
            if target not in PYNSEE_LISTS:
                raise requests.ConnectionError(f"pas de réseau dans les tests : {target}")
            return super().get(url + PYNSEE_LISTS[target], *args, **kwargs)

    monkeypatch.setattr(pynsee_catalogue, "PynseeAPISession", LocalSession)
    monkeypatch.setattr(resolve, "_PYNSEE_MEMO", {})  # each test's server has its own port
    return known


def _value(base, level, code, indicator):
    return base.wide(level).loc[code, indicator]


def test_current_build_takes_the_newest_release_of_each_producer(producers):
    from indicateurs.base import load_base
    from indicateurs.build import build_base

    report = build_base(refresh=True)
    assert report["millesimes"] == "courants"
    assert report["rows_per_level"]["epci"] == 3 and report["rows_per_level"]["commune"] == 6
    prov = report["provenance"]
    assert prov["cog_communes_2025"]["millesime"] == COG_7
    assert prov["cog_communes_2025"]["url"].endswith("@7.0.0/data/communes.json")
    assert prov["geo_communes_2025"]["millesime"] == str(YEAR - 1)  # 404 on this year's, last year's used
    assert producers.hits[f"/contours/{YEAR}/geojson/communes-100m.geojson.gz"] >= 1
    assert prov["france_services_2023"]["url"].endswith("/dg/fs-2026-03.csv")  # 2026-10 is a 404
    assert prov["france_services_2023"]["millesime"].startswith("ressource du 2026-03-02")
    assert producers.hits["/dg/fs-2026-10.csv"] >= 1 and producers.hits["/dg/fs-2025-01.csv"] == 0
    assert prov["insee_comparateur_2022"]["millesime_fichier"].startswith("recensement 2022, Filosofi 2021")
    assert prov["arcep_debit_communes_2019"]["millesime_fichier"] == "données au 2026-06-30"
    assert all(e["catalogue"] == "courants" and e["fetched_at"] for e in prov.values())
    assert not any(e["repli"] for e in prov.values())
    assert not any(w.startswith("Base mixte") for w in report["warnings"])

    base = load_base()
    # renamed columns mapped to the same indicator ids, values of the new edition
    med = pf.COMPARATEUR_COURANT["2A004"][4]
    assert _value(base, "commune", "2A004", "revenu_median") == med
    (chom_a, act_a), (chom_b, act_b) = (pf.COMPARATEUR_COURANT[c][6:8] for c in ("01004", "01007"))
    assert _value(base, "epci", "240100883", "taux_chomage") == pytest.approx(
        (chom_a + chom_b) / (act_a + act_b)
    )
    assert act_a == 7200 + 10  # the new edition's figure, not the 2022 one
    nbr, _, _, t1g = pf.ARCEP_COURANT["01001"]
    assert _value(base, "commune", "01001", "part_thd") == pytest.approx(t1g / nbr)
    assert _value(base, "commune", "01001", "locaux") == nbr  # the "logloc" row only, types not added
    values = base.values
    comp = values[(values["indicator"] == "revenu_median") & (values["level"] == "commune")]
    assert set(comp["millesime"].astype(str)) == {prov["insee_comparateur_2022"]["millesime_fichier"]}
    thd = values[values["indicator"] == "part_thd"]
    assert set(thd["millesime"].astype(str)) == {"données au 2026-06-30"}


def test_a_failed_current_download_falls_back_to_the_pinned_snapshot_and_says_so(producers):
    from indicateurs.base import load_base
    from indicateurs.build import build_base

    del producers.files["/arcep/last/commune/commune_debit.csv"]
    report = build_base(refresh=True)
    arcep = report["provenance"]["arcep_debit_communes_2019"]
    assert arcep["repli"] and "/fige/" in arcep["url"]
    assert any(w.startswith("Base mixte") and "arcep_debit_communes_2019" in w for w in report["warnings"])
    base = load_base()
    thd = {c: (t30 + t100 + t1g, n) for c, (n, t30, t100, t1g) in pf.ARCEP.items()}
    assert _value(base, "commune", "01001", "part_thd") == pytest.approx(thd["01001"][0] / thd["01001"][1])

    from indicateurs.cli.health import _vintages

    check = _vintages()
    assert not check.ok and "base mixte" in check.detail and "arcep_debit_communes_2019" in check.detail


def test_offline_refresh_keeps_the_store_and_says_so(producers):
    from indicateurs.build import build_base
    from indicateurs.cli.sources import freshness

    build_base(refresh=True)
    producers.files.clear()  # the producers (and the network) are gone
    report = build_base(refresh=True, force=True)
    assert report["rows_per_level"]["commune"] == 6
    stale = [w for w in report["warnings"] if "version déjà présente" in w]
    assert len(stale) >= 10
    rows = {r["source"]: r for r in freshness()}
    assert rows["cog_communes_2025"]["millesime_base"] == COG_7
    assert rows["cog_communes_2025"]["plus_recent"].startswith("injoignable")


def test_a_second_refresh_downloads_only_what_changed(producers):
    from indicateurs.build import build_base

    build_base(refresh=True)
    jsd = "/jsdelivr/decoupage-administratif@7.0.0/data/communes.json"
    assert producers.hits[jsd] == 1
    build_base(refresh=True)
    assert producers.hits[jsd] == 1  # same version as in the store: not downloaded again
    assert producers.hits["/dg/fs-2026-03.csv"] == 1
    assert producers.hits["/insee/base_cc_comparateur_csv.zip"] >= 2  # unversioned URL: fetched again


def test_freshness_says_when_a_newer_release_is_announced(producers):
    from indicateurs.build import build_base
    from indicateurs.cli.sources import freshness

    build_base(refresh=True)
    rows = {r["source"]: r for r in freshness()}
    assert rows["cog_communes_2025"]["plus_recent"] == f"{COG_7} (déjà dans la base)"
    assert rows["geo_communes_2025"]["plus_recent"] == f"{YEAR - 1} (déjà dans la base)"  # {YEAR} not out
    assert rows["d4g_rp2017_communes_2020"]["plus_recent"].startswith("pas de point d'accès")
    producers.files["/npm/@etalab/decoupage-administratif"] = pf.npm_registry(
        ["6.0.0", "7.0.0", "7.1.0"], "7.1.0"
    )
    rows = {r["source"]: r for r in freshness()}
    assert rows["cog_communes_2025"]["plus_recent"] == (
        "COG 2026, populations légales 2023 (en vigueur au 1er janvier 2026 ; decoupage-administratif "
        "7.1.0 du 2026-03-15) (plus récent disponible)"
    )
    assert rows["cog_communes_2025"]["age"] == "0 j"


def test_poverty_above_the_commune_is_the_rate_insee_publishes(producers):
    from indicateurs.base import load_base
    from indicateurs.build import build_base

    report = build_base(refresh=True)
    rep = report["sources"]["insee_filosofi_territoires"]
    assert rep["per_level"] == {"departement": 3, "epci": 2, "region": 3} and rep["rows_unknown"] == 1
    assert report["provenance"]["insee_filosofi_territoires"]["url"].endswith("geo2025_csv.zip")
    base = load_base()
    assert _value(base, "epci", "240100883", "taux_pauvrete") == pytest.approx(0.123)
    assert _value(base, "epci", "240100883", "revenu_median") == 23456
    assert _value(base, "departement", "2A", "taux_pauvrete") == pytest.approx(0.172)
    assert _value(base, "region", "53", "taux_pauvrete") == pytest.approx(0.108)
    # secret at EPCI level too: no published rate, the communes' own (both secret) stays missing
    assert base.wide("epci")["taux_pauvrete"].isna().sum() == 1  # 200069193: secret in both files
    assert _value(base, "epci", "242010056", "taux_pauvrete") == pytest.approx(
        0.18
    )  # not published: communes
    v = base.values
    row = v[(v["level"] == "epci") & (v["code"] == "240100883") & (v["indicator"] == "taux_pauvrete")].iloc[0]
    assert row["source"] == "insee_filosofi_territoires" and row["millesime"].startswith("Filosofi 2021")
    commune = v[
        (v["level"] == "commune") & (v["code"] == "01004") & (v["indicator"] == "taux_pauvrete")
    ].iloc[0]
    assert commune["source"] == "insee_comparateur_2022"

    from indicateurs.analysis.profile import build_profile

    key = build_profile(base, "240100883", "epci").key_figures
    assert key.at["taux_pauvrete", "millesime"].startswith("Filosofi 2021 (publié")
    assert key.at["taux_chomage", "millesime"].startswith("recensement 2022")
    commune_key = build_profile(base, "01004", "commune").key_figures
    assert commune_key.at["taux_pauvrete", "millesime"].startswith("recensement 2022, Filosofi 2021")
