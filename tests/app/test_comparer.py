"""AppTest of the Comparer page on the synthetic base (2 EPCI, 8 communes of Corse-du-Sud)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from indicateurs.analysis import compare
from indicateurs.reference.registry import format_value, get_indicator, list_indicators
from tests.synthetic import CODES

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "comparer.py")


@pytest.fixture(scope="module")
def na_epci(base) -> list[str]:
    """The EPCI of the synthetic Corse, largest first."""
    rows = compare.filter_territories(base.territories, level="epci", region="94")
    return rows.sort_values("population", ascending=False)["code"].tolist()


def _app(selection: str | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    if selection is not None:
        at.query_params["selection"] = selection
    return at.run()


def _frame_with(at: AppTest, column: str):
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with a column {column!r}")


def test_choose_two_epci_by_key(base, na_epci):
    at = _app()
    assert not at.exception
    assert "au moins 2" in at.info[0].value  # nothing chosen yet: a French hint, no table
    chosen = [compare.territory_key("epci", c) for c in na_epci]
    at.multiselect(key="cmp_selection").set_value(chosen).run()
    assert not at.exception
    grid = _frame_with(at, "Sens de lecture")
    wide = base.wide("epci")
    shown_ids = [i.id for i in list_indicators() if i.id in wide.columns]
    assert grid.shape == (len(shown_ids), 1 + 2)
    labels = [compare.territory_label(k, base.territories) for k in chosen]
    assert list(grid.columns[1:]) == labels
    code = na_epci[1]
    expected = format_value(wide.loc[code, "ifn"], "ifn")
    cell = grid.loc[get_indicator("ifn").label, labels[1]]
    assert cell.startswith(expected)
    assert at.query_params["selection"] == compare.format_selection(chosen)  # shareable link


def test_selection_from_url_and_bad_items(base, na_epci):
    at = _app(f"epci:{na_epci[0]},epci:{na_epci[1]},epci:000000000,n'importe quoi")
    assert not at.exception
    assert "000000000" in at.warning[0].value
    grid = _frame_with(at, "Sens de lecture")
    assert grid.shape[1] == 1 + 2


def test_more_than_twelve_is_refused_in_french(na_epci):
    keys = [f"commune:{c}" for c in CODES] + [f"epci:{c}" for c in na_epci]
    at = _app(",".join([*keys, "departement:2A", "region:94", "france:FR"]))  # 13 territories
    assert not at.exception
    assert any("12 au plus" in i.value for i in at.info)
    assert not any("Sens de lecture" in df.value.columns for df in at.dataframe)


def test_changing_a_weight_changes_the_ranking_as_the_scores_module_does(base, na_epci):
    from indicateurs.analysis import scores

    at = _app()
    before = _frame_with(at, "Rang")["SIREN"].tolist()
    at.slider(key="cmp_w_ifn").set_value(3.0)
    at.slider(key="cmp_w_taux_pauvrete").set_value(0.5)
    at.slider(key="cmp_w_part_65_plus").set_value(3.0).run()
    assert not at.exception
    after = _frame_with(at, "Rang")
    wide = base.wide("epci")
    weights = {"ifn": 3.0, "lieux_pour_10000": 1.0, "taux_pauvrete": 0.5, "part_65_plus": 3.0}
    weights = {k: v for k, v in weights.items() if k in wide.columns}  # the offer may not be built yet
    expected = scores.composite_index(wide, list(weights), weights).score
    expected_rank = expected.reindex(na_epci).rank(ascending=False, method="min")
    shown_rank = after.set_index("SIREN")["Rang"].astype(float)
    assert shown_rank.to_dict() == expected_rank.to_dict()
    assert after["Rang"].tolist() == sorted(after["Rang"].tolist())  # sorted by rank
    assert after["Score pondéré"].iloc[0] == pytest.approx(round(expected.reindex(na_epci).max()))
    assert after["SIREN"].tolist() != before
    assert after["SIREN"].iloc[0] == na_epci[1]  # CC du Sartenais Valinco: (3 + 3) / 7.5 of the weight
    assert after["Score pondéré"].iloc[0] == 80
    assert len(after) == len(na_epci)


def test_take_the_first_of_the_ranking(na_epci):
    at = _app()
    ranked = _frame_with(at, "Rang")["SIREN"].head(2).tolist()
    at.number_input(key="cmp_top_n").set_value(2)
    at.run()
    at.button(key="cmp_take").click().run()
    assert not at.exception
    assert at.query_params["selection"] == ",".join(f"epci:{c}" for c in ranked)
    assert _frame_with(at, "Sens de lecture").shape[1] == 1 + 2


@pytest.fixture
def media(monkeypatch):
    """Keep the in-memory media store AppTest creates, to read the files the page serves."""
    stores: list[MemoryMediaFileStorage] = []

    class Recording(MemoryMediaFileStorage):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            stores.append(self)

    monkeypatch.setattr("streamlit.testing.v1.app_test.MemoryMediaFileStorage", Recording)
    return stores


def test_comparison_export_opens_in_openpyxl(base, na_epci, media):
    chosen = [compare.territory_key("epci", c) for c in na_epci]
    at = _app(compare.format_selection(chosen))
    assert not at.exception
    url = at.download_button(key="cmp_dl_xlsx").proto.url
    content = media[-1].get_file(url.rsplit("/", 1)[-1]).content
    wb = openpyxl.load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["Comparaison", "Sources"]
    ws = wb["Comparaison"]
    header = [c.value for c in ws[1]]
    assert header[:2] == ["Territoire", "Code"] and "Source" in header and "Millésime" in header
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    ifn = next(r for r in rows if r["Code"] == na_epci[0] and r["Identifiant"] == "ifn")
    assert ifn["Valeur"] == pytest.approx(base.wide("epci").loc[na_epci[0], "ifn"])
    assert ifn["Millésime"] == get_indicator("ifn").millesime
    n_ind = len([i for i in list_indicators() if i.id in base.wide("epci").columns])
    assert len(rows) == 2 * n_ind


def test_selection_comes_back_after_visiting_another_page(na_epci):
    """Streamlit forgets a widget's state on other pages; the page keeps its own copy."""
    saved = [compare.territory_key("epci", c) for c in reversed(na_epci)]
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["cmp_saved"] = saved
    at.run()
    assert not at.exception
    assert at.multiselect(key="cmp_selection").value == saved
    assert at.query_params["selection"] == compare.format_selection(saved)


def test_other_levels_communes_of_a_departement_and_france(base):
    at = _app()
    at.segmented_control(key="cmp_level").set_value("commune").run()
    at.selectbox(key="cmp_commune_dep").set_value("2A").run()
    options = at.multiselect(key="cmp_selection").options
    communes = base.territories.query("level == 'commune' and departement == '2A'")
    assert len(options) == len(communes)
    sartene = compare.territory_key("commune", "2A272")
    at.multiselect(key="cmp_selection").set_value([sartene, "commune:2A035"]).run()
    at.segmented_control(key="cmp_level").set_value("france").run()
    at.multiselect(key="cmp_selection").set_value([sartene, "commune:2A035", "france:FR"]).run()
    assert not at.exception
    grid = _frame_with(at, "Sens de lecture")
    assert list(grid.columns[1:]) == [
        "Sartène (commune 2A272)",
        "Belvédère-Campomoro (commune 2A035)",
        "France (métropole et DROM)",
    ]
    expected = format_value(base.wide("commune").loc["2A272", "part_65_plus"], "part_65_plus")
    assert grid.loc[get_indicator("part_65_plus").label, "Sartène (commune 2A272)"].startswith(expected)
