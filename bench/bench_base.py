"""Base build from the mirror (fresh store, separate process for honest memory) and reload time."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.figures import Figure

_ROOT = Path(__file__).resolve().parents[1]


def run():
    with tempfile.TemporaryDirectory(prefix="bench-store-") as store:
        env = {**os.environ, "INDICATEURS_DATA": store, "PYTHONPATH": f"{_ROOT / 'src'}:{_ROOT}"}
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "indicateurs", "build"], env=env, check=True, capture_output=True
        )
        wall = time.perf_counter() - start
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        yield Figure("base: full build from the mirror (wall)", wall, "s", 60)
        yield Figure("base: full build peak memory", peak_kib / 1024 / 1024, "GiB", 2)

        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "indicateurs", "build"], env=env, check=True, capture_output=True
        )
        yield Figure("base: second build, up to date (skipped)", time.perf_counter() - start, "s", 10)

        os.environ["INDICATEURS_DATA"] = store
        from indicateurs.base import load_base

        start = time.perf_counter()
        base = load_base()
        base.wide("epci")
        yield Figure("base: reload + EPCI table", time.perf_counter() - start, "s", 1)
