"""Base classes of the generated event models: small, frozen, validated."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict

__all__ = ["Event", "Record"]


class Record(BaseModel):
    """A frozen Avro record. `to_avro()` gives the dict fastavro writes."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    __avro_name__: ClassVar[str]

    def to_avro(self) -> dict[str, Any]:
        return self.model_dump(mode="python")

    @classmethod
    def from_avro(cls, data: dict[str, Any]) -> Self:
        return cls.model_validate(data)


class Event(Record):
    """A message on the bus: a fact (past tense) or a command (imperative)."""

    @classmethod
    def event_type(cls) -> str:
        return cls.__name__
