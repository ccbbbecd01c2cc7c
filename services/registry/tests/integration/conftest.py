"""Integration support: real databases (a SQLite file, a real PostgreSQL server)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from driftline.testing.postgres import create_database
from driftline_registry.adapters import create_engine, run_migrations

BACKENDS = ["sqlite", "postgresql"]


def database_url(backend: str, request: pytest.FixtureRequest, tmp_dir: Path) -> str:
    """A fresh, empty database of the given kind for one module or class."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_dir / 'registry.db'}"
    server: str = request.getfixturevalue("postgres_url")
    return create_database(server, f"registry_{uuid.uuid4().hex[:12]}")


@pytest.fixture(scope="module", params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """One fresh database per module and backend (tests in the module share it)."""
    return database_url(request.param, request, tmp_path_factory.mktemp("registry"))


@pytest.fixture(scope="module")
def migrated_engine(db_url: str) -> Iterator[sa.Engine]:
    engine = create_engine(db_url)
    run_migrations(engine)
    yield engine
    engine.dispose()
