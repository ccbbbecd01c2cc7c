"""The Grafana dashboard and the Prometheus rules use only metrics the code really exports.

Exported names are read from prometheus_client's default registry after importing
`driftline.telemetry` and every module of the shared library and of each service
package that uses prometheus_client (so new metrics modules are found by themselves).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY

REPO = Path(__file__).resolve().parents[2]
DASHBOARD = REPO / "infra/grafana/dashboards/driftline.json"
RULES = REPO / "infra/prometheus/rules/driftline.yml"
METRIC = re.compile(r"\bdriftline_[a-zA-Z0-9_]+")
RECORDED = re.compile(r"\bdriftline:[a-zA-Z0-9_:]+")
SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("", "_sum", "_count", "_created"),
    "gauge": ("",),
    "info": ("_info",),
    "stateset": ("",),
    "gaugehistogram": ("_bucket", "_gsum", "_gcount"),
    "unknown": ("",),
}


def _metric_modules() -> list[str]:
    modules = ["driftline.telemetry"]
    roots = [REPO / "libs/driftline/src", *sorted((REPO / "services").glob("*/src"))]
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            if "prometheus_client" in path.read_text(errors="ignore"):
                modules.append(".".join(path.relative_to(root).with_suffix("").parts))
    return modules


def exported_metric_names() -> set[str]:
    for module in _metric_modules():
        try:
            importlib.import_module(module)
        except ImportError as exc:
            pytest.fail(f"{module} defines metrics but does not import: {exc}")
    names: set[str] = set()
    for family in REGISTRY.collect():
        names |= {family.name + suffix for suffix in SUFFIXES[family.type]}
    return names


def _dashboard_exprs() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = []

    def walk(panels: list[dict[str, Any]]) -> None:
        for panel in panels:
            exprs.extend(t["expr"] for t in panel.get("targets", []))
            walk(panel.get("panels", []))

    walk(dashboard["panels"])
    return exprs


def _rules() -> list[dict[str, Any]]:
    return [
        rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]
    ]


def referenced(expr: str) -> set[str]:
    """Metric names in a PromQL expression (label matchers and grouping labels removed)."""
    expr = re.sub(r"\{[^}]*\}", "", expr)
    expr = re.sub(r"\b(by|without)\s*\([^)]*\)", "", expr)
    return set(METRIC.findall(expr))


@pytest.fixture(scope="module")
def exported() -> set[str]:
    return exported_metric_names()


def test_the_shared_and_service_metrics_are_found(exported: set[str]) -> None:
    assert {"driftline_events_produced_total", "driftline_http_request_seconds_bucket"} <= exported
    assert all(name.startswith("driftline_") for name in exported if "driftline" in name)


def test_the_expression_reader_ignores_labels() -> None:
    expr = 'sum by (driftline_service) (rate(driftline_x_total{driftline_label="a"}[5m]))'
    assert referenced(expr) == {"driftline_x_total"}


def test_every_dashboard_metric_is_exported(exported: set[str]) -> None:
    names = set().union(*(referenced(e) for e in _dashboard_exprs()))
    assert len(names) >= 10
    assert not names - exported, (
        f"the dashboard queries unknown metrics: {sorted(names - exported)}"
    )


def test_every_rule_metric_is_exported(exported: set[str]) -> None:
    names = set().union(*(referenced(rule["expr"]) for rule in _rules()))
    assert names
    assert not names - exported, f"the rules query unknown metrics: {sorted(names - exported)}"


def test_recorded_series_used_anywhere_are_recorded() -> None:
    recorded = {rule["record"] for rule in _rules() if "record" in rule}
    used = set()
    for expr in _dashboard_exprs() + [rule["expr"] for rule in _rules()]:
        used |= set(RECORDED.findall(expr))
    assert used
    assert used <= recorded


def test_the_dashboard_shows_lifecycle_drift_and_serving_latency() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    rows = {p["title"] for p in dashboard["panels"] if p["type"] == "row"}
    assert {"Lifecycle events", "Drift statistics", "Serving latency"} <= rows
    exprs = " ".join(_dashboard_exprs())
    assert "driftline_drift_statistic" in exprs
    assert "driftline_drift_detected_total" in exprs
    assert "driftline_serving_request_seconds_bucket" in exprs
    assert 'driftline_events_produced_total{topic="driftline.models"}' in exprs


def test_the_dashboard_file_is_what_its_builder_writes() -> None:
    path = REPO / "infra/grafana/build_dashboard.py"
    spec = importlib.util.spec_from_file_location("_driftline_build_dashboard", path)
    assert spec is not None
    assert spec.loader is not None
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    assert builder.render() == DASHBOARD.read_text(), (
        "run: uv run python infra/grafana/build_dashboard.py"
    )


def test_panels_use_the_provisioned_datasource() -> None:
    datasource = yaml.safe_load(
        (REPO / "infra/grafana/provisioning/datasources/prometheus.yml").read_text()
    )
    uid = datasource["datasources"][0]["uid"]
    dashboard = json.loads(DASHBOARD.read_text())
    panels = [p for p in dashboard["panels"] if p["type"] != "row"]
    assert panels
    assert all(p["datasource"]["uid"] == uid for p in panels)
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
