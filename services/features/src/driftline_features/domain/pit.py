"""Point-in-time correct training rows: each label sees only the features known at its time.

For every label row (entity, time t) the features are the entity's latest record with event
time <= t (ties: the latest created). A naive join on the entity alone would hand a model the
values of the future; `merge_asof` by entity does not. This is Feast's point-in-time rule
(with no TTL) computed vectorised; the integration tests check it against Feast's own
`get_historical_features`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd  # type: ignore[import-untyped]

__all__ = ["TrainingRows", "point_in_time_join"]

_FEATURE_TIME = "__feature_time"


@dataclass(frozen=True)
class TrainingRows:
    frame: pd.DataFrame
    """entity key, event time, the features (in the order asked), the label."""
    dropped: int
    """Label rows for which no feature was known at the label's time."""
    unlabelled: int = 0
    """Label rows whose label value was null."""


def point_in_time_join(
    labels: pd.DataFrame,
    records: pd.DataFrame,
    *,
    key: str,
    timestamp: str,
    label: str,
    features: list[str],
    created: str = "created_at",
) -> TrainingRows:
    """Join `labels` (key, timestamp, label, created) with `records` as of each label's time."""
    labels = labels[[key, timestamp, label, created]]
    has_label = labels[label].notna()
    unlabelled = int((~has_label).sum())
    labels = labels[has_label]
    # A label corrected later (same entity and time, newer created_at) replaces the earlier one.
    labels = labels.sort_values([timestamp, created], kind="stable")
    labels = labels.drop_duplicates([key, timestamp], keep="last")
    records = records[[key, timestamp, created, *features]].sort_values(
        [timestamp, created], kind="stable"
    )
    records = records.drop_duplicates([key, timestamp], keep="last")
    records = records.rename(columns={timestamp: _FEATURE_TIME}).drop(columns=[created])
    joined = pd.merge_asof(
        labels.drop(columns=[created]),
        records,
        left_on=timestamp,
        right_on=_FEATURE_TIME,
        by=key,
        direction="backward",
        allow_exact_matches=True,
    )
    known = joined[_FEATURE_TIME].notna()
    frame = joined.loc[known, [key, timestamp, *features, label]]
    frame = frame.sort_values([timestamp, key], kind="stable").reset_index(drop=True)
    return TrainingRows(frame=frame, dropped=int((~known).sum()), unlabelled=unlabelled)
