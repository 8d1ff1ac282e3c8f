"""Links other people open (QR code of the Atelier, Comparer's share link): an address they can reach.

The browser's own address is often `localhost` (the address Streamlit prints), which no phone can
open. Order: `ATLAS_URL_PUBLIQUE` (config), else the machine's LAN address, else the browser's
address with a French warning.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import streamlit as st

from indicateurs import config

__all__ = ["Reachable", "is_loopback", "lan_address", "reachable", "reachable_url"]

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "0.0.0.0", "::"}


@dataclass(frozen=True)
class Reachable:
    """The link to show, and a French sentence when participants may not reach it (else None)."""

    url: str
    warning: str | None = None
    note: str | None = None


def is_loopback(host: str | None) -> bool:
    """True for an address only this machine can open (localhost, 127.x, ::1, 0.0.0.0)."""
    if not host:
        return True
    host = host.strip("[]").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified


@st.cache_resource(show_spinner=False, ttl=300)
def lan_address() -> str | None:
    """This machine's address on the local network, None when it only has a loopback address.

    A UDP `connect` sends no packet: it only asks the kernel which interface would be used."""
    candidates = []
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("10.255.255.255", 1))
        candidates.append(probe.getsockname()[0])
    with contextlib.suppress(OSError):
        candidates.extend(socket.gethostbyname_ex(socket.gethostname())[2])
    return next((ip for ip in candidates if not is_loopback(ip)), None)


def reachable(page_url: str | None, *, public: str | None = None, lan: str | None = None) -> Reachable:
    """The page's address as others can open it: `public` root if given, else `lan` for a loopback host.

    >>> reachable("http://localhost:8501/atelier?a=1", lan="192.168.1.20").url
    'http://192.168.1.20:8501/atelier?a=1'
    >>> reachable("http://127.0.0.1:8501/atelier", public="https://atlas.fr/outil").url
    'https://atlas.fr/outil/atelier'
    >>> reachable("http://127.0.0.1:8501/atelier").warning is not None
    True
    """
    parts = urlsplit(page_url or "")
    if public:
        root = urlsplit(public)
        path = root.path.rstrip("/") + (parts.path or "/")
        return Reachable(urlunsplit((root.scheme, root.netloc, path, parts.query, "")))
    if not parts.netloc or not is_loopback(parts.hostname):  # unknown page address, or already reachable
        return Reachable(page_url or "")
    port = f":{parts.port}" if parts.port else ""
    if lan:
        url = urlunsplit((parts.scheme or "http", f"{lan}{port}", parts.path, parts.query, ""))
        note = (
            f"Adresse sur le réseau local ({lan}) : les téléphones doivent être connectés au même "
            "réseau (Wi-Fi) que cet ordinateur."
        )
        return Reachable(url, note=note)
    warning = (
        "Ce lien utilise l'adresse locale de cet ordinateur (« localhost ») : aucun autre appareil ne peut "
        "l'ouvrir. Connectez l'ordinateur au réseau de la salle, ou indiquez l'adresse publique de l'atlas "
        "dans la variable ATLAS_URL_PUBLIQUE."
    )
    return Reachable(page_url or "", warning=warning)


def reachable_url(page_url: str | None) -> Reachable:
    """`reachable` with the configured public URL and this machine's LAN address."""
    return reachable(page_url, public=config.public_url(), lan=lan_address())
