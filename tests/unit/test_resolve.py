"""How the newest release of a producer is found (no network: a fake session answers)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from indicateurs.reference.catalogue import load_catalogue
from indicateurs.sources import derive
from indicateurs.sources.resolve import ResolveError, candidates
from tests import producer_fixtures as pf


class FakeSession:
    def __init__(self, answers: dict[str, tuple[int, bytes]]):
        self.answers = answers

    def get(self, url, **kwargs):
        status, body = self.answers.get(url, (404, b"Not Found"))
        return FakeResponse(status, body)


class FakeResponse:
    def __init__(self, status: int, body: bytes):
        self.status_code, self.body = status, body

    def json(self):
        return json.loads(self.body)


def current(source_id: str, **fields):
    return replace(load_catalogue("courants")[source_id], **fields)


def test_every_current_entry_has_a_known_strategy_and_the_build_sources():
    from indicateurs.build.pipeline import SOURCES

    entries = load_catalogue("courants")
    assert set(SOURCES) <= set(entries)
    assert {s.resolve for s in entries.values()} <= {
        "",
        "fige",
        "npm",
        "annee",
        "datagouv",
        "pynsee",
        "cartiflette",
    }
    for s in entries.values():
        assert not s.mirror_path, s.id  # the mirror holds the pinned snapshot only
        if s.resolve in ("npm", "annee"):
            assert "{" in s.url_pattern, s.id
        if s.resolve == "pynsee":  # a year group, and the last known release matches it
            assert re.search(s.pynsee_link, s.url).group(1).isdigit(), s.id


def test_npm_latest_first_then_older_versions():
    source = current("cog_communes_2025", url="R", url_pattern="J/{version}/communes.json")
    body = pf.npm_registry(["5.3.0", "10.0.0", "6.0.0", "11.0.0-beta.1"], "10.0.0")
    found = candidates(source, FakeSession({"R": (200, body)}))
    assert [c.url for c in found] == [
        "J/10.0.0/communes.json",
        "J/6.0.0/communes.json",
        "J/5.3.0/communes.json",
    ]
    assert found[0].published == "2026-02-15"
    assert found[0].vintage == (
        "COG 2026, populations légales 2023 (en vigueur au 1er janvier 2026 ; decoupage-administratif "
        "10.0.0 du 2026-02-15)"
    )


def test_year_pattern_from_this_year_back():
    source = current("geo_epci_2025", url_pattern="E/{annee}/communes-100m.geojson.gz")
    found = candidates(source, FakeSession({}), now=datetime(2026, 11, 29, tzinfo=UTC))
    assert [c.vintage for c in found] == ["2026", "2025", "2024", "2023"]
    assert found[1].url == "E/2025/communes-100m.geojson.gz"


def test_datagouv_newest_resource_of_the_format_whatever_the_api_order():
    source = current(
        "france_services_2023", url="API", resource_title="france services", resource_format="csv"
    )
    body = pf.datagouv_dataset(
        [
            ("Liste France services 2025", "csv", "u2025", "2025-01-10T09:00:00"),
            ("Carte France services", "html", "uhtml", "2026-12-01T09:00:00"),
            ("Liste France services 2026", "CSV", "u2026", "2026-10-01T09:00:00"),
            ("Autre jeu", "csv", "uautre", "2026-11-01T09:00:00"),
        ]
    )
    found = candidates(source, FakeSession({"API": (200, body)}))
    assert [c.url for c in found] == ["u2026", "u2025"]
    assert found[0].vintage == "ressource du 2026-10-01 : Liste France services 2026"


def test_datagouv_errors_are_french_and_name_the_problem():
    source = current("france_services_2023", url="API", resource_format="csv")
    with pytest.raises(ResolveError, match="HTTP 404"):
        candidates(source, FakeSession({}))
    with pytest.raises(ResolveError, match="aucune ressource au format « csv »"):
        candidates(source, FakeSession({"API": (200, pf.datagouv_dataset([("x", "pdf", "u", "2026")]))}))
    with pytest.raises(ResolveError, match="resources"):
        candidates(source, FakeSession({"API": (200, b"{}")}))


def test_direct_url_is_its_own_single_candidate():
    source = current("insee_comparateur_2022")
    assert [c.url for c in candidates(source, FakeSession({}))] == [source.url]


def test_zip_member_with_a_year_suffix_is_found_and_latin1_turned_to_utf8(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "meta_base_cc_comparateur_2025.CSV", "COD_VAR;LIB_VAR\r\nMED21;Médiane\r\n".encode("cp1252")
        )
        archive.writestr("base_cc_comparateur_2025.CSV", "CODGEO;P22_POP\r\n01001;800\r\n".encode("cp1252"))
    src, dst = tmp_path / "in.zip", tmp_path / "out.csv"
    src.write_bytes(buffer.getvalue())
    source = replace(load_catalogue("courants")["insee_comparateur_meta_2022"])
    derive.apply(source, src, dst)
    assert dst.read_bytes().decode("utf-8") == "COD_VAR;LIB_VAR\r\nMED21;Médiane\r\n"
    data = replace(load_catalogue("courants")["insee_comparateur_2022"], file="x.csv")
    derive.apply(data, src, dst)
    assert dst.read_bytes().decode("utf-8") == "CODGEO;P22_POP\r\n01001;800\r\n"
