"""Driftline serving."""
