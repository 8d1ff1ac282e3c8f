"""Small files in the PRODUCERS' formats (not the mirror's), built in code: one writer per source.

Why: the download path must be proved on what the producers publish (Etalab contours with their own
property names and gzip, decoupage-administratif JSON, INSEE zip, ARCEP's 'Version beta' line and
';', France Services with quote marks, the CNFS and data·inclusion JSON with personal fields, codes
without their leading zeros…), not on the mirror's already-cleaned files. Values are invented; only
the codes, names of columns and properties, separators, encodings and compressions are the real ones.

The territory: 6 communes in 3 départements / 3 régions, 3 EPCI, one island without EPCI:

    EPCI 200069193 = 01001 + 01002     EPCI 240100883 = 01004 + 01007
    EPCI 242010056 = 2A004             no EPCI: 29155 (Ouessant)
    01002 absorbed the old commune 01999 (anciensCodes), whose code still appears in ARCEP's file.

Every writer returns `(file name, bytes)`; `FILES` maps each catalogue source id to its writer.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zipfile
from collections.abc import Callable

# code: (nom, departement, region, epci, population, (lon, lat) of the square's lower-left corner)
COMMUNES: dict[str, tuple] = {
    "01001": ("L'Abergement-Clémenciat", "01", "84", "200069193", 800, (4.90, 46.10)),
    "01002": ("L'Abergement-de-Varey", "01", "84", "200069193", 200, (4.95, 46.10)),
    "01004": ("Ambérieu-en-Bugey", "01", "84", "240100883", 15000, (5.30, 45.95)),
    "01007": ("Ambronay", "01", "84", "240100883", 3000, (5.35, 45.95)),
    "2A004": ("Ajaccio", "2A", "94", "242010056", 70000, (8.70, 41.90)),
    "29155": ("Ouessant", "29", "53", None, 800, (-5.10, 48.45)),
}
SIDE = 0.05  # degrees: each commune is a square, neighbours share an edge
EPCI = {
    "200069193": ("CC de la Dombes", "CC", "FPU"),
    "240100883": ("CC de la Plaine de l'Ain", "CC", "FPU"),
    "242010056": ("CA du Pays Ajaccien", "CA", "FPU"),
}
DEPARTEMENTS = {"01": ("Ain", "84"), "2A": ("Corse-du-Sud", "94"), "29": ("Finistère", "53")}
REGIONS = {"84": "Auvergne-Rhône-Alpes", "94": "Corse", "53": "Bretagne"}

# Invented indicator values, kept here so that tests can compute the expected results.
IFN = {  # no_thd, no_4g, poverty, older_65, nscol15p (1-10 classes); total deliberately wrong
    "01001": (10, 7, 2, 5, 6),
    "01002": (6, 8, 2, 4, 2),
    "01004": (6, 6, 8, 3, 5),
    "01007": (7, 8, 2, 3, 4),
    "2A004": (3, 2, 7, 6, 5),
    "29155": (9, 9, 5, 9, 8),
}
COMPARATEUR = {  # P18_POP, SUPERF, P18_MEN, NBMENFISC19, MED19, TP6019 ('' = secret), CHOM, ACT
    "01001": (780, 16.0, 320, 330, 24000, "", 30, 380),
    "01002": (210, 9.0, 90, 95, 22000, "", 8, 100),
    "01004": (14800, 24.5, 6500, 6400, 20500, 16.5, 900, 7200),
    "01007": (2900, 33.0, 1200, 1180, 23000, 9.0, 120, 1450),
    "2A004": (71000, 82.0, 32000, 31000, 21500, 18.0, 4000, 33000),
    "29155": (820, 15.6, 420, 410, 19000, "", 40, 330),
}
ARCEP = {  # code_insee: (nbr, elig_thd30, elig_thd100, elig_thd1g); 01999 merged into 01002 since
    "01001": (400, 10, 0, 100),
    "01002": (100, 0, 0, 20),
    "01999": (50, 0, 0, 30),
    "01004": (8000, 500, 200, 6000),
    "01007": (1600, 100, 0, 900),
    "2A004": (40000, 2000, 1000, 30000),
    "29155": (700, 0, 0, 0),
}
D4G = {  # TX_NSCOL15P, TX_MENSEUL, TX_FAMMONO, TX_65ETPLUS, TX_25ETMOINS (in %)
    "01001": (40.0, 20.0, 5.0, 20.0, 10.0),
    "01002": (50.0, 30.0, 4.0, 25.0, 8.0),
    "01004": (30.0, 35.0, 12.0, 18.0, 15.0),
    "01007": (35.0, 25.0, 8.0, 19.0, 12.0),
    "2A004": (28.0, 40.0, 14.0, 22.0, 14.0),
    "29155": (55.0, 45.0, 3.0, 40.0, 5.0),
}
ILLECTRONISME = {
    "240100883": ("CC de la Plaine de l'Ain", "18,7", "3\u202f346"),
    "200018083": ("CC hors fixture", "20,1", "1\u202f200"),
}


def _square(lon: float, lat: float) -> dict:
    ring = [[lon, lat], [lon + SIDE, lat], [lon + SIDE, lat + SIDE], [lon, lat + SIDE], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _centre(code: str) -> tuple[float, float]:
    lon, lat = COMMUNES[code][5]
    return round(lat + SIDE / 2, 6), round(lon + SIDE / 2, 6)


def _csv_bytes(
    header: list[str], rows: list[list], sep: str = ",", quoting: int = csv.QUOTE_MINIMAL
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, quoting=quoting, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _feature_collection(features: list[dict]) -> bytes:
    return gzip.compress(json.dumps({"type": "FeatureCollection", "features": features}).encode("utf-8"))


def _union_square(codes: list[str]) -> dict:
    """A polygon covering side-by-side squares (the Etalab EPCI/département layers are dissolved)."""
    from shapely.geometry import mapping, shape
    from shapely.ops import unary_union

    return mapping(unary_union([shape(_square(*COMMUNES[c][5])) for c in codes]))


# --------------------------------------------------------------------------- Etalab / decoupage-administratif


def cog_communes() -> tuple[str, bytes]:
    """decoupage-administratif `data/communes.json` (plain JSON on jsDelivr), incl. a commune déléguée."""
    rows = [
        {
            "code": code,
            "nom": nom,
            "typeLiaison": 0,
            "zone": "metro",
            "arrondissement": dep + "1",
            "departement": dep,
            "region": reg,
            "type": "commune-actuelle",
            "rangChefLieu": 0,
            "siren": "21" + code.replace("A", "0") + "00",
            "codesPostaux": [code.replace("A", "0")],
            "population": pop,
            **({"anciensCodes": ["01999"]} if code == "01002" else {}),
        }
        for code, (nom, dep, reg, _e, pop, _xy) in COMMUNES.items()
    ]
    rows.append(
        {
            "code": "01999",
            "nom": "Ancienne commune",
            "type": "commune-deleguee",
            "chefLieu": "01002",
            "departement": "01",
            "region": "84",
            "zone": "metro",
        }
    )
    return "communes.json", json.dumps(rows, ensure_ascii=False).encode("utf-8")


def epci_composition() -> tuple[str, bytes]:
    """decoupage-administratif `data/epci.json`: code = SIREN, membres with populations."""
    rows = []
    for code, (nom, kind, mode) in EPCI.items():
        members = [c for c, v in COMMUNES.items() if v[3] == code]
        membres = [
            {
                "code": c,
                "siren": "21" + c,
                "nom": COMMUNES[c][0],
                "populationTotale": COMMUNES[c][4] + 10,
                "populationMunicipale": COMMUNES[c][4],
            }
            for c in members
        ]
        rows.append(
            {
                "code": code,
                "nom": nom,
                "type": kind,
                "modeFinancement": mode,
                "populationTotale": sum(m["populationTotale"] for m in membres),
                "populationMunicipale": sum(m["populationMunicipale"] for m in membres),
                "membres": membres,
            }
        )
    return "epci.json", json.dumps(rows, ensure_ascii=False).encode("utf-8")


def cog_departements() -> tuple[str, bytes]:
    rows = [
        {"code": c, "region": r, "chefLieu": c + "001", "nom": n, "typeLiaison": 0, "zone": "metro"}
        for c, (n, r) in DEPARTEMENTS.items()
    ]
    rows.append({"code": "975", "region": "975", "nom": "Saint-Pierre-et-Miquelon", "zone": "com"})
    return "departements.json", json.dumps(rows, ensure_ascii=False).encode("utf-8")


def cog_regions() -> tuple[str, bytes]:
    rows = [
        {"code": c, "chefLieu": "", "nom": n, "typeLiaison": 0, "zone": "metro"} for c, n in REGIONS.items()
    ]
    rows.append({"code": "975", "nom": "Saint-Pierre-et-Miquelon", "zone": "com"})
    return "regions.json", json.dumps(rows, ensure_ascii=False).encode("utf-8")


def geo_communes() -> tuple[str, bytes]:
    """Etalab `communes-100m.geojson.gz`: properties code, nom, departement, region, epci (no population)."""
    features = [
        {
            "type": "Feature",
            "geometry": _square(*xy),
            "properties": {
                "code": code,
                "nom": nom,
                "departement": dep,
                "region": reg,
                **({"epci": epci} if epci else {}),
            },
        }
        for code, (nom, dep, reg, epci, _pop, xy) in COMMUNES.items()
    ]
    return "communes-100m.geojson.gz", _feature_collection(features)


def geo_epci() -> tuple[str, bytes]:
    """Etalab `epci-100m.geojson.gz`: properties code and nom only."""
    features = [
        {
            "type": "Feature",
            "geometry": _union_square([c for c, v in COMMUNES.items() if v[3] == code]),
            "properties": {"code": code, "nom": nom},
        }
        for code, (nom, _k, _m) in EPCI.items()
    ]
    return "epci-100m.geojson.gz", _feature_collection(features)


def geo_departements() -> tuple[str, bytes]:
    """Etalab `departements-100m.geojson.gz`: properties code, nom, region."""
    features = [
        {
            "type": "Feature",
            "geometry": _union_square([c for c, v in COMMUNES.items() if v[1] == code]),
            "properties": {"code": code, "nom": nom, "region": reg},
        }
        for code, (nom, reg) in DEPARTEMENTS.items()
    ]
    return "departements-100m.geojson.gz", _feature_collection(features)


def geo_regions() -> tuple[str, bytes]:
    """Etalab `regions-100m.geojson.gz`: properties code, nom."""
    features = [
        {
            "type": "Feature",
            "geometry": _union_square([c for c, v in COMMUNES.items() if v[2] == code]),
            "properties": {"code": code, "nom": nom},
        }
        for code, nom in REGIONS.items()
    ]
    return "regions-100m.geojson.gz", _feature_collection(features)


# --------------------------------------------------------------------------- indicators


def ifn_communes() -> tuple[str, bytes]:
    """La MedNum / ANCT `ifn-city-all-variation.csv` (',' ; `total` not the mean of the 5)."""
    header = [
        "name",
        "division",
        "code",
        "no_thd_coverage_rate",
        "no_4g_coverage_rate",
        "poverty_rate",
        "older_65_rate",
        "nscol15p_rate",
        "total",
    ]
    rows = [[COMMUNES[c][0], "city", c, *map(float, v), 9.9] for c, v in IFN.items()]
    return "ifn-city-all-variation.csv", _csv_bytes(header, rows).replace(b"\r\n", b"\n")


_COMPARATEUR_COLUMNS = [
    "CODGEO",
    "P18_POP",
    "P13_POP",
    "SUPERF",
    "NAIS1318",
    "DECE1318",
    "P18_MEN",
    "NAISD20",
    "DECESD20",
    "P18_LOG",
    "P18_RP",
    "P18_RSECOCC",
    "P18_LOGVAC",
    "P18_RP_PROP",
    "NBMENFISC19",
    "PIMP19",
    "MED19",
    "TP6019",
    "P18_EMPLT",
    "P18_EMPLT_SAL",
    "P13_EMPLT",
    "P18_POP1564",
    "P18_CHOM1564",
    "P18_ACT1564",
    "ETTOT18",
    "ETAZ18",
    "ETBE18",
    "ETFZ18",
    "ETGU18",
    "ETGZ18",
    "ETOQ18",
    "ETTEF118",
    "ETTEFP1018",
]


def insee_comparateur() -> tuple[str, bytes]:
    """INSEE `base_cc_comparateur_csv.zip`: base_cc_comparateur.CSV (';', CRLF) and its dictionary
    meta_base_cc_comparateur.CSV, here in Windows latin-1 with its CODGEO label rows."""
    rows = []
    for code, (pop, superf, men, menfisc, med, tp, chom, act) in COMPARATEUR.items():
        values = dict.fromkeys(_COMPARATEUR_COLUMNS, "")
        values.update(
            CODGEO=code,
            P18_POP=pop,
            SUPERF=superf,
            P18_MEN=men,
            NBMENFISC19=menfisc,
            MED19=med,
            TP6019=tp,
            P18_CHOM1564=chom,
            P18_ACT1564=act,
            P13_POP=pop,
        )
        rows.append([values[c] for c in _COMPARATEUR_COLUMNS])
    data = _csv_bytes(_COMPARATEUR_COLUMNS, rows, sep=";")
    meta_lines = ["COD_VAR;LIB_VAR;LIB_VAR_LONG;COD_MOD;LIB_MOD;TYPE_VAR;LONG_VAR"]
    meta_lines += [f"CODGEO;Code du département;;{c};{v[0]};CHAR;5" for c, v in COMMUNES.items()]
    meta_lines += [
        f"{c};Libellé {c} (année de référence);Libellé long {c};;;NUM;7" for c in _COMPARATEUR_COLUMNS[1:]
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("base_cc_comparateur.CSV", data)
        archive.writestr("meta_base_cc_comparateur.CSV", "\r\n".join(meta_lines).encode("cp1252"))
    return "base_cc_comparateur_csv.zip", buffer.getvalue()


def d4g_rp2017() -> tuple[str, bytes]:
    """Data For Good `data_scol_menage_demandeurEmplois.csv`: pandas index column, codes without their
    leading zero, an almost-empty TX_DEMANDEURS_EMPLOI and a duplicate empty row per commune."""
    header = [
        "",
        "CODE_INSEE",
        "LIBCOM",
        "DEP",
        "TX_NSCOL15P",
        "TX_MENSEUL",
        "TX_FAMMONO",
        "TX_65ETPLUS",
        "TX_25ETMOINS",
        "TX_DEMANDEURS_EMPLOI",
    ]
    rows, i = [], 0
    for code, values in D4G.items():
        short = code.lstrip("0")
        rows.append([i, short, COMMUNES[code][0], COMMUNES[code][1].lstrip("0"), "", "", "", "", "", ""])
        rows.append([i + 1, short, COMMUNES[code][0], COMMUNES[code][1].lstrip("0"), *values, ""])
        i += 2
    return "data_scol_menage_demandeurEmplois.csv", _csv_bytes(header, rows).replace(b"\r\n", b"\n")


def arcep_debit() -> tuple[str, bytes]:
    """ARCEP Ma connexion internet `commune-debit-beta.csv`: a 'Version beta' line above the header, ';'."""
    header = [
        "code_insee",
        "nom_com",
        "code_dep",
        "code_reg",
        "nbr",
        "type",
        "inel_hd",
        "elig_hd05",
        "elig_hd3",
        "elig_hd8",
        "elig_thd30",
        "elig_thd100",
        "elig_thd1g",
        "date",
    ]
    rows = []
    for code, (nbr, t30, t100, t1g) in ARCEP.items():
        nom, dep, reg = COMMUNES.get(code, ("Ancienne commune", "01", "84"))[:3]
        rest = nbr - t30 - t100 - t1g
        rows.append([code, nom, dep, reg, nbr, "logloc", 0, 0, 0, rest, t30, t100, t1g, "2019-09-30"])
    body = _csv_bytes(header, rows, sep=";").decode("utf-8")
    return "commune-debit-beta.csv", ("Version beta : données indicatives\n" + body).encode("utf-8")


def illectronisme() -> tuple[str, bytes]:
    """Portrea's copy of the INSEE Hauts-de-France study: French numbers as text, numeric EPCI code."""
    rows = [
        {"Code EPCI": int(code), "Libellé EPCI": nom, "Taux (en %)": taux, "Nombre": nb}
        for code, (nom, taux, nb) in ILLECTRONISME.items()
    ]
    return "illectronisme-insee.json", json.dumps(rows, ensure_ascii=False).encode("utf-8")


# --------------------------------------------------------------------------- offer


def france_services() -> tuple[str, bytes]:
    """ANCT `liste-fs.csv`: every cell quoted, ','; one fixed site, one bus, one in an old code."""
    header = [
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
        "mail",
        "telephone",
        "h_lundi",
        "h_mardi",
        "h_mercredi",
        "h_jeudi",
        "h_vendredi",
        "h_samedi",
        "commentaire",
        "itinerance",
        "format_fs",
        "groupe",
        "labellisation",
        "format_fs_anct",
    ]
    hours = ["09:00 - 12:00 / 13:30 - 17:00"] * 5 + [""]

    def row(i, code, fmt, roaming):
        lat, lon = _centre(code)
        return [
            i,
            COMMUNES[code][1],
            f"France services {i}",
            "1 place de la Mairie",
            "",
            code,
            code.replace("A", "0"),
            COMMUNES[code][0],
            lat,
            lon,
            "fs@example.org",
            "04 00 00 00 00",
            *hours,
            "",
            roaming,
            "Site principal",
            "",
            "Espace labellisé 01/01/2020",
            fmt,
        ]

    rows = [
        row(1, "01004", "Lieu fixe", "Non"),
        row(2, "01001", "Mobile", "Oui"),
        row(3, "2A004", "Lieu fixe", "Non"),
    ]
    return "liste-fs.csv", _csv_bytes(header, rows, quoting=csv.QUOTE_ALL)


def cnfs_permanences() -> tuple[str, bytes]:
    """mednum-cli `cnfs.json`: flat records with `aidants` (advisers' names and contacts) to strip."""
    records = []
    for i, code in enumerate(["01004", "01007", "2A004"], start=1):
        lat, lon = _centre(code)
        records.append(
            {
                "id": f"perm{i:03d}",
                "nom": f"Permanence {i}",
                "services": "Prendre en main un ordinateur;Utiliser le numérique au quotidien",
                "pivot": "00000000000000",
                "commune": COMMUNES[code][0].upper(),
                "code_postal": code.replace("A", "0"),
                "adresse": "2 rue de l'Exemple",
                "latitude": lat,
                "longitude": lon,
                "courriel": "lieu@example.org",
                "telephone": "+33400000000",
                "conditions_access": "Gratuit",
                "labels_nationaux": "CNFS",
                "horaires": "Mo-Fr 09:00-12:00",
                "source": "conseiller-numerique",
                "date_maj": "2022-11-0" + str(i),
                "structureId": f"s{i}",
                "aidants": [
                    {
                        "aidantId": "a1",
                        "nom": "Camille Exemple",
                        "courriel": "camille@example.org",
                        "telephone": "+33600000000",
                    }
                ]
                * i,
            }
        )
    return "cnfs.json", json.dumps(records, ensure_ascii=False).encode("utf-8")


def data_inclusion() -> tuple[str, bytes]:
    """mednum-cli `data-inclusion.json`: flat records; one duplicates a CNFS permanence (same id), one
    has a commune code but no coordinates."""
    columns = [
        "id",
        "nom",
        "services",
        "pivot",
        "typologie",
        "commune",
        "code_postal",
        "adresse",
        "code_insee",
        "site_web",
        "presentation_resume",
        "modalites_accompagnement",
        "source",
        "date_maj",
        "complement_adresse",
        "latitude",
        "longitude",
        "presentation_detail",
        "prise_rdv",
        "publics_accueillis",
        "conditions_acces",
        "horaires",
        "labels_nationaux",
    ]
    records = []
    for rid, code, xy in [("di-1", "01001", True), ("perm001", "01004", True), ("di-3", "29155", False)]:
        record = dict.fromkeys(columns, "")
        lat, lon = _centre(code)
        record.update(
            id=rid,
            nom=f"Lieu {rid}",
            services="Accéder à une connexion internet",
            code_insee=code,
            commune=COMMUNES[code][0],
            code_postal=code,
            source="dora",
            date_maj="2023-01-20",
            telephone="+33400000001",
            courriel="lieu@example.org",
        )
        if xy:
            record.update(latitude=lat, longitude=lon)
        else:
            del record["latitude"], record["longitude"]
        records.append(record)
    return "data-inclusion.json", json.dumps(records, ensure_ascii=False).encode("utf-8")


def aidants_connect() -> tuple[str, bytes]:
    """Aidants Connect export: SIRET with a trailing '.0', one inactive structure."""
    header = [
        "Name",
        "ID",
        "UUID",
        "Is Active",
        "City Insee Code",
        "Address",
        "Zip Code",
        "Siret",
        "France Services Label",
        "City",
        "Nombre d'aidants",
    ] + [
        f"Question {n} → {label}"
        for n, label in [
            (110, "Nombre D'usagers Uniques"),
            (109, "Nombre De Demarche Par Structure"),
            (99, "Nombre Demarche Argent"),
            (107, "Nombre Demarche Etranger"),
            (103, "Nombre Demarche Famille"),
            (106, "Nombre Demarche Justice"),
            (108, "Nombre Demarche Loisirs"),
            (102, "Nombre Demarche Papier"),
            (104, "Nombre Demarche Social"),
            (105, "Nombre Demarche Transport"),
            (113, "Nombre Demarche Travail"),
            (114, "Nombre Demarche Logement"),
        ]
    ]
    rows = [
        [
            "Mairie A",
            1,
            "u-1",
            "true",
            "01004",
            "1 rue, 01500 Ambérieu",
            "01500",
            "21010004000010.0",
            "false",
            "Ambérieu",
            3,
        ]
        + [""] * 12,
        [
            "Mairie B",
            2,
            "u-2",
            "false",
            "01001",
            "1 rue, 01400",
            "01400",
            "21010001000010.0",
            "false",
            "L'Abergement",
            2,
        ]
        + [""] * 12,
    ]
    return "aidants_connect_structures.csv", _csv_bytes(header, rows).replace(b"\r\n", b"\n")


def cnfs_coselec() -> tuple[str, bytes]:
    """ANCT `20230405-3925-cnfs.csv`: ';', codes without their leading zero."""
    header = [
        "Raison sociale",
        "Commune INSEE",
        "Département",
        "Région",
        "Nombre de conseillers validés par le COSELEC",
        "Date de validation en comité de sélection",
        "Type",
        "SIRET",
        "Code département",
        "Adresse",
        "Code commune INSEE",
        "Code postal",
        "Investissement financier estimatif total de l’Etat",
        "ZRR",
        "QPV",
        "France services",
    ]
    rows = [
        [
            "STRUCTURE A",
            "Ambérieu-en-Bugey",
            "Ain",
            "Auvergne-Rhône-Alpes",
            2,
            "16/06/2021",
            "publique",
            "1",
            "1",
            "1 rue",
            "1004",
            "1500",
            74858,
            "non",
            "oui",
            "non",
        ],
        [
            "STRUCTURE B",
            "Ajaccio",
            "Corse-du-Sud",
            "Corse",
            3,
            "14/04/2021",
            "privée",
            "2",
            "2A",
            "2 rue",
            "2A004",
            "20000",
            37429,
            "non",
            "non",
            "non",
        ],
    ]
    return "20230405-3925-cnfs.csv", _csv_bytes(header, rows, sep=";")


def cnfs_postes() -> tuple[str, bytes]:
    """Portrea `cnum.json`: an object keyed by structure name, codes as numbers (leading zero lost)."""
    data = {
        "BOCAGE NUMERIQUE": {
            "Siret": 84009530100015,
            "Nb de conseillers attribués": 3,
            "Nb de conseillers en formation": 0,
            "Nb de conseillers formés": 3,
            "Nb de conseillers recrutés": 2,
            "Code postal": 1500,
            "Code commune Insee": 1004,
            "Investissement estimatif de l'état": "112\u202f286,48",
            "Label France Services": "non",
            "Postes attribués en QPV": "Non défini",
            "ZRR": "oui",
        },
    }
    return "cnum.json", json.dumps(data, ensure_ascii=False).encode("utf-8")


FILES: dict[str, Callable[[], tuple[str, bytes]]] = {
    "cog_communes_2025": cog_communes,
    "epci_composition_2025": epci_composition,
    "cog_departements_2026": cog_departements,
    "cog_regions_2026": cog_regions,
    "geo_communes_2025": geo_communes,
    "geo_epci_2025": geo_epci,
    "geo_departements_2025": geo_departements,
    "geo_regions_2025": geo_regions,
    "ifn_communes_2023": ifn_communes,
    "insee_comparateur_2022": insee_comparateur,
    "insee_comparateur_meta_2022": insee_comparateur,
    "d4g_rp2017_communes_2020": d4g_rp2017,
    "arcep_debit_communes_2019": arcep_debit,
    "insee_illectronisme_hdf": illectronisme,
    "france_services_2023": france_services,
    "cnfs_permanences_2022": cnfs_permanences,
    "data_inclusion_lieux_2023": data_inclusion,
    "aidants_connect_structures_2024": aidants_connect,
    "cnfs_structures_coselec_2023": cnfs_coselec,
    "cnfs_structures_postes_2023": cnfs_postes,
}


def producer_files() -> dict[str, tuple[str, bytes]]:
    """source id -> (file name, bytes) for every source the build fetches."""
    return {sid: writer() for sid, writer in FILES.items()}


# --------------------------------------------------------------------------- newest releases ("courants")

# A later comparateur edition: same meaning, columns renamed after their years (P22_*, MED21, TP6021).
COMPARATEUR_COURANT = {
    code: (pop + 20, superf, men + 5, menfisc + 5, med + 2000, tp, chom, act + 10)
    for code, (pop, superf, men, menfisc, med, tp, chom, act) in COMPARATEUR.items()
}
ARCEP_COURANT = {code: (nbr, 0, 0, nbr - 10) for code, (nbr, *_r) in ARCEP.items() if code != "01999"}


def insee_comparateur_courant() -> tuple[str, bytes]:
    """INSEE comparateur of a later edition: RP 2022 / Filosofi 2021 column names, ';', CRLF, zipped,
    the dictionary in Windows latin-1."""
    renamed = [
        c.replace("P18_", "P22_").replace("P13_", "P16_").replace("19", "21").replace("18", "22")
        for c in _COMPARATEUR_COLUMNS
    ]
    rows = []
    for code, (pop, superf, men, menfisc, med, tp, chom, act) in COMPARATEUR_COURANT.items():
        values = dict.fromkeys(renamed, "")
        values.update(
            CODGEO=code,
            P22_POP=pop,
            P16_POP=pop,
            SUPERF=superf,
            P22_MEN=men,
            NBMENFISC21=menfisc,
            MED21=med,
            TP6021=tp,
            P22_CHOM1564=chom,
            P22_ACT1564=act,
        )
        rows.append([values[c] for c in renamed])
    meta = ["COD_VAR;LIB_VAR;LIB_VAR_LONG;COD_MOD;LIB_MOD;TYPE_VAR;LONG_VAR"]
    meta += [f"{c};Médiane du revenu disponible (année {c[-2:]});;;;NUM;7" for c in renamed[1:]]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("base_cc_comparateur.CSV", _csv_bytes(renamed, rows, sep=";"))
        archive.writestr("meta_base_cc_comparateur.CSV", "\r\n".join(meta).encode("cp1252"))
    return "base_cc_comparateur_csv.zip", buffer.getvalue()


def arcep_debit_courant() -> tuple[str, bytes]:
    """ARCEP `statistiques/last/commune/commune_debit.csv` of a later quarter: no 'Version beta' line,
    an `elig_bhd8` class, and one row per premises `type` besides the all-premises `logloc` row."""
    header = ["code_insee", "nom_com", "code_dep", "code_reg", "nbr", "type", "inel_hd", "elig_hd05",
              "elig_hd3", "elig_bhd8", "elig_thd30", "elig_thd100", "elig_thd1g", "date"]  # fmt: skip
    rows = []
    for code, (nbr, t30, t100, t1g) in ARCEP_COURANT.items():
        nom, dep, reg = COMMUNES[code][:3]
        rows.append([code, nom, dep, reg, nbr, "logloc", 0, 0, 0, 10, t30, t100, t1g, "2026-06-30"])
        # one row per premises type too (dwellings, business premises): never added to logloc
        rows.append([code, nom, dep, reg, nbr - 5, "log", 0, 0, 0, 5, t30, t100, t1g - 5, "2026-06-30"])
        rows.append([code, nom, dep, reg, 5, "loc", 5, 0, 0, 0, 0, 0, 0, "2026-06-30"])
    return "commune_debit.csv", _csv_bytes(header, rows)


def npm_registry(versions: list[str], latest: str) -> bytes:
    """The npm registry document of a package (only the fields the resolver reads)."""
    return json.dumps(
        {
            "name": "@etalab/decoupage-administratif",
            "dist-tags": {"latest": latest},
            "versions": {v: {"version": v} for v in versions},
            "time": {v: f"2026-0{i + 1}-15T10:00:00.000Z" for i, v in enumerate(versions)},
        }
    ).encode("utf-8")


def datagouv_dataset(resources: list[tuple[str, str, str, str]]) -> bytes:
    """data.gouv.fr `/api/1/datasets/<id>/` (shape of the API's answer, trimmed): `resources` given as
    (title, format, url, last_modified), in the API's own order (not by date)."""
    return json.dumps(
        {
            "id": "5f0f1f1f1f1f1f1f1f1f1f1f",
            "slug": "liste-des-structures-france-services",
            "title": "Liste des structures France services",
            "organization": {"name": "Agence nationale de la cohésion des territoires"},
            "resources": [
                {
                    "id": f"r{i}",
                    "title": title,
                    "format": fmt,
                    "url": url,
                    "type": "main",
                    "filetype": "remote",
                    "mime": "text/csv",
                    "created_at": modified,
                    "last_modified": modified,
                    "filesize": 1000,
                }
                for i, (title, fmt, url, modified) in enumerate(resources)
            ],
        }
    ).encode("utf-8")


FILOSOFI_TERRITOIRES = {  # level -> {code: (median €, poverty rate % or "" when secret)}
    "EPCI": {"240100883": (23456, 12.3), "200069193": (24500, ""), "999999999": (20000, 15.0)},
    "DEP": {"01": (23800, 10.1), "2A": (21900, 17.2), "29": (22100, 11.0)},
    "REG": {"84": (23000, 12.5), "94": (21000, 18.4), "53": (22300, 10.8)},
}


_FILOSOFI_GEO_OBJECT = {"EPCI": "EPCI", "DEP": "DEP", "REG": "REG"}


def insee_filosofi_territoires() -> tuple[str, bytes]:
    """INSEE `base-cc-filosofi-2021-geo2025_csv.zip` as INSEE publishes it since 2025: ONE long ';'
    file `DS_FILOSOFI_CC_data.csv` (GEO;GEO_OBJECT;FILOSOFI_MEASURE;UNIT_MEASURE;UNIT_MULT;CONF_STATUS;
    OBS_STATUS;TIME_PERIOD;OBS_VALUE), a row per territory, measure and year, communes included, a
    secret value as an empty OBS_VALUE, and its metadata file."""
    header = [
        "GEO", "GEO_OBJECT", "FILOSOFI_MEASURE", "UNIT_MEASURE", "UNIT_MULT",
        "CONF_STATUS", "OBS_STATUS", "TIME_PERIOD", "OBS_VALUE",
    ]  # fmt: skip

    def rows(geo: str, kind: str, med, tp, year: str = "2021") -> list[list]:
        out = []
        for measure, unit, value in (("MED_SL", "EUR", med), ("PR_MD60", "PCT", tp), ("D1_SL", "EUR", 11000)):
            secret = value == ""
            out.append(
                [geo, kind, measure, unit, "0", "C" if secret else "F", "O" if secret else "A", year, value]
            )
        return out

    body = []
    for code in COMMUNES:
        body += rows(code, "COM", COMPARATEUR[code][4], COMPARATEUR[code][5])
    for level, territories in FILOSOFI_TERRITOIRES.items():
        for code, (med, tp) in territories.items():
            body += rows(code, _FILOSOFI_GEO_OBJECT[level], med, tp)
    body += rows("240100883", "EPCI", 99999, 99.9, year="2020")  # an older year in the same file: ignored
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("DS_FILOSOFI_CC_data.csv", _csv_bytes(header, body, sep=";"))
        archive.writestr(
            "DS_FILOSOFI_CC_metadata.csv",
            "COD_VAR;LIB_VAR;COD_MOD;LIB_MOD\r\nFILOSOFI_MEASURE;Mesure;MED_SL;Médiane du niveau de vie\r\n".encode(),
        )
    return "base-cc-filosofi-2021-geo2025_csv.zip", buffer.getvalue()


def insee_filosofi_territoires_wide() -> tuple[str, bytes]:
    """An earlier edition's layout (`base-cc-filosofi-2020_CSV.zip`): one ';' file per level (COM,
    EPCI, DEP, REG), columns CODGEO, LIBGEO, NBMENFISC20, MED20, TP6020…, and the variable dictionary."""
    header = ["CODGEO", "LIBGEO", "NBMENFISC20", "NBPERSMENFISC20", "MED20", "PIMP20", "TP6020", "TP60AGE120"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        com = [[c, v[0], 100, 200, COMPARATEUR[c][4], "", COMPARATEUR[c][5], ""] for c, v in COMMUNES.items()]
        archive.writestr("cc_filosofi_2020_COM.csv", _csv_bytes(header, com, sep=";"))
        for level, territories in FILOSOFI_TERRITOIRES.items():
            body = [
                [code, f"Territoire {code}", 1000, 2000, med, "", tp, ""]
                for code, (med, tp) in territories.items()
            ]
            archive.writestr(f"cc_filosofi_2020_{level}.csv", _csv_bytes(header, body, sep=";"))
        archive.writestr("meta_cc_filosofi_2020.csv", "COD_VAR;LIB_VAR\r\nMED20;Médiane\r\n".encode("cp1252"))
    return "base-cc-filosofi-2020_CSV.zip", buffer.getvalue()


# --------------------------------------------------------------------------- national file of places (current)

LIEUX_NATIONAUX_COLUMNS = [  # opendata export of the Cartographie nationale (schema "Lieux de médiation numérique")
    "id", "pivot", "nom", "commune", "code_postal", "code_insee", "adresse", "complement_adresse",
    "latitude", "longitude", "typologie", "telephone", "courriels", "site_web", "horaires",
    "presentation_resume", "presentation_detail", "source", "itinerance", "structure_parente", "date_maj",
    "services", "publics_specifiquement_adresses", "prise_en_charge_specifique", "frais_a_charge",
    "dispositif_programmes_nationaux", "formations_labels", "autres_formations_labels", "modalites_acces",
    "modalites_accompagnement", "fiche_acces_libre", "prise_rdv",
]  # fmt: skip
LIEUX_NATIONAUX_DATE_MAX = "2026-11-20"
# id: (nom, code_insee or '' , (lat, lon) or None, pivot, programmes ('|'), date_maj)
LIEUX_NATIONAUX = {
    # a CnFS place of Ambérieu
    "lmn-a": ("Médiathèque d'Ambérieu", "01004", "centre", "00000000000000", "Conseillers numériques",
              "2026-10-15 08:00:00"),
    # the France Services site 1 of the FS list (same name, same commune): merged, brings its CnFS
    "lmn-b": ("France Services 1", "01004", "centre", "00000000000000", "France Services|Conseillers numériques",
              "2026-09-01 10:00:00"),
    # listed twice with the same SIRET in Ambronay: one place
    "lmn-c1": ("Espace numérique d'Ambronay", "01007", "centre", "21010007000019", "", "2026-11-02 09:00:00"),
    "lmn-c2": ("Espace numérique (mairie)", "01007", "centre", "21010007000019", "", "2026-11-03 09:00:00"),
    # no code_insee, coordinates in Ajaccio: commune found by point in polygon
    "lmn-d": ("Point numérique d'Ajaccio", "", "centre:2A004", "00000000000000", "Aidants Connect",
              "2026-11-20T03:12:45.123+01:00"),
    # outside the territory (Paris): counted as dropped, never silently
    "lmn-e": ("Lieu parisien", "75056", (48.8566, 2.3522), "00000000000000", "", "2026-11-01 00:00:00"),
    # neither code nor coordinates: dropped and counted
    "lmn-f": ("Lieu sans adresse", "", None, "00000000000000", "", "2026-05-01 00:00:00"),
    # the Aidants Connect structure "Mairie A" of the 2024 export: merged, brings its 3 aidants
    "lmn-g": ("MAIRIE A", "01004", "centre", "00000000000000", "Aidants Connect", "2026-08-01 00:00:00"),
}  # fmt: skip


def lieux_mediation_numerique(*, old_schema: bool = False) -> tuple[str, bytes]:
    """Cartographie nationale `lieux-mediation-numerique.csv` on data.gouv.fr: ';', UTF-8 with BOM,
    multi-valued fields joined by '|', `pivot` the '00000000000000' placeholder, `date_maj` a
    timestamp. `old_schema`: schema v1.0 (',' separator, `labels_nationaux` with 'CNFS', ',')."""
    columns = list(LIEUX_NATIONAUX_COLUMNS)
    if old_schema:
        columns[columns.index("dispositif_programmes_nationaux")] = "labels_nationaux"
    rows = []
    for rid, (nom, code, where, pivot, progs, day) in LIEUX_NATIONAUX.items():
        record = dict.fromkeys(columns, "")
        if where == "centre":
            lat, lon = _centre(code)
        elif isinstance(where, str) and where.startswith("centre:"):
            lat, lon = _centre(where.split(":")[1])
        elif where is None:
            lat = lon = ""
        else:
            lat, lon = where
        home = code or (where.split(":")[1] if isinstance(where, str) and ":" in where else "")
        record.update(
            id=rid,
            pivot=pivot,
            nom=nom,
            commune=COMMUNES[home][0] if home in COMMUNES else ("Paris" if code == "75056" else ""),
            code_postal=home.replace("A", "0") if home in COMMUNES else ("75001" if code == "75056" else ""),
            code_insee=code,
            adresse="1 rue de la République" if where is not None else "",
            latitude=lat,
            longitude=lon,
            telephone="+33400000000",
            courriels="contact@example.org",
            source="Coop numérique",
            date_maj=day,
            services="Aide aux démarches administratives|Maîtrise des outils numériques du quotidien",
            frais_a_charge="Gratuit",
            modalites_acces="Se présenter|Téléphoner",
            itinerance="Fixe",
        )
        programme_column = "labels_nationaux" if old_schema else "dispositif_programmes_nationaux"
        record[programme_column] = (
            progs.replace("Conseillers numériques", "CNFS").replace("|", ",") if old_schema else progs
        )
        rows.append([record[c] for c in columns])
    if old_schema:
        return "lieux-mediation-numerique.csv", _csv_bytes(columns, rows, sep=",")
    body = _csv_bytes(columns, rows, sep=";").decode("utf-8")
    return "lieux-mediation-numerique.csv", ("\ufeff" + body).encode("utf-8")


# --------------------------------------------------------------------------- INSEE census bases (RP 2021)

# Invented counts (decimals: census weights). 01999 (merged into 01002 since) is still in the files.
RP_POPULATION = {  # CODGEO: (P21_POP, P21_POP65P)
    "01001": (812.4, 160.2),
    "01002": (190.0, 50.0),
    "01999": (20.0, 10.0),
    "01004": (15010.0, 2401.6),
    "01007": (3050.0, 580.0),
    "2A004": (71240.5, 15673.0),
    "29155": (790.0, 330.0),
}
RP_DIPLOMES = {  # CODGEO: (P21_NSCOL15P, _DIPLMIN, _BEPC, _CAPBEP)
    "01001": (640.0, 90.0, 40.0, 120.0),
    "01002": (170.0, 30.0, 10.0, 40.0),
    "01999": (16.0, 4.0, 1.0, 3.0),
    "01004": (11800.0, 2100.0, 700.0, 2900.0),
    "01007": (2400.0, 300.0, 150.0, 520.0),
    "2A004": (57000.0, 9000.0, 3400.0, 8800.0),
    "29155": (700.0, 200.0, 50.0, 180.0),
}
RP_MENAGES = {  # CODGEO: (C21_MEN, C21_MENPSEUL, C21_MENFAMMONO)
    "01001": (330.0, 70.0, 20.0),
    "01002": (85.0, 25.0, 4.0),
    "01999": (10.0, 4.0, 1.0),
    "01004": (6600.0, 2300.0, 800.0),
    "01007": (1230.0, 310.0, 100.0),
    "2A004": (33000.0, 13500.0, 4600.0),
    "29155": (430.0, 200.0, 12.0),
}


def _insee_census_zip(stem: str, year: str, header: list[str], rows: list[list], meta: list[str]) -> bytes:
    """An INSEE census base as published: `base-cc-<stem>-<year>.CSV` (';', CRLF, Windows latin-1)
    and its dictionary `meta_base-cc-<stem>-<year>.CSV` in `base-cc-<stem>-<year>_csv.zip`."""
    body = io.StringIO()
    writer = csv.writer(body, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"base-cc-{stem}-{year}.CSV", body.getvalue().encode("cp1252"))
        dictionary = ["COD_VAR;LIB_VAR;LIB_VAR_LONG;TYPE_VAR;LONG_VAR", *meta]
        archive.writestr(f"meta_base-cc-{stem}-{year}.CSV", "\r\n".join(dictionary).encode("cp1252"))
    return buffer.getvalue()


def insee_rp_population(year: str = "2021", renamed: dict[str, str] | None = None) -> tuple[str, bytes]:
    """`base-cc-evol-struct-pop-2021_csv.zip`: CODGEO, P21_POP, P21_POP0014 … P21_POP65P, older P15_POP."""
    yy = year[2:]
    header = ["CODGEO", f"P{yy}_POP", f"P{yy}_POP0014", f"P{yy}_POP65P", f"P{yy}_POPH", "P15_POP", "P10_POP"]
    header = [(renamed or {}).get(c, c) for c in header]
    rows = [[c, pop, round(pop * 0.17, 1), p65, round(pop * 0.49, 1), pop - 30, pop - 60]
            for c, (pop, p65) in RP_POPULATION.items()]  # fmt: skip
    meta = [
        f"P{yy}_POP;Population en {year};Population;NUM;17",
        f"P{yy}_POP65P;Pop 65 ans ou plus en {year};;NUM;17",
    ]
    return f"base-cc-evol-struct-pop-{year}_csv.zip", _insee_census_zip(
        "evol-struct-pop", year, header, rows, meta
    )


def insee_rp_diplomes(year: str = "2021") -> tuple[str, bytes]:
    """`base-cc-diplomes-formation-2021_csv.zip`: P21_NSCOL15P and its _DIPLMIN, _BEPC, _CAPBEP, _BAC…"""
    yy = year[2:]
    header = ["CODGEO", f"P{yy}_POP0205", f"P{yy}_NSCOL15P", f"P{yy}_NSCOL15P_DIPLMIN", f"P{yy}_NSCOL15P_BEPC",
              f"P{yy}_NSCOL15P_CAPBEP", f"P{yy}_NSCOL15P_BAC", f"P{yy}_NSCOL15P_SUP2"]  # fmt: skip
    rows = [[c, 10.0, n, dmin, bepc, cap, round(n * 0.2, 1), round(n * 0.1, 1)]
            for c, (n, dmin, bepc, cap) in RP_DIPLOMES.items()]  # fmt: skip
    meta = [f"P{yy}_NSCOL15P_DIPLMIN;Pop 15 ans ou plus non scol. Sans diplôme ou CEP en {year};;NUM;17"]
    return f"base-cc-diplomes-formation-{year}_csv.zip", _insee_census_zip(
        "diplomes-formation", year, header, rows, meta
    )


def insee_rp_menages(year: str = "2021") -> tuple[str, bytes]:
    """`base-cc-coupl-fam-men-2021_csv.zip`: C21_MEN, C21_MENPSEUL, C21_MENFAMMONO, C21_FAM, C21_FAMMONO…"""
    yy = year[2:]
    header = ["CODGEO", f"C{yy}_MEN", f"C{yy}_MENPSEUL", f"C{yy}_MENCOUPAENF", f"C{yy}_MENFAMMONO",
              f"C{yy}_FAM", f"C{yy}_FAMMONO", f"P{yy}_POP15P"]  # fmt: skip
    rows = [[c, men, seul, round(men * 0.3, 1), mono, round(men * 0.6, 1), mono + 1, round(men * 1.8, 1)]
            for c, (men, seul, mono) in RP_MENAGES.items()]  # fmt: skip
    meta = [f"C{yy}_MENFAMMONO;Ménages fam princ Famille mono en {year} (compl);;NUM;17"]
    return f"base-cc-coupl-fam-men-{year}_csv.zip", _insee_census_zip(
        "coupl-fam-men", year, header, rows, meta
    )


def pynsee_catalogue(entries: list[tuple[str, str, str, str]]) -> bytes:
    """A file list in the shape pynsee's `download` module reads (`liste_donnees.json` of MELODI /
    DoReMIFaSol): entries given as (nom, libelle, lien, date_ref), in the list's own order."""
    return json.dumps(
        [
            {
                "nom": nom,
                "libelle": libelle,
                "collection": "RP",
                "lien": lien,
                "type": "csv",
                "zip": True,
                "big_zip": False,
                "fichier_donnees": lien.rsplit("/", 1)[-1].replace("_csv.zip", ".CSV"),
                "separateur": ";",
                "date_ref": date_ref,
                "api_rest": False,
            }
            for nom, libelle, lien, date_ref in entries
        ],
        ensure_ascii=False,
    ).encode("utf-8")


# Boundaries of the year through cartiflette (IGN ADMIN EXPRESS COG CARTO): the same squares as
# Etalab's, all moved east by CARTIFLETTE_SHIFT (neighbours still share an edge), so that a test can
# tell which producer's polygons the base holds.
CARTIFLETTE_SHIFT = 0.001


def geo_communes_cartiflette() -> tuple[str, bytes]:
    """cartiflette's consolidated GeoParquet 1.1 of the COMMUNE layer (FRANCE_ENTIERE, EPSG:4326):
    IGN field names (INSEE_COM, NOM, INSEE_DEP, INSEE_REG, SIREN_EPCI — 'NC' without EPCI —,
    POPULATION), INSEE labels and zonings, AREA, PAYS, SOURCE, a `bbox` covering column, rows sorted
    by région, and the `cartiflette:filter_columns` metadata its client reads."""
    import geopandas as gpd
    import pyarrow.parquet as pq
    from shapely.geometry import box

    rows = sorted(COMMUNES.items(), key=lambda item: (item[1][2], item[0]))
    frame = gpd.GeoDataFrame(
        {
            "INSEE_COM": [c for c, _ in rows],
            "NOM": [v[0] for _, v in rows],
            "INSEE_DEP": [v[1] for _, v in rows],
            "INSEE_REG": [v[2] for _, v in rows],
            "SIREN_EPCI": [v[3] or "NC" for _, v in rows],
            "POPULATION": [v[4] for _, v in rows],
            "LIBELLE_DEPARTEMENT": [DEPARTEMENTS[v[1]][0] for _, v in rows],
            "LIBELLE_REGION": [REGIONS[v[2]] for _, v in rows],
            "BV2022": [c for c, _ in rows],
            "AREA": ["metropole"] * len(rows),
            "PAYS": ["France"] * len(rows),
            "SOURCE": ["IGN:EXPRESS-COG-CARTO-TERRITOIRE"] * len(rows),
        },
        geometry=[
            box(v[5][0] + CARTIFLETTE_SHIFT, v[5][1], v[5][0] + CARTIFLETTE_SHIFT + SIDE, v[5][1] + SIDE)
            for _, v in rows
        ],
        crs="EPSG:4326",
    )
    buffer = io.BytesIO()
    frame.to_parquet(buffer, write_covering_bbox=True, schema_version="1.1.0", index=False)
    table = pq.read_table(io.BytesIO(buffer.getvalue()))
    filters = {
        "BASSIN_VIE": "BV2022",
        "DEPARTEMENT": "INSEE_DEP",
        "REGION": "INSEE_REG",
        "TERRITOIRE": "AREA",
        "FRANCE_ENTIERE": "PAYS",
    }
    metadata = {**(table.schema.metadata or {}), b"cartiflette:filter_columns": json.dumps(filters).encode()}
    out = io.BytesIO()
    pq.write_table(table.replace_schema_metadata(metadata), out, row_group_size=2048)
    return "raw.parquet", out.getvalue()
