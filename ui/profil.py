"""App-side caches for the Profil page: the profile and its files, keyed on (level, code).

Cached objects are shared between sessions: never mutate what these functions return.
"""

from __future__ import annotations

import streamlit as st

from indicateurs.analysis.profile import Profile, build_profile
from indicateurs.render.charts import ladder_chart
from indicateurs.render.pdf import profile_pdf
from indicateurs.render.profile_files import profile_csv, profile_xlsx
from ui import cache
from ui.cache import base

__all__ = ["csv", "ladder", "pdf", "profile", "xlsx"]


@st.cache_resource(show_spinner="Calcul du profil…", max_entries=64)
def profile(level: str, code: str) -> Profile:
    """The profile of one territory (ValueError in French when the code is unknown).

    Shared read-only (`st.cache_resource`: `st.cache_data` copied its frames on every rerun)."""
    return build_profile(base(), code, level)


def ladder(level: str, code: str, indicator_id: str):
    """The comparison ladder of one indicator, its Vega-Lite spec built once. Read-only."""
    return cache.built(
        "profil:echelle",
        (level, code, indicator_id),
        lambda: cache.frozen_chart(
            ladder_chart(
                profile(level, code).ladder, indicator_id, ind=profile(level, code).registry.get(indicator_id)
            )
        ),
    )


@st.cache_data(show_spinner=False, max_entries=16)
def pdf(level: str, code: str) -> bytes:
    return profile_pdf(profile(level, code), base())


@st.cache_data(show_spinner=False, max_entries=16)
def xlsx(level: str, code: str) -> bytes:
    return profile_xlsx(profile(level, code))


@st.cache_data(show_spinner=False, max_entries=16)
def csv(level: str, code: str) -> bytes:
    return profile_csv(profile(level, code))
