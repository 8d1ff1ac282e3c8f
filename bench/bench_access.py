"""Access to the offer: nearest-place distances for every commune of France, and the Ressources page
for one EPCI (warm). Reads the built base (`python -m indicateurs build` first)."""

from __future__ import annotations

import time
from pathlib import Path

from bench.figures import Figure, timer

_ROOT = Path(__file__).resolve().parents[1]
_EPCI = ("epci", "200041523")  # CC de la Haute Saintonge, 129 communes


def run():
    from indicateurs.analysis.access import commune_points, nearest_distances
    from indicateurs.base import BaseMissingError, load_base
    from indicateurs.sources.places import DRAWN_TYPES

    try:
        base = load_base()
    except BaseMissingError:
        yield Figure("access: base not built, nothing measured", 0, "s", note="python -m indicateurs build")
        return
    geo = base.geometry("commune")
    places = base.places
    with timer() as elapsed:
        distances = nearest_distances(commune_points(geo), places, DRAWN_TYPES)
    yield Figure(
        f"access: nearest place of 4 types, all {len(distances):,} communes",
        elapsed(),
        "s",
        10,
        note=f"{int(places['type'].isin(DRAWN_TYPES).sum()):,} places",
    )

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(_ROOT / "pages" / "ressources.py"), default_timeout=300)
    at.session_state["territoire"] = _EPCI
    start = time.perf_counter()
    at.run()
    cold = time.perf_counter() - start
    warm = []
    for _ in range(3):
        start = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - start)
    failed = " (page raised an exception)" if at.exception else ""
    yield Figure("ressources: page for one EPCI, first run (cold caches)", cold, "s", note=failed)
    yield Figure("ressources: page for one EPCI, warm (median of 3)", sorted(warm)[1], "s", 2, note=failed)
