"""What every view of the Atelier page shares: the cached store and base, the territory, the session's
author key and facilitator PIN, the flash message, and one context object that carries them.

Why a context: the participant form, the projector, the facilitator space and the exports all need
the same six or seven values; they take one `AtelierContext` instead of passing them one by one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import streamlit as st

from indicateurs.atelier import (
    AccessDenied,
    Atelier,
    EditConflict,
    Store,
    StoreUnavailable,
    check_pin,
    open_store,
)
from indicateurs.errors import AtlasError
from indicateurs.reference.registry import registry_of
from ui import cache
from ui.safe import md

__all__ = [
    "AtelierContext",
    "author_key",
    "base_or_none",
    "cached_store",
    "communes_of",
    "current_territory",
    "facilitator_pin",
    "facilitator_scope",
    "flash",
    "get_store",
    "indicator_options",
    "lock",
    "run_action",
    "show_flash",
    "territory_name",
    "unlock",
]

DEFAULT_TERRITORY = ("epci", "200041523")


@st.cache_resource(show_spinner=False)
def cached_store() -> Store:
    return open_store()


def get_store() -> Store:
    """The shared store (one per process); StoreUnavailable is not cached, so the next run retries."""
    return cached_store()


def base_or_none():
    """The built base (`ui.cache`), or None while it is not built (the page then works without figures)."""
    try:
        return cache.base()
    except AtlasError:  # BaseMissingError, BaseCorruptError: the page says so and goes on
        return None


def current_territory() -> tuple[str, str]:
    """The territory chosen in the sidebar (shared selector when available)."""
    try:
        from ui.state import current_territory as shared
    except ImportError:
        return tuple(st.session_state.get("territoire", DEFAULT_TERRITORY))  # type: ignore[return-value]
    return shared()


def territory_name(base, level: str, code: str) -> str:
    if base is None:
        return f"{level} {code}"
    rows = base.territories[(base.territories["level"] == level) & (base.territories["code"] == code)]
    return str(rows["nom"].iloc[0]) if len(rows) else f"{level} {code}"


def communes_of(base, level: str, code: str) -> dict[str, str]:
    """{code: nom} of the communes in the territory (none for région and France: too many to pick from)."""
    if base is None or level in ("region", "france"):
        return {}
    t = base.territories[base.territories["level"] == "commune"]
    column = {"commune": "code", "epci": "epci", "departement": "departement"}[level]
    sub = t[t[column] == code].sort_values("nom")
    return dict(zip(sub["code"].astype(str), sub["nom"].astype(str), strict=True))


def indicator_options(base, level: str) -> dict[str, str]:
    """{indicator id: label} of the indicators that have values at `level` in the base."""
    if base is None:
        return {}
    columns = set(base.wide(level).columns)
    return {i.id: i.label for i in registry_of(base).list() if i.id in columns and i.id != "population"}


def author_key() -> str:
    """A random key identifying this browser session as the author of its enjeux."""
    if "atelier_auteur_cle" not in st.session_state:
        st.session_state["atelier_auteur_cle"] = uuid.uuid4().hex
    return st.session_state["atelier_auteur_cle"]


def facilitator_pin() -> str | None:
    """The facilitator PIN once unlocked in this session, else None."""
    pin = st.session_state.get("atelier_pin_valide")
    return pin if pin and check_pin(pin) else None


def facilitator_scope(level: str, code: str) -> tuple[str, str, str]:
    """What PIN failures are counted against: the territory's workshops (one count for the picker and
    the facilitator space, so that guesses cannot be spread over both)."""
    return ("territoire", level, code)


def unlock(store: Store, level: str, code: str, field: str) -> None:
    """Callback of an « Déverrouiller » button: check the PIN typed in `field` (counted by the store)."""
    ss = st.session_state
    pin = ss.get(field, "")
    ss[field] = ""
    try:
        store.unlock(facilitator_scope(level, code), pin)
    except AccessDenied as error:
        flash("error", str(error))
        return
    ss["atelier_pin_valide"] = pin
    flash("success", "Espace animateur déverrouillé.")


def lock() -> None:
    st.session_state.pop("atelier_pin_valide", None)


def flash(kind: str, message: str) -> None:
    st.session_state["atelier_message"] = (kind, message)


def show_flash() -> None:
    kind, message = st.session_state.pop("atelier_message", (None, None))
    if kind == "success":
        st.success(message)  # the app's own sentence (run_action's `success`)
    elif kind == "error":
        st.error(md(message))


def run_action(action: Callable[[], object], success: str) -> bool:
    """Run a store action from a callback; its French error (if any) is shown after the rerun."""
    try:
        action()
    except (ValueError, AccessDenied, EditConflict, StoreUnavailable) as error:
        flash("error", str(error))
        return False
    flash("success", success)
    return True


@dataclass(frozen=True)
class AtelierContext:
    """One run of the page for one workshop: what every view reads (never mutated during the run)."""

    store: Store
    atelier: Atelier
    base: object | None  # indicateurs.base.Base, or None while the base is not built
    level: str
    code: str
    territoire_nom: str
    commune_noms: dict[str, str] = field(default_factory=dict)
    author_key: str = ""
    pin: str | None = None  # the facilitator PIN once unlocked in this session

    @classmethod
    def of(cls, store: Store, atelier: Atelier, base, level: str, code: str, territoire_nom: str):
        """The context of this run: communes of the territory, this session's author key and PIN."""
        return cls(
            store=store,
            atelier=atelier,
            base=base,
            level=level,
            code=code,
            territoire_nom=territoire_nom,
            commune_noms=communes_of(base, level, code),
            author_key=author_key(),
            pin=facilitator_pin(),
        )
