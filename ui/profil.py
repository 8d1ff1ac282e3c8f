"""App-side caches for the Profil page: the profile and its files, keyed on (level, code).

Cached objects are shared between sessions: never mutate what these functions return.
"""

from __future__ import annotations

import streamlit as st

from indicateurs.analysis.profile import Profile, build_profile
from indicateurs.render.pdf import profile_pdf
from indicateurs.render.profile_files import profile_csv, profile_xlsx
from ui.cache import base

__all__ = ["csv", "pdf", "profile", "xlsx"]


@st.cache_data(show_spinner="Calcul du profil…", max_entries=64)
def profile(level: str, code: str) -> Profile:
    """The profile of one territory (ValueError in French when the code is unknown)."""
    return build_profile(base(), code, level)


@st.cache_data(show_spinner=False, max_entries=16)
def pdf(level: str, code: str) -> bytes:
    return profile_pdf(profile(level, code), base())


@st.cache_data(show_spinner=False, max_entries=16)
def xlsx(level: str, code: str) -> bytes:
    return profile_xlsx(profile(level, code))


@st.cache_data(show_spinner=False, max_entries=16)
def csv(level: str, code: str) -> bytes:
    return profile_csv(profile(level, code))
