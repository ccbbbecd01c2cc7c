"""The HTTP API: thin translation from requests to commands (see README for the contract).

`POST /datasets/{dataset}/records` and `/labels` take JSON, CSV or Parquet;
`GET /datasets` lists the spec's datasets; `GET .../batches/{id}` and
`.../label-batches/{id}` return a stored batch's manifest.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Annotated, Any

import orjson
from driftline.http import ReadyCheck, create_app, require_role
from fastapi import APIRouter, FastAPI, Header, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from driftline_ingestion import metrics
from driftline_ingestion.adapters.bodies import (
    CONTENT_TYPES,
    MalformedBatchError,
    UnsupportedMediaError,
)
from driftline_ingestion.config import IngestionSettings
from driftline_ingestion.domain.lineage import BATCH_ID_PATTERN
from driftline_ingestion.domain.model import Kind, Manifest, Receipt
from driftline_ingestion.entrypoints.translate import TooManyRowsError, batch_command
from driftline_ingestion.handlers import AnnounceError
from driftline_ingestion.service import Ingestion, UnknownDatasetError

__all__ = ["BatchResponse", "create_api"]


class BatchResponse(BaseModel):
    """The answer to an uploaded batch."""

    batch_id: str
    accepted: int
    rejected: int
    duplicate: bool
    storage_path: str
    """Offline copy of the accepted rows ("" when none was accepted)."""
    rejected_path: str | None
    """Where the rejected rows and their reasons were stored."""
    label_rows: int
    event_ids: list[str]

    @classmethod
    def of(cls, receipt: Receipt) -> BatchResponse:
        m = receipt.manifest
        return cls(batch_id=m.batch_id, accepted=m.accepted, rejected=m.rejected,
                   duplicate=receipt.duplicate, storage_path=m.storage_path,
                   rejected_path=m.rejected_path, label_rows=m.label_rows,
                   event_ids=list(m.event_ids))  # fmt: skip


_ITEM = {"type": "object", "additionalProperties": True}


def _body_doc(items: str) -> dict[str, Any]:
    json_schema = {
        "type": "object", "required": [items],
        "properties": {"batch_id": {"type": "string"}, items: {"type": "array", "items": _ITEM}},
    }  # fmt: skip
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": json_schema},
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.apache.parquet": {
                    "schema": {"type": "string", "format": "binary"}
                },
            },
        }
    }


_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "Unknown dataset"},
    413: {"description": "Body or row count over the limit"},
    415: {"description": f"Content type other than {', '.join(CONTENT_TYPES)}"},
    422: {"description": "Malformed batch, with details"},
    503: {"description": "Offline store down, or stored but not announced: send it again"},
}


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refusing more than `limit` bytes even without a Content-Length."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"request body exceeds the {limit}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


def create_api(svc: Ingestion, settings: IngestionSettings,
               ready_checks: Mapping[str, ReadyCheck] | None = None) -> FastAPI:  # fmt: skip
    app = create_app("ingestion", settings.common, ready_checks=ready_checks,
                     title="Driftline ingestion")  # fmt: skip
    router = APIRouter(tags=["ingestion"])
    limit = settings.common.max_request_bytes

    async def ingest(dataset: str, kind: Kind, request: Request, batch_id: str | None) -> Any:
        body = await _read_body(request, limit)
        started = time.perf_counter()
        try:
            command = await run_in_threadpool(
                batch_command, svc, dataset, kind, body, request.headers.get("content-type"),
                batch_id=batch_id, correlation_id=request.state.correlation_id,
                max_rows=settings.max_rows_per_batch,
            )  # fmt: skip
        except UnknownDatasetError as exc:
            raise HTTPException(404, str(exc)) from None
        except UnsupportedMediaError as exc:
            raise HTTPException(415, str(exc)) from None
        except TooManyRowsError as exc:
            raise HTTPException(413, str(exc)) from None
        except MalformedBatchError as exc:
            return JSONResponse({"detail": exc.details}, status_code=422)
        metrics.STAGE_SECONDS.labels("parse").observe(time.perf_counter() - started)
        try:
            receipt: Receipt = await run_in_threadpool(svc.handle, command)
        except AnnounceError as exc:
            raise HTTPException(503, str(exc)) from None
        except OSError as exc:  # the offline store; nothing of the batch was kept
            raise HTTPException(503, f"offline store unavailable: {exc}") from None
        return BatchResponse.of(receipt)

    @router.post("/datasets/{dataset}/records", response_model=BatchResponse, responses=_ERRORS,
                 openapi_extra=_body_doc("records"), dependencies=[require_role("operator")])  # fmt: skip
    async def post_records(
        dataset: str, request: Request, x_batch_id: Annotated[str | None, Header()] = None
    ) -> Any:
        """Validate and store a batch of records; bad rows are rejected with reasons and kept."""
        return await ingest(dataset, "records", request, x_batch_id)

    @router.post("/datasets/{dataset}/labels", response_model=BatchResponse, responses=_ERRORS,
                 openapi_extra=_body_doc("labels"), dependencies=[require_role("operator")])  # fmt: skip
    async def post_labels(
        dataset: str, request: Request, x_batch_id: Annotated[str | None, Header()] = None
    ) -> Any:
        """Store ground truth, joined by `prediction_id` or by entity key and event time."""
        return await ingest(dataset, "labels", request, x_batch_id)

    @router.get("/datasets")
    def datasets() -> list[dict[str, Any]]:
        """The datasets of the project spec, with their columns and raw-records topic."""
        return [_describe(svc, name) for name in sorted(svc.spec.datasets)]

    @router.get("/datasets/{dataset}/batches/{batch_id}", responses={404: {}})
    def records_batch(dataset: str, batch_id: str) -> dict[str, Any]:
        """The manifest of a stored records batch: counts, files, lineage, events."""
        return _manifest(svc, dataset, "records", batch_id)

    @router.get("/datasets/{dataset}/label-batches/{batch_id}", responses={404: {}})
    def labels_batch(dataset: str, batch_id: str) -> dict[str, Any]:
        """The manifest of a stored label batch."""
        return _manifest(svc, dataset, "labels", batch_id)

    app.include_router(router)
    return app


def _describe(svc: Ingestion, name: str) -> dict[str, Any]:
    ds = svc.spec.datasets[name]
    return {
        "name": name, "description": ds.description, "entity_key": ds.entity_key,
        "event_timestamp": ds.event_timestamp,
        "features": {f: spec.model_dump(exclude_defaults=True) for f, spec in ds.features.items()},
        "label": ds.label.model_dump() if ds.label else None,
        "records_topic": svc.spec.records_topic(name),
    }  # fmt: skip


def _manifest(svc: Ingestion, dataset: str, kind: Kind, batch_id: str) -> dict[str, Any]:
    try:
        svc.layout(dataset)
    except UnknownDatasetError as exc:
        raise HTTPException(404, str(exc)) from None
    found: Manifest | None = None
    if _safe(batch_id):
        found = svc.store.manifest(dataset, kind, batch_id)
    if found is None:
        raise HTTPException(404, f"no {kind} batch {batch_id!r} in dataset {dataset!r}")
    out: dict[str, Any] = orjson.loads(found.to_json())
    return out


def _safe(batch_id: str) -> bool:
    return bool(BATCH_ID_PATTERN.match(batch_id))
