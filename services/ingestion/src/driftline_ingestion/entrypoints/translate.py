"""Uploaded bodies to commands: the translation the HTTP API (and the benchmark) share."""

from __future__ import annotations

from driftline_ingestion.adapters.bodies import MalformedBatchError, parse_body
from driftline_ingestion.domain.lineage import InvalidBatchIdError, check_batch_id
from driftline_ingestion.domain.model import IngestBatch, Kind
from driftline_ingestion.domain.raw import RawBatch
from driftline_ingestion.service import Ingestion

__all__ = ["TooManyRowsError", "batch_command"]

ITEMS: dict[Kind, str] = {"records": "records", "labels": "labels"}


class TooManyRowsError(ValueError):
    """More rows than one batch may hold."""


def batch_command(svc: Ingestion, dataset: str, kind: Kind, body: bytes, content_type: str | None,
                  *, batch_id: str | None, correlation_id: str | None, max_rows: int
                  ) -> IngestBatch:  # fmt: skip
    """Read a body into an `IngestBatch`; raises for unknown datasets, bad bodies, big batches."""
    layout = svc.layout(dataset)
    if kind == "labels" and layout.label is None:
        raise MalformedBatchError(f"dataset {dataset!r} declares no label", ("path", "dataset"))
    parsed = parse_body(body, content_type, ITEMS[kind], hash_content=batch_id is None)
    if parsed.n_rows == 0:
        raise MalformedBatchError(f"the batch holds no {ITEMS[kind]}", ("body", ITEMS[kind]))
    if parsed.n_rows > max_rows:
        raise TooManyRowsError(
            f"the batch holds {parsed.n_rows} rows; at most {max_rows} are accepted"
        )
    if batch_id and parsed.batch_id and batch_id != parsed.batch_id:
        raise MalformedBatchError("X-Batch-Id and the body's batch_id differ", ("body", "batch_id"))
    chosen = batch_id or parsed.batch_id or parsed.content_id
    try:
        check_batch_id(chosen)
    except InvalidBatchIdError as exc:
        raise MalformedBatchError(str(exc), ("body", "batch_id")) from None
    known = layout.record_fields if kind == "records" else layout.label_fields
    strict = svc.policy.reject_unknown_fields
    if parsed.rows is not None:
        raw = RawBatch.from_rows(parsed.rows, known, reject_unknown=strict)
    else:
        assert parsed.table is not None
        raw = RawBatch.from_table(parsed.table, known, reject_unknown=strict)
    return IngestBatch(dataset, kind, raw, chosen, "http", correlation_id)
