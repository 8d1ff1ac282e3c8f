"""AppTest of the Sources et méthode page on the base built from the mirror.

The body is shared with the synthetic layer (tests/app/checks/sources.py)."""

import pytest

from tests.app.checks import sources as check

pytestmark = pytest.mark.integration


def test_sources_page_lists_every_source_indicator_and_the_method(app):
    at = check.lists_every_source_indicator_and_the_method(app)
    placement = at.dataframe[2].value
    assert {"Lieu", "Code postal", "Commune dans la source", "Commune retenue", "Décision"} <= set(
        placement.columns
    )
    assert (placement["Commune dans la source"].str.startswith("57490")).sum() == 31  # Moyenvic
