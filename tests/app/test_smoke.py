"""Every page listed in app.py runs without an exception (the shared sidebar included), on the synthetic
base. The bodies are shared with the real-data layer (tests/app/checks/smoke.py)."""

import pytest

from tests.app.checks import smoke as check


def test_app_lists_the_six_pages_with_short_urls():
    check.app_lists_the_six_pages_with_short_urls()


@pytest.mark.parametrize("page", check.PAGES)
def test_page_runs(app, page):
    check.page_runs(app, page)
