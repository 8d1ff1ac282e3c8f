"""The workshop database failing under a live room (issue #18, failures 5 and 7), via the storage API."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from indicateurs.atelier import StoreUnavailable, open_store
from indicateurs.atelier.engine import CONNECT_TIMEOUT, create_engine
from indicateurs.atelier.store import Store


@pytest.fixture
def sqlite_store(tmp_path):
    path = tmp_path / "atelier.sqlite"
    store = open_store(f"sqlite:///{path}")
    yield store, path
    store.dispose()


def test_deleted_sqlite_file_is_noticed_on_the_next_save(sqlite_store):
    """Failure 5: saves kept answering « enregistré » into a deleted file; 0 enjeux after a restart."""
    store, path = sqlite_store
    atelier = store.create_atelier("epci", "200041523", "Atelier")
    store.add_enjeu(atelier.id, "Avant", "acces")
    path.unlink()
    with pytest.raises(StoreUnavailable, match="a disparu pendant l'atelier"):
        store.add_enjeu(atelier.id, "Après", "acces")
    with pytest.raises(StoreUnavailable, match="a disparu"):
        store.list_enjeux(atelier.id)


def test_replaced_sqlite_file_is_noticed(sqlite_store, tmp_path):
    store, path = sqlite_store
    atelier = store.create_atelier("epci", "200041523", "Atelier")
    other = tmp_path / "autre.sqlite"
    open_store(f"sqlite:///{other}").dispose()
    other.replace(path)
    with pytest.raises(StoreUnavailable, match="a été remplacé"):
        store.add_enjeu(atelier.id, "Après", "acces")


def test_damaged_sqlite_file_gives_a_french_message(sqlite_store):
    """Failure 7: a corrupted SQLite mid-session showed a raw sqlalchemy.exc.DatabaseError."""
    store, path = sqlite_store
    atelier = store.create_atelier("epci", "200041523", "Atelier")
    store.dispose()  # new connections read the damaged header
    with path.open("r+b") as f:  # same file (same inode), garbage over the header
        f.write(b"ceci n'est plus une base SQLite" * 4)
    with pytest.raises(StoreUnavailable, match="endommagé"):
        store.list_enjeux(atelier.id)


def test_health_does_not_create_a_deleted_file_and_says_so(sqlite_store, monkeypatch):
    from indicateurs.cli import health

    store, path = sqlite_store
    store.create_atelier("epci", "200041523", "Atelier")
    path.unlink()
    (path.parent / "atelier.sqlite-wal").touch()  # what a running app leaves behind
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("ATELIER_PIN", "un-code-assez-long")
    check = next(c for c in health.check_health(None) if c.name == "atelier")
    assert not check.ok and "disparu" in check.detail
    assert not path.exists(), "health a recréé un fichier vide, ce qui masque la perte"


@pytest.fixture
def silent_server():
    """A host that accepts TCP connections and never answers (PostgreSQL port of a hung machine)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def test_silent_database_host_costs_one_timeout_then_fails_fast(silent_server):
    """Failure 7: /ressources took 13-15 s per load and 5 s per click on such a host."""
    pytest.importorskip("psycopg")
    url = f"postgresql://atlas:atlas@127.0.0.1:{silent_server}/atlas"
    start = time.perf_counter()
    with pytest.raises(StoreUnavailable, match="inaccessible"):
        open_store(url)
    assert time.perf_counter() - start < CONNECT_TIMEOUT + 2
    store = Store(create_engine(url))  # a store opened before the host hung
    with pytest.raises(StoreUnavailable):
        store.list_ateliers()
    start = time.perf_counter()
    for _ in range(5):
        with pytest.raises(StoreUnavailable, match="inaccessible"):
            store.list_ateliers()
    assert time.perf_counter() - start < 0.5  # no second wait: the breaker answers at once
    store.dispose()
