"""Readiness checks: the online store, the offline root and the broker answer."""

from __future__ import annotations

from collections.abc import Callable

from confluent_kafka.admin import AdminClient

from driftline_features.bootstrap import FeatureService

__all__ = ["ready_checks"]


def ready_checks(service: FeatureService) -> dict[str, Callable[[], bool | str]]:
    common = service.settings.common
    spec = service.deps.spec
    some_dataset = next(iter(spec.datasets))

    def online_store() -> bool:
        service.queries.reader.get(some_dataset, ["__readiness_probe__"])
        return True

    def kafka() -> bool:
        AdminClient(common.admin_config()).list_topics(timeout=2.0)
        return True

    checks: dict[str, Callable[[], bool | str]] = {"online_store": online_store}
    if service.settings.consume:
        checks["kafka"] = kafka
    return checks
