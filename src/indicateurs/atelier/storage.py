"""The workshop store: enjeux, evidence, chantiers, gouvernance and local places, behind SQLAlchemy.

SQLite (`data/atelier.sqlite`, WAL) by default, PostgreSQL when `DATABASE_URL` is set. The schema is
created and migrated by `open_store()` through a small ordered list of migrations recorded in
`schema_version`. Text is stored as given (escaping happens where it is displayed), lengths are bounded,
concurrent saves are plain transactions, and edits carry an optimistic version check.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import event, exc

from indicateurs import config as _paths
from indicateurs.errors import AtlasError
from indicateurs.reference.levels import LEVEL_IDS
from indicateurs.reference.text import collapse

__all__ = [
    "CATEGORIES",
    "HORIZONS",
    "LIMITS",
    "SENS",
    "AccessDenied",
    "Atelier",
    "Chantier",
    "EditConflict",
    "Enjeu",
    "Evidence",
    "Gouvernance",
    "Store",
    "StoreUnavailable",
    "author_hash",
    "check_pin",
    "default_url",
    "open_store",
]

CATEGORIES: dict[str, str] = {
    "acces": "Accès",
    "competences": "Compétences",
    "accompagnement": "Accompagnement",
    "gouvernance": "Gouvernance",
    "autre": "Autre",
}
SENS: dict[str, str] = {"appuie": "appuie l'enjeu", "contredit": "contredit l'enjeu"}
HORIZONS = ("Moins de 6 mois", "6 à 12 mois", "1 à 2 ans", "Plus de 2 ans")
LEVELS = LEVEL_IDS

# Maximum number of characters per text field (checked before saving, with a French message).
LIMITS: dict[str, int] = {
    "titre_atelier": 200,
    "texte": 600,
    "auteur": 80,
    "titre": 200,
    "objectif": 1000,
    "acteurs": 1000,
    "ressources": 1000,
    "premiere_action": 1000,
    "pilote": 200,
    "horizon": 100,
    "pilotage": 1000,
    "participants": 1000,
    "frequence": 200,
    "nom": 200,
    "type": 80,
    "adresse": 300,
    "services": 1000,
    "horaires": 500,
}
_FIELD_NAMES = {
    "titre_atelier": "Le titre de l'atelier",
    "texte": "Le texte de l'enjeu",
    "auteur": "Le nom de l'auteur",
    "titre": "Le titre du chantier",
    "objectif": "L'objectif",
    "acteurs": "Les acteurs",
    "ressources": "Les ressources",
    "premiere_action": "La première action",
    "pilote": "Le pilote",
    "horizon": "L'horizon",
    "pilotage": "Le pilotage",
    "participants": "Les participants",
    "frequence": "La fréquence",
    "nom": "Le nom du lieu",
    "type": "Le type de lieu",
    "adresse": "L'adresse",
    "services": "Les services",
    "horaires": "Les horaires",
}
MAX_COMMUNES = 1000
MAX_EVIDENCE = 20
_CODE_COMMUNE = re.compile(r"^(?:\d[\dAB]\d{3})$")
_CODE_TERRITOIRE = re.compile(r"^[0-9A-Za-z]{1,10}$")
_MIGRATION_LOCK = 72_091_203  # PostgreSQL advisory lock id for schema migrations


class StoreUnavailable(AtlasError, RuntimeError):
    """The workshop database cannot be reached; the message is French and shown as is."""


class AccessDenied(AtlasError, PermissionError):
    """A facilitator action without the right PIN, or editing someone else's entry."""


class EditConflict(AtlasError, RuntimeError):
    """Someone else saved the same entry first (optimistic version check)."""


# ---------------------------------------------------------------------------------------------- schema

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.String(200), nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)

atelier_t = sa.Table(
    "atelier",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("territoire_level", sa.String(16), nullable=False),
    sa.Column("territoire_code", sa.String(16), nullable=False),
    sa.Column("titre", sa.String(LIMITS["titre_atelier"]), nullable=False),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_atelier_territoire", "territoire_level", "territoire_code"),
)

enjeu_t = sa.Table(
    "enjeu",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("atelier_id", sa.ForeignKey("atelier.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("texte", sa.String(LIMITS["texte"]), nullable=False),
    sa.Column("categorie", sa.String(20), nullable=False),
    sa.Column("communes", sa.JSON, nullable=False),
    sa.Column("auteur", sa.String(LIMITS["auteur"]), nullable=False),
    sa.Column("auteur_cle", sa.String(64), nullable=True),
    sa.Column("request_id", sa.String(64), nullable=True, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.CheckConstraint(
        "categorie IN ('acces', 'competences', 'accompagnement', 'gouvernance', 'autre')",
        name="ck_enjeu_categorie",
    ),
)

enjeu_indicateur_t = sa.Table(
    "enjeu_indicateur",
    metadata,
    sa.Column("enjeu_id", sa.ForeignKey("enjeu.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("indicator_id", sa.String(64), primary_key=True),
    sa.Column("sens", sa.String(16), nullable=False),
    sa.Column("value", sa.Float, nullable=True),
    sa.Column("rank", sa.Integer, nullable=True),
    sa.Column("rank_total", sa.Integer, nullable=True),
    sa.Column("source", sa.String(200), nullable=False),
    sa.Column("millesime", sa.String(200), nullable=False),
    sa.Column("level", sa.String(16), nullable=False),
    sa.Column("code", sa.String(16), nullable=False),
    sa.CheckConstraint("sens IN ('appuie', 'contredit')", name="ck_enjeu_indicateur_sens"),
)

chantier_t = sa.Table(
    "chantier",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("atelier_id", sa.ForeignKey("atelier.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("titre", sa.String(LIMITS["titre"]), nullable=False),
    sa.Column("objectif", sa.String(LIMITS["objectif"]), nullable=False),
    sa.Column("acteurs", sa.String(LIMITS["acteurs"]), nullable=False),
    sa.Column("ressources", sa.String(LIMITS["ressources"]), nullable=False),
    sa.Column("premiere_action", sa.String(LIMITS["premiere_action"]), nullable=False),
    sa.Column("pilote", sa.String(LIMITS["pilote"]), nullable=False),
    sa.Column("horizon", sa.String(LIMITS["horizon"]), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)

chantier_enjeu_t = sa.Table(
    "chantier_enjeu",
    metadata,
    sa.Column("chantier_id", sa.ForeignKey("chantier.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("enjeu_id", sa.ForeignKey("enjeu.id", ondelete="CASCADE"), primary_key=True),
)

gouvernance_t = sa.Table(
    "gouvernance",
    metadata,
    sa.Column("atelier_id", sa.ForeignKey("atelier.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("pilotage", sa.String(LIMITS["pilotage"]), nullable=False),
    sa.Column("participants", sa.String(LIMITS["participants"]), nullable=False),
    sa.Column("frequence", sa.String(LIMITS["frequence"]), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)

lieu_local_t = sa.Table(
    "lieu_local",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("atelier_id", sa.ForeignKey("atelier.id", ondelete="SET NULL"), nullable=True, index=True),
    sa.Column("territoire_level", sa.String(16), nullable=True),
    sa.Column("territoire_code", sa.String(16), nullable=True),
    sa.Column("nom", sa.String(LIMITS["nom"]), nullable=False),
    sa.Column("type", sa.String(LIMITS["type"]), nullable=False),
    sa.Column("adresse", sa.String(LIMITS["adresse"]), nullable=True),
    sa.Column("code_commune", sa.String(5), nullable=True, index=True),
    sa.Column("latitude", sa.Float, nullable=True),
    sa.Column("longitude", sa.Float, nullable=True),
    sa.Column("services", sa.String(LIMITS["services"]), nullable=True),
    sa.Column("horaires", sa.String(LIMITS["horaires"]), nullable=True),
    sa.Column("local", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


def _create(*tables: sa.Table) -> Callable[[sa.Connection], None]:
    def run(conn: sa.Connection) -> None:
        for table in tables:
            table.create(conn, checkfirst=True)

    return run


# Ordered, append-only. A released migration is never edited: a later change of shape is a new entry
# (ALTER TABLE ...) and the Table definitions above follow the latest shape.
MIGRATIONS: list[tuple[int, str, Callable[[sa.Connection], None]]] = [
    (
        1,
        "atelier, enjeux, preuves, chantiers, gouvernance",
        _create(atelier_t, enjeu_t, enjeu_indicateur_t, chantier_t, chantier_enjeu_t, gouvernance_t),
    ),
    (2, "lieux ajoutés localement (page Ressources)", _create(lieu_local_t)),
]


# ---------------------------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Atelier:
    id: int
    territoire_level: str
    territoire_code: str
    titre: str
    date: date
    created_at: datetime


@dataclass(frozen=True)
class Evidence:
    """A figure linked to an enjeu, snapshotted when the enjeu was saved (the base may change later)."""

    indicator_id: str
    sens: str
    value: float | None
    rank: int | None
    rank_total: int | None
    source: str
    millesime: str
    level: str
    code: str


@dataclass(frozen=True)
class Enjeu:
    id: int
    atelier_id: int
    texte: str
    categorie: str
    communes: tuple[str, ...]
    auteur: str
    auteur_hash: str | None
    created_at: datetime
    updated_at: datetime
    version: int
    evidence: tuple[Evidence, ...] = ()

    @property
    def categorie_label(self) -> str:
        return CATEGORIES.get(self.categorie, self.categorie)

    def owned_by(self, author_key: str | None) -> bool:
        """True when `author_key` (the participant's session key) wrote this enjeu."""
        if not author_key or not self.auteur_hash:
            return False
        return hmac.compare_digest(author_hash(author_key), self.auteur_hash)


@dataclass(frozen=True)
class Chantier:
    id: int
    atelier_id: int
    titre: str
    objectif: str
    acteurs: str
    ressources: str
    premiere_action: str
    pilote: str
    horizon: str
    created_at: datetime
    version: int
    enjeu_ids: tuple[int, ...] = field(default=())


@dataclass(frozen=True)
class Gouvernance:
    atelier_id: int
    pilotage: str
    participants: str
    frequence: str
    version: int


# ---------------------------------------------------------------------------------------------- helpers


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def author_hash(author_key: str) -> str:
    """What is stored for a participant's session key: its SHA-256 (the key itself never is)."""
    return hashlib.sha256(author_key.encode("utf-8")).hexdigest()


def check_pin(pin: str | None) -> bool:
    """True when `pin` equals the facilitator PIN of env `ATELIER_PIN` (constant-time comparison)."""
    expected = _paths.atelier_pin() or ""
    if not expected or not pin:
        return False
    return hmac.compare_digest(str(pin).encode("utf-8"), expected.encode("utf-8"))


def _require_pin(pin: str | None) -> None:
    if not _paths.atelier_pin():
        raise AccessDenied(
            "Action réservée à l'animateur : aucun code animateur n'est configuré "
            "(variable d'environnement ATELIER_PIN)."
        )
    if not check_pin(pin):
        raise AccessDenied("Code animateur incorrect : cette action est réservée à l'animateur.")


def _text(value: object, key: str, *, required: bool = True) -> str:
    """A bounded text field: stored as given (outer spaces trimmed), with a French message if refused."""
    name = _FIELD_NAMES[key]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        value = ""
    if not isinstance(value, str):
        value = str(value)
    text = value.strip()
    if required and not text:
        raise ValueError(f"{name} est vide : merci de le compléter.")
    if "\x00" in text:
        raise ValueError(f"{name} contient un caractère invalide.")
    limit = LIMITS[key]
    if len(text) > limit:
        raise ValueError(f"{name} est trop long ({len(text)} caractères, {limit} au maximum).")
    return text


def _categorie(value: str) -> str:
    if value in CATEGORIES:
        return value
    for key, label in CATEGORIES.items():
        if isinstance(value, str) and value.strip().lower() == label.lower():
            return key
    raise ValueError(f"Catégorie inconnue : {value!r}. Choisir parmi : {', '.join(CATEGORIES.values())}.")


def _territoire(level: str, code: str) -> tuple[str, str]:
    if level not in LEVELS:
        raise ValueError(f"Niveau de territoire inconnu : {level!r}.")
    code = str(code).strip()
    if not _CODE_TERRITOIRE.match(code):
        raise ValueError(f"Code de territoire invalide : {code!r}.")
    return level, code


def _communes(codes: Iterable[str] | None, limit: int | None = MAX_COMMUNES) -> list[str]:
    out: dict[str, None] = {}
    for raw in codes or ():
        code = str(raw).strip().upper()
        if not _CODE_COMMUNE.match(code):
            raise ValueError(f"Code commune invalide : {raw!r} (5 caractères, ex. 79048 ou 2A004).")
        out[code] = None
    if limit is not None and len(out) > limit:
        raise ValueError(f"Trop de communes ({len(out)}, {limit} au maximum).")
    return list(out)


def _evidence_rows(enjeu_id: int, evidence: Sequence[Evidence]) -> list[dict]:
    if len(evidence) > MAX_EVIDENCE:
        raise ValueError(f"Trop d'indicateurs liés ({len(evidence)}, {MAX_EVIDENCE} au maximum).")
    rows, seen = [], set()
    for ev in evidence:
        if ev.sens not in SENS:
            raise ValueError(f"Sens inconnu : {ev.sens!r} (« appuie » ou « contredit »).")
        if ev.indicator_id in seen:
            raise ValueError(f"L'indicateur {ev.indicator_id!r} est lié deux fois au même enjeu.")
        seen.add(ev.indicator_id)
        value = None if ev.value is None or math.isnan(ev.value) else float(ev.value)
        rows.append(
            {
                "enjeu_id": enjeu_id,
                "indicator_id": ev.indicator_id[:64],
                "sens": ev.sens,
                "value": value,
                "rank": ev.rank,
                "rank_total": ev.rank_total,
                "source": str(ev.source)[:200],
                "millesime": str(ev.millesime)[:200],
                "level": ev.level[:16],
                "code": ev.code[:16],
            }
        )
    return rows


def _number(value: object, name: str, low: float, high: float) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        number = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} n'est pas un nombre : {value!r}.") from None
    if not (low <= number <= high) or math.isnan(number):
        raise ValueError(f"{name} hors limites ({number}, attendu entre {low:g} et {high:g}).")
    return number


def _place_row(record: Mapping[str, object]) -> dict:
    """A validated local place (raises ValueError with a French message)."""
    row = {
        "nom": _text(record.get("nom"), "nom"),
        "type": _text(record.get("type"), "type"),
        "adresse": _text(record.get("adresse"), "adresse", required=False) or None,
        "services": _text(record.get("services"), "services", required=False) or None,
        "horaires": _text(record.get("horaires"), "horaires", required=False) or None,
        "latitude": _number(record.get("latitude"), "La latitude", -90, 90),
        "longitude": _number(record.get("longitude"), "La longitude", -180, 180),
    }
    code = record.get("code_commune")
    if isinstance(code, float):
        code = None if math.isnan(code) else (f"{int(code)}" if code.is_integer() else str(code))
    code = "" if code is None else str(code).strip()
    if code:
        if code.isdigit() and len(code) == 4:
            code = "0" + code  # a spreadsheet dropped the leading zero
        row["code_commune"] = _communes([code])[0]
    else:
        row["code_commune"] = None
    if (row["latitude"] is None) != (row["longitude"] is None):
        raise ValueError("latitude et longitude vont ensemble : renseigner les deux ou aucune.")
    if row["adresse"] is None and row["latitude"] is None and row["code_commune"] is None:
        raise ValueError("il faut une adresse, des coordonnées (latitude/longitude) ou un code commune.")
    return row


def _place_key(row: Mapping[str, object]) -> tuple:
    return (collapse(row["nom"]), collapse(row["type"]), collapse(row["adresse"]), row["code_commune"] or "")


# ---------------------------------------------------------------------------------------------- the store


class Store:
    """All reads and writes of the workshop data; one instance per process (thread-safe)."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self._write_engine = engine.execution_options(atelier_write=True)
        # SQLite has one writer at a time: threads of this process queue on a lock (served in turn)
        # rather than polling the file lock, which keeps the slowest saves short. Other processes are
        # still kept in order by the database's own lock and busy_timeout.
        self._write_lock = _sqlite_lock(engine) if engine.dialect.name == "sqlite" else None

    @property
    def backend(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()

    # -- transactions ----------------------------------------------------------------------------

    def _read(self):
        return _Guard(self.engine)

    def _write(self):
        return _Guard(self._write_engine, self._write_lock)

    def migrate(self) -> int:
        """Apply the pending migrations in order (idempotent, safe when several processes start); return the version."""
        with self._write() as conn:
            if self.backend == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
            schema_version.create(conn, checkfirst=True)
            done = set(conn.execute(sa.select(schema_version.c.version)).scalars())
            for version, description, run in MIGRATIONS:
                if version in done:
                    continue
                run(conn)
                conn.execute(
                    schema_version.insert().values(
                        version=version, description=description, applied_at=_now()
                    )
                )
            return max([v for v, _, _ in MIGRATIONS] + list(done))

    def schema_version(self) -> int:
        with self._read() as conn:
            return conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0

    # -- ateliers --------------------------------------------------------------------------------

    def create_atelier(
        self, territoire_level: str, territoire_code: str, titre: str, day: date | None = None
    ) -> Atelier:
        """A new workshop for a territory (several can coexist)."""
        level, code = _territoire(territoire_level, territoire_code)
        values = {
            "territoire_level": level,
            "territoire_code": code,
            "titre": _text(titre, "titre_atelier"),
            "date": day or date.today(),
            "created_at": _now(),
        }
        with self._write() as conn:
            new_id = conn.execute(atelier_t.insert().values(**values).returning(atelier_t.c.id)).scalar_one()
        return Atelier(id=new_id, **values)

    def list_ateliers(
        self, territoire_level: str | None = None, territoire_code: str | None = None
    ) -> list[Atelier]:
        """Workshops, most recent first, optionally for one territory."""
        query = sa.select(atelier_t).order_by(atelier_t.c.date.desc(), atelier_t.c.id.desc())
        if territoire_level:
            query = query.where(atelier_t.c.territoire_level == territoire_level)
        if territoire_code:
            query = query.where(atelier_t.c.territoire_code == str(territoire_code))
        with self._read() as conn:
            rows = conn.execute(query).mappings().all()
        return [Atelier(**{**r, "created_at": _aware(r["created_at"])}) for r in rows]

    def get_atelier(self, atelier_id: int) -> Atelier:
        with self._read() as conn:
            row = conn.execute(sa.select(atelier_t).where(atelier_t.c.id == atelier_id)).mappings().first()
        if row is None:
            raise ValueError(f"Atelier introuvable (n° {atelier_id}).")
        return Atelier(**{**row, "created_at": _aware(row["created_at"])})

    # -- enjeux ----------------------------------------------------------------------------------

    def add_enjeu(
        self,
        atelier_id: int,
        texte: str,
        categorie: str,
        *,
        communes: Iterable[str] = (),
        auteur: str = "",
        author_key: str | None = None,
        evidence: Sequence[Evidence] = (),
        request_id: str | None = None,
    ) -> Enjeu:
        """Save one enjeu with its evidence in one transaction.

        `request_id` makes a retried save (double click, network retry) return the first one instead
        of creating a duplicate.
        """
        now = _now()
        values = {
            "atelier_id": int(atelier_id),
            "texte": _text(texte, "texte"),
            "categorie": _categorie(categorie),
            "communes": _communes(communes),
            "auteur": _text(auteur, "auteur", required=False),
            "auteur_cle": author_hash(author_key) if author_key else None,
            "request_id": (str(request_id)[:64] if request_id else None),
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        _evidence_rows(0, evidence)  # validate before opening the transaction
        try:
            # One short write transaction per save; the foreign key and the unique request id guard the
            # rare cases (unknown workshop, retried save) without extra round trips.
            with self._write() as conn:
                new_id = conn.execute(enjeu_t.insert().values(**values).returning(enjeu_t.c.id)).scalar_one()
                rows = _evidence_rows(new_id, evidence)
                if rows:
                    conn.execute(enjeu_indicateur_t.insert(), rows)
        except exc.IntegrityError:
            existing = self._enjeu_by_request(values["request_id"]) if values["request_id"] else None
            if existing is not None:
                return existing
            with self._read() as conn:
                self._atelier_exists(conn, values["atelier_id"])
            raise
        stored = [{k: v for k, v in row.items() if k != "enjeu_id"} for row in rows]
        return Enjeu(
            id=new_id,
            atelier_id=values["atelier_id"],
            texte=values["texte"],
            categorie=values["categorie"],
            communes=tuple(values["communes"]),
            auteur=values["auteur"],
            auteur_hash=values["auteur_cle"],
            created_at=now,
            updated_at=now,
            version=1,
            evidence=tuple(sorted((Evidence(**r) for r in stored), key=lambda e: (e.sens, e.indicator_id))),
        )

    def _enjeu_by_request(self, request_id: str) -> Enjeu | None:
        with self._read() as conn:
            found = conn.execute(sa.select(enjeu_t.c.id).where(enjeu_t.c.request_id == request_id)).scalar()
        return self.get_enjeu(found) if found is not None else None

    @staticmethod
    def _atelier_exists(conn: sa.Connection, atelier_id: int) -> None:
        if conn.execute(sa.select(atelier_t.c.id).where(atelier_t.c.id == atelier_id)).first() is None:
            raise ValueError(f"Atelier introuvable (n° {atelier_id}).")

    def get_enjeu(self, enjeu_id: int) -> Enjeu:
        found = self._enjeux(enjeu_t.c.id == int(enjeu_id))
        if not found:
            raise ValueError(f"Enjeu introuvable (n° {enjeu_id}) : il a peut-être été supprimé.")
        return found[0]

    def list_enjeux(self, atelier_id: int, categorie: str | None = None) -> list[Enjeu]:
        """The enjeux of a workshop in the order they were added, each with its evidence."""
        where = enjeu_t.c.atelier_id == int(atelier_id)
        if categorie:
            where = sa.and_(where, enjeu_t.c.categorie == _categorie(categorie))
        return self._enjeux(where)

    def _enjeux(self, where) -> list[Enjeu]:
        with self._read() as conn:
            rows = (
                conn.execute(sa.select(enjeu_t).where(where).order_by(enjeu_t.c.created_at, enjeu_t.c.id))
                .mappings()
                .all()
            )
            ids = [r["id"] for r in rows]
            evidence: dict[int, list[Evidence]] = {i: [] for i in ids}
            if ids:
                ev_rows = conn.execute(
                    sa.select(enjeu_indicateur_t)
                    .where(enjeu_indicateur_t.c.enjeu_id.in_(ids))
                    .order_by(
                        enjeu_indicateur_t.c.enjeu_id,
                        enjeu_indicateur_t.c.sens,
                        enjeu_indicateur_t.c.indicator_id,
                    )
                ).mappings()
                for ev in ev_rows:
                    data = dict(ev)
                    evidence[data.pop("enjeu_id")].append(Evidence(**data))
        return [
            Enjeu(
                id=r["id"],
                atelier_id=r["atelier_id"],
                texte=r["texte"],
                categorie=r["categorie"],
                communes=tuple(r["communes"] or ()),
                auteur=r["auteur"],
                auteur_hash=r["auteur_cle"],
                created_at=_aware(r["created_at"]),
                updated_at=_aware(r["updated_at"]),
                version=r["version"],
                evidence=tuple(evidence[r["id"]]),
            )
            for r in rows
        ]

    def count_by_categorie(self, atelier_id: int) -> dict[str, int]:
        """Enjeux per category (all categories present, zero included): the projector's counters."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(enjeu_t.c.categorie, sa.func.count())
                .where(enjeu_t.c.atelier_id == int(atelier_id))
                .group_by(enjeu_t.c.categorie)
            ).all()
        counts = dict.fromkeys(CATEGORIES, 0)
        counts.update({cat: n for cat, n in rows})
        return counts

    def _check_owner_or_pin(
        self, conn: sa.Connection, enjeu_id: int, author_key: str | None, pin: str | None
    ):
        row = conn.execute(
            sa.select(enjeu_t.c.auteur_cle, enjeu_t.c.version).where(enjeu_t.c.id == int(enjeu_id))
        ).first()
        if row is None:
            raise ValueError(f"Enjeu introuvable (n° {enjeu_id}) : il a peut-être été supprimé.")
        owner = bool(
            author_key and row.auteur_cle and hmac.compare_digest(author_hash(author_key), row.auteur_cle)
        )
        if not owner and not check_pin(pin):
            raise AccessDenied(
                "Seul l'auteur de cet enjeu ou l'animateur (avec son code) peut le modifier ou le supprimer."
            )
        return row

    def update_enjeu(
        self,
        enjeu_id: int,
        *,
        expected_version: int,
        texte: str | None = None,
        categorie: str | None = None,
        communes: Iterable[str] | None = None,
        evidence: Sequence[Evidence] | None = None,
        author_key: str | None = None,
        pin: str | None = None,
    ) -> Enjeu:
        """Edit an enjeu if it is still at `expected_version` (else EditConflict: nothing is overwritten).

        Its author may edit it; anyone else needs the facilitator PIN.
        """
        changes: dict[str, object] = {}
        if texte is not None:
            changes["texte"] = _text(texte, "texte")
        if categorie is not None:
            changes["categorie"] = _categorie(categorie)
        if communes is not None:
            changes["communes"] = _communes(communes)
        if evidence is not None:
            _evidence_rows(0, evidence)
        with self._write() as conn:
            self._check_owner_or_pin(conn, enjeu_id, author_key, pin)
            result = conn.execute(
                enjeu_t.update()
                .where(enjeu_t.c.id == int(enjeu_id), enjeu_t.c.version == int(expected_version))
                .values(**changes, updated_at=_now(), version=enjeu_t.c.version + 1)
            )
            if result.rowcount != 1:
                raise EditConflict(
                    "Cet enjeu a été modifié par quelqu'un d'autre entre-temps : "
                    "rechargez la page pour voir la dernière version, puis recommencez."
                )
            if evidence is not None:
                conn.execute(
                    enjeu_indicateur_t.delete().where(enjeu_indicateur_t.c.enjeu_id == int(enjeu_id))
                )
                rows = _evidence_rows(int(enjeu_id), evidence)
                if rows:
                    conn.execute(enjeu_indicateur_t.insert(), rows)
        return self.get_enjeu(enjeu_id)

    def delete_enjeu(self, enjeu_id: int, *, author_key: str | None = None, pin: str | None = None) -> None:
        """Delete an enjeu: its author may, anyone else needs the facilitator PIN."""
        with self._write() as conn:
            self._check_owner_or_pin(conn, enjeu_id, author_key, pin)
            conn.execute(chantier_enjeu_t.delete().where(chantier_enjeu_t.c.enjeu_id == int(enjeu_id)))
            conn.execute(enjeu_indicateur_t.delete().where(enjeu_indicateur_t.c.enjeu_id == int(enjeu_id)))
            conn.execute(enjeu_t.delete().where(enjeu_t.c.id == int(enjeu_id)))

    # -- chantiers and gouvernance (facilitator) -------------------------------------------------

    def add_chantier(
        self,
        atelier_id: int,
        titre: str,
        *,
        pin: str | None,
        objectif: str = "",
        acteurs: str = "",
        ressources: str = "",
        premiere_action: str = "",
        pilote: str = "",
        horizon: str = "",
        enjeu_ids: Iterable[int] = (),
    ) -> Chantier:
        """A chantier of the feuille de route, grouping enjeux (facilitator PIN required)."""
        _require_pin(pin)
        now = _now()
        values = {
            "atelier_id": int(atelier_id),
            "titre": _text(titre, "titre"),
            "objectif": _text(objectif, "objectif", required=False),
            "acteurs": _text(acteurs, "acteurs", required=False),
            "ressources": _text(ressources, "ressources", required=False),
            "premiere_action": _text(premiere_action, "premiere_action", required=False),
            "pilote": _text(pilote, "pilote", required=False),
            "horizon": _text(horizon, "horizon", required=False),
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        with self._write() as conn:
            self._atelier_exists(conn, values["atelier_id"])
            new_id = conn.execute(
                chantier_t.insert().values(**values).returning(chantier_t.c.id)
            ).scalar_one()
            self._set_links(conn, new_id, values["atelier_id"], enjeu_ids)
        return self.get_chantier(new_id)

    def update_chantier(
        self, chantier_id: int, *, expected_version: int, pin: str | None, **fields: str
    ) -> Chantier:
        """Edit a chantier's text fields if still at `expected_version` (facilitator PIN required)."""
        _require_pin(pin)
        allowed = {"titre", "objectif", "acteurs", "ressources", "premiere_action", "pilote", "horizon"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"Champ inconnu : {', '.join(sorted(unknown))}.")
        changes = {k: _text(v, k, required=(k == "titre")) for k, v in fields.items()}
        with self._write() as conn:
            result = conn.execute(
                chantier_t.update()
                .where(chantier_t.c.id == int(chantier_id), chantier_t.c.version == int(expected_version))
                .values(**changes, updated_at=_now(), version=chantier_t.c.version + 1)
            )
            if result.rowcount != 1:
                raise EditConflict(
                    "Ce chantier a été modifié entre-temps (ou supprimé) : rechargez la page puis recommencez."
                )
        return self.get_chantier(chantier_id)

    def delete_chantier(self, chantier_id: int, *, pin: str | None) -> None:
        _require_pin(pin)
        with self._write() as conn:
            conn.execute(chantier_enjeu_t.delete().where(chantier_enjeu_t.c.chantier_id == int(chantier_id)))
            conn.execute(chantier_t.delete().where(chantier_t.c.id == int(chantier_id)))

    def link_enjeu(self, chantier_id: int, enjeu_id: int, *, pin: str | None) -> None:
        """Attach an enjeu to a chantier (no effect if already attached)."""
        _require_pin(pin)
        with self._write() as conn:
            atelier_id = self._chantier_atelier(conn, chantier_id)
            current = self._links(conn, chantier_id)
            self._set_links(conn, int(chantier_id), atelier_id, [*current, int(enjeu_id)])

    def unlink_enjeu(self, chantier_id: int, enjeu_id: int, *, pin: str | None) -> None:
        _require_pin(pin)
        with self._write() as conn:
            conn.execute(
                chantier_enjeu_t.delete().where(
                    chantier_enjeu_t.c.chantier_id == int(chantier_id),
                    chantier_enjeu_t.c.enjeu_id == int(enjeu_id),
                )
            )

    def set_chantier_enjeux(self, chantier_id: int, enjeu_ids: Iterable[int], *, pin: str | None) -> None:
        """Replace the enjeux grouped under a chantier."""
        _require_pin(pin)
        with self._write() as conn:
            atelier_id = self._chantier_atelier(conn, chantier_id)
            conn.execute(chantier_enjeu_t.delete().where(chantier_enjeu_t.c.chantier_id == int(chantier_id)))
            self._set_links(conn, int(chantier_id), atelier_id, enjeu_ids)

    @staticmethod
    def _chantier_atelier(conn: sa.Connection, chantier_id: int) -> int:
        found = conn.execute(
            sa.select(chantier_t.c.atelier_id).where(chantier_t.c.id == int(chantier_id))
        ).scalar()
        if found is None:
            raise ValueError(f"Chantier introuvable (n° {chantier_id}).")
        return found

    @staticmethod
    def _links(conn: sa.Connection, chantier_id: int) -> list[int]:
        return list(
            conn.execute(
                sa.select(chantier_enjeu_t.c.enjeu_id).where(
                    chantier_enjeu_t.c.chantier_id == int(chantier_id)
                )
            ).scalars()
        )

    @staticmethod
    def _set_links(conn: sa.Connection, chantier_id: int, atelier_id: int, enjeu_ids: Iterable[int]) -> None:
        wanted = list(dict.fromkeys(int(i) for i in enjeu_ids))
        if not wanted:
            return
        valid = set(
            conn.execute(
                sa.select(enjeu_t.c.id).where(enjeu_t.c.id.in_(wanted), enjeu_t.c.atelier_id == atelier_id)
            ).scalars()
        )
        missing = [i for i in wanted if i not in valid]
        if missing:
            raise ValueError(f"Enjeu introuvable dans cet atelier : n° {', '.join(map(str, missing))}.")
        present = set(
            conn.execute(
                sa.select(chantier_enjeu_t.c.enjeu_id).where(chantier_enjeu_t.c.chantier_id == chantier_id)
            ).scalars()
        )
        rows = [{"chantier_id": chantier_id, "enjeu_id": i} for i in wanted if i not in present]
        if rows:
            conn.execute(chantier_enjeu_t.insert(), rows)

    def get_chantier(self, chantier_id: int) -> Chantier:
        found = self._chantiers(chantier_t.c.id == int(chantier_id))
        if not found:
            raise ValueError(f"Chantier introuvable (n° {chantier_id}).")
        return found[0]

    def list_chantiers(self, atelier_id: int) -> list[Chantier]:
        return self._chantiers(chantier_t.c.atelier_id == int(atelier_id))

    def _chantiers(self, where) -> list[Chantier]:
        with self._read() as conn:
            rows = conn.execute(sa.select(chantier_t).where(where).order_by(chantier_t.c.id)).mappings().all()
            ids = [r["id"] for r in rows]
            links: dict[int, list[int]] = {i: [] for i in ids}
            if ids:
                for cid, eid in conn.execute(
                    sa.select(chantier_enjeu_t.c.chantier_id, chantier_enjeu_t.c.enjeu_id)
                    .where(chantier_enjeu_t.c.chantier_id.in_(ids))
                    .order_by(chantier_enjeu_t.c.enjeu_id)
                ):
                    links[cid].append(eid)
        fields_ = (
            "id",
            "atelier_id",
            "titre",
            "objectif",
            "acteurs",
            "ressources",
            "premiere_action",
            "pilote",
            "horizon",
        )
        return [
            Chantier(
                **{k: r[k] for k in fields_},
                created_at=_aware(r["created_at"]),
                version=r["version"],
                enjeu_ids=tuple(links[r["id"]]),
            )
            for r in rows
        ]

    def set_gouvernance(
        self,
        atelier_id: int,
        *,
        pin: str | None,
        pilotage: str = "",
        participants: str = "",
        frequence: str = "",
        expected_version: int | None = None,
    ) -> Gouvernance:
        """Record who steers, who takes part and how often (facilitator PIN required).

        With `expected_version`, refuse to overwrite a newer save (EditConflict).
        """
        _require_pin(pin)
        values = {
            "pilotage": _text(pilotage, "pilotage", required=False),
            "participants": _text(participants, "participants", required=False),
            "frequence": _text(frequence, "frequence", required=False),
            "updated_at": _now(),
        }
        with self._write() as conn:
            self._atelier_exists(conn, int(atelier_id))
            current = conn.execute(
                sa.select(gouvernance_t.c.version).where(gouvernance_t.c.atelier_id == int(atelier_id))
            ).scalar()
            if expected_version is not None and (current or 0) != int(expected_version):
                raise EditConflict(
                    "La gouvernance a été modifiée entre-temps : rechargez la page puis recommencez."
                )
            if current is None:
                conn.execute(gouvernance_t.insert().values(atelier_id=int(atelier_id), version=1, **values))
            else:
                conn.execute(
                    gouvernance_t.update()
                    .where(gouvernance_t.c.atelier_id == int(atelier_id))
                    .values(**values, version=gouvernance_t.c.version + 1)
                )
        found = self.get_gouvernance(atelier_id)
        assert found is not None
        return found

    def get_gouvernance(self, atelier_id: int) -> Gouvernance | None:
        with self._read() as conn:
            row = (
                conn.execute(sa.select(gouvernance_t).where(gouvernance_t.c.atelier_id == int(atelier_id)))
                .mappings()
                .first()
            )
        if row is None:
            return None
        return Gouvernance(
            atelier_id=row["atelier_id"],
            pilotage=row["pilotage"],
            participants=row["participants"],
            frequence=row["frequence"],
            version=row["version"],
        )

    # -- local places (Ressources page) ----------------------------------------------------------

    def add_local_places(
        self,
        records: Iterable[Mapping[str, object]],
        *,
        atelier_id: int | None = None,
        territoire: tuple[str, str] | None = None,
        first_line: int = 2,
    ) -> tuple[int, list[str]]:
        """Store the valid places among `records`; return (number added, French messages for the rest).

        Each record has `nom`, `type` and an `adresse`, a `latitude`/`longitude` pair or a
        `code_commune` (optional: `services`, `horaires`). Bad rows are reported as
        'Ligne N : ...' (N counts from `first_line`, the first data line of a CSV with a header) and
        skipped; a place already stored for the same territory is skipped too. Valid rows are saved
        in one transaction, so a failure stores nothing and loses nothing already stored.
        """
        level = code = None
        if territoire is not None:
            level, code = _territoire(*territoire)
        rows, errors = [], []
        for i, record in enumerate(records):
            try:
                rows.append((i + first_line, _place_row(record)))
            except ValueError as error:
                errors.append(f"Ligne {i + first_line} : {error}")
        if not rows:
            return 0, errors
        now = _now()
        with self._write() as conn:
            if atelier_id is not None:
                self._atelier_exists(conn, int(atelier_id))
            scope = sa.and_(
                lieu_local_t.c.territoire_level.is_(None)
                if level is None
                else lieu_local_t.c.territoire_level == level,
                lieu_local_t.c.territoire_code.is_(None)
                if code is None
                else lieu_local_t.c.territoire_code == code,
            )
            known = {
                _place_key(r)
                for r in conn.execute(
                    sa.select(
                        lieu_local_t.c.nom,
                        lieu_local_t.c.type,
                        lieu_local_t.c.adresse,
                        lieu_local_t.c.code_commune,
                    ).where(scope)
                ).mappings()
            }
            to_insert = []
            for line, row in rows:
                key = _place_key(row)
                if key in known:
                    errors.append(f"Ligne {line} : « {row['nom']} » est déjà enregistré (ignoré).")
                    continue
                known.add(key)
                to_insert.append(
                    {
                        **row,
                        "atelier_id": atelier_id,
                        "territoire_level": level,
                        "territoire_code": code,
                        "local": True,
                        "created_at": now,
                    }
                )
            if to_insert:
                conn.execute(lieu_local_t.insert(), to_insert)
        return len(to_insert), errors

    def list_local_places(
        self,
        *,
        territoire: tuple[str, str] | None = None,
        communes: Iterable[str] | None = None,
        atelier_id: int | None = None,
    ) -> pd.DataFrame:
        """Local places matching ANY of the given criteria (all when none is given), as a frame.

        Columns: id, type, nom, adresse, code_commune, latitude, longitude, services, horaires,
        source, millesime, local (always True), atelier_id, territoire_level, territoire_code, created_at.
        """
        conditions = []
        level = code = None
        if territoire is not None:
            level, code = _territoire(*territoire)
            conditions.append(
                sa.and_(lieu_local_t.c.territoire_level == level, lieu_local_t.c.territoire_code == code)
            )
        codes = set(_communes(communes, limit=None)) if communes is not None else set()
        # A long list of communes (a région, France) is filtered here rather than in an IN (...) clause
        # that SQLite caps; the table holds only the few places added by hand.
        in_python = len(codes) > 500
        if codes and not in_python:
            conditions.append(lieu_local_t.c.code_commune.in_(sorted(codes)))
        if atelier_id is not None:
            conditions.append(lieu_local_t.c.atelier_id == int(atelier_id))
        query = sa.select(lieu_local_t).order_by(lieu_local_t.c.id)
        if in_python:
            pass
        elif conditions:
            query = query.where(sa.or_(*conditions))
        elif territoire is not None or communes is not None or atelier_id is not None:
            query = query.where(sa.false())
        with self._read() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        if in_python:
            rows = [
                r
                for r in rows
                if r["code_commune"] in codes
                or (level is not None and (r["territoire_level"], r["territoire_code"]) == (level, code))
                or (atelier_id is not None and r["atelier_id"] == int(atelier_id))
            ]
        columns = [
            "id", "type", "nom", "adresse", "code_commune", "latitude", "longitude", "services", "horaires",
            "source", "millesime", "local", "atelier_id", "territoire_level", "territoire_code", "created_at",
        ]  # fmt: skip
        frame = pd.DataFrame(rows, columns=[c for c in columns if c not in ("source", "millesime")])
        frame["source"] = "Ajout local (atelier)"
        frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
        frame["millesime"] = frame["created_at"].dt.tz_convert("Europe/Paris").dt.strftime("%d/%m/%Y")
        frame["local"] = True
        for col in ("latitude", "longitude"):
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
        for col in ("code_commune", "territoire_code"):
            frame[col] = frame[col].astype("string")
        return frame[columns]

    def delete_local_place(self, place_id: int, *, pin: str | None) -> None:
        _require_pin(pin)
        with self._write() as conn:
            conn.execute(lieu_local_t.delete().where(lieu_local_t.c.id == int(place_id)))


_SQLITE_LOCKS: dict[str, threading.Lock] = {}
_SQLITE_LOCKS_GUARD = threading.Lock()


def _sqlite_lock(engine: sa.Engine) -> threading.Lock:
    """One writer lock per SQLite file, shared by every Store of this process on that file."""
    database = engine.url.database or ":memory:"
    key = database if database.startswith((":memory:", "file:")) else str(Path(database).resolve())
    with _SQLITE_LOCKS_GUARD:
        return _SQLITE_LOCKS.setdefault(key, threading.Lock())


class _Guard:
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
                raise _unavailable(error) from error
            raise

    def __exit__(self, exc_type, exc_value, traceback):
        try:
            self._cm.__exit__(exc_type, exc_value, traceback)
        except (exc.OperationalError, exc.InterfaceError) as error:
            raise _unavailable(error) from error
        finally:
            if self._lock is not None:
                self._lock.release()
        if isinstance(exc_value, (exc.OperationalError, exc.InterfaceError)):
            raise _unavailable(exc_value) from exc_value
        return False


def _unavailable(error: Exception) -> StoreUnavailable:
    text = str(getattr(error, "orig", error) or error)
    if "locked" in text or "busy" in text:
        return StoreUnavailable(
            "La base de l'atelier est momentanément occupée : réessayez dans quelques secondes."
        )
    return StoreUnavailable(
        "La base de données de l'atelier est inaccessible. Vérifiez la variable DATABASE_URL "
        "(ou le dossier data/) et que le serveur est démarré ; le reste de l'application fonctionne."
    )


# ---------------------------------------------------------------------------------------------- opening


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


def open_store(url: str | None = None) -> Store:
    """Connect to the workshop database, create or migrate its schema, and return the Store.

    Raises StoreUnavailable (French message) when the database cannot be reached.
    """
    raw = _normalise_url(url or default_url())
    try:
        parsed = sa.engine.make_url(raw)
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            engine = sa.create_engine(
                parsed, pool_size=5, max_overflow=40, pool_timeout=60, connect_args={"timeout": 30}
            )
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
        else:
            connect_args = {"connect_timeout": 5} if parsed.get_backend_name() == "postgresql" else {}
            engine = sa.create_engine(
                parsed,
                pool_size=10,
                max_overflow=30,
                pool_timeout=60,
                pool_pre_ping=True,
                connect_args=connect_args,
            )
        store = Store(engine)
        store.migrate()
    except StoreUnavailable:
        raise
    except (exc.ArgumentError, exc.NoSuchModuleError, exc.DBAPIError, ImportError, OSError) as error:
        raise _unavailable(error) from error
    return store
