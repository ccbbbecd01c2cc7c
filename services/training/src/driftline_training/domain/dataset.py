"""The training set as the run needs it: the spec's columns, labelled rows, in time order."""

from __future__ import annotations

import hashlib
from typing import Any

import pandas as pd  # type: ignore[import-untyped]
import pyarrow as pa  # type: ignore[import-untyped]
from driftline.spec import ProjectSpec

from driftline_training.domain.errors import TrainingSetError

__all__ = ["labelled_rows", "most_recent", "rows_sha256"]

LABEL_DTYPES = {"int": "int64", "bool": "bool", "float": "float64"}


def labelled_rows(spec: ProjectSpec, model: str, frame: Any) -> Any:
    """Rows with a known label, sorted by event time (stable: ties keep the served order).

    Refuses a frame that lacks a column the spec names (event timestamp, features,
    label), so a training set built for another spec version fails loudly, not subtly.
    """
    dataset = spec.dataset(spec.model(model).dataset)
    label = dataset.label.name if dataset.label else ""
    needed = [dataset.event_timestamp, *spec.model_features(model), label]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise TrainingSetError(
            f"the training set of {model!r} lacks column(s) {missing}; it has {list(frame.columns)}"
        )
    stamps = frame[dataset.event_timestamp]
    try:
        stamps = pd.to_datetime(stamps, utc=True)
    except (TypeError, ValueError) as exc:
        raise TrainingSetError(
            f"column {dataset.event_timestamp!r} is not a timestamp: {exc}"
        ) from None
    labelled = frame.assign(**{dataset.event_timestamp: stamps})
    labelled = labelled[labelled[label].notna()]
    if dataset.label is not None and dataset.label.type in LABEL_DTYPES:
        # a label column with gaps arrives as floats; restore the declared type
        labelled = labelled.astype({label: LABEL_DTYPES[dataset.label.type]})
    return labelled.sort_values(dataset.event_timestamp, kind="mergesort").reset_index(drop=True)


def most_recent(labelled: Any, rows: int | None) -> Any:
    """The last `rows` of time-sorted labelled rows (all of them when `rows` is None)."""
    if rows is None or len(labelled) <= rows:
        return labelled
    return labelled.iloc[len(labelled) - rows :].reset_index(drop=True)


def rows_sha256(frame: Any) -> str:
    """SHA-256 of the rows as an Arrow IPC stream, without pandas metadata: the same rows,
    columns and types hash the same whichever pandas wrote them."""
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()
