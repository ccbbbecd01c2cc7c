"""The SQLite ledger: one active retirement per version, a full history, durable across restarts."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from driftline.envelope import Metadata
from driftline_retirement.adapters import SqliteLedger
from driftline_retirement.domain import Retirement, VersionInfo

ENVELOPE = Metadata(type="driftline.events.ModelRetired", source="test", correlation_id="corr")


@pytest.fixture
def ledger() -> SqliteLedger:
    return SqliteLedger(":memory:")


def retirement(version: int = 1, reason: str = "replaced") -> Retirement:
    return Retirement("churn", version, reason, f"because {version}")  # type: ignore[arg-type]


def test_a_decision_is_recorded_as_pending_with_its_envelope(
    ledger: SqliteLedger, kit: SimpleNamespace
) -> None:
    record = ledger.request(retirement(), ENVELOPE, kit.version(1, "superseded"), kit.T0)
    assert (record.state, record.reason, record.requested_at) == ("pending", "replaced", kit.T0)
    assert (record.event_id, record.correlation_id) == (ENVELOPE.id, "corr")
    assert record.artifact_uri == kit.version(1, "superseded").artifact_uri


def test_deciding_twice_finds_the_first_decision(
    ledger: SqliteLedger, kit: SimpleNamespace
) -> None:
    first = ledger.request(retirement(), ENVELOPE, None, kit.T0)
    other = Metadata(type="driftline.events.ModelRetired", source="test")
    second = ledger.request(retirement(reason="ttl"), other, None, kit.T0)
    assert second == first
    assert len(ledger.records()) == 1


def test_a_retired_record_is_outstanding_until_announced(
    ledger: SqliteLedger, kit: SimpleNamespace
) -> None:
    record = ledger.request(retirement(), ENVELOPE, None, kit.T0)
    retired = ledger.mark_retired(record.id, archive_uri="mem://archive/1", archived=True,
                                  note="", at=kit.T0)  # fmt: skip
    assert (retired.state, retired.archive_uri, retired.retired_at) == (
        "retired",
        "mem://archive/1",
        kit.T0,
    )
    assert [r.id for r in ledger.outstanding()] == [record.id]
    ledger.mark_announced(record.id, kit.T0)
    assert ledger.outstanding() == []
    assert ledger.retired_versions("churn") == {1}
    assert ledger.archived_counts() == {"churn": 1}


def test_a_restored_version_can_be_retired_again_later(
    ledger: SqliteLedger, kit: SimpleNamespace
) -> None:
    first = ledger.request(retirement(), ENVELOPE, None, kit.T0)
    ledger.mark_retired(first.id, archive_uri="a", archived=True, note="", at=kit.T0)
    ledger.close_record(first.id, "restored", "rolled back", kit.T0)
    assert ledger.active("churn", 1) is None
    again = ledger.request(retirement(), Metadata(type="t", source="s"), None, kit.T0)
    assert again.id != first.id
    assert again.state == "pending"
    assert [r.state for r in ledger.records("churn")] == ["pending", "restored"]


def test_records_are_closed_only_as_cancelled_or_restored(
    ledger: SqliteLedger, kit: SimpleNamespace
) -> None:
    record = ledger.request(retirement(), ENVELOPE, None, kit.T0)
    with pytest.raises(ValueError, match="cancelled or restored"):
        ledger.close_record(record.id, "retired", "", kit.T0)


def test_known_versions_keep_what_was_learnt_before(
    ledger: SqliteLedger, kit: SimpleNamespace
) -> None:
    ledger.remember(kit.version(1, "champion"), kit.T0)
    ledger.remember(VersionInfo("churn", 1, "rejected"), kit.T0)  # no artifact known
    known = ledger.known("churn", 1)
    assert known is not None
    assert (known.status, known.artifact_uri) == ("rejected", kit.version(1, "x").artifact_uri)
    assert ledger.known("churn", 2) is None


def test_the_ledger_survives_a_restart(tmp_path: Path, kit: SimpleNamespace) -> None:
    path = tmp_path / "state" / "retirement.db"
    first = SqliteLedger(path)
    record = first.request(retirement(), ENVELOPE, None, kit.T0)
    first.close()
    reopened = SqliteLedger(path)
    assert reopened.get(record.id) == record
    with pytest.raises(LookupError, match="no retirement record 99"):
        reopened.get(99)
    reopened.close()
