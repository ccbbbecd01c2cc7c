"""MLServer for the serving benchmark: its own virtualenv under var/bench/ (made once, with
the benchmark's own scikit-learn, numpy, pandas and joblib so the pickled model loads the
same), and ``mlserver start`` on free ports with default settings serving one joblib model."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import sklearn
from _common import ROOT, free_port, start_process

# uvloop 0.22+ raises in asyncio.get_event_loop() without a running loop, which MLServer
# 1.7.1's inference workers call at start: they die at once with it
MLSERVER = {"mlserver": "1.7.1", "mlserver-sklearn": "1.7.1", "uvloop": "0.21.0"}
MLSERVER_VENV = ROOT / "var" / "bench" / "mlserver-venv"


def mlserver_venv() -> Path:
    """The virtualenv with MLServer (made once), with our scikit-learn, numpy and pandas."""
    python = MLSERVER_VENV / "bin" / "python"
    stamp = MLSERVER_VENV / "driftline-bench.json"
    want = {**MLSERVER, "scikit-learn": sklearn.__version__, "numpy": np.__version__,
            "pandas": pd.__version__, "joblib": joblib.__version__}  # fmt: skip
    if stamp.exists() and json.loads(stamp.read_text()) == want:
        return MLSERVER_VENV
    # `uv run` names itself in $UV; else uv on the PATH
    uv = [os.environ.get("UV") or shutil.which("uv") or "uv"]
    print(f"making MLServer's virtualenv in {MLSERVER_VENV} ({', '.join(f'{k}=={v}' for k, v in want.items())})",
          flush=True)  # fmt: skip
    subprocess.run([*uv, "venv", "-q", "--clear", "--python", sys.executable, str(MLSERVER_VENV)],
                   check=True)  # fmt: skip
    subprocess.run([*uv, "pip", "install", "-q", "--python", str(python),
                    *(f"{k}=={v}" for k, v in want.items())], check=True)  # fmt: skip
    stamp.write_text(json.dumps(want))
    return MLSERVER_VENV


def start_mlserver(stack: ExitStack, root: Path, name: str, model: Any
                   ) -> tuple[int, subprocess.Popen[bytes]]:  # fmt: skip
    """MLServer with its default settings serving `model` (joblib) as `name`."""
    venv = mlserver_venv()
    home = root / name
    (home / name).mkdir(parents=True)
    joblib.dump(model, home / name / "model.joblib")
    (home / name / "model-settings.json").write_text(json.dumps({
        "name": name, "implementation": "mlserver_sklearn.SKLearnModel",
        "parameters": {"uri": "./model.joblib", "version": "v1"},
    }))  # fmt: skip
    port = free_port()
    (home / "settings.json").write_text(json.dumps({
        "http_port": port, "grpc_port": free_port(), "metrics_port": free_port(),
    }))  # fmt: skip
    env = {
        k: v for k, v in os.environ.items() if k not in ("PROMETHEUS_MULTIPROC_DIR", "VIRTUAL_ENV")
    }
    env["PATH"] = f"{venv / 'bin'}:{env.get('PATH', '')}"
    return port, start_process(stack, [str(venv / "bin" / "mlserver"), "start", str(home)], env,
                               root / f"{name}.log", f"http://127.0.0.1:{port}/v2/models/{name}/ready")  # fmt: skip
