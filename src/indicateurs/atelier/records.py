"""The workshop's vocabulary and records: categories, senses, horizons, field limits, frozen dataclasses.

Why apart: the UI, the exports and the store all speak of the same enjeux and chantiers; none of them
needs SQLAlchemy to do so.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date, datetime

from indicateurs.reference.levels import LEVEL_IDS

__all__ = [
    "CATEGORIES",
    "HORIZONS",
    "LEVELS",
    "LIMITS",
    "MAX_COMMUNES",
    "MAX_EVIDENCE",
    "SENS",
    "Atelier",
    "Chantier",
    "Enjeu",
    "Evidence",
    "Gouvernance",
    "author_hash",
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
MAX_COMMUNES = 1000
MAX_EVIDENCE = 20


@dataclass(frozen=True)
class Atelier:
    id: int
    territoire_level: str
    territoire_code: str
    titre: str
    date: date
    created_at: datetime
    archive: bool = False  # hidden from participants, kept for the exports
    par_defaut: bool = False  # the workshop /atelier opens for this territory (facilitator's choice)


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


def author_hash(author_key: str) -> str:
    """What is stored for a participant's session key: its SHA-256 (the key itself never is)."""
    return hashlib.sha256(author_key.encode("utf-8")).hexdigest()
