"""AppTest helpers for the page checks on the base built from the real mirror."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import app_test


@pytest.fixture(scope="module", autouse=True)
def _fresh_streamlit_caches():
    """The UI caches the base per process: a module must not read another test store's base."""
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def app(built_store):
    """A fresh AppTest of app.py on the test store built from the mirror (default timeout fits a cold start)."""
    return app_test.AppTest.from_file("../../app.py", default_timeout=120)
