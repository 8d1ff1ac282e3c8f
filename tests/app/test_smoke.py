"""Every page listed in app.py runs without an exception (the shared sidebar included)."""

import re
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app.py"
PAGES = re.findall(r'st\.Page\(\s*"([^"]+)"', APP.read_text(encoding="utf-8"))


def test_app_lists_the_six_pages_with_short_urls():
    text = APP.read_text(encoding="utf-8")
    assert len(PAGES) == 6
    for path in ("carte", "profil", "comparer", "ressources", "atelier", "sources"):
        assert f'url_path="{path}"' in text


@pytest.mark.parametrize("page", PAGES)
def test_page_runs(app, page):
    at = app.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{page} has no title"
    assert at.selectbox(key="territoire_choisi").value  # the shared selector is on every page
