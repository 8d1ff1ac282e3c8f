"""The map builder: legend text, escaped tooltips, highlighted territory, offline assets, light payload."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from indicateurs.analysis.classify import classify
from indicateurs.reference.registry import get_indicator
from indicateurs.render import maps


@pytest.fixture
def values(grid) -> pd.Series:
    return pd.Series([0.10, 0.20, np.nan, 0.30, 0.25, 0.15], index=grid["code"])


def _render(m) -> str:
    return m.get_root().render()


def _props(m) -> dict[str, list]:
    """Tooltip data per code: [escaped name, value text, rank text, class index]."""
    for element in maps._walk(m):
        if isinstance(element, maps._ChoroplethLayer):
            return element.props
    raise AssertionError("no values layer")


def test_legend_has_title_unit_bounds_missing_class_and_source(values):
    ind = get_indicator("part_65_plus")
    classes = classify(values, "quantiles", k=3, indicator=ind)
    legend = maps.legend_html(ind, classes, counts=[2, 1, 2], missing=1, level="EPCI")
    assert f"{ind.label} (%)" in legend
    assert "de 10,0\u00a0% à" in legend and "à 30,0\u00a0%" in legend
    assert "Donnée non disponible" in legend and "(1)" in legend
    assert "Source : " in legend and ind.millesime in legend and "Niveau : EPCI" in legend


def test_tooltip_names_are_escaped_and_carry_value_rank(grid, values):
    classes = classify(values, "quantiles", k=3, indicator="part_65_plus")
    m = maps.choropleth(grid, values, "part_65_plus", classes)
    props = _props(m)
    assert props["200000000"][0] == "&lt;b&gt;x&lt;/b&gt;"
    assert props["200000001"][0] == "Sèvre &amp; Mignon"
    assert props["200000003"][1] == "30,0\u00a0%"
    assert props["200000003"][2] == "1er sur 5"  # highest share of 65+ = most fragile
    assert props["200000002"][1] == "donnée non disponible" and props["200000002"][3] == -1
    html = _render(m)
    assert "<b>x</b>" not in html
    assert "RP 2017" in html  # the millésime line of the tooltip


def test_rank_follows_the_direction():
    higher_is_better = maps.rank(pd.Series([0.9, 0.5, 0.7]), get_indicator("part_thd"))
    assert higher_is_better.tolist() == [3, 1, 2]


def test_highlight_and_neighbours_are_outlined_and_zoomed_to(grid, values):
    classes = classify(values, "quantiles", k=3, indicator="part_65_plus")
    m = maps.choropleth(
        grid, values, "part_65_plus", classes, highlight="200000004", neighbours=["200000003"]
    )
    names = [getattr(c, "layer_name", "") for c in m._children.values()]
    assert "Territoire choisi" in names and "Voisins" in names
    html = _render(m)
    bounds = re.search(r"fitBounds\(\s*(\[\[.*?\]\])", html, re.S)
    assert bounds is not None
    (south, west), (north, east) = json.loads(bounds.group(1))
    # the EPCI 200000004 spans lon -0.4..-0.3, lat 46.4..46.5: the view frames it with some margin
    assert west < -0.4 < -0.3 < east and south < 46.4 < 46.5 < north
    assert east - west < 0.5


def test_map_is_offline_and_light(grid, values):
    classes = classify(values, "quantiles", k=3, indicator="part_65_plus")
    html = _render(maps.choropleth(grid, values, "part_65_plus", classes, outlines=grid))
    links = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert links and all(link.startswith("/app/static/vendor/") for link in links)
    assert not re.search(r"https?://(cdn|code\.jquery|cdnjs|netdna|d3js)", html)
    assert "tile" not in html.lower() or "tileLayer" not in html


def test_offline_rewrites_a_plain_folium_map_without_touching_the_class():
    import folium

    m = maps.offline(folium.Map(tiles=None))
    assert dict(m.default_js)["leaflet"].startswith("/app/static/vendor/leaflet@1.9.4/")
    assert "glyphicons_css" not in dict(m.default_css)
    assert folium.Map.default_js[0][1].startswith("https://")  # class left alone


def test_vendored_files_exist_with_licences():
    from pathlib import Path

    static = Path(__file__).resolve().parents[2] / "static" / "vendor"
    for url in filter(None, maps.LOCAL_ASSETS.values()):
        path = static / url.removeprefix(maps.STATIC_URL + "/")
        assert path.is_file(), path
        package = static / path.relative_to(static).parts[0]
        assert any(p.name.upper().startswith(("LICENSE", "MIT-LICENCE")) for p in package.iterdir()), package


def test_value_table_sorted_most_fragile_first_with_missing_said(grid, values):
    ind = get_indicator("part_65_plus")
    classes = classify(values, "quantiles", k=3, indicator=ind)
    table = maps.value_table(grid.set_index("code")["nom"], values, ind, classes)
    assert table["Code"].tolist()[0] == "200000003"
    assert table[maps.value_column(ind)].iloc[0] == pytest.approx(30.0)
    assert table["Classe"].iloc[-1].startswith("Donnée non disponible")
    assert str(table["Rang"].dtype) == "Int64"


def test_topology_is_quantised_and_keeps_codes(grid):
    topo = maps.to_topology(grid)
    assert "transform" in topo
    assert [g["id"] for g in topo["objects"]["territoires"]["geometries"]] == grid["code"].tolist()
    assert all(g["properties"] == {} for g in topo["objects"]["territoires"]["geometries"])


def test_base_map_can_leave_the_shapes_to_a_static_file(grid, values):
    classes = classify(values, "quantiles", k=3, indicator="part_65_plus")
    url = "/app/static/topo/test_0123.json"
    base = maps.base_map(grid, topology_url=url)
    html = _render(base)
    assert f'fetch("{url}")' in html and '"arcs"' not in html
    layer = maps.values_layer(grid, values, "part_65_plus", classes)
    inline = _render(maps.base_map(grid))
    assert '"arcs"' in inline
    # the values layer is a small fraction of the shapes: only texts and class indices travel
    assert len(maps._compact_json(next(iter(layer._children.values())).props)) < 1000


def _undefined_names(script: str) -> set[str]:
    """Element variables (folium's `name_<id>`) the script uses but never declares."""
    name = r"[a-z][a-z_]*?_(?:[0-9a-f]{32}|div(?:_\d+)*)"
    used = set(re.findall(rf"\b({name})\b", script))
    declared = set(re.findall(rf"\b(?:var|function)\s+({name})\b", script))
    return {u for u in used - declared if u != "map_div"}  # st_folium declares the map itself


def test_choropleth_script_under_st_folium_declares_every_layer_it_uses(grid, values):
    streamlit_folium = pytest.importorskip("streamlit_folium")
    classes = classify(values, "quantiles", indicator="part_65_plus")
    m = maps.choropleth(grid, values, "part_65_plus", classes, highlight=grid["code"][0], outlines=grid)
    m.get_root().render()
    script = streamlit_folium._get_map_string(m)
    assert "addTo(" in script and "geo_json_div" in script
    assert _undefined_names(script) == set()
    # The same map object rendered again refers to names st_folium has already replaced:
    # this is why pages build a new map on every run (see the module docstring).
    m.get_root().render()
    assert _undefined_names(streamlit_folium._get_map_string(m)) != set()


def test_value_texts_follow_the_quality_of_each_code_in_table_and_tooltips(grid, values):
    """Quality rows are aligned by code (issue #16: one `reindex`, no per-territory lookup): an
    estimated value says so, a thin one gives its coverage, a code absent from `quality` is plain."""
    ind = get_indicator("part_65_plus")
    classes = classify(values, "quantiles", k=3, indicator=ind)
    quality = pd.DataFrame(
        {
            "coverage": [1.0, 0.12, 0.9],
            "statut": ["estimé", "couverture insuffisante", None],
            "note": [None, None, None],
        },
        index=pd.Index(["200000001", "200000002", "200000003"], name="code"),
    )
    table = maps.value_table(grid.set_index("code")["nom"], values, ind, classes, quality)
    shown = dict(zip(table["Code"], table["Valeur affichée"], strict=True))
    assert shown["200000001"] == "20,0\u00a0% (estimé)"
    assert shown["200000002"] == "non disponible : 12\u00a0% de la population couverte"
    assert shown["200000003"] == "30,0\u00a0%"
    assert shown["200000000"] == "10,0\u00a0%"  # no quality row
    layer = maps.values_layer(grid, values, ind, classes, quality)
    props = next(e.props for e in maps._walk(layer) if isinstance(e, maps._ChoroplethLayer))
    assert props["200000001"][1] == "20,0\u00a0% (estimé)"
    assert props["200000002"][1] == "non disponible : 12\u00a0% de la population couverte"
    assert props["200000000"][1] == "10,0\u00a0%"


def test_context_lines_can_come_from_a_static_file_under_the_other_lines(grid):
    """Issue #16: the France map's régions were ~90 kB of GeoJSON inside every map script."""
    url = "/app/static/topo/contours_test_0123.json"
    html = _render(maps.base_map(grid, outlines=grid, outlines_url=url, highlight=grid["code"][0]))
    assert f'fetch("{url}")' in html
    assert '"color": "#333333"' in html and '"weight": 1.5' in html  # the inline outlines' style
    assert '"atlasContours"' in html and "zIndex = 449" in html  # under the highlight (450)
    assert html.count('"type": "Feature"') == 1  # only the highlighted territory stays inline
    inline = _render(maps.base_map(grid, outlines=grid, highlight=grid["code"][0]))
    assert inline.count('"type": "Feature"') == 1 + len(grid)
    data = maps.outline_geojson(grid)
    assert len(data["features"]) == len(grid) and all(f["properties"] == {} for f in data["features"])
