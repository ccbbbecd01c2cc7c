"""Driftline monitoring: drift on live traffic and canary verdicts."""
