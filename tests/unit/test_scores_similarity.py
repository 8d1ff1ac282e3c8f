"""Neighbours from geometry and peers by profile, on hand-made layers and frames."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from indicateurs.analysis.scores import contiguity, neighbours, peers


def grid(gap: float = 0.0) -> gpd.GeoDataFrame:
    """3 × 3 squares of 0.1° named r{row}c{col}, shrunk by `gap` on each side (a simplified layer);
    plus one island far away."""
    rows = [
        {
            "code": f"r{r}c{c}",
            "geometry": box(c * 0.1 + gap, r * 0.1 + gap, (c + 1) * 0.1 - gap, (r + 1) * 0.1 - gap),
        }
        for r in range(3)
        for c in range(3)
    ]
    rows.append({"code": "ile", "geometry": box(5, 5, 5.1, 5.1)})
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


def test_contiguity_queen_on_a_grid():
    adj = contiguity(grid())
    assert adj["r1c1"] == sorted(f"r{r}c{c}" for r in range(3) for c in range(3) if (r, c) != (1, 1))
    assert adj["r0c0"] == ["r0c1", "r1c0", "r1c1"]
    assert adj["ile"] == []
    # symmetric
    assert all(a in adj[b] for a, ns in adj.items() for b in ns)


def test_contiguity_tolerates_simplification_gaps_but_not_distance():
    adj = contiguity(grid(gap=0.0003))  # 60 m gaps between neighbours, like a simplified layer
    assert adj["r0c0"] == ["r0c1", "r1c0", "r1c1"]
    far = contiguity(grid(gap=0.01))  # 2 km apart: not neighbours
    assert far["r0c0"] == []


def test_neighbours_one_code_matches_contiguity():
    layer = grid(gap=0.0003)
    assert neighbours(layer, "r2c2") == contiguity(layer)["r2c2"] == ["r1c1", "r1c2", "r2c1"]
    with pytest.raises(ValueError, match="r1c1"):
        neighbours(layer, "r1c11")


def profiles() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "nom": ["A", "B", "C", "D", "E"],
            "densite": [10.0, 11.0, 1000.0, 12.0, 9.0],
            "part_65_plus": [0.30, 0.31, 0.15, 0.20, np.nan],
            "part_peu_diplomes": [0.40, 0.41, 0.20, 0.30, np.nan],
            "revenu_median": [20000.0, 20100, 26000, 22000, np.nan],
            "taux_pauvrete": [0.15, np.nan, 0.10, 0.12, np.nan],
        },
        index=pd.Index(["1", "2", "3", "4", "5"], name="code"),
    )


def test_peers_closest_first_with_distance():
    wide = profiles()
    before = wide.copy()
    out = peers(wide, "1", k=2)
    assert out.index.tolist() == ["2", "4"]  # B is A's twin (poverty secret), D comes next
    assert out["distance"].is_monotonic_increasing
    assert out.loc["2", "n_caracteristiques"] == 4
    assert out.loc["2", "nom"] == "B"
    assert "revenu_median" in out.columns
    pd.testing.assert_frame_equal(wide, before)


def test_peers_skips_candidates_sharing_too_few_features():
    out = peers(profiles(), "1", k=10)
    assert "5" not in out.index  # only density known: 1 feature out of 5
    assert "1" not in out.index


def test_peers_restricted_candidates_and_bad_input():
    assert peers(profiles(), "1", k=5, candidates=["3", "4"]).index.tolist() == ["4", "3"]
    with pytest.raises(ValueError, match="Territoire inconnu"):
        peers(profiles(), "9")
    with pytest.raises(ValueError, match="part_65_plus"):
        peers(profiles(), "1", features=("part_65plus",))


class _TinyBase:
    """Just what `base_neighbours` reads: one geometry layer per level."""

    def __init__(self, layer: gpd.GeoDataFrame):
        self.layer = layer
        self.reads = 0

    def geometry(self, level: str) -> gpd.GeoDataFrame:
        self.reads += 1
        return self.layer.copy()


def test_every_page_gets_the_same_neighbours(monkeypatch):
    """Carte (ui.data.neighbour_codes) and Profil (build_profile) read one rule: a 0.0003° simplification
    gap still links, a 0.0015° gap across a corner (what the Carte's old 0.002° buffer linked) does not."""
    from indicateurs.analysis import profile
    from indicateurs.analysis.scores import base_neighbours
    from indicateurs.analysis.scores.similarity import TOLERANCE

    layer = grid(gap=0.0003)
    corner = box(0.3 + 0.0015, 0.3 + 0.0015, 0.4, 0.4)  # diagonal to r2c2, 0.0015° away on both axes
    layer = pd.concat([layer, gpd.GeoDataFrame([{"code": "coin", "geometry": corner}], crs="EPSG:4326")])
    base = _TinyBase(layer.reset_index(drop=True))
    assert TOLERANCE == 0.001
    table = base_neighbours(base, "epci")
    assert table["r2c2"] == ["r1c1", "r1c2", "r2c1"] and table["coin"] == []
    assert base_neighbours(base, "epci") is table and base.reads == 1  # computed once per base
    monkeypatch.setattr(profile, "_territories", lambda b, level: pd.DataFrame({"population": {}}))
    assert profile._neighbours(base, "epci", "r2c2", 5) == table["r2c2"]
    import ui.data

    monkeypatch.setattr(ui.data, "base", lambda: base)
    assert ui.data.neighbour_codes("epci", "r2c2") == table["r2c2"]


def test_per_base_answers_die_with_their_base():
    import gc

    from indicateurs.analysis import _cache

    base = _TinyBase(grid())
    first = _cache.per_base(base, "k", lambda: ["computed"])
    assert _cache.per_base(base, "k", lambda: ["again"]) is first
    key = id(base)
    del base
    gc.collect()
    assert key not in _cache._STORE
