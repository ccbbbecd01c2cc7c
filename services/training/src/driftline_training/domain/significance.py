"""Significance tests that keep noise from promoting: paired bootstrap and McNemar.

Both compare a challenger with a reference (the champion, or the baseline) on
the same evaluation rows, and report a delta that is sign-adjusted so that a
positive delta always means "the challenger is better".

* Paired bootstrap: resample the rows with replacement (the same resample for
  both models), recompute the primary metric of each, and take the central
  `confidence` interval of the deltas. The one-sided p-value is the share of
  resamples in which the challenger was not better.
* McNemar (exact): count the rows only the challenger gets right and those only
  the reference gets right; under "equally good" each discordant row is a fair
  coin, so p = P(Binomial(n, 1/2) >= challenger-only rows), one-sided. For
  regression, "gets right" becomes "has the smaller absolute error" (the sign
  test, McNemar's regression counterpart); tied rows are not discordant.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from scipy.stats import binom  # type: ignore[import-untyped]

from driftline_training.domain.errors import EvaluationError
from driftline_training.domain.metrics import Outputs, Truth, Vector, metric_values, point_estimate

__all__ = [
    "SignificanceResult",
    "bootstrap_weights",
    "discordant_rows",
    "mcnemar",
    "paired_bootstrap",
]

MAX_CELLS = 2_000_000
"""Weight-matrix cells per chunk (resamples x rows): bounds memory at any data size."""


@dataclass(frozen=True, slots=True)
class SignificanceResult:
    test: str
    delta: float
    """Challenger minus reference on the evaluation rows, sign-adjusted (> 0: better)."""
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    """One-sided: the chance of a delta this good if the challenger were no better."""
    detail: str = ""


def bootstrap_weights(rows: int, samples: int, rng: np.random.Generator) -> Iterator[Vector]:
    """Bootstrap resamples as count matrices (chunk, rows): row b counts how often each
    evaluation row was drawn in resample b."""
    chunk = max(1, MAX_CELLS // max(rows, 1))
    for first in range(0, samples, chunk):
        size = min(chunk, samples - first)
        drawn = rng.integers(0, rows, size=(size, rows)) + (np.arange(size) * rows)[:, None]
        counts = np.bincount(drawn.ravel(), minlength=size * rows).reshape(size, rows)
        yield counts.astype(np.float64)


def paired_bootstrap(
    metric: str,
    truth: Truth,
    challenger: Outputs,
    reference: Outputs,
    *,
    rows: int,
    higher_is_better: bool,
    samples: int,
    confidence: float,
    rng: np.random.Generator,
) -> SignificanceResult:
    sign = 1.0 if higher_is_better else -1.0
    delta = sign * (
        point_estimate(metric, truth, challenger, rows)
        - point_estimate(metric, truth, reference, rows)
    )
    chunks = [
        sign
        * (metric_values(metric, truth, challenger, w) - metric_values(metric, truth, reference, w))
        for w in bootstrap_weights(rows, samples, rng)
    ]
    deltas = np.concatenate(chunks)
    deltas = deltas[np.isfinite(deltas)]
    if len(deltas) < samples // 2:
        raise EvaluationError(f"{metric} is undefined on most bootstrap resamples")
    alpha = 1.0 - confidence
    low, high = np.quantile(deltas, [alpha / 2, 1 - alpha / 2])
    p_value = (np.count_nonzero(deltas <= 0) + 1) / (len(deltas) + 1)
    return SignificanceResult(
        "paired_bootstrap",
        delta,
        float(low),
        float(high),
        float(p_value),
        f"{len(deltas)} paired resamples",
    )


def discordant_rows(truth: Truth, challenger: Outputs, reference: Outputs) -> tuple[int, int]:
    """(rows only the challenger gets right, rows only the reference gets right)."""
    if challenger.correct is not None and reference.correct is not None:
        ours, theirs = challenger.correct, reference.correct
        return int(np.count_nonzero(ours & ~theirs)), int(np.count_nonzero(theirs & ~ours))
    if truth.values is None or challenger.values is None or reference.values is None:
        raise EvaluationError("McNemar needs class predictions or regression predictions")
    ours_err = np.abs(challenger.values - truth.values)
    theirs_err = np.abs(reference.values - truth.values)
    return int(np.count_nonzero(ours_err < theirs_err)), int(
        np.count_nonzero(theirs_err < ours_err)
    )


def mcnemar(
    metric: str,
    truth: Truth,
    challenger: Outputs,
    reference: Outputs,
    *,
    rows: int,
    higher_is_better: bool,
) -> SignificanceResult:
    sign = 1.0 if higher_is_better else -1.0
    delta = sign * (
        point_estimate(metric, truth, challenger, rows)
        - point_estimate(metric, truth, reference, rows)
    )
    ours, theirs = discordant_rows(truth, challenger, reference)
    discordant = ours + theirs
    p_value = float(binom.sf(ours - 1, discordant, 0.5)) if discordant else 1.0
    return SignificanceResult(
        "mcnemar",
        delta,
        p_value=p_value,
        detail=f"{ours} rows only the challenger got right, {theirs} only the reference",
    )
