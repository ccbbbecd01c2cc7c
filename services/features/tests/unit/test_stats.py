"""Feature statistics: the reference a drift monitor bins and compares against."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from driftline.spec import ProjectSpec
from driftline_features.domain.stats import feature_stats


def window(n: int = 1000) -> pa.Table:
    rng = np.random.default_rng(7)
    income = rng.uniform(0, 200000, n).tolist()
    income[0] = None
    return pa.table({
        "income": income,
        "credit_score": rng.integers(300, 851, n),
        "region": rng.choice(["north", "south"], n),
        "has_mortgage": rng.random(n) > 0.75,
        "note": [None] * n,
    })  # fmt: skip


def test_numeric_features_get_moments_deciles_and_a_histogram_over_the_spec_range(
    spec: ProjectSpec,
) -> None:
    table = window()
    stats = feature_stats(table, spec.dataset("loans"), bins=4)["income"]
    values = np.array([v for v in table.column("income").to_pylist() if v is not None])
    assert (stats["count"], stats["null_count"]) == (1000, 1)
    assert stats["mean"] == np.mean(values)
    assert stats["std"] == np.std(values, ddof=1)
    assert (stats["min"], stats["max"]) == (values.min(), values.max())
    assert stats["deciles"]["p50"] == np.quantile(values, 0.5)
    assert list(stats["deciles"]) == [f"p{q}" for q in range(10, 100, 10)]
    assert stats["histogram"]["edges"] == [0.0, 50000.0, 100000.0, 150000.0, 200000.0]
    assert sum(stats["histogram"]["counts"]) == 999


def test_categorical_features_list_every_declared_category_even_unseen(spec: ProjectSpec) -> None:
    stats = feature_stats(window(), spec.dataset("loans"))["region"]
    assert stats["kind"] == "categorical"
    assert set(stats["frequencies"]) == {"north", "south", "east", "west"}
    assert stats["frequencies"]["east"] == 0
    assert sum(stats["frequencies"].values()) == 1000


def test_booleans_are_counted_as_true_and_false(spec: ProjectSpec) -> None:
    table = window()
    stats = feature_stats(table, spec.dataset("loans"))["has_mortgage"]
    trues = sum(table.column("has_mortgage").to_pylist())
    assert stats["frequencies"] == {"true": trues, "false": 1000 - trues}


def test_a_feature_with_no_value_in_the_window_reports_nulls_not_an_error(
    spec: ProjectSpec,
) -> None:
    empty = window().slice(0, 0)
    stats = feature_stats(empty, spec.dataset("loans"))
    assert stats["income"]["mean"] is None
    assert stats["income"]["histogram"]["counts"] == [0] * 10
    assert stats["note"] == {"kind": "categorical", "count": 0, "null_count": 0, "frequencies": {}}
