"""Tables of the workshop database and their ordered migrations (recorded in `schema_version`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa

from .records import LIMITS

__all__ = ["MIGRATIONS", "metadata", "migrate"]

_MIGRATION_LOCK = 72_091_203  # PostgreSQL advisory lock id for schema migrations

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
    # migration 3: the facilitator archives a workshop and chooses the one /atelier opens
    sa.Column("archive", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("par_defaut", sa.Boolean, nullable=False, server_default=sa.false()),
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
    (
        3,
        "ateliers archivés et atelier par défaut (choix de l'animateur)",
        lambda conn: _add_atelier_flags(conn),
    ),
]


def _add_atelier_flags(conn: sa.Connection) -> None:
    """ALTER TABLE for databases created before migration 3 (a new database has the columns already)."""
    present = {c["name"] for c in sa.inspect(conn).get_columns("atelier")}
    for column in ("archive", "par_defaut"):
        if column not in present:
            conn.execute(sa.text(f"ALTER TABLE atelier ADD COLUMN {column} BOOLEAN NOT NULL DEFAULT FALSE"))


def migrate(conn: sa.Connection) -> int:
    """Apply the pending MIGRATIONS in order inside `conn`'s transaction; return the schema version.

    Idempotent and safe when several processes start at once (PostgreSQL: advisory lock; SQLite: the
    caller's write lock).
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
    schema_version.create(conn, checkfirst=True)
    done = set(conn.execute(sa.select(schema_version.c.version)).scalars())
    for version, description, run in MIGRATIONS:
        if version in done:
            continue
        run(conn)
        conn.execute(
            schema_version.insert().values(
                version=version, description=description, applied_at=datetime.now(UTC)
            )
        )
    return max([v for v, _, _ in MIGRATIONS] + list(done))
