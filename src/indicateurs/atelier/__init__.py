"""The workshop (atelier): enjeux crossed with the statistics, chantiers, gouvernance, local places.

`records` (vocabulary and dataclasses), `validate` (every check before a save), `schema` (tables and
migrations), `engine` (connection, SQLite locks), `store` (the Store); `evidence` (the figure behind
an enjeu), `export` (the draft feuille de route), `local_places` (CSV upload). No Streamlit here.
"""

from .engine import default_url
from .errors import AccessDenied, EditConflict, StoreUnavailable
from .evidence import KeyFigure, describe_evidence, evidence_for, key_figures, source_label
from .export import (
    FeuilleDeRoute,
    collect,
    escape_markdown,
    raw_frames,
    to_csv,
    to_docx,
    to_markdown,
    to_xlsx,
)
from .records import (
    CATEGORIES,
    HORIZONS,
    LIMITS,
    SENS,
    Atelier,
    Chantier,
    Enjeu,
    Evidence,
    Gouvernance,
    author_hash,
)
from .store import Store, check_pin, open_store

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
    "FeuilleDeRoute",
    "Gouvernance",
    "KeyFigure",
    "Store",
    "StoreUnavailable",
    "author_hash",
    "check_pin",
    "collect",
    "default_url",
    "describe_evidence",
    "escape_markdown",
    "evidence_for",
    "key_figures",
    "open_store",
    "raw_frames",
    "source_label",
    "to_csv",
    "to_docx",
    "to_markdown",
    "to_xlsx",
]
