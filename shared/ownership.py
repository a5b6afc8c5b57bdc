"""Who owns a record set, and which endpoints claim its name. Pure: metadata in, values out.

The truth lives in Azure, in the record set's own metadata, so it is guarded by the same etag
as the IPs it describes and survives restarts and cold starts:

    pednsowner             = <owner id>                      the deployment that manages the record
    pednsholder            = <sub>/<rg>/<endpoint name>      the claim whose IPs the record serves
    pednsc<10 hex>         = <since>|<location>|<vnet hash>|<sub>/<rg>/<endpoint name>
                                                             one entry per claiming endpoint

Keys are lower-case alphanumerics and values stay under 256 characters (ARM's tag limits, the
strictest Azure applies to such maps). Every other metadata key is left as it is.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

from .model import RecordSet, ResourceId

OWNER_KEY = "pednsowner"
HOLDER_KEY = "pednsholder"
CLAIM_PREFIX = "pednsc"

Ownership = Literal["free", "ours", "foreign"]


def _compact(endpoint_id: ResourceId) -> str:
    return f"{endpoint_id.subscription_id}/{endpoint_id.resource_group}/{endpoint_id.name}".lower()


def _expand(compact: str) -> ResourceId:
    sub, rg, name = compact.split("/")
    return ResourceId(f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/privateEndpoints/{name}")


def short_hash(text: str, length: int = 10) -> str:
    return hashlib.sha256(text.lower().encode()).hexdigest()[:length]


def claim_key(endpoint_id: ResourceId) -> str:
    return CLAIM_PREFIX + short_hash(endpoint_id.key)


@dataclass(frozen=True, slots=True)
class Claim:
    """An endpoint's claim on a name: when it first claimed, and where it lives (for preferences)."""

    endpoint_id: ResourceId
    since: int
    location: str = ""
    vnet_hash: str = ""

    def encode(self) -> str:
        return f"{self.since}|{self.location.lower()}|{self.vnet_hash}|{_compact(self.endpoint_id)}"

    @classmethod
    def decode(cls, value: str) -> "Claim | None":
        parts = value.split("|")
        if len(parts) != 4 or parts[3].count("/") != 2:
            return None
        try:
            since = int(parts[0])
        except ValueError:
            return None
        return cls(_expand(parts[3]), since, parts[1], parts[2])


def ownership(record: RecordSet | None, owner_id: str) -> Ownership:
    """free: no record. ours: stamped with our owner id. foreign: anything else, auto-registered included."""
    if record is None:
        return "free"
    if record.auto_registered:
        return "foreign"
    return "ours" if record.metadata.get(OWNER_KEY) == owner_id else "foreign"


def is_stamped(record: RecordSet) -> bool:
    """Carries any pedns stamp (ours or another deployment's): never adopted, never touched by us."""
    return OWNER_KEY in record.metadata


def claims(record: RecordSet) -> dict[ResourceId, Claim]:
    result: dict[ResourceId, Claim] = {}
    for key, value in record.metadata.items():
        if key.startswith(CLAIM_PREFIX):
            claim = Claim.decode(value)
            if claim is not None:
                result[claim.endpoint_id] = claim
    return result


def holder(record: RecordSet) -> ResourceId | None:
    value = record.metadata.get(HOLDER_KEY, "")
    return _expand(value) if value.count("/") == 2 else None


def stamp(
    owner_id: str,
    holder_id: ResourceId,
    all_claims: dict[ResourceId, Claim],
    *,
    keep: dict[str, str] | None = None,
) -> dict[str, str]:
    """The metadata of a record set we write: others' keys in `keep` preserved, ours rewritten."""
    metadata = {
        k: v for k, v in (keep or {}).items()
        if k not in (OWNER_KEY, HOLDER_KEY) and not k.startswith(CLAIM_PREFIX)
    }
    metadata[OWNER_KEY] = owner_id
    metadata[HOLDER_KEY] = _compact(holder_id)
    for endpoint_id, claim in all_claims.items():
        metadata[claim_key(endpoint_id)] = claim.encode()
    return metadata
