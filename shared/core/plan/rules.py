"""The rules that decide a name, each on its own: they write as if every write were allowed (the
policy filters afterwards, `policy.apply_policy`), and `compose.decide` applies them in order."""

from __future__ import annotations

from collections.abc import Mapping

from .. import ownership
from ..model import RECORD_TYPES, DesiredRecord, RecordKey, RecordSet, RecordType, ResourceId, of_type
from ..ownership import Claim
from ..pins import Pin
from .decision import Decision, Outcome, Write
from .holders import is_handover
from .managed import ManagedSets
from .policy import Policy


def free_name(key: RecordKey, endpoint_id: ResourceId, desire: DesiredRecord | None, claim: Claim | None,
              policy: Policy) -> Decision:
    """A name nobody holds (no A, no AAAA) is created for the first endpoint that wants it, each type
    it has addresses of; withdrawing from it does nothing."""
    if desire is None or claim is None:
        return Decision(key, "absent")
    metadata = ownership.stamp(policy.owner_id, endpoint_id, {endpoint_id: claim})
    writes = tuple(Write(t, "create", RecordSet(key, desire.ips_of(t), policy.ttl, None, metadata, type=t), None)
                   for t in desire.types)
    return Decision(key, "held", writes, desire.ips, endpoint_id)


def foreign_name(key: RecordKey, endpoint_id: ResourceId, desire: DesiredRecord | None, sets: ManagedSets,
                 claims: Mapping[ResourceId, Claim]) -> Decision | None:
    """A name with a record set that is not ours (and not adopted), of either type, is foreign: pedns
    adds no claim there and writes no type beside it, whichever type the endpoint wanted. None when
    the rule does not apply: no such set, or the endpoint's claim is already on record sets pedns
    owns there (those claims are kept up, and let go, never touching the others)."""
    if not sets.foreign or sets.adopting:
        return None
    if sets.ours and (desire is None or endpoint_id in claims):
        return None
    return Decision(key, "foreign" if desire is not None else "absent", foreign=sets.foreign)


def withdraw(key: RecordKey, rtype: RecordType, current: RecordSet) -> Write:
    """A set pedns no longer serves: deleted, or an adopted record given back what it held, byte for byte."""
    before = ownership.adopted(current)
    if before is None:
        return Write(rtype, "delete", None, current.etag, current.ips)
    ttl, ips = before
    record = RecordSet(key, ips, ttl, current.etag, ownership.unstamped(current.metadata), type=rtype)
    return Write(rtype, "update", record, current.etag, current.ips)


def release(key: RecordKey, desire: DesiredRecord | None, sets: ManagedSets,
            dropped: tuple[ResourceId, ...]) -> Decision:
    """No claim remains: the record sets go (adopted ones back to what they were); the name is
    `released` for the endpoint that withdrew."""
    writes = tuple(withdraw(key, t, s) for t, s in sets.managed.items())
    restored = tuple(ip for w in writes if w.action == "update" and w.record is not None for ip in w.record.ips)
    return Decision(key, "released" if desire is None else "absent", writes, restored, None, dropped=dropped,
                    restored=bool(restored), foreign=sets.left_alone)


def await_holder(key: RecordKey, desire: DesiredRecord | None, holder: ResourceId, sets: ManagedSets) -> Decision:
    """A hand-over (fail-over, or a change of preference) to a claimant whose addresses are not known
    yet: nothing is written; the caller reads its desire (`needs`) and decides again."""
    return Decision(key, "released" if desire is None else "standby", needs=holder, foreign=sets.left_alone)


def write_type(key: RecordKey, rtype: RecordType, wanted: tuple[str, ...], holder: ResourceId, sets: ManagedSets,
               claims: dict[ResourceId, Claim], policy: Policy, pin: Pin | None = None) -> Write | None:
    """The write that makes one record type serve `wanted` for `holder`, stamped with every claim
    and the name's pin (None: nothing to change). A type the holder has no address of is withdrawn (the other stays),
    except a set this decision would adopt but not serve: that one is left as it is."""
    current = sets.managed.get(rtype)
    if not wanted:
        if current is None or (sets.adopting and current in sets.foreign):
            return None
        return withdraw(key, rtype, current)
    metadata = ownership.stamp(policy.owner_id, holder, claims, keep=sets.keep.get(rtype), pin=pin)
    record = RecordSet(key, wanted, policy.ttl, current.etag if current else None, metadata, type=rtype)
    if current is None:
        return Write(rtype, "create", record, None)
    if (wanted, policy.ttl, metadata) != (current.ips, current.ttl, current.metadata):
        return Write(rtype, "update", record, current.etag, current.ips)
    return None


def serve(key: RecordKey, endpoint_id: ResourceId, desire: DesiredRecord | None, sets: ManagedSets,
          claims: dict[ResourceId, Claim], holder: ResourceId, ips: tuple[str, ...], *,
          old_holder: ResourceId | None, dropped: tuple[ResourceId, ...], policy: Policy,
          pin: Pin | None = None) -> Decision:
    """Serve the holder and its standbys: the holder's IPv4 addresses in the A set, its IPv6 ones in
    the AAAA set, every claim and the name's pin in the stamp; the endpoint `held` it, stands by,
    or `released` it."""
    types = [t for t in RECORD_TYPES if t not in sets.blocked]
    writes = tuple(w for t in types
                   if (w := write_type(key, t, of_type(ips, t), holder, sets, claims, policy, pin)) is not None)
    if pin is not None:  # the set that stays carries the pin before the other goes: an interruption keeps it
        writes = tuple(sorted(writes, key=lambda w: w.action == "delete"))
    outcome: Outcome = "released" if desire is None else ("held" if holder == endpoint_id else "standby")
    after = tuple(ip for t in types for ip in of_type(ips, t))
    return Decision(key, outcome, writes, after, holder, dropped=dropped, adopted=sets.adopting,
                    foreign=sets.left_alone, handover=is_handover(old_holder, holder), pin=pin)
