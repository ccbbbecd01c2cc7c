"""The monitoring service's Prometheus metrics (all ``driftline_``-prefixed; dashboards use
these names, listed in `METRIC_NAMES`).

Drift statistics are gauges holding the last evaluated champion window; the
label ``statistic`` is psi, ks or chi2 and ``feature`` is a feature name or
``prediction``.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from driftline_monitoring.domain import DriftAlert, WindowReport

__all__ = [
    "CANARY_VERDICTS", "DRIFT_DETECTED", "DRIFT_P_VALUE", "DRIFT_STATISTIC", "DRIFT_SUPPRESSED",
    "DRIFT_WINDOWS", "FEATURES_DRIFTED", "IGNORED", "LABELS", "METRIC_NAMES", "ONLINE_ACCURACY",
    "ONLINE_ERROR", "PENDING", "PREDICTIONS", "REFERENCE_FALLBACKS", "record_alert",
    "record_window",
]  # fmt: skip

DRIFT_STATISTIC = Gauge(
    "driftline_drift_statistic",
    "Value of a drift test in the last evaluated champion window.",
    ["model", "feature", "statistic"],
)
DRIFT_P_VALUE = Gauge(
    "driftline_drift_p_value",
    "p-value of a drift test (ks, chi2) in the last evaluated champion window.",
    ["model", "feature", "statistic"],
)
FEATURES_DRIFTED = Gauge(
    "driftline_drift_features_drifted",
    "Features that drifted in the last evaluated champion window.",
    ["model"],
)
DRIFT_DETECTED = Counter(
    "driftline_drift_detected_total", "DriftDetected events published.", ["model", "kind"]
)
DRIFT_SUPPRESSED = Counter(
    "driftline_drift_suppressed_total",
    "Drifted windows or concept shifts kept silent (open episode or cooldown).",
    ["model"],
)
DRIFT_WINDOWS = Counter(
    "driftline_drift_windows_total",
    "Windows closed, by role and outcome (clean, drifted, reference = taught the reference).",
    ["model", "role", "outcome"],
)
PREDICTIONS = Counter(
    "driftline_monitoring_predictions_total", "Predictions monitored.", ["model", "version"]
)
LABELS = Counter(
    "driftline_monitoring_labels_total",
    "Labels received, by outcome (matched a pending prediction, or unmatched).",
    ["outcome"],
)
IGNORED = Counter(
    "driftline_monitoring_ignored_total",
    "Records ignored, by reason (unknown_model, duplicate, stale_version, other_type).",
    ["reason"],
)
PENDING = Gauge("driftline_monitoring_pending_predictions", "Predictions waiting for labels.")
ONLINE_ACCURACY = Gauge(
    "driftline_model_online_accuracy",
    "Accuracy of a classifier version on its last labelled predictions (up to one window).",
    ["model", "version"],
)
ONLINE_ERROR = Gauge(
    "driftline_model_online_error",
    "Mean error (0/1, or absolute for a regressor) on the last labelled predictions.",
    ["model", "version"],
)
CANARY_VERDICTS = Counter(
    "driftline_canary_verdicts_total", "CanaryVerdict events published.", ["model", "verdict"]
)
REFERENCE_FALLBACKS = Counter(
    "driftline_drift_reference_fallbacks_total",
    "Versions whose reference had to be learnt from their first window.",
    ["model"],
)

METRIC_NAMES = (
    "driftline_drift_statistic", "driftline_drift_p_value", "driftline_drift_features_drifted",
    "driftline_drift_detected_total", "driftline_drift_suppressed_total",
    "driftline_drift_windows_total", "driftline_monitoring_predictions_total",
    "driftline_monitoring_labels_total", "driftline_monitoring_ignored_total",
    "driftline_monitoring_pending_predictions", "driftline_model_online_accuracy",
    "driftline_model_online_error", "driftline_canary_verdicts_total",
    "driftline_drift_reference_fallbacks_total",
)  # fmt: skip


def record_window(model: str, report: WindowReport) -> None:
    evaluation = report.evaluation
    if evaluation is None:
        DRIFT_WINDOWS.labels(model, report.role, "reference").inc()
        return
    DRIFT_WINDOWS.labels(model, report.role, "drifted" if evaluation.kind else "clean").inc()
    if report.suppressed:
        DRIFT_SUPPRESSED.labels(model).inc()
    if report.role != "champion":
        return
    FEATURES_DRIFTED.labels(model).set(len(evaluation.drifted_features))
    for test in evaluation.tests:
        DRIFT_STATISTIC.labels(model, test.feature, test.statistic).set(test.value)
        if test.p_value is not None:
            DRIFT_P_VALUE.labels(model, test.feature, test.statistic).set(test.p_value)


def record_alert(alert: DriftAlert) -> None:
    DRIFT_DETECTED.labels(alert.model, alert.kind).inc()
