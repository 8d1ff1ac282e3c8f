"""INSEE census bases (current releases): the loader written from INSEE's dictionaries, the pynsee
resolver, and the registry's per-mode fields. No network: pynsee's file list is replaced in code."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest

from tests import producer_fixtures as pf


@pytest.fixture
def courants(monkeypatch):
    monkeypatch.setenv("INDICATEURS_MILLESIMES", "courants")


def _write(tmp_path, name_body):
    name, body = name_body
    path = tmp_path / name
    path.write_bytes(body)
    return path


def test_the_year_comes_from_the_column_prefix(courants, tmp_path):
    from indicateurs.sources.loaders import load_rp_census

    d21 = load_rp_census(_write(tmp_path, pf.insee_rp_diplomes("2021")), "insee_rp_diplomes")
    d22 = load_rp_census(_write(tmp_path, pf.insee_rp_diplomes("2022")), "insee_rp_diplomes")
    assert d21.attrs["millesime"] == "RP 2021" and d22.attrs["millesime"] == "RP 2022"
    row = d22.set_index("code").loc["01004"]
    assert row["part_peu_diplomes__num"] == 2100 + 700 + 2900  # DIPLMIN + BEPC + CAPBEP
    assert row["part_peu_diplomes__den"] == 11800
    men = load_rp_census(_write(tmp_path, pf.insee_rp_menages("2021")), "insee_rp_menages").set_index("code")
    assert men.loc["2A004", "part_familles_monoparentales__num"] == 4600  # C21_MENFAMMONO, not C21_FAMMONO
    assert men.loc["2A004", "part_menages_seuls__den"] == 33000


def _census_csv(rows: list[tuple[str, float, float]]) -> bytes:
    body = "CODGEO;P21_POP;P21_POP65P;P15_POP\r\n" + "".join(f"{c};{p};{o};{p}\r\n" for c, p, o in rows)
    overseas = "CODGEO;P21_POP;P21_POP65P;P15_POP\r\n97501;6000;900;6100\r\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # INSEE's "-COM" file = the overseas collectivities (sorted first by name): never the commune table
        archive.writestr("base-cc-evol-struct-pop-2021-COM.CSV", overseas.encode("cp1252"))
        archive.writestr("base-cc-evol-struct-pop-2021.CSV", body.encode("cp1252"))
        archive.writestr("meta_base-cc-evol-struct-pop-2021.CSV", "COD_VAR;LIB_VAR\r\n".encode("cp1252"))
    return buffer.getvalue()


def test_paris_lyon_marseille_are_never_counted_twice(courants, tmp_path):
    from indicateurs.sources.loaders import load_rp_census

    both = [
        ("75056", 2100000, 420000),
        ("75101", 16000, 3000),
        ("75102", 21000, 3500),
        ("69381", 30000, 5000),
    ]
    path = tmp_path / "a.zip"
    path.write_bytes(_census_csv(both))
    codes = list(load_rp_census(path, "insee_rp_population")["code"])
    # Paris has its commune row: its arrondissements go; Lyon has none: its arrondissement stays
    assert codes == ["75056", "69381"]
    path.write_bytes(_census_csv([("75101", 16000, 3000), ("75102", 21000, 3500)]))
    assert list(load_rp_census(path, "insee_rp_population")["code"]) == ["75101", "75102"]


def _xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "COM"
    sheet.append(["Évolution et structure de la population en 2021"])
    sheet.append(["Recensement de la population 2021, exploitation principale"])
    sheet.append([])
    sheet.append(["Code géographique", "Population en 2021", "Pop 65 ans ou plus en 2021"])
    sheet.append(["CODGEO", "P21_POP", "P21_POP65P"])
    sheet.append(["01001", 812.4, 160.2])
    sheet.append(["2A004", 71240.5, 15673])
    arm = book.create_sheet("ARM")
    arm.append(["CODGEO", "P21_POP", "P21_POP65P"])
    arm.append(["75101", 16000, 3000])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_xlsx_variant_is_read_from_its_header_row(courants, tmp_path):
    from indicateurs.sources.loaders import load_rp_census

    bare = tmp_path / "base-cc-evol-struct-pop-2021.xlsx"
    bare.write_bytes(_xlsx())
    zipped = tmp_path / "base-cc-evol-struct-pop-2021_xlsx.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("base-cc-evol-struct-pop-2021.xlsx", _xlsx())
    for path in (bare, zipped):
        out = load_rp_census(path, "insee_rp_population").set_index("code")
        assert list(out.index) == ["01001", "2A004"]  # sheet COM only, no arrondissement
        assert out.loc["01001", "part_65_plus__num"] == pytest.approx(160.2)
        assert out.attrs["millesime"] == "RP 2021"


def test_pynsee_candidates_newest_year_first_then_the_known_url(courants, monkeypatch):
    from indicateurs.reference.catalogue import get_source
    from indicateurs.sources import resolve

    files = pd.DataFrame(
        {
            "id": ["A_2020", "OTHER", "A_2022", "A_2021"],
            "link": [
                "https://www.insee.fr/fr/statistiques/fichier/1/base-cc-evol-struct-pop-2020_csv.zip",
                "https://www.insee.fr/fr/statistiques/fichier/9/base-cc-diplomes-formation-2022_csv.zip",
                "https://www.insee.fr/fr/statistiques/fichier/3/base-cc-evol-struct-pop-2022_csv.zip",
                "https://www.insee.fr/fr/statistiques/fichier/8201904/base-cc-evol-struct-pop-2021_csv.zip",
            ],
            "date_ref": ["2020-01-01", "2022-01-01", "2022-01-01", "2021-01-01"],
        }
    )
    monkeypatch.setattr(resolve, "_pynsee_file_list", lambda: files)
    found = resolve.candidates(get_source("insee_rp_population"), session=None)
    assert [c.url.split("/")[-2] for c in found] == ["3", "8201904", "1"]
    assert found[0].vintage == "RP 2022 (catalogue pynsee : A_2022)" and found[0].published == "2022-01-01"


def test_pynsee_lagging_behind_or_unreachable_still_gives_the_known_release(courants, monkeypatch):
    from indicateurs.reference.catalogue import get_source
    from indicateurs.sources import resolve

    source = get_source("insee_rp_menages")
    old = pd.DataFrame(
        {
            "id": ["M_2017"],
            "link": ["https://www.insee.fr/fr/statistiques/fichier/1/base-cc-coupl-fam-men-2017_csv.zip"],
            "date_ref": ["2017-01-01"],
        }
    )
    monkeypatch.setattr(resolve, "_pynsee_file_list", lambda: old)
    found = resolve.candidates(source, session=None)
    assert [c.url.split("/")[-2] for c in found] == ["8205182", "1"]
    assert found[0].vintage.startswith("RP 2021 (dernière version connue")

    def unreachable():
        raise resolve.ResolveError("catalogue de fichiers INSEE (pynsee) sans réponse après 60 s")

    monkeypatch.setattr(resolve, "_pynsee_file_list", unreachable)
    found = resolve.candidates(source, session=None)
    assert [c.url for c in found] == [source.url] and "sans réponse" in found[0].vintage


def test_pynsee_failures_become_a_resolve_error(monkeypatch):
    """Offline, pynsee's get_file_list fails with an UnboundLocalError (or hangs on retries)."""
    from pynsee.download import _get_dict_data_source as pynsee_catalogue

    from indicateurs.sources import resolve

    class Offline:
        def __init__(self, *a, **k):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *a):
            return False

        def get(self, *a, **k):
            raise OSError("réseau coupé")

    monkeypatch.setattr(pynsee_catalogue, "PynseeAPISession", Offline)
    monkeypatch.setattr(resolve, "_PYNSEE_MEMO", {})
    with pytest.raises(resolve.ResolveError, match="pynsee"):
        resolve._pynsee_file_list()
    monkeypatch.setattr(resolve, "PYNSEE_TIMEOUT", 0.2)
    resolve._PYNSEE_MEMO.clear()

    class Slow(Offline):
        def get(self, *a, **k):
            import time

            time.sleep(2)
            raise OSError("trop lent")

    monkeypatch.setattr(pynsee_catalogue, "PynseeAPISession", Slow)
    with pytest.raises(resolve.ResolveError, match="sans réponse"):
        resolve._pynsee_file_list()


def test_pynsee_is_asked_once_per_build_and_only_insee_links_are_taken(courants, monkeypatch):
    from indicateurs.reference.catalogue import get_source
    from indicateurs.sources import resolve

    calls = []
    files = pd.DataFrame(
        {
            "id": ["EVIL_2030", "POP_2022"],
            "link": [
                "https://example.org/base-cc-evol-struct-pop-2030_csv.zip",
                "https://www.insee.fr/fr/statistiques/fichier/3/base-cc-evol-struct-pop-2022_csv.zip",
            ],
            "date_ref": ["2030-01-01", "2022-01-01"],
        }
    )
    monkeypatch.setattr(resolve, "_PYNSEE_MEMO", {})
    monkeypatch.setattr(resolve, "_read_pynsee_file_list", lambda: calls.append(1) or files)
    for sid in ("insee_rp_population", "insee_rp_diplomes", "insee_rp_menages"):
        found = resolve.candidates(get_source(sid), session=None)
    assert len(calls) == 1
    found = resolve.candidates(get_source("insee_rp_population"), session=None)
    assert [c.url.split("/")[2] for c in found] == ["www.insee.fr", "www.insee.fr"]  # example.org ignored
    assert found[0].vintage.startswith("RP 2022")


def test_each_mode_says_its_denominator(monkeypatch):
    from indicateurs.reference.registry import get_indicator

    monkeypatch.setenv("INDICATEURS_MILLESIMES", "figes")
    pinned = get_indicator("part_65_plus")
    assert pinned.source == "d4g_rp2017_communes_2020" and pinned.aggregation == "weighted_mean"
    assert "15 ans ou plus" in pinned.label and "population totale" in pinned.description
    monkeypatch.setenv("INDICATEURS_MILLESIMES", "courants")
    current = get_indicator("part_65_plus")
    assert current.source == "insee_rp_population" and current.aggregation == "ratio"
    assert "population totale" in current.label and "15 ans ou plus" in current.description
    for ind in ("part_peu_diplomes", "part_menages_seuls", "part_familles_monoparentales"):
        assert get_indicator(ind).aggregation == "ratio" and get_indicator(ind).denominator
    assert get_indicator("part_familles_monoparentales").denominator.startswith("ménages")


def test_offline_the_producer_probe_skips_pynsee_at_once(courants, monkeypatch):
    """No minute-long wait on pynsee's retries when INSEE's site does not answer at all."""
    import requests

    from indicateurs.reference.catalogue import get_source
    from indicateurs.sources import resolve

    asked = []
    monkeypatch.setattr(resolve, "_pynsee_file_list", lambda: asked.append(1))

    class Offline(requests.Session):
        def head(self, url, **kwargs):
            raise requests.ConnectionError("pas de réseau")

    source = get_source("insee_rp_diplomes")
    found = resolve.candidates(source, session=Offline())
    assert asked == []
    assert [c.url for c in found] == [source.url]
    assert "www.insee.fr injoignable [ConnectionError]" in found[0].vintage
