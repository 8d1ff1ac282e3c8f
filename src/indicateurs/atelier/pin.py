"""The facilitator PIN: long enough to hold, and guesses counted on the server, not in the browser.

Why here: a counter kept in the browser session resets on reload (one headless tab made about 16
guesses a minute, issue #18). Failures are counted per workshop in the server process, with a delay
that doubles after each failure beyond the first few; a PIN shorter than MIN_LENGTH is refused
outright (the facilitator space stays closed and says why, and `health` reports it).
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable, Hashable

from indicateurs import config

from .errors import AccessDenied

__all__ = ["MIN_LENGTH", "PinThrottle", "check_pin", "pin_problem", "require_pin"]

MIN_LENGTH = 8
FREE_TRIES = 3  # typos cost nothing
FIRST_DELAY = 5.0  # seconds after the first counted failure, then doubled
MAX_DELAY = 900.0


def pin_problem() -> str | None:
    """Why the facilitator space is closed (French), or None when ATELIER_PIN is usable."""
    expected = config.atelier_pin() or ""
    if not expected:
        return (
            "Aucun code animateur n'est configuré : lancez l'application avec la variable "
            "d'environnement ATELIER_PIN (ex. ATELIER_PIN=un-code-long streamlit run app.py)."
        )
    if len(expected) < MIN_LENGTH:
        return (
            f"Le code animateur (ATELIER_PIN) est trop court : {len(expected)} caractère(s), "
            f"{MIN_LENGTH} au moins. Il se devine en quelques minutes : l'espace animateur reste fermé "
            "tant que l'application n'est pas relancée avec un code plus long."
        )
    return None


def check_pin(pin: str | None) -> bool:
    """True when `pin` equals a usable ATELIER_PIN (constant-time comparison)."""
    expected = config.atelier_pin() or ""
    if not pin or pin_problem() is not None:
        return False
    return hmac.compare_digest(str(pin).encode("utf-8"), expected.encode("utf-8"))


def require_pin(pin: str | None) -> None:
    """AccessDenied (French) unless `pin` is the facilitator PIN."""
    problem = pin_problem()
    if problem is not None:
        raise AccessDenied("Action réservée à l'animateur. " + problem)
    if not check_pin(pin):
        raise AccessDenied("Code animateur incorrect : cette action est réservée à l'animateur.")


class PinThrottle:
    """Failed PIN entries per key (a workshop), shared by every session of the process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[Hashable, tuple[int, float]] = {}  # key -> (count, next allowed time)

    def wait(self, key: Hashable) -> float:
        """Seconds before the next try is accepted for `key` (0 when it may try now)."""
        with self._lock:
            _, allowed = self._failures.get(key, (0, 0.0))
        return max(0.0, allowed - self._clock())

    def attempt(self, key: Hashable, pin: str | None) -> None:
        """Check `pin` for `key`; AccessDenied (French, with the wait) when wrong or while locked."""
        problem = pin_problem()
        if problem is not None:
            raise AccessDenied(problem)
        with self._lock:
            now = self._clock()
            count, allowed = self._failures.get(key, (0, 0.0))
            if now < allowed:
                raise AccessDenied(_too_many(allowed - now))
            if check_pin(pin):
                self._failures.pop(key, None)
                return
            count += 1
            delay = 0.0 if count < FREE_TRIES else min(MAX_DELAY, FIRST_DELAY * 2 ** (count - FREE_TRIES))
            self._failures[key] = (count, now + delay)
        if delay:
            raise AccessDenied(f"Code animateur incorrect. {_too_many(delay)}")
        raise AccessDenied("Code animateur incorrect.")


def _too_many(seconds: float) -> str:
    seconds = int(seconds) + 1
    when = f"{seconds} secondes" if seconds < 120 else f"{seconds // 60 + 1} minutes"
    return f"Trop d'essais de code pour cet atelier : prochain essai possible dans {when}."
