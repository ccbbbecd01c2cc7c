"""OIP v2 bodies: columnar and matrix inputs, JSON and binary tensors, outputs and their types."""

from __future__ import annotations

import struct

import numpy as np
import orjson
import pytest
from driftline_serving.adapters import FakeModel
from driftline_serving.core import Answer, BadInputError
from driftline_serving.entrypoints.oip import InferRequest, infer_response, parse_infer

FEATURES = ("income", "region")
KNOWN = {"income": None, "region": None, "age": None}


def body(inputs: list[dict[str, object]], **extra: object) -> bytes:
    return orjson.dumps({"inputs": inputs, **extra})


def test_inputs_by_feature_name_become_rows() -> None:
    parsed = parse_infer(body([
        {"name": "income", "shape": [2], "datatype": "FP64", "data": [1.5, 2.5]},
        {"name": "region", "shape": [2, 1], "datatype": "BYTES", "data": [["north"], ["south"]]},
    ], id="abc"), None, FEATURES, KNOWN)  # fmt: skip
    assert parsed.rows == [{"income": 1.5, "region": "north"}, {"income": 2.5, "region": "south"}]
    assert parsed.id == "abc"


def test_one_matrix_input_is_read_in_feature_order() -> None:
    parsed = parse_infer(body([{"name": "input-0", "shape": [2, 2], "datatype": "BYTES",
                                "data": [1, "north", 2, "west"]}]), None, FEATURES, KNOWN)  # fmt: skip
    assert parsed.rows == [{"income": 1, "region": "north"}, {"income": 2, "region": "west"}]


def test_a_matrix_of_the_wrong_width_is_rejected_naming_the_expected_columns() -> None:
    with pytest.raises(BadInputError, match=r"\[N, 2\] with columns \['income', 'region'\]"):
        parse_infer(body([{"name": "x", "shape": [1, 3], "datatype": "FP64", "data": [1, 2, 3]}]),
                    None, FEATURES, KNOWN)  # fmt: skip


def test_missing_and_unknown_inputs_are_named() -> None:
    with pytest.raises(BadInputError, match=r"unknown \['shoe'\], missing \['region'\]"):
        parse_infer(body([
            {"name": "income", "shape": [1], "datatype": "FP64", "data": [1.0]},
            {"name": "shoe", "shape": [1], "datatype": "FP64", "data": [42.0]},
        ]), None, FEATURES, KNOWN)  # fmt: skip


@pytest.mark.parametrize(("payload", "message"), [
    (b"not json", "not JSON"),
    (orjson.dumps({"inputs": []}), "non-empty `inputs`"),
    (body([{"name": "income", "shape": [3], "datatype": "FP64", "data": [1.0]}]), "needs 3 values"),
    (body([{"name": "income", "shape": "2", "data": [1.0]}]), "`shape` must be a list"),
    (body([{"name": "income", "shape": [1], "datatype": "FP64"}]), "has no `data`"),
    (body([{"name": "income", "shape": [1], "datatype": "FP64", "data": [1.0]},
           {"name": "region", "shape": [2], "datatype": "BYTES", "data": ["a", "b"]}]), "share one shape"),
    (body([{"name": "income", "shape": [1], "datatype": "FP64", "data": [1.0]},
           {"name": "region", "shape": [1], "datatype": "BYTES", "data": ["a"]}],
          outputs=[{"name": "logits"}]), "unknown output 'logits'"),
])  # fmt: skip
def test_malformed_requests_are_bad_input(payload: bytes, message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        parse_infer(payload, None, FEATURES, KNOWN)


def test_binary_tensors_after_the_json_header_are_decoded() -> None:
    income = np.array([1.5, 2.5], dtype="<f8").tobytes()
    region = b"".join(struct.pack("<I", len(s)) + s for s in (b"north", b"east"))
    header = body([
        {"name": "income", "shape": [2], "datatype": "FP64", "parameters": {"binary_data_size": len(income)}},
        {"name": "region", "shape": [2], "datatype": "BYTES", "parameters": {"binary_data_size": len(region)}},
    ])  # fmt: skip
    parsed = parse_infer(header + income + region, len(header), FEATURES, KNOWN)
    assert parsed.rows == [{"income": 1.5, "region": "north"}, {"income": 2.5, "region": "east"}]


def test_binary_outputs_are_asked_for_by_default_when_no_outputs_are_named() -> None:
    payload = body([{"name": "input-0", "shape": [1, 2], "datatype": "BYTES", "data": [1, "x"]}],
                   parameters={"binary_data_output": True})  # fmt: skip
    assert parse_infer(payload, None, FEATURES, KNOWN).binary == {"predict", "proba"}


def answers(n: int) -> list[Answer]:
    model = FakeModel("m", 3)
    return [Answer(f"r:{i}", model, "champion", i % 2, 0.5, [0.5, 0.5]) for i in range(n)]


def test_the_response_names_the_model_version_id_and_carries_predict_and_proba() -> None:
    content, headers = infer_response("m", "req-9", answers(2), InferRequest("req-9", []))
    assert headers == {}
    out = orjson.loads(content)
    assert (out["model_name"], out["model_version"], out["id"]) == ("m", "3", "req-9")
    assert out["outputs"] == [
        {"name": "predict", "datatype": "INT64", "shape": [2], "data": [0, 1]},
        {"name": "proba", "datatype": "FP64", "shape": [2, 2], "data": [0.5, 0.5, 0.5, 0.5]},
    ]


def test_binary_outputs_follow_the_json_header() -> None:
    request = InferRequest("r", [], ["predict"], {"predict"})
    content, headers = infer_response("m", "r", answers(3), request)
    length = int(headers["inference-header-content-length"])
    header = orjson.loads(content[:length])
    assert header["outputs"] == [{"name": "predict", "datatype": "INT64", "shape": [3],
                                  "parameters": {"binary_data_size": 24}}]  # fmt: skip
    assert np.frombuffer(content[length:], dtype="<i8").tolist() == [0, 1, 0]
