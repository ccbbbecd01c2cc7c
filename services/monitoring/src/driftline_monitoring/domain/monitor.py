"""Everything monitoring knows about one model, and the decisions it takes from it.

Windows are tumbling and per role: the champion's feed data and prediction
drift; a canary's or a shadow's are evaluated too (for the API and metrics) but
never raise an alert. A window is evaluated when it holds `drift.window`
predictions, each column tested once it has `min_samples` values. A version
whose reference could not be loaded learns it from its own first window, which
is then not tested. The prediction baseline of a version is always its first
window: training statistics say nothing about the model's outputs.

One drift episode, one alert: the first drifted champion window opens an
episode and raises the alert; the windows that drift after it continue the
episode silently; the first clean window closes it. A new episode alerts only
once `cooldown_minutes` have passed since the last alert, on event time (the
end of the window, or the time of the labelled prediction), so replays and
synthetic streams give the same alerts every time. A concept-drift alert
shares the cooldown and stays silent while a data episode is open. A full
promotion resets the reference, the windows, the concept detector, the episode
and the cooldown.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from driftline.spec import DriftPolicy

from driftline_monitoring.domain.canary import CanaryTrial
from driftline_monitoring.domain.concept import ConceptMonitor
from driftline_monitoring.domain.drift import Evaluation, evaluate
from driftline_monitoring.domain.reference import Profile, Reference
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

__all__ = ["ModelMonitor", "WindowReport"]

Decision = DriftAlert | CanaryDecision


@dataclass(frozen=True, slots=True)
class WindowReport:
    role: str
    version: int
    start: datetime
    end: datetime
    size: int
    evaluation: Evaluation | None
    """None when the window taught the version its reference."""
    alerted: bool = False
    suppressed: bool = False


class ModelMonitor:
    def __init__(self, name: str, kinds: Mapping[str, FeatureKind], policy: DriftPolicy, *,
                 regression: bool = False, canary_alpha: float = 0.05, history: int = 20) -> None:  # fmt: skip
        self.name, self.kinds, self.policy, self.regression = name, dict(kinds), policy, regression
        self.canary_alpha = canary_alpha
        self.champion: int | None = None
        self.references: dict[int, Reference | None] = {}
        self.baselines: dict[int, Profile | None] = {}
        self.windows: dict[str, Window] = {}
        self.last_alert: datetime | None = None
        self.episode = False
        self.canary: CanaryTrial | None = None
        self.last_verdict: CanaryDecision | None = None
        self.history: deque[WindowReport] = deque(maxlen=history)
        self.online: dict[int, deque[float]] = {}
        self.counts: Counter[str] = Counter()
        self.changed = False
        detector = policy.concept_detector
        self.concept = None if detector == "none" else ConceptMonitor(
            detector, policy.concept_delta, grace=policy.min_samples)  # fmt: skip

    # -- reference and lifecycle -----------------------------------------------------
    def needs_reference(self, version: int) -> bool:
        return version not in self.references

    def set_reference(self, version: int, reference: Reference | None) -> None:
        """The version's reference; None: learn it from the version's first window."""
        self.references[version] = reference
        self.changed = True

    def promoted(self, version: int, rollout: str, previous: int | None, at: datetime,
                 cause: Mapping[str, str]) -> None:  # fmt: skip
        if rollout == "full":
            if version != self.champion:
                self._adopt(version)
        elif rollout == "canary" and (self.canary is None or self.canary.canary_version != version):
            champion = previous if previous is not None else self.champion
            self.canary = CanaryTrial(self.name, version, champion, at, dict(cause))
            self.changed = True

    def _adopt(self, version: int) -> None:
        self.champion = version
        self.windows.pop("champion", None)
        self.last_alert, self.episode = None, False
        if self.concept is not None:
            self.concept.reset()
        if self.canary is not None and self.canary.canary_version == version:
            self.canary = None
        keep = {version} | ({self.canary.canary_version} if self.canary else set())
        self.references = {v: r for v, r in self.references.items() if v in keep}
        self.baselines = {v: b for v, b in self.baselines.items() if v in keep}
        self.counts["resets"] += 1
        self.changed = True

    def _may_alert(self, at: datetime) -> bool:
        cooldown = timedelta(minutes=self.policy.cooldown_minutes)
        return not self.episode and (self.last_alert is None or at >= self.last_alert + cooldown)

    # -- traffic -------------------------------------------------------------------
    def observe(self, p: Prediction) -> DriftAlert | None:
        """Add a prediction to its window; an alert when the full window drifted."""
        if p.role == "champion":
            if self.champion is None or p.version > self.champion:
                self._adopt(p.version)
            elif p.version < self.champion:
                self.counts["stale"] += 1
                return None
        window = self.windows.get(p.role)
        if window is None or window.version != p.version:
            window = self.windows[p.role] = Window(
                self.policy.window, self.kinds, version=p.version, regression=self.regression
            )
        window.add(p)
        if not window.full:
            return None
        del self.windows[p.role]
        self.counts["closed"] += 1
        return self._close(p.role, window)

    def _close(self, role: str, window: Window) -> DriftAlert | None:
        assert window.start is not None
        assert window.end is not None
        version = window.version
        reference = self.references.get(version)
        if version not in self.baselines:
            self.baselines[version] = window.prediction_profile()
            self.changed = True
            if reference is None:
                self.references[version] = window.reference()
                self.history.append(WindowReport(role, version, window.start, window.end,
                                                 window.size, None))  # fmt: skip
                return None
        if reference is None:
            reference = self.references[version]
        assert reference is not None
        result = evaluate(self.policy, window, dict(reference.profiles),
                          self.baselines[version])  # fmt: skip
        drifted = result.kind is not None and role == "champion"
        alert = drifted and self._may_alert(window.end)
        if role == "champion":
            self.episode = drifted
        self.history.append(WindowReport(role, version, window.start, window.end, window.size,
                                         result, alert, drifted and not alert))  # fmt: skip
        self.counts["windows"] += 1
        if drifted and not alert:
            self.counts["suppressed"] += 1
        if not alert or result.kind is None:
            return None
        self.last_alert, self.changed = window.end, True
        return DriftAlert(self.name, version, result.kind, result.severity, result.tests,
                          window.start, window.end + timedelta(milliseconds=1), window.size)  # fmt: skip

    def observe_outcome(self, outcome: Outcome) -> list[Decision]:
        p, decisions = outcome.prediction, list[Decision]()
        errors = self.online.setdefault(p.version, deque(maxlen=self.policy.window))
        errors.append(outcome.error)
        if self.canary is not None:
            self.canary.add(p.role, p.version, outcome.error, p.event_time)
            verdict = self.canary.decide(self.policy.min_samples, self.canary_alpha,
                                         not self.regression)  # fmt: skip
            if verdict is not None:
                self.canary, self.last_verdict, self.changed = None, verdict, True
                decisions.append(verdict)
        if self.concept is None or p.role != "champion" or p.version != self.champion:
            return decisions
        shift = self.concept.update(outcome.error, p.event_time)
        if shift is None:
            return decisions
        if not self._may_alert(p.event_time):
            self.counts["suppressed"] += 1
            return decisions
        self.last_alert, self.changed = p.event_time, True
        rise = shift.relative_increase
        evidence = TestResult("error", shift.detector, shift.recent_error, shift.baseline_error,
                              None, True)  # fmt: skip
        severity: Severity = "high" if rise >= 1.0 else "medium" if rise >= 0.5 else "low"
        decisions.append(DriftAlert(
            self.name, p.version, "concept", severity, (evidence,), shift.start,
            shift.end + timedelta(milliseconds=1), shift.samples, detector=shift.detector,
        ))  # fmt: skip
        return decisions
