"""The replay request body: `{"privateEndpointIds": [...], "dryRun": false, "release": false}`."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationError

from .endpoint import one_line, parse_private_endpoint_id
from ..errors import InvalidInput
from .inputs import load_json
from ..core.model import ResourceId

#: The most a replay body may be: 100 ids of at most 283 characters need about 30 KiB.
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
    data = load_json(body or b"null", what="body", max_bytes=MAX_BODY_BYTES)
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
