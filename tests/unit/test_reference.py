"""The shared vocabulary: levels, French text helpers, and their doctests."""

import doctest

import pytest

from indicateurs.reference import levels
from indicateurs.reference.registry import LEVELS


@pytest.mark.parametrize("module", [levels])
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
    from indicateurs.atelier.evidence import describe_evidence
    from indicateurs.atelier.storage import Evidence

    def text(level, code):
        ev = Evidence(
            "part_65_plus", "fragilite", 0.312, 12, 1254, "insee_comparateur_2022", "RP 2018", level, code
        )
        return describe_evidence(ev)

    assert text("epci", "200041523").endswith("niveau EPCI 200041523")
    assert "rang 12 sur 1254 EPCI" in text("epci", "200041523")
    assert text("france", "FR").endswith("niveau France")  # was "niveau  FR" (empty name, double space)
