"""The demo: a synthetic loan-default business with a known drift, and the loop that heals it."""

from driftline.demo.data import DemoData, LoanGenerator

__all__ = ["DemoData", "LoanGenerator"]
