"""Poverty rate of communes under statistical secrecy, estimated from their median income.

Why: INSEE publishes the poverty rate (Filosofi `TP6019`) for about 4,300 communes only; a mean of
those alone over-represents the larger, poorer towns and puts most EPCI too high. The median income
(`MED19`) is published for ~31,300 communes, and poverty falls monotonically with it. The model is a
decreasing isotonic fit of the rate on the median, learnt on the *smallest* published communes
(≤ 2,000 ménages fiscaux, the closest to the secret ones) and checked by 5-fold cross-validation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import isotonic_regression

__all__ = ["PovertyModel", "cross_validate", "estimate_secret", "fit"]

SMALL_MENAGES = 2000  # training set: published communes with at most this many ménages fiscaux


@dataclass(frozen=True)
class PovertyModel:
    """A step function median income -> poverty rate (fractions), linearly interpolated, flat outside."""

    knots: np.ndarray  # median incomes, increasing
    rates: np.ndarray  # fitted rate at each knot, non-increasing

    def predict(self, median: pd.Series | np.ndarray) -> np.ndarray:
        x = np.asarray(median, dtype=float)
        out = np.interp(x, self.knots, self.rates)
        return np.where(np.isnan(x), np.nan, out)


# Below this many small published communes, no model is fitted (a fit on a handful would be a guess).
MIN_TRAINING = 50


def fit(median: pd.Series | np.ndarray, rate: pd.Series | np.ndarray) -> PovertyModel:
    """Decreasing isotonic fit of `rate` on `median` (rows with a missing value are ignored)."""
    x, y = np.asarray(median, dtype=float), np.asarray(rate, dtype=float)
    ok = ~(np.isnan(x) | np.isnan(y))
    if ok.sum() < 2:
        raise ValueError("Pas assez de communes publiées pour estimer le taux de pauvreté.")
    x, y = x[ok], y[ok]
    order = np.argsort(x, kind="stable")
    fitted = isotonic_regression(y[order], increasing=False).x
    curve = pd.Series(fitted).groupby(x[order]).mean()  # one rate per distinct median
    return PovertyModel(curve.index.to_numpy(dtype=float), curve.to_numpy(dtype=float))


def _training(frame: pd.DataFrame) -> pd.DataFrame:
    published = frame["taux_pauvrete"].notna() & frame["revenu_median"].notna()
    return frame[published & (frame["menages_fiscaux"] <= SMALL_MENAGES)]


def cross_validate(frame: pd.DataFrame, folds: int = 5, seed: int = 0) -> dict:
    """Out-of-fold error of the model on the small published communes (rates as fractions).

    Returns n, bias (mean of estimate − published) and mae, in percentage points.
    """
    train = _training(frame)
    if len(train) < MIN_TRAINING:
        return {}  # too few small published communes to learn from: no estimate, nothing to validate
    fold = np.random.default_rng(seed).integers(0, folds, len(train))
    predicted = np.full(len(train), np.nan)
    for k in range(folds):
        model = fit(
            train["revenu_median"].to_numpy()[fold != k], train["taux_pauvrete"].to_numpy()[fold != k]
        )
        predicted[fold == k] = model.predict(train["revenu_median"].to_numpy()[fold == k])
    err = (predicted - train["taux_pauvrete"].to_numpy()) * 100
    return {
        "n": len(train),
        "bias_pt": round(float(np.mean(err)), 3),
        "mae_pt": round(float(np.mean(np.abs(err))), 2),
    }


def estimate_secret(frame: pd.DataFrame) -> pd.Series:
    """Estimated poverty rate of the communes whose rate is secret but whose median income is published.

    `frame` has `taux_pauvrete`, `revenu_median` and `menages_fiscaux`; published communes get NaN
    (their own figure is used), as do communes without a median income.
    """
    train = _training(frame)
    if len(train) < MIN_TRAINING:  # a tiny extract: secret communes stay unestimated (never a guess)
        return pd.Series(np.nan, index=frame.index)
    model = fit(train["revenu_median"], train["taux_pauvrete"])
    secret = frame["taux_pauvrete"].isna() & frame["revenu_median"].notna()
    return pd.Series(np.where(secret, model.predict(frame["revenu_median"]), np.nan), index=frame.index)
