"""`make demo`: the whole platform on the embedded default, and the loop closing by itself.

Starts the stack (`driftline up` in-process), ingests labelled history, asks for
the first model (bootstrap), then replays live traffic: records through
ingestion, predictions through serving, labels `label_delay` applications late.
At `drift_index` the business changes; from there nobody steps in. The run ends
once the new champion has served `after_swap` predictions and the old one is
retired (or at `max_live_rows`), then prints a summary and writes the report.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table

from driftline.bus import KafkaPublisher
from driftline.codec import EventCodec
from driftline.demo.clients import Platform, wait_until
from driftline.demo.data import LoanGenerator
from driftline.demo.lifecycle import LifecycleTail
from driftline.demo.replay import Replay
from driftline.demo.report import write_report
from driftline.demo.summary import Summary, auc, summarize_run
from driftline.events import TrainingRequested
from driftline.settings import DriftlineSettings
from driftline.spec import load_spec
from driftline.stack import Stack, installed_services
from driftline.trace import summarize

__all__ = ["DemoConfig", "run_demo"]

MODEL, DATASET = "loan_default", "loans"


@dataclass
class DemoConfig:
    state_dir: Path = Path("var/demo")
    spec_path: Path = Path("driftline.yaml")
    history_rows: int = 6000
    drift_at: int = 2400
    """Live applications served before the business changes."""
    max_live_rows: int = 20000
    """Upper bound of live traffic; the replay ends earlier, once the loop has closed."""
    after_swap: int = 1000
    """Predictions the new champion serves before the run ends."""
    chunk: int = 100
    rate: float | None = 100.0
    """Live applications per second (None: as fast as the platform takes them)."""
    replay_workers: int = 4
    """Concurrent predict requests of the live replay."""
    predict_batch: int = 0
    """Entity keys per predict request of the live replay (0: one per request)."""
    label_delay: int = 200
    seed: int = 7
    settle_seconds: float = 120.0
    ready_timeout: float = 240.0
    quiet: bool = False
    free_ports: bool = False
    """Run the services on free ports rather than 8001-8007 (tests, a second stack)."""
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def report_path(self) -> Path:
        return self.state_dir / "report.html"


def _view(replay: Replay, tail: LifecycleTail, total: int, drift_at: int, phase: str) -> Group:
    served = replay.served
    versions: dict[int, int] = {}
    for s in served[-500:]:
        versions[s.version] = versions.get(s.version, 0) + 1
    recent = auc(served[-400:]) if len(served) >= 400 else None
    stats = Table.grid(padding=(0, 2))
    stats.add_row("[bold]phase[/]", phase)
    stats.add_row("served", f"{len(served)}/{total}  (drift begins at #{drift_at})")
    stats.add_row(
        "versions (last 500)", ", ".join(f"v{v}: {n}" for v, n in sorted(versions.items())) or "-"
    )
    stats.add_row("ROC AUC (last 400)", "-" if recent is None else f"{recent:.3f}")
    stats.add_row("dead letters", str(len(tail.dead_letters)))
    events = Table(title="lifecycle (driftline.models)", expand=True)
    for column in ("event", "decision / evidence"):
        events.add_column(column, overflow="fold")
    for seen in tail.events()[-10:]:
        events.add_row(seen.type, summarize(seen.message.event))
    return Group(stats, events)


def run_demo(config: DemoConfig, console: Console | None = None) -> Summary:
    console = console or Console()
    if config.state_dir.exists():
        shutil.rmtree(config.state_dir)
    state = config.state_dir.resolve()
    settings = DriftlineSettings(
        state_dir=state, spec_path=config.spec_path, offline_store_url=str(state / "offline"),
        artifact_store_url=str(state / "artifacts"), archive_store_url=str(state / "archive"),
    )  # fmt: skip
    spec = load_spec(config.spec_path)
    logs = state / "logs"
    stack = Stack(settings, services=installed_services(free_ports=config.free_ports),
                  env=config.extra_env, echo=lambda name, line: None)  # fmt: skip
    console.print(f"starting the stack (logs in {logs}) ...")
    started = time.monotonic()
    stack.start(ready_timeout=config.ready_timeout)
    console.print(f"[green]stack ready[/] in {time.monotonic() - started:.1f}s: "
                  f"{', '.join(s.name for s in stack.services)}; broker {stack.bootstrap}")  # fmt: skip
    bus = DriftlineSettings(kafka_bootstrap_servers=stack.bootstrap)
    tail = LifecycleTail(bus, MODEL).start()
    platform = Platform({s.name: s.url for s in stack.services}, DATASET, MODEL)
    data = LoanGenerator(seed=config.seed, history_rows=config.history_rows,
                         live_rows=config.max_live_rows,
                         drift_fraction=config.drift_at / config.max_live_rows).generate()  # fmt: skip
    replay = Replay(platform, chunk=config.chunk, label_delay=config.label_delay, rate=config.rate,
                    workers=config.replay_workers, predict_batch=config.predict_batch)  # fmt: skip
    live_started = time.monotonic()
    try:
        console.print(f"ingesting {len(data.history)} labelled historical applications ...")
        replay.history(data.history)
        console.print("bootstrap: TrainingRequested for the first champion ...")
        KafkaPublisher(bus, EventCodec.from_settings(bus), source="driftline/demo").publish(
            TrainingRequested(model_name=MODEL, reason="bootstrap: first champion",
                              requested_by="driftline demo", force=True))  # fmt: skip
        champion = wait_until(platform.champion, 240, "the first champion in the registry", 0.5)
        wait_until(platform.serving_ready, 120, "serving to load the first champion", 0.3)
        console.print(f"[green]champion v{champion['version']} serving[/]; replaying live traffic")
        live_started = time.monotonic()

        def closed() -> bool:
            latest = max((s.version for s in replay.served[-50:]), default=0)
            first = replay.served[0].version if replay.served else 0
            after = sum(1 for s in replay.served if s.version == latest)
            return (
                latest != first
                and after >= config.after_swap
                and bool(tail.first("ModelRetired", version=first))
            )

        with Live(console=console, refresh_per_second=4, transient=config.quiet) as live:
            replay.progress = lambda done: live.update(
                _view(replay, tail, len(data.live), data.drift_index, "live traffic")
            )
            replay.stop = closed
            replay.live(data.live)
            live.update(_view(replay, tail, len(data.live), data.drift_index, "done"))
        summary = summarize_run(replay.served, tail, data.drift_index)
        if not summary.loop_closed:  # the retirement may trail the swap by a moment
            deadline = time.monotonic() + config.settle_seconds
            while time.monotonic() < deadline and not summary.loop_closed:
                time.sleep(1)
                summary = summarize_run(replay.served, tail, data.drift_index)
        windows: list[dict[str, Any]] = []
        try:
            windows = platform.get("monitoring", f"/drift/{MODEL}").get("history", [])
        except Exception as exc:  # the report still renders without the drift plot
            console.print(f"[yellow]no drift history from monitoring: {exc}[/]")
        report = write_report(config.report_path, summary, replay.served, tail.events(), windows,
                              spec.model(MODEL).drift.psi_threshold, live_started)  # fmt: skip
        (state / "summary.json").write_text(json.dumps(summary.as_dict(), indent=2))
        _print_summary(console, summary, report)
        return summary
    finally:
        tail.stop()
        platform.close()
        stack.stop()


def _fmt(value: float | None, unit: str = "", digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}{unit}"


def _print_summary(console: Console, s: Summary, report: Path) -> None:
    table = Table(title="Driftline demo summary", show_header=False)
    table.add_row("loop closed", "[green]yes[/]" if s.loop_closed else "[red]NO[/]")
    table.add_row("drift began at prediction", f"#{s.drift_index}")
    table.add_row("detection delay", f"{s.detection_delay_predictions} predictions, "
                  f"{_fmt(s.detection_delay_seconds, ' s')} ({s.detected_kind} drift)")  # fmt: skip
    table.add_row("drift -> new champion serving", _fmt(s.drift_to_champion_seconds, " s"))
    table.add_row(
        "DriftDetected -> new champion serving", _fmt(s.detection_to_champion_seconds, " s")
    )
    table.add_row("champion", f"v{s.first_version} -> v{s.new_version}")
    table.add_row("ROC AUC before drift (old model)", _fmt(s.auc_before_drift, digits=3))
    table.add_row("ROC AUC after drift (old model)", _fmt(s.auc_after_drift_old_model, digits=3))
    table.add_row("ROC AUC after the swap (new model)", _fmt(s.auc_new_model, digits=3))
    table.add_row("old champion retired", f"{s.old_version_retired} ({s.archive_uri})")
    table.add_row("false alarms before the drift", str(s.false_alarms_before_drift))
    table.add_row("dead letters", str(s.dead_letters))
    table.add_row("incident correlation id", str(s.incident_correlation_id))
    table.add_row("report", str(report))
    console.print(table)
