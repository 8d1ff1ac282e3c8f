"""The de-duplication rule of the offer and the reader of the national file of places."""

from __future__ import annotations

from datetime import date

import pandas as pd

from indicateurs.sources import offer_current as oc
from tests import producer_fixtures as pf


def _rows(*rows: dict) -> pd.DataFrame:
    base = {
        "_rid": None,
        "_pivot": None,
        "code_commune": "01004",
        "nom": "",
        "source": "s",
        "programmes": pd.NA,
    }
    return pd.DataFrame([{**base, **r} for r in rows])


def test_identical_id_is_one_place_even_in_another_commune():
    kept, merged = oc.merge_duplicates(
        _rows(
            {"_rid": "x1", "nom": "A", "source": "national"},
            {"_rid": "x1", "nom": "B", "code_commune": "01007", "source": "permanences"},
        )
    )
    assert kept["nom"].tolist() == ["A"]
    assert merged == {"permanences": {"même identifiant": 1}}


def test_same_siret_same_commune_is_one_place_but_not_in_another_commune():
    kept, merged = oc.merge_duplicates(
        _rows(
            {"_rid": "a", "_pivot": "21010004000010", "nom": "Médiathèque"},
            {"_rid": "b", "_pivot": "21010004000010.0", "nom": "Bibliothèque municipale"},
            {"_rid": "c", "_pivot": "21010004000010", "nom": "Antenne", "code_commune": "01007"},
        )
    )
    assert kept["_rid"].tolist() == ["a", "c"]
    assert merged == {"s": {"même SIRET et même commune": 1}}


def test_placeholder_siret_never_merges_and_names_are_compared_folded():
    kept, merged = oc.merge_duplicates(
        _rows(
            {"_rid": "a", "_pivot": "00000000000000", "nom": "Espace France Services d'Ambérieu"},
            {"_rid": "b", "_pivot": "00000000000000", "nom": "Mairie"},
            {"_rid": "c", "_pivot": "", "nom": "ESPACE FRANCE SERVICES D’AMBERIEU"},
        )
    )
    assert kept["_rid"].tolist() == ["a", "b"]
    assert merged == {"s": {"même nom et même commune": 1}}


def test_same_name_in_another_commune_is_another_place():
    kept, merged = oc.merge_duplicates(
        _rows({"_rid": "a", "nom": "Mairie"}, {"_rid": "b", "nom": "Mairie", "code_commune": "01007"})
    )
    assert len(kept) == 2 and merged == {}


def test_first_row_is_kept_with_the_union_of_programmes_and_the_counts_it_lacks():
    kept, merged = oc.merge_duplicates(
        _rows(
            {
                "_rid": "fs-1",
                "nom": "France services 1",
                "source": "fs",
                "programmes": pd.NA,
                "nb_aidants": None,
            },
            {
                "_rid": "n-1",
                "nom": "France Services 1",
                "source": "national",
                "programmes": "France Services|CNFS",
            },
            {
                "_rid": "ac-1",
                "nom": "France services 1",
                "source": "ac",
                "programmes": "Aidants Connect",
                "nb_aidants": 4.0,
            },
        )
    )
    row = kept.iloc[0]
    assert len(kept) == 1 and row["_rid"] == "fs-1"
    assert row["programmes"] == "France Services|Conseillers numériques|Aidants Connect"
    assert row["nb_aidants"] == 4.0
    assert merged == {"national": {"même nom et même commune": 1}, "ac": {"même nom et même commune": 1}}


def test_a_chain_of_keys_joins_through_the_kept_place():
    # b matches a by SIRET; c has no SIRET but b's name: still a's place
    kept, merged = oc.merge_duplicates(
        _rows(
            {"_rid": "a", "_pivot": "12345678900011", "nom": "Tiers-lieu"},
            {"_rid": "b", "_pivot": "12345678900011", "nom": "La Fabrique"},
            {"_rid": "c", "nom": "la fabrique"},
        )
    )
    assert kept["_rid"].tolist() == ["a"]
    assert merged == {"s": {"même SIRET et même commune": 1, "même nom et même commune": 1}}


def test_merge_only_rows_complete_a_place_or_are_kept_apart_and_counted():
    kept, merged = oc.merge_duplicates(
        _rows(
            {"_rid": "n", "nom": "Mairie A", "source": "national"},
            {"_rid": "ac-1", "nom": "MAIRIE A", "source": "ac", "_merge_only": True, "nb_aidants": 3.0},
            {"_rid": "ac-2", "nom": "Mairie B", "source": "ac", "_merge_only": True, "nb_aidants": 2.0},
            {"_rid": "ac-3", "nom": "Mairie A", "source": "ac", "_merge_only": True, "nb_aidants": 1.0},
        )
    )
    assert kept["_rid"].tolist() == ["n", "ac-2"] and kept["nb_aidants"].tolist() == [4.0, 2.0]
    assert kept["_unmatched"].tolist() == [False, True]  # kept for its aidants, the caller decides
    assert kept.attrs["unmatched"] == {"ac": 1}
    assert merged == {"ac": {"même nom et même commune": 2}}


def test_itinerant_rows_are_never_merged():
    kept, _ = oc.merge_duplicates(
        _rows(
            {"_rid": "a", "nom": "Bus numérique", "itinerant": True},
            {"_rid": "b", "nom": "Bus numérique", "itinerant": True},
        )
    )
    assert len(kept) == 2


def test_programmes_of_both_schema_versions():
    assert oc.programmes("CNFS,Aidants Connect") == [oc.CN, oc.AC]
    assert oc.programmes("Conseillers numériques|France Services|Pass numérique") == [
        oc.CN,
        oc.FS,
        "Pass numérique",
    ]
    assert oc.programmes(None) == [] and oc.programmes("") == []


def test_reader_accepts_the_current_export_and_the_v1_schema(tmp_path):
    for old in (False, True):
        name, body = pf.lieux_mediation_numerique(old_schema=old)
        path = tmp_path / f"{old}-{name}"
        path.write_bytes(body)
        frame = oc.read_national(path)
        assert "dispositif_programmes_nationaux" in frame and frame.columns[0] == "id"  # BOM removed
        assert len(frame) == len(pf.LIEUX_NATIONAUX)
        row = frame.set_index("id").loc["lmn-a"]
        assert row["code_insee"] == "01004"  # a string, leading zero kept
        assert oc.programmes(row["dispositif_programmes_nationaux"]) == [oc.CN]
    assert oc.file_vintage(frame["date_maj"], today=date(2026, 11, 29)) == pf.LIEUX_NATIONAUX_DATE_MAX


def test_provenance_of_the_place_counts_comes_from_the_file(monkeypatch, tmp_path):
    monkeypatch.setenv("INDICATEURS_DATA", str(tmp_path))  # an empty store: no France Services release
    values = pd.DataFrame(
        {
            "indicator": ["nb_lieux_mediation", "nb_aidants_connect"],
            "source": pd.Categorical(["data_inclusion_lieux_2023", "aidants_connect_structures_2024"]),
            "millesime": pd.Categorical(["janvier 2023", "février 2024"]),
        }
    )
    reports = {oc.NATIONAL_SOURCE: {"millesime_fichier": "lieux mis à jour jusqu'au 2026-11-20"}}
    out = oc.offer_provenance(values, reports)
    assert out["source"].astype(str).tolist() == [oc.NATIONAL_SOURCE, "aidants_connect_structures_2024"]
    assert out["millesime"].astype(str).tolist() == [
        "lieux mis à jour jusqu'au 2026-11-20",
        "février 2024 (structures retrouvées dans le fichier national)",
    ]
    assert oc.offer_provenance(values, {}) is values  # pinned build: untouched


def test_total_of_a_territory_counts_each_place_once():
    from indicateurs.analysis.offer import commune_counts, distinct_total, offer_comparison

    # 1 France Services site hosting a conseiller numérique + 1 other CnFS place: 2 places, not 3
    row = pd.Series(
        {
            "nom": "Ambérieu",
            "population": 20_000,
            "nb_france_services": 1,
            "nb_permanences_cnfs": 2,
            "nb_lieux_mediation": 0,
            "nb_structures_aidants_connect": 0,
            "lieux_pour_10000": 1.0,
            "nb_postes_cnfs": 0,
            "nb_cnfs_recrutes": 0,
            "nb_aidants_connect": 0,
        },
        name="01004",
    )
    assert distinct_total(row) == 2
    assert distinct_total(row.drop("lieux_pour_10000")) == 3  # no rate: the sum of the types
    table = offer_comparison([("Ambérieu", row)])
    assert table.loc["Total des lieux (doublons possibles entre sources)", "Ambérieu"] == 2
    counts = commune_counts(pd.DataFrame([row]), ["01004", "99999"])
    assert counts.set_index("Code").loc["01004", "Total des lieux (doublons possibles entre sources)"] == 2
    assert counts.set_index("Code").loc["99999", "Total des lieux (doublons possibles entre sources)"] == 0
