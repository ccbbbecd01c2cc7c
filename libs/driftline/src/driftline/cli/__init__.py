"""`driftline`: the operator's front door (stack, broker, topics, publish, tail, trace, schemas)."""

from driftline.cli import stack, bus, contract  # noqa: F401, I001  (each registers its commands; help lists them in this order)
from driftline.cli.common import app

__all__ = ["app", "main"]


def main() -> None:
    app()
