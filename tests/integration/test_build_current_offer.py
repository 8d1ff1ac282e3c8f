"""`--millesimes courants` for the offer: the national file of places of digital mediation, served
in its producer's format (';', BOM, '|' multi-values, placeholder pivots) by the data.gouv.fr API of
the local server of test_build_current.py (newest CSV resource not listed first)."""

from __future__ import annotations

import pytest

from tests import producer_fixtures as pf
from tests.integration.test_build_current import producers  # noqa: F401  (the local producers)

pytestmark = pytest.mark.integration

NATIONAL = "lieux_mediation_numerique"


def _wide(base, level, code, indicator):
    return base.wide(level).loc[code, indicator]


def test_national_file_gives_the_current_place_counts_once_per_place(producers):  # noqa: F811
    from indicateurs.base import load_base
    from indicateurs.build import build_base

    report = build_base(refresh=True)
    prov = report["provenance"][NATIONAL]
    assert prov["url"].endswith("/dg/lieux-mediation-numerique-2026-11.csv")  # newest CSV, listed last
    assert prov["millesime"].startswith("ressource du 2026-11-21")
    assert producers.hits["/dg/lieux-mediation-numerique-2025-06.csv"] == 0

    rep = report["sources"][NATIONAL]
    assert rep["rows_read"] == len(pf.LIEUX_NATIONAUX) == 8
    assert rep["rows_placed"] == 4  # a, c1, d, g
    assert rep["dropped"]["code commune inconnu en 2025"] == 1  # the Paris place, counted
    assert rep["dropped"]["ni code commune ni coordonnées"] == 1
    assert rep["doublons_fusionnes"] == {"même nom et même commune": 1, "même SIRET et même commune": 1}
    assert rep["coverage"] == round(4 / 6, 4)  # merged duplicates are not a coverage loss
    assert rep["flagged"]["commune déduite des coordonnées (point dans polygone)"] == 1
    assert rep["millesime_fichier"] == f"lieux mis à jour jusqu'au {pf.LIEUX_NATIONAUX_DATE_MAX}"
    ac = report["sources"]["aidants_connect_structures_2024"]
    assert ac["doublons_fusionnes"] == {"même nom et même commune": 1}
    for old in ("cnfs_permanences_2022", "data_inclusion_lieux_2023"):
        assert report["sources"][old]["remplacee_par"] == NATIONAL

    base = load_base()
    # Ambérieu: FS site 1 (the national duplicate merged, its CnFS kept), a CnFS médiathèque,
    # "Mairie A" (Aidants Connect, 3 aidants from the 2024 export)
    assert _wide(base, "commune", "01004", "nb_france_services") == 1
    assert _wide(base, "commune", "01004", "nb_permanences_cnfs") == 2
    assert _wide(base, "commune", "01004", "nb_structures_aidants_connect") == 1
    assert _wide(base, "commune", "01004", "nb_aidants_connect") == 3
    assert _wide(base, "commune", "01004", "nb_lieux_mediation") == 0
    assert _wide(base, "commune", "01007", "nb_lieux_mediation") == 1  # listed twice, same SIRET
    assert _wide(base, "commune", "2A004", "nb_structures_aidants_connect") == 1  # found by coordinates
    assert _wide(base, "epci", "240100883", "nb_permanences_cnfs") == 2
    from indicateurs.sources.places import count_places

    total = count_places(base.places)["nb_lieux_total"]  # distinct places: each counted once
    assert total.to_dict() == {"01004": 3, "01007": 1, "2A004": 2}  # the bus of 01001 is not a place
    population = _wide(base, "epci", "240100883", "population")
    assert _wide(base, "epci", "240100883", "lieux_pour_10000") == pytest.approx(4 / population * 10_000)

    values = base.values
    counts = values[values["indicator"].isin(["nb_lieux_mediation", "nb_permanences_cnfs"])]
    assert set(counts["source"].astype(str)) == {NATIONAL}
    assert set(counts["millesime"].astype(str)) == {
        f"lieux mis à jour jusqu'au {pf.LIEUX_NATIONAUX_DATE_MAX}"
    }
    fs = values[values["indicator"] == "nb_france_services"]
    assert set(fs["millesime"].astype(str)) == {
        "France Services : " + report["provenance"]["france_services_2023"]["millesime"]
    }
    rate = values[values["indicator"] == "lieux_pour_10000"]
    assert all("2026-11-20" in m and "2026-03-02" in m for m in rate["millesime"].astype(str))
    places = base.places
    national = places[places["source"] == NATIONAL]
    assert set(national["millesime"]) == {"novembre 2026"}
    assert national["code_commune"].map(type).eq(str).all()
    fs1 = places[places["id"] == "fs-1"].iloc[0]
    assert fs1["programmes"] == "France Services|Conseillers numériques"  # brought by the merged national row
    assert not places["id"].isin(["lmn-lmn-b", "lmn-lmn-c2"]).any()

    from indicateurs.cli.sources import freshness

    row = {r["source"]: r for r in freshness()}[NATIONAL]
    assert (
        row["millesime_base"] == f"lieux mis à jour jusqu'au {pf.LIEUX_NATIONAUX_DATE_MAX}"
    )  # read in the file
    assert row["plus_recent"].endswith("(déjà dans la base)")


def test_without_the_national_file_the_pinned_place_files_are_used_and_the_build_says_so(producers):  # noqa: F811
    from indicateurs.base import load_base
    from indicateurs.build import build_base

    del producers.files["/api/1/datasets/lieux-mediation-numerique/"]  # data.gouv.fr answers 404
    report = build_base(refresh=True)
    assert NATIONAL not in report["provenance"]
    assert any(
        w.startswith(f"{NATIONAL} non récupérée") and "fichiers figés" in w for w in report["warnings"]
    )
    for old in ("cnfs_permanences_2022", "data_inclusion_lieux_2023"):
        assert "remplacee_par" not in report["sources"][old] and report["sources"][old]["rows_placed"] > 0
    base = load_base()
    assert NATIONAL not in set(base.places["source"])
    values = base.values
    counts = values[values["indicator"] == "nb_permanences_cnfs"]
    assert set(counts["source"].astype(str)) == {"cnfs_permanences_2022"}  # the file really used


def test_schema_v1_national_file_is_read_with_its_old_column_name(producers):  # noqa: F811
    from indicateurs.build import build_base

    _, old = pf.lieux_mediation_numerique(old_schema=True)  # ',' and labels_nationaux = "CNFS,…"
    producers.files["/dg/lieux-mediation-numerique-2026-11.csv"] = old
    report = build_base(refresh=True)
    rep = report["sources"][NATIONAL]
    assert rep["rows_placed"] == 4
    assert rep["doublons_fusionnes"] == {"même nom et même commune": 1, "même SIRET et même commune": 1}
