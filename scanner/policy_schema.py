"""The policy file's schema (pydantic): imported only when a policy file is read, so commands that
use the built-in defaults do not pay for pydantic."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Level = Annotated[float, Field(ge=0, le=1)] | Literal[False]
Positive = Annotated[float, Field(gt=0)]
Count = Annotated[int, Field(gt=0)]


class _Strict(BaseModel):
    # Unknown keys are refused and nothing is coerced: "face" is not a list, true is not a number.
    model_config = ConfigDict(extra="forbid", strict=True)


class LimitsTable(_Strict):
    max_file_mb: Positive = 200
    max_megapixels: Positive = 120
    max_pages: Count = 2000
    timeout_seconds: Positive = 300
    max_memory_mb: Positive = 2048
    max_unpacked_mb: Positive = 400
    max_depth: Count = 5
    max_members: Count = 1000
    max_ratio: Annotated[float, Field(gt=1)] = 100


class ConsentTable(_Strict):
    kinds: list[str] = []


class DetectorsTable(_Strict):
    disabled: list[str] = []


class PolicyFile(_Strict):
    block: dict[str, Level] = {}
    consent: ConsentTable = ConsentTable()
    limits: LimitsTable = LimitsTable()
    detectors: DetectorsTable = DetectorsTable()


def allowed_keys(location: list[str]) -> list[str]:
    """The keys allowed at a place of the file: the tables at the top, a table's keys inside it."""
    model: type[BaseModel] = PolicyFile
    for part in location:
        annotation = model.model_fields[part].annotation if part in model.model_fields else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)
