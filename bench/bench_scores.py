"""Scores: composite index + ranks for every EPCI and commune, robustness, agreement with the IFN."""

from __future__ import annotations

from collections.abc import Iterator

from bench.figures import Figure, timer


def _base():
    from indicateurs.base import BaseMissingError, load_base
    from indicateurs.build import build_base

    try:
        return load_base()
    except BaseMissingError:
        build_base()
        return load_base()


def run() -> Iterator[Figure]:
    from indicateurs.analysis.scores import composite_index, contiguity, ranks, region_codes, robustness

    base = _base()
    for level, target in (("epci", 0.5), ("commune", 3.0)):
        wide = base.wide(level)
        region = region_codes(base.territories, level)
        with timer() as t:
            res = composite_index(wide)
            for ind in res.indicators:
                ranks(wide, ind, region=region)
            ranks(wide, res.score, region=region)
        yield Figure(f"scores: composite + ranks, all {level} ({len(wide)})", t(), "s", target)
        rho = res.score.corr(wide["ifn"], method="spearman")
        yield Figure(
            f"scores: Spearman composite vs IFN, {level}", rho, "rho", note="(> 0.3 asserted at EPCI)"
        )
        code = wide["population"].idxmax()
        with timer() as t:
            robustness(wide, code, n_draws=500)
        yield Figure(
            f"scores: robustness of one {level} (500 draws)", t(), "s", 1.0 if level == "epci" else 5.0
        )
    with timer() as t:
        contiguity(base.geometry("epci"))
    yield Figure("scores: contiguity of all EPCI (STRtree)", t(), "s", 2.0)
