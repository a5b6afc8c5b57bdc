"""Which subscriptions pedns serves: the listed ones, and every one under the listed management
groups at any depth (including subscriptions placed there after pedns started).

The event path asks `contains()` for every event, so the management groups' members are cached
and refreshed every `refresh_seconds`; a subscription not in the cache triggers one early refresh
(at most once a minute), so a new spoke is accepted within a minute of its first event instead of
waiting for the next scheduled refresh.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence

from ..errors import PednsError, TransientError
from ..core.model import Scope

log = logging.getLogger("pedns.scope")

#: The least time between two refreshes triggered by an unknown subscription.
EARLY_REFRESH_SECONDS = 60.0


class SourceScope:
    def __init__(
        self,
        subscriptions: Iterable[str] = (),
        management_groups: Sequence[str] = (),
        *,
        resolve: Callable[[Sequence[str]], set[str]] | None = None,
        refresh_seconds: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.subscriptions = frozenset(s.lower() for s in subscriptions)
        self.management_groups = tuple(management_groups)
        if self.management_groups and resolve is None:
            raise ValueError("management groups in scope need a resolver (the estate reader)")
        self._resolve = resolve
        self._refresh_seconds = refresh_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._members: frozenset[str] | None = None
        self._fetched = float("-inf")

    @property
    def everything(self) -> bool:
        """Nothing configured: every subscription is accepted."""
        return not self.subscriptions and not self.management_groups

    @property
    def query(self) -> Scope:
        return Scope(self.subscriptions, self.management_groups)

    def describe(self) -> str:
        parts = []
        if self.subscriptions:
            parts.append(f"{len(self.subscriptions)} subscription(s)")
        if self.management_groups:
            parts.append("management group(s) " + ", ".join(self.management_groups))
        return " and ".join(parts) or "every subscription"

    def contains(self, subscription_id: str) -> bool:
        sub = subscription_id.lower()
        if self.everything or sub in self.subscriptions:
            return True
        if not self.management_groups:
            return False
        members = self._current(force_if_older_than=None)
        if sub in members:
            return True
        members = self._current(force_if_older_than=EARLY_REFRESH_SECONDS)
        return sub in members

    def members(self) -> frozenset[str]:
        """Every subscription in scope that is known by id: the listed ones and the groups' members."""
        if not self.management_groups:
            return self.subscriptions
        return self.subscriptions | self._current(force_if_older_than=None)

    def _current(self, *, force_if_older_than: float | None) -> frozenset[str]:
        assert self._resolve is not None
        with self._lock:
            age = self._clock() - self._fetched
            stale = age >= self._refresh_seconds or self._members is None
            if force_if_older_than is not None and age >= force_if_older_than:
                stale = True
            if not stale:
                assert self._members is not None
                return self._members
            try:
                members = frozenset(s.lower() for s in self._resolve(self.management_groups))
            except PednsError as exc:
                if self._members is None:
                    raise TransientError(f"cannot list the subscriptions of management group(s) "
                                         f"{', '.join(self.management_groups)}: {exc}") from exc
                log.warning("keeping the cached scope (%d subscriptions): %s", len(self._members), exc)
                self._fetched = self._clock()  # do not hammer a failing service on every event
                return self._members
            if self._members is not None and members != self._members:
                log.info("scope: %d subscription(s) under %s (was %d)", len(members),
                         ", ".join(self.management_groups), len(self._members))
            self._members, self._fetched = members, self._clock()
            return members
