"""`python -m driftline.demo`: run the closed-loop demo (see `driftline.demo.run`)."""

from __future__ import annotations

import sys

from driftline.demo.run import DemoConfig, run_demo


def main() -> None:
    summary = run_demo(DemoConfig())
    sys.exit(0 if summary.loop_closed else 1)


if __name__ == "__main__":
    main()
