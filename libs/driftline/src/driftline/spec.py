"""The project spec (`driftline.yaml`): datasets and models, declared once.

Record schemas, Feast definitions, training, drift and retention policies are
all derived from this file; onboarding a dataset or model is an edit here, not
a code change. Errors name the offending field (`models.churn.dataset: ...`).
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from driftline.catalog import TopicSpec

__all__ = [
    "DatasetSpec",
    "DriftPolicy",
    "EstimatorSpec",
    "FeatureSpec",
    "LabelSpec",
    "ModelSpec",
    "ProjectSpec",
    "PromotionPolicy",
    "RetentionPolicy",
    "RetrainPolicy",
    "SpecError",
    "load_spec",
    "parse_spec",
]

NAME = r"^[a-z][a-z0-9_]{0,62}$"
FeatureType = Literal["float", "int", "bool", "category", "string"]
HIGHER_IS_BETTER = {"roc_auc": True, "accuracy": True, "f1": True, "log_loss": False,
                    "rmse": False, "mae": False, "r2": True}  # fmt: skip


class SpecError(ValueError):
    """The spec is invalid; the message names the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FeatureSpec(_Strict):
    type: FeatureType
    """Value type: float, int, bool, category (closed set) or string."""
    min: float | None = None
    """Inclusive lower bound for numeric features."""
    max: float | None = None
    """Inclusive upper bound for numeric features."""
    categories: tuple[str, ...] | None = None
    """Allowed values of a category feature."""
    nullable: bool = False
    """Whether a record may omit this feature."""
    description: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> FeatureSpec:
        if self.type == "category" and not self.categories:
            raise ValueError("a category feature needs `categories`")
        if self.type != "category" and self.categories:
            raise ValueError("`categories` only applies to category features")
        if (self.min is not None or self.max is not None) and self.type not in ("float", "int"):
            raise ValueError("`min`/`max` only apply to numeric features")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("`min` is greater than `max`")
        return self


class LabelSpec(_Strict):
    name: str = Field(pattern=NAME)
    """Column holding the ground truth."""
    type: Literal["int", "float", "bool", "category"] = "int"
    """int/bool/category for classification, float for regression."""


class DatasetSpec(_Strict):
    entity_key: str = Field(pattern=NAME)
    """Column identifying the entity (customer, order...); the Kafka key of its records."""
    event_timestamp: str = Field(default="event_time", pattern=NAME)
    """Column with the event time (ISO-8601 or epoch milliseconds)."""
    features: dict[str, FeatureSpec] = Field(min_length=1)
    """Feature columns by name."""
    label: LabelSpec | None = None
    """Ground-truth column, which may arrive later than the features."""
    description: str = ""

    @model_validator(mode="after")
    def _names(self) -> DatasetSpec:
        reserved = {self.entity_key, self.event_timestamp} | (
            {self.label.name} if self.label else set()
        )
        for name in self.features:
            if not re.match(NAME, name):
                raise ValueError(f"feature name {name!r} must match {NAME}")
            if name in reserved:
                raise ValueError(f"feature {name!r} clashes with the key, timestamp or label")
        return self


class EstimatorSpec(_Strict):
    name: str
    """Estimator known to the flavor's runtime, e.g. logistic_regression, random_forest."""
    params: dict[str, Any] = Field(default_factory=dict)
    """Keyword arguments of the estimator."""


class RetrainPolicy(_Strict):
    window_days: int = Field(default=30, ge=1)
    """Training data: the most recent N days (includes the drifted data)."""
    window_rows: int | None = Field(default=None, ge=10)
    """Then at most the most recent N labelled rows of that window (None: all of them)."""
    holdout_fraction: float = Field(default=0.2, gt=0, lt=0.9)
    """Time-ordered share held out for evaluation."""
    min_rows: int = Field(default=200, ge=10)
    """Refuse to train on fewer rows."""
    min_new_labelled_rows: int = Field(default=100, ge=0)
    """Labelled rows needed since the last training's data (for a drift trigger: since the
    drift's window began); a trigger with fewer waits for them instead of being dropped."""
    max_wait_minutes: float = Field(default=120, gt=0)
    """How long a waiting trigger waits for new labelled rows before it is given up (logged)."""
    cooldown_minutes: float = Field(default=10, ge=0)
    """Minimum time between two trainings of the model."""


class PromotionPolicy(_Strict):
    min_improvement: float = Field(default=0.0, ge=0)
    """Minimum gain of the primary metric over the champion."""
    test: Literal["paired_bootstrap", "mcnemar"] = "paired_bootstrap"
    """Significance test that keeps noise from promoting."""
    confidence: float = Field(default=0.95, gt=0.5, lt=1)
    """Confidence level of the test."""
    bootstrap_samples: int = Field(default=1000, ge=100)
    max_latency_ms_p99: float = Field(default=50.0, gt=0)
    """Guardrail: prediction latency."""
    max_artifact_mb: float = Field(default=200.0, gt=0)
    """Guardrail: artifact size."""
    rollout: Literal["full", "canary", "shadow"] = "full"
    canary_fraction: float = Field(default=0.1, gt=0, lt=1)


class DriftPolicy(_Strict):
    tests: tuple[Literal["psi", "ks", "chi2"], ...] = ("psi", "ks", "chi2")
    psi_threshold: float = Field(default=0.2, gt=0)
    p_value: float = Field(default=0.01, gt=0, lt=1)
    """Significance level of KS and chi-square."""
    window: int = Field(default=500, ge=10)
    """Predictions per comparison window."""
    min_samples: int = Field(default=200, ge=10)
    min_drifted_features: int = Field(default=1, ge=1)
    cooldown_minutes: float = Field(default=30, ge=0)
    """One drift episode, one DriftDetected."""
    concept_detector: Literal["adwin", "page_hinkley", "none"] = "adwin"
    concept_delta: float = Field(default=0.002, gt=0)


class RetentionPolicy(_Strict):
    keep_last: int = Field(default=5, ge=1)
    candidate_ttl_days: float = Field(default=7, gt=0)
    restore_within_days: float = Field(default=30, gt=0)
    """A retired version can be rolled back to within this period."""


class ModelSpec(_Strict):
    dataset: str
    task: Literal["classification", "regression"] = "classification"
    features: tuple[str, ...] | None = None
    """Model inputs, in order; default: every feature of the dataset."""
    flavor: str = "sklearn"
    """Runtime plug-in that trains, saves and loads the model."""
    estimator: EstimatorSpec
    primary_metric: str = "roc_auc"
    retrain: RetrainPolicy = RetrainPolicy()
    promotion: PromotionPolicy = PromotionPolicy()
    drift: DriftPolicy = DriftPolicy()
    retention: RetentionPolicy = RetentionPolicy()

    @model_validator(mode="after")
    def _metric(self) -> ModelSpec:
        if self.primary_metric not in HIGHER_IS_BETTER:
            raise ValueError(
                f"unknown primary_metric {self.primary_metric!r}; one of {sorted(HIGHER_IS_BETTER)}"
            )
        return self

    @property
    def higher_is_better(self) -> bool:
        return HIGHER_IS_BETTER[self.primary_metric]


class ProjectSpec(_Strict):
    project: str = Field(pattern=NAME)
    datasets: dict[str, DatasetSpec] = Field(min_length=1)
    models: dict[str, ModelSpec] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _references(self) -> ProjectSpec:
        for name in [*self.datasets, *self.models]:
            if not re.match(NAME, name):
                raise ValueError(f"name {name!r} must match {NAME}")
        for name, model in self.models.items():
            dataset = self.datasets.get(model.dataset)
            if dataset is None:
                raise ValueError(f"models.{name}.dataset: unknown dataset {model.dataset!r}")
            unknown = set(model.features or ()) - set(dataset.features)
            if unknown:
                raise ValueError(f"models.{name}.features: not in dataset: {sorted(unknown)}")
            if dataset.label is None:
                raise ValueError(f"models.{name}: dataset {model.dataset!r} declares no label")
        return self

    def dataset(self, name: str) -> DatasetSpec:
        if name not in self.datasets:
            raise KeyError(f"unknown dataset {name!r}; known: {sorted(self.datasets)}")
        return self.datasets[name]

    def model(self, name: str) -> ModelSpec:
        if name not in self.models:
            raise KeyError(f"unknown model {name!r}; known: {sorted(self.models)}")
        return self.models[name]

    def model_features(self, name: str) -> tuple[str, ...]:
        model = self.model(name)
        return model.features or tuple(self.datasets[model.dataset].features)

    def records_topic(self, dataset: str) -> str:
        """The raw-records topic of a dataset."""
        self.dataset(dataset)
        return f"driftline.records.{dataset}"

    def record_topics(self) -> list[TopicSpec]:
        """One raw-records topic per dataset (keyed by entity key), for `topics apply`."""
        return [
            TopicSpec(self.records_topic(name), partitions=3, retention_ms=7 * 24 * 3600 * 1000,
                      description=f"raw records of dataset {name}")
            for name in self.datasets
        ]  # fmt: skip

    @cached_property
    def record_schemas(self) -> dict[str, dict[str, Any]]:
        """The derived Avro record schema of each dataset."""
        from driftline.record_schema import record_schema

        return {name: record_schema(name, ds) for name, ds in self.datasets.items()}


def _format(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        message = str(error["msg"]).removeprefix("Value error, ")
        loc = ".".join(str(p) for p in error["loc"])
        lines.append(f"{loc}: {message}" if loc else message)
    return "; ".join(lines)


def load_spec(path: Path | str) -> ProjectSpec:
    """Read and validate a spec; `SpecError` names every offending field."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise SpecError(f"spec file not found: {path}") from None
    except yaml.YAMLError as exc:
        raise SpecError(f"{path} is not valid YAML: {exc}") from None
    return parse_spec(raw, origin=str(path))


def parse_spec(raw: Any, origin: str = "spec") -> ProjectSpec:
    if not isinstance(raw, dict):
        raise SpecError(f"{origin}: the spec must be a mapping")
    try:
        return ProjectSpec.model_validate(raw)
    except ValidationError as exc:
        raise SpecError(f"{origin}: {_format(exc)}") from None
