"""Driftline's feature service: Feast derived from the spec, online features, training sets, stats."""

from driftline_features.bootstrap import FeatureService, bootstrap
from driftline_features.config import Settings

__all__ = ["FeatureService", "Settings", "bootstrap"]
