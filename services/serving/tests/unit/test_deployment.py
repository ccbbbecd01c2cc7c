"""The deployment snapshot: promotions, rollbacks, retirements and canary routing (pure)."""

from __future__ import annotations

from driftline_serving.adapters import FakeModel
from driftline_serving.core import Deployment, canary_bucket


def champion_of(version: int) -> Deployment:
    return Deployment("m", champion=FakeModel("m", version))


def test_a_full_promotion_makes_the_version_champion_and_drops_the_challenger() -> None:
    canary = FakeModel("m", 2)
    dep = champion_of(1).promoted(canary, "canary", 0.2)
    new = FakeModel("m", 3)
    after = dep.promoted(new, "full")
    assert after.champion is new
    assert after.challenger is None


def test_promoting_the_serving_champion_again_changes_nothing() -> None:
    dep = champion_of(1)
    assert dep.promoted(FakeModel("m", 1), "full") is dep


def test_a_canary_promotion_adds_a_challenger_with_its_share() -> None:
    dep = champion_of(1).promoted(FakeModel("m", 2), "canary", 0.25)
    assert dep.challenger is not None
    assert (dep.challenger.mode, dep.challenger.fraction) == ("canary", 0.25)
    assert dep.versions_by_role() == {"champion": 1, "canary": 2}


def test_a_shadow_promotion_answers_no_traffic() -> None:
    dep = champion_of(1).promoted(FakeModel("m", 2), "shadow", 0.5)
    assert dep.shadow is not None
    assert dep.shadow.version == 2
    assert {dep.route(f"key-{i}")[1] for i in range(200)} == {"champion"}


def test_a_replayed_canary_promotion_is_the_same_snapshot() -> None:
    model = FakeModel("m", 2)
    dep = champion_of(1).promoted(model, "canary", 0.2)
    assert dep.promoted(model, "canary", 0.2) is dep


def test_canary_routing_is_stable_and_close_to_the_fraction() -> None:
    dep = champion_of(1).promoted(FakeModel("m", 2), "canary", 0.3)
    roles = [dep.route(f"entity-{i}")[1] for i in range(4000)]
    assert roles == [dep.route(f"entity-{i}")[1] for i in range(4000)]
    assert 0.27 < roles.count("canary") / len(roles) < 0.33


def test_the_canary_bucket_is_a_pure_function_of_model_version_and_key() -> None:
    assert canary_bucket("m", 2, "k") == canary_bucket("m", 2, "k")
    assert 0 <= canary_bucket("m", 2, "k") < 1
    assert canary_bucket("m", 2, "k") != canary_bucket("m", 3, "k")


def test_a_canary_rollback_keeps_the_champion_and_drops_the_canary() -> None:
    dep = champion_of(1).promoted(FakeModel("m", 2), "canary", 0.2)
    assert dep.champion is not None
    after = dep.rolled_back(2, dep.champion)
    assert after.champion is dep.champion
    assert after.challenger is None


def test_a_rollback_to_an_older_version_replaces_the_champion() -> None:
    old = FakeModel("m", 1)
    after = champion_of(2).rolled_back(2, old)
    assert after.champion is old


def test_replaying_a_rollback_changes_nothing() -> None:
    dep = champion_of(1)
    assert dep.champion is not None
    assert dep.rolled_back(2, dep.champion) is dep


def test_retiring_the_challenger_unloads_it() -> None:
    dep = champion_of(1).promoted(FakeModel("m", 2), "shadow")
    after, outcome = dep.retired(2)
    assert outcome == "unloaded"
    assert after.challenger is None


def test_retiring_the_champion_is_refused_and_it_keeps_serving() -> None:
    dep = champion_of(1)
    after, outcome = dep.retired(1)
    assert outcome == "refused_champion"
    assert after is dep


def test_retiring_a_version_that_is_not_loaded_changes_nothing() -> None:
    dep = champion_of(3)
    assert dep.retired(1) == (dep, "not_loaded")


def test_the_champion_read_at_start_never_replaces_one_installed_by_an_event() -> None:
    dep = champion_of(3)
    assert dep.with_initial(FakeModel("m", 2)) is dep
    assert Deployment("m").with_initial(FakeModel("m", 2)).versions_by_role() == {"champion": 2}
