"""Retirement's pure decisions: what to retire, when, and what happens to the bytes.

No Kafka, HTTP or storage imports here: the operations layer fetches the facts
from the ports and carries the decisions out.
"""

from driftline_retirement.domain.decisions import (
    ArchivePlan,
    plan_archive,
    refusal,
    replaced_version,
)
from driftline_retirement.domain.model import (
    CHAMPION,
    RETIRED,
    Champion,
    Reason,
    RecordState,
    Retirement,
    RetirementRecord,
    VersionInfo,
)
from driftline_retirement.domain.sweep import plan_purge, plan_sweep

__all__ = [
    "CHAMPION",
    "RETIRED",
    "ArchivePlan",
    "Champion",
    "Reason",
    "RecordState",
    "Retirement",
    "RetirementRecord",
    "VersionInfo",
    "plan_archive",
    "plan_purge",
    "plan_sweep",
    "refusal",
    "replaced_version",
]
