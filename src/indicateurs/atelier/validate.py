"""Checks applied before anything is saved: bounded texts, categories, territories, communes, evidence,
and the ONE local-place validator used by the Ressources form, the CSV upload and the store.

Each check returns the clean value or raises ValueError with a French message shown as is;
`validate_local_place` returns its reasons instead, so that a file's good rows still go through.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from indicateurs.reference.text import clean_text, collapse, normalise
from indicateurs.sources.places import fold_code

from .records import CATEGORIES, LEVELS, LIMITS, MAX_COMMUNES, MAX_EVIDENCE, SENS, Evidence

__all__ = [
    "COMMUNE_CODE",
    "PLACE_FIELDS",
    "TYPE_LABELS",
    "Problem",
    "categorie",
    "commune_code",
    "commune_codes",
    "evidence_rows",
    "place_key",
    "territoire",
    "text_field",
    "validate_local_place",
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
# A commune's COG code: 5 characters, the département (01-19, 21-95, 2A/2B for Corsica, 97/98 overseas:
# 971xx-976xx, 975xx, 977xx, 978xx, 98xxx) then 3 digits. 20xxx no longer exists (Corsica split in
# 1976), 99xxx are foreign countries, 00xxx and 96xxx were never used.
COMMUNE_CODE = re.compile(r"^(?:0[1-9]|1\d|2[1-9AB]|[3-8]\d|9[0-5]|97|98)\d{3}$")
_CODE_TERRITOIRE = re.compile(r"^[0-9A-Za-z]{1,10}$")


def text_field(value: object, key: str, *, required: bool = True) -> str:
    """A bounded text field: stored as given (outer spaces and control characters removed), with a French
    message if refused."""
    name = _FIELD_NAMES[key]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        value = ""
    if not isinstance(value, str):
        value = str(value)
    # control characters from a copy-paste (\x01, PowerPoint's \x0b) are cleaned here, on the way in:
    # XLSX and DOCX exports cannot hold them (issue #18)
    if "\x00" in value:  # binary content, not a copy-paste: refused
        raise ValueError(f"{name} contient un caractère invalide.")
    text = clean_text(value).strip()
    if required and not text:
        raise ValueError(f"{name} est vide : merci de le compléter.")
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


def commune_code(value: object) -> str | None:
    """The COG code of a commune as typed or read from a spreadsheet, or None when blank or malformed.

    Arrondissements are folded into their commune and a leading zero lost by a spreadsheet is restored.

    >>> commune_code("2a004"), commune_code(1004.0), commune_code("75112"), commune_code("1A001")
    ('2A004', '01004', '75056', None)
    """
    if isinstance(value, str):
        value = value.strip().upper()
    code = fold_code(value)
    return code if code is not None and COMMUNE_CODE.match(code) else None


def commune_codes(codes: Iterable[object] | None, limit: int | None = MAX_COMMUNES) -> list[str]:
    """Distinct valid commune codes in the given order (ValueError naming the first malformed one)."""
    out: dict[str, None] = {}
    for raw in codes or ():
        code = commune_code(raw)
        if code is None:
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


def place_key(row: Mapping[str, object]) -> tuple:
    """What makes two validated places the same (for the duplicate rule): name, type, address, commune."""
    return (
        collapse(row.get("nom")),
        collapse(row.get("type")),
        collapse(row.get("adresse")),
        row.get("code_commune") or "",
    )


# ---------------------------------------------------------------------------------------------- local places

TYPE_LABELS = {
    "france_services": "France Services",
    "conseiller_numerique": "Conseiller numérique (permanence)",
    "lieu_mediation": "Lieu de médiation numérique",
    "aidants_connect": "Structure Aidants Connect",
}
PLACE_FIELDS = ("nom", "type", "adresse", "code_commune", "latitude", "longitude", "services", "horaires")
_TYPE_ALIASES = {
    "franceservices": "france_services",
    "fs": "france_services",
    "espacefranceservices": "france_services",
    "conseillernumerique": "conseiller_numerique",
    "conseillernumeriquefranceservices": "conseiller_numerique",
    "cnfs": "conseiller_numerique",
    "permanence": "conseiller_numerique",
    "permanencecnfs": "conseiller_numerique",
    "lieumediation": "lieu_mediation",
    "lieudemediation": "lieu_mediation",
    "lieudemediationnumerique": "lieu_mediation",
    "mediationnumerique": "lieu_mediation",
    "mediation": "lieu_mediation",
    "aidantsconnect": "aidants_connect",
    "aidantconnect": "aidants_connect",
    "structureaidantsconnect": "aidants_connect",
    "conseillernumeriquepermanence": "conseiller_numerique",
}
# Boxes (lat_min, lat_max, lon_min, lon_max) of metropolitan France and the five DROM.
_FRANCE_BOXES = (
    (41.2, 51.2, -5.3, 9.7),
    (15.8, 16.6, -61.9, -60.9),
    (14.3, 14.95, -61.3, -60.75),
    (2.0, 6.0, -54.7, -51.5),
    (-21.45, -20.8, 55.2, 55.9),
    (-13.1, -12.6, 44.9, 45.35),
)


class Problem(NamedTuple):
    """A refused place: its line in the file (None for the form, or for the whole file) and why, in French."""

    line: int | None
    reason: str


def _key(text: str) -> str:
    """Lowercase ASCII letters and digits only: 'Lieu de médiation' -> 'lieudemediation'."""
    return normalise(text, "")


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return str(value).strip() in ("", "<NA>", "nan", "NaN")


def _number(value: object) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return None if math.isnan(value) else float(value)
    try:
        return float(str(value).replace(",", ".").replace(" ", "").replace("\u00a0", ""))
    except ValueError:
        return None


def _in_france(lat: float, lon: float) -> bool:
    return any(a <= lat <= b and c <= lon <= d for a, b, c, d in _FRANCE_BOXES)


def _fragment(error: ValueError) -> str:
    """'Le nom du lieu est vide : merci de le compléter.' -> 'le nom du lieu est vide : merci de le compléter'."""
    text = str(error).rstrip(".")
    return text[:1].lower() + text[1:]


def validate_local_place(
    fields: Mapping[str, object], known_codes: Iterable[str] | None = None
) -> tuple[dict | None, list[str]]:
    """One place from the form, a CSV row or a store call: ``(record, [])`` or ``(None, [reasons])``.

    The rules, the same everywhere: a name and a known type (its key or label, e.g. « Lieu de
    médiation »); a location, i.e. a latitude/longitude pair inside France or a valid commune code
    (an address alone does not place a point on the map and is refused); bounded texts. The record has
    the keys of PLACE_FIELDS (None when not given); the type is its key, the code is COG (arrondissements
    folded). `known_codes` (the base's communes), when given, refuses a well-formed but unknown code.

    >>> validate_local_place({"nom": "EPN", "type": "Lieu de médiation", "adresse": "1 rue A"})[1]
    ['lieu impossible à situer : indiquez latitude et longitude, ou code_commune']
    """
    values = {k: "" if _blank(fields.get(k)) else fields.get(k) for k in PLACE_FIELDS}
    problems: list[str] = []
    texts: dict[str, str | None] = {}
    for key in ("nom", "type", "adresse", "services", "horaires"):
        try:
            texts[key] = text_field(values[key], key, required=key in ("nom", "type")) or None
        except ValueError as error:
            problems.append(_fragment(error))
            texts[key] = None
    place_type = None
    if texts["type"]:
        place_type = texts["type"] if texts["type"] in TYPE_LABELS else _TYPE_ALIASES.get(_key(texts["type"]))
        if place_type is None:
            problems.append(f"type « {texts['type']} » inconnu (attendu : {', '.join(TYPE_LABELS)})")

    code = None
    location_problem = False
    if values["code_commune"] != "":
        code = commune_code(values["code_commune"])
        if code is None:
            problems.append(
                f"code commune « {values['code_commune']} » mal formé (5 caractères, ex. 17005 ou 2A004)"
            )
            location_problem = True
        elif known_codes is not None and code not in set(known_codes):
            problems.append(f"code commune « {values['code_commune']} » inconnu (COG 2025)")
            code, location_problem = None, True

    lat = lon = None
    if values["latitude"] != "" or values["longitude"] != "":
        lat, lon = _number(values["latitude"]), _number(values["longitude"])
        location_problem = True
        if lat is None or lon is None:
            problems.append(
                "latitude ou longitude absente ou illisible (nombre décimal attendu, les deux ensemble)"
            )
            lat = lon = None
        elif not _in_france(lat, lon):
            hint = " (latitude et longitude inversées ?)" if _in_france(lon, lat) else ""
            problems.append(f"coordonnées ({lat:g}, {lon:g}) hors de France{hint}")
            lat = lon = None
        else:
            location_problem = False

    if lat is None and code is None and not location_problem:
        problems.append("lieu impossible à situer : indiquez latitude et longitude, ou code_commune")
    if problems:
        return None, problems
    record = {
        "nom": texts["nom"],
        "type": place_type,
        "adresse": texts["adresse"],
        "code_commune": code,
        "latitude": lat,
        "longitude": lon,
        "services": texts["services"],
        "horaires": texts["horaires"],
    }
    return record, []
