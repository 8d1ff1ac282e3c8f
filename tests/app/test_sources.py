"""AppTest of the Sources et méthode page on the synthetic base.

The body is shared with the real-data layer (tests/app/checks/sources.py)."""

from tests.app.checks import sources as check
from tests.app.checks.shown import captions


def test_sources_page_lists_every_source_indicator_and_the_method(app):
    at = check.lists_every_source_indicator_and_the_method(app)
    # the synthetic sources place every place in its postcode's commune: nothing to repair
    assert "Aucun lieu corrigé ni écarté" in captions(at)
