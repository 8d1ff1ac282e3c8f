"""Offer loaders on tiny hand-made files: folding of codes, point in polygon, report, counts."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from indicateurs.sources.places import COUNT_COLUMNS, count_places, fold_code, load_places, local_places_frame


@pytest.fixture
def communes() -> gpd.GeoDataFrame:
    # Three 0.1° squares: Paris (folded arrondissements), 01001 and 01002 side by side.
    return gpd.GeoDataFrame(
        {"code": ["75056", "01001", "01002"]},
        geometry=[box(2.30, 48.80, 2.40, 48.90), box(5.0, 46.0, 5.1, 46.1), box(5.1, 46.0, 5.2, 46.1)],
        crs="EPSG:4326",
    )


def _write(tmp_path, name: str, header: list[str], rows: list[list[str]]):
    path = tmp_path / name
    frame = pd.DataFrame(rows, columns=header)
    frame.to_csv(path, index=False)
    return path


FS_HEADER = [
    "id_fs",
    "insee_dep",
    "lib_fs",
    "adresse",
    "complement_adresse",
    "insee_com",
    "code_postal",
    "lib_com",
    "latitude",
    "longitude",
    "h_lundi",
    "h_mardi",
    "h_mercredi",
    "h_jeudi",
    "h_vendredi",
    "h_samedi",
    "format_fs_anct",
]


@pytest.fixture
def paths(tmp_path):
    fs = _write(
        tmp_path,
        "fs.csv",
        FS_HEADER,
        [
            [
                "1",
                "75",
                "FS Paris 12",
                "1 rue A",
                "",
                "75112",
                "75012",
                "Paris",
                "48.85",
                "2.35",
                "09:00-12:00",
                "",
                "",
                "",
                "",
                "",
                "Lieu fixe",
            ],
            [
                "2",
                "01",
                "Bus FS",
                "Place B",
                "",
                "01001",
                "01000",
                "A",
                "46.05",
                "5.05",
                "",
                "",
                "",
                "",
                "",
                "",
                "Mobile",
            ],
            [
                "3",
                "01",
                "FS ancienne commune",
                "C",
                "",
                "01999",
                "01000",
                "B",
                "46.05",
                "5.15",
                "",
                "",
                "",
                "",
                "",
                "",
                "Antenne",
            ],
            [
                "4",
                "97",
                "FS Saint-Martin",
                "D",
                "",
                "97801",
                "97150",
                "SM",
                "18.0",
                "-63.0",
                "",
                "",
                "",
                "",
                "",
                "",
                "Lieu fixe",
            ],
        ],
    )
    perm = _write(
        tmp_path,
        "perm.csv",
        [
            "id",
            "nom",
            "services",
            "commune",
            "code_postal",
            "adresse",
            "latitude",
            "longitude",
            "horaires",
            "nb_conseillers",
        ],
        [
            [
                "p1",
                "Médiathèque <b>",
                "Ordinateur;Smartphone",
                "A",
                "01000",
                "1 rue",
                "46.05",
                "5.05",
                "Mo 9-12",
                "2",
            ],
            ["p2", "Sans coordonnées", "", "A", "01000", "", "", "", "", "1"],
            ["p3", "En mer", "", "X", "00000", "", "40.0", "-30.0", "", "1"],
            ["p4", "Au bord", "", "B", "01000", "", "46.05", "5.2005", "", "1"],
        ],
    )
    di = _write(
        tmp_path,
        "di.csv",
        [
            "id",
            "nom",
            "services",
            "commune",
            "code_postal",
            "adresse",
            "complement_adresse",
            "code_insee",
            "latitude",
            "longitude",
            "horaires",
            "source",
        ],
        [
            [
                "p1",
                "Doublon CnFS",
                "",
                "A",
                "01000",
                "1 rue",
                "",
                "01001",
                "46.05",
                "5.05",
                "",
                "conseiller-numerique",
            ],
            ["d1", "Tiers-lieu", "Wifi", "A", "01000", "2 rue", "", "01001", "", "", "", "dora"],
            ["d2", "Sans code", "", "B", "01000", "", "", "", "46.05", "5.15", "", "dora"],
            ["d3", "Rien", "", "B", "01000", "", "", "", "", "", "", "dora"],
        ],
    )
    ac = _write(
        tmp_path,
        "ac.csv",
        ["Name", "ID", "Is Active", "City Insee Code", "Address", "Nombre d'aidants"],
        [
            ["AC Paris 7", "1", "true", "75107", "20 av", "22"],
            ["AC inactive", "2", "false", "01001", "x", "3"],
            ["AC sans code", "3", "true", "", "y", "1"],
            ["AC A", "4", "true", "1001.0", "z", "5"],
        ],
    )
    coselec = _write(
        tmp_path,
        "coselec.csv",
        ["Raison sociale", "Nombre de conseillers validés par le COSELEC", "Adresse", "Code commune INSEE"],
        [["S1", "2", "a", "01001"], ["S2", "3", "b", "13055"], ["S3", "1", "c", "01002"]],
    )
    postes = _write(
        tmp_path,
        "postes.csv",
        ["Raison sociale", "Nb de conseillers recrutés", "Code commune Insee"],
        [["S1", "1", "01001"], ["S4", "4", "75101"]],
    )
    return {
        "france_services_2023": fs,
        "cnfs_permanences_2022": perm,
        "data_inclusion_lieux_2023": di,
        "aidants_connect_structures_2024": ac,
        "cnfs_structures_coselec_2023": coselec,
        "cnfs_structures_postes_2023": postes,
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("75112", "75056"),  # Paris arrondissement
        ("69385", "69123"),  # Lyon arrondissement
        ("13201", "13055"),  # Marseille arrondissement
        ("1001", "01001"),  # lost leading zero
        ("75107.0", "75056"),  # float artefact
        ("01999", "01002"),  # merged commune through old_to_new
        ("2A004", "2A004"),  # Corsica stays a string
        (None, None),
        ("", None),
    ],
)
def test_fold_code(raw, expected):
    assert fold_code(raw, {"01999": "01002"}) == expected


def test_load_places_types_codes_and_report(communes, paths):
    places, report = load_places(communes, paths, old_to_new={"01999": "01002"})

    fs = places[places["type"] == "france_services"].set_index("nom")
    assert fs.loc["FS Paris 12", "code_commune"] == "75056"
    assert fs.loc["FS ancienne commune", "code_commune"] == "01002"
    assert bool(fs.loc["Bus FS", "itinerant"]) and not bool(fs.loc["FS Paris 12", "itinerant"])
    assert report["france_services_2023"]["rows_read"] == 4
    assert report["france_services_2023"]["rows_placed"] == 3
    assert sum(report["france_services_2023"]["dropped"].values()) == 1  # Saint-Martin (COM)

    perm = places[places["type"] == "conseiller_numerique"].set_index("nom")
    assert perm.loc["Médiathèque <b>", "code_commune"] == "01001"  # point in polygon
    assert "Médiathèque <b>" in perm.index  # text kept as given, never escaped here
    assert perm.loc["Au bord", "code_commune"] == "01002"  # just off the edge: nearest commune
    rep = report["cnfs_permanences_2022"]
    assert (rep["rows_read"], rep["rows_placed"], rep["rows_dropped"]) == (4, 2, 2)
    assert rep["dropped"]["sans coordonnées"] == 1

    di = places[places["type"] == "lieu_mediation"].set_index("nom")
    assert set(di.index) == {"Tiers-lieu", "Sans code"}  # duplicate of p1 and the empty row dropped
    assert di.loc["Sans code", "code_commune"] == "01002"
    assert 46.0 < di.loc["Tiers-lieu", "latitude"] < 46.1  # no coordinates: its commune's point
    assert bool(di.loc["Tiers-lieu", "position_approx"]) and not bool(di.loc["Sans code", "position_approx"])
    assert report["data_inclusion_lieux_2023"]["rows_dropped"] == 2

    ac = places[places["type"] == "aidants_connect"].set_index("nom")
    assert set(ac.index) == {"AC Paris 7", "AC A"}
    assert ac.loc["AC A", "code_commune"] == "01001"
    assert ac["position_approx"].all()
    assert 46.0 < ac.loc["AC A", "latitude"] < 46.1  # at the commune's representative point
    assert report["aidants_connect_structures_2024"]["dropped"] == {
        "structure inactive": 1,
        "sans code commune": 1,
    }

    structures = places[places["type"] == "structure_cnfs"]
    assert structures["latitude"].isna().all()
    assert report["cnfs_structures_coselec_2023"]["rows_dropped"] == 1  # 13055 not in the tiny layer

    for entry in report.values():
        assert entry["unaccounted"] == 0
        assert entry["rows_placed"] + entry["rows_dropped"] == entry["rows_read"]
    assert places["code_commune"].map(type).eq(str).all()
    assert places.loc[places["source"] == "france_services_2023", "millesime"].iloc[0] == "février 2023"


def test_count_places(communes, paths):
    places, _ = load_places(communes, paths, old_to_new={"01999": "01002"})
    counts = count_places(places, codes=["01001", "01002", "75056", "2A004"])
    assert list(counts.columns) == COUNT_COLUMNS
    assert counts.loc["01001"].to_dict() == {
        "nb_france_services": 0,  # the bus is not a fixed place
        "nb_lieux_mediation": 1,
        "nb_permanences_cnfs": 1,
        "nb_postes_cnfs": 2,
        "nb_cnfs_recrutes": 1,
        "nb_structures_aidants_connect": 1,
        "nb_aidants_connect": 5,
        "nb_lieux_total": 3,
    }
    assert counts.loc["75056", "nb_france_services"] == 1
    assert counts.loc["75056", "nb_aidants_connect"] == 22
    assert counts.loc["75056", "nb_cnfs_recrutes"] == 4
    assert counts.loc["01002", "nb_lieux_total"] == 3  # antenna + lieu + permanence "au bord"
    assert counts.loc["2A004"].sum() == 0  # a real zero for a commune without place


def test_missing_source_is_reported(communes, paths):
    places, report = load_places(communes, {"france_services_2023": paths["france_services_2023"]})
    assert report["cnfs_permanences_2022"]["missing"] is True
    assert set(places["type"]) == {"france_services"}


def test_local_places_frame(communes):
    records = [
        {"nom": "Café numérique", "type": "lieu_mediation", "code_commune": "01001"},
        {
            "nom": "Point relais",
            "type": "france_services",
            "latitude": 46.05,
            "longitude": 5.15,
            "id": 7,
            "created_at": "2026-11-28T15:01:14+00:00",
        },
    ]
    frame = local_places_frame(records, communes).set_index("nom")
    assert frame["local"].all()
    assert bool(frame.loc["Café numérique", "position_approx"])
    assert 5.0 < frame.loc["Café numérique", "longitude"] < 5.1
    assert frame.loc["Point relais", "code_commune"] == "01002"  # placed from its coordinates
    assert not bool(frame.loc["Point relais", "position_approx"])
    assert frame.loc["Point relais", "id"] == "local-7"
    assert frame.loc["Point relais", "millesime"] == "ajouté le 28/11/2026"
    assert frame.loc["Café numérique", "id"] == "local-1"


# ---------------------------------------------------------------- #14: commune vs postcode


def test_check_placement_repairs_from_postcode_and_drops_conflicts():
    from shapely.geometry import box

    from indicateurs.sources.places import check_placement

    communes = gpd.GeoDataFrame(
        {"code": ["01004", "57490", "01053", "01001", "02408"]},
        geometry=[
            box(5.3, 45.9, 5.4, 46.0),
            box(6.5, 48.7, 6.6, 48.8),
            box(5.2, 46.2, 5.3, 46.3),
            box(4.9, 46.1, 5.0, 46.2),
            box(3.6, 49.9, 3.7, 50.0),
        ],
        crs="EPSG:4326",
    )
    points = pd.DataFrame(
        {"latitude": [45.95, 48.75, 46.25, 46.15, 49.95], "longitude": [5.35, 6.55, 5.25, 4.95, 3.65]},
        index=communes["code"],
    )
    names = {
        "01004": "Ambérieu-en-Bugey",
        "57490": "Moyenvic",
        "01053": "Bourg-en-Bresse",
        "01001": "L'Abergement-Clémenciat",
        "02408": "Guise",
        "13042": "Gémenos",
        "13055": "Marseille",
    }
    postcodes = {"01500": ("01004",), "01000": ("01053", "01001"), "57630": ("57490",), "02120": ("02408",)}
    places = pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e"],
            "source": "aidants_connect_structures_2024",
            "nom": ["AGORA", "Guise", "Bourg ?", "Moyenvic OK", "CEDEX"],
            "code_commune": ["57490", "57490", "57490", "57490", "57490"],
            "latitude": 48.75,
            "longitude": 6.55,
            "position_approx": True,
            "_cp": ["1500", "02120", "01000", "57630", "13381"],
            "_ville": ["Moyenvic", "Moyenvic", "Moyenvic", "Moyenvic", "Moyenvic"],
        }
    )
    report = {"aidants_connect_structures_2024": {"dropped": {}, "flagged": {}}}
    out, log = check_placement(places, postcodes, names, communes, points, report)
    got = out.set_index("id")["code_commune"].to_dict()
    # one commune behind 01500 and 02120: repaired; 01000 names two, none called Moyenvic: dropped;
    # 57630 covers Moyenvic: kept; 13381 is a CEDEX of the Bouches-du-Rhône, no town matches: dropped
    assert got == {"a": "01004", "b": "02408", "d": "57490"}
    assert out.set_index("id").at["a", "latitude"] == 45.95  # drawn at its repaired commune
    actions = {row["id"]: row["action"] for row in log}
    assert actions == {
        "a": "commune corrigée d'après le code postal",
        "b": "commune corrigée d'après le code postal",
        "c": "écarté : commune incompatible avec le code postal",
        "e": "écarté : commune incompatible avec le code postal",
    }
    assert sum(report["aidants_connect_structures_2024"]["dropped"].values()) == 2


def test_check_placement_keeps_a_wrong_postcode_when_the_town_confirms_the_commune():
    from shapely.geometry import box

    from indicateurs.sources.places import check_placement

    communes = gpd.GeoDataFrame(
        {"code": ["11262", "11069"]},
        geometry=[box(3.0, 43.1, 3.1, 43.2), box(2.3, 43.2, 2.4, 43.3)],
        crs="EPSG:4326",
    )
    points = pd.DataFrame({"latitude": [43.15, 43.25], "longitude": [3.05, 2.35]}, index=communes["code"])
    places = pd.DataFrame(
        {
            "id": ["n"],
            "source": "france_services_2023",
            "nom": ["Narbonne"],
            "code_commune": ["11262"],
            "latitude": [43.15],
            "longitude": [3.05],
            "position_approx": [False],
            "_cp": ["11000"],
            "_ville": ["Narbonne"],
        }
    )
    report = {"france_services_2023": {"dropped": {}, "flagged": {}}}
    out, log = check_placement(
        places,
        {"11000": ("11069", "11999")},
        {"11262": "Narbonne", "11069": "Carcassonne"},
        communes,
        points,
        report,
    )
    assert out["code_commune"].tolist() == ["11262"] and log == []


def test_check_placement_keeps_a_place_whose_own_name_names_its_commune():
    from shapely.geometry import box

    from indicateurs.sources.places import check_placement

    communes = gpd.GeoDataFrame({"code": ["69019"]}, geometry=[box(4.7, 46.1, 4.8, 46.2)], crs="EPSG:4326")
    points = pd.DataFrame({"latitude": [46.15], "longitude": [4.75]}, index=communes["code"])
    places = pd.DataFrame(
        {
            "id": ["fs"],
            "source": "france_services_2023",
            "nom": ["France services de Belleville-en-Beaujolais"],
            "code_commune": ["69019"],
            "latitude": [46.15],
            "longitude": [4.75],
            "position_approx": [False],
            "_cp": ["06922"],  # a CEDEX of the Alpes-Maritimes: a typo for 69220
            "_ville": ["Belleville-en-Beaujolais"],
        }
    )
    report = {"france_services_2023": {"dropped": {}, "flagged": {}}}
    names = {"69019": "Belleville-en-Beaujolais", "06004": "Antibes", "06152": "Valbonne"}
    out, log = check_placement(places, {"06600": ("06004",)}, names, communes, points, report)
    assert out["code_commune"].tolist() == ["69019"] and log == []
