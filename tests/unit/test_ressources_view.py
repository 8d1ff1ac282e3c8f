"""Views of the Ressources page on tiny frames: scope, comparisons, access table, map, scatter."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from indicateurs.analysis import offer
from indicateurs.render import places_map as view
from indicateurs.render.charts import LOCALE, need_supply_chart
from tests.vega_spec import assert_valid_vega_lite


@pytest.fixture
def territories() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "level": ["commune", "commune", "commune", "commune", "epci"],
            "code": ["01001", "01002", "01003", "29155", "200000001"],
            "nom": ["A", "B", "C", "Ouessant", "CC Test"],
            "epci": ["200000001", "200000001", "200000002", None, None],
            "departement": ["01", "01", "01", "29", "01"],
            "region": ["84", "84", "84", "53", "84"],
            "population": [1000, 200, 50, 800, 1200],
        }
    )


def test_territory_scope(territories):
    assert offer.territory_scope(territories, "epci", "200000001") == (["01001", "01002"], None)
    assert offer.territory_scope(territories, "commune", "01002") == (["01001", "01002"], "01002")
    assert offer.territory_scope(territories, "commune", "29155") == (["29155"], "29155")  # island, no EPCI
    assert offer.territory_scope(territories, "departement", "01") == (["01001", "01002", "01003"], None)
    assert offer.territory_scope(territories, "region", "84") == ([], None)


def _wide_row(**values) -> pd.Series:
    base = dict.fromkeys(key for key, _ in offer.OFFER_ROWS if key != "nb_lieux_total")
    return pd.Series({**base, **values})


def test_offer_comparison_measures():
    epci = _wide_row(
        population=20_000,
        part_peu_diplomes=0.5,
        nb_france_services=2,
        nb_permanences_cnfs=3,
        nb_lieux_mediation=1,
        nb_structures_aidants_connect=4,
        nb_aidants_connect=9,
    )
    france = _wide_row(population=np.nan, nb_france_services=2561)
    rows = [("CC", epci), ("France", france)]
    counts = offer.offer_comparison(rows)
    assert counts.loc["Espaces France Services", "CC"] == 2
    assert counts.loc["Total des lieux (doublons possibles entre sources)", "CC"] == 10
    per_10000 = offer.offer_comparison(rows, "pour_10000")
    assert per_10000.loc["Espaces France Services", "CC"] == pytest.approx(1.0)
    assert np.isnan(per_10000.loc["Espaces France Services", "France"])  # unknown population stays missing
    concerned = offer.offer_comparison(rows, "pour_1000_concernes")
    assert concerned.loc["Total des lieux (doublons possibles entre sources)", "CC"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="Mesure inconnue"):
        offer.offer_comparison(rows, "par_km2")


def test_commune_counts():
    wide = pd.DataFrame(
        {
            "nom": ["A", "B"],
            "population": [10_000, 0],
            "nb_france_services": [1, 0],
            "nb_permanences_cnfs": [2, 0],
            "nb_lieux_mediation": [0, 0],
            "nb_structures_aidants_connect": [1, 0],
            "nb_postes_cnfs": [3, 0],
            "nb_cnfs_recrutes": [2, 0],
            "nb_aidants_connect": [5, 0],
        },
        index=pd.Index(["01001", "01002"], name="code"),
    )
    out = offer.commune_counts(wide, ["01002", "01001"]).set_index("Code")
    assert out.loc["01001", "Total des lieux (doublons possibles entre sources)"] == 4
    assert out.loc["01001", "Lieux pour 10 000 hab."] == 4.0
    assert np.isnan(out.loc["01002", "Lieux pour 10 000 hab."])  # no inhabitants: no ratio


def test_access_table_and_summary():
    distances = pd.DataFrame(
        {
            "dist_france_services": [3.0, 25.0, np.nan],
            "dist_conseiller_numerique": [1.04, 12.0, np.nan],
            "dist_lieu_mediation": [np.nan, np.nan, np.nan],
            "dist_aidants_connect": [2.0, 30.0, np.nan],
            "dist_tout_type": [1.04, 12.0, np.nan],
        },
        index=pd.Index(["01001", "01002", "97101"], name="code"),
    )
    communes = pd.DataFrame(
        {"code": ["01001", "01002", "97101"], "nom": ["A", "B", "C"], "population": [1000, 200, 50]}
    )
    table = offer.access_table(distances, communes).set_index("Code")
    assert table.loc["01001", "Lieu le plus proche (km)"] == 1.0
    assert table.loc["01002", "Zone blanche"] == "plus de 10 km"
    assert table.loc["97101", "Zone blanche"] == "plus de 20 km"  # no place at all in its zone
    assert table.index[0] == "97101"  # farthest first
    summary = offer.access_summary(distances, communes).set_index("Distance à tout lieu")
    assert summary.loc["plus de 10 km", "Population"] == 250
    assert summary.loc["plus de 20 km", "Population"] == 50
    assert summary.loc["plus de 10 km", "Part de la population"] == pytest.approx(250 / 1250)


def test_tooltip_escapes_text():
    tip = view.places_tooltip(
        {
            "nom": "<script>alert(1)</script>",
            "type": "lieu_mediation",
            "adresse": "1 rue & co",
            "services": "Ordinateur;Smartphone",
            "source": "data_inclusion_lieux_2023",
            "millesime": "janvier 2023",
            "local": False,
            "position_approx": True,
        }
    )
    assert "<script>" not in tip and "&lt;script&gt;" in tip
    assert "1 rue &amp; co" in tip
    assert "Ordinateur · Smartphone" in tip
    assert "janvier 2023" in tip and "Position approchée" in tip
    local = view.places_tooltip(
        {"nom": "X", "type": "france_services", "local": True, "source": "ajout_local"}
    )
    assert "ajouté localement" in local


def test_resources_map_renders_places_and_zones():
    communes = gpd.GeoDataFrame(
        {"code": ["01001", "01002"], "nom": ["A <b>", "B"]},
        geometry=[box(5.0, 46.0, 5.1, 46.1), box(5.1, 46.0, 5.2, 46.1)],
        crs="EPSG:4326",
    )
    places = pd.DataFrame(
        {
            "type": ["france_services", "lieu_mediation"],
            "nom": ["FS <i>x</i>", "Local"],
            "latitude": [46.05, 46.06],
            "longitude": [5.05, 5.15],
            "source": ["france_services_2023", "ajout_local"],
            "millesime": ["février 2023", None],
            "local": [False, True],
            "itinerant": [False, False],
        }
    )
    distances = pd.DataFrame({"dist_tout_type": [0.5, 15.0]}, index=pd.Index(["01001", "01002"], name="code"))
    need = pd.Series([5.0, 8.0], index=["01001", "01002"])
    m = view.resources_map(communes, need, "ifn", places, distances, highlight="01001")
    html = m.get_root().render()
    assert "FS \\u0026lt;i\\u0026gt;x" in html  # escaped, then JSON-escaped in the script
    assert "FS <i>" not in html
    assert "plus de 10 km de tout lieu (1)" in html
    assert '"icon":"star"' in html  # the local place gets the star
    assert "tile.openstreetmap" not in html  # no tiles
    assert "/app/static/vendor/leaflet.awesome-markers" in html  # vendored marker plugin, no CDN
    assert "cdnjs.cloudflare.com" not in html and "cdn.jsdelivr.net" not in html


def test_need_supply():
    wide = pd.DataFrame(
        {
            "nom": ["A", "B", "C", "D"],
            "population": [100, 200, 300, 400],
            "ifn": [4.0, 6.0, np.nan, 8.0],
            "lieux_pour_10000": [10.0, 0.0, 3.0, 1.0],
        },
        index=["01001", "01002", "01003", "01004"],
    )
    frame = offer.need_supply_frame(wide, wide.index, "ifn")
    assert list(frame["code"]) == ["01001", "01002", "01004"]
    assert frame.attrs["sans_donnee"] == 1
    chart = need_supply_chart(frame, "ifn", highlight="01004")
    assert_valid_vega_lite(chart)
    dots = chart["layer"][0]["encoding"]
    assert "score sur 10" in " ".join(dots["x"]["title"])
    assert dots["y"]["title"] == "Lieux d'accompagnement pour 10 000 habitants"
    assert [(r["code"], r["besoin"], r["offre"]) for r in chart["datasets"]["nuage"]] == [
        ("01001", 4.0, 10.0),
        ("01002", 6.0, 0.0),
        ("01004", 8.0, 1.0),
    ]
    assert [d["format"] for d in dots["tooltip"][1:]] == [".1f", ".1f", ",.0f"]  # French through the locale
    rules = [layer["data"]["values"][0] for layer in chart["layer"] if layer["mark"]["type"] == "rule"]
    assert rules == [{"x": 6.0}, {"y": 1.0}]  # medians of the territories shown
    texts = [layer["data"]["values"][0]["texte"] for layer in chart["layer"] if "texte" in str(layer["data"])]
    assert any("chantier prioritaire" in t for t in texts)
    highlighted = [layer for layer in chart["layer"] if layer.get("transform")]
    assert highlighted[0]["transform"] == [{"filter": {"field": "code", "equal": "01004"}}]
    assert highlighted[0]["mark"]["shape"] == "diamond"
    assert chart["config"]["locale"] == LOCALE and chart["width"] == "container"
    assert offer.need_indicators(["ifn", "part_thd", "population"]) == {
        "ifn": "Indice de fragilité numérique (IFN, 5 indicateurs)"
    }


def test_need_supply_with_values_by_code():
    wide = pd.DataFrame(
        {"nom": ["A", "B"], "population": [100, 200], "lieux_pour_10000": [1.0, 2.0]},
        index=["01001", "01002"],
    )
    frame = offer.need_supply_frame(wide, ["01001", "01002"], pd.Series({"01001": 30.0, "01002": 70.0}))
    assert list(frame["besoin"]) == [30.0, 70.0]


def test_need_supply_points(territories):
    codes, level, mark, caption = offer.need_supply_points(territories, "epci", "200000001")
    assert (codes, level, mark) == (["200000001", "200000002"], "epci", "200000001")
    assert "de la région" in caption
    codes, level, mark, _ = offer.need_supply_points(territories, "commune", "01003")
    assert (codes, level, mark) == (["200000001", "200000002"], "epci", "200000002")
    codes, level, mark, _ = offer.need_supply_points(territories, "epci", "200000001", "commune")
    assert (codes, level, mark) == (["01001", "01002"], "commune", None)
    codes, level, mark, caption = offer.need_supply_points(territories, "france", "FR", "commune")
    assert level == "epci" and mark is None and "de France" in caption  # no commune map for France


def test_skipped_places_keep_their_file_line_and_the_page_formats_them_once(tmp_path, monkeypatch):
    import ui.ressources as data
    from indicateurs.atelier import open_store

    store = open_store(f"sqlite:///{tmp_path / 'a.sqlite'}")
    monkeypatch.setattr(data, "_store", lambda: store)
    place = {"nom": "EPN", "type": "lieu_mediation", "code_commune": "01001"}
    assert data.save_local_places([place], [None], "epci", "200000001")[0] == 1
    added, skipped = data.save_local_places([place, place], [7, None], "epci", "200000001")
    assert added == 0 and [line for line, _ in skipped] == [7, None]
    assert [data.describe_problem(p) for p in skipped] == [
        "Ligne 7 : « EPN » est déjà enregistré (ignoré).",
        "Formulaire : « EPN » est déjà enregistré (ignoré).",
    ]
    store.dispose()


def test_offer_figures_are_computed_without_drawing_libraries():
    """analysis.offer is the computing half: importing it loads neither folium nor a chart library."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import indicateurs

    code = "import sys, indicateurs.analysis.offer; print(sorted({'folium', 'altair'} & set(sys.modules)))"
    src = str(Path(indicateurs.__file__).parents[1])  # this checkout's package, not an installed one
    env = {**os.environ, "PYTHONPATH": src}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "[]"


def _rendered(m) -> str:
    """The map's HTML with the JSON escapes of its scripts undone (\\u00e9 -> é), to read texts."""
    import re

    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda g: chr(int(g.group(1), 16)), m.get_root().render())


def _map_parts():
    communes = gpd.GeoDataFrame(
        {"code": ["01001", "01002"], "nom": ["A", "B"]},
        geometry=[box(5.0, 46.0, 5.1, 46.1), box(5.1, 46.0, 5.2, 46.1)],
        crs="EPSG:4326",
    )
    # Two France Services in the territory, three around it (drawn, not counted by the page's tables),
    # one local place in the territory.
    places = pd.DataFrame(
        {
            "type": ["france_services"] * 5 + ["lieu_mediation"],
            "nom": list("abcdef"),
            "code_commune": ["01001", "01002", "01999", "01998", "01997", "01001"],
            "latitude": [46.05, 46.05, 46.2, 46.2, 46.2, 46.06],
            "longitude": [5.05, 5.15, 5.3, 5.31, 5.32, 5.06],
            "source": ["france_services_2023"] * 5 + ["ajout_local"],
            "millesime": ["février 2023"] * 5 + [None],
            "local": [False] * 5 + [True],
            "itinerant": [False] * 6,
        }
    )
    distances = pd.DataFrame({"dist_tout_type": [0.5, 25.0]}, index=pd.Index(["01001", "01002"], name="code"))
    need = pd.Series([5.0, 8.0], index=["01001", "01002"])
    return communes, need, places, distances


def test_legend_says_which_places_it_counts_like_the_tables():
    """#17 item 8: 'France Services (15)' beside a table saying 12: count the territory's, say the rest."""
    communes, need, places, distances = _map_parts()
    html = _rendered(view.resources_map(communes, need, "ifn", places, distances))
    assert "France Services : 2 dans le territoire (5 sur la carte)" in html
    assert "Ajouté localement : 1 dans le territoire (1 sur la carte)" in html


def test_zones_blanches_contrast_with_the_red_choropleth_and_sit_above_it():
    communes, need, places, distances = _map_parts()
    html = view.resources_map(communes, need, "ifn", places, distances).get_root().render()
    for style in view.ZONE_STYLE.values():
        assert style["color"].startswith("#")
        red, _green, blue = (int(style["color"][i : i + 2], 16) for i in (1, 3, 5))
        assert blue > red  # a blue hue, not one of the reds of the YlOrRd choropleth
        assert f'"fillColor": "{style["fillColor"]}"' in html
    assert html.count('"pane": "atlasLignes"') >= 2  # zones in the lines pane, above the coloured communes
    assert "plus de 20 km de tout lieu (1)" in html


def test_one_foldable_legend_closed_on_a_phone_and_enlarged_on_a_projector():
    communes, need, places, distances = _map_parts()
    html = _rendered(view.resources_map(communes, need, "ifn", places, distances))
    assert html.count("L.control(") == 2  # the merged legend and the partial-layer badge only
    assert "<details open><summary>Légende</summary>" in html
    assert "clientWidth < 600" in html and "d.open = false" in html
    assert "@media (max-width: 600px)" in html
    assert "font-size: 19px" not in html
    large = view.resources_map(communes, need, "ifn", places, distances, large=True).get_root().render()
    assert "font-size: 19px" in large


def test_partial_extract_of_the_lieux_de_mediation_is_said_on_the_map():
    """#17 item 9: the layer is a partial January 2023 extract (catalogue caveat)."""
    notice = view.partial_notice("lieu_mediation")
    assert "extrait partiel de janvier 2023" in notice and "data·inclusion" in notice
    communes, need, places, distances = _map_parts()
    html = _rendered(view.resources_map(communes, need, "ifn", places, distances))
    assert "Couche incomplète (extrait partiel) : Lieu de médiation numérique" in html
    assert "extrait partiel de janvier 2023" in html
    assert view.partial_notice("france_services") is None
