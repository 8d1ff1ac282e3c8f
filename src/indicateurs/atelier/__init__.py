"""The workshop (atelier): enjeux crossed with the statistics, chantiers, gouvernance, local places.

Storage in `storage` (SQLAlchemy: SQLite by default, PostgreSQL via DATABASE_URL), figures behind an
enjeu in `evidence`, the draft feuille de route and raw data exports in `export`. No Streamlit here.
"""

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
from .storage import (
    CATEGORIES,
    HORIZONS,
    LIMITS,
    SENS,
    AccessDenied,
    Atelier,
    Chantier,
    EditConflict,
    Enjeu,
    Evidence,
    Gouvernance,
    Store,
    StoreUnavailable,
    author_hash,
    check_pin,
    default_url,
    open_store,
)

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
