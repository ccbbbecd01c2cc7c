"""The benchmarks stay runnable and the README shows their latest table.

The benchmarks themselves are not run here (`make bench`, ~10 minutes, numbers on a quiet
machine); this checks that every script starts (its imports and arguments), that the summary
renders every part from the committed results, and that README.md carries exactly that table.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
SCRIPTS = ["serving_bench", "dataplane_bench", "monitoring_bench", "loop_bench",
           "footprint_bench", "summary"]  # fmt: skip


@pytest.fixture(scope="module")
def summary():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("summary")
    finally:
        sys.path.remove(str(BENCH))


@pytest.mark.parametrize("script", SCRIPTS)
def test_every_benchmark_script_starts(script: str) -> None:
    done = subprocess.run([sys.executable, str(BENCH / f"{script}.py"), "--help"],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout


def test_the_summary_has_every_part_and_the_readme_shows_it(summary) -> None:  # type: ignore[no-untyped-def]
    table = summary.table()
    for part in ("serving, predict with online lookup, concurrency 8", "data plane, HTTP batched",
                 "data plane, Kafka streamed", "monitoring", "loop, 10,000-row", "loop, 100,000-row",
                 "footprint"):  # fmt: skip
        assert part in table, part
    assert "not run" not in table
    readme = (BENCH.parent / "README.md").read_text()
    assert f"{summary.START}\n{table}\n{summary.END}" in readme, (
        "README.md's benchmark table is not the latest results: run `make bench` "
        "(or `uv run python bench/summary.py --readme` after running single benchmarks)"
    )
