"""The durable part of the monitors as JSON-able data, and back.

Kept: each model's champion, references and prediction baselines by version
(so a restart never re-learns a reference from traffic that may have drifted
since), the last alert time and whether a drift episode is open (so a restart
does not re-alert), and an open canary trial with its counts and its cause.
Not kept: windows in progress, pending predictions and the concept detector;
they refill from traffic (at most one window of predictions is not evaluated).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np

from driftline_monitoring.domain import (
    CanaryTrial,
    CategoricalProfile,
    ModelMonitor,
    NumericProfile,
    Profile,
    Reference,
)  # fmt: skip
from driftline_monitoring.domain.canary import RoleScore

__all__ = ["dump", "restore"]

VERSION = 1


def _profile(p: Profile) -> dict[str, Any]:
    if isinstance(p, CategoricalProfile):
        return {"kind": "categorical", "counts": dict(p.counts)}
    return {"kind": "numeric", "knots_x": p.knots_x.tolist(), "knots_p": p.knots_p.tolist(),
            "edges": p.edges.tolist(), "probs": p.probs.tolist(),
            "sample": None if p.sample is None else p.sample.tolist(), "size": p.size}  # fmt: skip


def _unprofile(d: dict[str, Any]) -> Profile:
    if d["kind"] == "categorical":
        return CategoricalProfile({str(k): float(v) for k, v in d["counts"].items()})
    sample = None if d["sample"] is None else np.asarray(d["sample"], dtype=np.float64)
    x, p, edges, probs = (
        np.asarray(d[k], dtype=np.float64) for k in ("knots_x", "knots_p", "edges", "probs")
    )
    return NumericProfile(x, p, edges, probs, sample, d.get("size"))


def _reference(r: Reference | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"origin": r.origin, "profiles": {n: _profile(p) for n, p in r.profiles.items()}}


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def dump(monitors: dict[str, ModelMonitor]) -> dict[str, Any]:
    models: dict[str, Any] = {}
    for name, m in monitors.items():
        trial = m.canary
        models[name] = {
            "champion": m.champion,
            "last_alert": None if m.last_alert is None else m.last_alert.isoformat(),
            "episode": m.episode,
            "references": {str(v): _reference(r) for v, r in m.references.items()},
            "baselines": {str(v): None if b is None else _profile(b) for v, b in m.baselines.items()},
            "canary": None if trial is None else {
                "canary_version": trial.canary_version, "champion_version": trial.champion_version,
                "started_at": trial.started_at.isoformat(), "cause": dict(trial.cause),
                "canary": [trial.canary.n, trial.canary.total, trial.canary.squares],
                "champion": [trial.champion.n, trial.champion.total, trial.champion.squares],
            },
        }  # fmt: skip
    return {"version": VERSION, "models": models}


def restore(monitors: dict[str, ModelMonitor], state: dict[str, Any]) -> None:
    """Load `state` into the monitors of the models it knows (models no longer in the spec are
    dropped)."""
    if state.get("version") != VERSION:
        raise ValueError(f"monitoring state version {state.get('version')!r} is not {VERSION}")
    for name, saved in state["models"].items():
        m = monitors.get(name)
        if m is None:
            continue
        m.champion, m.episode = saved["champion"], bool(saved["episode"])
        m.last_alert = _time(saved["last_alert"])
        m.references = {
            int(v): None if r is None else Reference(
                {n: _unprofile(p) for n, p in r["profiles"].items()}, r["origin"])
            for v, r in saved["references"].items()
        }  # fmt: skip
        m.baselines = {int(v): None if b is None else _unprofile(b)
                       for v, b in saved["baselines"].items()}  # fmt: skip
        if (c := saved["canary"]) is not None:
            started = _time(c["started_at"])
            assert started is not None
            m.canary = CanaryTrial(name, c["canary_version"], c["champion_version"], started,
                                   c["cause"], RoleScore(*c["canary"]), RoleScore(*c["champion"]))  # fmt: skip
