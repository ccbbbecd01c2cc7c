"""The retrain policy (`spec.model(m).retrain`): whether a trigger may become a run.

Two checks, because they need different facts:

* `admit` (when the trigger arrives, and again when it leaves the queue): a
  model never trained is always admitted (the bootstrap); ``force`` skips the
  cooldown; otherwise the cooldown must have passed since the last training.
* `enough_new_rows` (once the labelled rows are known): unless forced or never
  trained, at least ``min_new_labelled_rows`` labelled rows must have event time
  at or after `new_rows_since`: a drift's window start, else the last training's
  data-window end.

A refusal is a normal outcome, not an error: it carries a short `code` (for the
metric) and a sentence (for the log). `defer` then says what becomes of the
refused trigger: it waits (too few new rows; a drift in the cooldown), is
dropped (any other trigger in the cooldown), or is given up once it has waited
``max_wait_minutes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from driftline.spec import RetrainPolicy

from driftline_training.domain.model import ModelState, Trigger, Window

__all__ = [
    "Deferral",
    "Verdict",
    "admit",
    "defer",
    "enough_new_rows",
    "new_rows_since",
    "training_window",
]

VerdictCode = Literal["bootstrap", "forced", "ok", "cooldown", "not_enough_new_rows"]


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    code: VerdictCode
    reason: str


@dataclass(frozen=True, slots=True)
class Deferral:
    """What becomes of a refused trigger."""

    outcome: Literal["waiting", "dropped", "expired"]
    not_before: datetime | None
    """When a waiting trigger is looked at again."""
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


def new_rows_since(trigger: Trigger, state: ModelState) -> datetime | None:
    """Event time from which new labelled rows count; None when they are not checked."""
    if state.last_data_end is None or trigger.force:
        return None
    return state.last_data_end if trigger.since is None else trigger.since


def enough_new_rows(
    trigger: Trigger, state: ModelState, policy: RetrainPolicy, new_rows: int
) -> Verdict:
    """Have enough labelled rows arrived since `new_rows_since`?"""
    since = new_rows_since(trigger, state)
    if since is None:
        if trigger.force:
            return Verdict(True, "forced", "forced: new-data check skipped")
        return Verdict(True, "bootstrap", f"{trigger.model} was never trained")
    needed = policy.min_new_labelled_rows
    origin = "the last training's data end" if trigger.since is None else "the drift's window start"
    counted = f"{new_rows} labelled rows since {since.isoformat()} ({origin})"
    if new_rows < needed:
        return Verdict(False, "not_enough_new_rows", f"have {counted}, need {needed}")
    return Verdict(True, "ok", f"{counted} (>= {needed})")


def defer(
    trigger: Trigger,
    refusal: Verdict,
    state: ModelState,
    policy: RetrainPolicy,
    now: datetime,
    recheck: timedelta,
) -> Deferral:
    """Wait, drop or give up a trigger that `refusal` turned away.

    A trigger other than a drift refused by the cooldown is dropped (the next one
    after the cooldown runs). A drift refused by the cooldown waits for its end: a
    drift must not be lost to the run that has just started. A trigger with too few
    new rows is looked at again after `recheck`, until it has waited
    ``max_wait_minutes`` since it arrived; a refusal after that gives it up.
    """
    deadline = trigger.received_at + timedelta(minutes=policy.max_wait_minutes)
    if refusal.code == "cooldown":
        if trigger.trigger_type != "drift" or state.last_trained_at is None:
            return Deferral("dropped", None, refusal.reason)
        until = state.last_trained_at + timedelta(minutes=policy.cooldown_minutes)
        return Deferral("waiting", until, f"{refusal.reason}; waiting for its end")
    waited = (now - trigger.received_at).total_seconds() / 60
    if now >= deadline:
        return Deferral(
            "expired",
            None,
            f"given up after waiting {waited:.0f} min for new labelled rows "
            f"(max_wait_minutes={policy.max_wait_minutes:g}): {refusal.reason}",
        )
    return Deferral("waiting", min(now + recheck, deadline), refusal.reason)


def training_window(trigger: Trigger, policy: RetrainPolicy, now: datetime) -> Window:
    """The most recent ``window_days`` (or the trigger's override), ending now."""
    return Window.last_days(now, trigger.window_days or policy.window_days)
