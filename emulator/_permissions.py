"""The caller's permissions, as far as the emulator checks them: every action is granted unless
denied here, and only the actions in `CHECKED_ACTIONS` can be denied (any other would be a setting
that silently does nothing). A denied action answers ARM's 403 `AuthorizationFailed`."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from ._http import ArmError

#: Listing every record type of a private DNS zone (`GET …/privateDnsZones/{zone}/ALL`,
#: RecordSets_List): the action a role that reads only some record types lacks.
LIST_ALL_RECORD_SETS = "Microsoft.Network/privateDnsZones/ALL/read"

#: Reading a DNS forwarding ruleset's rules: what an identity without the audit reader role lacks
#: (Resource Graph still lists the ruleset itself to any reader of the subscription).
READ_FORWARDING_RULES = "Microsoft.Network/dnsForwardingRulesets/forwardingRules/read"

#: The actions the emulator checks (case-insensitive, as ARM's actions are).
CHECKED_ACTIONS: tuple[str, ...] = (LIST_ALL_RECORD_SETS, READ_FORWARDING_RULES)

#: The emulator's one caller: any bearer token stands for it (its client and object id in a 403).
CALLER_ID = "00000000-0000-4000-8000-0000000000c0"


class Permissions:
    """The actions the caller is denied (none by default)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._denied: frozenset[str] = frozenset()

    @property
    def denied(self) -> list[str]:
        """The denied actions, spelled as `CHECKED_ACTIONS` spells them."""
        denied = self._denied
        return [a for a in CHECKED_ACTIONS if a.lower() in denied]

    def deny(self, actions: Iterable[str]) -> None:
        """Deny exactly these actions from now on (an empty list grants everything again). Raises
        ValueError for an action the emulator does not check, and leaves the denials as they were."""
        wanted = list(actions)
        checked = {a.lower() for a in CHECKED_ACTIONS}
        unknown = [a for a in wanted if not isinstance(a, str) or a.lower() not in checked]
        if unknown:
            raise ValueError(f"the emulator checks only {', '.join(CHECKED_ACTIONS)}; cannot deny {unknown}")
        with self._lock:
            self._denied = frozenset(a.lower() for a in wanted)

    def require(self, action: str, scope: str) -> None:
        """Raise ARM's 403 when `action` is denied over `scope` (a resource path)."""
        if action.lower() in self._denied:
            raise ArmError(
                403, "AuthorizationFailed",
                f"The client '{CALLER_ID}' with object id '{CALLER_ID}' does not have authorization to perform "
                f"action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, "
                "please refresh your credentials.")
