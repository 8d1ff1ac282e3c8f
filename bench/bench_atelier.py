"""Workshop store under load: 30 participants saving 20 enjeux each at the same time.

Against SQLite (WAL) always, and against PostgreSQL when DATABASE_URL_TEST is set or a throw-away
local cluster can be started (Debian `postgresql` binaries). Prints lost and duplicated entries and
the median and p95 time per save.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

from bench.figures import Figure
from indicateurs.atelier import Evidence, open_store

WRITERS = 30
PER_WRITER = 20


def _load(url: str) -> dict[str, float]:
    store = open_store(url)
    try:
        atelier = store.create_atelier("epci", "200041523", "Banc d'essai")
        durations: list[float] = []
        failures: list[BaseException] = []
        lock = threading.Lock()
        barrier = threading.Barrier(WRITERS)

        def writer(w: int) -> None:
            mine = []
            try:
                barrier.wait()
                for i in range(PER_WRITER):
                    ev = Evidence(
                        "taux_pauvrete",
                        "appuie",
                        0.1 + w / 1000,
                        w + 1,
                        1250,
                        "insee",
                        "2019",
                        "epci",
                        "200041523",
                    )
                    start = time.perf_counter()
                    store.add_enjeu(
                        atelier.id,
                        f"enjeu {w}-{i}",
                        "acces",
                        author_key=f"w{w}",
                        evidence=[ev],
                        request_id=uuid.uuid4().hex,
                    )
                    mine.append(time.perf_counter() - start)
            except BaseException as error:
                failures.append(error)
            with lock:
                durations.extend(mine)

        start = time.perf_counter()
        threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)
        wall = time.perf_counter() - start
        texts = [e.texte for e in store.list_enjeux(atelier.id)]
        expected = {f"enjeu {w}-{i}" for w in range(WRITERS) for i in range(PER_WRITER)}
        ordered = sorted(durations)
        return {
            "lost": len(expected - set(texts)),
            "duplicated": len(texts) - len(set(texts)),
            "failures": len(failures),
            "median": statistics.median(ordered) if ordered else float("nan"),
            "p95": ordered[int(0.95 * (len(ordered) - 1))] if ordered else float("nan"),
            "throughput": len(texts) / wall,
        }
    finally:
        store.dispose()


def _figures(backend: str, result: dict[str, float]) -> Iterator[Figure]:
    n = WRITERS * PER_WRITER
    yield Figure(f"atelier {backend}: lost enjeux ({WRITERS}x{PER_WRITER})", result["lost"], "enjeux", 1)
    yield Figure(f"atelier {backend}: duplicated enjeux", result["duplicated"], "enjeux", 1)
    yield Figure(f"atelier {backend}: failed saves", result["failures"], "writers", 1)
    yield Figure(f"atelier {backend}: median time per save", result["median"] * 1000, "ms", 100)
    yield Figure(f"atelier {backend}: p95 time per save", result["p95"] * 1000, "ms", 1000)
    yield Figure(f"atelier {backend}: saves per second", result["throughput"], "/s", None, f"{n} saves")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _local_cluster() -> Iterator[str | None]:
    """A throw-away PostgreSQL on 127.0.0.1 (stopped and removed afterwards), or None if impossible."""
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not bins:
        yield None
        return
    bin_dir = bins[-1].parent
    folder = Path(tempfile.mkdtemp(prefix="bench-atelier-pg-"))
    port = _free_port()
    as_postgres = os.geteuid() == 0
    if as_postgres:
        shutil.chown(folder, "postgres")

    def run(*args: str) -> None:
        cmd = [str(bin_dir / args[0]), *args[1:]]
        if as_postgres:
            cmd = ["su", "postgres", "-c", " ".join(f"'{a}'" for a in cmd)]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    data = folder / "data"
    started = False
    try:
        run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres")
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=100"
        run("pg_ctl", "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start")
        started = True
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    except (subprocess.SubprocessError, OSError):
        yield None
    finally:
        if started:
            with contextlib.suppress(subprocess.SubprocessError, OSError):
                run("pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def _fresh_database(admin_url: str) -> tuple[str, sa.Engine, str]:
    name = f"bench_atelier_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    return url, admin, name


def _postgres(admin_url: str) -> dict[str, float]:
    url, admin, name = _fresh_database(admin_url)
    try:
        return _load(url)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _page_render(enjeux: int = 100) -> Iterator[Figure]:
    """Warm render time of the Atelier page (participant and projector views) with `enjeux` entries."""
    from streamlit.testing.v1 import AppTest

    from ui.atelier import context

    page = str(Path(__file__).resolve().parents[1] / "app_pages" / "atelier.py")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'atelier.sqlite'}"
        store = open_store(url)
        atelier = store.create_atelier("epci", "200041523", "Banc d'essai")
        ev = Evidence(
            "taux_pauvrete",
            "appuie",
            0.18,
            3,
            1250,
            "insee_comparateur_2022",
            "Filosofi 2019",
            "epci",
            "200041523",
        )
        for i in range(enjeux):
            store.add_enjeu(atelier.id, f"Enjeu numéro {i}", "acces", evidence=[ev], author_key="bench")
        store.dispose()
        previous = os.environ.get("DATABASE_URL")
        os.environ["DATABASE_URL"] = url
        context.cached_store.clear()
        try:
            at = AppTest.from_file(page, default_timeout=120)
            at.session_state["territoire"] = ("epci", "200041523")
            at.run()  # cold: opens the store, loads the base if built
            for view in ("Participer", "Vue projecteur"):
                at.radio(key="atelier_vue").set_value(view).run()
                times = []
                for _ in range(3):
                    start = time.perf_counter()
                    at.run()
                    times.append(time.perf_counter() - start)
                yield Figure(
                    f"atelier page warm render, {view.lower()} ({enjeux} enjeux)", min(times), "s", 2
                )
        finally:
            context.cached_store.clear()
            if previous is None:
                os.environ.pop("DATABASE_URL", None)
            else:
                os.environ["DATABASE_URL"] = previous


def run() -> Iterator[Figure]:
    with tempfile.TemporaryDirectory() as tmp:
        yield from _figures("SQLite", _load(f"sqlite:///{Path(tmp) / 'atelier.sqlite'}"))
    yield from _page_render()
    url = os.environ.get("DATABASE_URL_TEST")
    if url:
        yield from _figures("PostgreSQL", _postgres(url))
        return
    with _local_cluster() as local:
        if local is None:
            yield Figure("atelier PostgreSQL: not measured (no server, no local binaries)", float("nan"), "-")
            return
        yield from _figures("PostgreSQL", _postgres(local))
