"""The retrain policy (`spec.model(m).retrain`): whether a trigger may become a run.

Two checks, because they need different facts:

* `admit` (when the trigger arrives, and again when it leaves the queue): a
  model never trained is always admitted (the bootstrap); ``force`` skips the
  cooldown; otherwise the cooldown must have passed since the last training.
* `enough_new_rows` (once the training set is fetched): unless forced or never
  trained, at least ``min_new_labelled_rows`` labelled rows must have event time
  at or after the last training's data-window end.

A refusal is a normal outcome, not an error: it carries a short `code` (for the
metric) and a sentence (for the log).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from driftline.spec import RetrainPolicy

from driftline_training.domain.model import ModelState, Trigger, Window

__all__ = ["Verdict", "admit", "enough_new_rows", "training_window"]

VerdictCode = Literal["bootstrap", "forced", "ok", "cooldown", "not_enough_new_rows"]


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    code: VerdictCode
    reason: str


def admit(trigger: Trigger, state: ModelState, policy: RetrainPolicy, now: datetime) -> Verdict:
    """Cooldown and bootstrap: may this trigger be queued (or run) now?"""
    if state.last_trained_at is None:
        return Verdict(True, "bootstrap", f"{trigger.model} was never trained")
    if trigger.force:
        return Verdict(True, "forced", "forced: cooldown and new-data checks skipped")
    elapsed = now - state.last_trained_at
    cooldown = timedelta(minutes=policy.cooldown_minutes)
    if elapsed < cooldown:
        wait = (cooldown - elapsed).total_seconds()
        return Verdict(
            False,
            "cooldown",
            f"cooldown: last training of {trigger.model} began {elapsed.total_seconds():.0f}s "
            f"ago; the policy asks for {policy.cooldown_minutes:g} min ({wait:.0f}s left)",
        )
    return Verdict(True, "ok", "cooldown passed")


def enough_new_rows(
    trigger: Trigger, state: ModelState, policy: RetrainPolicy, new_rows: int
) -> Verdict:
    """Have enough labelled rows arrived since the last training's data window?"""
    if state.last_data_end is None:
        return Verdict(True, "bootstrap", f"{trigger.model} was never trained")
    if trigger.force:
        return Verdict(True, "forced", "forced: new-data check skipped")
    needed = policy.min_new_labelled_rows
    if new_rows < needed:
        return Verdict(
            False,
            "not_enough_new_rows",
            f"only {new_rows} labelled rows since {state.last_data_end.isoformat()}; "
            f"the policy asks for {needed}",
        )
    return Verdict(True, "ok", f"{new_rows} new labelled rows (>= {needed})")


def training_window(trigger: Trigger, policy: RetrainPolicy, now: datetime) -> Window:
    """The most recent ``window_days`` (or the trigger's override), ending now."""
    return Window.last_days(now, trigger.window_days or policy.window_days)
