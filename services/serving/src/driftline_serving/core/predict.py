"""Calling the models: one call per model for all its rows, answers scattered back per request.

A batch mixes requests from many clients, so one bad request must not fail the others: when
a batched call rejects its input, each request of the group is retried alone and only the
ones that still fail get the error.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from driftline_serving.core.errors import BadInputError, ServingError
from driftline_serving.core.jobs import Job, Result, Rows
from driftline_serving.core.types import Answer, Model, Outputs, PredictionRecord, Role

__all__ = ["Group", "call_model", "predict_rows", "records"]

log = logging.getLogger(__name__)


class Group(NamedTuple):
    """The rows one model answers in one batch, as (request index, row index) pairs."""

    model: Model
    role: Role
    cells: list[tuple[int, int]]


def call_model(model: Model, rows: Sequence[dict[str, Any]]) -> Outputs:
    """`model.predict`, its failures turned into serving errors (bad input is 422)."""
    try:
        return model.predict(rows)
    except (ValueError, TypeError) as exc:
        raise BadInputError(
            f"model {model.name!r} v{model.version} cannot read the input: {exc}"
        ) from exc
    except Exception as exc:
        log.exception("model failed", extra={"model": model.name, "version": model.version})
        raise ServingError(f"model {model.name!r} v{model.version} failed: {exc}") from exc


def predict_rows(jobs: Sequence[Job], inputs: Sequence[Rows | ServingError],
                 groups: Sequence[Group]) -> list[Result]:  # fmt: skip
    """Answers per request, or the error of a request whose input could not be read."""
    answers: list[list[Answer | None] | ServingError] = [
        rows if isinstance(rows, ServingError) else [None] * len(rows) for rows in inputs
    ]
    for group in groups:
        _answer(group, group.cells, jobs, inputs, answers)
    return [a if isinstance(a, ServingError) else [x for x in a if x is not None] for a in answers]


def _answer(group: Group, cells: list[tuple[int, int]], jobs: Sequence[Job],
            inputs: Sequence[Rows | ServingError],
            answers: list[list[Answer | None] | ServingError]) -> None:  # fmt: skip
    rows = [inputs[i][j] for i, j in cells]  # type: ignore[index]
    try:
        out = call_model(group.model, rows)
    except ServingError as exc:
        requests = sorted({i for i, _ in cells})
        if len(requests) == 1:
            answers[requests[0]] = exc
            return
        for i in requests:  # one request at a time: only the bad ones fail
            _answer(group, [c for c in cells if c[0] == i], jobs, inputs, answers)
        return
    proba = out.proba
    for n, (i, j) in enumerate(cells):
        slot = answers[i]
        if isinstance(slot, ServingError):
            continue
        job = jobs[i]
        keys = job.entity_keys
        slot[j] = Answer(
            request_id=job.row_id(j, len(slot)), model=group.model, role=group.role,
            prediction=out.predictions[n], score=out.scores[n],
            proba=None if proba is None else proba[n], entity_key=keys[j] if keys else None,
        )  # fmt: skip


def records(answers: Sequence[Answer], rows: Rows, latency_ms: float,
            timestamp: float) -> Iterator[PredictionRecord]:  # fmt: skip
    """The prediction log's records of one request: one per row, with the features it used."""
    for answer, row in zip(answers, rows, strict=True):
        model = answer.model
        yield PredictionRecord(
            request_id=answer.request_id, model_name=model.name, model_version=model.version,
            entity_key=answer.entity_key, features={f: row.get(f) for f in model.features},
            prediction=answer.prediction, score=answer.score, latency_ms=latency_ms,
            timestamp=timestamp, role=answer.role,
        )  # fmt: skip
