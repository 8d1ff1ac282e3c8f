"""Profile assembly and exports on a tiny hand-made base (3 EPCI of 2-3 square communes)."""

from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from indicateurs.reference.registry import SECRET, list_indicators

# commune code, nom, epci, x (grid column), population, taux_pauvrete (None = secret)
_COMMUNES = [
    ("79001", "Aubigny", "200000001", 0, 1200, 0.12),
    ("79002", "Brûlain", "200000001", 1, 800, None),
    ("79003", "Chèvrerie", "200000001", 2, 15000, 0.16),
    ("79004", "Dœuil", "200000002", 3, 400, None),
    ("79005", "Épannes", "200000002", 4, 2600, 0.10),
    ("86001", "Fleuré", "200000003", 5, 5000, 0.20),
    ("86002", "Gençay", "200000003", 6, 2200, 0.18),
]
_EPCI = {"200000001": "CC du Haut Val", "200000002": "CC des Îles", "200000003": "CA de Gençay"}
_DEP = {"79": "Deux-Sèvres", "86": "Vienne"}


@dataclass
class FakeBase:
    """The `indicateurs.base` contract (territories, wide, geometry, values) on 7 communes."""

    territories: pd.DataFrame
    _wide: dict
    _geo: dict
    report: dict

    def wide(self, level: str) -> pd.DataFrame:
        return self._wide[level].copy()

    def geometry(self, level: str) -> gpd.GeoDataFrame:
        return self._geo[level].copy()


def fake_base() -> FakeBase:
    rng = np.random.default_rng(0)
    ids = [i.id for i in list_indicators() if "commune" in i.levels and i.id != "indice_composite"]
    rows = []
    for code, nom, epci, _x, pop, pauvrete in _COMMUNES:
        values = {i: float(rng.uniform(0.05, 0.6)) for i in ids}
        values.update({i: float(rng.integers(1, 11)) for i in ids if i.startswith("ifn")})
        values.update(population=float(pop), densite=float(pop) / 10, taux_pauvrete=pauvrete or np.nan)
        values.update(revenu_median=20000.0 + pop, nb_france_services=float(pop > 2000))
        rows.append({"code": code, "nom": nom, "epci": epci, "departement": code[:2], **values})
    communes = pd.DataFrame(rows).set_index("code")
    communes["taux_pauvrete"] = communes["taux_pauvrete"].astype(float)

    def aggregate(keys: pd.Series, names: dict) -> pd.DataFrame:
        numeric = communes.drop(columns=["nom", "epci", "departement"])
        out = numeric.groupby(keys).mean()
        out["population"] = numeric["population"].groupby(keys).sum()
        out.insert(0, "nom", [names[k] for k in out.index])
        return out

    epci = aggregate(communes["epci"], _EPCI)
    epci["taux_illectronisme"] = [0.15, np.nan, 0.2]
    dep = aggregate(communes["departement"], _DEP)
    reg = aggregate(pd.Series("75", index=communes.index), {"75": "Nouvelle-Aquitaine"})
    fr = aggregate(pd.Series("FR", index=communes.index), {"FR": "France"})
    for frame in (epci, dep, reg, fr):
        frame.index.name = "code"

    t = [("commune", c, n, e, c[:2], "75", p) for c, n, e, _x, p, _t in _COMMUNES]
    t += [("epci", c, n, c, _epci_dep(c), "75", epci.at[c, "population"]) for c, n in _EPCI.items()]
    t += [("departement", c, n, None, c, "75", dep.at[c, "population"]) for c, n in _DEP.items()]
    t += [("region", "75", "Nouvelle-Aquitaine", None, None, "75", reg.at["75", "population"])]
    t += [("france", "FR", "France", None, None, None, fr.at["FR", "population"])]
    territories = pd.DataFrame(
        t, columns=["level", "code", "nom", "epci", "departement", "region", "population"]
    )
    territories["nature"] = None

    squares = {c: box(x, 0, x + 1, 1) for c, _n, _e, x, _p, _t in _COMMUNES}
    geo_c = gpd.GeoDataFrame(
        {"code": list(squares), "nom": communes["nom"].tolist()},
        geometry=list(squares.values()),
        crs="EPSG:4326",
    )
    geo_e = geo_c.assign(epci=communes["epci"].to_numpy()).dissolve("epci").reset_index()
    geo_e = geo_e.assign(code=geo_e["epci"], nom=[_EPCI[c] for c in geo_e["epci"]])[
        ["code", "nom", "geometry"]
    ]
    return FakeBase(
        territories=territories,
        _wide={
            "commune": communes.drop(columns=["epci", "departement"]),
            "epci": epci,
            "departement": dep,
            "region": reg,
            "france": fr,
        },
        _geo={"commune": geo_c, "epci": geo_e},
        report={"built_at": "2026-11-28T15:00:00"},
    )


def _epci_dep(code: str) -> str:
    return "86" if code == "200000003" else "79"


@pytest.fixture(scope="module")
def base() -> FakeBase:
    return fake_base()


@pytest.fixture(scope="module")
def profile(base):
    from indicateurs.analysis.profile import build_profile

    return build_profile(base, "200000001")


# ---------------------------------------------------------------- assembly


def test_resolves_code_name_and_parents(profile):
    assert (profile.level, profile.code, profile.nom) == ("epci", "200000001", "CC du Haut Val")
    assert profile.parents["code"].tolist() == ["79", "75", "FR"]
    assert profile.n_communes == 3


def test_unknown_code_gives_close_matches(base):
    from indicateurs.analysis.profile import build_profile

    with pytest.raises(ValueError, match=r"inconnu.*200000001"):
        build_profile(base, "200000011")
    with pytest.raises(ValueError, match="Niveau inconnu"):
        build_profile(base, "200000001", level="epic")


def test_department_code_resolves_with_level(base):
    from indicateurs.analysis.profile import resolve_territory

    assert resolve_territory(base, "75") == ("region", "75", "Nouvelle-Aquitaine")
    assert resolve_territory(base, "79") == ("departement", "79", "Deux-Sèvres")
    assert resolve_territory(base, "fr")[0] == "france"


def test_key_figures_match_the_base(base, profile):
    key = profile.key_figures
    wide = base.wide("epci")
    assert key.at["ifn", "value"] == pytest.approx(wide.at["200000001", "ifn"])
    assert key.at["population", "value"] == 17000
    assert key.at["population", "display"] == "17\u202f000\u00a0hab."
    assert {"ifn_sans_thd", "ifn_peu_diplomes", "indice_composite"} <= set(key.index)
    assert "part_thd" not in key.index  # 2019 broadband left the composite: not a key figure any more
    assert key["citation"].str.len().min() > 10
    # 3 EPCI: the highest of three has percentile 100
    best = wide["ifn"].idxmax()
    from indicateurs.analysis.profile import build_profile

    assert build_profile(base, best).key_figures.at["ifn", "national_pct"] == pytest.approx(100)


def test_people_concerned_uses_population(base, profile):
    key = profile.key_figures
    wide = base.wide("epci")
    expected = wide.at["200000001", "taux_pauvrete"] * 17000
    assert key.at["taux_pauvrete", "concerned"] == pytest.approx(expected, rel=0.05)
    assert key.at["taux_pauvrete", "concerned_text"].startswith("environ ")


def test_ladder_has_every_role(profile):
    ifn = profile.ladder.loc[profile.ladder["indicator"] == "ifn"]
    assert ifn["role"].tolist()[0] == "territoire"
    assert {"voisin", "departement", "region", "france"} <= set(ifn["role"])
    assert ifn.loc[ifn["role"] == "voisin", "code"].tolist() == ["200000002"]  # only EPCI 2 touches EPCI 1
    assert ifn.loc[ifn["role"] == "france", "value"].iloc[0] == pytest.approx(
        fake_base().wide("france").at["FR", "ifn"]
    )


def test_missing_value_is_explained_never_zero(base):
    from indicateurs.analysis.profile import build_profile
    from indicateurs.render.profile_files import comparison_table

    profile = build_profile(base, "79002")
    assert profile.key_figures.at["taux_pauvrete", "display"] == SECRET
    table = comparison_table(profile)
    row = table.loc[(table["Code"] == "79002") & (table["Identifiant"] == "taux_pauvrete")].iloc[0]
    assert row["Valeur"] == SECRET
    assert row["Rang national"] == ""
    assert any("secret" in c for c in profile.caveats)


def test_summary_is_plain_french(profile):
    text = " ".join(profile.summary + profile.caveats)
    assert "Indice de fragilité numérique" in text
    assert "pas un nombre de personnes" in text
    assert "nan" not in text.lower().split()


# ---------------------------------------------------------------- exports


def test_xlsx_sheets_headers_and_values(base, profile):
    from openpyxl import load_workbook

    from indicateurs.render.profile_files import profile_xlsx

    wb = load_workbook(io.BytesIO(profile_xlsx(profile)))
    assert wb.sheetnames[0] == "Indicateurs" and wb.sheetnames[-1] == "Sources"
    assert any(name.startswith("Communes - ") for name in wb.sheetnames)
    ws = wb["Indicateurs"]
    header = [c.value for c in ws[1]]
    for column in (
        "Territoire",
        "Indicateur",
        "Valeur",
        "Unité",
        "Rang national",
        "Source",
        "Millésime",
        "Niveau",
    ):
        assert column in header
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    ifn = next(r for r in rows if r["Code"] == "200000001" and r["Identifiant"] == "ifn")
    assert isinstance(ifn["Valeur"], float)
    assert ifn["Valeur"] == pytest.approx(base.wide("epci").at["200000001", "ifn"])
    thd = next(r for r in rows if r["Code"] == "200000001" and r["Identifiant"] == "part_thd")
    assert thd["Valeur"] == pytest.approx(base.wide("epci").at["200000001", "part_thd"] * 100)
    assert thd["Unité"] == "%"


def test_csv_is_french_excel(profile):
    from indicateurs.render.profile_files import profile_csv

    raw = profile_csv(profile)
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Rôle;Niveau;Code;Territoire")
    assert ";17000;" in text  # population as a plain number
    rows = [line.split(";") for line in text.splitlines()[1:]]
    assert not any("." in r[6] or "." in r[10] or "." in r[11] for r in rows)  # values, percentiles
    assert any("," in r[6] for r in rows if r[4] == "part_thd")  # rates in % with a decimal comma
    assert "nan" not in text


def test_filename_is_safe(profile):
    from indicateurs.render.profile_files import profile_filename

    assert profile_filename(profile, "pdf") == "profil-cc-du-haut-val-200000001.pdf"


# ---------------------------------------------------------------- pdf and charts


def test_pdf_text_and_first_page_render(base, profile, tmp_path):
    from pypdf import PdfReader

    from indicateurs.render.pdf import profile_pdf

    data = profile_pdf(profile, base)
    reader = PdfReader(io.BytesIO(data))
    assert 1 <= len(reader.pages) <= 2
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "CC du Haut Val" in text
    assert "17 000" in text.replace("\u202f", " ").replace("\u00a0", " ")
    assert "Sources" in text
    pdf = tmp_path / "p.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True
    )
    png = next(tmp_path.glob("p*.png"))
    assert png.stat().st_size > 20_000


def test_pdf_of_commune_with_secret_value(base):
    from pypdf import PdfReader

    from indicateurs.analysis.profile import build_profile
    from indicateurs.render.pdf import profile_pdf

    profile = build_profile(base, "79002")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(profile_pdf(profile, base))).pages)
    assert "secret statistique" in text
    assert " nan" not in text.lower()


def test_ladder_chart_highlights_territory(profile):
    from indicateurs.render.charts import ladder_chart
    from tests.vega_spec import assert_valid_vega_lite

    chart = ladder_chart(profile.ladder, "taux_pauvrete")
    assert_valid_vega_lite(chart)
    rows = profile.ladder[profile.ladder["indicator"] == "taux_pauvrete"]
    table = chart["datasets"]["echelle"]
    assert [r["role"] for r in table] == rows["role"].tolist()  # every territory, territory first
    for got, value in zip(table, rows["value"], strict=True):  # rates drawn in %
        assert got["x"] == (pytest.approx(value * 100) if value == value else None)
    dots = next(layer for layer in chart["layer"] if layer["mark"]["type"] == "point")["encoding"]
    assert dots["x"]["title"] == "Pauvreté (%)"
    assert dots["y"]["scale"]["domain"][0] == table[0]["label"]  # on top
    shapes = dict(zip(dots["shape"]["scale"]["domain"], dots["shape"]["scale"]["range"], strict=True))
    assert shapes["Territoire"] == "circle" and table[0]["aire"] == max(r["aire"] for r in table)
    assert [t["title"] for t in dots["tooltip"]] == ["Territoire", "Rôle", "Valeur"]
    rule = chart["layer"][0]
    assert rule["mark"]["type"] == "rule" and rule["data"]["values"] == [{"x": pytest.approx(table[0]["x"])}]
    assert [(r["label"], r["groupe"]) for r in table if r["role"] == "territoire"] == [
        ("CC du Haut Val", "Territoire")
    ]


def test_profiles_of_one_base_share_their_tables_and_a_new_base_starts_afresh():
    """The rank table is computed once per base object (not per `id()`), and a changed base is never
    served the previous one's answers."""
    from indicateurs.analysis.profile import build_profile

    first = fake_base()
    a = build_profile(first, "200000001")
    b = build_profile(first, "200000002")
    assert a.ranks is not b.ranks  # each profile has its own rows…
    reads = []
    first.wide = lambda level: (
        reads.append(level) or FakeBase.wide(first, level)
    )  # …from tables already built
    build_profile(first, "200000003")
    assert reads == []
    second = fake_base()
    second._wide["epci"].loc["200000001", "ifn"] = 9.5
    again = build_profile(second, "200000001")
    assert again.key_figures.loc["ifn", "value"] == pytest.approx(9.5)
    assert a.key_figures.loc["ifn", "value"] != pytest.approx(9.5)


def test_poverty_caveat_says_how_the_figure_is_made():
    """#14: with secret communes estimated, the caveat no longer says the figure rests on the others."""
    from indicateurs.analysis.profile import _caveats

    communes = pd.DataFrame({"taux_pauvrete": [0.2, None, None]}, index=["a", "b", "c"])

    def key(status):
        return pd.DataFrame(
            {
                "indicator": ["taux_pauvrete"],
                "value": [0.18],
                "label": ["Taux de pauvreté"],
                "statut": [status],
            },
            index=["taux_pauvrete"],
        )

    (line,) = [c for c in _caveats(key("estimé"), communes) if "pauvreté" in c]
    assert line.startswith("Taux de pauvreté : 2 commune(s) sur 3 sont sous secret statistique")
    assert "estimé à partir de leur revenu médian" in line
    (line,) = [c for c in _caveats(key("couverture insuffisante"), communes) if "pauvreté" in c]
    assert "n'est pas affichée" in line
    (line,) = [c for c in _caveats(key("complet"), communes) if "pauvreté" in c]
    assert "repose sur les communes publiées" in line
