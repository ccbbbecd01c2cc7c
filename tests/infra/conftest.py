"""Fixtures of the infrastructure tests: a private copy of terraform/, the CLI, timings.

Terraform runs offline: the providers come from the plugin directory
(`$DRIFTLINE_TF_PLUGIN_DIR`, default /opt/tf-plugins) when it exists, from the
public registry through a shared plugin cache otherwise. A missing terraform
binary fails these tests; it never skips them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TERRAFORM_DIR = REPO / "terraform"
PLUGIN_DIR = Path(os.environ.get("DRIFTLINE_TF_PLUGIN_DIR", "/opt/tf-plugins"))
TIMINGS: dict[str, float] = {}


@dataclass
class Terraform:
    """Runs terraform in a copy of terraform/ with an isolated CLI configuration."""

    binary: str
    root: Path
    env: dict[str, str]
    init_args: list[str] = field(default_factory=list)

    def run(
        self,
        where: str | Path,
        *args: str,
        check: bool = True,
        extra_env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        cwd = self.root / where
        done = subprocess.run(
            [self.binary, *args, "-no-color"],
            cwd=cwd,
            env={**self.env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if check and done.returncode != 0:
            pytest.fail(
                f"terraform {' '.join(args)} failed in {where} (exit {done.returncode}):\n"
                f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}",
                pytrace=False,
            )
        return done

    def init(self, where: str | Path) -> None:
        self.run(where, "init", "-backend=false", "-input=false", *self.init_args)


def _terraform_binary() -> str:
    binary = shutil.which("terraform")
    if binary is None:
        pytest.fail(
            "terraform is not on PATH: the infrastructure tests need Terraform >= 1.11 "
            "(https://developer.hashicorp.com/terraform/install); CI has it at /usr/local/bin",
            pytrace=False,
        )
    return binary


@pytest.fixture(scope="session")
def terraform(tmp_path_factory: pytest.TempPathFactory) -> Terraform:
    """terraform, in a private copy of terraform/ (nothing is written into the checkout)."""
    binary = _terraform_binary()
    base = tmp_path_factory.mktemp("terraform")
    root = base / "tree"
    shutil.copytree(
        TERRAFORM_DIR,
        root,
        ignore=shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate*"),
    )
    cli_config = base / "terraformrc"
    init_args: list[str] = []
    if PLUGIN_DIR.is_dir():
        cli_config.write_text("# offline: providers come from -plugin-dir\n")
        init_args.append(f"-plugin-dir={PLUGIN_DIR}")
    else:
        cache = Path.home() / ".cache" / "driftline" / "terraform-plugins"
        cache.mkdir(parents=True, exist_ok=True)
        cli_config.write_text(f'plugin_cache_dir = "{cache}"\n')
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "TF_")) or key == "AWS_CA_BUNDLE"
    }
    env.update(
        TF_CLI_CONFIG_FILE=str(cli_config),
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        CHECKPOINT_DISABLE="1",
    )
    return Terraform(binary=binary, root=root, env=env, init_args=init_args)


@pytest.fixture(scope="session")
def stopwatch() -> Callable[[str], AbstractContextManager[None]]:
    """`with stopwatch("terraform apply"):` records how long the block took."""

    @contextmanager
    def lap(name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            TIMINGS[name] = time.perf_counter() - started

    return lap


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TIMINGS:
        terminalreporter.section("infrastructure timings")
        for name, seconds in TIMINGS.items():
            terminalreporter.write_line(f"{seconds:8.1f}s  {name}")
