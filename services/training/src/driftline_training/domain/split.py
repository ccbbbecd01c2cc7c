"""Time-ordered hold-out: the model is judged on data newer than anything it learnt from."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd  # type: ignore[import-untyped]

from driftline_training.domain.errors import InsufficientDataError

__all__ = ["MIN_EVAL_ROWS", "time_ordered_split"]

MIN_EVAL_ROWS = 20
"""Fewer evaluation rows than this cannot support a significance test."""


def time_ordered_split(frame: Any, holdout_fraction: float) -> tuple[Any, Any]:
    """(train, eval): the most recent ``holdout_fraction`` of the time-sorted rows is held out."""
    rows = len(frame)
    eval_rows = max(MIN_EVAL_ROWS, math.ceil(rows * holdout_fraction))
    if rows - eval_rows < MIN_EVAL_ROWS:
        raise InsufficientDataError(
            f"{rows} labelled rows cannot give {MIN_EVAL_ROWS}+ training rows and a "
            f"{holdout_fraction:.0%} hold-out of {MIN_EVAL_ROWS}+ rows"
        )
    cut = rows - eval_rows
    train: pd.DataFrame = frame.iloc[:cut]
    held_out: pd.DataFrame = frame.iloc[cut:]
    return train, held_out
