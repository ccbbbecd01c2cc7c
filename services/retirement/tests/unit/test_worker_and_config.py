"""The background loop and the settings: deferred work often, sweeps on schedule, env configured."""

from __future__ import annotations

import ast
import threading
import time
from pathlib import Path
from typing import Any

import driftline_retirement.config as config
import pytest
from driftline_retirement.config import RetirementSettings
from driftline_retirement.entrypoints.worker import SweepLoop
from pydantic import ValidationError


class FakeSweeper:
    def __init__(self, fail_first: int = 0) -> None:
        self.sweeps: list[str] = []
        self.fail_first = fail_first

    def sweep(self, trigger: str = "schedule", correlation_id: str | None = None) -> None:
        self.sweeps.append(trigger)
        if len(self.sweeps) <= self.fail_first:
            raise RuntimeError("registry exploded")


class FakeRetirer:
    def __init__(self) -> None:
        self.resumes = 0

    def resume(self) -> list[Any]:
        self.resumes += 1
        return []


def run_briefly(loop: SweepLoop, seconds: float) -> None:
    thread = threading.Thread(target=loop.run)
    thread.start()
    time.sleep(seconds)
    loop.stop()
    thread.join(2)
    assert not thread.is_alive()


def test_the_loop_resumes_often_and_sweeps_on_schedule() -> None:
    sweeper, retirer = FakeSweeper(), FakeRetirer()
    loop = SweepLoop(sweeper, retirer, sweep_interval=0.2, resume_interval=0.02)  # type: ignore[arg-type]
    run_briefly(loop, 0.5)
    assert 1 <= len(sweeper.sweeps) <= 3
    assert set(sweeper.sweeps) == {"schedule"}
    assert retirer.resumes > 5


def test_a_failing_sweep_does_not_stop_the_loop() -> None:
    sweeper, retirer = FakeSweeper(fail_first=1), FakeRetirer()
    loop = SweepLoop(sweeper, retirer, sweep_interval=0.05, resume_interval=0.01)  # type: ignore[arg-type]
    run_briefly(loop, 0.3)
    assert len(sweeper.sweeps) >= 2


def test_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DRIFTLINE_RETIREMENT_PORT", "9107")
    monkeypatch.setenv("DRIFTLINE_RETIREMENT_SWEEP_INTERVAL_SECONDS", "60")
    monkeypatch.setenv("DRIFTLINE_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("DRIFTLINE_REGISTRY_URL", "http://registry:8004")
    settings = RetirementSettings()
    assert (settings.port, settings.sweep_interval_seconds) == (9107, 60.0)
    assert settings.common.registry_url == "http://registry:8004"
    assert settings.resolved_ledger_path == tmp_path / "retirement.db"
    assert settings.resolved_dedupe_path == tmp_path / "retirement-dedupe.db"


def test_defaults_match_the_architecture() -> None:
    settings = RetirementSettings()
    assert (settings.port, settings.sweep_interval_seconds) == (8007, 300.0)
    assert settings.group_id == "driftline-retirement"


def test_a_placeholder_registry_token_is_refused_outside_development(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DRIFTLINE_PROFILE", "compose")
    with pytest.raises(ValidationError, match="registry_token is a placeholder"):
        RetirementSettings(registry_token="changeme")  # type: ignore[arg-type]


def test_every_setting_is_documented() -> None:
    tree = ast.parse(Path(config.__file__).read_text())
    [cls] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "RetirementSettings"]
    documented = {
        field.target.id
        for field, doc in zip(cls.body, cls.body[1:], strict=False)
        if isinstance(field, ast.AnnAssign) and isinstance(field.target, ast.Name)
        and isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant)
    }  # fmt: skip
    assert documented == set(RetirementSettings.model_fields)
