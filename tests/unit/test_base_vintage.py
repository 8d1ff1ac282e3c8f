"""Every view prints the vintage of the values the base holds (report.json provenance), not the
catalogue's or the registry's text; a pinned build reads as before (issue #15)."""

from __future__ import annotations

import copy

import pytest

from indicateurs.base.reader import Base
from indicateurs.reference.registry import get_indicator, list_indicators
from tests.synthetic import EPCI_A

NEW = "édition 2025 du portail IFN"


def newer(base: Base, source_id: str = "ifn_communes_2023", vintage: str = NEW) -> Base:
    """The same base, but its build took `source_id` from the current catalogue at `vintage`."""
    report = copy.deepcopy(base.report)
    report.setdefault("provenance", {})[source_id] = {
        "millesime": vintage,
        "millesime_fichier": None,
        "catalogue": "courants",
        "url": "https://example.org/ifn.csv",
        "repli": None,
    }
    return Base(base.folder, base.territories, base.values, base.places, report)


def test_pinned_build_keeps_the_registry_texts(synthetic_base):
    for ind in list_indicators():
        if ind.source in ("atlas",) or ind.id not in set(synthetic_base.values["indicator"]):
            continue
        assert synthetic_base.millesime(ind.id, "commune") in (ind.millesime, ""), ind.id
    assert synthetic_base.citation("ifn", "commune") == get_indicator("ifn").citation


def test_base_vintage_wins_over_the_catalogue(synthetic_base):
    base = newer(synthetic_base)
    assert base.source_millesime("ifn_communes_2023") == NEW
    for ind_id in ("ifn", "ifn_sans_thd", "ifn_pauvrete"):
        assert base.millesime(ind_id, "commune") == NEW
        assert base.millesime(ind_id) == NEW
        assert base.citation(ind_id, "epci") == f"La MedNum, Indice de fragilité numérique ({NEW})"
    assert base.millesime("part_peu_diplomes", "commune") == get_indicator("part_peu_diplomes").millesime


def test_same_years_keep_the_registry_wording_and_a_fallback_is_not_current(synthetic_base):
    base = newer(synthetic_base, vintage="édition 2023 du portail, republiée")
    assert base.millesime("ifn", "commune") == "édition 2023"  # same year: the registry's wording
    report = copy.deepcopy(synthetic_base.report)
    report["provenance"]["ifn_communes_2023"] = {"millesime": NEW, "catalogue": "courants", "repli": "figé"}
    fallen = Base(base.folder, base.territories, base.values, base.places, report)
    assert fallen.millesime("ifn", "commune") == "édition 2023"  # fell back to the snapshot
    report["provenance"]["ifn_communes_2023"] = {"millesime_fichier": "données 2026", "catalogue": "figes"}
    read = Base(base.folder, base.territories, base.values, base.places, report)
    assert read.millesime("ifn", "commune") == "données 2026"  # read in the file: always wins


def test_detail_export_carries_the_base_vintage(synthetic_base):
    detail = newer(synthetic_base).detail("commune").set_index("indicateur")
    assert set(detail.loc["ifn", "millesime"]) == {NEW}
    assert all(NEW in s for s in detail.loc["ifn", "source"])


@pytest.fixture(scope="module")
def profile(synthetic_base):
    from indicateurs.analysis.profile import build_profile

    return build_profile(newer(synthetic_base), EPCI_A)


def test_profile_files_show_the_base_vintage(profile):
    from indicateurs.render.profile_files import _sources_sheet, comparison_table, profile_csv

    table = comparison_table(profile)
    ifn = table[table["Identifiant"] == "ifn"]
    assert len(ifn) and set(ifn["Millésime"]) == {NEW}
    sheet = _sources_sheet(profile).set_index("Identifiant")
    assert sheet.loc["ifn", "Millésime"] == NEW
    assert sheet.loc["part_peu_diplomes", "Millésime"] == get_indicator("part_peu_diplomes").millesime
    text = profile_csv(profile).decode("utf-8-sig")
    assert NEW in text and "édition 2023" not in text
    key = profile.key_figures.loc["ifn"]
    assert key["millesime"] == NEW and NEW in key["citation"]


def test_pdf_profile_shows_the_base_vintage(profile):
    from indicateurs.render.pdf import _sources

    lines = " ".join(_sources(profile))
    assert f"({NEW})" in lines and "(édition 2023)" not in lines
    assert profile.citation("ifn") == f"La MedNum, Indice de fragilité numérique ({NEW})"


def test_map_legend_and_footer_show_the_base_vintage(synthetic_base):
    import pandas as pd

    from indicateurs.analysis.classify import classify
    from indicateurs.render import maps

    base = newer(synthetic_base)
    values = base.wide("epci")["ifn"]
    classes = classify(values, "quantiles", indicator="ifn")
    legend = maps.legend_html("ifn", classes, millesime=base.millesime("ifn", "epci"))
    assert NEW in legend and "édition 2023" not in legend
    gdf = base.geometry("epci")
    layer = maps.values_layer(gdf, pd.Series(values), "ifn", classes, millesime=base.millesime("ifn", "epci"))
    footer = next(iter(layer._children.values())).footer  # the millésime line of every tooltip
    assert NEW in footer and "2023" not in footer
    assert "édition 2023" in maps.legend_html("ifn", classes)  # without a base: the registry's text


def test_comparison_and_its_sources_sheet_show_the_base_vintage(synthetic_base):
    from indicateurs.analysis import compare

    base = newer(synthetic_base)
    keys = [compare.territory_key("epci", c) for c in base.wide("epci").index[:2]]
    wides = {"epci": base.wide("epci")}
    table = compare.comparison_table(wides, keys, vintages=base.millesime)
    ifn = table[table["indicator"] == "ifn"]
    assert set(ifn["millesime"]) == {NEW} and all(NEW in s for s in ifn["source"])
    export = compare.comparison_export(table)
    assert set(export.loc[export["Identifiant"] == "ifn", "Millésime"]) == {NEW}
    lines = compare.sources_lines(table["indicator"], table["source"])
    assert any(line.startswith(f"La MedNum, Indice de fragilité numérique ({NEW}) :") for line in lines)
    assert (
        compare.comparison_table(wides, keys)["millesime"][table["indicator"] == "ifn"]
        .eq("édition 2023")
        .all()
    )


def test_export_metadata_shows_the_base_vintage(synthetic_base):
    from indicateurs.cli.main import indicators_metadata

    meta = indicators_metadata(newer(synthetic_base)).set_index("indicateur")
    assert meta.loc["ifn", "millesime"] == NEW and NEW in meta.loc["ifn", "source"]
    assert indicators_metadata().set_index("indicateur").loc["ifn", "millesime"] == "édition 2023"
