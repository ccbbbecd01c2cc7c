"""The monitoring domain: pure decisions on numbers (numpy, scipy, river), no I/O."""

from driftline_monitoring.domain.canary import CanaryTrial
from driftline_monitoring.domain.concept import ConceptMonitor, ConceptShift
from driftline_monitoring.domain.drift import Evaluation, evaluate
from driftline_monitoring.domain.monitor import ModelMonitor, WindowReport
from driftline_monitoring.domain.outcome import error_of
from driftline_monitoring.domain.pending import PendingPredictions
from driftline_monitoring.domain.reference import (
    CategoricalProfile,
    NumericProfile,
    Profile,
    Reference,
)  # fmt: skip
from driftline_monitoring.domain.types import (
    CanaryDecision,
    DriftAlert,
    FeatureKind,
    Outcome,
    Prediction,
    Severity,
    TestResult,
)  # fmt: skip
from driftline_monitoring.domain.window import Window

__all__ = [
    "CanaryDecision",
    "CanaryTrial",
    "CategoricalProfile",
    "ConceptMonitor",
    "ConceptShift",
    "DriftAlert",
    "Evaluation",
    "FeatureKind",
    "ModelMonitor",
    "NumericProfile",
    "Outcome",
    "PendingPredictions",
    "Prediction",
    "Profile",
    "Reference",
    "Severity",
    "TestResult",
    "Window",
    "WindowReport",
    "error_of",
    "evaluate",
]
