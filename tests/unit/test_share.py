"""Links others open (QR code, Comparer's share link) use an address they can reach (issue #17, item 6)."""

import pytest

from indicateurs import config
from ui import share


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.0.1.1", "[::1]", "0.0.0.0"])
def test_loopback_hosts_are_recognised(host):
    assert share.is_loopback(host.strip("[]"))


def test_lan_and_public_hosts_are_not_loopback():
    assert not share.is_loopback("192.168.1.20")
    assert not share.is_loopback("atlas.example.fr")


def test_localhost_link_uses_the_lan_address_and_keeps_port_path_and_query():
    link = share.reachable(
        "http://localhost:8700/atelier?territoire=epci:200067106&atelier=3", lan="192.168.1.20"
    )
    assert link.url == "http://192.168.1.20:8700/atelier?territoire=epci:200067106&atelier=3"
    assert link.warning is None
    assert "même réseau" in link.note


def test_localhost_link_without_lan_address_warns_in_french():
    link = share.reachable("http://127.0.0.1:8700/atelier?atelier=3", lan=None)
    assert link.url == "http://127.0.0.1:8700/atelier?atelier=3"
    assert "aucun autre appareil ne peut l'ouvrir" in link.warning
    assert "ATLAS_URL_PUBLIQUE" in link.warning


def test_configured_public_url_wins_even_over_a_lan_address(monkeypatch):
    monkeypatch.setenv("ATLAS_URL_PUBLIQUE", "https://atlas.example.fr/outil/")
    assert config.public_url() == "https://atlas.example.fr/outil"
    link = share.reachable_url("http://127.0.0.1:8700/comparer?selection=epci:1,epci:2")
    assert link.url == "https://atlas.example.fr/outil/comparer?selection=epci:1,epci:2"
    assert link.warning is None


def test_reachable_address_is_kept():
    link = share.reachable("http://10.0.0.5:8501/comparer?selection=a", lan="192.168.1.20")
    assert link.url == "http://10.0.0.5:8501/comparer?selection=a" and link.warning is None


def test_unknown_page_address_is_left_alone():
    assert share.reachable("?selection=epci:1", lan="192.168.1.20").url == "?selection=epci:1"


def test_public_url_unset_or_blank_is_none(monkeypatch):
    monkeypatch.setenv("ATLAS_URL_PUBLIQUE", "  ")
    assert config.public_url() is None
    monkeypatch.delenv("ATLAS_URL_PUBLIQUE")
    assert config.public_url() is None
