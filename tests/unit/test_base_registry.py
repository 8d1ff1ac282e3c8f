"""The words of a figure follow the base, not the process: the mode recorded in report.json (and, in a
current base, the source its values really carry) decides the registry every view reads (issue #15)."""

from __future__ import annotations

import copy

import pandas as pd

from indicateurs.analysis import compare
from indicateurs.analysis.profile import build_profile
from indicateurs.base.reader import Base
from indicateurs.render import profile_files
from tests.synthetic import EPCI_A, EPCI_B
from ui import sources

PINNED_LABEL = "Part des 65 ans et plus (parmi les 15 ans ou plus)"
CURRENT_LABEL = "Part des 65 ans et plus (parmi la population totale)"
CENSUS = {
    "part_65_plus": "insee_rp_population",
    "part_peu_diplomes": "insee_rp_diplomes",
    "part_menages_seuls": "insee_rp_menages",
    "part_familles_monoparentales": "insee_rp_menages",
}


def as_current(base: Base, *, census_current: bool = True) -> Base:
    """The same base as a `--millesimes courants` build recorded it; the census values carry INSEE's
    thematic bases (or, `census_current=False`, stayed on the RP 2017 rates: a fallback)."""
    report = copy.deepcopy(base.report)
    report["millesimes"] = "courants"
    values = base.values.copy()
    if census_current:
        source = values["source"].astype(object)
        for ind_id, source_id in CENSUS.items():
            rows = values["indicator"] == ind_id
            source[rows] = source_id
            values["millesime"] = values["millesime"].astype(object)
            values.loc[rows, "millesime"] = "RP 2021"
        values["source"] = pd.Categorical(source)
    return Base(base.folder, base.territories, values, base.places, report)


def test_a_current_base_says_its_own_words_on_a_pinned_process(synthetic_base, monkeypatch):
    monkeypatch.setenv("INDICATEURS_MILLESIMES", "figes")
    base = as_current(synthetic_base)
    assert base.mode == "courants"
    ind = base.indicator("part_65_plus")
    assert ind.label == CURRENT_LABEL and ind.source == "insee_rp_population"
    assert ind.denominator.startswith("population totale")
    assert base.citation("part_65_plus", "commune") == "INSEE, recensement de la population (RP 2021)"
    assert (
        base.detail("epci", [EPCI_A]).set_index("indicateur").at["part_65_plus", "libelle"] == CURRENT_LABEL
    )
    # the Sources page's table of indicators
    table = sources.indicators_table(base).set_index("Identifiant")
    assert table.at["part_65_plus", "Indicateur"] == CURRENT_LABEL
    assert table.at["part_65_plus", "Dénominateur"].startswith("population totale")
    # the profile (page, PDF, XLSX) and the comparison
    profile = build_profile(base, EPCI_A)
    assert profile.key_figures.at["part_65_plus", "label"] == CURRENT_LABEL
    xlsx_sources = profile_files._sources_sheet(profile).set_index("Identifiant")
    assert xlsx_sources.at["part_65_plus", "Indicateur"] == CURRENT_LABEL
    assert "parmi les 15 ans ou plus" not in " ".join(profile.summary)
    table = compare.comparison_table(
        {"epci": base.wide("epci")},
        [f"epci:{EPCI_A}", f"epci:{EPCI_B}"],
        vintages=base.millesime,
        reg=base.registry,
    )
    assert set(table.loc[table["indicator"] == "part_65_plus", "label"]) == {CURRENT_LABEL}


def test_a_pinned_base_keeps_its_words_on_a_current_process(synthetic_base, monkeypatch):
    monkeypatch.setenv("INDICATEURS_MILLESIMES", "courants")
    base = synthetic_base
    assert base.mode == "figes"
    ind = base.indicator("part_65_plus")
    assert ind.label == PINNED_LABEL and ind.source == "d4g_rp2017_communes_2020"
    assert (
        sources.indicators_table(base).set_index("Identifiant").at["part_65_plus", "Indicateur"]
        == PINNED_LABEL
    )
    profile = build_profile(base, EPCI_A)
    assert profile.key_figures.at["part_65_plus", "label"] == PINNED_LABEL
    assert (
        profile.key_figures.at["part_65_plus", "citation"]
        == "INSEE, recensement, calcul Data For Good (RP 2017)"
    )


def test_census_values_fallen_back_on_rp2017_keep_the_pinned_words(synthetic_base, monkeypatch):
    """A current build whose census files were unreachable holds the RP 2017 rates (over the 15+):
    their pinned entry describes them, the other indicators keep the current one."""
    monkeypatch.setenv("INDICATEURS_MILLESIMES", "courants")
    base = as_current(synthetic_base, census_current=False)
    assert base.mode == "courants"
    assert base.indicator("part_65_plus").label == PINNED_LABEL
    assert base.indicator("part_menages_seuls").source == "d4g_rp2017_communes_2020"
    assert set(base.registry.fallen) == {*CENSUS, "nb_lieux_mediation"}  # its values: data·inclusion


def test_a_pinned_base_keeps_the_texts_of_its_computed_figures(synthetic_base):
    from indicateurs.reference.registry import get_indicator

    for ind_id in ("lieux_pour_10000", "distance_lieu_km", "indice_composite"):
        ind = get_indicator(ind_id, mode="figes")
        assert synthetic_base.millesime(ind_id, "epci") == ind.millesime
        assert synthetic_base.citation(ind_id, "epci") == ind.citation
    assert (
        synthetic_base.citation("nb_lieux_mediation", "epci")
        == get_indicator("nb_lieux_mediation", mode="figes").citation
    )


def test_screening_export_cites_the_base(synthetic_base, monkeypatch):
    monkeypatch.setenv("INDICATEURS_MILLESIMES", "figes")
    base = as_current(synthetic_base)
    screen = compare.screening_table(base.wide("epci"), base.territories, region=None)
    out = compare.screening_export(screen, None, base.registry, cite=lambda i: base.citation(i, "epci"))
    assert base.citation("population", "epci") in out["Sources"].iloc[0]
    pinned = compare.screening_export(screen)
    assert pinned["Sources"].iloc[0].startswith(synthetic_base.indicator("population").citation)


def test_the_export_metadata_uses_the_base_words(synthetic_base, monkeypatch):
    from indicateurs.cli.main import indicators_metadata

    monkeypatch.setenv("INDICATEURS_MILLESIMES", "figes")
    meta = indicators_metadata(as_current(synthetic_base)).set_index("indicateur")
    assert meta.at["part_65_plus", "libelle"] == CURRENT_LABEL
    assert meta.at["part_65_plus", "millesime"] == "RP 2021"
