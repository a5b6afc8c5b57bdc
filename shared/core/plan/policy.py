"""The deployment's choices for every name (owner id, TTL, adoption, preferences), and the one that
filters a decision afterwards: upsert-only (as external-dns keeps `plan/policy.go` apart from its plan).

The rules decide as if every write were allowed; `apply_policy` then takes out what the policy
forbids. Upsert-only forbids deletes and nothing else: the decision keeps its outcome, holder and
addresses (a name whose last claim leaves is still `released`; its record sets just stay as they are),
and an adopted record still gets back what it held (an update, not a delete).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .decision import Decision


@dataclass(frozen=True, slots=True)
class Policy:
    owner_id: str = "pedns"
    ttl: int = 10
    adopt_zones: frozenset[str] = frozenset()
    prefer_regions: frozenset[str] = frozenset()
    prefer_vnet_hashes: frozenset[str] = frozenset()
    upsert_only: bool = False  # never delete a record set (a cautious rollout): the last claim leaves it be


def upsert_only(decision: Decision) -> Decision:
    """Never delete a record set: the decision without its delete writes, everything else unchanged."""
    if not any(w.action == "delete" for w in decision.writes):
        return decision
    return replace(decision, writes=tuple(w for w in decision.writes if w.action != "delete"))


def apply_policy(decision: Decision, policy: Policy) -> Decision:
    """The decision as the policy lets it be written."""
    return upsert_only(decision) if policy.upsert_only else decision
