"""Retirement's pure decisions: what a promotion retires, what the policy retires, what is purged."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from driftline_retirement.domain import (
    Champion,
    RetirementRecord,
    plan_archive,
    plan_purge,
    plan_sweep,
    refusal,
    replaced_version,
)


def test_a_full_promotion_replaces_the_previous_champion() -> None:
    assert replaced_version("full", 3, 2) == 2


def test_canary_and_shadow_rollouts_replace_nothing_yet() -> None:
    assert replaced_version("canary", 3, 2) is None
    assert replaced_version("shadow", 3, 2) is None


def test_a_first_promotion_replaces_nothing() -> None:
    assert replaced_version("full", 1, None) is None
    assert replaced_version("full", 2, 2) is None


def test_the_current_champion_is_never_retired(kit: SimpleNamespace) -> None:
    why = refusal(2, Champion(2), kit.version(2, "champion"))
    assert why == "version 2 is the current champion"


def test_a_version_the_registry_already_retired_is_not_retired_again(kit: SimpleNamespace) -> None:
    assert "already lists version 2 as retired" in str(
        refusal(2, Champion(3), kit.version(2, "retired"))
    )


def test_any_other_status_may_be_retired(kit: SimpleNamespace) -> None:
    for status in ("candidate", "challenger", "superseded", "rejected", "archived_by_someone"):
        assert refusal(2, Champion(3), kit.version(2, status)) is None


def test_an_artifact_is_moved_to_the_archive(kit: SimpleNamespace) -> None:
    plan = plan_archive(kit.version(1, "superseded"), [kit.version(2, "champion")], "mem://archive")
    assert (plan.action, plan.archived) == ("move", True)


def test_bytes_shared_with_the_champion_stay_in_place(kit: SimpleNamespace) -> None:
    old = kit.version(1, "superseded")
    same_bytes = Champion(2, "mem://artifacts/elsewhere", old.artifact_sha256)
    plan = plan_archive(old, [same_bytes], "mem://archive")
    assert (plan.action, plan.archived) == ("keep", False)
    assert "version(s) 2 use the same bytes" in plan.why


def test_bytes_shared_only_with_retired_versions_are_archived(kit: SimpleNamespace) -> None:
    old = kit.version(1, "superseded")
    twin = replace(kit.version(2, "retired"), artifact_uri=old.artifact_uri)
    assert plan_archive(old, [twin], "mem://archive").action == "move"


def test_bytes_already_in_the_archive_stay_there(kit: SimpleNamespace) -> None:
    restored = replace(kit.version(1, "superseded"), artifact_uri="mem://archive/ab/cd/model.skops")
    plan = plan_archive(restored, [], "mem://archive")
    assert (plan.action, plan.archived, plan.why) == ("keep", True, "already in the archive")


def test_an_unknown_artifact_location_is_said(kit: SimpleNamespace) -> None:
    plan = plan_archive(replace(kit.version(1, "rejected"), artifact_uri=None), [], "mem://archive")
    assert (plan.action, plan.why) == ("none", "the artifact location is unknown")


def test_the_sweep_retires_versions_idle_longer_than_the_ttl(kit: SimpleNamespace) -> None:
    policy = kit.spec_with().model("churn").retention
    versions = [kit.version(1, "candidate", age_days=8), kit.version(2, "champion", age_days=30),
                kit.version(3, "challenger", age_days=2)]  # fmt: skip
    picked = plan_sweep("churn", policy, versions, 2, kit.T0)
    assert [(r.version, r.reason) for r in picked] == [(1, "ttl")]
    assert "candidate since" in picked[0].detail
    assert "candidate_ttl_days (7)" in picked[0].detail


def test_the_sweep_keeps_the_newest_versions_and_retires_the_rest(kit: SimpleNamespace) -> None:
    policy = kit.spec_with(keep_last=2).model("churn").retention
    versions = [kit.version(n, "rejected") for n in (1, 2, 3)] + [kit.version(4, "champion")]
    picked = plan_sweep("churn", policy, versions, 4, kit.T0)
    assert [(r.version, r.reason) for r in picked] == [(2, "keep_last"), (1, "keep_last")]


def test_the_sweep_never_retires_the_champion_however_old(kit: SimpleNamespace) -> None:
    policy = kit.spec_with(keep_last=1).model("churn").retention
    versions = [kit.version(1, "champion", age_days=400)] + [
        kit.version(n, "candidate", age_days=0.5) for n in (2, 3)
    ]
    picked = plan_sweep("churn", policy, versions, 1, kit.T0)
    assert [(r.version, r.reason) for r in picked] == [(2, "keep_last")]


def test_the_sweep_skips_versions_already_retired(kit: SimpleNamespace) -> None:
    policy = kit.spec_with().model("churn").retention
    versions = [kit.version(1, "retired", age_days=90), kit.version(2, "superseded", age_days=90)]
    assert plan_sweep("churn", policy, versions, None, kit.T0, already_retired={2}) == []


T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def record(n: int, days_ago: float, **kw: object) -> RetirementRecord:
    t0 = T0
    values: dict[str, object] = {
        "id": n, "model": "churn", "version": n, "reason": "replaced", "detail": "", "state": "retired",
        "requested_at": t0 - timedelta(days=days_ago), "event_id": f"e{n}", "correlation_id": "c",
        "causation_id": None, "traceparent": "tp", "retired_at": t0 - timedelta(days=days_ago),
        "archive_uri": f"mem://archive/{n}", "archived": True,
    }  # fmt: skip
    return RetirementRecord(**{**values, **kw})  # type: ignore[arg-type]


def test_archives_past_the_restore_window_are_purged(kit: SimpleNamespace) -> None:
    policies = {"churn": kit.spec_with().model("churn").retention}
    records = [record(1, days_ago=31), record(2, days_ago=29)]
    assert [r.version for r in plan_purge(records, policies, kit.T0)] == [1]


def test_archives_still_needed_are_not_purged(kit: SimpleNamespace) -> None:
    policies = {"churn": kit.spec_with().model("churn").retention}
    records = [
        record(1, days_ago=40),
        record(2, days_ago=40, archive_uri="mem://archive/3"),
        record(3, days_ago=40, state="restored"),
        record(4, days_ago=40, archived=False),
        record(5, days_ago=40, purged_at=kit.T0),
        record(6, days_ago=40, model="not_in_spec"),
    ]
    assert [r.version for r in plan_purge(records, policies, kit.T0, live={("churn", 1)})] == []


def test_a_retired_version_is_restorable_only_within_the_window(kit: SimpleNamespace) -> None:
    window = timedelta(days=30)
    assert record(1, days_ago=29).restorable(window, kit.T0)
    assert not record(1, days_ago=31).restorable(window, kit.T0)
    assert not record(1, days_ago=1, archive_uri=None).restorable(window, kit.T0)
    assert not record(1, days_ago=1, state="restored").restorable(window, kit.T0)
