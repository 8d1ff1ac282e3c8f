"""INSEE Filosofi above the commune, in both of INSEE's layouts (fixtures in the producer's format)."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest

from indicateurs.sources.loaders import SourceFormatError, load_filosofi_territoires
from tests import producer_fixtures as pf


def _write(tmp_path, name: str, body: bytes):
    path = tmp_path / name
    path.write_bytes(body)
    return path


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text.encode("utf-8"))
    return buffer.getvalue()


def _by_code(df: pd.DataFrame) -> pd.DataFrame:
    return df.set_index(["level", "code"]).sort_index()


@pytest.mark.parametrize(
    "fixture, year", [(pf.insee_filosofi_territoires, "2021"), (pf.insee_filosofi_territoires_wide, "2020")]
)
def test_both_layouts_give_the_same_published_rates(tmp_path, fixture, year):
    df = load_filosofi_territoires(_write(tmp_path, *fixture()))
    assert df.attrs["millesime"] == f"Filosofi {year} (publié par l'INSEE à ce niveau)"
    rows = _by_code(df)
    assert rows.index.get_level_values("level").unique().tolist() == ["departement", "epci", "region"]
    assert len(rows) == 9  # communes are left out: their rates come from the comparateur
    assert rows.at[("epci", "240100883"), "taux_pauvrete"] == pytest.approx(0.123)  # not the 2020 row
    assert rows.at[("epci", "240100883"), "revenu_median"] == 23456
    assert rows.at[("departement", "2A"), "taux_pauvrete"] == pytest.approx(0.172)
    assert rows.at[("region", "53"), "revenu_median"] == 22300
    # secret: no rate, never 0
    assert pd.isna(rows.at[("epci", "200069193"), "taux_pauvrete"])
    assert rows.at[("epci", "200069193"), "revenu_median"] == 24500
    assert all(isinstance(c, str) for c in df["code"])


def test_long_layout_with_prefixed_codes_and_french_decimals(tmp_path):
    text = (
        "GEO;GEO_OBJECT;FILOSOFI_MEASURE;UNIT_MEASURE;UNIT_MULT;CONF_STATUS;OBS_STATUS;TIME_PERIOD;OBS_VALUE\n"
        "DEP-2A;DEP;PR_MD60;PCT;0;F;A;2023;17,5\n"
        "DEP-2A;DEP;MED_SL;EUR;0;F;A;2023;22 140\n"
        "01;DEP;PR_MD60;PCT;0;F;A;2023;10.25\n"
    )
    df = load_filosofi_territoires(
        _write(tmp_path, "filosofi.zip", _zip({"DS_FILOSOFI_CC_2023_data.csv": text}))
    )
    rows = _by_code(df)
    assert rows.at[("departement", "2A"), "taux_pauvrete"] == pytest.approx(0.175)
    assert rows.at[("departement", "2A"), "revenu_median"] == 22140
    assert rows.at[("departement", "01"), "taux_pauvrete"] == pytest.approx(0.1025)
    assert pd.isna(rows.at[("departement", "01"), "revenu_median"])
    assert df.attrs["millesime"].startswith("Filosofi 2023")


def test_an_archive_of_neither_layout_is_refused_in_french(tmp_path):
    path = _write(
        tmp_path,
        "filosofi.zip",
        _zip({"lisez-moi.txt": "rien", "cc_filosofi_2021_COM.csv": "CODGEO;MED21\n"}),
    )
    with pytest.raises(SourceFormatError) as error:
        load_filosofi_territoires(path)
    message = str(error.value)
    assert "insee_filosofi_territoires" in message and "DS_FILOSOFI_CC_data.csv" in message
    assert "lisez-moi.txt" in message  # says what the archive holds


def test_a_long_file_that_changed_its_columns_names_them(tmp_path):
    text = "GEO;GEO_OBJECT;MESURE;TIME_PERIOD;OBS_VALUE\n01;DEP;PR_MD60;2021;10\n"
    with pytest.raises(SourceFormatError, match="FILOSOFI_MEASURE"):
        load_filosofi_territoires(_write(tmp_path, "f.zip", _zip({"DS_FILOSOFI_CC_data.csv": text})))
