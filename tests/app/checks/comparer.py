"""The Comparer page: choice by key or link, weights, export, other levels."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from indicateurs.analysis import compare
from indicateurs.reference.registry import format_value, get_indicator, list_indicators
from tests.app.checks.shown import frame_with
from tests.vega_spec import drawn_charts

PAGE = str(Path(__file__).resolve().parents[3] / "app_pages" / "comparer.py")


def epci_largest_first(base, region: str) -> list[str]:
    """The EPCI of a région, largest first (a stable choice across builds)."""
    rows = compare.filter_territories(base.territories, level="epci", region=region)
    return rows.sort_values("population", ascending=False)["code"].tolist()


def page(selection: str | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    if selection is not None:
        at.query_params["selection"] = selection
    return at.run()


def choose_epci_by_key(base, epci: list[str]) -> None:
    at = page()
    assert not at.exception
    assert "au moins 2" in at.info[0].value  # nothing chosen yet: a French hint, no table
    chosen = [compare.territory_key("epci", c) for c in epci]
    at.multiselect(key="cmp_selection").set_value(chosen).run()
    assert not at.exception
    grid = frame_with(at, "Sens de lecture")
    wide = base.wide("epci")
    shown_ids = [i.id for i in list_indicators() if i.id in wide.columns]
    assert grid.shape == (len(shown_ids), 1 + len(epci))
    labels = [compare.territory_label(k, base.territories) for k in chosen]
    assert list(grid.columns[1:]) == labels
    code = epci[1]
    expected = format_value(wide.loc[code, "ifn"], "ifn")
    cell = grid.loc[get_indicator("ifn").label, labels[1]]
    assert cell.startswith(expected)
    assert at.query_params["selection"] == compare.format_selection(chosen)  # shareable link
    charts = drawn_charts(at)  # Vega-Lite: one bar chart per charted indicator, then the radar
    charted = at.multiselect(key="cmp_chart_indicators").value
    assert len(charts) == len(charted) + 1
    for ind, (spec, frames) in zip(charted, charts, strict=False):
        assert len(frames["barres"]) == len(epci)  # every territory keeps its row
        assert spec["layer"][0]["encoding"]["x"]["title"].startswith(get_indicator(ind).short)
    _radar, frames = charts[-1]
    assert frames["profils"]["nom"].nunique() == len(epci)


def selection_from_url_and_bad_items(first: str, second: str) -> None:
    at = page(f"epci:{first},epci:{second},epci:000000000,n'importe quoi")
    assert not at.exception
    assert "000000000" in at.warning[0].value
    grid = frame_with(at, "Sens de lecture")
    assert grid.shape[1] == 1 + 2


def more_than_twelve_is_refused_in_french(keys: list[str]) -> None:
    assert len(keys) == 13
    at = page(",".join(keys))
    assert not at.exception
    assert any("12 au plus" in i.value for i in at.info)
    assert not any("Sens de lecture" in df.value.columns for df in at.dataframe)


def changing_a_weight_changes_the_ranking_as_the_scores_module_does(
    base, epci: list[str], *, ifn: float, taux_pauvrete: float, part_65_plus: float
):
    """`epci`: all the EPCI ranked on the page. Returns the ranking after the change."""
    from indicateurs.analysis import scores

    at = page()
    before = frame_with(at, "Rang")["SIREN"].tolist()
    at.slider(key="cmp_w_ifn").set_value(ifn)
    at.slider(key="cmp_w_taux_pauvrete").set_value(taux_pauvrete)
    at.slider(key="cmp_w_part_65_plus").set_value(part_65_plus).run()
    assert not at.exception
    after = frame_with(at, "Rang")
    wide = base.wide("epci")
    weights = {
        "ifn": ifn,
        "lieux_pour_10000": 1.0,
        "taux_pauvrete": taux_pauvrete,
        "part_65_plus": part_65_plus,
    }
    weights = {k: v for k, v in weights.items() if k in wide.columns}  # the offer may not be built yet
    expected = scores.composite_index(wide, list(weights), weights).score
    expected_rank = expected.reindex(epci).rank(ascending=False, method="min")
    shown_rank = after.set_index("SIREN")["Rang"].astype(float)
    assert shown_rank.to_dict() == expected_rank.to_dict()
    assert after["Rang"].tolist() == sorted(after["Rang"].tolist())  # sorted by rank
    assert after["Score pondéré"].iloc[0] == pytest.approx(round(expected.reindex(epci).max()))
    assert after["SIREN"].tolist() != before
    assert len(after) == len(epci)
    return after


def take_the_first_of_the_ranking(n: int) -> None:
    at = page()
    ranked = frame_with(at, "Rang")["SIREN"].head(n).tolist()
    at.number_input(key="cmp_top_n").set_value(n)
    at.run()
    at.button(key="cmp_take").click().run()
    assert not at.exception
    assert at.query_params["selection"] == ",".join(f"epci:{c}" for c in ranked)
    assert frame_with(at, "Sens de lecture").shape[1] == 1 + n


def comparison_export_opens_in_openpyxl(base, epci: list[str], media) -> None:
    """`media`: the recorded in-memory media stores (fixture `media`, tests/conftest.py)."""
    chosen = [compare.territory_key("epci", c) for c in epci]
    at = page(compare.format_selection(chosen))
    assert not at.exception
    url = at.download_button(key="cmp_dl_xlsx").proto.url
    content = media[-1].get_file(url.rsplit("/", 1)[-1]).content
    wb = openpyxl.load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["Comparaison", "Sources"]
    ws = wb["Comparaison"]
    header = [c.value for c in ws[1]]
    assert header[:2] == ["Territoire", "Code"] and "Source" in header and "Millésime" in header
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    ifn = next(r for r in rows if r["Code"] == epci[0] and r["Identifiant"] == "ifn")
    assert ifn["Valeur"] == pytest.approx(base.wide("epci").loc[epci[0], "ifn"])
    assert ifn["Millésime"] == get_indicator("ifn").millesime
    n_ind = len([i for i in list_indicators() if i.id in base.wide("epci").columns])
    assert len(rows) == len(epci) * n_ind


def selection_comes_back_after_visiting_another_page(epci: list[str]) -> None:
    """Streamlit forgets a widget's state on other pages; the page keeps its own copy."""
    saved = [compare.territory_key("epci", c) for c in epci]
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["cmp_saved"] = saved
    at.run()
    assert not at.exception
    assert at.multiselect(key="cmp_selection").value == saved
    assert at.query_params["selection"] == compare.format_selection(saved)


def other_levels_communes_of_a_departement_and_france(
    base, *, departement: str, communes: tuple[str, str], labels: tuple[str, str]
) -> None:
    """`communes`: two communes of the département, `labels` how the table heads them."""
    at = page()
    at.segmented_control(key="cmp_level").set_value("commune").run()
    at.selectbox(key="cmp_commune_dep").set_value(departement).run()
    options = at.multiselect(key="cmp_selection").options
    in_dep = base.territories.query(f"level == 'commune' and departement == '{departement}'")
    assert len(options) == len(in_dep)
    first = compare.territory_key("commune", communes[0])
    at.multiselect(key="cmp_selection").set_value([first, f"commune:{communes[1]}"]).run()
    at.segmented_control(key="cmp_level").set_value("france").run()
    at.multiselect(key="cmp_selection").set_value([first, f"commune:{communes[1]}", "france:FR"]).run()
    assert not at.exception
    grid = frame_with(at, "Sens de lecture")
    assert list(grid.columns[1:]) == [*labels, "France (métropole et DROM)"]
    expected = format_value(base.wide("commune").loc[communes[0], "part_65_plus"], "part_65_plus")
    assert grid.loc[get_indicator("part_65_plus").label, labels[0]].startswith(expected)
