"""AppTest helpers for the multipage app."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import app_test


@pytest.fixture
def app(built_store):
    """A fresh AppTest of app.py on the built test store (default timeout fits a cold start)."""
    return app_test.AppTest.from_file("../../app.py", default_timeout=120)
