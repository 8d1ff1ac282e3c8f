"""Scores: IFN readings, the open composite index, ranks, neighbours and peers, people concerned,
robustness and plain-French sentences. Pure functions on `base.wide(level)` frames (no Streamlit);
inputs are never mutated. The method is explained to users in `methode.md`."""

from indicateurs.analysis.scores._checks import (
    check_code,
    check_level,
    level_label,
    region_codes,
)
from indicateurs.analysis.scores.composite import (
    CompositeResult,
    composite_index,
    default_composite_indicators,
    fragility_percentiles,
    fragility_rank,
    ifn_classe_nationale,
    ranks,
)
from indicateurs.analysis.scores.explain import (
    DENOMINATORS,
    Robustness,
    people_concerned,
    robustness,
    robustness_sentence,
    round_sensibly,
    sentence,
    summary,
)
from indicateurs.analysis.scores.similarity import (
    PEER_FEATURES,
    base_neighbours,
    contiguity,
    neighbours,
    peers,
)
from indicateurs.reference import METHOD_FILE


def method_page() -> str:
    """The plain-French method page (`methode.md`), for the "Sources et méthode" page."""
    return METHOD_FILE.read_text(encoding="utf-8")


__all__ = [
    "DENOMINATORS",
    "PEER_FEATURES",
    "CompositeResult",
    "Robustness",
    "base_neighbours",
    "check_code",
    "check_level",
    "composite_index",
    "contiguity",
    "default_composite_indicators",
    "fragility_percentiles",
    "fragility_rank",
    "ifn_classe_nationale",
    "level_label",
    "method_page",
    "neighbours",
    "peers",
    "people_concerned",
    "ranks",
    "region_codes",
    "robustness",
    "robustness_sentence",
    "round_sensibly",
    "sentence",
    "summary",
]
