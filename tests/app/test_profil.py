"""AppTest of the Profil page on the synthetic base, with a territory preset in the session.

The bodies are shared with the real-data layer (tests/app/checks/profil.py)."""

from __future__ import annotations

from tests.app.checks import profil as check
from tests.synthetic import EPCI_A, EPCI_B


def test_epci_profile_shows_figures_ladder_and_downloads(base):
    check.epci_profile_shows_figures_ladder_and_downloads(base, EPCI_A, population="80 000 hab.")


def test_changing_the_ladder_indicator(base):
    check.changing_the_ladder_indicator(EPCI_A)


def test_unknown_code_gives_a_french_warning(base):
    check.unknown_code_gives_a_french_warning(EPCI_A)


def test_without_territory_shows_france_and_a_hint(base):
    check.without_territory_shows_france_and_a_hint()


def test_changing_the_map_indicator(base):
    check.changing_the_map_indicator(EPCI_A)


def test_profile_inside_the_app_follows_the_shared_territory(app):
    check.profile_inside_the_app_follows_the_shared_territory(app, EPCI_B, nom="CC du Sartenais Valinco")
