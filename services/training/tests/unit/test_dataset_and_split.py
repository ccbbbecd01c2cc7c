"""From a served training set to time-ordered training and evaluation rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from driftline.spec import ProjectSpec
from driftline_training.domain.dataset import labelled_rows, most_recent, rows_sha256
from driftline_training.domain.errors import InsufficientDataError, TrainingSetError
from driftline_training.domain.split import time_ordered_split

MODEL = "loan_default"


def test_the_held_out_rows_are_the_most_recent(
    frames: Callable[..., Any], spec: ProjectSpec
) -> None:
    rows = labelled_rows(spec, MODEL, frames(rows=400).sample(frac=1, random_state=0))
    train, held_out = time_ordered_split(rows, 0.25)
    assert (len(train), len(held_out)) == (300, 100)
    assert train["event_time"].max() <= held_out["event_time"].min()


def test_unlabelled_rows_are_left_out_and_the_label_keeps_its_type(
    frames: Callable[..., Any], spec: ProjectSpec
) -> None:
    frame = frames(rows=400, unlabelled_share=0.3)
    assert frame["defaulted"].dtype == np.float64  # gaps turned the ints into floats
    rows = labelled_rows(spec, MODEL, frame)
    assert len(rows) == frame["defaulted"].notna().sum()
    assert rows["defaulted"].dtype == np.int64


def test_a_training_set_missing_a_spec_column_is_refused(
    frames: Callable[..., Any], spec: ProjectSpec
) -> None:
    frame = frames(rows=50).drop(columns=["region"])
    with pytest.raises(TrainingSetError, match=r"lacks column\(s\) \['region'\]"):
        labelled_rows(spec, MODEL, frame)


def test_event_times_given_as_text_are_read_as_utc(
    frames: Callable[..., Any], spec: ProjectSpec
) -> None:
    frame = frames(rows=50)
    frame["event_time"] = frame["event_time"].astype(str)
    rows = labelled_rows(spec, MODEL, frame)
    assert str(rows["event_time"].dt.tz) == "UTC"


def test_a_row_window_keeps_the_most_recent_labelled_rows(
    frames: Callable[..., Any], spec: ProjectSpec
) -> None:
    rows = labelled_rows(spec, MODEL, frames(rows=400).sample(frac=1, random_state=0))
    kept = most_recent(rows, 100)
    assert len(kept) == 100
    assert kept["event_time"].min() >= rows["event_time"].iloc[-100]
    assert kept.index.tolist() == list(range(100))
    assert most_recent(rows, None) is rows
    assert most_recent(rows, 1000) is rows


def test_the_same_rows_hash_the_same_and_other_rows_do_not(
    frames: Callable[..., Any], spec: ProjectSpec
) -> None:
    rows = labelled_rows(spec, MODEL, frames(rows=400))
    assert rows_sha256(most_recent(rows, 100)) == rows_sha256(rows.iloc[300:])
    assert rows_sha256(most_recent(rows, 100)) != rows_sha256(most_recent(rows, 101))
    assert len(rows_sha256(rows)) == 64


def test_too_few_rows_for_a_split_are_refused() -> None:
    with pytest.raises(InsufficientDataError, match="cannot give"):
        time_ordered_split(pd.DataFrame({"x": range(30)}), 0.25)
