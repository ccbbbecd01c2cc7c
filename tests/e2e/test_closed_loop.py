"""The closed loop with real processes and the real broker: a shortened `make demo`.

Nobody steps in after the bootstrap: the drift must lead to DriftDetected, a retrained
challenger, its evaluation, its promotion, the hot swap in serving and the retirement
of the old champion — all under the drift incident's correlation id.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from driftline.demo.run import DemoConfig, run_demo
from rich.console import Console

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
CHAIN = ["DriftDetected", "TrainingStarted", "ModelTrained", "ModelEvaluated", "ModelPromoted",
         "ModelRetired"]  # fmt: skip


def test_drift_leads_to_a_new_champion_and_the_old_one_retired(tmp_path: Path) -> None:
    output = io.StringIO()
    config = DemoConfig(
        state_dir=tmp_path / "demo", spec_path=ROOT / "driftline.yaml", history_rows=4000,
        drift_at=1500, max_live_rows=12000, after_swap=300, quiet=True, free_ports=True,
    )  # fmt: skip
    summary = run_demo(config, Console(file=output, width=120))
    print(output.getvalue())  # shown by pytest when the test fails
    assert summary.loop_closed, summary
    assert summary.first_version is not None
    assert summary.new_version is not None
    assert summary.new_version > summary.first_version
    assert summary.predictions_after_swap >= 300  # the new version is what serving answers with
    assert summary.old_version_retired
    assert summary.archive_uri
    incident = summary.incident_events
    assert [e for e in incident if e in CHAIN] == [e for e in CHAIN if e in incident]
    assert set(CHAIN) <= set(incident), incident
    assert summary.dead_letters == 0
    assert (config.state_dir / "report.html").stat().st_size > 10_000
