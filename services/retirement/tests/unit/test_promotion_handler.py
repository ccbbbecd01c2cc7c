"""A full promotion retires the previous champion: archived, recorded, announced, exactly once."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from driftline.events import ModelRetired
from driftline_retirement.bootstrap import RetirementService
from driftline_retirement.domain import VersionInfo
from driftline_retirement.handlers import on_model_promoted, on_model_rolled_back


def champion_replaced(fakes: Any, kit: SimpleNamespace) -> Any:
    """v1 was champion; the registry has just crowned v2 and announces it."""
    old, new = kit.version(1, "superseded"), kit.version(2, "champion")
    fakes.registry.put(old, new)
    fakes.archive.add(old.artifact_uri)
    fakes.archive.add(new.artifact_uri)
    return kit.message(kit.promoted(2, previous=1))


def retired_events(fakes: Any) -> list[Any]:
    return [(e, meta) for e, meta, _ in fakes.publisher.published if isinstance(e, ModelRetired)]


def test_a_promotion_retires_the_previous_champion(
    service: RetirementService, fakes: Any, kit: SimpleNamespace
) -> None:
    promotion = champion_replaced(fakes, kit)
    on_model_promoted(promotion, service.context)
    [(event, _meta)] = retired_events(fakes)
    sha = kit.SHA[1]
    assert event == ModelRetired(
        model_name="churn", version=1, reason="replaced",
        archive_uri=f"mem://archive/{sha[:2]}/{sha}/model.skops", retired_by="driftline/retirement",
    )  # fmt: skip
    assert fakes.archive.moved == [(kit.version(1, "x").artifact_uri, event.archive_uri)]
    [record] = service.ledger.records("churn")
    assert (record.state, record.archive_uri, record.retired_at) == (
        "retired",
        event.archive_uri,
        kit.T0,
    )
    assert record.announced_at is not None
    assert "replaced by version 2" in record.detail


def test_the_retirement_event_is_caused_by_the_promotion(
    service: RetirementService, fakes: Any, kit: SimpleNamespace
) -> None:
    promotion = champion_replaced(fakes, kit)
    on_model_promoted(promotion, service.context)
    [(_, meta)] = retired_events(fakes)
    assert meta.correlation_id == promotion.meta.correlation_id
    assert meta.causation_id == promotion.meta.id
    assert meta.trace_id == promotion.meta.trace_id
    assert meta.source == "driftline/retirement"


def test_a_redelivered_promotion_retires_once(
    service: RetirementService, fakes: Any, kit: SimpleNamespace
) -> None:
    promotion = champion_replaced(fakes, kit)
    on_model_promoted(promotion, service.context)
    on_model_promoted(promotion, service.context)
    on_model_promoted(kit.message(promotion.event), service.context)  # same fact, new event id
    assert len(retired_events(fakes)) == 1
    assert len(fakes.archive.moved) == 1
    assert len(service.ledger.records()) == 1


def test_an_old_promotion_redelivered_after_a_rollback_leaves_the_champion_alone(
    service: RetirementService, fakes: Any, kit: SimpleNamespace
) -> None:
    promotion = champion_replaced(fakes, kit)
    fakes.registry.set_status("churn", 1, "champion")  # rolled back to v1 meanwhile
    fakes.registry.set_status("churn", 2, "rejected")
    on_model_promoted(promotion, service.context)
    assert retired_events(fakes) == []
    assert fakes.archive.moved == []
    [record] = service.ledger.records("churn")
    assert (record.state, record.note) == ("cancelled", "version 1 is the current champion")


def test_canary_rollouts_retire_nothing(
    service: RetirementService, fakes: Any, kit: SimpleNamespace
) -> None:
    on_model_promoted(kit.message(kit.promoted(2, previous=1, rollout="canary")), service.context)
    assert fakes.publisher.published == []
    assert service.ledger.known("churn", 2).status == "challenger"  # type: ignore[union-attr]


def test_promotions_of_models_outside_the_spec_are_ignored(
    service: RetirementService, fakes: Any, kit: SimpleNamespace
) -> None:
    on_model_promoted(kit.message(kit.promoted(2, previous=1, model="elsewhere")), service.context)
    assert fakes.publisher.published == []
    assert fakes.registry.calls == []


def test_bytes_the_champion_still_uses_stay_in_place(
    service: RetirementService, fakes: Any, kit: SimpleNamespace
) -> None:
    old = kit.version(1, "superseded")
    fakes.registry.put(
        old, VersionInfo("churn", 2, "champion", old.artifact_uri, old.artifact_sha256)
    )
    on_model_promoted(kit.message(kit.promoted(2, previous=1)), service.context)
    [(event, _)] = retired_events(fakes)
    assert event.archive_uri == old.artifact_uri
    assert fakes.archive.moved == []


def test_a_missing_artifact_still_retires_but_says_it_cannot_be_restored(
    service: RetirementService, fakes: Any, kit: SimpleNamespace
) -> None:
    fakes.registry.put(kit.version(1, "superseded"), kit.version(2, "champion"))
    on_model_promoted(kit.message(kit.promoted(2, previous=1)), service.context)
    [(event, _)] = retired_events(fakes)
    assert event.archive_uri is None
    assert "artifact missing, cannot be restored" in service.ledger.records()[0].note


def test_when_the_registry_is_down_the_retirement_waits_and_resumes(
    service: RetirementService, fakes: Any, kit: SimpleNamespace
) -> None:
    promotion = champion_replaced(fakes, kit)
    fakes.registry.down = True
    on_model_promoted(promotion, service.context)  # no exception: nothing to dead-letter
    assert retired_events(fakes) == []
    assert [r.state for r in service.ledger.outstanding()] == ["pending"]
    fakes.registry.down = False
    [outcome] = service.retirer.resume()
    assert outcome.result == "retired"
    [(_, meta)] = retired_events(fakes)
    assert meta.causation_id == promotion.meta.id


def test_an_unacknowledged_announcement_is_sent_again_with_the_same_id(
    service: RetirementService, fakes: Any, kit: SimpleNamespace
) -> None:
    promotion = champion_replaced(fakes, kit)
    real_publish = fakes.publisher.publish

    def broker_down(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("broker unreachable")

    fakes.publisher.publish = broker_down
    with pytest.raises(RuntimeError, match="broker unreachable"):
        on_model_promoted(promotion, service.context)
    assert service.ledger.records()[0].state == "retired"  # archived, event still owed
    fakes.publisher.publish = real_publish
    [outcome] = service.retirer.resume()
    assert outcome.result == "already_retired"
    [(_, meta)] = retired_events(fakes)
    assert meta.id == service.ledger.records()[0].event_id
    assert service.ledger.outstanding() == []


def test_a_rollback_restores_a_retired_version(
    service: RetirementService, fakes: Any, kit: SimpleNamespace
) -> None:
    on_model_promoted(champion_replaced(fakes, kit), service.context)
    archived = service.ledger.records()[0].archive_uri
    on_model_rolled_back(kit.message(kit.rolled_back(2, 1, artifact_uri=archived)), service.context)
    [record] = service.ledger.records("churn")
    assert record.state == "restored"
    assert "restored as champion by rollback" in record.note
    assert service.ledger.known("churn", 1).artifact_uri == archived  # type: ignore[union-attr]
