"""Event models generated from schemas/ by `driftline schemas codegen`. Do not edit."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from driftline.events.base import Event, Record

__all__ = [
    "EVENT_TYPES",
    "CanaryVerdict",
    "DataIngested",
    "DataWindow",
    "DriftDetected",
    "FeatureDrift",
    "FeaturesMaterialized",
    "Label",
    "LabelsObserved",
    "Lineage",
    "ModelEvaluated",
    "ModelPromoted",
    "ModelRegistered",
    "ModelRejected",
    "ModelRetired",
    "ModelRolledBack",
    "ModelTrained",
    "PredictionLogged",
    "RecordsRejected",
    "Rejection",
    "TrainingFailed",
    "TrainingRequested",
    "TrainingStarted",
]

class DataWindow(Record):
    """A half-open time window [start, end) of event time."""

    __avro_name__: ClassVar[str] = "driftline.events.DataWindow"
    start: datetime
    """Inclusive start of the window (UTC)."""
    end: datetime
    """Exclusive end of the window (UTC)."""


class DataIngested(Event):
    """Fact: a batch of records passed validation and was stored offline (and online)."""

    __avro_name__: ClassVar[str] = "driftline.events.DataIngested"
    dataset: str
    """Dataset name from the project spec."""
    batch_id: str
    """Idempotency key of the batch."""
    source: str
    """http or kafka."""
    row_count: int
    """Rows accepted and stored."""
    rejected_count: int = 0
    """Rows of the same batch that were rejected."""
    time_range: None | DataWindow = None
    """Event-time range of the accepted rows."""
    content_hash: str
    """SHA-256 of the stored rows."""
    storage_path: str
    """Where the offline copy was written."""


class Rejection(Record):
    """Why one input row was refused."""

    __avro_name__: ClassVar[str] = "driftline.events.Rejection"
    row_index: int
    """Position of the row in its batch."""
    field: None | str = None
    """Offending field, when one is to blame."""
    reason: str
    """Human-readable reason."""
    raw: None | str = None
    """The row as received (JSON), for replay after a fix."""


class RecordsRejected(Event):
    """Fact: records of a batch failed validation; they are kept in the rejected store."""

    __avro_name__: ClassVar[str] = "driftline.events.RecordsRejected"
    dataset: str
    """Dataset name."""
    batch_id: str
    """Batch the rows belonged to."""
    rejected_count: int
    """Number of rejected rows."""
    rejections: list[Rejection]
    """Each rejected row with its reason."""
    storage_path: str
    """Where the rejected rows were written."""


class Label(Record):
    """One ground-truth observation."""

    __avro_name__: ClassVar[str] = "driftline.events.Label"
    prediction_id: None | str = None
    """Request id of the prediction this label belongs to."""
    entity_key: None | str = None
    """Entity key, when joined by entity and time."""
    event_time: None | datetime = None
    """Event time the label refers to."""
    value: bool | int | float | str
    """The observed outcome."""


class LabelsObserved(Event):
    """Fact: ground truth arrived for earlier predictions."""

    __avro_name__: ClassVar[str] = "driftline.events.LabelsObserved"
    dataset: str
    """Dataset name."""
    batch_id: str
    """Idempotency key of the label batch."""
    labels: list[Label]
    """The observations."""
    storage_path: str
    """Where the labels were written."""


class FeaturesMaterialized(Event):
    """Fact: the online store holds the features of an ingested batch."""

    __avro_name__: ClassVar[str] = "driftline.events.FeaturesMaterialized"
    dataset: str
    """Dataset name."""
    feature_view: str
    """Feast feature view that was updated."""
    batch_id: None | str = None
    """Batch that caused the materialization."""
    row_count: int
    """Rows written to the online store."""
    time_range: None | DataWindow = None
    """Event-time range materialized."""
    online_store: str
    """Kind of online store (sqlite, redis, dynamodb)."""


class FeatureDrift(Record):
    """One statistical test on one feature (or on the prediction)."""

    __avro_name__: ClassVar[str] = "driftline.events.FeatureDrift"
    feature: str
    """Feature name, or 'prediction' for prediction drift."""
    statistic: str
    """psi, ks or chi2."""
    value: float
    """Value of the statistic."""
    threshold: float
    """Threshold the value was compared against."""
    p_value: None | float = None
    """p-value, for tests that have one."""
    drifted: bool
    """True when this test alone signals drift."""


class DriftDetected(Event):
    """Fact: monitoring found that live traffic no longer looks like the champion's reference."""

    __avro_name__: ClassVar[str] = "driftline.events.DriftDetected"
    model_name: str
    """Model whose traffic drifted."""
    model_version: int
    """Version that was serving."""
    kind: str
    """data, prediction or concept."""
    severity: str
    """low, medium or high."""
    tests: list[FeatureDrift] = Field(default_factory=list)
    """Evidence: every test that ran."""
    window: DataWindow
    """Window of live traffic that was compared."""
    sample_size: int
    """Observations in the window."""
    detector: None | str = None
    """Concept-drift detector that fired (adwin, page_hinkley)."""


class TrainingRequested(Event):
    """Command: train a new version of a model now."""

    __avro_name__: ClassVar[str] = "driftline.events.TrainingRequested"
    model_name: str
    """Model from the project spec."""
    reason: str = 'manual'
    """Why the training is asked for."""
    requested_by: str = 'cli'
    """Person, schedule or service asking."""
    window_days: None | int = None
    """Override of the policy's training window, in days."""
    force: bool = False
    """Skip the cooldown and minimum-new-data checks."""


class TrainingStarted(Event):
    """Fact: a training run began."""

    __avro_name__: ClassVar[str] = "driftline.events.TrainingStarted"
    model_name: str
    """Model being trained."""
    run_id: str
    """Unique id of this run."""
    trigger_type: str
    """manual, schedule, bootstrap or drift."""
    trigger_event_id: None | str = None
    """ce_id of the triggering event."""
    data_window: DataWindow
    """Event-time window the training set covers."""


class Lineage(Record):
    """Where a trained model came from: data, features, code and trigger."""

    __avro_name__: ClassVar[str] = "driftline.events.Lineage"
    dataset: str
    """Dataset name from the project spec."""
    data_window: DataWindow
    """Event-time window of the training data."""
    row_count: int
    """Rows in the training set."""
    content_hash: str
    """SHA-256 of the training set's canonical bytes."""
    feature_names: list[str]
    """Features used, in model input order."""
    feature_view_versions: dict[str, str] = Field(default_factory=dict)
    """Feature view name -> version (definition hash)."""
    code_version: str
    """Version of the training code (package version and git revision)."""
    trigger_type: str
    """What caused training: manual, schedule, bootstrap or drift."""
    trigger_event_id: None | str = None
    """ce_id of the event that triggered training."""


class ModelTrained(Event):
    """Fact: a run produced a stored, hashed artifact."""

    __avro_name__: ClassVar[str] = "driftline.events.ModelTrained"
    model_name: str
    """Model name."""
    run_id: str
    """Run that produced it (natural idempotency key)."""
    flavor: str
    """Runtime plug-in that can load the artifact (e.g. sklearn)."""
    estimator: str
    """Estimator name from the spec."""
    params: dict[str, str] = Field(default_factory=dict)
    """Estimator parameters."""
    metrics: dict[str, float] = Field(default_factory=dict)
    """Hold-out metrics."""
    artifact_uri: str
    """Where the artifact is stored."""
    artifact_sha256: str
    """SHA-256 of the artifact bytes."""
    artifact_size_bytes: int
    """Artifact size."""
    duration_seconds: float
    """Wall time of the run."""
    lineage: Lineage
    """Which data, features, code and trigger."""


class TrainingFailed(Event):
    """Fact: a training run (or a trigger) failed; nothing was produced."""

    __avro_name__: ClassVar[str] = "driftline.events.TrainingFailed"
    model_name: str
    """Model name."""
    run_id: None | str = None
    """Run id, when the run had started."""
    error_type: str
    """Class of the failure."""
    reason: str
    """Human-readable reason."""
    trigger_event_id: None | str = None
    """ce_id of the triggering event."""


class ModelEvaluated(Event):
    """Fact: the evaluation gate compared a challenger with the champion (or a baseline)."""

    __avro_name__: ClassVar[str] = "driftline.events.ModelEvaluated"
    model_name: str
    """Model name."""
    run_id: str
    """Challenger run."""
    champion_version: None | int = None
    """Champion version it was compared with, if any."""
    primary_metric: str
    """Metric that decides."""
    challenger_score: float
    """Challenger's primary metric on the evaluation window."""
    champion_score: None | float = None
    """Champion's primary metric on the same window."""
    baseline_score: None | float = None
    """Trivial baseline's score, when there is no champion."""
    delta: float
    """Challenger minus reference (sign-adjusted so that higher is better)."""
    ci_low: None | float = None
    """Lower bound of the paired bootstrap interval of the delta."""
    ci_high: None | float = None
    """Upper bound of that interval."""
    p_value: None | float = None
    """p-value of the significance test, when one applies."""
    test: str
    """Significance test used."""
    min_improvement: float
    """Policy: minimum delta to promote."""
    guardrails: dict[str, float] = Field(default_factory=dict)
    """Guardrail measurements (latency_ms_p99, artifact_bytes)."""
    decision: str
    """promote or reject."""
    reasons: list[str] = Field(default_factory=list)
    """Why, in words."""
    eval_window: DataWindow
    """Evaluation window."""
    eval_rows: int
    """Rows in the evaluation window."""


class ModelRegistered(Event):
    """Fact: the registry recorded a new model version."""

    __avro_name__: ClassVar[str] = "driftline.events.ModelRegistered"
    model_name: str
    """Model name."""
    version: int
    """Version number assigned by the registry."""
    run_id: str
    """Run that produced it."""
    artifact_uri: str
    """Artifact location."""
    artifact_sha256: str
    """Artifact hash."""
    status: str
    """Initial status (candidate)."""


class ModelPromoted(Event):
    """Fact: a version became the champion (or entered canary/shadow)."""

    __avro_name__: ClassVar[str] = "driftline.events.ModelPromoted"
    model_name: str
    """Model name."""
    version: int
    """Promoted version."""
    previous_version: None | int = None
    """Champion it replaces, if any."""
    run_id: str
    """Run that produced it."""
    artifact_uri: str
    """Artifact location."""
    artifact_sha256: str
    """Artifact hash, checked before load."""
    flavor: str = 'sklearn'
    """Runtime plug-in for loading."""
    rollout: str = 'full'
    """full, canary or shadow."""
    canary_fraction: float = 0.0
    """Share of traffic for a canary."""
    reason: str
    """Why it was promoted."""
    evidence_event_id: None | str = None
    """ce_id of the ModelEvaluated (or verdict) behind the decision."""


class ModelRejected(Event):
    """Fact: the registry refused to promote a version."""

    __avro_name__: ClassVar[str] = "driftline.events.ModelRejected"
    model_name: str
    """Model name."""
    version: int
    """Rejected version."""
    run_id: str
    """Run that produced it."""
    reason: str
    """Why."""
    evidence_event_id: None | str = None
    """ce_id of the ModelEvaluated behind the decision."""


class ModelRolledBack(Event):
    """Fact: the champion was replaced by an earlier version."""

    __avro_name__: ClassVar[str] = "driftline.events.ModelRolledBack"
    model_name: str
    """Model name."""
    from_version: int
    """Version taken out of service."""
    to_version: int
    """Version restored as champion."""
    artifact_uri: str
    """Artifact of the restored version."""
    artifact_sha256: str
    """Its hash."""
    flavor: str = 'sklearn'
    """Runtime plug-in for loading."""
    reason: str
    """Why."""
    requested_by: str
    """Operator or service that asked."""


class ModelRetired(Event):
    """Fact: a version left service for good and its artifact was archived."""

    __avro_name__: ClassVar[str] = "driftline.events.ModelRetired"
    model_name: str
    """Model name."""
    version: int
    """Retired version."""
    reason: str
    """Why (replaced, ttl, keep_last)."""
    archive_uri: None | str = None
    """Where the artifact now lives."""
    retired_by: str
    """Service or operator."""


class CanaryVerdict(Event):
    """Fact: monitoring compared a canary with the champion on live traffic."""

    __avro_name__: ClassVar[str] = "driftline.events.CanaryVerdict"
    model_name: str
    """Model name."""
    canary_version: int
    """Version under canary."""
    champion_version: int
    """Current champion."""
    verdict: str
    """promote or rollback."""
    canary_metrics: dict[str, float] = Field(default_factory=dict)
    """Canary's online metrics."""
    champion_metrics: dict[str, float] = Field(default_factory=dict)
    """Champion's online metrics."""
    sample_size: int
    """Labelled requests compared."""


class PredictionLogged(Event):
    """Fact: serving answered a request (or a shadow model scored it)."""

    __avro_name__: ClassVar[str] = "driftline.events.PredictionLogged"
    request_id: str
    """Unique id of the request (joins labels)."""
    model_name: str
    """Model name."""
    model_version: int
    """Version that answered."""
    entity_key: None | str = None
    """Entity the prediction is about."""
    features: dict[str, None | bool | int | float | str]
    """Model inputs as served."""
    prediction: bool | int | float | str
    """The output."""
    score: None | float = None
    """Probability of the positive class, for classifiers."""
    latency_ms: float
    """Time spent answering."""
    event_time: datetime
    """When the prediction was made."""
    role: str = 'champion'
    """champion, canary or shadow (added in v2)."""


EVENT_TYPES: dict[str, type[Event]] = {
    "DataIngested": DataIngested,
    "RecordsRejected": RecordsRejected,
    "LabelsObserved": LabelsObserved,
    "FeaturesMaterialized": FeaturesMaterialized,
    "DriftDetected": DriftDetected,
    "TrainingRequested": TrainingRequested,
    "TrainingStarted": TrainingStarted,
    "ModelTrained": ModelTrained,
    "TrainingFailed": TrainingFailed,
    "ModelEvaluated": ModelEvaluated,
    "ModelRegistered": ModelRegistered,
    "ModelPromoted": ModelPromoted,
    "ModelRejected": ModelRejected,
    "ModelRolledBack": ModelRolledBack,
    "ModelRetired": ModelRetired,
    "CanaryVerdict": CanaryVerdict,
    "PredictionLogged": PredictionLogged,
}
