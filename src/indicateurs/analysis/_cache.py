"""Answers computed once per loaded base (ranks, neighbours, plain-float frames).

The answers of one base are dropped when that base is garbage-collected (`weakref.finalize`), so an
`id()` is never reused while its entry lives: a base rebuilt and reloaded never meets the previous
one's answers. (Keyed by `id`, not by the object, since a base need not be hashable.)
What it returns is shared between callers and sessions: treat it as read-only, copy to change it.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import TypeVar

__all__ = ["per_base"]

T = TypeVar("T")
_STORE: dict[int, dict] = {}
_LOCK = threading.Lock()


def per_base(base: object, key: Hashable, make: Callable[[], T]) -> T:
    """`make()` once per (base, key); later calls return the same object (never a copy)."""
    with _LOCK:
        answers = _STORE.get(id(base))
        if answers is None:
            answers = _STORE[id(base)] = {}
            weakref.finalize(base, _STORE.pop, id(base), None)
        if key in answers:
            return answers[key]
    value = make()  # outside the lock: two threads may compute the same answer once each, never a wrong one
    with _LOCK:
        return answers.setdefault(key, value)
