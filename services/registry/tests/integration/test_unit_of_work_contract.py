"""The registry's storage contract, run against every adapter: SQLite and PostgreSQL.

`UnitOfWorkContract` states the behaviour (STYLE rule 8); each backend subclasses
it with its own engine. PostgreSQL adds what only a multi-writer server shows.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from driftline.bus.ports import event_type_name
from driftline.envelope import Metadata
from driftline.events import ModelPromoted
from driftline.spec import PromotionPolicy
from driftline.testing.postgres import create_database
from driftline_registry.adapters import SqlUnitOfWorkFactory, create_engine, run_migrations
from driftline_registry.adapters.database import current_revision, downgrade, head_revision
from driftline_registry.adapters.tables import metadata
from driftline_registry.domain import (
    ConcurrencyError,
    PromoteVersion,
    RegisteredModel,
    Status,
)
from driftline_registry.handlers import Context, promote_version

pytestmark = pytest.mark.integration


def a_model(build: Any, name: str = "churn", runs: int = 1) -> RegisteredModel:
    model = RegisteredModel(name)
    for n in range(1, runs + 1):
        model.register(build.trained(model=name, run_id=f"run-{n}"),
                       build.cause(event_type="ModelTrained", event_id=f"t{n}"))  # fmt: skip
    model.apply_evaluation(build.evaluated(model=name, run_id="run-1"), PromotionPolicy(),
                           build.cause(event_id="e1"))  # fmt: skip
    return model


def save(uow: SqlUnitOfWorkFactory, model: RegisteredModel) -> list[Any]:
    announcements = list(model.announcements)
    with uow() as tx:
        tx.models.save(model)
        for a in announcements:
            meta = Metadata(type=event_type_name(type(a.event)), source="test", id=a.id,
                            correlation_id="corr", causation_id="cause")  # fmt: skip
            tx.outbox.add(a, meta, key=model.name)
        tx.commit()
    return announcements


class UnitOfWorkContract:
    @pytest.fixture
    def engine(self) -> sa.Engine:
        raise NotImplementedError

    @pytest.fixture
    def uow(self, engine: sa.Engine) -> SqlUnitOfWorkFactory:
        with engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                connection.execute(table.delete())
        return SqlUnitOfWorkFactory(engine)

    def test_migrations_reach_head(self, engine: sa.Engine) -> None:
        assert current_revision(engine) == head_revision()

    def test_saves_and_loads_a_model_with_versions_aliases_and_history(
        self, uow: SqlUnitOfWorkFactory, build: Any
    ) -> None:
        save(uow, a_model(build, runs=2))
        with uow(readonly=True) as tx:
            loaded = tx.models.get("churn")
            history = tx.history.for_model("churn")
        assert loaded is not None
        assert loaded.revision == 1
        assert loaded.aliases == {"champion": 1}
        assert [v.status for v in loaded.versions.values()] == [Status.CHAMPION, Status.CANDIDATE]
        v1 = loaded.get(1)
        assert v1.lineage["feature_names"] == ["tenure", "spend"]
        assert v1.champion_since == build.T0
        assert v1.registered_at.tzinfo is not None
        assert [(t.from_status, t.to_status) for t in history] == [
            (None, Status.CANDIDATE), (None, Status.CANDIDATE), (Status.CANDIDATE, Status.CHAMPION),
        ]  # fmt: skip
        assert history[-1].evidence["checks"]["gate"] is True

    def test_changes_are_saved_on_top_of_the_stored_model(
        self, uow: SqlUnitOfWorkFactory, build: Any
    ) -> None:
        save(uow, a_model(build, runs=2))
        with uow() as tx:
            model = tx.models.get("churn")
            assert model is not None
            model.promote(2, "hotfix", build.cause(event_type="manual.promote"))
            tx.models.save(model)
            tx.commit()
        with uow(readonly=True) as tx:
            again = tx.models.get("churn")
        assert again is not None
        assert (again.revision, again.aliases) == (2, {"champion": 2})
        assert again.get(1).status is Status.SUPERSEDED

    def test_nothing_uncommitted_survives(self, uow: SqlUnitOfWorkFactory, build: Any) -> None:
        model = a_model(build)
        with uow() as tx:
            tx.models.save(model)
            tx.processed.add("ev-x", "ModelTrained", build.T0)
        with uow(readonly=True) as tx:
            assert tx.models.get("churn") is None
            assert not tx.processed.seen("ev-x")

    def test_a_run_registers_once_under_its_natural_key(
        self, uow: SqlUnitOfWorkFactory, build: Any
    ) -> None:
        save(uow, a_model(build))
        with uow() as tx:
            model = tx.models.get("churn")
            assert model is not None
            model.versions.clear()  # as if this writer had not seen run-1 yet
            model.register(build.trained(run_id="run-1"), build.cause())
            with pytest.raises(ConcurrencyError):
                tx.models.save(model)

    def test_the_second_writer_of_a_stale_model_loses(
        self, uow: SqlUnitOfWorkFactory, build: Any
    ) -> None:
        save(uow, a_model(build, runs=2))
        with uow(readonly=True) as tx:
            first, second = tx.models.get("churn"), tx.models.get("churn")
        assert first is not None
        assert second is not None
        first.promote(2, "one", build.cause())
        save(uow, first)
        second.promote(2, "two", build.cause())
        with pytest.raises(ConcurrencyError), uow() as tx:
            tx.models.save(second)

    def test_the_database_refuses_a_second_champion(
        self, uow: SqlUnitOfWorkFactory, engine: sa.Engine, build: Any
    ) -> None:
        save(uow, a_model(build, runs=2))
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.execute(sa.text(
                "UPDATE model_versions SET status = 'champion' WHERE model_name = 'churn' AND version = 2"
            ))  # fmt: skip

    def test_processed_event_ids_are_remembered(
        self, uow: SqlUnitOfWorkFactory, build: Any
    ) -> None:
        with uow() as tx:
            tx.processed.add("ev-1", "ModelTrained", build.T0)
            tx.commit()
        with uow() as tx:
            assert tx.processed.seen("ev-1")
            with pytest.raises(ConcurrencyError):
                tx.processed.add("ev-1", "ModelTrained", build.T0)

    def test_the_outbox_round_trips_event_and_envelope_in_commit_order(
        self, uow: SqlUnitOfWorkFactory, build: Any
    ) -> None:
        announced = save(uow, a_model(build, runs=2))
        with uow(readonly=True) as tx:
            pending = tx.outbox.pending(10)
            assert tx.outbox.pending_count() == 3
        assert [r.meta.id for r in pending] == [a.id for a in announced]
        assert [r.event for r in pending] == [a.event for a in announced]
        promoted = pending[-1]
        assert isinstance(promoted.event, ModelPromoted)
        assert promoted.meta.type == "driftline.events.ModelPromoted"
        assert (promoted.meta.correlation_id, promoted.meta.causation_id) == ("corr", "cause")
        assert promoted.key == "churn"
        with uow() as tx:
            tx.outbox.mark_published([pending[0].id], build.T0)
            tx.commit()
        with uow(readonly=True) as tx:
            assert [r.id for r in tx.outbox.pending(10)] == [r.id for r in pending[1:]]
            assert tx.outbox.oldest_pending_at() is not None

    def test_concurrent_promotions_leave_exactly_one_champion(
        self, uow: SqlUnitOfWorkFactory, build: Any
    ) -> None:
        save(uow, a_model(build, runs=5))
        ctx = Context(uow=uow, spec=build.SPEC, command_attempts=10)
        start, errors = threading.Barrier(4), []

        def promote(version: int) -> None:
            start.wait()
            try:
                promote_version(PromoteVersion("churn", version, "race", "t", "c"), ctx)
            except Exception as exc:
                errors.append(exc)

        threads = [threading.Thread(target=promote, args=(v,)) for v in (2, 3, 4, 5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        with uow(readonly=True) as tx:
            model = tx.models.get("churn")
            history = tx.history.for_model("churn")
        assert model is not None
        champions = [v.version for v in model.versions.values() if v.status is Status.CHAMPION]
        assert champions == [model.aliases["champion"]]
        assert sum(t.to_status is Status.CHAMPION for t in history) == 5
        assert sum(t.to_status is Status.SUPERSEDED for t in history) == 4


class TestSqliteUnitOfWork(UnitOfWorkContract):
    @pytest.fixture(scope="class")
    @classmethod
    def engine(cls, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sa.Engine]:
        engine = create_engine(f"sqlite:///{tmp_path_factory.mktemp('uow') / 'registry.db'}")
        run_migrations(engine)
        yield engine
        engine.dispose()

    def test_sqlite_runs_in_wal_mode(self, engine: sa.Engine) -> None:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


class TestPostgresUnitOfWork(UnitOfWorkContract):
    @pytest.fixture(scope="class")
    @classmethod
    def engine(cls, postgres_url: str) -> Iterator[sa.Engine]:
        engine = create_engine(create_database(postgres_url, f"uow_{uuid.uuid4().hex[:8]}"))
        run_migrations(engine)
        yield engine
        engine.dispose()

    def test_the_loser_of_a_concurrent_promotion_gets_a_concurrency_error(
        self, uow: SqlUnitOfWorkFactory, build: Any
    ) -> None:
        """Two writers decided on the same snapshot; the database lets only one of them write."""
        save(uow, a_model(build, runs=3))
        with uow(readonly=True) as tx:
            stale = [tx.models.get("churn"), tx.models.get("churn")]
        both_ready, outcomes = threading.Barrier(2), []

        def promote(model: RegisteredModel | None, version: int) -> None:
            assert model is not None
            model.promote(version, "race", build.cause())
            try:
                with uow() as tx:
                    both_ready.wait()
                    tx.models.save(model)
                    tx.commit()
                outcomes.append("won")
            except ConcurrencyError:
                outcomes.append("lost")

        threads = [
            threading.Thread(target=promote, args=(m, v))
            for m, v in zip(stale, (2, 3), strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(outcomes) == ["lost", "won"]
        with uow(readonly=True) as tx:
            model = tx.models.get("churn")
        assert model is not None
        assert [v.status for v in model.versions.values()].count(Status.CHAMPION) == 1


def test_migrations_upgrade_and_downgrade_on_both_backends(
    tmp_path: Path, postgres_url: str
) -> None:
    for url in (f"sqlite:///{tmp_path / 'm.db'}", create_database(postgres_url, "registry_mig")):
        engine = create_engine(url)
        run_migrations(engine)
        run_migrations(engine)  # a second start changes nothing
        assert current_revision(engine) == head_revision()
        downgrade(engine, "base")
        assert sa.inspect(engine).get_table_names() in ([], ["alembic_version"])
        run_migrations(engine)
        assert "outbox" in sa.inspect(engine).get_table_names()
        engine.dispose()
