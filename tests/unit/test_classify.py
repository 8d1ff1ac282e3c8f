"""Map classes: bounds, French labels with units, the missing-value class, IFN fixed classes."""

import numpy as np
import pandas as pd
import pytest

from indicateurs.analysis.classify import MISSING_COLOR, MISSING_LABEL, classify

RATES = pd.Series([0.10, 0.12, 0.15, 0.18, 0.20, 0.22, 0.25, 0.30, np.nan, 0.40], index=list("abcdefghij"))


def test_quantiles_bins_cover_the_values_and_labels_carry_the_unit():
    classes = classify(RATES, "quantiles", k=3, indicator="part_65_plus")
    assert len(classes.bins) == 3
    assert classes.bins[-1] == pytest.approx(0.40)
    assert classes.labels[0].startswith("de 10,0\u00a0% à ")
    assert classes.labels[-1].endswith("à 40,0\u00a0%")
    counts = classes.assign(RATES).value_counts()
    assert counts[-1] == 1  # the NaN, apart
    assert sorted(counts.drop(-1).tolist()) == [3, 3, 3]


def test_missing_values_get_their_own_grey_class():
    classes = classify(RATES, "quantiles", k=4, indicator="part_65_plus")
    assert classes.missing_label == MISSING_LABEL == "Donnée non disponible"
    assert classes.assign(RATES)["i"] == -1
    assert classes.color_of(RATES)["i"] == MISSING_COLOR
    assert MISSING_COLOR not in classes.colors


def test_jenks_separates_two_clear_groups():
    values = pd.Series([1.0, 1.1, 1.2, 1.3, 9.0, 9.1, 9.2])
    classes = classify(values, "jenks", k=2, indicator="ifn")
    assert classes.assign(values).tolist() == [0, 0, 0, 0, 1, 1, 1]
    assert classes.bins[0] == pytest.approx(1.3)


def test_jenks_on_many_values_is_deterministic():
    values = pd.Series(np.random.default_rng(1).gamma(2.0, 1.0, size=3000))
    assert classify(values, "jenks", k=5).bins == classify(values, "jenks", k=5).bins


def test_ifn_fixed_classes_one_per_rounded_score():
    values = pd.Series([1.0, 1.4, 1.6, 5.5, 9.6, 10.0, np.nan])
    classes = classify(values, "ifn", indicator="ifn")
    assert len(classes.labels) == 10
    assert classes.labels[0].startswith("1\u00a0/\u00a010")
    assert classes.labels[-1].startswith("10\u00a0/\u00a010")
    assert classes.assign(values).tolist() == [0, 0, 1, 4, 9, 9, -1]


def test_palette_darker_means_more_fragile():
    fragile_high = classify(RATES, "quantiles", k=5, indicator="part_65_plus")  # direction 1
    fragile_low = classify(RATES, "quantiles", k=5, indicator="part_thd")  # direction -1
    assert fragile_low.colors == tuple(reversed(fragile_high.colors))

    def luminance(hex_colour: str) -> float:
        r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    assert luminance(fragile_high.colors[0]) > luminance(fragile_high.colors[-1])


def test_too_few_distinct_values_and_all_missing():
    assert len(classify(pd.Series([2.0, 2.0, 2.0]), "quantiles", k=5).bins) == 1
    empty = classify(pd.Series([np.nan, np.nan]), "quantiles", k=5)
    assert empty.bins == () and empty.assign(pd.Series([np.nan])).tolist() == [-1]


def test_unknown_method_is_a_french_error():
    with pytest.raises(ValueError, match="Méthode de classement inconnue"):
        classify(RATES, "kmeans")  # type: ignore[arg-type]


def test_one_classifier_the_pdf_map_uses_it(monkeypatch):
    from types import SimpleNamespace

    import geopandas as gpd
    from shapely.geometry import box

    import indicateurs.analysis.scores as scores
    from indicateurs.render import pdf

    assert not hasattr(scores, "classify") and not hasattr(pdf, "_class_masks")
    codes = ["01", "02", "03", "04", "05", "06"]
    geo = gpd.GeoDataFrame({"code": codes}, geometry=[box(i, 45, i + 1, 46) for i in range(6)], crs=4326)
    wide = pd.DataFrame({"taux_pauvrete": [0.10, 0.12, 0.15, 0.20, 0.30, np.nan]}, index=codes)

    class FakeBase:
        def geometry(self, level):
            if level != "departement":
                raise KeyError(level)
            return geo

        def wide(self, level):
            return wide

    seen = []

    def spy(values, method="quantiles", k=5, *, indicator=None):
        seen.append(classify(values, method, k, indicator=indicator))
        return seen[-1]

    monkeypatch.setattr(pdf, "classify", spy)
    png = pdf.map_png(FakeBase(), SimpleNamespace(level="france", code="FR"), "taux_pauvrete")
    assert png.startswith(b"\x89PNG")
    (classes,) = seen
    assert classes.labels[0] == "de 10,0\u00a0% à 11,6\u00a0%"  # stored fractions, labels in % like the app
