"""Comparer page: comparison of 12 territories and screening of the EPCI of Nouvelle-Aquitaine (warm).

Run with `python -m bench compare` once the base is built. Each timing is the median of 5 runs
after one warm-up call (the base and its wide frames loaded, as in the running app).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from pathlib import Path

from bench.figures import Figure

_REPEAT = 5


def _median_time(fn, repeat: int = _REPEAT) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run() -> Iterator[Figure]:
    from indicateurs.analysis import compare
    from indicateurs.base import load_base
    from indicateurs.render.compare_charts import indicator_chart, profile_chart, style_grid

    base = load_base()
    wide = base.wide("epci")
    territories = base.territories
    na = compare.filter_territories(territories, level="epci", region=compare.DEFAULT_REGION)
    keys = [compare.territory_key("epci", c) for c in na["code"].head(compare.MAX_TERRITORIES)]

    def comparison():
        table = compare.comparison_table({"epci": wide}, keys)
        grid, pct = compare.side_by_side(table, territories)
        style_grid(grid, pct).to_html()
        compare.comparison_export(table)
        indicator_chart(table, "ifn")
        profile_chart(table, list(compare.PROFILE_DEFAULT))

    yield Figure(
        "compare: 12 EPCI × all indicators (table, grid, charts)",
        _median_time(comparison),
        "s",
        1.0,
        f"{len(keys)} EPCI, {wide.shape[1] - 1} indicators",
    )

    weights = {"ifn": 1.0, "lieux_pour_10000": 2.0, "taux_pauvrete": 1.0}

    def screening():
        return compare.screening_table(wide, territories, region=compare.DEFAULT_REGION, weights=weights)

    n = len(screening())
    yield Figure(
        "compare: screening Nouvelle-Aquitaine (rank + 20 robustness)",
        _median_time(screening),
        "s",
        1.0,
        f"{n} EPCI",
    )
    yield Figure(
        "compare: screening without robustness sentences",
        _median_time(lambda: compare.screening_table(wide, territories, weights=weights, robustness_top=0)),
        "s",
        1.0,
    )
    yield from _page(keys)


def _page(keys: list[str]) -> Iterator[Figure]:
    """The whole page, server side, as Streamlit runs it (AppTest), with 12 EPCI in the URL."""
    from streamlit.testing.v1 import AppTest

    page = Path(__file__).resolve().parents[1] / "pages" / "comparer.py"
    at = AppTest.from_file(str(page), default_timeout=120)
    at.query_params["selection"] = ",".join(keys)
    at.run()  # cold: loads the base into the cache
    start = time.perf_counter()
    at.run()
    warm = time.perf_counter() - start
    ok = not at.exception and len(at.dataframe) >= 2
    yield Figure(
        "compare: page rerun, 12 EPCI selected (AppTest, warm)", warm, "s", 1.0, "" if ok else "page error"
    )
