"""Reading the CSV of places a host territory adds itself; each row goes through `validate_local_place`.

Why here: a workshop facilitator uploads a spreadsheet export in front of the room; every bad row
must be named (line number, reason in French) while the good rows go through, and a file that is
not a CSV at all gets one clear sentence, never a traceback. The rules for one place live in
`validate` (shared with the form and the store); storage is someone else's job.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from indicateurs.reference.text import normalise

from .validate import PLACE_FIELDS as _FIELDS
from .validate import TYPE_LABELS, Problem, validate_local_place

__all__ = [
    "COLUMNS_DOC",
    "MAX_BYTES",
    "MAX_ROWS",
    "TYPE_LABELS",
    "UNCLOSED_QUOTE",
    "Problem",
    "template_csv",
    "validate_local_place",
    "validate_local_places",
]

MAX_BYTES = 2_000_000
MAX_ROWS = 5_000
MAX_UNCLOSED = 20
UNCLOSED_QUOTE = (
    'guillemet « " » ouvert et jamais refermé : ligne refusée (les lignes suivantes sont lues '
    "normalement ; retirez ce guillemet ou refermez-le)"
)

COLUMNS_DOC: list[tuple[str, str, str]] = [
    ("nom", "obligatoire", "Nom du lieu."),
    (
        "type",
        "obligatoire",
        "france_services, conseiller_numerique, lieu_mediation ou aidants_connect "
        "(les libellés « France Services », « Conseiller numérique », « Lieu de médiation », "
        "« Aidants Connect » sont aussi acceptés).",
    ),
    ("adresse", "facultatif", "Adresse postale (affichée ; seule, elle ne suffit pas à situer le lieu)."),
    ("code_commune", "voir ci-contre", "Code INSEE de la commune sur 5 caractères (ex. 17005, 2A004)."),
    ("latitude", "voir ci-contre", "Latitude en degrés décimaux (ex. 45,62 ou 45.62)."),
    ("longitude", "voir ci-contre", "Longitude en degrés décimaux (ex. -0,32 ou -0.32)."),
    ("services", "facultatif", "Services proposés (texte libre)."),
    ("horaires", "facultatif", "Horaires d'ouverture (texte libre)."),
]
LOCATION_RULE = (
    "Chaque ligne doit permettre de situer le lieu : soit latitude et longitude, "
    "soit code_commune (avec ou sans adresse)."
)

_HEADER_ALIASES = {
    "name": "nom",
    "nom_du_lieu": "nom",
    "type_de_lieu": "type",
    "address": "adresse",
    "code_insee": "code_commune",
    "insee": "code_commune",
    "code_commune_insee": "code_commune",
    "commune_code": "code_commune",
    "lat": "latitude",
    "lon": "longitude",
    "lng": "longitude",
    "long": "longitude",
    "horaire": "horaires",
    "service": "services",
}


def _header(name: str) -> str:
    snake = normalise(name, "_")
    return _HEADER_ALIASES.get(snake, snake)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _file_error(message: str) -> tuple[list[dict], list[Problem]]:
    return [], [Problem(None, message)]


def _rows(lines: list[str], delimiter: str, first: int, width: int):
    """(line number, cells) for each record after the header; (line, None) for a line whose quote
    is never closed. The csv module reads such a quote up to the next quote or the end of the file,
    swallowing the following rows into one field: here only that line is lost."""
    index = first  # lines already read (0-based index of the next line)
    for _ in range(MAX_UNCLOSED + 1):  # each restart may read to the end of the file: bounded
        if index >= len(lines):
            return
        reader = csv.reader((lines[i] for i in range(index, len(lines))), delimiter=delimiter, strict=True)
        read = 0
        try:
            for row in reader:
                start, span = index + read + 1, reader.line_num - read
                if (
                    span > 1
                    and len(row) != width
                    and any(delimiter in cell for cell in row if "\n" in cell or "\r" in cell)
                ):
                    raise csv.Error("guillemet non refermé")  # closed late, on another row's separator
                read = reader.line_num
                yield start, row
            return
        except csv.Error:  # strict: a quote closed mid-field, or still open at the end of the file
            yield index + read + 1, None
            index += read + 1  # start again on the line after the faulty one
    yield index + 1, []  # too many unclosed quotes: the rest is not read (announced by the caller)


def validate_local_places(
    file_bytes: bytes, known_codes: Iterable[str] | None = None
) -> tuple[list[dict], list[Problem]]:
    """Check an uploaded CSV of local places: ``(valid_records, problems)``.

    Accepts ';' or ',' as separator, UTF-8 (with or without BOM) or Windows-1252/latin-1.
    Each problem is ``Problem(line, reason)`` with the line number in the file (the header is line 1)
    and the reason in French, never formatted text (the page says "Ligne N" its own way); a file that
    cannot be read at all gives one problem with ``line = None``. Valid records
    also carry their ``ligne``, so that later messages (e.g. duplicates in the store) can name it.

    >>> ok, errors = validate_local_places("nom;type;code_commune\\nMédiathèque;lieu_mediation;17300\\n".encode())
    >>> ok[0]["code_commune"], errors
    ('17300', [])
    """
    if not file_bytes or not file_bytes.strip():
        return _file_error("Le fichier est vide.")
    if len(file_bytes) > MAX_BYTES:
        return _file_error(
            f"Le fichier dépasse {MAX_BYTES // 1_000_000} Mo : découpez-le en plusieurs fichiers."
        )
    if file_bytes[:4] == b"PK\x03\x04":
        return _file_error(
            "Ce fichier est un classeur (Excel ou LibreOffice), pas un CSV : enregistrez-le au format "
            "« CSV (séparateur point-virgule) » puis déposez-le à nouveau."
        )
    if b"\x00" in file_bytes[:2000]:
        return _file_error("Ce fichier n'est pas un fichier texte CSV (contenu binaire ou encodage UTF-16).")
    text = _decode(file_bytes)
    first_line = text.splitlines()[0] if text.splitlines() else ""
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header_row = next(reader)
    except (csv.Error, StopIteration) as exc:
        return _file_error(f"Le fichier ne peut pas être lu comme un CSV ({exc}).")
    header = [_header(h) for h in header_row]
    missing = [c for c in ("nom", "type") if c not in header]
    if missing:
        found = ", ".join(h for h in header_row if h.strip()) or "aucune"
        return _file_error(
            f"Colonnes obligatoires absentes : {', '.join(missing)}. Colonnes trouvées : {found}. "
            "Séparateur attendu : point-virgule ou virgule, avec une ligne d'en-tête."
        )
    if not any(c in header for c in ("code_commune", "latitude", "longitude")):
        return _file_error(
            "Il faut une colonne code_commune, ou les colonnes latitude et longitude, pour situer les lieux."
        )
    known = set(known_codes) if known_codes is not None else None
    records: list[dict] = []
    errors: list[Problem] = []
    lines = io.StringIO(text, newline="").readlines()
    unclosed = 0
    for start, row in _rows(lines, delimiter, reader.line_num, len(header)):
        if len(records) + len(errors) >= MAX_ROWS:
            errors.append(Problem(start, f"plus de {MAX_ROWS} lignes : la suite est ignorée"))
            break
        if row is None:
            unclosed += 1
            errors.append(Problem(start, UNCLOSED_QUOTE))
            continue
        if unclosed > MAX_UNCLOSED:
            errors.append(
                Problem(start, f"plus de {MAX_UNCLOSED} guillemets non refermés : la suite est ignorée")
            )
            break
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
            errors.append(
                Problem(
                    start,
                    f"{len(row)} valeurs pour {len(header)} colonnes "
                    f"(séparateur « {delimiter} » dans un champ non entouré de guillemets ?)",
                )
            )
            continue
        fields = dict(zip(header, row, strict=False))
        record, problems = validate_local_place(fields, known)
        if record is None:
            errors.append(Problem(start, " ; ".join(problems)))
        else:
            records.append({**record, "ligne": start})
    if not records and not errors:
        return _file_error("Le fichier ne contient aucune ligne de lieu sous l'en-tête.")
    return records, errors


def template_csv() -> bytes:
    """A ready-to-fill template (UTF-8 with BOM, ';'): opens cleanly in French spreadsheet software."""
    rows = [
        list(_FIELDS),
        [
            "Médiathèque municipale",
            "lieu_mediation",
            "1 place de la Mairie",
            "17300",
            "",
            "",
            "Ateliers",
            "Mardi 14h-18h",
        ],
        ["Permanence en mairie", "conseiller_numerique", "", "", "45,9375", "-0,9619", "Accompagnement", ""],
        ["Espace France Services", "france_services", "", "17306", "", "", "", ""],
    ]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")
