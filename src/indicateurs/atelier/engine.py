"""Connecting to the workshop database: URL, SQLite pragmas and writer lock, French connection errors.

SQLite (`data/atelier.sqlite`, WAL) by default, PostgreSQL when `DATABASE_URL` is set.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event, exc

from indicateurs import config as _paths

from .errors import StoreUnavailable

__all__ = ["Breaker", "Guard", "create_engine", "default_url", "sqlite_lock", "unavailable"]

CONNECT_TIMEOUT = 3  # seconds (PostgreSQL)
STATEMENT_TIMEOUT_MS = 5000

_SQLITE_LOCKS: dict[str, threading.Lock] = {}
_SQLITE_LOCKS_GUARD = threading.Lock()


def sqlite_lock(engine: sa.Engine) -> threading.Lock:
    """One writer lock per SQLite file, shared by every Store of this process on that file."""
    database = engine.url.database or ":memory:"
    key = database if database.startswith((":memory:", "file:")) else str(Path(database).resolve())
    with _SQLITE_LOCKS_GUARD:
        return _SQLITE_LOCKS.setdefault(key, threading.Lock())


_CONNECTION_ERRORS = (exc.OperationalError, exc.InterfaceError, exc.DatabaseError)


def _is_connection_error(error: BaseException) -> bool:
    """A failure of the database itself (unreachable, damaged file), not of the data (IntegrityError)."""
    return isinstance(error, _CONNECTION_ERRORS) and not isinstance(error, exc.IntegrityError)


class Breaker:
    """After the database was found unreachable, fail at once for `cooldown` seconds instead of waiting
    for the connect timeout again on every query (a host that accepts connections and never answers
    made each page load wait 13-15 s)."""

    def __init__(self, cooldown: float = 10.0, clock=time.monotonic):
        self.cooldown = cooldown
        self._clock = clock
        self._until = 0.0
        self._error: StoreUnavailable | None = None

    def check(self) -> None:
        if self._error is not None and self._clock() < self._until:
            raise StoreUnavailable(str(self._error))

    def trip(self, error: StoreUnavailable) -> None:
        if "occupée" not in str(error):  # a busy SQLite file answers again in a moment
            self._error, self._until = error, self._clock() + self.cooldown


class Guard:
    """A transaction whose connection failures become StoreUnavailable (French message).

    `before` runs first (the SQLite file check); `breaker` fails fast after a recent outage.
    """

    def __init__(self, engine: sa.Engine, lock: threading.Lock | None = None, *, before=None, breaker=None):
        self._engine = engine
        self._lock = lock
        self._before = before
        self._breaker = breaker
        self._cm = None

    def _fail(self, error: BaseException) -> StoreUnavailable:
        failure = error if isinstance(error, StoreUnavailable) else unavailable(error)
        if self._breaker is not None:
            self._breaker.trip(failure)
        return failure

    def __enter__(self) -> sa.Connection:
        if self._breaker is not None:
            self._breaker.check()
        if self._before is not None:
            self._before()
        if self._lock is not None:
            self._lock.acquire()
        try:
            self._cm = self._engine.begin()
            return self._cm.__enter__()
        except BaseException as error:
            if self._lock is not None:
                self._lock.release()
            if _is_connection_error(error):
                raise self._fail(error) from error
            raise

    def __exit__(self, exc_type, exc_value, traceback):
        try:
            self._cm.__exit__(exc_type, exc_value, traceback)
        except BaseException as error:
            if _is_connection_error(error):
                raise self._fail(error) from error
            raise
        finally:
            if self._lock is not None:
                self._lock.release()
        if _is_connection_error(exc_value):
            raise self._fail(exc_value) from exc_value
        return False


def unavailable(error: Exception) -> StoreUnavailable:
    text = str(getattr(error, "orig", error) or error)
    if "locked" in text or "busy" in text:
        return StoreUnavailable(
            "La base de l'atelier est momentanément occupée : réessayez dans quelques secondes."
        )
    if "not a database" in text or "malformed" in text or "disk image" in text:
        return StoreUnavailable(
            "Le fichier de la base de l'atelier est endommagé : les saisies ne peuvent pas être "
            "enregistrées. Prévenez l'animateur (restaurer une sauvegarde du dossier data/) ; le reste de "
            "l'application fonctionne."
        )
    if "read-only" in text or "readonly" in text:
        return StoreUnavailable(
            "La base de l'atelier est en lecture seule (droits du dossier data/ ?) : les saisies ne "
            "peuvent pas être enregistrées ; le reste de l'application fonctionne."
        )
    return StoreUnavailable(
        "La base de données de l'atelier est inaccessible. Vérifiez la variable DATABASE_URL "
        "(ou le dossier data/) et que le serveur est démarré ; le reste de l'application fonctionne."
    )


def default_url() -> str:
    """`DATABASE_URL` if set (PostgreSQL), else the SQLite file `data/atelier.sqlite`."""
    url = _paths.database_url()
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
    # A connect timeout, and a statement timeout so that a server that accepts and never answers (or a
    # lock held elsewhere) costs seconds, not a page that hangs.
    connect_args = (
        {"connect_timeout": CONNECT_TIMEOUT, "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"}
        if parsed.get_backend_name() == "postgresql"
        else {}
    )
    return sa.create_engine(
        parsed, pool_size=10, max_overflow=30, pool_timeout=60, pool_pre_ping=True, connect_args=connect_args
    )
