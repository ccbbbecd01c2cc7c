"""terraform fmt, validate and test (mock_provider "aws") for every module and environment.

Each root is initialised once in a private copy of terraform/; the roots run two at
a time (the machine has two cores), and each test then reads its root's result.
"""

from __future__ import annotations

import re
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
TERRAFORM_DIR = REPO / "terraform"
MODULES = sorted(p.name for p in (TERRAFORM_DIR / "modules").iterdir() if p.is_dir())
ENVIRONMENTS = sorted(p.name for p in (TERRAFORM_DIR / "environments").iterdir() if p.is_dir())
EXAMPLES = sorted(p.name for p in (TERRAFORM_DIR / "examples").iterdir() if p.is_dir())
TESTED_ROOTS = [f"modules/{m}" for m in MODULES] + [f"environments/{e}" for e in ENVIRONMENTS]
ALL_ROOTS = TESTED_ROOTS + [f"examples/{e}" for e in EXAMPLES]
REQUIRED_MODULES = {
    "network",
    "kafka",
    "storage",
    "online_store",
    "registry_db",
    "services",
    "observability",
}


@dataclass(frozen=True)
class RootResult:
    root: str
    validate: subprocess.CompletedProcess[str]
    test: subprocess.CompletedProcess[str] | None
    seconds: float


@pytest.fixture(scope="module")
def results(terraform: Any, stopwatch: Any) -> dict[str, RootResult]:
    def check(root: str) -> RootResult:
        started = time.perf_counter()
        terraform.init(root)
        validate = terraform.run(root, "validate", check=False)
        test = terraform.run(root, "test", check=False) if root in TESTED_ROOTS else None
        return RootResult(root, validate, test, time.perf_counter() - started)

    with (
        stopwatch("terraform init+validate+test, all roots (2 workers)"),
        ThreadPoolExecutor(max_workers=2) as pool,
    ):
        return {r.root: r for r in pool.map(check, ALL_ROOTS)}


def test_every_module_the_issue_names_exists() -> None:
    assert set(MODULES) >= REQUIRED_MODULES
    assert {"dev", "prod"} <= set(ENVIRONMENTS)


@pytest.mark.parametrize("module", MODULES)
def test_module_has_the_terraform_aws_modules_layout(module: str) -> None:
    folder = TERRAFORM_DIR / "modules" / module
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf"):
        assert (folder / name).is_file(), f"{module} lacks {name}"
    assert list((folder / "tests").glob("*.tftest.hcl")), f"{module} has no terraform test"
    for test_file in (folder / "tests").glob("*.tftest.hcl"):
        assert 'mock_provider "aws"' in test_file.read_text(), f"{test_file} must mock aws"


@pytest.mark.parametrize("root", ALL_ROOTS)
def test_every_variable_and_output_is_typed_and_described(root: str) -> None:
    for path in (TERRAFORM_DIR / root).glob("*.tf"):
        text = path.read_text()
        for kind, name, body in _blocks(text, ("variable", "output")):
            assert re.search(r"^\s*description\s*=", body, re.M), (
                f"{path}: {kind} {name} lacks a description"
            )
            if kind == "variable":
                assert re.search(r"^\s*type\s*=", body, re.M), (
                    f"{path}: variable {name} lacks a type"
                )


def test_terraform_files_are_formatted(terraform: Any) -> None:
    done = terraform.run(".", "fmt", "-check", "-recursive", "-diff", check=False)
    assert done.returncode == 0, f"run `terraform fmt -recursive terraform/`:\n{done.stdout}"


@pytest.mark.parametrize("root", ALL_ROOTS)
def test_configuration_is_valid(results: dict[str, RootResult], root: str) -> None:
    result = results[root].validate
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success! The configuration is valid." in result.stdout


@pytest.mark.parametrize("root", TESTED_ROOTS)
def test_terraform_tests_pass_against_the_mock_provider(
    results: dict[str, RootResult], root: str
) -> None:
    result = results[root].test
    assert result is not None
    assert result.returncode == 0, result.stdout + result.stderr
    summary = re.search(r"Success! (\d+) passed, 0 failed", result.stdout)
    assert summary, result.stdout
    assert int(summary.group(1)) >= 3, f"{root} should test more than {summary.group(1)} runs"


def _blocks(text: str, kinds: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(kind, name, body) of each top-level block of the given kinds (braces balanced)."""
    found = []
    for match in re.finditer(r"^(" + "|".join(kinds) + r')\s+"([^"]+)"\s*\{', text, re.M):
        depth, i = 1, match.end()
        while depth and i < len(text):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        found.append((match.group(1), match.group(2), text[match.end() : i - 1]))
    return found
