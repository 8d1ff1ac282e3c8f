"""AppTest of the Profil page on the built base, with a territory preset in the session.

The bodies are shared with the synthetic layer (tests/app/checks/profil.py)."""

from __future__ import annotations

import pytest

from tests.app.checks import profil as check
from tests.app.checks.shown import fit_bounds

pytestmark = pytest.mark.integration

EPCI = "200041523"  # CC de la Haute Saintonge


def test_epci_profile_shows_figures_ladder_and_downloads(base):
    check.epci_profile_shows_figures_ladder_and_downloads(base, EPCI, population="69 164 hab.")


def test_changing_the_ladder_indicator(base):
    check.changing_the_ladder_indicator(EPCI)


def test_unknown_code_gives_a_french_warning(base):
    check.unknown_code_gives_a_french_warning(EPCI)


def test_without_territory_shows_france_and_a_hint(base):
    check.without_territory_shows_france_and_a_hint()


def test_changing_the_map_indicator(base):
    check.changing_the_map_indicator(EPCI)


def test_profile_inside_the_app_follows_the_shared_territory(app):
    check.profile_inside_the_app_follows_the_shared_territory(app, "200067106", nom="CA du Pays Basque")


def test_profile_map_of_grand_auch_fills_its_frame(base):
    """#17 item 7: the map was fitted to the EPCI padded by its own size (~170 px wide in 1280 px)."""
    from ui import data

    at = check.page(("epci", "200066926"))
    assert not at.exception
    (south, west), (north, east) = fit_bounds(at)
    xmin, ymin, xmax, ymax = data.scope_geometry("epci", "200066926").total_bounds
    assert west <= xmin and east >= xmax and south <= ymin and north >= ymax
    assert (east - west) < (xmax - xmin) * 1.1  # was three times the EPCI's width
