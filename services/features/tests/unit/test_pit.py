"""Point-in-time correctness: a label sees the features known at its time, never later ones."""

from __future__ import annotations

import pandas as pd
from driftline_features.domain.pit import point_in_time_join

KEY, TS, LABEL = "application_id", "event_time", "defaulted"


def at(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def records(*rows: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame([{KEY: k, TS: at(t), "created_at": at(t), "income": v} for k, t, v in rows])


def labels(*rows: tuple[str, str, int | None], created: str = "2026-11-05") -> pd.DataFrame:
    return pd.DataFrame(
        [{KEY: k, TS: at(t), LABEL: y, "created_at": at(created)} for k, t, y in rows]
    )


def join(label_rows: pd.DataFrame, record_rows: pd.DataFrame):  # type: ignore[no-untyped-def]
    return point_in_time_join(label_rows, record_rows, key=KEY, timestamp=TS, label=LABEL,
                              features=["income"])  # fmt: skip


def test_a_label_gets_the_value_known_at_its_time_where_a_naive_join_leaks_the_future() -> None:
    feats = records(("a", "2026-11-01T10:00", 100.0), ("a", "2026-11-03T10:00", 999.0))
    labs = labels(("a", "2026-11-02T10:00", 1))
    naive = labs.merge(feats.sort_values(TS).drop_duplicates(KEY, keep="last"), on=KEY)
    assert naive["income"].tolist() == [999.0]  # the leak this test is built to catch
    assert join(labs, feats).frame["income"].tolist() == [100.0]


def test_a_feature_recorded_at_the_label_time_itself_is_known() -> None:
    feats = records(("a", "2026-11-02T10:00", 7.0))
    assert join(labels(("a", "2026-11-02T10:00", 0)), feats).frame["income"].tolist() == [7.0]


def test_label_rows_without_any_earlier_feature_are_dropped_and_counted() -> None:
    feats = records(("a", "2026-11-03T10:00", 1.0), ("b", "2026-11-01T00:00", 2.0))
    result = join(labels(("a", "2026-11-02T10:00", 1), ("b", "2026-11-02T10:00", 0)), feats)
    assert result.frame[KEY].tolist() == ["b"]
    assert result.dropped == 1


def test_each_entity_is_joined_with_its_own_history_only() -> None:
    feats = records(("a", "2026-11-01T00:00", 1.0), ("b", "2026-11-01T12:00", 2.0))
    result = join(labels(("a", "2026-11-02T00:00", 1), ("b", "2026-11-02T00:00", 0)), feats)
    assert dict(zip(result.frame[KEY], result.frame["income"], strict=True)) == {"a": 1.0, "b": 2.0}


def test_a_corrected_label_replaces_the_earlier_one() -> None:
    feats = records(("a", "2026-11-01T00:00", 1.0))
    first = labels(("a", "2026-11-02T00:00", 0), created="2026-11-03")
    fixed = labels(("a", "2026-11-02T00:00", 1), created="2026-11-04")
    result = join(pd.concat([fixed, first]), feats)
    assert result.frame[LABEL].tolist() == [1]


def test_rows_whose_label_is_null_are_left_out_and_counted() -> None:
    feats = records(("a", "2026-11-01T00:00", 1.0))
    result = join(labels(("a", "2026-11-02T00:00", None), ("a", "2026-11-03T00:00", 1)), feats)
    assert len(result.frame) == 1
    assert result.unlabelled == 1


def test_rows_come_out_ordered_by_time_then_entity() -> None:
    feats = records(("b", "2026-11-01T00:00", 2.0), ("a", "2026-11-01T00:00", 1.0))
    labs = labels(("b", "2026-11-02T00:00", 0), ("a", "2026-11-02T00:00", 1),
                  ("a", "2026-11-01T12:00", 0))  # fmt: skip
    assert join(labs, feats).frame[KEY].tolist() == ["a", "a", "b"]
