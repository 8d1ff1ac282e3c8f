"""The workshop store: enjeux, evidence, chantiers, gouvernance and local places, behind SQLAlchemy.

The schema is created and migrated by `open_store()` (see `schema`). Text is stored as given
(escaping happens where it is displayed), lengths are bounded (`validate`), concurrent saves are plain
transactions, and edits carry an optimistic version check.
"""

from __future__ import annotations

import hmac
from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import exc

from . import schema, validate
from .engine import Breaker, Guard, create_engine, sqlite_lock, unavailable
from .errors import AccessDenied, EditConflict, StoreUnavailable
from .pin import PinThrottle, check_pin, require_pin
from .records import CATEGORIES, Atelier, Chantier, Enjeu, Evidence, Gouvernance, author_hash
from .schema import (
    atelier_t,
    chantier_enjeu_t,
    chantier_t,
    enjeu_indicateur_t,
    enjeu_t,
    gouvernance_t,
    lieu_local_t,
)

__all__ = ["Store", "check_pin", "open_store"]


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Store:
    """All reads and writes of the workshop data; one instance per process (thread-safe)."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self._write_engine = engine.execution_options(atelier_write=True)
        # SQLite has one writer at a time: threads of this process queue on a lock (served in turn)
        # rather than polling the file lock, which keeps the slowest saves short. Other processes are
        # still kept in order by the database's own lock and busy_timeout.
        self._write_lock = sqlite_lock(engine) if engine.dialect.name == "sqlite" else None
        self._pin_throttle = PinThrottle()
        self._breaker = Breaker()
        self._file: tuple[Path, tuple[int, int]] | None = None  # SQLite: path and (device, inode)

    def unlock(self, scope: Hashable, pin: str | None) -> None:
        """Check the facilitator PIN for a scope (a workshop, or a territory's workshops); failures are
        counted here, on the server (growing delay), so reloading the page does not reset them.
        AccessDenied (French) if wrong."""
        self._pin_throttle.attempt(scope, pin)

    @property
    def backend(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()

    # -- transactions ----------------------------------------------------------------------------

    def _read(self):
        return Guard(self.engine, before=self.check_file, breaker=self._breaker)

    def _write(self):
        return Guard(self._write_engine, self._write_lock, before=self.check_file, breaker=self._breaker)

    def remember_file(self) -> None:
        """Note the SQLite file's identity, so that its deletion or replacement is noticed (see check_file)."""
        database = self.engine.url.database if self.backend == "sqlite" else None
        if not database or database == ":memory:" or database.startswith("file:"):
            return
        path = Path(database).resolve()
        info = path.stat()
        self._file = (path, (info.st_dev, info.st_ino))

    def check_file(self) -> None:
        """StoreUnavailable when the SQLite file was deleted or replaced since the store opened it.

        Open connections keep writing into a deleted file without error: every save would answer
        « enregistré » and everything would be gone at the next start (issue #18). Checked before each
        transaction (one stat call).
        """
        if self._file is None:
            return
        path, identity = self._file
        try:
            info = path.stat()
        except FileNotFoundError:
            raise StoreUnavailable(
                f"Le fichier de la base de l'atelier ({path}) a disparu pendant l'atelier : rien ne peut plus "
                "être enregistré. Prévenez l'animateur : ne relancez pas l'application avant d'avoir remis "
                "le fichier (sauvegarde) ; les exports déjà téléchargés restent valables."
            ) from None
        if (info.st_dev, info.st_ino) != identity:
            raise StoreUnavailable(
                f"Le fichier de la base de l'atelier ({path}) a été remplacé pendant l'atelier : rien ne "
                "peut plus être enregistré. Prévenez l'animateur (relancer l'application relit le nouveau "
                "fichier)."
            )

    def migrate(self) -> int:
        """Apply the pending migrations (see `schema.migrate`); return the schema version."""
        with self._write() as conn:
            return schema.migrate(conn)

    def schema_version(self) -> int:
        with self._read() as conn:
            return conn.execute(sa.select(sa.func.max(schema.schema_version.c.version))).scalar() or 0

    # -- ateliers --------------------------------------------------------------------------------

    def create_atelier(
        self, territoire_level: str, territoire_code: str, titre: str, day: date | None = None
    ) -> Atelier:
        """A new workshop for a territory (several can coexist)."""
        level, code = validate.territoire(territoire_level, territoire_code)
        values = {
            "territoire_level": level,
            "territoire_code": code,
            "titre": validate.text_field(titre, "titre_atelier"),
            "date": day or date.today(),
            "created_at": _now(),
        }
        with self._write() as conn:
            new_id = conn.execute(atelier_t.insert().values(**values).returning(atelier_t.c.id)).scalar_one()
        return Atelier(id=new_id, **values)

    def list_ateliers(
        self,
        territoire_level: str | None = None,
        territoire_code: str | None = None,
        *,
        include_archived: bool = False,
    ) -> list[Atelier]:
        """Workshops, the facilitator's default first, then the most recent; archived ones left out
        unless asked for."""
        query = sa.select(atelier_t).order_by(
            atelier_t.c.par_defaut.desc(), atelier_t.c.date.desc(), atelier_t.c.id.desc()
        )
        if not include_archived:
            query = query.where(atelier_t.c.archive == sa.false())
        if territoire_level:
            query = query.where(atelier_t.c.territoire_level == territoire_level)
        if territoire_code:
            query = query.where(atelier_t.c.territoire_code == str(territoire_code))
        with self._read() as conn:
            rows = conn.execute(query).mappings().all()
        return [Atelier(**{**r, "created_at": _aware(r["created_at"])}) for r in rows]

    def archive_atelier(self, atelier_id: int, *, pin: str | None, archived: bool = True) -> None:
        """Hide a workshop from participants (or bring it back); its content stays (facilitator PIN)."""
        require_pin(pin)
        with self._write() as conn:
            self._atelier_exists(conn, int(atelier_id))
            values = {"archive": bool(archived)} | ({"par_defaut": False} if archived else {})
            conn.execute(atelier_t.update().where(atelier_t.c.id == int(atelier_id)).values(**values))

    def delete_atelier(self, atelier_id: int, *, pin: str | None) -> None:
        """Delete a workshop with its enjeux, chantiers and gouvernance (facilitator PIN). Places added
        on the Ressources page belong to the territory and stay."""
        require_pin(pin)
        with self._write() as conn:
            self._atelier_exists(conn, int(atelier_id))
            conn.execute(atelier_t.delete().where(atelier_t.c.id == int(atelier_id)))

    def set_default_atelier(self, atelier_id: int, *, pin: str | None) -> None:
        """The workshop /atelier opens for its territory (facilitator PIN); one per territory."""
        require_pin(pin)
        with self._write() as conn:
            self._atelier_exists(conn, int(atelier_id))
            row = conn.execute(sa.select(atelier_t).where(atelier_t.c.id == int(atelier_id))).mappings().one()
            same = (atelier_t.c.territoire_level == row["territoire_level"]) & (
                atelier_t.c.territoire_code == row["territoire_code"]
            )
            conn.execute(atelier_t.update().where(same).values(par_defaut=False))
            conn.execute(
                atelier_t.update()
                .where(atelier_t.c.id == int(atelier_id))
                .values(par_defaut=True, archive=False)
            )

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
            "texte": validate.text_field(texte, "texte"),
            "categorie": validate.categorie(categorie),
            "communes": validate.commune_codes(communes),
            "auteur": validate.text_field(auteur, "auteur", required=False),
            "auteur_cle": author_hash(author_key) if author_key else None,
            "request_id": (str(request_id)[:64] if request_id else None),
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        validate.evidence_rows(0, evidence)  # validate before opening the transaction
        try:
            # One short write transaction per save; the foreign key and the unique request id guard the
            # rare cases (unknown workshop, retried save) without extra round trips.
            with self._write() as conn:
                new_id = conn.execute(enjeu_t.insert().values(**values).returning(enjeu_t.c.id)).scalar_one()
                rows = validate.evidence_rows(new_id, evidence)
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
            where = sa.and_(where, enjeu_t.c.categorie == validate.categorie(categorie))
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
            changes["texte"] = validate.text_field(texte, "texte")
        if categorie is not None:
            changes["categorie"] = validate.categorie(categorie)
        if communes is not None:
            changes["communes"] = validate.commune_codes(communes)
        if evidence is not None:
            validate.evidence_rows(0, evidence)
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
                rows = validate.evidence_rows(int(enjeu_id), evidence)
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
        require_pin(pin)
        now = _now()
        values = {
            "atelier_id": int(atelier_id),
            "titre": validate.text_field(titre, "titre"),
            "objectif": validate.text_field(objectif, "objectif", required=False),
            "acteurs": validate.text_field(acteurs, "acteurs", required=False),
            "ressources": validate.text_field(ressources, "ressources", required=False),
            "premiere_action": validate.text_field(premiere_action, "premiere_action", required=False),
            "pilote": validate.text_field(pilote, "pilote", required=False),
            "horizon": validate.text_field(horizon, "horizon", required=False),
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
        require_pin(pin)
        allowed = {"titre", "objectif", "acteurs", "ressources", "premiere_action", "pilote", "horizon"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"Champ inconnu : {', '.join(sorted(unknown))}.")
        changes = {k: validate.text_field(v, k, required=(k == "titre")) for k, v in fields.items()}
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
        require_pin(pin)
        with self._write() as conn:
            conn.execute(chantier_enjeu_t.delete().where(chantier_enjeu_t.c.chantier_id == int(chantier_id)))
            conn.execute(chantier_t.delete().where(chantier_t.c.id == int(chantier_id)))

    def link_enjeu(self, chantier_id: int, enjeu_id: int, *, pin: str | None) -> None:
        """Attach an enjeu to a chantier (no effect if already attached)."""
        require_pin(pin)
        with self._write() as conn:
            atelier_id = self._chantier_atelier(conn, chantier_id)
            current = self._links(conn, chantier_id)
            self._set_links(conn, int(chantier_id), atelier_id, [*current, int(enjeu_id)])

    def unlink_enjeu(self, chantier_id: int, enjeu_id: int, *, pin: str | None) -> None:
        require_pin(pin)
        with self._write() as conn:
            conn.execute(
                chantier_enjeu_t.delete().where(
                    chantier_enjeu_t.c.chantier_id == int(chantier_id),
                    chantier_enjeu_t.c.enjeu_id == int(enjeu_id),
                )
            )

    def set_chantier_enjeux(self, chantier_id: int, enjeu_ids: Iterable[int], *, pin: str | None) -> None:
        """Replace the enjeux grouped under a chantier."""
        require_pin(pin)
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
        require_pin(pin)
        values = {
            "pilotage": validate.text_field(pilotage, "pilotage", required=False),
            "participants": validate.text_field(participants, "participants", required=False),
            "frequence": validate.text_field(frequence, "frequence", required=False),
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
        lines: Sequence[int | None] | None = None,
    ) -> tuple[int, list[validate.Problem]]:
        """Store the valid places among `records`; return (number added, a Problem per refused record).

        Each record is checked by `validate.validate_local_place`, the same rules as the Ressources
        form and the CSV upload (a name, a known type, coordinates in France or a valid commune
        code; an address alone is refused). A refused record, or a place already stored for the same
        territory, is skipped and reported as ``Problem(line, reason)``: its `lines` entry (the CSV
        line, None for a form), by default 2, 3… (the data lines of a CSV with a header). Valid rows
        are saved in one transaction, so a failure stores nothing and loses nothing already stored.
        """
        level = code = None
        if territoire is not None:
            level, code = validate.territoire(*territoire)
        records = list(records)
        if lines is None:
            lines = range(2, len(records) + 2)
        rows, errors = [], []
        for line, record in zip(lines, records, strict=True):
            row, problems = validate.validate_local_place(record)
            if row is None:
                errors.append(validate.Problem(line, " ; ".join(problems)))
            else:
                rows.append((line, row))
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
                validate.place_key(r)
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
                key = validate.place_key(row)
                if key in known:
                    errors.append(validate.Problem(line, f"« {row['nom']} » est déjà enregistré (ignoré)"))
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
            level, code = validate.territoire(*territoire)
            conditions.append(
                sa.and_(lieu_local_t.c.territoire_level == level, lieu_local_t.c.territoire_code == code)
            )
        # A filter, not a save: a code that is no commune simply matches nothing.
        codes = {str(c).strip().upper() for c in communes} if communes is not None else set()
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
        require_pin(pin)
        with self._write() as conn:
            conn.execute(lieu_local_t.delete().where(lieu_local_t.c.id == int(place_id)))


def open_store(url: str | None = None) -> Store:
    """Connect to the workshop database, create or migrate its schema, and return the Store.

    Raises StoreUnavailable (French message) when the database cannot be reached.
    """
    try:
        store = Store(create_engine(url))
        store.migrate()
        store.remember_file()
    except StoreUnavailable:
        raise
    except (exc.ArgumentError, exc.NoSuchModuleError, exc.DBAPIError, ImportError, OSError) as error:
        raise unavailable(error) from error
    return store
