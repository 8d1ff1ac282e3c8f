"""First launch on an empty store: the app builds the base itself (here from the synthetic mirror)."""

import pytest
import streamlit as st


@pytest.fixture
def empty_store(synthetic_store, tmp_path, monkeypatch):
    monkeypatch.setenv("INDICATEURS_MIROIR", str(synthetic_store.parent / "mirror"))
    monkeypatch.setenv("INDICATEURS_DATA", str(tmp_path / "store"))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield tmp_path / "store"
    st.cache_resource.clear()  # later tests must not read this temporary store
    st.cache_data.clear()


def test_missing_base_is_built_on_first_launch(empty_store, app):
    at = app.run(timeout=300)
    assert not at.exception
    assert (empty_store / "base" / "report.json").is_file()
    # the progress panel belongs to the first run; the app then opens the map on the new base
    assert at.title[0].value == "Carte"
    assert len(at.dataframe[0].value) == 2  # the two synthetic EPCI
