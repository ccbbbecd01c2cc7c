"""A real PostgreSQL server for tests: ``$DRIFTLINE_TEST_POSTGRES_URL``, or one started here.

The session-scoped `postgres_url` fixture yields a libpq URL
(``postgresql://postgres@127.0.0.1:<port>/postgres``; SQLAlchemy users add their
driver, e.g. ``postgresql+psycopg://``). Without the environment variable it runs
``initdb`` and ``pg_ctl`` from the installed PostgreSQL binaries in a temporary
directory (trust authentication, 127.0.0.1 on a free port, the unix socket
inside that directory), as the ``postgres`` user when the tests run as root
(the server refuses root), and stops it and removes the directory at the end.
Missing binaries fail the tests that need them, saying how to install them.
`create_database(url, name)` gives a test its own empty database on that server.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

import pytest

from driftline.broker import free_port

__all__ = ["ENV_VAR", "create_database", "find_pg_bin", "postgres_url", "running_postgres"]

ENV_VAR = "DRIFTLINE_TEST_POSTGRES_URL"
BIN_ENV_VAR = "DRIFTLINE_TEST_POSTGRES_BIN"
INSTALL_HINT = (
    "install the PostgreSQL server binaries (`apt-get install -y postgresql`), "
    f"point {BIN_ENV_VAR} at their folder, or set {ENV_VAR} to a running server's URL"
)


class PostgresUnavailableError(RuntimeError):
    """No PostgreSQL server could be found or started."""


def find_pg_bin() -> Path:
    """The folder holding initdb and pg_ctl (PostgreSQL 15 preferred)."""
    candidates = [os.environ[BIN_ENV_VAR]] if os.environ.get(BIN_ENV_VAR) else []
    candidates += ["/usr/lib/postgresql/15/bin"]
    candidates += sorted(map(str, Path("/usr/lib/postgresql").glob("*/bin")), reverse=True)
    if found := shutil.which("pg_ctl"):
        candidates.append(str(Path(found).parent))
    for folder in candidates:
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    raise PostgresUnavailableError(
        f"PostgreSQL server binaries (initdb, pg_ctl) not found; {INSTALL_HINT}"
    )


def _as_server_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _run(argv: list[str], what: str) -> None:
    done = subprocess.run(_as_server_user(argv), capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise PostgresUnavailableError(
            f"{what} failed ({done.returncode}): {(done.stderr or done.stdout).strip()[-2000:]}"
        )


@contextmanager
def running_postgres() -> Iterator[str]:
    """Start a throwaway server; yield its URL; stop it and delete its files."""
    bindir = find_pg_bin()
    root = Path(tempfile.mkdtemp(prefix="driftline-pg-"))
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailableError(
                f"running as root and no `postgres` user; {INSTALL_HINT}"
            ) from None
        os.chown(root, user.pw_uid, user.pw_gid)
    data, port = root / "data", free_port()
    pg_ctl = [str(bindir / "pg_ctl"), "-D", str(data)]
    _run([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
          "-E", "UTF8", "--no-sync"], "initdb")  # fmt: skip
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"
    )
    try:
        _run([*pg_ctl, "-o", options, "-l", str(root / "server.log"), "-w", "-t", "60", "start"],
             "pg_ctl start")  # fmt: skip
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        with suppress(PostgresUnavailableError):  # not started, or already gone
            _run([*pg_ctl, "-m", "fast", "-w", "stop"], "pg_ctl stop")
        shutil.rmtree(root, ignore_errors=True)


def create_database(url: str, name: str) -> str:
    """Drop and create database `name` on the server at `url`; return its URL."""
    import psycopg  # the caller's dependency: only tests that use PostgreSQL import this

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + f"/{name}"


def pytest_report_header(config: pytest.Config) -> list[str]:
    if os.environ.get(ENV_VAR):
        return [f"driftline postgres: EXTERNAL -- {ENV_VAR} is set"]
    try:
        return [f"driftline postgres: STARTED ON DEMAND from {find_pg_bin()}"]
    except PostgresUnavailableError as exc:
        return [f"driftline postgres: UNAVAILABLE -- {exc}"]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A libpq URL of a real PostgreSQL server that lives for the test session."""
    if url := os.environ.get(ENV_VAR):
        yield url
        return
    with ExitStack() as stack:
        try:
            url = stack.enter_context(running_postgres())
        except PostgresUnavailableError as exc:
            pytest.fail(str(exc), pytrace=False)
        yield url
