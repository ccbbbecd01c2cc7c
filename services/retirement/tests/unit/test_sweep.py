"""The sweep applies each model's retention policy, announces what it retired, purges old archives."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from driftline.events import ModelRetired
from driftline_retirement.bootstrap import RetirementService
from driftline_retirement.domain import Retirement


def stock(fakes: Any, kit: SimpleNamespace) -> None:
    """v1-v3 rejected (old), v4 stale candidate, v5 champion, v6 and v7 fresh candidates."""
    versions = [kit.version(n, "rejected", age_days=1) for n in (1, 2, 3)] + [
        kit.version(4, "candidate", age_days=10),
        kit.version(5, "champion", age_days=60),
        kit.version(6, "candidate", age_days=1),
        kit.version(7, "challenger", age_days=1),
    ]
    fakes.registry.put(*versions)
    for v in versions:
        fakes.archive.add(v.artifact_uri)


def test_the_sweep_retires_stale_and_surplus_versions_but_never_the_champion(
    service: RetirementService, fakes: Any, kit: SimpleNamespace
) -> None:
    stock(fakes, kit)
    report = service.sweeper.sweep("api", correlation_id="sweep-1")
    assert report.outcome == "ok"
    assert report.errors == {}
    retired = sorted((o.version, o.reason, o.result) for o in report.retired)
    assert retired == [(1, "keep_last", "retired"), (2, "keep_last", "retired"),
                       (3, "keep_last", "retired"), (4, "ttl", "retired")]  # fmt: skip
    events = list(fakes.publisher.events(ModelRetired))
    assert sorted((e.version, e.reason) for e in events) == [(v, r) for v, r, _ in retired]
    assert all(e.archive_uri and e.archive_uri.startswith("mem://archive/") for e in events)
    assert {meta.correlation_id for _, meta, _ in fakes.publisher.published} == {"sweep-1"}
    assert 5 not in {e.version for e in events}


def test_a_second_sweep_finds_nothing_more_to_do(
    service: RetirementService, fakes: Any, kit: SimpleNamespace
) -> None:
    stock(fakes, kit)
    service.sweeper.sweep()
    published = len(fakes.publisher.published)
    again = service.sweeper.sweep()
    assert again.retired == []
    assert again.purged == []
    assert len(fakes.publisher.published) == published


def test_archives_are_purged_once_the_restore_window_closes(
    service: RetirementService, fakes: Any, kit: SimpleNamespace
) -> None:
    stock(fakes, kit)
    service.sweeper.sweep()
    for record in service.ledger.records("churn"):
        fakes.registry.set_status("churn", record.version, "retired")
    fakes.clock.advance(days=29)
    later = service.sweeper.sweep()
    assert later.purged == []
    assert sorted((o.version, o.reason) for o in later.retired) == [(6, "ttl"), (7, "ttl")]
    fakes.clock.advance(days=2)
    report = service.sweeper.sweep()
    assert sorted(p.version for p in report.purged) == [1, 2, 3, 4]
    assert all("can no longer be restored" in p.detail for p in report.purged)
    assert sorted(fakes.archive.purged) == sorted(p.archive_uri for p in report.purged)
    assert service.ledger.archived_counts() == {"churn": 2}  # v6, v7: retired two days ago
    assert service.sweeper.sweep().purged == []


def test_an_archive_restored_by_rollback_is_never_purged(
    service: RetirementService, fakes: Any, kit: SimpleNamespace
) -> None:
    stock(fakes, kit)
    service.sweeper.sweep()
    service.retirer.restored("churn", 4, "rolled back to v4")
    fakes.registry.set_status("churn", 4, "champion")
    [restored] = [r for r in service.ledger.records("churn") if r.version == 4]
    fakes.clock.advance(days=60)
    assert 4 not in {p.version for p in service.sweeper.sweep().purged}
    assert restored.state == "restored"
    assert restored.archive_uri in fakes.archive.files


def test_a_model_the_registry_cannot_answer_for_is_reported_not_guessed(
    service: RetirementService, fakes: Any, kit: SimpleNamespace
) -> None:
    stock(fakes, kit)
    fakes.registry.down = True
    report = service.sweeper.sweep()
    assert report.outcome == "partial"
    assert report.errors == {"churn": "the fake registry is down"}
    assert fakes.publisher.published == []


def test_the_sweep_first_finishes_deferred_retirements(
    service: RetirementService, fakes: Any, kit: SimpleNamespace
) -> None:
    fakes.registry.put(kit.version(1, "superseded"), kit.version(2, "champion"))
    fakes.registry.down = True
    service.retirer.retire(Retirement("churn", 1, "replaced", "replaced by v2"))
    fakes.registry.down = False
    report = service.sweeper.sweep()
    assert [(o.version, o.result) for o in report.resumed] == [(1, "retired")]
