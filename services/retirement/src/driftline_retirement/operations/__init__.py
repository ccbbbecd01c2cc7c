"""Carrying out retirement decisions: the retirer (one version) and the sweeper (the policy)."""

from driftline_retirement.operations.outcome import Outcome, PurgeOutcome, SweepReport
from driftline_retirement.operations.retire import Retirer
from driftline_retirement.operations.sweep import Sweeper

__all__ = ["Outcome", "PurgeOutcome", "Retirer", "SweepReport", "Sweeper"]
