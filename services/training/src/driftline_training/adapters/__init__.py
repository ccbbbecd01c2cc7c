"""Adapters of the training service: HTTP clients of the feature service and registry,
and the SQLite run store; `ports` names what each must do."""

from driftline_training.adapters.ports import Artifacts, Champions, Outgoing, RunStore, TrainingSets

__all__ = ["Artifacts", "Champions", "Outgoing", "RunStore", "TrainingSets"]
