"""Fixtures of the feature service's tests: a small spec, a settings factory, a Parquet writer."""

from __future__ import annotations

from pathlib import Path

import pytest
from driftline.settings import DriftlineSettings
from driftline.spec import ProjectSpec, parse_spec
from driftline_features.config import Settings
from driftline_features.testing import OfflineBatchWriter

SPEC = {
    "project": "features_test",
    "datasets": {
        "loans": {
            "entity_key": "application_id",
            "event_timestamp": "event_time",
            "features": {
                "income": {"type": "float", "min": 0, "max": 200000},
                "credit_score": {"type": "int", "min": 300, "max": 850},
                "region": {"type": "category", "categories": ["north", "south", "east", "west"]},
                "has_mortgage": {"type": "bool"},
                "note": {"type": "string", "nullable": True},
            },
            "label": {"name": "defaulted", "type": "int"},
        }
    },
    "models": {
        "loan_default": {
            "dataset": "loans",
            "features": ["income", "credit_score", "region"],
            "estimator": {"name": "logistic_regression"},
        }
    },
}


@pytest.fixture(scope="session")
def spec() -> ProjectSpec:
    return parse_spec(SPEC)


def local_settings(tmp: Path, **overrides: object) -> Settings:
    common = DriftlineSettings(
        state_dir=tmp / "state", offline_store_url=str(tmp / "offline"), log_json=False
    )
    return Settings.model_validate({"common": common, **overrides})


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Local settings: state and offline root in a private folder, no broker needed."""
    return local_settings(tmp_path)


@pytest.fixture
def offline_writer(settings: Settings, spec: ProjectSpec) -> OfflineBatchWriter:
    return OfflineBatchWriter(Path(settings.common.offline_store_url), spec)
