"""One benchmark figure: a measured value against its target."""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    target: float | None = None  # the value must stay under the target
    note: str = ""

    def line(self) -> str:
        target = f"< {self.target:g} {self.unit}" if self.target is not None else "-"
        status = "" if self.target is None else ("OK" if self.value < self.target else "MISSED")
        return (
            f"{self.name:<58} {self.value:>12.3f} {self.unit:<8} {target:<14} {status} {self.note}".rstrip()
        )


@contextmanager
def timer():
    """`with timer() as t: ...; t()` gives the elapsed seconds."""
    start = time.perf_counter()
    elapsed: list[float] = []
    yield lambda: elapsed[0] if elapsed else time.perf_counter() - start
    elapsed.append(time.perf_counter() - start)
