"""The demo's HTML report: drift statistics, accuracy with model versions, the lifecycle timeline."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt

from driftline.demo.lifecycle import Seen
from driftline.demo.replay import Served
from driftline.demo.summary import Summary, auc
from driftline.trace import summarize

__all__ = ["write_report"]


def _png(fig: Any) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _drift_plot(windows: list[dict[str, Any]], threshold: float) -> str:
    fig, ax = plt.subplots(figsize=(10, 3.6))
    champion = [w for w in windows if w.get("role") == "champion" and w.get("tests")]
    features = sorted(
        {t["feature"] for w in champion for t in w["tests"] if t["statistic"] == "psi"}
    )
    for feature in features:
        values: list[Any] = [next((t["value"] for t in w["tests"] if t["feature"] == feature and t["statistic"] == "psi"), None)
                  for w in champion]  # fmt: skip
        ax.plot(range(1, len(champion) + 1), values, marker="o", label=feature)
    for i, w in enumerate(champion, start=1):
        if w.get("alerted"):
            ax.axvline(i, color="red", alpha=0.3, linewidth=6)
        elif w.get("suppressed"):  # drifted, but the incident already had its one alert
            ax.axvline(i, color="orange", alpha=0.15, linewidth=6)
    ax.axhline(
        threshold, color="black", linestyle="--", linewidth=1, label=f"PSI threshold {threshold}"
    )
    ax.set_xlabel("monitoring window (champion traffic)")
    ax.set_ylabel("PSI")
    ax.set_title(
        "Data drift per feature (red: window raised DriftDetected; "
        "orange: drifted within an open incident)"
    )
    ax.legend(fontsize=7, ncol=3)
    return _png(fig)


def _accuracy_plot(served: list[Served], summary: Summary, width: int = 300) -> str:
    fig, ax = plt.subplots(figsize=(10, 3.6))
    xs, ys = [], []
    for end in range(width, len(served) + 1, width // 3):
        window = served[end - width : end]
        if (value := auc(window)) is not None:
            xs.append(end)
            ys.append(value)
    ax.plot(xs, ys, color="tab:blue", label=f"rolling ROC AUC ({width} predictions)")
    ax.axvline(summary.drift_index, color="orange", linestyle="--", label="drift starts")
    if summary.detection_index is not None:
        ax.axvline(summary.detection_index, color="red", linestyle=":", label="DriftDetected")
    versions: dict[int, int] = {}
    for s in served:
        versions.setdefault(s.version, s.index)
    for version, first_index in versions.items():
        ax.axvline(first_index, color="green", alpha=0.5)
        ax.text(first_index, 0.52, f" v{version}", color="green")
    ax.set_ylim(0.5, 1.0)
    ax.set_xlabel("prediction #")
    ax.set_ylabel("ROC AUC on delayed labels")
    ax.set_title("Accuracy over time, model versions marked")
    ax.legend(fontsize=8)
    return _png(fig)


def _timeline_plot(events: list[Seen], start: float) -> str:
    fig, ax = plt.subplots(figsize=(10, 3.2))
    types = list(dict.fromkeys(e.type for e in events))
    for e in events:
        ax.scatter(e.at - start, types.index(e.type), s=40)
    ax.set_yticks(range(len(types)), types)
    ax.set_xlabel("seconds since live traffic began")
    ax.set_title("Lifecycle timeline")
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


def write_report(path: Path, summary: Summary, served: list[Served], events: list[Seen],
                 windows: list[dict[str, Any]], psi_threshold: float, start: float) -> Path:  # fmt: skip
    rows = "".join(
        f"<tr><td>{e.at - start:+.1f}s</td><td>{html.escape(e.type)}</td>"
        f"<td>{html.escape(e.message.meta.source)}</td>"
        f"<td>{html.escape(summarize(e.message.event))}</td>"
        f"<td><code>{html.escape(e.message.meta.correlation_id[:8])}</code></td></tr>"
        for e in events
    )
    facts = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                    for k, v in summary.as_dict().items())  # fmt: skip
    images = [
        _drift_plot(windows, psi_threshold) if windows else None,
        _accuracy_plot(sorted(served, key=lambda s: s.index), summary),
        _timeline_plot(events, start) if events else None,
    ]
    figures = "".join(f'<img src="data:image/png;base64,{i}"/>' for i in images if i)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"""<!doctype html><html><head><meta charset="utf-8"><title>Driftline demo</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto}}td,th{{padding:2px 8px;text-align:left;
border-bottom:1px solid #ddd;font-size:13px}}img{{max-width:100%;margin:1em 0}}</style></head><body>
<h1>Driftline: the loop, closed by itself</h1>
<p>Loop closed: <b>{"yes" if summary.loop_closed else "NO"}</b></p>
<h2>Summary</h2><table>{facts}</table>
<h2>Plots</h2>{figures}
<h2>Lifecycle events</h2><table><tr><th>when</th><th>event</th><th>source</th><th>decision / evidence</th>
<th>workflow</th></tr>{rows}</table></body></html>""")
    return path
