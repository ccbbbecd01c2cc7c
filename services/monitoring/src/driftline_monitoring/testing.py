"""Synthetic loan traffic with a known shift, for tests, the benchmark and demos.

`LoanStream` draws applications like the demo spec's `loans` dataset, scores
them with a fixed logistic model and draws the true outcome; from index
`shift_at` on the inputs move (income down, debt-to-income and loan amounts up,
more applicants from the south) and/or the outcome stops following the model
(`concept_at`). `feature_stats` summarises a sample the way the feature
service's ``/datasets/{dataset}/stats`` answers.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from driftline.events import PredictionLogged

__all__ = ["FEATURES", "LoanStream", "Row", "feature_stats", "logged"]

FEATURES = {
    "income": "float", "loan_amount": "float", "credit_score": "int", "age": "int",
    "debt_to_income": "float", "employment_years": "float", "region": "category",
    "has_mortgage": "bool",
}  # fmt: skip
REGIONS = ("north", "south", "east", "west")
START = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Row:
    index: int
    features: dict[str, Any]
    score: float
    label: int
    event_time: datetime


class LoanStream:
    def __init__(self, seed: int = 0, *, shift_at: int | None = None,
                 concept_at: int | None = None, step: timedelta = timedelta(seconds=1)) -> None:  # fmt: skip
        self.rng = np.random.default_rng(seed)
        self.shift_at, self.concept_at, self.step = shift_at, concept_at, step

    def features(self, shifted: bool) -> dict[str, Any]:
        r = self.rng
        u = r.random(3)
        cumulative = (0.2, 0.7, 0.85) if shifted else (0.3, 0.5, 0.75)
        region = REGIONS[sum(u[0] >= c for c in cumulative)]
        return {
            "income": round(float(r.lognormal(10.8 - (0.35 if shifted else 0.0), 0.45)), 2),
            "loan_amount": round(float(r.lognormal(9.6 + (0.3 if shifted else 0.0), 0.6)), 2),
            "credit_score": min(850, max(300, round(float(r.normal(680, 60))))),
            "age": 18 + int(u[1] * 62),
            "debt_to_income": round(float(r.gamma(2.0, 0.18 + (0.08 if shifted else 0.0))), 4),
            "employment_years": round(float(r.exponential(6.0)), 2),
            "region": region,
            "has_mortgage": bool(u[2] < 0.4),
        }

    @staticmethod
    def score(f: dict[str, Any]) -> float:
        z = (-0.5 - 0.9 * (math.log(f["income"]) - 10.8) + 2.2 * (f["debt_to_income"] - 0.36)
             - 0.012 * (f["credit_score"] - 680) - 0.03 * (f["employment_years"] - 6))  # fmt: skip
        return 1.0 / (1.0 + math.exp(-z))

    def rows(self, n: int, start: int = 0) -> Iterator[Row]:
        for i in range(start, start + n):
            features = self.features(self.shift_at is not None and i >= self.shift_at)
            score = self.score(features)
            truth = score if self.concept_at is None or i < self.concept_at else 1.0 - score
            label = int(self.rng.random() < truth)
            yield Row(i, features, score, label, START + i * self.step)


def feature_stats(rows: list[Row], bins: int = 20) -> dict[str, Any]:
    """The body of the feature service's ``GET /datasets/{d}/stats`` for a sample."""
    out: dict[str, dict[str, Any]] = {}
    for name, kind in FEATURES.items():
        values = [r.features[name] for r in rows]
        if kind in ("category", "bool"):
            freq: dict[str, int] = {}
            for v in values:
                key = ("true" if v else "false") if kind == "bool" else str(v)
                freq[key] = freq.get(key, 0) + 1
            out[name] = {"kind": "categorical", "count": len(values), "null_count": 0,
                         "frequencies": freq}  # fmt: skip
            continue
        array = np.asarray(values, dtype=np.float64)
        counts, edges = np.histogram(array, bins=bins)
        out[name] = {
            "kind": "numeric", "count": int(array.size), "null_count": 0,
            "mean": float(array.mean()), "std": float(array.std()),
            "min": float(array.min()), "max": float(array.max()),
            "deciles": {f"p{10 * (i + 1)}": float(q)
                        for i, q in enumerate(np.quantile(array, np.linspace(0.1, 0.9, 9)))},
            "histogram": {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]},
        }  # fmt: skip
    return {"dataset": "loans", "row_count": len(rows), "features": out}


def logged(row: Row, model: str, *, version: int = 1, role: str = "champion",
           request_id: str | None = None, prediction: int | None = None) -> PredictionLogged:  # fmt: skip
    """The PredictionLogged serving would publish for `row` (prediction: score > 0.5)."""
    return PredictionLogged(
        request_id=request_id or f"{model}-{role}-{row.index}", model_name=model,
        model_version=version, entity_key=f"app-{row.index}", features=row.features,
        prediction=int(row.score > 0.5) if prediction is None else prediction, score=row.score,
        latency_ms=1.0, event_time=row.event_time, role=role,
    )  # fmt: skip
