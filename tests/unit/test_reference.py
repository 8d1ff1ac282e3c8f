"""The shared vocabulary: levels, French text helpers, and their doctests."""

import doctest

import pytest

from indicateurs import config
from indicateurs.analysis.scores import composite
from indicateurs.reference import catalogue, levels, text
from indicateurs.reference.registry import LEVELS, get_indicator, headline_ids, list_themes, theme_ids


@pytest.mark.parametrize("module", [levels, text, catalogue, config, composite])
def test_doctests(module):
    assert doctest.testmod(module).failed == 0


def test_levels_table_is_the_one_order():
    assert levels.LEVEL_IDS == LEVELS == ("commune", "epci", "departement", "region", "france")
    assert levels.NAMES["departement"] == "département" and levels.TITLES["departement"] == "Département"
    assert levels.PLURALS == {
        "commune": "communes",
        "epci": "EPCI",
        "departement": "départements",
        "region": "régions",
        "france": "France",
    }
    assert [levels.of(lv) for lv in ("departement", "region")] == ["du département", "de la région"]
    # every parent is a level, listed nearest first
    for lv in levels.LEVELS:
        assert all(levels.LEVEL_IDS.index(p) > levels.LEVEL_IDS.index(lv.id) for p in lv.parents)


def test_unknown_level_is_named():
    with pytest.raises(ValueError, match="Niveau inconnu : 'canton'"):
        levels.get_level("canton")


def test_evidence_names_the_level_once():
    from indicateurs.atelier import Evidence
    from indicateurs.atelier.evidence import describe_evidence

    def text(level, code):
        ev = Evidence(
            "part_65_plus", "fragilite", 0.312, 12, 1254, "insee_comparateur_2022", "RP 2018", level, code
        )
        return describe_evidence(ev)

    assert text("epci", "200041523").endswith("niveau EPCI 200041523")
    assert "rang 12 sur 1\u202f254 EPCI" in text("epci", "200041523")
    assert text("france", "FR").endswith("niveau France")  # was "niveau  FR" (empty name, double space)


def test_fold_and_normalise_agree_for_search_and_keys():
    assert text.fold("Saint-Étienne") == "saint-etienne"
    assert text.normalise("L’Isle-Adam") == text.normalise("l'isle adam") == "l isle adam"
    assert text.normalise("Œuilly") == "oeuilly"  # ligature spelled out, not dropped
    assert text.normalise("Lieu de médiation", "") == "lieudemediation"
    assert text.normalise(" N° de SIRET ", "_") == "n_de_siret"
    assert text.slug("CC du Haut Val de Sèvre") == "cc-du-haut-val-de-sevre"
    assert text.collapse("  Médiathèque  du Centre") == "médiathèque du centre"


def test_french_numbers():
    assert text.format_number(1234567.891, 2) == "1\u202f234\u202f567,89"
    assert text.format_number(-0.5, 1) == "-0,5"
    assert text.format_number(3.0, 2, trim=True) == "3"
    assert text.format_number(1000, 0, trim=True) == "1\u202f000"  # no decimals: zeros are digits
    assert text.format_percent(0.05, 0) == "5\u00a0%"


def test_did_you_mean():
    assert text.did_you_mean("taux_pauvrte", ["taux_pauvrete", "taux_chomage"]) == (
        " Vouliez-vous dire : taux_pauvrete ?"
    )
    assert text.did_you_mean("zzz", ["taux_pauvrete"]) == ""
    assert text.suggest(["a", "a", "b"]) == " Vouliez-vous dire : a, b ?"
    with pytest.raises(ValueError, match="Vouliez-vous dire : taux_pauvrete"):
        get_indicator("taux_pauvrte")


def test_headline_and_themes_come_from_the_registry():
    assert headline_ids() == (
        "ifn",
        "lieux_pour_10000",
        "taux_pauvrete",
        "part_65_plus",
        "part_peu_diplomes",
        "part_thd",
        "taux_chomage",
        "part_menages_seuls",
    )
    assert [t.id for t in list_themes()] == [
        "ifn",
        "acces",
        "competences",
        "information",
        "offre",
        "contexte",
    ]
    assert {t.id: t.short for t in list_themes()}["acces"] == "accès"
    assert theme_ids("ifn", exclude=("indice_composite",))[:2] == ("ifn", "ifn_sans_thd")


def test_offer_sources_are_named_by_the_catalogue():
    from pathlib import Path

    from indicateurs.reference.catalogue import get_source, sources_caption
    from indicateurs.reference.registry import list_indicators
    from indicateurs.render.places_map import places_tooltip
    from indicateurs.sources.places import SOURCE_IDS

    caption = sources_caption(SOURCE_IDS)
    assert caption.startswith("Sources : ANCT, Espaces France Services (février 2023) ; ")
    assert "lieux de médiation numérique (janvier 2023, extrait partiel)" in caption
    assert caption.endswith("ANCT, postes de conseillers numériques (avril 2023 et juillet 2023).")
    tooltip = places_tooltip(
        {
            "type": "lieu_mediation",
            "nom": "Médiathèque",
            "source": "data_inclusion_lieux_2023",
            "millesime": "x",
        }
    )
    assert "data·inclusion, lieux de médiation numérique (extrait partiel) (x)" in tooltip
    # the registry's millésime of a count from one offer source is the catalogue's date of that source
    for ind in list_indicators("offre"):
        if ind.source in SOURCE_IDS and ind.aggregation == "sum":
            assert ind.millesime == get_source(ind.source).date, ind.id
    page = (Path(__file__).resolve().parents[2] / "app_pages" / "ressources.py").read_text(encoding="utf-8")
    assert "février 2023" not in page and "2024)" not in page
