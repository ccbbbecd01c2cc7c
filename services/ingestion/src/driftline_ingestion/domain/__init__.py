"""Pure decisions: validation, batch plans, lineage and events. No I/O, no transport."""

__all__: list[str] = []
