"""The reference profile live traffic is compared with: per feature, what "normal" looked like.

A numeric profile holds the knots where the reference CDF is known, and the PSI
bins: cut at the reference deciles, with the reference mass of each. Built from
a sample (the fallback: a version's first window) it keeps the sample, so KS is
an exact two-sample test. Built from summary statistics (the feature service's
histogram, deciles, min and max) the CDF is known exactly only at those knots,
so KS measures the largest gap at the knots (see `statistics.ks_test`).

A categorical profile is a count per category.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = ["CategoricalProfile", "NumericProfile", "Profile", "Reference"]

Floats = npt.NDArray[np.float64]
DECILES = np.linspace(0.1, 0.9, 9)
Origin = Literal["feature_service", "first_window", "static"]


@dataclass(frozen=True, slots=True, eq=False)
class NumericProfile:
    knots_x: Floats
    """Points where the reference CDF is known, increasing (a value may repeat at a jump)."""
    knots_p: Floats
    """The reference CDF at those points: the share of reference values at or below them."""
    edges: Floats
    """Interior PSI bin edges (the reference deciles); bin i is (edges[i-1], edges[i]]."""
    probs: Floats
    """Reference mass of each PSI bin (len(edges) + 1 values)."""
    sample: Floats | None = None
    """The reference sample itself, when known."""
    size: float | None = None
    """How many values the reference summarises (None: unknown, taken as very many)."""

    @classmethod
    def from_sample(cls, values: Sequence[float] | Floats) -> NumericProfile:
        sample = np.sort(np.asarray(values, dtype=np.float64))
        if sample.size == 0:
            raise ValueError("a numeric profile needs at least one value")
        edges = np.unique(np.quantile(sample, DECILES))
        counts = np.bincount(np.searchsorted(edges, sample, side="left"), minlength=edges.size + 1)
        x, first = np.unique(sample, return_index=True)
        upto = np.append(first[1:], sample.size) / sample.size
        return cls(x, upto, edges, counts / sample.size, sample, float(sample.size))

    @classmethod
    def from_summary(
        cls,
        *,
        edges: Sequence[float] = (),
        counts: Sequence[float] = (),
        deciles: Sequence[float] = (),
        low: float | None = None,
        high: float | None = None,
    ) -> NumericProfile:
        """From a histogram and/or the nine deciles, and the min and max when known.

        Every histogram edge, decile and extreme is a point where the reference
        CDF is known exactly; the PSI bins are cut at the deciles.
        """
        xs: list[float] = [] if low is None else [low]
        ps: list[float] = [] if low is None else [0.0]
        if high is not None:
            xs, ps = [*xs, high], [*ps, 1.0]
        histogram = len(counts) > 0 and len(edges) == len(counts) + 1 and sum(counts) > 0
        if histogram:
            xs += list(edges)
            ps += list(np.concatenate([[0.0], np.cumsum(counts) / float(sum(counts))]))
        if has_deciles := len(deciles) == 9:
            xs += list(deciles)
            ps += list(DECILES)
        if not (histogram or has_deciles):
            raise ValueError("a numeric summary needs a histogram (edges, counts) or 9 deciles")
        x_all, p_all = np.asarray(xs, dtype=np.float64), np.clip(np.asarray(ps), 0.0, 1.0)
        order = np.lexsort((p_all, x_all))
        x, p = x_all[order], np.maximum.accumulate(p_all[order])
        top = np.append(x[1:] != x[:-1], True)  # F is right-continuous: the top knot per value
        fx, fp = x[top], p[top].copy()
        fp[0], fp[-1] = (0.0 if fx.size > 1 else 1.0), 1.0  # unknown tails end at the outer knots
        rising = np.concatenate([[True], np.diff(fp) > 0])
        cut = np.unique(np.interp(DECILES, fp[rising], fx[rising]))
        mass = np.diff(np.concatenate([[0.0], np.interp(cut, fx, fp), [1.0]]))
        size = float(sum(counts)) if histogram else None
        return cls(x, p, cut, np.clip(mass, 0.0, 1.0), None, size)


@dataclass(frozen=True, slots=True)
class CategoricalProfile:
    counts: Mapping[str, float]

    @classmethod
    def from_sample(cls, values: Iterable[str]) -> CategoricalProfile:
        counts: dict[str, float] = {}
        for value in values:
            counts[value] = counts.get(value, 0.0) + 1.0
        return cls(counts)


Profile = NumericProfile | CategoricalProfile


@dataclass(frozen=True, slots=True)
class Reference:
    """What one model version's inputs looked like; `origin` says where that came from."""

    profiles: Mapping[str, Profile]
    origin: Origin
