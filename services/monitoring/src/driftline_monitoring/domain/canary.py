"""The canary trial: canary vs champion on labelled outcomes of the same traffic period.

Both roles' errors are counted from the moment the canary started. Once each
role has `min_samples` labelled outcomes the trial decides: roll back when the
canary's mean error is higher than the champion's and a one-sided z-test on the
difference says so at level `alpha` (1 - the promotion policy's confidence);
otherwise promote. At equal quality the canary gets the benefit of the doubt:
it must not be significantly worse.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from scipy import stats  # type: ignore[import-untyped]  # no stubs in the workspace

from driftline_monitoring.domain.types import CanaryDecision

__all__ = ["CanaryTrial", "RoleScore"]


@dataclass(slots=True)
class RoleScore:
    n: int = 0
    total: float = 0.0
    squares: float = 0.0

    def add(self, error: float) -> None:
        self.n, self.total, self.squares = self.n + 1, self.total + error, self.squares + error**2

    @property
    def mean(self) -> float:
        return self.total / self.n if self.n else 0.0

    @property
    def variance(self) -> float:
        return max(self.squares / self.n - self.mean**2, 0.0) if self.n else 0.0

    def metrics(self, classification: bool) -> dict[str, float]:
        out = {"error": self.mean, "labelled": float(self.n)}
        if classification:
            out["accuracy"] = 1.0 - self.mean
        return out


@dataclass(slots=True)
class CanaryTrial:
    model: str
    canary_version: int
    champion_version: int | None
    """None until the first champion outcome names it (no champion was known at the start)."""
    started_at: datetime
    cause: Mapping[str, str] = field(default_factory=dict)
    canary: RoleScore = field(default_factory=RoleScore)
    champion: RoleScore = field(default_factory=RoleScore)

    def add(self, role: str, version: int, error: float, at: datetime) -> None:
        if at < self.started_at:
            return
        if role == "canary" and version == self.canary_version:
            self.canary.add(error)
        elif role == "champion" and self.champion_version in (None, version):
            self.champion_version = version
            self.champion.add(error)

    def decide(self, min_samples: int, alpha: float, classification: bool) -> CanaryDecision | None:
        if self.champion_version is None or min(self.canary.n, self.champion.n) < min_samples:
            return None
        diff = self.canary.mean - self.champion.mean
        se = math.sqrt(
            self.canary.variance / self.canary.n + self.champion.variance / self.champion.n
        )
        p_worse = float(stats.norm.sf(diff / se)) if se > 0 else (0.0 if diff > 0 else 1.0)
        verdict: Literal["promote", "rollback"] = (
            "rollback" if diff > 0 and p_worse < alpha else "promote"
        )
        canary = {**self.canary.metrics(classification), "p_value_worse": p_worse}
        return CanaryDecision(
            self.model, self.canary_version, self.champion_version, verdict, canary,
            self.champion.metrics(classification), self.canary.n + self.champion.n, self.cause,
        )  # fmt: skip
