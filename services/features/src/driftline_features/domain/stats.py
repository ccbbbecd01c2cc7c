"""Feature statistics of a window: the reference a drift monitor (PSI, KS, chi-square) compares to.

Numeric features: count, nulls, mean, std (sample), min, max, deciles (p10..p90) and a
histogram over fixed edges (the spec's min/max when both are declared, else the window's
range) so that a later window can be binned the same way. Categorical and boolean features:
frequencies, with every declared category present (zero when unseen).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
from driftline.spec import DatasetSpec, FeatureSpec

__all__ = ["DECILES", "feature_stats"]

DECILES = [round(0.1 * i, 1) for i in range(1, 10)]


def _edges(values: np.ndarray[Any, Any], spec: FeatureSpec, bins: int) -> list[float]:
    if spec.min is not None and spec.max is not None:
        lo, hi = float(spec.min), float(spec.max)
    elif len(values):
        lo = float(spec.min) if spec.min is not None else float(values.min())
        hi = float(spec.max) if spec.max is not None else float(values.max())
    else:
        return []
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    edges: list[float] = np.linspace(lo, hi, bins + 1).tolist()
    return edges


def _numeric(column: pa.ChunkedArray, spec: FeatureSpec, bins: int) -> dict[str, Any]:
    values = np.asarray(pc.drop_null(pc.cast(column, pa.float64())), dtype=float)
    values = values[~np.isnan(values)]
    out: dict[str, Any] = {"kind": "numeric", "count": len(column),
                           "null_count": len(column) - len(values)}  # fmt: skip
    edges = _edges(values, spec, bins)
    if len(values) == 0:
        return {**out, "mean": None, "std": None, "min": None, "max": None,
                "deciles": None, "histogram": {"edges": edges, "counts": [0] * max(0, len(edges) - 1)}}  # fmt: skip
    counts, _ = np.histogram(np.clip(values, edges[0], edges[-1]), bins=np.asarray(edges))
    return {
        **out,
        "mean": float(values.mean()),
        "std": float(values.std(ddof=1)) if len(values) > 1 else 0.0,
        "min": float(values.min()),
        "max": float(values.max()),
        "deciles": dict(
            zip(
                [f"p{int(q * 100)}" for q in DECILES],
                np.quantile(values, DECILES).tolist(),
                strict=True,
            )
        ),
        "histogram": {"edges": edges, "counts": counts.tolist()},
    }


def _categorical(column: pa.ChunkedArray, spec: FeatureSpec) -> dict[str, Any]:
    valid = pc.drop_null(column)
    if spec.type == "bool":
        valid = pc.if_else(valid, "true", "false")
    frequencies = dict.fromkeys(spec.categories or (), 0)
    counted = pc.value_counts(valid)
    for value, count in zip(counted.field("values").to_pylist(),
                            counted.field("counts").to_pylist(), strict=True):  # fmt: skip
        frequencies[str(value)] = int(count)
    return {"kind": "categorical", "count": len(column), "null_count": column.null_count,
            "frequencies": frequencies}  # fmt: skip


def feature_stats(table: pa.Table, ds: DatasetSpec, *, bins: int = 10) -> dict[str, Any]:
    """Statistics of every feature of `ds` present in `table`, by feature name."""
    out: dict[str, Any] = {}
    for name, spec in ds.features.items():
        column = table.column(name)
        if spec.type in ("float", "int"):
            out[name] = _numeric(column, spec, bins)
        else:
            out[name] = _categorical(column, spec)
    return out
