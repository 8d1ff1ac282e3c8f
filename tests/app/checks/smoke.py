"""Every page listed in app.py runs without an exception (the shared sidebar included)."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[3] / "app.py"
PAGES = re.findall(r'st\.Page\(\s*"([^"]+)"', APP.read_text(encoding="utf-8"))


def app_lists_the_six_pages_with_short_urls() -> None:
    text = APP.read_text(encoding="utf-8")
    assert len(PAGES) == 6
    for path in ("carte", "profil", "comparer", "ressources", "atelier", "sources"):
        assert f'url_path="{path}"' in text


def page_runs(app: AppTest, page: str) -> None:
    at = app.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{page} has no title"
    assert at.selectbox(key="territoire_choisi").value  # the shared selector is on every page
