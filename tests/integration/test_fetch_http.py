"""The REAL download path against a local HTTP server: mirror files, public-looking files rebuilt
from the mirror (zip, JSON, ';' CSV…), server errors, HTML pages, truncated and dropped bodies."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import threading
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from indicateurs.reference import catalogue
from indicateurs.reference.catalogue import get_source, list_sources
from indicateurs.sources import fetch as fetch_mod
from indicateurs.sources.fetch import FetchError, fetch, fetch_all, store_manifest
from tests.conftest import mirror_or_skip

pytestmark = pytest.mark.integration


@pytest.fixture
def mirror(monkeypatch, tmp_path) -> Path:
    path = mirror_or_skip()
    monkeypatch.setenv("INDICATEURS_DATA", str(tmp_path / "store"))
    monkeypatch.delenv("INDICATEURS_MIROIR")
    monkeypatch.setattr(fetch_mod, "BACKOFF", 0.01)
    return path


@pytest.fixture
def server(mirror, tmp_path):
    """ThreadingHTTPServer on 127.0.0.1 (free port): /miroir/ = the mirror, /public/ = files built
    by the test, `routes[path](handler)` = misbehaving answers; `hits` counts requests per path."""
    root = tmp_path / "www"
    (root / "public").mkdir(parents=True)
    (root / "miroir").symlink_to(mirror)
    hits: Counter[str] = Counter()
    routes: dict[str, Callable] = {}

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args):
            pass

        def do_GET(self):
            hits[self.path] += 1
            if self.path in routes:
                routes[self.path](self)
            else:
                super().do_GET()

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{httpd.server_port}", root=root, hits=hits, routes=routes)
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def point(monkeypatch, source_id: str, url: str) -> None:
    monkeypatch.setitem(catalogue._load(), source_id, replace(get_source(source_id), url=url))


def answer(handler, body: bytes, status: int = 200, ctype: str = "application/octet-stream", length=None):
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    handler.send_header("Content-Length", str(len(body) if length is None else length))
    handler.end_headers()
    handler.wfile.write(body)


def content(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- good downloads


def test_good_file_downloads_and_validates(server, mirror, monkeypatch):
    source = get_source("ifn_communes_2023")
    point(monkeypatch, source.id, f"{server.url}/miroir/{source.mirror_path}")
    calls = []
    path = fetch(source.id, progress=lambda done, total: calls.append((done, total)))
    expected = (mirror / source.mirror_path).read_bytes()
    assert path.read_bytes() == expected
    entry = store_manifest()[source.id]
    assert entry["origin"] == "téléchargement" and entry["sha256"] == sha(expected)
    assert entry["url"].startswith(server.url)
    assert calls[-1] == (len(expected), len(expected)) and len(calls) > 10
    assert fetch(source.id) == path and server.hits[f"/miroir/{source.mirror_path}"] == 1


def test_every_source_downloads_from_a_server_serving_the_mirror(server, mirror, monkeypatch):
    for source in list_sources():
        point(monkeypatch, source.id, f"{server.url}/miroir/{source.mirror_path}")
    paths = fetch_all()
    assert set(paths) == {s.id for s in list_sources()}
    for source in list_sources():
        assert content(paths[source.id]) == content(mirror / source.mirror_path), source.id
    assert {e["origin"] for e in store_manifest().values()} == {"téléchargement"}


def test_mirror_copy_then_store_no_op(mirror, monkeypatch, caplog):
    monkeypatch.setenv("INDICATEURS_MIROIR", str(mirror))
    source = get_source("cog_communes_2025")
    path = fetch(source.id)
    assert path.read_bytes() == (mirror / source.mirror_path).read_bytes()
    entry = store_manifest()[source.id]
    assert entry["origin"] == "miroir" and entry["url"] == source.url
    with caplog.at_level("INFO", logger="indicateurs.sources.fetch"):
        assert fetch(source.id) == path
    assert f"{source.id} : magasin" in caplog.text
    assert store_manifest()[source.id] == entry


# --------------------------------------------------------------------------- public forms rebuilt


def _csv_rows(path: Path, sep: str = ",") -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter=sep)
        return list(reader.fieldnames or []), list(reader)


def _unpad(value: str) -> str:
    return (value.lstrip("0") or "0") if value.isdigit() else value


def _number(value: str):
    return int(value) if value.isdigit() and not value.startswith("0") else value


def _public_forms(mirror: Path) -> dict[str, tuple[str, bytes]]:
    """source id -> (public file name, bytes) as the public URL serves them, rebuilt from the mirror
    by undoing MANIFEST's `relation` (kept in tmp, never in the repository)."""
    m = {s.id: mirror / s.mirror_path for s in list_sources()}
    forms: dict[str, tuple[str, bytes]] = {}
    for sid in ("cog_communes_2025", "epci_composition_2025"):
        forms[sid] = (f"{sid}.json", gzip.decompress(m[sid].read_bytes()))

    meta = m["insee_comparateur_meta_2022"].read_bytes().split(b"\r\n")
    labels = [b"CODGEO;Code du d\xc3\xa9partement;;01001;L'Abergement-Cl\xc3\xa9menciat;CHAR;5"] * 3
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("base_cc_comparateur.CSV", gzip.decompress(m["insee_comparateur_2022"].read_bytes()))
        archive.writestr("meta_base_cc_comparateur.CSV", b"\r\n".join(meta[:1] + labels + meta[1:]))
    forms["insee_comparateur_2022"] = forms["insee_comparateur_meta_2022"] = (
        "comparateur.zip",
        buffer.getvalue(),
    )

    arcep = m["arcep_debit_communes_2019"].read_text(encoding="utf-8")
    assert '"' not in arcep
    forms["arcep_debit_communes_2019"] = ("arcep.csv", ("Version beta\n" + arcep.replace(",", ";")).encode())

    fields, rows = _csv_rows(m["cnfs_structures_coselec_2023"])
    for row in rows:
        for column in ("Code département", "Code commune INSEE", "Code postal"):
            row[column] = _unpad(row[column])
    out = io.StringIO()
    writer = csv.DictWriter(out, fields, delimiter=";", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    forms["cnfs_structures_coselec_2023"] = ("coselec.csv", out.getvalue().encode())

    fields, rows = _csv_rows(m["france_services_2023"])
    out = io.StringIO()
    writer = csv.DictWriter(out, fields, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    forms["france_services_2023"] = ("liste-fs.csv", out.getvalue().encode())

    _, rows = _csv_rows(m["cnfs_structures_postes_2023"])
    cnum = {
        r.pop("Raison sociale"): {k: _number(_unpad(v) if k.startswith("Code") else v) for k, v in r.items()}
        for r in rows
    }
    forms["cnfs_structures_postes_2023"] = ("cnum.json", json.dumps(cnum, ensure_ascii=False).encode())

    for sid in ("cnfs_permanences_2022", "data_inclusion_lieux_2023"):
        _, rows = _csv_rows(m[sid])
        records = []
        for row in rows:
            record = {
                k: (float(v) if k in ("latitude", "longitude") else v) for k, v in row.items() if v != ""
            }
            record |= {"courriel": "personne@example.org", "telephone": "+33600000000"}
            if "nb_conseillers" in record:
                record["aidants"] = [{"nom": "Jeanne Dupont"}] * int(record.pop("nb_conseillers"))
            records.append(record)
        forms[sid] = (f"{sid}.json", json.dumps(records, ensure_ascii=False).encode())

    _, rows = _csv_rows(m["insee_illectronisme_hdf"])
    illec = [
        {
            "Code EPCI": int(r["code_epci"]),
            "Libellé EPCI": r["nom_epci"],
            "Taux (en %)": r["taux_illectronisme_pct"].replace(".", ","),
            "Nombre": f"{float(r['nb_personnes_illectronisme']):,.0f}".replace(",", "\u202f")
            if r["nb_personnes_illectronisme"]
            else "",
        }
        for r in rows
    ]
    forms["insee_illectronisme_hdf"] = ("illectronisme.json", json.dumps(illec, ensure_ascii=False).encode())

    d4g = pd.read_csv(m["d4g_rp2017_communes_2020"], dtype=str)
    d4g["CODE_INSEE"] = d4g["CODE_INSEE"].map(_unpad)
    d4g["TX_DEMANDEURS_EMPLOI"] = ""
    empty_duplicates = d4g.head(5).assign(TX_NSCOL15P=None, TX_MENSEUL=None)
    d4g = pd.concat([empty_duplicates, d4g]).reset_index(drop=True)
    forms["d4g_rp2017_communes_2020"] = ("d4g.csv", d4g.to_csv(lineterminator="\n").encode())

    regions = m["geo_regions_2025"].read_bytes()
    forms["geo_regions_2025"] = ("regions-100m.geojson.gz", gzip.compress(regions))
    deps = json.loads(m["geo_departements_2025"].read_bytes())
    for feature in deps["features"]:
        feature["properties"]["region"] = feature["properties"].pop("reg")
    forms["geo_departements_2025"] = (
        "departements-100m.geojson.gz",
        gzip.compress(json.dumps(deps).encode()),
    )
    return forms


def test_public_forms_are_rebuilt_into_the_mirror_content(server, mirror, monkeypatch):
    forms = _public_forms(mirror)
    for sid, (name, body) in forms.items():
        (server.root / "public" / name).write_bytes(body)
        point(monkeypatch, sid, f"{server.url}/public/{name}")
    for sid in forms:
        source = get_source(sid)
        got, expected = content(fetch(sid)), content(mirror / source.mirror_path)
        if sid == "d4g_rp2017_communes_2020":
            frame = pd.read_csv(io.BytesIO(got), dtype=str)
            pd.testing.assert_frame_equal(frame, pd.read_csv(io.BytesIO(expected), dtype=str))
        elif source.format.startswith("geojson"):
            assert json.loads(got) == json.loads(expected), sid
        else:
            assert sha(got) == sha(expected), sid
    for sid in ("cnfs_permanences_2022", "data_inclusion_lieux_2023"):
        text = (fetch_mod.raw_dir() / get_source(sid).file).read_text(encoding="utf-8")
        assert "personne@example.org" not in text and "Jeanne Dupont" not in text


def test_equivalent_public_geometry_is_accepted_in_the_producers_properties(server, mirror, monkeypatch):
    """Etalab's EPCI layer has only code and nom: accepted (nature and populations come from epci.json)."""
    epci = json.loads((mirror / get_source("geo_epci_2025").mirror_path).read_bytes())
    for feature in epci["features"][:3]:
        feature["properties"] = {"code": feature["properties"]["code"], "nom": feature["properties"]["nom"]}
    (server.root / "public" / "epci-100m.geojson.gz").write_bytes(
        gzip.compress(json.dumps({"type": "FeatureCollection", "features": epci["features"][:3]}).encode())
    )
    point(monkeypatch, "geo_epci_2025", f"{server.url}/public/epci-100m.geojson.gz")
    got = json.loads(fetch("geo_epci_2025").read_bytes())
    assert [f["properties"] for f in got["features"]] == [f["properties"] for f in epci["features"][:3]]


def test_public_geometry_without_code_is_refused(server, mirror, monkeypatch):
    layer = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": None, "properties": {"nom": "X"}}],
    }
    (server.root / "public" / "bad.geojson.gz").write_bytes(gzip.compress(json.dumps(layer).encode()))
    point(monkeypatch, "geo_epci_2025", f"{server.url}/public/bad.geojson.gz")
    with pytest.raises(FetchError, match=r"(?s)geo_epci_2025.*propriété.*code"):
        fetch("geo_epci_2025")


# --------------------------------------------------------------------------- failures


def _with_good_file(server, monkeypatch, source_id: str) -> tuple[Path, bytes, str]:
    """Fetch the mirror file once through HTTP, then point the source at a misbehaving route."""
    source = get_source(source_id)
    point(monkeypatch, source_id, f"{server.url}/miroir/{source.mirror_path}")
    path = fetch(source_id)
    route = f"/casse/{source.file}"
    point(monkeypatch, source_id, server.url + route)
    return path, path.read_bytes(), route


def test_server_error_then_success_is_retried(server, mirror, monkeypatch):
    source = get_source("aidants_connect_structures_2024")
    body = (mirror / source.mirror_path).read_bytes()
    route = "/instable/aidants.csv"

    def flaky(handler):
        if server.hits[route] <= 2:
            answer(handler, b"Internal Server Error", status=500, ctype="text/plain")
        else:
            answer(handler, body, ctype="text/csv")

    server.routes[route] = flaky
    point(monkeypatch, source.id, server.url + route)
    assert fetch(source.id).read_bytes() == body
    assert server.hits[route] == 3


def test_persistent_server_error_fails_and_keeps_the_previous_file(server, monkeypatch):
    path, before, route = _with_good_file(server, monkeypatch, "aidants_connect_structures_2024")
    server.routes[route] = lambda h: answer(h, b"Service Unavailable", status=503, ctype="text/plain")
    with pytest.raises(FetchError, match="HTTP 503") as err:
        fetch("aidants_connect_structures_2024", force=True)
    assert route in str(err.value) and "aidants_connect_structures_2024" in str(err.value)
    assert server.hits[route] == fetch_mod.RETRIES + 1
    assert path.read_bytes() == before


def test_html_page_fails_clearly_and_keeps_the_previous_file(server, monkeypatch):
    path, before, route = _with_good_file(server, monkeypatch, "ifn_communes_2023")
    page = b"<!DOCTYPE html><html><head><title>Too Many Requests</title></head><body>Limite</body></html>"
    server.routes[route] = lambda h: answer(h, page, ctype="text/html; charset=utf-8")
    with pytest.raises(FetchError, match=r"ifn_communes_2023.*page HTML") as err:
        fetch("ifn_communes_2023", force=True)
    assert server.url + route in str(err.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["ifn_communes_2023-08.csv", "manifest.json"]


def test_truncated_gzip_fails_and_keeps_the_previous_file(server, monkeypatch):
    path, before, route = _with_good_file(server, monkeypatch, "cog_communes_2025")
    server.routes[route] = lambda h: answer(h, before[: len(before) // 3], ctype="application/gzip")
    with pytest.raises(FetchError, match=r"cog_communes_2025.*gzip tronquée"):
        fetch("cog_communes_2025", force=True)
    assert path.read_bytes() == before
    assert store_manifest()["cog_communes_2025"]["sha256"] == sha(before)


def test_connection_dropped_midway_keeps_the_previous_file(server, monkeypatch):
    path, before, route = _with_good_file(server, monkeypatch, "france_services_2023")

    def drop(handler):
        answer(handler, before[: len(before) // 2], ctype="text/csv", length=len(before))
        handler.wfile.flush()
        handler.close_connection = True

    server.routes[route] = drop
    with pytest.raises(FetchError, match=r"france_services_2023.*(interrompue|incomplet)"):
        fetch("france_services_2023", force=True)
    assert path.read_bytes() == before


def test_the_base_builds_from_a_local_http_server(server, monkeypatch):
    """The issue's "done when": `build` works with no mirror, only a server serving the mirror folder."""
    from indicateurs.build import build_base

    for source in list_sources():
        point(monkeypatch, source.id, f"{server.url}/miroir/{source.mirror_path}")
    report = build_base()
    assert report["rows_per_level"]["epci"] == 1255
    manifest = store_manifest()
    assert manifest and {e["origin"] for e in manifest.values()} == {"téléchargement"}
    assert all(e["url"].startswith(server.url) for e in manifest.values())
