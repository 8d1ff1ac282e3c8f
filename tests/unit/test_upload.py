"""CSV upload of local places: good files in every accepted dialect, bad rows named by line."""

from __future__ import annotations

import pytest

from indicateurs.atelier.local_places import (
    UNCLOSED_QUOTE,
    template_csv,
    validate_local_place,
    validate_local_places,
)

KNOWN = {"17300", "17306", "75056", "2A004"}


@pytest.mark.parametrize(
    ("encoding", "sep"),
    [("utf-8-sig", ";"), ("utf-8", ","), ("latin-1", ";"), ("cp1252", ",")],
)
def test_good_file_any_dialect(encoding, sep):
    text = sep.join(["Nom", "Type", "Adresse", "Code commune", "Latitude", "Longitude"]) + "\n"
    text += sep.join(["Médiathèque Éole", "Lieu de médiation", "1 rue", "17300", "", ""]) + "\n"
    text += sep.join(["Mairie", "france_services", "", "", "45.93", "-0.96"]) + "\n"
    text += sep.join(["Arrondissement", "CNFS", "", "75112", "", ""]) + "\n"
    records, errors = validate_local_places(text.encode(encoding), known_codes=KNOWN)
    assert errors == []
    assert [r["nom"] for r in records] == ["Médiathèque Éole", "Mairie", "Arrondissement"]
    assert [r["type"] for r in records] == ["lieu_mediation", "france_services", "conseiller_numerique"]
    assert records[0]["code_commune"] == "17300" and records[0]["latitude"] is None
    assert records[1]["latitude"] == pytest.approx(45.93) and records[1]["code_commune"] is None
    assert records[2]["code_commune"] == "75056"  # arrondissement folded into Paris


def test_decimal_comma_in_semicolon_file():
    data = b"nom;type;latitude;longitude\nLieu;aidants_connect;45,62;-0,32\n"
    records, errors = validate_local_places(data)
    assert errors == [] and records[0]["longitude"] == pytest.approx(-0.32)


def test_bad_rows_listed_with_line_numbers():
    data = (
        "nom;type;adresse;code_commune;latitude;longitude\n"  # line 1
        "Bon lieu;lieu_mediation;;17300;;\n"  # 2: ok
        ";lieu_mediation;;17300;;\n"  # 3: no name
        "Lieu;bibliothèque;;17300;;\n"  # 4: unknown type
        "Lieu;france_services;;17999;;\n"  # 5: well-formed but unknown code
        "Lieu;france_services;;;abc;2\n"  # 6: unreadable latitude
        "Lieu;france_services;;;-0.9;45.9\n"  # 7: swapped coordinates
        "\n"  # 8: blank line, skipped
        "Lieu;france_services;seulement une adresse;;;\n"  # 9: cannot be located
        '"Lieu ; avec ""guillemets""\nsur deux lignes";lieu_mediation;;17306;;\n'  # 10-11: ok
        "Lieu;lieu_mediation;;1730;;;x;y\n"  # 12: too many values
        "Dernier;lieu_mediation;;2A004;;\n"  # 13: ok
    ).encode()
    records, errors = validate_local_places(data, known_codes=KNOWN)
    assert [r["nom"] for r in records] == ["Bon lieu", 'Lieu ; avec "guillemets"\nsur deux lignes', "Dernier"]
    by_line = dict(errors)  # (line, reason) pairs, never formatted text
    assert sorted(by_line) == [3, 4, 5, 6, 7, 9, 12]
    assert "le nom du lieu est vide" in by_line[3]
    assert "bibliothèque" in by_line[4] and "inconnu" in by_line[4]
    assert "17999" in by_line[5] and "inconnu" in by_line[5]
    assert "illisible" in by_line[6]
    assert "inversées" in by_line[7]
    assert "impossible à situer" in by_line[9]
    assert "8 valeurs pour 6 colonnes" in by_line[12]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "vide"),
        (b"PK\x03\x04\x14\x00rest-of-an-xlsx", "classeur"),
        ("nom\x00t\x00".encode("utf-16"), "pas un fichier texte"),
        (b"name_of_place,kind\nA,B\n", "Colonnes obligatoires absentes : nom, type"),
        (b"nom;type;adresse\nA;lieu_mediation;x\n", "code_commune"),
        (b"nom;type;code_commune\n", "aucune ligne"),
    ],
)
def test_malformed_file_gets_one_clear_message(data, fragment):
    records, errors = validate_local_places(data)
    assert records == []
    assert len(errors) == 1 and errors[0].line is None
    assert fragment in errors[0].reason


def test_template_is_valid():
    records, errors = validate_local_places(template_csv(), known_codes=KNOWN)
    assert errors == [] and len(records) == 3
    assert template_csv().startswith(b"\xef\xbb\xbf")


def test_form_validation():
    record, problems = validate_local_place(
        {"nom": "Tiers-lieu", "type": "Aidants Connect", "code_commune": "2A004"}
    )
    assert problems == [] and record["type"] == "aidants_connect" and record["code_commune"] == "2A004"
    record, problems = validate_local_place({"nom": "", "type": "", "code_commune": ""})
    assert record is None and len(problems) == 3


def test_control_characters_are_cleaned_on_input():
    """Issue #18, failure 2: a place pasted with \\x01 or \\x0b is stored without them."""
    record, problems = validate_local_place(
        {"nom": "EPN\x01 Celles", "type": "lieu_mediation", "code_commune": "79061", "horaires": "lun\x0bmar"}
    )
    assert problems == []
    assert record["nom"] == "EPN Celles" and record["horaires"] == "lun\nmar"


def test_unclosed_quote_costs_only_its_line():
    """Issue #18, failure 9: a quote never closed swallowed the next rows and said « le type est vide »."""
    data = (
        b"nom;type;code_commune\n"
        b"A;lieu_mediation;79061\n"
        b'"B;lieu_mediation;79061\n'
        b"C;lieu_mediation;79061\n"
        b'"D";lieu_mediation;79061\n'
    )
    records, errors = validate_local_places(data)
    assert [(r["ligne"], r["nom"]) for r in records] == [(2, "A"), (4, "C"), (5, "D")]
    assert errors == [(3, UNCLOSED_QUOTE)]
    at_the_end = validate_local_places(
        b'nom;type;code_commune\nA;lieu_mediation;79061\n"B;lieu_mediation;79061\n'
    )
    assert [r["nom"] for r in at_the_end[0]] == ["A"] and at_the_end[1][0].line == 3


def test_a_quoted_field_on_two_lines_is_still_read():
    data = 'nom;type;code_commune;adresse\nA;lieu_mediation;79061;"1 rue\nbâtiment B"\nB;lieu_mediation;79061;"x;y"\n'
    records, errors = validate_local_places(data.encode())
    assert errors == []
    assert [(r["ligne"], r["adresse"]) for r in records] == [(2, "1 rue\nbâtiment B"), (4, "x;y")]
