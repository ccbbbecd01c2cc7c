"""Repository-wide pytest setup: the shared real-broker fixtures."""

pytest_plugins = ["driftline.testing.pytest_plugin", "driftline.testing.postgres"]
