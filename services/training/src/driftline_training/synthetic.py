"""Synthetic labelled rows shaped like a spec's dataset: for tests, the benchmark and demos.

Features follow their spec types and bounds; the label depends on the features
through a fixed linear score whose strength is `signal` (0: pure noise, a model
can learn nothing). `shift` moves numeric features, to imitate drift.
"""

from __future__ import annotations

import io
from datetime import datetime

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
from driftline.spec import FeatureSpec, ProjectSpec

__all__ = ["synthetic_rows", "to_parquet"]


def synthetic_rows(
    spec: ProjectSpec,
    model: str,
    rows: int,
    start: datetime,
    end: datetime,
    *,
    seed: int = 0,
    signal: float = 2.0,
    shift: float = 0.0,
    unlabelled_share: float = 0.0,
) -> pd.DataFrame:
    """`rows` rows with event times spread over [start, end), sorted by time."""
    rng = np.random.default_rng(seed)
    model_spec = spec.model(model)
    dataset = spec.dataset(model_spec.dataset)
    span = (end - start).total_seconds()
    stamps = pd.to_datetime(start) + pd.to_timedelta(np.sort(rng.random(rows)) * span, unit="s")
    frame = pd.DataFrame({dataset.entity_key: [f"e{seed}-{i}" for i in range(rows)]})
    frame[dataset.event_timestamp] = stamps
    score = np.zeros(rows)
    for index, (name, feature) in enumerate(dataset.features.items()):
        values, standard = _feature(feature, rows, rng, shift)
        frame[name] = values
        score += standard * (1.0 if index % 2 == 0 else -0.5)
    score = signal * score / np.sqrt(len(dataset.features)) + rng.normal(0, 1, rows)
    label = dataset.label.name if dataset.label else "label"
    if model_spec.task == "regression":
        frame[label] = score
    else:
        frame[label] = (score > np.median(score)).astype("int64")
    if unlabelled_share > 0:
        frame[label] = frame[label].astype("float64").mask(rng.random(rows) < unlabelled_share)
    return frame


def _feature(
    feature: FeatureSpec, rows: int, rng: np.random.Generator, shift: float
) -> tuple[object, np.ndarray]:
    """Values of one feature, and a standardised view of them that drives the label."""
    if feature.type == "category":
        categories = list(feature.categories or ())
        codes = rng.integers(0, len(categories), rows)
        return np.asarray(categories, dtype=object)[codes], (codes - codes.mean()) / (
            codes.std() or 1
        )
    if feature.type == "bool":
        flags = rng.random(rows) < 0.5
        return flags, flags * 2.0 - 1.0
    if feature.type == "string":
        codes = rng.integers(0, 5, rows)
        return np.asarray([f"s{c}" for c in codes], dtype=object), (codes - 2) / 1.4
    standard = rng.normal(shift, 1, rows)
    low = feature.min if feature.min is not None else 0.0
    high = feature.max if feature.max is not None else low + 100.0
    values = low + (high - low) * (1 / (1 + np.exp(-standard)))
    return (np.round(values).astype("int64") if feature.type == "int" else values), standard


def to_parquet(frame: pd.DataFrame) -> bytes:
    """The frame as Parquet bytes, timestamps in UTC, as the feature service serves it."""
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
    return buffer.getvalue()
