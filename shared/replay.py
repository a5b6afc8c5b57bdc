"""The replay request body: `{"privateEndpointIds": [...], "dryRun": false, "release": false}`."""

from __future__ import annotations

import json
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationError

from .endpoint import one_line, parse_private_endpoint_id
from .errors import InvalidInput
from .model import ResourceId

MAX_BODY_BYTES = 256 * 1024


class _ReplayBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    private_endpoint_ids: list[StrictStr] = Field(alias="privateEndpointIds", min_length=1)
    dry_run: StrictBool = Field(False, alias="dryRun")
    release: StrictBool = False


@dataclass(frozen=True, slots=True)
class ReplayRequest:
    endpoint_ids: tuple[ResourceId, ...]
    dry_run: bool
    release: bool


def parse_replay_body(body: bytes, *, max_ids: int) -> ReplayRequest:
    """Validate a replay body. Raises InvalidInput with one line naming the problem."""
    if len(body) > MAX_BODY_BYTES:
        raise InvalidInput(f"body is {len(body)} bytes; the limit is {MAX_BODY_BYTES}")
    try:
        data = json.loads(body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"body is not JSON: {getattr(exc, 'msg', exc)}") from None
    if not isinstance(data, dict):
        raise InvalidInput('body must be a JSON object like {"privateEndpointIds": ["/subscriptions/…"]}')
    try:
        parsed = _ReplayBody.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(one_line(exc)) from None
    ids = parsed.private_endpoint_ids
    if len(ids) > max_ids:
        raise InvalidInput(f"privateEndpointIds has {len(ids)} ids; the limit is {max_ids} (PEDNS_MAX_REPLAY_IDS)")
    unique = dict.fromkeys(parse_private_endpoint_id(v, field=f"privateEndpointIds.{i}") for i, v in enumerate(ids))
    return ReplayRequest(tuple(unique), parsed.dry_run, parsed.release)
