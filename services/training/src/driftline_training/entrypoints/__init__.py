"""Process entry points: the trigger consumer and queue worker, and the health/metrics API."""
