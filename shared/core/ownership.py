"""Who owns a record set, and which endpoints claim its name. Pure: metadata in, values out.

The truth lives in Azure, in the record set's own metadata, so it is guarded by the same etag
as the IPs it describes and survives restarts and cold starts:

    pednsowner             = <owner id>                      the deployment that manages the record
    pednsholder            = <sub>/<rg>/<endpoint name>      the claim whose IPs the record serves
    pednsc<10 hex>         = <since>|<location>|<vnet hash>|<sub>/<rg>/<endpoint name>
                                                             one entry per claiming endpoint

    pednsadopted           = <ttl>|<ip>,<ip>…                what an adopted record held before pedns
                                                             took it over, to restore when the last
                                                             claim leaves
    pednspin               = <region>|<since>                `pedns switch --to-region`: the name is
                                                             held in that region (`shared/core/pins.py`)

Keys are lower-case alphanumerics and values stay under 256 characters (ARM's tag limits, the
strictest Azure applies to such maps); keys are read without case, so whatever case Azure (or a
person) gives them decides nothing. Every other metadata key is left as it is.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

from .model import RecordSet, ResourceId
from .pins import PIN_KEY, Pin

OWNER_KEY = "pednsowner"
HOLDER_KEY = "pednsholder"
CLAIM_PREFIX = "pednsc"
ADOPTED_KEY = "pednsadopted"
MAX_VALUE = 256  # ARM's limit for a tag value, the strictest Azure applies to such maps

Ownership = Literal["free", "ours", "foreign"]


def _compact(endpoint_id: ResourceId) -> str:
    return f"{endpoint_id.subscription_id}/{endpoint_id.resource_group}/{endpoint_id.name}".lower()


def _expand(compact: str) -> ResourceId:
    sub, rg, name = compact.split("/")
    return ResourceId(f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/privateEndpoints/{name}")


def short_hash(text: str, length: int = 10) -> str:
    return hashlib.sha256(text.lower().encode()).hexdigest()[:length]


def network_hash(virtual_network_id: str) -> str:
    """A claim's network, as claims record it (empty when unknown): `PEDNS_PREFER_VNETS` compares it."""
    return short_hash(virtual_network_id, 8) if virtual_network_id else ""


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


def _get(metadata: dict[str, str], key: str) -> str | None:
    """A metadata value by key, without case."""
    for k, v in metadata.items():
        if k.lower() == key:
            return v
    return None


def _ours(key: str) -> bool:
    low = key.lower()
    return low in (OWNER_KEY, HOLDER_KEY, ADOPTED_KEY, PIN_KEY) or low.startswith(CLAIM_PREFIX)


def owner_of(record: RecordSet) -> str:
    return _get(record.metadata, OWNER_KEY) or ""


def ownership(record: RecordSet | None, owner_id: str) -> Ownership:
    """free: no record. ours: stamped with our owner id. foreign: anything else, auto-registered included."""
    if record is None:
        return "free"
    if record.auto_registered:
        return "foreign"
    return "ours" if _get(record.metadata, OWNER_KEY) == owner_id else "foreign"


def foreign_detail(record: RecordSet) -> str:
    """Why a record set is not ours, in words an operator reads (its owner id when it has one)."""
    if record.auto_registered:
        return "auto-registered by a virtual network link"
    owner = owner_of(record)
    return f"owned by {owner!r}" if owner else "not created by pedns (no ownership stamp)"


def is_stamped(record: RecordSet) -> bool:
    """Carries any pedns stamp (ours or another deployment's): never adopted, never touched by us."""
    return any(_ours(k) for k in record.metadata)


def claims(record: RecordSet) -> dict[ResourceId, Claim]:
    result: dict[ResourceId, Claim] = {}
    for key, value in record.metadata.items():
        if key.lower().startswith(CLAIM_PREFIX):
            claim = Claim.decode(value)
            if claim is not None:
                result[claim.endpoint_id] = claim
    return result


def holder(record: RecordSet) -> ResourceId | None:
    value = _get(record.metadata, HOLDER_KEY) or ""
    return _expand(value) if value.count("/") == 2 else None


def adoption_note(record: RecordSet) -> str | None:
    """What to keep of a record pedns adopts (its TTL and IPs; its metadata stays in place), or None
    when it does not fit in one metadata value (then pedns does not adopt it)."""
    note = f"{record.ttl}|{','.join(record.ips)}"
    return note if len(note) <= MAX_VALUE else None


def adopted(record: RecordSet) -> tuple[int, tuple[str, ...]] | None:
    """(TTL, IPs) the record held before pedns adopted it; None when pedns did not adopt it."""
    note = _get(record.metadata, ADOPTED_KEY)
    if not note or "|" not in note:
        return None
    ttl, _, ips = note.partition("|")
    try:
        return int(ttl), tuple(ip for ip in ips.split(",") if ip)
    except ValueError:
        return None


def unstamped(metadata: dict[str, str]) -> dict[str, str]:
    """The metadata without any pedns key: what an adopted record had before pedns."""
    return {k: v for k, v in metadata.items() if not _ours(k)}


def stamp(
    owner_id: str,
    holder_id: ResourceId,
    all_claims: dict[ResourceId, Claim],
    *,
    keep: dict[str, str] | None = None,
    pin: Pin | None = None,
) -> dict[str, str]:
    """The metadata of a record set we write: others' keys in `keep` preserved (and the adoption
    note), ours rewritten; `pin` written when the name is pinned (none: no pin key)."""
    note = _get(keep or {}, ADOPTED_KEY)
    metadata = unstamped(keep or {})
    if note is not None:
        metadata[ADOPTED_KEY] = note
    metadata[OWNER_KEY] = owner_id
    metadata[HOLDER_KEY] = _compact(holder_id)
    for endpoint_id, claim in all_claims.items():
        metadata[claim_key(endpoint_id)] = claim.encode()
    if pin is not None:
        metadata[PIN_KEY] = pin.encode()
    return metadata
