"""Read models for the drift API: the monitors' state as JSON-able dictionaries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from driftline_monitoring.domain import ModelMonitor, WindowReport

__all__ = ["model_detail", "model_summary"]


def _window(report: WindowReport, *, tests: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "role": report.role, "version": report.version, "start": report.start.isoformat(),
        "end": report.end.isoformat(), "size": report.size, "alerted": report.alerted,
        "suppressed": report.suppressed,
    }  # fmt: skip
    evaluation = report.evaluation
    if evaluation is None:
        return {**out, "outcome": "reference"}
    out |= {"outcome": evaluation.kind or "clean", "severity": evaluation.severity,
            "drifted_features": list(evaluation.drifted_features),
            "prediction_drifted": evaluation.prediction_drifted}  # fmt: skip
    if tests:
        out["tests"] = [
            {"feature": t.feature, "statistic": t.statistic, "value": t.value,
             "threshold": t.threshold, "p_value": t.p_value, "drifted": t.drifted}
            for t in evaluation.tests
        ]  # fmt: skip
    return out


def model_summary(m: ModelMonitor) -> dict[str, Any]:
    cooldown = timedelta(minutes=m.policy.cooldown_minutes)
    concept = m.concept
    trial = m.canary
    return {
        "model": m.name,
        "champion_version": m.champion,
        "references": {str(v): r.origin if r else "learning" for v, r in m.references.items()},
        "windows": {role: {"version": w.version, "size": w.size, "capacity": w.capacity}
                    for role, w in m.windows.items()},
        "episode_open": m.episode,
        "last_alert": m.last_alert.isoformat() if m.last_alert else None,
        "cooldown_until": (m.last_alert + cooldown).isoformat() if m.last_alert else None,
        "last_window": _window(m.history[-1], tests=False) if m.history else None,
        "concept": None if concept is None else {
            "detector": concept.detector_name, "labelled": concept.count,
            "mean_error": concept.mean_error},
        "canary": None if trial is None else {
            "canary_version": trial.canary_version, "champion_version": trial.champion_version,
            "started_at": trial.started_at.isoformat(), "canary_labelled": trial.canary.n,
            "champion_labelled": trial.champion.n},
        "last_verdict": None if m.last_verdict is None else {
            "canary_version": m.last_verdict.canary_version, "verdict": m.last_verdict.verdict},
        "online_error": {str(v): sum(e) / len(e) for v, e in m.online.items() if e},
        "counts": dict(m.counts),
    }  # fmt: skip


def model_detail(m: ModelMonitor) -> dict[str, Any]:
    """The summary plus the evaluated windows kept, oldest first, with every test."""
    return {**model_summary(m), "history": [_window(r, tests=True) for r in m.history]}
