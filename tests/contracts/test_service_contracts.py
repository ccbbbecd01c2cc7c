"""What one service answers is what the other reads: checked on the real producers' code.

Services never import each other; these contract tests sit above them and feed one
service's real output to the other's real reader, so a shape change fails here, not in
a demo run.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]
from driftline.demo import LoanGenerator
from driftline.spec import load_spec
from driftline_features.domain.stats import feature_stats
from driftline_monitoring.adapters import reference_from_stats
from driftline_monitoring.bootstrap import feature_kinds
from driftline_monitoring.domain import CategoricalProfile, NumericProfile

SPEC = load_spec(Path(__file__).resolve().parents[2] / "driftline.yaml")


def test_monitoring_reads_the_feature_services_statistics_for_every_model_feature() -> None:
    history = LoanGenerator(history_rows=2000, live_rows=10).generate().history
    body = {"dataset": "loans", "row_count": len(history),
            "features": feature_stats(pa.Table.from_pandas(history), SPEC.dataset("loans"))}  # fmt: skip
    kinds = feature_kinds(SPEC, "loan_default")
    reference = reference_from_stats(body, kinds)
    assert set(reference.profiles) == set(kinds)
    for name, kind in kinds.items():
        expected = CategoricalProfile if kind == "categorical" else NumericProfile
        assert isinstance(reference.profiles[name], expected), name
    region = reference.profiles["region"]
    assert isinstance(region, CategoricalProfile)
    assert set(region.counts) == {"north", "south", "east", "west"}
    mortgage = reference.profiles["has_mortgage"]
    assert isinstance(mortgage, CategoricalProfile)
    assert set(mortgage.counts) == {"true", "false"}  # the spelling monitoring uses for live bools
