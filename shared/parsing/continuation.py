"""The reconcile's continuation message, as the queue trigger receives it:
`{"generation": 3, "left": {"endpoints": 120, "records": 131}}` (`shared/usecases/runs.py` writes it)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from ..errors import InvalidInput
from .endpoint import one_line
from .inputs import load_json

MAX_MESSAGE_BYTES = 4 * 1024


class _Left(BaseModel):
    model_config = ConfigDict(extra="ignore")

    endpoints: StrictInt = Field(0, ge=0)
    records: StrictInt = Field(0, ge=0)


class _Message(BaseModel):
    model_config = ConfigDict(extra="ignore")  # a newer writer may add fields; the generation is what counts

    generation: StrictInt = Field(ge=1)
    left: _Left = Field(default_factory=_Left)


def parse_continuation(body: bytes | str) -> int:
    """The continuation's generation (1 for the first continuation of a timer's run), or InvalidInput."""
    data = load_json(body, what="continuation message", max_bytes=MAX_MESSAGE_BYTES)
    if not isinstance(data, dict):
        raise InvalidInput('continuation message must be a JSON object like {"generation": 1}')
    try:
        return _Message.model_validate(data).generation
    except ValidationError as exc:
        raise InvalidInput(f"continuation message: {one_line(exc, whole='message')}") from None
