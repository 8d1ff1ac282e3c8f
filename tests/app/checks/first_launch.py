"""First launch on an empty store: the app builds the base itself."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest


@contextlib.contextmanager
def empty_store(monkeypatch, store: Path) -> Iterator[Path]:
    """INDICATEURS_DATA = `store` (not created yet), with the UI caches cleared before and after."""
    monkeypatch.setenv("INDICATEURS_DATA", str(store))
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        yield store
    finally:
        st.cache_resource.clear()  # later tests must not read this temporary store
        st.cache_data.clear()


def base_is_built_on_first_launch(app: AppTest, empty_store: Path, *, n_epci: int) -> None:
    at = app.run(timeout=300)
    assert not at.exception
    assert (empty_store / "base" / "report.json").is_file()
    # the progress panel belongs to the first run; the app then opens the map on the new base
    assert at.title[0].value == "Carte"
    assert len(at.dataframe[0].value) == n_epci
