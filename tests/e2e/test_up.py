"""`driftline up` starts every service as its own process and leaves none behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def processes_with(marker: str) -> list[int]:
    """PIDs whose environment carries `marker` (every process the stack started inherits it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:  # gone, or not ours to read
            continue
    return found


def test_up_starts_everything_and_ctrl_c_leaves_no_process(tmp_path: Path) -> None:
    marker = f"DRIFTLINE_TEST_STACK={tmp_path.name}"
    env = {**os.environ, "DRIFTLINE_TEST_STACK": tmp_path.name, "DRIFTLINE_STATE_DIR": str(tmp_path),
           "DRIFTLINE_SPEC_PATH": str(ROOT / "driftline.yaml")}  # fmt: skip
    up = subprocess.Popen(
        [sys.executable, "-m", "driftline.cli", "up", "--free-ports"],
        env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert up.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        line = up.stderr.readline()
        if not line and up.poll() is not None:
            break
        lines.append(line)
        if "driftline is up" in line:
            break
    assert any("driftline is up" in line for line in lines), "".join(lines[-40:])
    assert any("| ready" in line for line in lines)  # logs are shown with a service prefix
    running = processes_with(marker)
    assert len(running) >= 8  # the broker and seven services (plus `up` itself)
    up.send_signal(signal.SIGINT)
    up.communicate(timeout=120)
    assert up.returncode in (0, 130)
    time.sleep(0.5)
    assert processes_with(marker) == []
