"""Typed event models, generated from `schemas/` (see `driftline.codegen`)."""

from driftline.events._generated import *  # noqa: F403
from driftline.events._generated import EVENT_TYPES
from driftline.events._generated import __all__ as _generated_all
from driftline.events.base import Event, Record

__all__ = ["EVENT_TYPES", "Event", "Record", *_generated_all]
