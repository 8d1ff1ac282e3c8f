"""Fetch layer on tiny sources built in code: a temporary store, a fake HTTP session, no mirror."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
import os
import zipfile
from datetime import datetime

import pytest
import requests

from indicateurs.reference import catalogue
from indicateurs.reference.catalogue import Source
from indicateurs.sources import derive
from indicateurs.sources import fetch as fetch_mod
from indicateurs.sources.fetch import FetchError, fetch, fetch_all, store_manifest

URL = "https://example.org/donnees/test.csv"
GOOD_CSV = b"code,valeur\n01001,3\n2A004,5\n"


def make_source(**fields) -> Source:
    base = {
        "id": "test_csv",
        "title": "Fichier de test",
        "theme": "test",
        "producer": "tests",
        "citation": "tests",
        "licence": "Licence Ouverte",
        "millesime": "2024",
        "url": URL,
        "mirror_path": "test/test.csv",
        "file": "test.csv",
        "format": "csv",
        "relation": "identique",
        "columns": ("code", "valeur"),
    }
    return Source(**{**base, **fields})


class FakeResponse:
    """Enough of `requests.Response` for `fetch`: status, headers, chunked body, optional failure."""

    def __init__(self, body=b"", status=200, content_type="text/csv", length=True, fail_after=None, chunk=7):
        self.body, self.status_code, self.reason = body, status, "OK" if status < 400 else "Erreur"
        self.headers = {"Content-Type": content_type}
        if length:
            self.headers["Content-Length"] = str(len(body) if length is True else length)
        self.fail_after, self.chunk = fail_after, chunk

    def iter_content(self, _size):
        for start in range(0, len(self.body), self.chunk):
            if self.fail_after is not None and start >= self.fail_after:
                raise requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead")
            yield self.body[start : start + self.chunk]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class FakeSession:
    def __init__(self, responses):
        self.responses, self.calls = list(responses), []

    def get(self, url, **kwargs):
        self.calls.append((url, kwargs))
        if not self.responses:
            raise AssertionError("unexpected download")
        return self.responses.pop(0)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("INDICATEURS_DATA", str(tmp_path / "store"))
    monkeypatch.delenv("INDICATEURS_MIROIR", raising=False)
    return tmp_path / "store" / "raw"


@pytest.fixture
def register(monkeypatch):
    def _register(**fields) -> Source:
        source = make_source(**fields)
        monkeypatch.setitem(catalogue._load(), source.id, source)
        return source

    return _register


@pytest.fixture
def serve(monkeypatch):
    """Replace the HTTP session by one answering the given responses in order."""

    def _serve(*responses) -> FakeSession:
        session = FakeSession(responses)
        monkeypatch.setattr(fetch_mod, "_session", lambda: session)
        return session

    return _serve


def leftovers(raw):
    return sorted(p.name for p in raw.iterdir() if p.name.endswith(".part"))


# --------------------------------------------------------------------------- rejection


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "text/plain"])
def test_html_error_page_is_rejected_with_source_id_and_url(store, register, serve, content_type):
    register()
    serve(FakeResponse(b"<!DOCTYPE html><html><body>Rate limit</body></html>", content_type=content_type))
    with pytest.raises(FetchError) as err:
        fetch("test_csv")
    message = str(err.value)
    assert "test_csv" in message and URL in message and "HTML" in message
    assert "Fichier de test" in message
    assert err.value.source_id == "test_csv" and err.value.url == URL
    assert not (store / "test.csv").exists()
    assert leftovers(store) == []


def test_truncated_gzip_is_rejected(store, register, serve):
    register(file="test.csv.gz", format="csv.gz")
    whole = gzip.compress(GOOD_CSV * 200)
    serve(FakeResponse(whole[: len(whole) // 2]))
    with pytest.raises(FetchError, match="gzip tronquée ou corrompue"):
        fetch("test_csv")
    assert not (store / "test.csv.gz").exists()


def test_missing_column_is_rejected_naming_the_column(store, register, serve):
    register()
    serve(FakeResponse(b"code,autre\n01001,3\n"))
    with pytest.raises(FetchError, match=r"absente\(s\) : valeur"):
        fetch("test_csv")


@pytest.mark.parametrize(
    ("body", "expected"),
    [(b"", "vide"), (b"code,valeur\n", "aucune ligne"), (b"code;valeur\n1;2\n", "séparateur")],
)
def test_empty_or_malformed_csv_is_rejected(store, register, serve, body, expected):
    register()
    serve(FakeResponse(body))
    with pytest.raises(FetchError, match=expected):
        fetch("test_csv")


def test_invalid_json_is_rejected(store, register, serve):
    register(file="t.json", format="json", columns=("code",))
    serve(FakeResponse(b'[{"code": "01001"}, {"code": '))
    with pytest.raises(FetchError, match="JSON invalide"):
        fetch("test_csv")


def test_http_error_and_short_body_are_rejected(store, register, serve):
    register()
    serve(FakeResponse(b"Not found", status=404), FakeResponse(GOOD_CSV, length=len(GOOD_CSV) + 10))
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch("test_csv")
    with pytest.raises(FetchError, match="incomplet"):
        fetch("test_csv")


def test_equivalent_geometry_missing_a_declared_property_is_refused_with_a_hint(store, register, serve):
    register(file="g.geojson", format="geojson", relation="équivalent", columns=("code", "nom", "nature"))
    feature = {"type": "Feature", "properties": {"code": "200000172", "nom": "CC"}, "geometry": None}
    serve(FakeResponse(json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()))
    with pytest.raises(FetchError, match=r"nature.*équivalent.*publie toujours ces propriétés"):
        fetch("test_csv")


# --------------------------------------------------------------------------- the good file is kept


@pytest.mark.parametrize(
    "bad",
    [
        FakeResponse(b"<html><body>502 Bad Gateway</body></html>", content_type="text/html"),
        FakeResponse(b"Erreur", status=500),
        FakeResponse(b"code,valeur\n" + b"01001,3\n" * 50, fail_after=40),
        FakeResponse(b"code,autre\n1,2\n"),
    ],
    ids=["html", "http500", "dropped", "missing-column"],
)
def test_failed_download_leaves_previous_file_byte_identical(store, register, serve, bad):
    register()
    serve(FakeResponse(GOOD_CSV), bad)
    path = fetch("test_csv")
    manifest_before = (store / "manifest.json").read_bytes()
    with pytest.raises(FetchError, match="conservé"):
        fetch("test_csv", force=True)
    assert path.read_bytes() == GOOD_CSV
    assert (store / "manifest.json").read_bytes() == manifest_before
    assert leftovers(store) == []


# --------------------------------------------------------------------------- progress and manifest


def test_progress_is_called_with_growing_byte_counts(store, register, serve):
    register()
    body = b"code,valeur\n" + b"".join(f"{i:05d},{i}\n".encode() for i in range(200))
    serve(FakeResponse(body, chunk=100))
    calls = []
    fetch("test_csv", progress=lambda done, total: calls.append((done, total)))
    done = [d for d, _ in calls]
    assert len(calls) == -(-len(body) // 100)
    assert done == sorted(set(done)) and done[-1] == len(body)
    assert {t for _, t in calls} == {len(body)}


def test_progress_total_is_none_without_content_length(store, register, serve):
    register()
    serve(FakeResponse(GOOD_CSV, length=False))
    calls = []
    fetch("test_csv", progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (len(GOOD_CSV), None)


def test_content_encoding_does_not_make_a_good_body_look_short(store, register, serve):
    register()
    response = FakeResponse(GOOD_CSV, length=len(GOOD_CSV) // 2)  # compressed size on the wire
    response.headers["Content-Encoding"] = "gzip"
    serve(response)
    calls = []
    assert fetch("test_csv", progress=lambda d, t: calls.append(t)).read_bytes() == GOOD_CSV
    assert set(calls) == {None}


def test_manifest_records_size_sha256_origin_and_url(store, register, serve):
    register()
    session = serve(FakeResponse(GOOD_CSV))
    path = fetch("test_csv")
    entry = store_manifest()["test_csv"]
    assert entry["sha256"] == hashlib.sha256(GOOD_CSV).hexdigest()
    assert entry["size"] == len(GOOD_CSV) and entry["file"] == "test.csv" == path.name
    assert entry["origin"] == "téléchargement" and entry["url"] == URL
    assert path.stat().st_mode & 0o777 == 0o644
    assert datetime.fromisoformat(entry["fetched_at"]).tzinfo is not None
    headers = session.calls[0][1]
    assert session.calls[0][0] == URL and headers["stream"] is True and headers["timeout"]


def test_session_has_user_agent_and_retries():
    session = fetch_mod._session()
    assert session.headers["User-Agent"] == "indicateurs/0.1 (+atlas inclusion numérique)"
    retry = session.get_adapter("https://example.org").max_retries
    assert (
        retry.total == fetch_mod.RETRIES and 503 in retry.status_forcelist and 429 in retry.status_forcelist
    )


# --------------------------------------------------------------------------- store and mirror


def test_mirror_copy_then_second_call_is_a_store_no_op(store, register, serve, tmp_path, monkeypatch, caplog):
    register()
    mirror = tmp_path / "miroir"
    (mirror / "test").mkdir(parents=True)
    (mirror / "test" / "test.csv").write_bytes(GOOD_CSV)
    monkeypatch.setenv("INDICATEURS_MIROIR", str(mirror))
    serve()  # any download would fail the test
    calls = []
    path = fetch("test_csv", progress=lambda d, t: calls.append((d, t)))
    assert path.read_bytes() == GOOD_CSV
    assert store_manifest()["test_csv"]["origin"] == "miroir"
    assert calls[-1] == (len(GOOD_CSV), len(GOOD_CSV))
    manifest_before = (store / "manifest.json").read_bytes()
    mtime = path.stat().st_mtime_ns
    with caplog.at_level(logging.INFO, logger="indicateurs.sources.fetch"):
        assert fetch("test_csv") == path
    assert "magasin" in caplog.text
    assert path.stat().st_mtime_ns == mtime
    assert (store / "manifest.json").read_bytes() == manifest_before


def test_bad_mirror_file_falls_back_to_download(store, register, serve, tmp_path, monkeypatch):
    register()
    mirror = tmp_path / "miroir"
    (mirror / "test").mkdir(parents=True)
    (mirror / "test" / "test.csv").write_bytes(b"")
    monkeypatch.setenv("INDICATEURS_MIROIR", str(mirror))
    serve(FakeResponse(GOOD_CSV))
    assert fetch("test_csv").read_bytes() == GOOD_CSV
    assert store_manifest()["test_csv"]["origin"] == "téléchargement"


def test_valid_file_found_in_store_is_adopted_as_magasin(store, register, serve):
    register()
    store.mkdir(parents=True)
    (store / "test.csv").write_bytes(GOOD_CSV)
    serve()
    fetch("test_csv")
    assert store_manifest()["test_csv"]["origin"] == "magasin"
    assert store_manifest()["test_csv"]["sha256"] == hashlib.sha256(GOOD_CSV).hexdigest()


def test_store_file_changed_since_manifest_is_fetched_again(store, register, serve):
    register()
    serve(FakeResponse(GOOD_CSV), FakeResponse(GOOD_CSV))
    path = fetch("test_csv")
    path.write_bytes(GOOD_CSV.replace(b"3", b"4"))  # same size, other content
    assert fetch("test_csv").read_bytes() == GOOD_CSV


def test_fetch_all_reports_every_failure(store, register, serve, monkeypatch):
    good, bad = make_source(), make_source(id="test_bad", file="bad.csv")
    monkeypatch.setattr(fetch_mod, "list_sources", lambda: [good, bad])
    for source in (good, bad):
        monkeypatch.setitem(catalogue._load(), source.id, source)
    serve(FakeResponse(GOOD_CSV), FakeResponse(b"<html></html>", content_type="text/html"))
    with pytest.raises(FetchError, match=r"(?s)1 source\(s\) sur 2 non récupérée.*test_bad"):
        fetch_all()
    assert (store / "test.csv").read_bytes() == GOOD_CSV


def test_unknown_source_is_a_clear_error(store):
    with pytest.raises(ValueError, match="Source inconnue"):
        fetch("ifn_communes_2032")


# --------------------------------------------------------------------------- transforms after download


def test_arcep_transform_drops_beta_line_and_changes_separator(store, register, serve):
    register(derive="csv", columns=("code_insee", "nbr"))
    serve(
        FakeResponse("Version beta : données non fiables\ncode_insee;nom;nbr\n01001;Saint-A, B;3\n".encode())
    )
    assert fetch("test_csv").read_text() == 'code_insee,nom,nbr\n01001,"Saint-A, B",3\n'


def test_csv_transform_pads_codes(store, register, serve):
    register(derive="csv", columns=("code", "cp"), pad=(("code", 5), ("cp", 5)))
    serve(FakeResponse(b"code;cp;n\n1001;1400;7\n2A004;20000;8\n"))
    assert fetch("test_csv").read_text() == "code,cp,n\n01001,01400,7\n2A004,20000,8\n"


def test_json_transform_keeps_only_declared_columns_and_counts_advisers(store, register, serve):
    register(format="csv", derive="json_csv", columns=("id", "nom", "latitude", "nb_conseillers"))
    records = [
        {
            "id": "a1",
            "nom": "Médiathèque",
            "latitude": 43.289439,
            "courriel": "accueil@example.org",
            "telephone": "+33600000000",
            "aidants": [{"nom": "Jeanne Dupont", "courriel": "jeanne@example.org"}, {"nom": "Paul"}],
        },
        {"id": "a2", "nom": "Mairie"},
    ]
    serve(FakeResponse(json.dumps(records).encode(), content_type="application/json"))
    text = fetch("test_csv").read_text()
    assert text == "id,nom,latitude,nb_conseillers\na1,Médiathèque,43.289439,2\na2,Mairie,,0\n"
    assert "@" not in text and "Dupont" not in text and "+336" not in text


def test_json_object_keyed_by_name_becomes_a_column_with_padded_codes(store, register, serve):
    register(
        derive="json_csv",
        columns=("Raison sociale", "Siret", "Code commune Insee"),
        pad=(("Code commune Insee", 5),),
    )
    data = {
        "BOCAGE": {"Siret": 84009530100015, "Code commune Insee": 3218},
        "LANDES": {"Code commune Insee": "40075"},
    }
    serve(FakeResponse(json.dumps(data).encode()))
    assert fetch("test_csv").read_text() == (
        "Raison sociale,Siret,Code commune Insee\nBOCAGE,84009530100015,03218\nLANDES,,40075\n"
    )


def test_illectronisme_transform_parses_french_numbers(store, register, serve):
    register(
        derive="illectronisme",
        columns=("code_epci", "nom_epci", "taux_illectronisme_pct", "nb_personnes_illectronisme"),
    )
    data = [
        {
            "Code EPCI": 200018083,
            "Libellé EPCI": "CC de Desvres-Samer",
            "Taux (en %)": "18,7",
            "Nombre": "3 346",
        },
        {"Code EPCI": 200069722, "Libellé EPCI": "CC Aumale", "Taux (en %)": "20,2", "Nombre": 743},
        {"Code EPCI": 240200519, "Libellé EPCI": "CC Oulchy", "Taux (en %)": "18,5", "Nombre": "s"},
    ]
    serve(FakeResponse(json.dumps(data).encode()))
    assert fetch("test_csv").read_text().splitlines() == [
        "code_epci,nom_epci,taux_illectronisme_pct,nb_personnes_illectronisme",
        "200018083,CC de Desvres-Samer,18.7,3346.0",
        "200069722,CC Aumale,20.2,743.0",
        "240200519,CC Oulchy,18.5,",
    ]


def test_gzip_transform_compresses_plain_json(store, register, serve):
    register(file="c.json.gz", format="json.gz", derive="gzip", columns=("code", "nom"))
    body = json.dumps([{"code": "01001", "nom": "L'Abergement-Clémenciat"}]).encode()
    serve(FakeResponse(body, content_type="application/json"))
    assert gzip.decompress(fetch("test_csv").read_bytes()) == body


def test_zip_transform_extracts_the_member_and_gzips_it(store, register, serve):
    register(file="b.csv.gz", format="csv.gz", derive="zip", member="base.CSV", sep=";", columns=("CODGEO",))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("meta_base.CSV", "COD_VAR;LIB_VAR\n")
        archive.writestr("base.CSV", "CODGEO;P18_POP\n01001;771\n")
    serve(FakeResponse(buffer.getvalue(), content_type="application/zip"))
    assert gzip.decompress(fetch("test_csv").read_bytes()) == b"CODGEO;P18_POP\n01001;771\n"


def test_zip_without_the_member_is_rejected(store, register, serve):
    register(file="b.csv.gz", format="csv.gz", derive="zip", member="base.CSV", sep=";", columns=("CODGEO",))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("autre.CSV", "x\n")
    serve(FakeResponse(buffer.getvalue()))
    with pytest.raises(FetchError, match=r"base\.CSV"):
        fetch("test_csv")


def test_every_catalogue_transform_exists():
    names = {s.derive for s in catalogue.list_sources() if s.derive}
    assert names <= set(derive.TRANSFORMS)
    assert all(s.columns for s in catalogue.list_sources())
    assert all(s.download for s in catalogue.list_sources())


def test_no_personal_data_column_is_declared_for_json_sources():
    personal = {"courriel", "telephone", "aidants", "mail"}
    for source in catalogue.list_sources():
        if source.derive == "json_csv":
            assert not personal & set(source.columns), source.id


def test_retry_after_is_capped_at_one_minute():
    from urllib3 import HTTPResponse

    retry = fetch_mod._session().get_adapter("https://example.org").max_retries
    assert retry.get_retry_after(HTTPResponse(headers={"Retry-After": "3600"}, status=429)) == 60.0
    assert retry.get_retry_after(HTTPResponse(headers={"Retry-After": "2"}, status=429)) == 2.0


def test_error_says_when_the_mirror_lacks_the_file(store, register, serve, tmp_path, monkeypatch):
    register()
    monkeypatch.setenv("INDICATEURS_MIROIR", str(tmp_path / "miroir-vide"))
    serve(FakeResponse(b"", status=404))
    with pytest.raises(FetchError, match=r"absent du miroir.*HTTP 404"):
        fetch("test_csv")


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (requests.ConnectionError("Failed to resolve 'cdn.jsdelivr.net'"), "pas d'accès à internet"),
        (requests.ReadTimeout("read timed out"), "délai dépassé"),
    ],
)
def test_network_failures_have_a_plain_french_message(store, register, monkeypatch, exc, expected):
    register()

    class Broken(FakeSession):
        def get(self, url, **kwargs):
            raise exc

    monkeypatch.setattr(fetch_mod, "_session", lambda: Broken([]))
    with pytest.raises(FetchError, match=expected) as err:
        fetch("test_csv")
    assert "INDICATEURS_MIROIR" in str(err.value)


def test_full_disk_is_a_french_error_and_keeps_the_previous_file(store, register, serve, monkeypatch):
    register()
    serve(FakeResponse(GOOD_CSV), FakeResponse(GOOD_CSV.replace(b"3", b"4")))
    path = fetch("test_csv")

    def no_space(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fetch_mod.os, "replace", no_space)
    with pytest.raises(FetchError, match="disque plein") as err:
        fetch("test_csv", force=True)
    assert "test_csv" in str(err.value)
    assert path.read_bytes() == GOOD_CSV
    assert leftovers(store) == []


def test_stale_temporary_files_are_removed_recent_ones_kept(store, register, serve):
    register()
    store.mkdir(parents=True)
    old, recent = store / ".test.csv.abc123.part", store / ".test.csv.def456.part"
    old.write_bytes(b"half")
    recent.write_bytes(b"half")
    os.utime(old, (1_000_000_000, 1_000_000_000))
    serve(FakeResponse(GOOD_CSV))
    fetch("test_csv")
    assert not old.exists() and recent.exists()
