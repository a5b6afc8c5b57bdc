"""pedns's own exceptions. Adapters translate SDK errors into these (`raise … from exc`)."""

from __future__ import annotations


class PednsError(Exception):
    """Base class: every failure pedns reports on purpose."""


class ConfigError(PednsError):
    """Settings are missing or invalid. The message lists every problem at once."""


class InvalidInput(PednsError):
    """Input that pedns will not act on (malformed event, bad id, bad replay body). Never retried."""


class NotReady(PednsError):
    """The endpoint is still being provisioned; try again later (Event Grid redelivers)."""


class TransientError(PednsError):
    """ARM failed in a way that may pass (throttling, 5xx, timeouts) after the pipeline's own retries."""


class WouldWait(TransientError):
    """A limit (a slot, a 429's Retry-After) would make a request wait longer than its handling may:
    the event path's patience, the reconcile's budget. Nothing was sent."""


class PermanentError(PednsError):
    """ARM refused in a way that will not pass by retrying (403, 400)."""


class Conflict(PednsError):
    """An etag precondition failed: someone else wrote first. The caller re-reads and recomputes."""


class NotFound(PednsError):
    """The resource does not exist."""


class OutOfScope(InvalidInput):
    """An endpoint or event from a subscription pedns does not serve (already logged and counted)."""
