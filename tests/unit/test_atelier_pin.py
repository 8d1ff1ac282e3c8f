"""The facilitator PIN holds (issue #18, failure 3): server-side count, growing delay, long PINs only."""

from __future__ import annotations

import pytest

from indicateurs.atelier import AccessDenied, open_store
from indicateurs.atelier.pin import FIRST_DELAY, FREE_TRIES, MIN_LENGTH, PinThrottle, check_pin, pin_problem

PIN = "quatre-chats"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _pin(monkeypatch):
    monkeypatch.setenv("ATELIER_PIN", PIN)


def test_delay_grows_after_the_free_tries_and_resets_on_success():
    clock = Clock()
    throttle = PinThrottle(clock)
    for _ in range(FREE_TRIES - 1):
        with pytest.raises(AccessDenied, match=r"^Code animateur incorrect\.$"):
            throttle.attempt(1, "faux")
    delays = []
    for _ in range(3):
        with pytest.raises(AccessDenied, match="Trop d'essais"):
            throttle.attempt(1, "faux")
        delays.append(throttle.wait(1))
        with pytest.raises(AccessDenied, match="Trop d'essais"):  # even the right PIN waits
            throttle.attempt(1, PIN)
        clock.now += delays[-1]
    assert delays == [FIRST_DELAY, 2 * FIRST_DELAY, 4 * FIRST_DELAY]
    assert throttle.wait(2) == 0  # another workshop is not locked
    throttle.attempt(1, PIN)
    assert throttle.wait(1) == 0


def test_store_counts_failures_for_every_session(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'a.sqlite'}")
    atelier = store.create_atelier("epci", "200041523", "Atelier")
    for _ in range(FREE_TRIES):
        with pytest.raises(AccessDenied):
            store.unlock(atelier.id, "faux")
    with pytest.raises(AccessDenied, match="Trop d'essais"):  # a reload does not help: same store
        store.unlock(atelier.id, PIN)
    store.dispose()


def test_short_pin_is_refused_with_a_french_reason(monkeypatch):
    monkeypatch.setenv("ATELIER_PIN", "1234")
    assert not check_pin("1234")
    assert f"{MIN_LENGTH} au moins" in pin_problem()
    with pytest.raises(AccessDenied, match="trop court"):
        PinThrottle().attempt(1, "1234")
    monkeypatch.delenv("ATELIER_PIN")
    assert "ATELIER_PIN" in pin_problem()


def test_health_warns_about_a_short_pin(monkeypatch, capsys, tmp_path):
    from indicateurs.cli import health

    monkeypatch.setenv("ATELIER_PIN", "1234")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'a.sqlite'}")
    checks = {c.name: c for c in health.check_health(None)}
    assert not checks["animateur"].ok and not checks["animateur"].required
    assert "trop court" in checks["animateur"].detail
