"""The offer's words follow the sources the base's places come from (issue #15): pinned words unchanged,
a current base names the national file and says the duplicates were merged."""

from __future__ import annotations

import copy

import pandas as pd

from indicateurs.analysis import offer
from indicateurs.base.reader import Base
from indicateurs.reference.catalogue import sources_caption
from indicateurs.render import places_map
from indicateurs.sources.places import SOURCE_IDS


def test_a_pinned_base_keeps_its_offer_words(synthetic_base):
    words = offer.offer_sources(synthetic_base)
    assert words.rows == offer.OFFER_ROWS
    assert words.caption == f"{sources_caption(SOURCE_IDS)} Des doublons entre sources sont possibles."
    assert words.mediation_words == "lieux data·inclusion"
    assert places_map.partial_notice("lieu_mediation", words).startswith(
        "Lieux de médiation : extrait partiel"
    )


def test_a_current_base_names_the_national_file_and_the_merge(synthetic_base, monkeypatch):
    monkeypatch.setenv("INDICATEURS_MILLESIMES", "figes")  # a process on the pinned setting
    places = synthetic_base.places.copy()
    source = places["source"].astype(object)
    source[places["type"].isin(["lieu_mediation", "conseiller_numerique"])] = "lieux_mediation_numerique"
    places["source"] = source
    places = places[~places["source"].isin(["data_inclusion_lieux_2023", "cnfs_permanences_2022"])]
    report = copy.deepcopy(synthetic_base.report) | {"millesimes": "courants"}
    base = Base(synthetic_base.folder, synthetic_base.territories, synthetic_base.values, places, report)
    words = offer.offer_sources(base)
    rows = dict(words.rows)
    national = "ANCT, lieux de médiation numérique, fichier national"
    assert rows["nb_lieux_mediation"] == f"Lieux de médiation ({national})"
    assert rows["nb_permanences_cnfs"] == f"Permanences de conseillers numériques ({national})"
    assert rows["nb_france_services"] == "Espaces France Services"
    assert rows["nb_lieux_total"] == offer.MERGED_TOTAL
    assert "ANCT, lieux de médiation numérique (fichier national)" in words.caption
    assert "data·inclusion" not in words.caption and words.caption.endswith(offer.MERGED_DUPLICATES)
    assert places_map.partial_notice("lieu_mediation", words) is None
    counts = offer.commune_counts(base.wide("commune"), base.wide("commune").index[:3], words)
    assert offer.MERGED_TOTAL in counts.columns
    assert isinstance(counts, pd.DataFrame)


def test_concerned_note_says_the_census_the_base_holds():
    assert offer.concerned_note() == offer.CONCERNED_NOTE
    assert "(RP 2021)" in offer.concerned_note("RP 2021") and "RP 2017" not in offer.concerned_note("RP 2021")
