"""Checks applied before anything is saved: bounded texts, categories, territories, communes, evidence.

Each check returns the clean value or raises ValueError with a French message shown as is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence

from .records import CATEGORIES, LEVELS, LIMITS, MAX_COMMUNES, MAX_EVIDENCE, SENS, Evidence

__all__ = [
    "categorie",
    "commune_codes",
    "evidence_rows",
    "place_key",
    "place_row",
    "territoire",
    "text_field",
]

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
_CODE_COMMUNE = re.compile(r"^(?:\d[\dAB]\d{3})$")
_CODE_TERRITOIRE = re.compile(r"^[0-9A-Za-z]{1,10}$")


def text_field(value: object, key: str, *, required: bool = True) -> str:
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


def categorie(value: str) -> str:
    if value in CATEGORIES:
        return value
    for key, label in CATEGORIES.items():
        if isinstance(value, str) and value.strip().lower() == label.lower():
            return key
    raise ValueError(f"Catégorie inconnue : {value!r}. Choisir parmi : {', '.join(CATEGORIES.values())}.")


def territoire(level: str, code: str) -> tuple[str, str]:
    if level not in LEVELS:
        raise ValueError(f"Niveau de territoire inconnu : {level!r}.")
    code = str(code).strip()
    if not _CODE_TERRITOIRE.match(code):
        raise ValueError(f"Code de territoire invalide : {code!r}.")
    return level, code


def commune_codes(codes: Iterable[str] | None, limit: int | None = MAX_COMMUNES) -> list[str]:
    out: dict[str, None] = {}
    for raw in codes or ():
        code = str(raw).strip().upper()
        if not _CODE_COMMUNE.match(code):
            raise ValueError(f"Code commune invalide : {raw!r} (5 caractères, ex. 79048 ou 2A004).")
        out[code] = None
    if limit is not None and len(out) > limit:
        raise ValueError(f"Trop de communes ({len(out)}, {limit} au maximum).")
    return list(out)


def evidence_rows(enjeu_id: int, evidence: Sequence[Evidence]) -> list[dict]:
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


def place_row(record: Mapping[str, object]) -> dict:
    """A validated local place (raises ValueError with a French message)."""
    row = {
        "nom": text_field(record.get("nom"), "nom"),
        "type": text_field(record.get("type"), "type"),
        "adresse": text_field(record.get("adresse"), "adresse", required=False) or None,
        "services": text_field(record.get("services"), "services", required=False) or None,
        "horaires": text_field(record.get("horaires"), "horaires", required=False) or None,
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
        row["code_commune"] = commune_codes([code])[0]
    else:
        row["code_commune"] = None
    if (row["latitude"] is None) != (row["longitude"] is None):
        raise ValueError("latitude et longitude vont ensemble : renseigner les deux ou aucune.")
    if row["adresse"] is None and row["latitude"] is None and row["code_commune"] is None:
        raise ValueError("il faut une adresse, des coordonnées (latitude/longitude) ou un code commune.")
    return row


def place_key(row: Mapping[str, object]) -> tuple:
    def norm(v: object) -> str:
        return " ".join(str(v or "").lower().split())

    return (norm(row["nom"]), norm(row["type"]), norm(row["adresse"]), row["code_commune"] or "")
