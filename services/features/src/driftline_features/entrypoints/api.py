"""The HTTP API: translates requests into `Queries` calls and results into responses.

Routes: POST /online-features, GET /online-features/{dataset}/{entity_key},
POST /training-sets, GET /datasets/{dataset}/stats, GET /feature-views; plus the shared
/healthz, /readyz and /metrics. Every data route needs the viewer role when tokens are set.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Annotated, Any

import orjson
from driftline.featurestore import view_versions
from driftline.http import create_app, require_role
from fastapi import APIRouter, FastAPI, HTTPException, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from driftline_features.bootstrap import SERVICE, FeatureService
from driftline_features.domain.errors import UnknownNameError, WindowError

__all__ = ["PARQUET", "create_api"]

PARQUET = "application/vnd.apache.parquet"


class OnlineFeaturesRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dataset: str | None = None
    model: str | None = None
    entity_keys: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_target(self) -> OnlineFeaturesRequest:
        if (self.dataset is None) == (self.model is None):
            raise ValueError("give exactly one of `dataset` and `model`")
        return self


class TrainingSetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model: str
    start: datetime
    end: datetime


def _json(content: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY), status,
                    headers=dict(headers or {}), media_type="application/json")  # fmt: skip


def _guard(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except UnknownNameError as exc:
        raise HTTPException(404, str(exc)) from None
    except WindowError as exc:
        raise HTTPException(422, str(exc)) from None


def router(service: FeatureService) -> APIRouter:
    api = APIRouter(dependencies=[require_role("viewer")])
    queries = service.queries
    limit = service.settings.max_online_keys

    @api.post("/online-features", tags=["serving"])
    def online_features(body: OnlineFeaturesRequest) -> Response:
        """Latest values per entity key (null for keys the online store does not know)."""
        if len(body.entity_keys) > limit:
            raise HTTPException(
                413, f"{len(body.entity_keys)} keys asked; at most {limit} per request"
            )
        dataset, features = _guard(lambda: queries.resolve(body.dataset, body.model))
        rows = queries.online(dataset, features, body.entity_keys)
        results = [
            {"entity_key": k, "features": r} for k, r in zip(body.entity_keys, rows, strict=True)
        ]
        return _json(
            {"dataset": dataset, "model": body.model, "features": features, "results": results}
        )

    @api.get("/online-features/{dataset}/{entity_key}", tags=["serving"])
    def online_feature(dataset: str, entity_key: str) -> Response:
        """Latest values of one entity; 404 when the online store does not know it."""
        name, features = _guard(lambda: queries.resolve(dataset, None))
        row = queries.online(name, features, [entity_key])[0]
        if row is None:
            raise HTTPException(
                404, f"entity {entity_key!r} is not in the online store of {dataset!r}"
            )
        return _json({"dataset": name, "entity_key": entity_key, "features": row})

    @api.post("/training-sets", tags=["training"])
    def training_set(
        body: TrainingSetRequest,
        format: Annotated[str, Query(pattern="^(parquet|json)$")] = "parquet",
    ) -> Response:
        """Labels in [start, end) joined point-in-time with the model's features."""
        result = _guard(lambda: queries.training_set(body.model, body.start, body.end))
        headers = {
            "X-Row-Count": str(result.table.num_rows),
            "X-Dropped-Row-Count": str(result.dropped),
            "X-Unlabelled-Row-Count": str(result.unlabelled),
            "X-Feature-View-Versions": orjson.dumps(result.versions).decode(),
        }
        if format == "json":
            body_bytes = orjson.dumps({"model": result.model, "columns": result.table.column_names,
                                       "rows": result.table.to_pylist()})  # fmt: skip
            media = "application/json"
        else:
            body_bytes, media = result.parquet(), PARQUET
        headers["X-Content-SHA256"] = result.sha256(body_bytes)
        return Response(body_bytes, headers=headers, media_type=media)

    @api.get("/datasets/{dataset}/stats", tags=["monitoring"])
    def stats(dataset: str, start: datetime, end: datetime) -> Response:
        """Per-feature statistics of the records with start <= event time < end."""
        return _json(_guard(lambda: queries.stats(dataset, start, end)))

    @api.get("/feature-views", tags=["definitions"])
    def feature_views() -> Response:
        """The feature views derived from the spec, with their definition hashes."""
        spec = service.deps.spec
        versions = view_versions(spec)
        return _json([{"name": name, "entity_key": ds.entity_key, "event_timestamp": ds.event_timestamp,
                       "features": {f: s.type for f, s in ds.features.items()},
                       "version": versions[name]} for name, ds in spec.datasets.items()])  # fmt: skip

    return api


def create_api(
    service: FeatureService, ready_checks: Mapping[str, Callable[[], bool | str]] | None = None
) -> FastAPI:
    app = create_app(SERVICE, service.settings.common, ready_checks=ready_checks,
                     title="driftline features")  # fmt: skip
    app.include_router(router(service))

    @app.exception_handler(ValueError)
    async def bad_value(_request: Any, exc: ValueError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    return app
