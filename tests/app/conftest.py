"""AppTest helpers for the multipage app.

Workaround: AppTest re-detects the legacy `pages/` folder before every run, so after the first run
it executes the page file alone (skipping app.py, its sidebar and its territory selector). Once
app.py calls st.navigation the real server never does this; we pin the same behaviour here.
"""

from __future__ import annotations

import pytest
from streamlit.runtime import pages_manager
from streamlit.testing.v1 import app_test


class _NavigationPagesManager(pages_manager.PagesManager):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pages_manager.PagesManager.uses_pages_directory = False


@pytest.fixture
def app(built_store, monkeypatch):
    """A fresh AppTest of app.py on the built test store (default timeout fits a cold start)."""
    monkeypatch.setattr(app_test, "PagesManager", _NavigationPagesManager)
    at = app_test.AppTest.from_file("../../app.py", default_timeout=120)
    return at
