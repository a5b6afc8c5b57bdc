"""The pure diff: one record name, its current state, and one endpoint's claim → what to write.

A name is decided as a whole: its A and AAAA record sets carry the same stamp (one holder, one set
of claims), are created, updated, failed over and deleted together, each write guarded by its own
etag. The holder's IPv4 addresses go in the A set and its IPv6 ones in the AAAA set; a type the
holder has no address of is withdrawn (the other stays).

Rules, in order:

1. A name nobody holds (no A, no AAAA) is created for the first endpoint that wants it.
2. A record set that is not ours (no stamp, another owner id, auto-registered) is never changed.
   A name with such a set, of either type, is foreign: pedns adds no claim there and writes no
   type beside it, whichever type the endpoint wanted; it only keeps up (and withdraws) the claims
   already on record sets it owns there. Opt-in adoption takes over unstamped records in listed
   zones (only types the endpoint wants), keeping what they held (TTL and IPs in the stamp; their
   metadata stays), and gives it back when the last claim leaves; records stamped by another pedns
   deployment and auto-registered ones never.
3. On a shared name exactly one claim is served. By default the holder keeps the record. With
   preferred regions or virtual networks configured, a preferred claim displaces a holder that is
   not preferred. Among the others the order is: preferred first, then oldest claim, then endpoint
   id — deterministic, so every worker picks the same winner.
4. When the holder withdraws, the next claim in that order takes over with its own IPs (the
   caller reads that endpoint and passes its desire in `candidates`); the record sets are deleted
   only when no claim remains (and never with `upsert_only`, which leaves them as they are).
5. A pinned name (`pedns switch --to-region`, the pin in the record sets' metadata) is held by a
   claimant in the pin's region while there is one, whatever rule 3 prefers; with none there, rule
   3 decides and the pin stays until it is cleared (`--clear` also ranks the name afresh).

Where each part lives:

    decision.py   what a decision is: `Decision`, `Write`, `Action`, `Outcome`
    managed.py    which record sets at a name pedns manages (its own, adopted ones) and which it leaves alone
    claims.py     the claims on a name, and this endpoint's turn (claim, withdraw, drop the gone)
    holders.py    who holds a shared name: ranking, the choice, the hand-over; `holder_to_verify`
    pins.py       who holds a pinned name, and an operator's change of the pin (`Repin`)
    rules.py      the rules: a free name, a foreign name, a release, serving a holder and its standbys
    policy.py     `Policy`, and upsert-only as a filter applied to a decision afterwards
    compose.py    `decide`: the rules in order, then the policy
"""

from __future__ import annotations

from .claims import claim_for, merged_claims
from .compose import decide
from .decision import Action, Decision, Outcome, Write
from .holders import holder_to_verify
from .pins import Repin
from .policy import Policy

__all__ = ["Action", "Decision", "Outcome", "Policy", "Repin", "Write", "claim_for", "decide", "holder_to_verify",
           "merged_claims"]
