"""Connecting to the workshop database: URL, SQLite pragmas and writer lock, French connection errors.

SQLite (`data/atelier.sqlite`, WAL) by default, PostgreSQL when `DATABASE_URL` is set.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event, exc

from indicateurs import config as _paths

from .errors import StoreUnavailable

__all__ = ["Guard", "create_engine", "default_url", "sqlite_lock", "unavailable"]

_SQLITE_LOCKS: dict[str, threading.Lock] = {}
_SQLITE_LOCKS_GUARD = threading.Lock()


def sqlite_lock(engine: sa.Engine) -> threading.Lock:
    """One writer lock per SQLite file, shared by every Store of this process on that file."""
    database = engine.url.database or ":memory:"
    key = database if database.startswith((":memory:", "file:")) else str(Path(database).resolve())
    with _SQLITE_LOCKS_GUARD:
        return _SQLITE_LOCKS.setdefault(key, threading.Lock())


class Guard:
    """A transaction whose connection failures become StoreUnavailable (French message)."""

    def __init__(self, engine: sa.Engine, lock: threading.Lock | None = None):
        self._engine = engine
        self._lock = lock
        self._cm = None

    def __enter__(self) -> sa.Connection:
        if self._lock is not None:
            self._lock.acquire()
        try:
            self._cm = self._engine.begin()
            return self._cm.__enter__()
        except BaseException as error:
            if self._lock is not None:
                self._lock.release()
            if isinstance(error, (exc.OperationalError, exc.InterfaceError)):
                raise unavailable(error) from error
            raise

    def __exit__(self, exc_type, exc_value, traceback):
        try:
            self._cm.__exit__(exc_type, exc_value, traceback)
        except (exc.OperationalError, exc.InterfaceError) as error:
            raise unavailable(error) from error
        finally:
            if self._lock is not None:
                self._lock.release()
        if isinstance(exc_value, (exc.OperationalError, exc.InterfaceError)):
            raise unavailable(exc_value) from exc_value
        return False


def unavailable(error: Exception) -> StoreUnavailable:
    text = str(getattr(error, "orig", error) or error)
    if "locked" in text or "busy" in text:
        return StoreUnavailable(
            "La base de l'atelier est momentanément occupée : réessayez dans quelques secondes."
        )
    return StoreUnavailable(
        "La base de données de l'atelier est inaccessible. Vérifiez la variable DATABASE_URL "
        "(ou le dossier data/) et que le serveur est démarré ; le reste de l'application fonctionne."
    )


def default_url() -> str:
    """`DATABASE_URL` if set (PostgreSQL), else the SQLite file `data/atelier.sqlite`."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{Path(_paths.data_dir()) / 'atelier.sqlite'}"


def _normalise_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _begin)
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: sa.Connection) -> None:
    # Writers take the write lock up front (BEGIN IMMEDIATE), so they queue on busy_timeout instead of
    # failing with "database is locked" when two deferred transactions try to upgrade at once.
    if conn.get_execution_options().get("atelier_write"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def create_engine(url: str | None = None) -> sa.Engine:
    """An engine on `url` (default: `default_url()`), with timeouts and, for SQLite, WAL and a writer lock.

    Raises the driver's errors (the caller turns them into StoreUnavailable).
    """
    parsed = sa.engine.make_url(_normalise_url(url or default_url()))
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            parsed, pool_size=5, max_overflow=40, pool_timeout=60, connect_args={"timeout": 30}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    connect_args = {"connect_timeout": 5} if parsed.get_backend_name() == "postgresql" else {}
    return sa.create_engine(
        parsed, pool_size=10, max_overflow=30, pool_timeout=60, pool_pre_ping=True, connect_args=connect_args
    )
