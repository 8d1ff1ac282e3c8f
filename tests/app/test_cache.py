"""One cache for every page: one base object, shared read-only frames that page runs never change."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PAGES = re.findall(r'st\.Page\(\s*"([^"]+)"', (ROOT / "app.py").read_text(encoding="utf-8"))
EPCI = ("epci", "200041523")


def test_the_ui_has_one_base_accessor():
    """`st.cache_resource` around load_base appears once (ui/cache.py); no page module loads the base."""
    sources = {
        p: p.read_text(encoding="utf-8") for p in [*ROOT.glob("ui/*.py"), *ROOT.glob("app_pages/*.py")]
    }
    loaders = [p.name for p, text in sources.items() if "load_base" in text]
    assert loaders == ["cache.py"]
    assert [p.name for p, text in sources.items() if re.search(r"^def (get_)?base\(", text, re.M)] == [
        "cache.py"
    ]


def test_a_run_of_every_page_leaves_the_cached_frames_unchanged(built_store):
    from indicateurs.base import load_base
    from ui import cache

    fresh = load_base()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.session_state["territoire"] = EPCI
    at.run()
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
    shared = cache.base()
    assert cache.base() is shared  # one object, not a copy per call
    for level in ("commune", "epci", "departement", "region", "france"):
        assert cache.wide(level) is cache.wide(level)
        pd.testing.assert_frame_equal(cache.wide(level), fresh.wide(level))
    for level in ("commune", "epci"):
        got, want = cache.geometry(level), fresh.geometry(level)
        assert got["code"].tolist() == want["code"].tolist()
        assert got.geometry.geom_equals_exact(want.geometry, tolerance=0).all()
    pd.testing.assert_frame_equal(shared.territories, fresh.territories)
    pd.testing.assert_frame_equal(shared.places, fresh.places)
