"""Writes dashboards/driftline.json: lifecycle events, drift statistics, serving latency.

    uv run python infra/grafana/build_dashboard.py

Every metric named here must be exported by the code: tests/infra/test_metrics.py
checks the JSON against prometheus_client's registry and against this script.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATASOURCE = {"type": "prometheus", "uid": "driftline-prometheus"}
TARGET = Path(__file__).parent / "dashboards" / "driftline.json"
RATE = "$__rate_interval"

Query = tuple[str, str]  # (PromQL, legend)


class _Layout:
    def __init__(self) -> None:
        self.panels: list[dict[str, Any]] = []
        self.y = 0

    def row(self, title: str) -> None:
        self.panels.append(
            {
                "id": len(self.panels) + 1,
                "type": "row",
                "title": title,
                "collapsed": False,
                "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y},
                "panels": [],
            }
        )
        self.y += 1

    def line(self, *panels: tuple[str, str, list[Query], int, str]) -> None:
        """One line of panels: (title, kind, queries, width, unit)."""
        x = 0
        for title, kind, queries, width, unit in panels:
            self.panels.append(
                {
                    "id": len(self.panels) + 1,
                    "type": kind,
                    "title": title,
                    "datasource": DATASOURCE,
                    "gridPos": {"h": 8, "w": width, "x": x, "y": self.y},
                    "targets": [
                        {
                            "refId": chr(65 + i),
                            "datasource": DATASOURCE,
                            "expr": e,
                            "legendFormat": lg,
                        }
                        for i, (e, lg) in enumerate(queries)
                    ],
                    "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
                    "options": {},
                }
            )
            x += width
        self.y += 8


def _quantiles(
    metric: str, selector: str, labels: tuple[str, ...], quantiles: tuple[float, ...]
) -> list[Query]:
    by = ", ".join((*labels, "le"))
    legend = " ".join("{{" + label + "}}" for label in labels)
    return [
        (
            f"histogram_quantile({q}, sum by ({by}) (rate({metric}_bucket{selector}[{RATE}])))",
            f"p{round(q * 100)} {legend}".strip(),
        )
        for q in quantiles
    ]


def build() -> dict[str, Any]:
    layout = _Layout()

    layout.row("Lifecycle events")
    layout.line(
        ("Lifecycle events published", "timeseries", [
            (f'sum by (type) (increase(driftline_events_produced_total{{topic="driftline.models"}}[{RATE}]))', "{{type}}"),
        ], 12, "short"),
        ("Drift detections (24 h)", "stat", [
            ("sum(increase(driftline_drift_detected_total[24h]))", "DriftDetected"),
        ], 4, "short"),
        ("Promotions (24 h)", "stat", [
            ('sum(increase(driftline_events_produced_total{type="ModelPromoted"}[24h]))', "ModelPromoted"),
        ], 4, "short"),
        ("Retirements (24 h)", "stat", [
            ("sum(increase(driftline_models_retired_total[24h]))", "retired"),
        ], 4, "short"),
    )  # fmt: skip
    layout.line(
        ("Training runs by outcome", "timeseries", [
            (f"sum by (model, outcome) (increase(driftline_training_runs_total[{RATE}]))", "{{model}} {{outcome}}"),
        ], 8, "short"),
        ("Model versions by status", "timeseries", [
            ("sum by (model, status) (driftline_model_versions)", "{{model}} {{status}}"),
        ], 8, "short"),
        ("Version live in serving", "stat", [
            ("max by (model, role) (driftline_model_version_live)", "{{model}} {{role}}"),
        ], 4, "none"),
        ("Champion in the registry", "stat", [
            ("max by (model) (driftline_model_champion_version)", "{{model}}"),
        ], 4, "none"),
    )  # fmt: skip
    layout.line(
        ("Events consumed by outcome", "timeseries", [
            (f"sum by (service, outcome) (rate(driftline_events_consumed_total[{RATE}]))", "{{service}} {{outcome}}"),
        ], 8, "ops"),
        ("Dead-lettered records", "timeseries", [
            (f"sum by (service, topic, reason) (increase(driftline_events_dead_lettered_total[{RATE}]))", "{{service}} {{topic}} {{reason}}"),
        ], 8, "short"),
        ("Registry transitions", "timeseries", [
            (f"sum by (model, to_status) (increase(driftline_registry_transitions_total[{RATE}]))", "{{model}} -> {{to_status}}"),
        ], 4, "short"),
        ("Outbox backlog", "timeseries", [
            ("max(driftline_outbox_pending)", "pending"),
            ("max(driftline_outbox_oldest_pending_seconds)", "oldest (s)"),
        ], 4, "short"),
    )  # fmt: skip

    layout.row("Drift statistics")
    layout.line(
        ("Drift statistic by feature", "timeseries", [
            ("max by (model, feature, statistic) (driftline_drift_statistic)", "{{model}} {{feature}} {{statistic}}"),
        ], 12, "short"),
        ("Drift test p-values", "timeseries", [
            ("min by (model, feature, statistic) (driftline_drift_p_value)", "{{model}} {{feature}} {{statistic}}"),
        ], 12, "short"),
    )  # fmt: skip
    layout.line(
        ("Features drifted (last window)", "stat", [
            ("max by (model) (driftline_drift_features_drifted)", "{{model}}"),
        ], 6, "short"),
        ("Windows by outcome", "timeseries", [
            (f"sum by (model, outcome) (increase(driftline_drift_windows_total[{RATE}]))", "{{model}} {{outcome}}"),
        ], 6, "short"),
        ("Drift alerts raised and held back", "timeseries", [
            (f"sum by (model, kind) (increase(driftline_drift_detected_total[{RATE}]))", "raised {{model}} {{kind}}"),
            (f"sum by (model) (increase(driftline_drift_suppressed_total[{RATE}]))", "suppressed {{model}}"),
        ], 6, "short"),
        ("Online accuracy by version", "timeseries", [
            ("max by (model, version) (driftline_model_online_accuracy)", "{{model}} v{{version}}"),
        ], 6, "percentunit"),
    )  # fmt: skip
    layout.line(
        ("Ingested rows by outcome", "timeseries", [
            (f"sum by (dataset, kind, outcome) (rate(driftline_ingestion_records_total[{RATE}]))", "{{dataset}} {{kind}} {{outcome}}"),
        ], 8, "rowsps"),
        ("Rejections by field", "timeseries", [
            (f"sum by (dataset, field) (rate(driftline_ingestion_rejections_total[{RATE}]))", "{{dataset}}.{{field}}"),
        ], 8, "rowsps"),
        ("Data freshness", "stat", [
            ("time() - max by (dataset, kind) (driftline_ingestion_last_batch_timestamp_seconds)", "{{dataset}} {{kind}}"),
        ], 8, "s"),
    )  # fmt: skip

    layout.row("Serving latency")
    layout.line(
        ("Prediction latency p50 / p95 / p99", "timeseries",
         _quantiles("driftline_serving_request_seconds", "", (), (0.5, 0.95, 0.99)), 12, "s"),
        ("Prediction latency p99 by version and role", "timeseries",
         _quantiles("driftline_serving_request_seconds", "", ("model", "version", "role"), (0.99,)), 12, "s"),
    )  # fmt: skip
    layout.line(
        ("Rows predicted by role", "timeseries", [
            (f"sum by (model, version, role) (rate(driftline_serving_predictions_total[{RATE}]))", "{{model}} v{{version}} {{role}}"),
        ], 8, "rowsps"),
        ("Serving HTTP requests by status", "timeseries", [
            (f'sum by (status) (rate(driftline_http_request_seconds_count{{service="serving"}}[{RATE}]))', "{{status}}"),
        ], 8, "reqps"),
        ("API latency p99 by service", "timeseries", [
            ("driftline:http_request_seconds:p99_5m", "{{service}}"),
        ], 8, "s"),
    )  # fmt: skip
    layout.line(
        ("Serving HTTP latency p99 (whole request)", "timeseries",
         _quantiles("driftline_http_request_seconds", '{service="serving"}', (), (0.99,)), 12, "s"),
        ("Event handler latency p99", "timeseries",
         _quantiles("driftline_handler_seconds", "", ("service", "type"), (0.99,)), 12, "s"),
    )  # fmt: skip

    return {
        "uid": "driftline-overview",
        "title": "Driftline",
        "description": "The closed loop: lifecycle events, drift statistics, serving latency.",
        "tags": ["driftline"],
        "timezone": "browser",
        "schemaVersion": 41,
        "version": 1,
        "editable": False,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": []},
        "annotations": {"list": []},
        "panels": layout.panels,
    }


def render() -> str:
    return json.dumps(build(), indent=2) + "\n"


if __name__ == "__main__":
    TARGET.write_text(render())
