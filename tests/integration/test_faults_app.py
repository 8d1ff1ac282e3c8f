"""Faults a workshop meets, seen from the app (AppTest) and the command line: never a traceback,
always a French message, and the previous base keeps working.

Base-level checks of the same faults are in test_base_faults.py; these test what a user sees.
"""

from __future__ import annotations

import http.server
import re
import shutil
import socket
import threading
from dataclasses import replace
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import app_test

from indicateurs.__main__ import main as cli
from indicateurs.base import load_base
from indicateurs.cli import health
from indicateurs.reference import catalogue
from indicateurs.sources import fetch
from tests.integration.offline_guard import block_network
from ui.safe import UNEXPECTED_ERROR

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
PAGES = re.findall(r'st\.Page\(\s*"([^"]+)"', APP.read_text(encoding="utf-8"))
READ_ONLY_PAGES = [p for p in PAGES if "atelier" not in p]
ATELIER = next((p for p in PAGES if "atelier" in p), None)
MIDDLE_SOURCE = "ifn_communes_2023"  # fetched after the reference files: a failure mid-way


@pytest.fixture(autouse=True)
def _fresh_caches():
    """The app caches the base per process: each fault must be met by a cold app."""
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture()
def no_network(monkeypatch) -> list[str]:
    return block_network(monkeypatch)


@pytest.fixture()
def private_store(built_store, tmp_path, monkeypatch) -> Path:
    """A copy of the built store (raw files, manifest and base) that a test may damage."""
    store = tmp_path / "store"
    shutil.copytree(built_store, store, ignore=shutil.ignore_patterns("*.tmp", "*.old", "atelier*"))
    monkeypatch.setenv("INDICATEURS_DATA", str(store))
    return store


@pytest.fixture()
def app(monkeypatch):
    return app_test.AppTest.from_file(str(APP), default_timeout=180)


def _texts(at, *kinds: str) -> str:
    """All the text of the given element kinds (error, warning, info, markdown...)."""
    out = []
    for kind in kinds:
        out += [str(getattr(e, "value", "")) for e in getattr(at, kind)]
    return "\n".join(out)


def _no_traceback(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert "Traceback" not in _texts(at, "error", "warning", "info", "markdown", "code")
    # app.py turns an uncaught error into one French sentence: for a known fault that is still a bug
    assert UNEXPECTED_ERROR not in _texts(at, "error"), "erreur non prévue attrapée par le filet de app.py"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nobody listens there once the socket is closed


# ------------------------------------------------------------------------------------ the app


def test_missing_base_is_built_on_first_visit(private_store, app, no_network):
    shutil.rmtree(private_store / "base")
    at = app.run()
    _no_traceback(at)
    assert (private_store / "base" / "report.json").exists(), "la base n'a pas été construite"
    assert len(load_base().wide("epci")) == 1255
    assert at.title, "la page ne s'affiche pas après la construction"
    assert no_network == []


def test_first_visits_at_once_build_the_base_once(private_store, monkeypatch, no_network):
    """The facilitator starts the app and the room opens the link together, before the base exists."""
    shutil.rmtree(private_store / "base")
    results: dict[int, object] = {}

    def visit(n: int) -> None:
        try:
            results[n] = app_test.AppTest.from_file(str(APP), default_timeout=240).run()
        except Exception as exc:  # a timeout of the AppTest itself
            results[n] = exc

    threads = [threading.Thread(target=visit, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    for n, at in results.items():
        assert not isinstance(at, Exception), f"visite {n} : {at!r}"
        _no_traceback(at)
        assert not _texts(at, "error"), f"visite {n} : {_texts(at, 'error')}"
    assert len(results) == 3
    assert len(load_base().wide("epci")) == 1255
    assert not (private_store / "base.tmp").exists()


def test_missing_base_without_sources_explains_in_french(tmp_path, monkeypatch, app, no_network):
    """No base, no source in the store, no mirror and no network: a French error, no traceback."""
    monkeypatch.setenv("INDICATEURS_DATA", str(tmp_path / "vide"))
    monkeypatch.delenv("INDICATEURS_MIROIR", raising=False)
    monkeypatch.setattr(fetch, "BACKOFF", 0.01)
    at = app.run()
    _no_traceback(at)
    message = _texts(at, "error")
    assert message, "aucun message d'erreur affiché"
    assert re.search(r"base|source", message, re.IGNORECASE), message
    assert re.search(r"INDICATEURS_MIROIR|connexion|réseau", message), message


def test_corrupted_base_is_rebuilt_or_explained(private_store, app):
    (private_store / "base" / "values.parquet").write_bytes(b"pas du parquet")
    at = app.run()
    _no_traceback(at)
    try:
        rebuilt = len(load_base().wide("epci")) == 1255
    except Exception:
        rebuilt = False
    explained = re.search(r"illisible|reconstrui", _texts(at, "error", "warning"), re.IGNORECASE)
    assert rebuilt or explained, "ni reconstruite ni expliquée"


@pytest.mark.parametrize("page", [p for p in PAGES if "carte" in p or "profil" in p])
def test_corrupted_boundaries_are_rebuilt_or_explained(private_store, app, page):
    """A damaged boundaries file (e.g. an interrupted copy of the store to a USB key)."""
    (private_store / "base" / "geo_epci.parquet").write_bytes(b"pas du parquet")
    (private_store / "base" / "geo_commune.parquet").write_bytes(b"pas du parquet")
    at = app.run().switch_page(page).run()
    _no_traceback(at)


@pytest.mark.parametrize("level", ["region", "departement"])
def test_missing_outline_file_is_rebuilt_for_every_level(private_store, app, level, no_network):
    """Issue #18, failure 6: without geo_region.parquet, /carte showed a BaseCorruptError traceback."""
    (private_store / "base" / f"geo_{level}.parquet").unlink()
    at = app.run()
    _no_traceback(at)
    assert at.title and at.title[0].value == "Carte"
    assert len(load_base().geometry(level)) > 10, "contours non reconstruits"


def test_base_that_cannot_be_built_leaves_the_atelier_open(tmp_path, monkeypatch, app, no_network):
    """Issue #18, failure 9: every page was blocked (the Atelier too), the reason folded in a box."""
    import ui.cache

    monkeypatch.setenv("INDICATEURS_DATA", str(tmp_path / "vide"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'atelier.sqlite'}")
    monkeypatch.delenv("INDICATEURS_MIROIR", raising=False)
    monkeypatch.setattr(fetch, "BACKOFF", 0.01)
    attempts = []
    real_build = ui.cache.build_base
    monkeypatch.setattr(ui.cache, "build_base", lambda **kw: attempts.append(1) or real_build(**kw))
    app.query_params["territoire"] = "epci:200041523"
    at = app.run()
    _no_traceback(at)
    assert "Impossible de construire la base" in _texts(at, "error")  # visible, outside the status box
    at = at.switch_page(ATELIER).run()
    _no_traceback(at)
    assert at.title and at.title[0].value.startswith("Atelier")
    assert "Impossible de construire la base" in _texts(at, "error")
    assert "sans indicateur lié" in _texts(at, "warning")  # enjeux can still be typed
    assert len(attempts) == 1, "chaque visite relance une construction vouée à l'échec"


def test_disk_full_while_building_explains_in_french(private_store, app, monkeypatch):
    import pandas as pd

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    shutil.rmtree(private_store / "base")
    monkeypatch.setattr(pd.DataFrame, "to_parquet", disk_full)
    at = app.run()
    _no_traceback(at)
    assert "disque plein" in _texts(at, "error"), _texts(at, "error")


def test_database_unavailable_keeps_read_only_pages(built_store, app, monkeypatch):
    """DATABASE_URL names a PostgreSQL server that does not answer: only the Atelier page says so."""
    monkeypatch.setenv("DATABASE_URL", f"postgresql+psycopg://atlas:atlas@127.0.0.1:{_closed_port()}/atlas")
    at = app.run()
    for page in READ_ONLY_PAGES:
        at = at.switch_page(page).run()
        _no_traceback(at)
        assert at.title, page
        assert "DATABASE_URL" not in _texts(at, "error"), f"{page} dépend de la base de l'atelier"
    if ATELIER is None:
        pytest.skip("pas de page Atelier")
    at = at.switch_page(ATELIER).run()
    _no_traceback(at)
    said = _texts(at, "error", "warning", "info")
    assert re.search(r"inaccessible|indisponible|base de données", said, re.IGNORECASE), said


# ------------------------------------------------------------------------------------ the CLI


def _raw_state(store: Path) -> dict[str, tuple[int, int]]:
    return {
        p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in (store / "raw").iterdir() if p.is_file()
    }


class _TruncatingHandler(http.server.BaseHTTPRequestHandler):
    """Announces 1 MB, sends 100 kB, then hangs up: a Wi-Fi cut in the middle of a download."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(1_000_000))
        self.end_headers()
        self.wfile.write(b"name,division,code\n" + b"x" * 100_000)
        self.wfile.flush()
        self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, *args):
        pass


@pytest.fixture()
def cut_download(monkeypatch):
    """Serve MIDDLE_SOURCE from a local server that cuts the transfer mid-way."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _TruncatingHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{MIDDLE_SOURCE}.csv"
    real = catalogue.get_source

    def get_source(source_id: str):
        source = real(source_id)
        return replace(source, url=url) if source_id == MIDDLE_SOURCE else source

    monkeypatch.setattr(fetch, "get_source", get_source)
    monkeypatch.setattr(fetch, "BACKOFF", 0.01)
    yield url
    server.shutdown()
    server.server_close()


def test_cli_download_cut_midway_keeps_previous_files_and_base(
    private_store, monkeypatch, capsys, no_network, cut_download
):
    before_base = load_base().built_at
    source_file = private_store / "raw" / catalogue.get_source(MIDDLE_SOURCE).file
    source_file.unlink()  # this one must be downloaded again, the others are in the store
    before_raw = _raw_state(private_store)
    monkeypatch.delenv("INDICATEURS_MIROIR", raising=False)

    code = cli(["build", "--force"])

    err = capsys.readouterr().err
    assert code != 0
    assert "Erreur" in err and MIDDLE_SOURCE in err, err
    assert re.search(r"incomplet|interrompu", err), err  # the cut itself is named
    assert "Traceback" not in err
    assert _raw_state(private_store) == before_raw, "des fichiers du magasin ont changé"
    assert not source_file.exists(), "un fichier partiel a été laissé dans le magasin"
    assert not [p for p in (private_store / "raw").iterdir() if p.name.endswith(".part")]
    assert load_base().built_at == before_base  # the previous base still loads, untouched
    assert no_network == []


def test_cli_changed_column_names_the_column_and_the_source(
    private_store, tmp_path, monkeypatch, capsys, no_network
):
    """The publisher renamed a column: the message names it and the source; the base is kept."""
    source = catalogue.get_source(MIDDLE_SOURCE)
    raw = private_store / "raw" / source.file
    mirror = tmp_path / "miroir"
    changed = mirror / source.mirror_path
    changed.parent.mkdir(parents=True)
    header, rest = raw.read_text(encoding="utf-8").split("\n", 1)
    assert "no_thd_coverage_rate" in header
    changed.write_text(header.replace("no_thd_coverage_rate", "no_thd_rate") + "\n" + rest, encoding="utf-8")
    raw.unlink()
    monkeypatch.setenv("INDICATEURS_MIROIR", str(mirror))
    monkeypatch.setattr(fetch, "BACKOFF", 0.01)
    before_base = load_base().built_at

    code = cli(["build"])

    err = capsys.readouterr().err
    assert code != 0
    assert "no_thd_coverage_rate" in err and MIDDLE_SOURCE in err, err
    assert "Traceback" not in err
    assert load_base().built_at == before_base


def test_cli_disk_full_keeps_previous_base(private_store, monkeypatch, capsys):
    import pandas as pd

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    before_base = load_base().built_at
    monkeypatch.setattr(pd.DataFrame, "to_parquet", disk_full)
    code = cli(["build", "--force"])
    err = capsys.readouterr().err
    assert code != 0
    assert "disque plein" in err, err
    monkeypatch.undo()
    monkeypatch.setenv("INDICATEURS_DATA", str(private_store))
    assert load_base().built_at == before_base


def test_cli_read_only_store_explains_in_french(private_store, monkeypatch, capsys):
    """Tests run as root, which ignores permission bits: simulate a read-only file system."""

    def read_only(self, *args, **kwargs):
        raise OSError(30, "Read-only file system")

    before_base = load_base().built_at
    monkeypatch.setattr(Path, "mkdir", read_only)
    code = cli(["build", "--force"])
    err = capsys.readouterr().err
    monkeypatch.undo()
    assert code != 0
    assert "lecture seule" in err, err
    assert "Traceback" not in err
    monkeypatch.setenv("INDICATEURS_DATA", str(private_store))
    assert load_base().built_at == before_base


# ---------------------------------------------------------------------------------- health check


class _HealthHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"ok" if self.path == "/_stcore/health" else b"not found"
        self.send_response(200 if body == b"ok" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_health_passes_on_a_served_app_with_a_built_base(built_store, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("INDICATEURS_DATA", str(built_store))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'atelier.sqlite'}")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HealthHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        code = health.main(["--url", f"http://127.0.0.1:{server.server_address[1]}"])
    finally:
        server.shutdown()
        server.server_close()
    out = capsys.readouterr().out
    assert code == 0, out
    assert "répond « ok »" in out and "1255 EPCI" in out and "prêt pour l'atelier" in out


def test_health_fails_when_the_server_does_not_answer(built_store, monkeypatch, capsys):
    monkeypatch.setenv("INDICATEURS_DATA", str(built_store))
    code = health.main(["--url", f"http://127.0.0.1:{_closed_port()}", "--sans-atelier"])
    out = capsys.readouterr().out
    assert code == 1
    assert "ne répond pas" in out and "PAS prêt" in out


def test_health_fails_without_base_and_says_how_to_build(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("INDICATEURS_DATA", str(tmp_path / "vide"))
    code = health.main(["--sans-atelier"])
    out = capsys.readouterr().out
    assert code == 1
    assert "python -m indicateurs build" in out


def test_health_fails_on_damaged_boundaries(private_store, capsys):
    (private_store / "base" / "geo_epci.parquet").write_bytes(b"pas du parquet")
    assert health.main(["--sans-atelier"]) == 1
    assert "illisibles" in capsys.readouterr().out


@pytest.mark.parametrize("level", ["commune", "epci", "departement", "region"])
def test_health_fails_on_a_missing_outline_file_of_any_level(private_store, capsys, level):
    """Issue #18, failure 6: health said « prêt » without geo_region.parquet."""
    (private_store / "base" / f"geo_{level}.parquet").unlink()
    assert health.main(["--sans-atelier"]) == 1
    out = capsys.readouterr().out
    assert f"Contours « {level} » illisibles" in out and "PAS prêt" in out


def test_health_only_warns_when_the_atelier_database_is_down(built_store, monkeypatch, capsys):
    """The read-only pages still work: a supervisor must not restart the app for that."""
    monkeypatch.setenv("INDICATEURS_DATA", str(built_store))
    monkeypatch.setenv("DATABASE_URL", f"postgresql://atlas:atlas@127.0.0.1:{_closed_port()}/atlas")
    code = health.main([])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "ATTENTION" in out and "inaccessible" in out
