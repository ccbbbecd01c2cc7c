"""Models, versions, aliases and history in SQL (SQLAlchemy Core, one connection per unit of work)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from driftline_registry.adapters.tables import (
    model_aliases,
    model_versions,
    registered_models,
    transitions,
)
from driftline_registry.domain import (
    ConcurrencyError,
    ModelVersion,
    RegisteredModel,
    Status,
    Transition,
)

__all__ = ["SqlHistory", "SqlModelRepository"]

_VERSION_FIELDS = [c.name for c in model_versions.columns if c.name != "status"]


def _version(row: sa.RowMapping) -> ModelVersion:
    return ModelVersion(status=Status(row["status"]), **{k: row[k] for k in _VERSION_FIELDS})


def _version_values(version: ModelVersion) -> dict[str, Any]:
    values = {k: getattr(version, k) for k in _VERSION_FIELDS}
    values["status"] = version.status.value
    return values


class SqlModelRepository:
    """With ``lock``, `get` locks the model's row (``FOR UPDATE``) until the transaction ends:
    writers of one model queue up, and each loads what the previous one committed."""

    def __init__(self, connection: sa.Connection, *, lock: bool = False) -> None:
        self._db = connection
        self._lock = lock

    def get(self, name: str) -> RegisteredModel | None:
        query = sa.select(registered_models).where(registered_models.c.name == name)
        if self._lock:
            query = query.with_for_update()
        row = self._db.execute(query).mappings().first()
        return None if row is None else self._load([row])[0]

    def all(self) -> list[RegisteredModel]:
        rows = (
            self._db.execute(sa.select(registered_models).order_by(registered_models.c.name))
            .mappings()
            .all()
        )
        return self._load(list(rows))

    def _load(self, rows: list[sa.RowMapping]) -> list[RegisteredModel]:
        names = [r["name"] for r in rows]
        versions: dict[str, list[ModelVersion]] = {n: [] for n in names}
        for row in self._db.execute(
            sa.select(model_versions)
            .where(model_versions.c.model_name.in_(names))
            .order_by(model_versions.c.model_name, model_versions.c.version)
        ).mappings():
            versions[row["model_name"]].append(_version(row))
        aliases: dict[str, dict[str, int]] = {n: {} for n in names}
        for alias in self._db.execute(
            sa.select(model_aliases).where(model_aliases.c.model_name.in_(names))
        ).mappings():
            aliases[alias["model_name"]][alias["alias"]] = alias["version"]
        return [
            RegisteredModel(r["name"], versions[r["name"]], aliases[r["name"]], r["revision"])
            for r in rows
        ]

    def save(self, model: RegisteredModel) -> None:
        try:
            self._save(model, datetime.now(UTC))
        except sa.exc.IntegrityError as exc:
            raise ConcurrencyError(
                f"model {model.name!r}: a concurrent change won ({exc.orig})"
            ) from exc
        model.mark_saved()

    def _save(self, model: RegisteredModel, now: datetime) -> None:
        if model.revision == 0:
            self._db.execute(
                registered_models.insert().values(
                    name=model.name, revision=1, created_at=now, updated_at=now
                )
            )
        else:
            # The optimistic lock: the second of two concurrent writers updates no row.
            updated = self._db.execute(
                registered_models.update()
                .where(registered_models.c.name == model.name)
                .where(registered_models.c.revision == model.revision)
                .values(revision=model.revision + 1, updated_at=now)
            )
            if updated.rowcount != 1:
                raise ConcurrencyError(f"model {model.name!r} was changed by another writer")
        self._save_versions(model)
        self._save_aliases(model, now)
        if model.transitions:
            self._db.execute(
                transitions.insert(), [_transition_values(t) for t in model.transitions]
            )

    def _save_versions(self, model: RegisteredModel) -> None:
        # Whoever leaves a serving status is written first, so the unique indexes
        # never see two champions (or challengers) inside the transaction.
        changed = sorted(
            model.changed_versions - model.new_versions,
            key=lambda n: model.versions[n].status in (Status.CHAMPION, Status.CHALLENGER),
        )
        for number in sorted(model.new_versions):
            self._db.execute(
                model_versions.insert().values(_version_values(model.versions[number]))
            )
        for number in changed:
            values = _version_values(model.versions[number])
            self._db.execute(
                model_versions.update()
                .where(model_versions.c.model_name == model.name)
                .where(model_versions.c.version == number)
                .values({k: v for k, v in values.items() if k not in ("model_name", "version")})
            )

    def _save_aliases(self, model: RegisteredModel, now: datetime) -> None:
        stored = {
            r.alias: r.version
            for r in self._db.execute(
                sa.select(model_aliases.c.alias, model_aliases.c.version).where(
                    model_aliases.c.model_name == model.name
                )
            )
        }
        for alias, version in stored.items():
            if model.aliases.get(alias) != version:
                self._db.execute(
                    model_aliases.delete()
                    .where(model_aliases.c.model_name == model.name)
                    .where(model_aliases.c.alias == alias)
                )
        for alias, version in model.aliases.items():
            if stored.get(alias) != version:
                self._db.execute(
                    model_aliases.insert().values(
                        model_name=model.name, alias=alias, version=version, updated_at=now
                    )
                )

    def count_by_status(self) -> dict[tuple[str, str], int]:
        query = sa.select(
            model_versions.c.model_name, model_versions.c.status, sa.func.count()
        ).group_by(model_versions.c.model_name, model_versions.c.status)
        return {(name, status): count for name, status, count in self._db.execute(query)}


def _transition_values(t: Transition) -> dict[str, Any]:
    return {
        "model_name": t.model_name, "version": t.version,
        "from_status": t.from_status.value if t.from_status else None,
        "to_status": t.to_status.value, "at": t.at, "event_id": t.event_id,
        "event_type": t.event_type, "correlation_id": t.correlation_id, "actor": t.actor,
        "reason": t.reason, "evidence": t.evidence, "announced_by": t.announced_by,
    }  # fmt: skip


class SqlHistory:
    def __init__(self, connection: sa.Connection) -> None:
        self._db = connection

    def for_model(self, name: str, version: int | None = None) -> list[Transition]:
        query = sa.select(transitions).where(transitions.c.model_name == name)
        if version is not None:
            query = query.where(transitions.c.version == version)
        rows = self._db.execute(query.order_by(transitions.c.id)).mappings()
        return [
            Transition(
                model_name=r["model_name"],
                version=r["version"],
                from_status=Status(r["from_status"]) if r["from_status"] else None,
                to_status=Status(r["to_status"]),
                at=r["at"],
                event_id=r["event_id"],
                event_type=r["event_type"],
                correlation_id=r["correlation_id"],
                actor=r["actor"],
                reason=r["reason"],
                evidence=r["evidence"],
                announced_by=r["announced_by"],
            )
            for r in rows
        ]
