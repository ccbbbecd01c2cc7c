"""The latest benchmark results as one table: printed, written to bench/results/SUMMARY.md and,
with ``--readme``, put in the README between its ``bench:start``/``bench:end`` markers.

Reads what the scripts wrote to bench/results/ (`make bench` runs them all first); a missing
result is shown as "not run".
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from _common import RESULTS, ROOT

README = ROOT / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _n(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def serving(data: dict[str, Any], rows: list[str]) -> None:
    for row in data["rows"]:
        d, e, p = row.get("driftline"), row.get("mlserver-estimator"), row.get("mlserver")
        if d is None:
            continue
        base = (
            f"MLServer (estimator only): {_n(e['rps'])} req/s, p99 {e['p99_ms']:.1f} ms"
            if e
            else "-"
        )
        if p:
            base += f"; MLServer (same pipeline): {_n(p['rps'])} req/s, p99 {p['p99_ms']:.1f} ms"
        ratio = row.get("ratio_vs_mlserver-estimator")
        ratios = f"**{ratio:.1f}x**" if ratio else "-"
        if row.get("ratio_vs_mlserver"):
            ratios += f" / {row['ratio_vs_mlserver']:.1f}x"
        rows.append(f"| serving, predict with online lookup, concurrency {row['concurrency']} | "
                    f"{_n(d['rps'])} req/s, p50 {d['p50_ms']:.1f} ms, p99 {d['p99_ms']:.1f} ms | "
                    f"{base} | {ratios} |")  # fmt: skip


def dataplane(data: dict[str, Any], rows: list[str]) -> None:
    feast = next((r for r in data["rows"] if r["path"].startswith("Feast")), None)
    base = (
        f"Feast `{data.get('feast_method', 'push')}`: {_n(feast['records_per_s'])} rec/s"
        if feast
        else "-"
    )
    for r in data["rows"]:
        if "end to end" in r["path"]:
            rows.append(f"| data plane, {r['path']} ({_n(r['records'])} records) | "
                        f"{_n(r['records_per_s'])} records/s | {base} | "
                        f"{r['ratio_vs_feast_push']:.1f}x |")  # fmt: skip


def monitoring(data: dict[str, Any], rows: list[str]) -> None:
    pure = max(
        (r["monitored_per_s"] for r in data["results"] if "pure" in r["phase"]), default=None
    )
    rows.append(f"| monitoring, predictions/s sustained through the broker without falling behind | "
                f"{_n(data['highest_sustained_per_s'])}/s (backlog drains at "
                f"{_n(data['drain_per_s'])}/s) | detector alone, in process: {_n(pure)}/s | - |")  # fmt: skip


def loop(data: dict[str, Any], rows: list[str]) -> None:
    for r in data["results"]:
        at = r["after_detection_s"]
        rows.append(
            f"| loop, {_n(r['training_rows'] or r['rows'])}-row training set | drift onset -> "
            f"DriftDetected {_n(r['detection_delay_seconds'], 1)} s "
            f"({r['detection_delay_predictions']} predictions); DriftDetected -> new champion "
            f"serving {_n(r['detection_to_champion_seconds'], 1)} s | of which waiting for "
            f"post-drift labels {_n(at.get('TrainingStarted'), 1)} s, training run "
            f"{_n(r['training_seconds'], 1)} s, promotion -> served "
            f"{_n((at.get('served') or 0) - (at.get('ModelTrained') or 0), 1)} s | AUC "
            f"{_n(r['auc_after_drift_old'], 3)} -> {_n(r['auc_new'], 3)} |"
        )


def footprint(data: dict[str, Any], rows: list[str]) -> None:
    last = data["runs"][-1]
    starts = ", ".join(f"{r['startup_s']} s" for r in data["runs"])
    rows.append(f"| footprint, `driftline up` (broker + 7 services, idle) | start-up {starts}; "
                f"{last['process_count']} processes, PSS {_n(last['total_pss_mib'])} MiB "
                f"(RSS {_n(last['total_rss_mib'])} MiB) | stop {last['stop_s']} s, "
                f"{last['left_running']} left running | - |")  # fmt: skip


PARTS = {"serving": serving, "dataplane": dataplane, "monitoring": monitoring, "loop": loop,
         "footprint": footprint}  # fmt: skip


def table() -> str:
    rows = ["| benchmark | Driftline | baseline, same run | ratio |", "|---|---|---|---|"]
    results = {name: load(name) for name in PARTS}  # each file read once
    for name, part in PARTS.items():
        data = results[name]
        if data is None:
            rows.append(f"| {name} | not run | | |")
        else:
            part(data, rows)
    found = [d for d in results.values() if d is not None]
    stamps = sorted({d["measured_at"] for d in found if "measured_at" in d})
    machine = next((d["machine"] for d in found if "machine" in d), {})
    foot = (f"\n\nMeasured {stamps[0] if stamps else '?'} .. {stamps[-1] if stamps else '?'} on "
            f"{machine.get('cores', '?')} cores ({machine.get('cpu', '?')}), Python "
            f"{machine.get('python', '?')}, by `make bench`; details in `bench/results/*.json`.")  # fmt: skip
    return "\n".join(rows) + foot


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--readme", action="store_true", help="update README.md's table")
    args = parser.parse_args()
    text = table()
    print(text)
    (RESULTS / "SUMMARY.md").write_text(f"# Latest benchmark results\n\n{text}\n")
    if args.readme:
        readme = README.read_text()
        if START not in readme or END not in readme:
            raise SystemExit(f"README.md has no {START} ... {END} markers")
        block = f"{START}\n{text}\n{END}"
        README.write_text(re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, readme,
                                 flags=re.DOTALL))  # fmt: skip
        print(f"updated {Path(README).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
