"""Driftline's retirement service: retires replaced champions and stale versions.

On a full promotion it retires the previous champion; a periodic sweep applies
each model's retention policy (candidate TTL, keep the last N, restore window).
Retiring archives the artifact and announces `ModelRetired`; serving unloads the
version and the registry marks it retired when they hear it.
"""

__all__: list[str] = []
