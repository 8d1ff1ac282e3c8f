"""App-side caches for the Profil page: the profile and its files, keyed on (level, code).

Cached objects are shared between sessions: never mutate what these functions return.
"""

from __future__ import annotations

import streamlit as st

from indicateurs.base import Base, BaseMissingError, load_base
from indicateurs.pdf import map_png, profile_pdf
from indicateurs.profile import Profile, build_profile, profile_csv, profile_xlsx

__all__ = ["base", "csv", "map_image", "pdf", "profile", "xlsx"]


@st.cache_resource(show_spinner=False)
def _load() -> Base:
    return load_base()


def base() -> Base | None:
    """The built base (shared with the other pages once `ui.data` exists); None when never built."""
    try:
        from ui.data import ensure_base
    except ImportError:
        try:
            return _load()
        except BaseMissingError:
            return None
    return ensure_base()


@st.cache_data(show_spinner="Calcul du profil…", max_entries=64)
def profile(level: str, code: str) -> Profile:
    """The profile of one territory (ValueError in French when the code is unknown)."""
    return build_profile(base(), code, level)


@st.cache_data(show_spinner=False, max_entries=32)
def map_image(level: str, code: str, indicator_id: str) -> bytes:
    return map_png(base(), profile(level, code), indicator_id, width_in=5.5)


@st.cache_data(show_spinner=False, max_entries=16)
def pdf(level: str, code: str) -> bytes:
    return profile_pdf(profile(level, code), base())


@st.cache_data(show_spinner=False, max_entries=16)
def xlsx(level: str, code: str) -> bytes:
    return profile_xlsx(profile(level, code))


@st.cache_data(show_spinner=False, max_entries=16)
def csv(level: str, code: str) -> bytes:
    return profile_csv(profile(level, code))
