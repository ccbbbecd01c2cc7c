"""Open Inference Protocol v2 inference requests and responses <-> rows and answers.

Inputs are accepted by feature name (columnar: one tensor per feature, shape ``[N]`` or
``[N, 1]``) or as one ``[N, F]`` tensor of any name whose columns are the model's features
in order. Outputs: ``predict`` ``[N]`` and, for classifiers, ``proba`` ``[N, classes]`` FP64.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from driftline_serving.core import Answer, BadInputError
from driftline_serving.entrypoints.tensors import (
    decode_binary,
    encode_binary,
    flatten,
    oip_datatype,
)

__all__ = ["FEATURE_DATATYPES", "InferRequest", "infer_response", "parse_infer"]

FEATURE_DATATYPES = {"float": "FP64", "int": "INT64", "bool": "BOOL", "category": "BYTES",
                     "string": "BYTES"}  # fmt: skip
OUTPUTS = ("predict", "proba")


@dataclass(slots=True)
class InferRequest:
    id: str | None
    rows: list[dict[str, Any]]
    outputs: list[str] = field(default_factory=lambda: list(OUTPUTS))
    binary: set[str] = field(default_factory=set)
    """Outputs the client asked for in binary form."""


def _tensors(
    body: bytes, header_length: int | None
) -> tuple[dict[str, Any], list[tuple[str, list[Any], list[int]]]]:
    try:
        payload = orjson.loads(body[:header_length] if header_length is not None else body)
    except orjson.JSONDecodeError as exc:
        raise BadInputError(f"the request body is not JSON: {exc}") from None
    inputs = payload.get("inputs") if isinstance(payload, dict) else None
    if not isinstance(inputs, list) or not inputs:
        raise BadInputError("an inference request needs a non-empty `inputs` list")
    blob, offset, out = body[header_length or len(body) :], 0, []
    for tensor in inputs:
        if not isinstance(tensor, dict) or not isinstance(tensor.get("name"), str):
            raise BadInputError("each input needs a `name`, `shape`, `datatype` and `data`")
        name, shape = tensor["name"], tensor.get("shape")
        if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
            raise BadInputError(f"input {name!r}: `shape` must be a list of sizes")
        size = (tensor.get("parameters") or {}).get("binary_data_size")
        if size is not None:
            values = decode_binary(blob[offset : offset + size], str(tensor.get("datatype")),
                                   math.prod(shape), name)  # fmt: skip
            offset += size
        elif "data" in tensor:
            values = flatten(tensor["data"], shape, name)
        else:
            raise BadInputError(f"input {name!r} has no `data`")
        out.append((name, values, shape))
    return payload, out


def parse_infer(body: bytes, header_length: int | None, features: Sequence[str],
                known: Mapping[str, Any]) -> InferRequest:  # fmt: skip
    """Rows for a model reading `features`; `known` names every feature of its dataset."""
    payload, tensors = _tensors(body, header_length)
    named = {name for name, _, _ in tensors}
    if len(tensors) == 1 and (
        (len(tensors[0][2]) == 2 and tensors[0][2][1] != 1) or not named & set(known)
    ):
        rows = _matrix(tensors[0], features)
    else:
        rows = _columns(tensors, features, known)
    wanted, binary = _outputs(payload)
    request_id = payload.get("id")
    return InferRequest(
        str(request_id) if request_id not in (None, "") else None, rows, wanted, binary
    )


def _matrix(
    tensor: tuple[str, list[Any], list[int]], features: Sequence[str]
) -> list[dict[str, Any]]:
    name, values, shape = tensor
    width = shape[1] if len(shape) == 2 else 0
    if width != len(features):
        raise BadInputError(f"input {name!r}: expected shape [N, {len(features)}] with columns "
                            f"{list(features)} in this order, got {shape}")  # fmt: skip
    return [dict(zip(features, values[i : i + width], strict=True))
            for i in range(0, len(values), width)]  # fmt: skip


def _columns(tensors: list[tuple[str, list[Any], list[int]]], features: Sequence[str],
             known: Mapping[str, Any]) -> list[dict[str, Any]]:  # fmt: skip
    unknown = sorted(n for n, _, _ in tensors if n not in known)
    missing = [f for f in features if f not in {n for n, _, _ in tensors}]
    if unknown or missing:
        raise BadInputError(f"inputs must be the model's features {list(features)}: "
                            f"unknown {unknown}, missing {missing}")  # fmt: skip
    counts = {n: s[0] if s else 0 for n, _, s in tensors}
    bad = [s for _, _, s in tensors if len(s) not in (1, 2) or (len(s) == 2 and s[1] != 1)]
    if bad or len(set(counts.values())) != 1:
        raise BadInputError(f"feature inputs must share one shape [N] or [N, 1]; got {counts}")
    columns = [(n, v) for n, v, _ in tensors]
    return [{n: v[i] for n, v in columns} for i in range(next(iter(counts.values())))]


def _outputs(payload: dict[str, Any]) -> tuple[list[str], set[str]]:
    everything_binary = bool((payload.get("parameters") or {}).get("binary_data_output"))
    requested = payload.get("outputs")
    if not requested:
        return list(OUTPUTS), set(OUTPUTS) if everything_binary else set()
    names, binary = [], set()
    for output in requested:
        name = output.get("name") if isinstance(output, dict) else None
        if name not in OUTPUTS:
            raise BadInputError(f"unknown output {name!r}; this model has {list(OUTPUTS)}")
        names.append(name)
        if (output.get("parameters") or {}).get("binary_data", everything_binary):
            binary.add(name)
    return names, binary


def infer_response(model_name: str, request_id: str, answers: Sequence[Answer],
                   request: InferRequest) -> tuple[bytes, dict[str, str]]:  # fmt: skip
    """The response body, and its extra headers (binary outputs need the header length)."""
    first = answers[0]
    tensors: list[tuple[dict[str, Any], list[Any]]] = []
    if "predict" in request.outputs:
        values = [a.prediction for a in answers]
        tensors.append(
            ({"name": "predict", "datatype": oip_datatype(values), "shape": [len(values)]}, values)
        )
    if "proba" in request.outputs and first.proba is not None:
        flat = [p for a in answers for p in a.proba or ()]
        tensors.append(({"name": "proba", "datatype": "FP64",
                         "shape": [len(answers), len(first.proba)]}, flat))  # fmt: skip
    blobs = []
    for meta, values in tensors:
        if meta["name"] in request.binary:
            blob = encode_binary(values, meta["datatype"])
            meta["parameters"] = {"binary_data_size": len(blob)}
            blobs.append(blob)
        else:
            meta["data"] = values
    header = orjson.dumps({
        "model_name": model_name, "model_version": str(first.model.version), "id": request_id,
        "parameters": {"role": first.role}, "outputs": [meta for meta, _ in tensors],
    })  # fmt: skip
    if not blobs:
        return header, {}
    return header + b"".join(blobs), {"inference-header-content-length": str(len(header))}
