"""The CLI's errors are clear and exit non-zero before touching the broker."""

from __future__ import annotations

import json
from pathlib import Path

from driftline.cli import app
from typer.testing import CliRunner

runner = CliRunner()


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("broker", "topics", "publish", "tail", "schemas"):
        assert command in result.output


def test_publish_unknown_event_type_names_the_known_ones(tmp_path: Path) -> None:
    data = tmp_path / "x.json"
    data.write_text("{}")
    result = runner.invoke(app, ["publish", "TrainingRequestd", "--data", str(data)])
    assert result.exit_code == 2
    assert "unknown event type 'TrainingRequestd'" in result.output
    assert "TrainingRequested" in result.output


def test_publish_invalid_payload_names_the_field(tmp_path: Path) -> None:
    data = tmp_path / "x.json"
    data.write_text(json.dumps({"reason": "manual"}))
    result = runner.invoke(app, ["publish", "TrainingRequested", "--data", str(data)])
    assert result.exit_code == 2
    assert "model_name: Field required" in result.output


def test_publish_missing_file_is_clear() -> None:
    result = runner.invoke(app, ["publish", "TrainingRequested", "--data", "/nope.json"])
    assert result.exit_code == 2
    assert "no such file: /nope.json" in result.output


def test_unreachable_broker_is_clear(tmp_path: Path) -> None:
    data = tmp_path / "x.json"
    data.write_text(json.dumps({"model_name": "loan_default"}))
    result = runner.invoke(
        app, ["publish", "TrainingRequested", "--data", str(data), "--bootstrap", "127.0.0.1:1"]
    )
    assert result.exit_code == 2
    assert "no Kafka broker answered at 127.0.0.1:1" in result.output
