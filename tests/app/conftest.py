"""AppTest helpers: every page test runs on the synthetic base (tests/synthetic.py), without the mirror."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import app_test

from tests.synthetic import environment


@pytest.fixture(scope="module", autouse=True)
def _synthetic_environment(synthetic_store):
    """INDICATEURS_DATA = the synthetic store, no INDICATEURS_MIROIR, fresh UI caches, for each module."""
    st.cache_resource.clear()
    st.cache_data.clear()
    with environment(synthetic_store, None):
        yield
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture(scope="session")
def built_store(synthetic_store):
    """In this layer the built store is the synthetic one."""
    return synthetic_store


@pytest.fixture(scope="session")
def base(synthetic_base):
    return synthetic_base


@pytest.fixture
def app(synthetic_store):
    """A fresh AppTest of app.py on the synthetic store."""
    return app_test.AppTest.from_file("../../app.py", default_timeout=120)
