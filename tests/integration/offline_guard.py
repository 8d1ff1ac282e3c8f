"""Test helper: refuse (and record) every network connection that leaves the loopback.

Patched at the Python socket level: `socket.socket.connect`/`connect_ex` and `socket.getaddrinfo`,
so that requests, urllib3, urllib and SQLAlchemy's Python drivers are all covered. Connections made
by C libraries (libpq) are not seen: tests point those at a closed localhost port instead.
"""

from __future__ import annotations

import errno
import ipaddress
import socket

__all__ = ["block_network", "is_local"]


def is_local(host: object) -> bool:
    """True for the loopback (127.0.0.0/8, ::1, 'localhost') and for Unix sockets (no host)."""
    if host is None:
        return True
    text = host.decode() if isinstance(host, bytes) else str(host)
    if text in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(text.split("%")[0]).is_loopback
    except ValueError:  # a name other than localhost would need a DNS lookup
        return False


def block_network(monkeypatch) -> list[str]:
    """Install the guard for the test (undone by `monkeypatch`); returns the list of attempts."""
    attempts: list[str] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def allowed(sock: socket.socket, address) -> bool:
        if sock.family == getattr(socket, "AF_UNIX", None):
            return True
        return is_local(address[0])

    def connect(self, address):
        if not allowed(self, address):
            attempts.append(f"connect {address!r}")
            raise OSError(errno.ENETUNREACH, "réseau bloqué par le test hors connexion")
        return real_connect(self, address)

    def connect_ex(self, address):
        if not allowed(self, address):
            attempts.append(f"connect_ex {address!r}")
            return errno.ENETUNREACH
        return real_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if not is_local(host):
            attempts.append(f"getaddrinfo {host!r}")
            raise socket.gaierror(socket.EAI_NONAME, "résolution de noms bloquée par le test")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return attempts
