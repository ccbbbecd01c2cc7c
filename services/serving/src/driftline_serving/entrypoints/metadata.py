"""OIP server and model metadata, from the spec and what is loaded."""

from __future__ import annotations

from typing import Any

from driftline.spec import ProjectSpec

from driftline_serving.core import Deployment, Model
from driftline_serving.entrypoints.oip import FEATURE_DATATYPES
from driftline_serving.entrypoints.tensors import oip_datatype

__all__ = ["LABEL_DATATYPES", "SERVER_NAME", "model_metadata", "server_metadata"]

SERVER_NAME = "driftline-serving"
LABEL_DATATYPES = {"int": "INT64", "float": "FP64", "bool": "BOOL", "category": "BYTES"}


def server_metadata(version: str) -> dict[str, Any]:
    return {"name": SERVER_NAME, "version": version, "extensions": ["binary_tensor_data"]}


def model_metadata(spec: ProjectSpec, dep: Deployment, model: Model | None) -> dict[str, Any]:
    """Inputs: the model's features with OIP datatypes; outputs: predict (+ proba)."""
    name = dep.model_name
    model_spec = spec.model(name)
    dataset = spec.dataset(model_spec.dataset)
    features = model.features if model is not None else spec.model_features(name)
    task = model.task if model is not None else model_spec.task
    label = dataset.label.type if dataset.label else "int"
    if model is not None and model.classes:
        predict_type = oip_datatype(list(model.classes))
    else:
        predict_type = "FP64" if task == "regression" else LABEL_DATATYPES[label]
    outputs: list[dict[str, Any]] = [{"name": "predict", "datatype": predict_type, "shape": [-1]}]
    if task == "classification":
        width = len(model.classes) if model is not None else -1
        outputs.append({"name": "proba", "datatype": "FP64", "shape": [-1, width]})
    return {
        "name": name,
        "versions": [str(v) for v in sorted(dep.versions_by_role().values())],
        "platform": f"driftline-{model_spec.flavor}",
        "inputs": [
            {"name": f, "datatype": FEATURE_DATATYPES[dataset.features[f].type], "shape": [-1]}
            for f in features
        ],
        "outputs": outputs,
        "parameters": {"roles": {role: str(v) for role, v in dep.versions_by_role().items()}},
    }
