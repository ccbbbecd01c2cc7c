"""The friendly predict API's bodies: entity keys in, predictions with their version out.

Request: ``{"entity_key": "k"}`` or ``{"entity_keys": ["k1", "k2"]}``, optionally
``"features": {"name": value}`` used where the online store has no value. Response: one
object ``{"request_id", "model_name", "model_version", "prediction", "score", "role"}`` for
``entity_key``, a list of them (request ids ``<id>:<index>``) for ``entity_keys``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from driftline_serving.core import Answer, BadInputError

__all__ = ["parse_predict", "predict_response"]


def parse_predict(body: bytes, max_keys: int) -> tuple[list[str], bool, dict[str, Any] | None]:
    """(entity keys, whether one key was asked, feature overrides)."""
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadInputError(f"the request body is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise BadInputError('the body must be an object: {"entity_key": "..."}')
    unknown = sorted(set(payload) - {"entity_key", "entity_keys", "features"})
    if unknown:
        raise BadInputError(f"unknown field(s) {unknown}; expected entity_key or entity_keys, "
                            "and optionally features")  # fmt: skip
    single = "entity_key" in payload
    if single == ("entity_keys" in payload):
        raise BadInputError("give exactly one of `entity_key` or `entity_keys`")
    keys = [payload["entity_key"]] if single else payload["entity_keys"]
    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) and k for k in keys):
        raise BadInputError("entity keys must be non-empty strings (a non-empty list of them)")
    if len(keys) > max_keys:
        raise BadInputError(f"{len(keys)} entity keys exceed the limit of {max_keys} per request")
    overrides = payload.get("features")
    if overrides is not None and not isinstance(overrides, dict):
        raise BadInputError("`features` must be an object of feature name -> value")
    return keys, single, overrides


def _one(model_name: str, answer: Answer) -> dict[str, Any]:
    return {
        "request_id": answer.request_id, "model_name": model_name,
        "model_version": answer.model.version, "entity_key": answer.entity_key,
        "prediction": answer.prediction, "score": answer.score, "role": answer.role,
    }  # fmt: skip


def predict_response(model_name: str, answers: Sequence[Answer], single: bool) -> bytes:
    if single:
        return orjson.dumps(_one(model_name, answers[0]))
    return orjson.dumps([_one(model_name, a) for a in answers])
