"""The offer in the built base, on the mirror: coverage report, national totals, a known EPCI.

Reference EPCI: CC de la Haute Saintonge (200041523, Charente-Maritime, 129 communes). Its numbers
were checked by hand against the raw files: 7 France Services "Lieu fixe", 8 active Aidants
Connect structures with 38 aidants, 7 validated CnFS posts.
"""

from __future__ import annotations

import numpy as np
import pytest

from indicateurs.analysis.access import commune_points, nearest_distances, zone_of, zones_blanches
from indicateurs.sources.places import COLUMNS, DRAWN_TYPES

pytestmark = pytest.mark.integration

EPCI = "200041523"


def test_places_frame_shape(base):
    places = base.places
    assert list(places.columns) == COLUMNS
    assert places["code_commune"].map(type).eq(str).all()
    communes = set(base.territories.loc[base.territories["level"] == "commune", "code"])
    assert places["code_commune"].isin(communes).all()  # every kept place is in a COG 2025 commune
    drawn = places[places["type"].isin(DRAWN_TYPES)]
    assert drawn["latitude"].notna().all() and drawn["longitude"].notna().all()
    approx = drawn.groupby("type")["position_approx"].sum()
    assert approx["aidants_connect"] == (drawn["type"] == "aidants_connect").sum()
    # data·inclusion rows with a code but no coordinates (414) + 8 whose coordinates fall outside their commune
    assert approx["lieu_mediation"] == 414 + 8
    assert approx["france_services"] == 2  # coordinates more than ~1 km outside their commune
    assert places.loc[places["type"] == "structure_cnfs", "latitude"].isna().all()


def test_report_accounts_for_every_row(base):
    report = base.report["sources"]
    for source_id in (
        "france_services_2023",
        "cnfs_permanences_2022",
        "data_inclusion_lieux_2023",
        "aidants_connect_structures_2024",
        "cnfs_structures_coselec_2023",
        "cnfs_structures_postes_2023",
    ):
        entry = report[source_id]
        assert entry["rows_placed"] + entry["rows_dropped"] == entry["rows_read"], source_id
    assert report["france_services_2023"]["rows_read"] == 2707
    assert (
        report["france_services_2023"]["flagged"][
            "bus ou site itinérant (gardé, signalé, non compté comme lieu fixe)"
        ]
        == 144 + 158  # format « Mobile », or itinerance = Oui (141 multi-sites, 9 antennes, 8 lieux fixes)
    )
    assert report["cnfs_permanences_2022"]["dropped"]["sans coordonnées"] == 22
    assert (
        report["data_inclusion_lieux_2023"]["dropped"]["doublon d'une permanence CnFS (même identifiant)"]
        == 2545
    )
    assert report["aidants_connect_structures_2024"]["dropped"]["structure inactive"] == 46
    assert (
        report["aidants_connect_structures_2024"]["dropped"]["sans code commune"] == 222
    )  # 225 incl. 3 inactive
    assert report["cnfs_permanences_2022"]["coverage"] > 0.99


def test_national_totals(base):
    france = base.wide("france").loc["FR"]
    assert france["nb_france_services"] == 2707 - 302 - 2  # buses, itinerant sites, 2 Saint-Martin sites
    assert france["nb_permanences_cnfs"] == 4930 - 22 - 3 - 1  # 1 whose commune contradicts its postcode
    # 3 posts in Saint-Martin (COM); 36 posts (9 advisers) of structures whose commune contradicts their
    # postcode in another département (national associations coded at their Paris seat...)
    assert france["nb_postes_cnfs"] == 3925 - 3 - 36
    assert france["nb_cnfs_recrutes"] == 3036 - 9


def test_counts_of_a_known_epci(base):
    row = base.wide("epci").loc[EPCI]
    assert row["nom"] == "CC de la Haute Saintonge"
    assert row["nb_france_services"] == 7
    assert row["nb_permanences_cnfs"] == 17
    assert row["nb_lieux_mediation"] == 1
    assert row["nb_structures_aidants_connect"] == 8
    assert row["nb_aidants_connect"] == 38
    assert row["nb_postes_cnfs"] == 7
    assert row["nb_cnfs_recrutes"] == 5
    assert row["lieux_pour_10000"] == pytest.approx(33 / row["population"] * 10_000)


def test_distances_for_all_communes(base):
    geo = base.geometry("commune")
    d = nearest_distances(commune_points(geo), base.places, DRAWN_TYPES)
    assert len(d) == len(geo) == 34875
    zones = zone_of(d.index.to_series())
    metro = d[zones.to_numpy() == "metro"]
    assert metro["dist_tout_type"].notna().all()
    assert metro["dist_tout_type"].max() < 60  # nowhere in metropolitan France is farther
    assert (d["dist_tout_type"] <= d["dist_france_services"] + 1e-9).all()
    epci = d.loc[base.territories.query("level == 'commune' and epci == @EPCI")["code"]]
    assert epci["dist_tout_type"].max() < 10  # no zone blanche in the Haute Saintonge
    pop = base.territories.query("level == 'commune'")[["code", "population", "departement"]]
    zb = zones_blanches(d, pop, level="departement")
    assert len(zb) == 101
    assert np.all(zb["population_plus_20km"] <= zb["population_plus_10km"])
