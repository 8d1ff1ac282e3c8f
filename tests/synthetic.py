"""A synthetic mirror: fake source files, invented in code, laid out like INDICATEURS_MIROIR.

Why: the page tests must run without the real mirror, on a base written by the REAL `build_base`.
Eight communes of Corse-du-Sud (département 2A, région 94) in two EPCI, drawn as 0.1° squares on a
4 x 2 grid so neighbours share borders. Every value is invented (never copied from the mirror) and
chosen so a test can compute an aggregate by hand (see `EXPECTED`).

The file formats are the ones the current loaders accept (`indicateurs.sources.loaders`/`places`);
they are all written here, by one writer per source, so they can be swapped when the loaders read the
producers' own formats (issue #15).
"""

from __future__ import annotations

import csv
import gzip
import json
import os
from contextlib import contextmanager
from pathlib import Path

from shapely.geometry import box, mapping
from shapely.ops import unary_union

REGION = {"code": "94", "nom": "Corse"}
DEPARTEMENT = {"code": "2A", "nom": "Corse-du-Sud", "region": "94"}
EPCI_A = "242010056"
EPCI_B = "200067999"
EPCI = {
    EPCI_A: {"nom": "CA du Pays Ajaccien", "type": "CA", "modeFinancement": "FPU"},
    EPCI_B: {"nom": "CC du Sartenais Valinco", "type": "CC", "modeFinancement": "FPU"},
}

# code, nom, epci, population (COG), grid cell (column, row); one name with an accent (Sartène)
COMMUNES = [
    ("2A004", "Ajaccio", EPCI_A, 70000, (0, 0)),
    ("2A006", "Alata", EPCI_A, 3000, (1, 0)),
    ("2A017", "Appietto", EPCI_A, 2000, (0, 1)),
    ("2A032", "Bastelicaccia", EPCI_A, 5000, (1, 1)),
    ("2A272", "Sartène", EPCI_B, 3500, (2, 0)),
    ("2A249", "Propriano", EPCI_B, 3400, (3, 0)),
    ("2A192", "Olmeto", EPCI_B, 1200, (2, 1)),
    ("2A035", "Belvédère-Campomoro", EPCI_B, 150, (3, 1)),
]
CODES = [c[0] for c in COMMUNES]
SIZE = 0.1  # degrees
ORIGIN = (8.6, 41.6)  # lon, lat of the south-west corner

# Comparateur (RP 2018): population, households, unemployed and active people aged 15-64
COMPARATEUR = {
    #         P18_POP  SUPERF  P18_MEN  NBMENFISC19 MED19  TP6019  CHOM  ACT
    "2A004": (69000, 82.0, 33000, 32000, 21000, 30.0, 3000, 30000),
    "2A006": (3100, 30.0, 1300, 1250, 24000, "", 100, 1500),
    "2A017": (1900, 20.0, 800, 780, 25000, "", 50, 1000),
    "2A032": (4900, 12.0, 2000, 1950, 23500, "", 200, 2400),
    "2A272": (3400, 200.0, 1600, 1550, 19000, 22.0, 300, 1500),
    "2A249": (3300, 20.0, 1500, 1450, 20000, 20.0, 200, 1500),
    "2A192": (1250, 40.0, 600, 580, 19500, "", 100, 500),
    "2A035": (160, 25.0, 80, 75, 18000, "", 10, 100),
}
# IFN 2023 sub-scores 1..10: thd, 4g, poverty, 65+, low diploma (the mean is the IFN)
IFN = {
    "2A004": (2, 2, 5, 4, 4),
    "2A006": (4, 3, 3, 5, 4),
    "2A017": (5, 4, 3, 5, 4),
    "2A032": (3, 3, 4, 4, 4),
    "2A272": (8, 7, 7, 8, 7),
    "2A249": (6, 6, 6, 8, 6),
    "2A192": (9, 8, 7, 9, 7),
    "2A035": (10, 10, 6, 10, 8),
}
# RP 2017 rates in %: low diploma, single-person households, single-parent families, 65+
RP2017 = {
    "2A004": (30.0, 38.0, 11.0, 20.0),
    "2A006": (25.0, 25.0, 8.0, 22.0),
    "2A017": (24.0, 22.0, 7.0, 21.0),
    "2A032": (27.0, 27.0, 9.0, 19.0),
    "2A272": (40.0, 35.0, 10.0, 30.0),
    "2A249": (38.0, 36.0, 10.0, 31.0),
    "2A192": (42.0, 37.0, 9.0, 35.0),
    "2A035": (45.0, 40.0, 5.0, 40.0),
}
# ARCEP 2019: premises, and eligible premises at 30 Mbit/s, 100 Mbit/s, 1 Gbit/s
ARCEP = {
    "2A004": (40000, 4000, 6000, 20000),
    "2A006": (1600, 200, 200, 400),
    "2A017": (1000, 100, 100, 200),
    "2A032": (2400, 300, 300, 600),
    "2A272": (2500, 100, 100, 300),
    "2A249": (2400, 100, 200, 200),
    "2A192": (900, 0, 50, 50),
    "2A035": (300, 0, 0, 0),
}
ILLECTRONISME = {EPCI_A: 12.5, EPCI_B: 21.0}  # % (the real study covers Hauts-de-France only)


def _epci_sum(table: dict, index: int, epci: str) -> float:
    return sum(table[code][index] for code, _, e, _, _ in COMMUNES if e == epci)


EXPECTED = {
    # ratio indicators at EPCI level: ratio of sums over member communes
    "taux_chomage": {e: _epci_sum(COMPARATEUR, 6, e) / _epci_sum(COMPARATEUR, 7, e) for e in EPCI},
    "part_thd": {
        e: (_epci_sum(ARCEP, 1, e) + _epci_sum(ARCEP, 2, e) + _epci_sum(ARCEP, 3, e)) / _epci_sum(ARCEP, 0, e)
        for e in EPCI
    },
    "population": {e: sum(p for _, _, ep, p, _ in COMMUNES if ep == e) for e in EPCI},
}


def cell(code: str):
    """The square of a commune."""
    col, row = next(c[4] for c in COMMUNES if c[0] == code)
    x, y = ORIGIN[0] + col * SIZE, ORIGIN[1] + row * SIZE
    return box(x, y, x + SIZE, y + SIZE)


def inside(code: str, dx: float = 0.5, dy: float = 0.5) -> tuple[float, float]:
    """(latitude, longitude) of a point inside a commune's square."""
    col, row = next(c[4] for c in COMMUNES if c[0] == code)
    return ORIGIN[1] + (row + dy) * SIZE, ORIGIN[0] + (col + dx) * SIZE


# ----------------------------------------------------------------------------------------- writers


def _json(path: Path, data, *, gz: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False)
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as f:
            f.write(text)
    else:
        path.write_text(text, encoding="utf-8")


def _csv(path: Path, source_id: str, rows: list[dict], *, gz: bool = False) -> None:
    """Every catalogue column of the source, in order; cells not given are left empty."""
    from indicateurs.reference.catalogue import get_source

    source = get_source(source_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    opener = gzip.open if gz else open
    with opener(path, "wt", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(source.columns), delimiter=source.sep)
        writer.writeheader()
        for row in rows:
            unknown = set(row) - set(source.columns)
            assert not unknown, f"{source_id}: unknown columns {unknown}"
            writer.writerow(row)


def _geojson(path: Path, features: list[tuple[dict, object]]) -> None:
    _json(
        path,
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": props, "geometry": mapping(geom)}
                for props, geom in features
            ],
        },
    )


def write_cog_communes(path: Path) -> None:
    rows = [
        {
            "code": code,
            "nom": nom,
            "type": "commune-actuelle",
            "zone": "metro",
            "departement": DEPARTEMENT["code"],
            "region": REGION["code"],
            "population": pop,
        }
        for code, nom, _, pop, _ in COMMUNES
    ]
    _json(path, rows, gz=True)


def write_epci(path: Path) -> None:
    rows = []
    for code, meta in EPCI.items():
        members = [c for c in COMMUNES if c[2] == code]
        pop = sum(c[3] for c in members)
        rows.append(
            {
                "code": code,
                **meta,
                "populationMunicipale": pop,
                "populationTotale": pop,
                "membres": [{"code": c[0], "nom": c[1], "populationMunicipale": c[3]} for c in members],
            }
        )
    _json(path, rows, gz=True)


def write_departements(path: Path) -> None:
    _json(path, [{**DEPARTEMENT, "zone": "metro"}])


def write_regions(path: Path) -> None:
    _json(path, [{**REGION, "zone": "metro"}])


def write_geo_communes(path: Path) -> None:
    _geojson(
        path,
        [
            (
                {"code": code, "nom": nom, "dep": "2A", "reg": "94", "epci": epci, "pmun_2023": pop},
                cell(code),
            )
            for code, nom, epci, pop, _ in COMMUNES
        ],
    )


def write_geo_epci(path: Path) -> None:
    features = []
    for code, meta in EPCI.items():
        members = [c for c in COMMUNES if c[2] == code]
        pop = sum(c[3] for c in members)
        props = {
            "code": code,
            "nom": meta["nom"],
            "nature": meta["type"],
            "mode_financement": meta["modeFinancement"],
            "population_municipale": pop,
            "population_totale": pop,
            "n_communes": len(members),
        }
        features.append((props, unary_union([cell(c[0]) for c in members])))
    _geojson(path, features)


def write_geo_departements(path: Path) -> None:
    shape = unary_union([cell(c) for c in CODES])
    _geojson(path, [({"code": "2A", "nom": DEPARTEMENT["nom"], "reg": "94"}, shape)])


def write_geo_regions(path: Path) -> None:
    _geojson(path, [({"code": "94", "nom": REGION["nom"]}, unary_union([cell(c) for c in CODES]))])


def write_ifn(path: Path) -> None:
    names = ["no_thd_coverage_rate", "no_4g_coverage_rate", "poverty_rate", "older_65_rate", "nscol15p_rate"]
    rows = []
    for code, nom, *_ in COMMUNES:
        scores = IFN[code]
        rows.append(
            {
                "name": nom,
                "division": "city",
                "code": code,
                **{n: f"{float(v):.1f}" for n, v in zip(names, scores, strict=True)},
                "total": f"{sum(scores) / 5:.1f}",
            }
        )
    _csv(path, "ifn_communes_2023", rows)


def write_comparateur(path: Path) -> None:
    names = ["P18_POP", "SUPERF", "P18_MEN", "NBMENFISC19", "MED19", "TP6019", "P18_CHOM1564", "P18_ACT1564"]
    rows = [{"CODGEO": code, **dict(zip(names, COMPARATEUR[code], strict=True))} for code in CODES]
    _csv(path, "insee_comparateur_2022", rows, gz=True)


def write_rp2017(path: Path) -> None:
    rows = []
    for code, nom, *_ in COMMUNES:
        dipl, seul, mono, old = RP2017[code]
        rows.append(
            {
                "CODE_INSEE": code,
                "LIBCOM": nom,
                "DEP": "2A",
                "TX_NSCOL15P": dipl,
                "TX_MENSEUL": seul,
                "TX_FAMMONO": mono,
                "TX_65ETPLUS": old,
                "TX_25ETMOINS": 25.0,
            }
        )
    _csv(path, "d4g_rp2017_communes_2020", rows)


def write_arcep(path: Path) -> None:
    rows = []
    for code, nom, *_ in COMMUNES:
        nbr, t30, t100, t1g = ARCEP[code]
        rows.append(
            {
                "code_insee": code,
                "nom_com": nom,
                "code_dep": "2A",
                "code_reg": "94",
                "nbr": nbr,
                "type": "logloc",
                "inel_hd": 0,
                "elig_hd05": 0,
                "elig_hd3": 0,
                "elig_hd8": nbr - t30 - t100 - t1g,
                "elig_thd30": t30,
                "elig_thd100": t100,
                "elig_thd1g": t1g,
                "date": "2019-09-30",
            }
        )
    _csv(path, "arcep_debit_communes_2019", rows)


def write_illectronisme(path: Path) -> None:
    rows = [
        {"code_epci": code, "nom_epci": EPCI[code]["nom"], "taux_illectronisme_pct": rate}
        for code, rate in ILLECTRONISME.items()
    ]
    _csv(path, "insee_illectronisme_hdf", rows)


def write_france_services(path: Path) -> None:
    lat, lon = inside("2A004")
    lat2, lon2 = inside("2A272")
    rows = [
        {
            "id_fs": "1",
            "insee_dep": "2A",
            "lib_fs": "France services d'Ajaccio",
            "adresse": "1 rue Fictive",
            "insee_com": "2A004",
            "code_postal": "20000",
            "lib_com": "Ajaccio",
            "latitude": lat,
            "longitude": lon,
            "h_lundi": "09:00 - 12:00",
            "format_fs_anct": "Lieu fixe",
        },
        {
            "id_fs": "2",
            "insee_dep": "2A",
            "lib_fs": "France services de Sartène",
            "adresse": "2 cours Imaginaire",
            "insee_com": "2A272",
            "code_postal": "20100",
            "lib_com": "Sartène",
            "latitude": lat2,
            "longitude": lon2,
            "format_fs_anct": "Lieu fixe",
        },
        {
            "id_fs": "3",
            "insee_dep": "2A",
            "lib_fs": "France services itinérant du Valinco",
            "insee_com": "2A249",
            "code_postal": "20110",
            "lib_com": "Propriano",
            "latitude": lat2,
            "longitude": lon2 + 0.1,
            "format_fs_anct": "Mobile",
        },
    ]
    _csv(path, "france_services_2023", rows)


def write_permanences(path: Path) -> None:
    lat, lon = inside("2A032", 0.3, 0.3)
    lat2, lon2 = inside("2A249", 0.6, 0.4)
    rows = [
        {
            "id": "perm-1",
            "nom": "Médiathèque de Bastelicaccia",
            "services": "Prendre en main un ordinateur",
            "commune": "Bastelicaccia",
            "code_postal": "20129",
            "adresse": "3 place Inventée",
            "latitude": lat,
            "longitude": lon,
            "source": "conseiller-numerique",
            "nb_conseillers": "1",
        },
        {
            "id": "perm-2",
            "nom": "Espace numérique de Propriano",
            "services": "Utiliser le numérique au quotidien",
            "commune": "Propriano",
            "code_postal": "20110",
            "adresse": "4 quai Supposé",
            "latitude": lat2,
            "longitude": lon2,
            "source": "conseiller-numerique",
            "nb_conseillers": "2",
        },
    ]
    _csv(path, "cnfs_permanences_2022", rows)


def write_data_inclusion(path: Path) -> None:
    lat, lon = inside("2A004", 0.2, 0.7)
    rows = [
        {"id": "perm-1", "nom": "Médiathèque de Bastelicaccia (doublon)", "code_insee": "2A032"},
        {
            "id": "di-a",
            "nom": "Tiers-lieu d'Ajaccio",
            "commune": "Ajaccio",
            "code_postal": "20000",
            "adresse": "5 avenue Hypothétique",
            "code_insee": "2A004",
            "latitude": lat,
            "longitude": lon,
        },
        {"id": "di-b", "nom": "Point numérique d'Olmeto", "commune": "Olmeto", "code_insee": "2A192"},
    ]
    _csv(path, "data_inclusion_lieux_2023", rows)


def write_aidants_connect(path: Path) -> None:
    rows = [
        {
            "Name": "Mairie d'Alata",
            "ID": "1",
            "Is Active": "true",
            "City Insee Code": "2A006",
            "Nombre d'aidants": "3",
        },
        {
            "Name": "Ancienne structure",
            "ID": "2",
            "Is Active": "false",
            "City Insee Code": "2A017",
            "Nombre d'aidants": "1",
        },
    ]
    _csv(path, "aidants_connect_structures_2024", rows)


def write_coselec(path: Path) -> None:
    rows = [
        {
            "Raison sociale": "ASSOCIATION NUMERIQUE DU TARAVO",
            "Nombre de conseillers validés par le COSELEC": "2",
            "Code commune INSEE": "2A192",
            "Code département": "2A",
        }
    ]
    _csv(path, "cnfs_structures_coselec_2023", rows)


def write_postes(path: Path) -> None:
    rows = [
        {
            "Raison sociale": "COMMUNE D'AJACCIO",
            "Nb de conseillers recrutés": "3",
            "Code commune Insee": "2A004",
        }
    ]
    _csv(path, "cnfs_structures_postes_2023", rows)


WRITERS = {
    "cog_communes_2025": write_cog_communes,
    "epci_composition_2025": write_epci,
    "cog_departements_2026": write_departements,
    "cog_regions_2026": write_regions,
    "geo_communes_2025": write_geo_communes,
    "geo_epci_2025": write_geo_epci,
    "geo_departements_2025": write_geo_departements,
    "geo_regions_2025": write_geo_regions,
    "ifn_communes_2023": write_ifn,
    "insee_comparateur_2022": write_comparateur,
    "d4g_rp2017_communes_2020": write_rp2017,
    "arcep_debit_communes_2019": write_arcep,
    "insee_illectronisme_hdf": write_illectronisme,
    "france_services_2023": write_france_services,
    "cnfs_permanences_2022": write_permanences,
    "data_inclusion_lieux_2023": write_data_inclusion,
    "aidants_connect_structures_2024": write_aidants_connect,
    "cnfs_structures_coselec_2023": write_coselec,
    "cnfs_structures_postes_2023": write_postes,
}


def write_mirror(folder: Path) -> Path:
    """Write one fake file per source the build reads, at its catalogue `mirror_path` under `folder`."""
    from indicateurs.reference.catalogue import get_source

    for source_id, writer in WRITERS.items():
        writer(folder / get_source(source_id).mirror_path)
    return folder


@contextmanager
def environment(store: Path, mirror: Path | None):
    """INDICATEURS_DATA = store and INDICATEURS_MIROIR = mirror (unset if None), restored on exit."""
    saved = {k: os.environ.get(k) for k in ("INDICATEURS_DATA", "INDICATEURS_MIROIR")}
    os.environ["INDICATEURS_DATA"] = str(store)
    if mirror is None:
        os.environ.pop("INDICATEURS_MIROIR", None)
    else:
        os.environ["INDICATEURS_MIROIR"] = str(mirror)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def build_synthetic(root: Path) -> tuple[Path, dict]:
    """Write the fake mirror under `root/mirror` and build the base into the store `root/store`.

    Returns (store, build report). The environment is restored afterwards.
    """
    from indicateurs.build import build_base

    mirror = write_mirror(root / "mirror")
    store = root / "store"
    with environment(store, mirror):
        report = build_base()
    return store, report
