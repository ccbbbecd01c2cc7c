"""``python -m driftline_monitoring``: the faust worker with the HTTP API on its loop."""

from __future__ import annotations

import faust
from driftline.telemetry import configure_logging

from driftline_monitoring.bootstrap import bootstrap
from driftline_monitoring.config import MonitoringSettings
from driftline_monitoring.entrypoints import create_api, create_worker


def main() -> None:
    settings = MonitoringSettings()
    common = settings.common
    configure_logging("monitoring", common.log_level, json=common.log_json)
    monitoring = bootstrap(settings)
    app = create_worker(monitoring, api=create_api(monitoring))
    worker = faust.Worker(app, loglevel=common.log_level, quiet=True, override_logging=False)
    worker.execute_from_commandline()


if __name__ == "__main__":
    main()
