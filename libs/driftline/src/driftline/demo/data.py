"""A deterministic loan-default problem with a known drift point.

Before the drift, default risk is driven mostly by debt-to-income and credit
score. At the drift point the economy turns: incomes fall and debt rises
(covariate shift), the region mix moves south, and the relationship itself
changes (concept change) — employment history starts to matter a lot and
mortgage holders become riskier. A model trained before the drift loses
accuracy on the new traffic; one retrained on recent data recovers it.

Labels (did the loan default?) arrive `label_delay` applications later.
Everything is drawn from one seeded generator: same seed, same data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

__all__ = ["DemoData", "LoanGenerator"]

REGIONS = np.array(["north", "south", "east", "west"])


@dataclass(frozen=True, slots=True)
class DemoData:
    history: pd.DataFrame
    """Labelled applications before live traffic starts (for the first champion)."""
    live: pd.DataFrame
    """Live applications in order, labels included (sent with a delay by the replay)."""
    drift_index: int
    """Position in `live` where the drift starts."""


@dataclass(frozen=True, slots=True)
class LoanGenerator:
    seed: int = 7
    history_rows: int = 6000
    live_rows: int = 6000
    drift_fraction: float = 0.4
    history_days: float = 12.0
    live_spacing_s: float = 20.0

    def generate(self, now: datetime | None = None) -> DemoData:
        rng = np.random.default_rng(self.seed)
        now = now or datetime.now(UTC).replace(microsecond=0)
        live_start = now - timedelta(seconds=self.live_rows * self.live_spacing_s)
        history_start = live_start - timedelta(days=self.history_days)
        history_times = pd.to_datetime(
            np.sort(rng.uniform(history_start.timestamp(), live_start.timestamp(), self.history_rows)),
            unit="s", utc=True,
        )  # fmt: skip
        live_times = pd.to_datetime(
            live_start.timestamp() + np.arange(self.live_rows) * self.live_spacing_s,
            unit="s",
            utc=True,
        )
        drift_index = int(self.live_rows * self.drift_fraction)
        drifted = np.arange(self.live_rows) >= drift_index
        history = self._rows(rng, history_times, np.zeros(self.history_rows, dtype=bool), "h")
        live = self._rows(rng, live_times, drifted, "l")
        return DemoData(history=history, live=live, drift_index=drift_index)

    def _rows(
        self, rng: np.random.Generator, times: pd.DatetimeIndex, drifted: np.ndarray, prefix: str
    ) -> pd.DataFrame:
        n = len(times)
        d = drifted.astype(float)
        income = rng.lognormal(mean=np.log(62_000) - 0.35 * d, sigma=0.45, size=n)
        loan_amount = np.clip(rng.lognormal(np.log(18_000) + 0.15 * d, 0.6, n), 500, None)
        credit_score = np.clip(rng.normal(690 - 25 * d, 60, n), 300, 850).round().astype(np.int64)
        age = np.clip(rng.normal(41, 12, n), 18, 95).round().astype(np.int64)
        debt_to_income = np.clip(rng.gamma(2.2, 0.16, n) * (1 + 0.5 * d), 0, 4.9)
        employment_years = np.clip(rng.exponential(7.0, n), 0, 55)
        south_heavy = np.array([0.2, 0.45, 0.15, 0.2])
        region = np.where(
            drifted,
            rng.choice(REGIONS, size=n, p=south_heavy),
            rng.choice(REGIONS, size=n, p=[0.3, 0.2, 0.25, 0.25]),
        )
        has_mortgage = rng.random(n) < 0.38
        z = (
            -2.3
            + 2.2 * (debt_to_income - 0.35)
            - 1.6 * (credit_score - 690) / 100
            + 0.5 * np.log(loan_amount / income * 3)
            # the concept change: tenure and mortgages matter after the turn
            + d
            * (-0.45 * (employment_years - 7) + 1.3 * has_mortgage - 1.2 * (debt_to_income - 0.35))
        )
        defaulted = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(np.int64)
        return pd.DataFrame(
            {
                "application_id": [f"{prefix}{self.seed}-{i:06d}" for i in range(n)],
                "event_time": times,
                "income": income.round(2),
                "loan_amount": loan_amount.round(2),
                "credit_score": credit_score,
                "age": age,
                "debt_to_income": debt_to_income.round(4),
                "employment_years": employment_years.round(2),
                "region": region,
                "has_mortgage": has_mortgage,
                "defaulted": defaulted,
            }
        )
