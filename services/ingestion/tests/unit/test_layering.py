"""Transports translate, handlers decide: the domain and the handlers import no transport."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "driftline_ingestion"
FORBIDDEN = ("confluent_kafka", "faust", "feast", "fastapi", "starlette", "uvicorn")
PURE = [*sorted((PACKAGE / "domain").glob("*.py")), PACKAGE / "handlers.py", PACKAGE / "service.py"]


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", PURE, ids=lambda p: p.name)
def test_imports_no_transport(path: Path) -> None:
    found = {n for n in imported(path) if n.split(".")[0] in FORBIDDEN}
    found |= {n for n in imported(path) if n in {"driftline.bus.kafka", "driftline.bus.batch"}}
    assert not found, f"{path.name} imports {sorted(found)}"


def test_the_domain_does_no_io_through_adapters() -> None:
    for path in sorted((PACKAGE / "domain").glob("*.py")):
        adapters = {n for n in imported(path) if n.startswith("driftline_ingestion.adapters")}
        assert not adapters, f"{path.name} imports {sorted(adapters)}"
