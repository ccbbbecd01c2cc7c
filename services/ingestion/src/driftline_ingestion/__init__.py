"""Driftline ingestion: validate record and label batches, store them offline, announce them."""

__all__ = ["__version__"]

__version__ = "0.1.0"
