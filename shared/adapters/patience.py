"""How long a request may wait, for a slot under a limit or for a 429's Retry-After, in this context.

A door that must not hold its worker (the Event Grid trigger) sets it around its handling
(`shared.wiring.patience`); the pacing policy (`_pipeline`) reads it and raises `WouldWait` (a `TransientError`)
instead of a longer wait. Threads an adapter starts for a call run in a copy of the caller's
context (`in_context`), so the patience reaches them too. No SDK here.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["PATIENCE", "in_context", "patience"]

#: Seconds a request may wait in this context (None: as long as it takes).
PATIENCE: contextvars.ContextVar[float | None] = contextvars.ContextVar("pedns_patience", default=None)


@contextlib.contextmanager
def patience(seconds: float | None) -> Iterator[None]:
    """Within the block, a request that would wait longer than `seconds` raises `WouldWait`."""
    token = PATIENCE.set(seconds)
    try:
        yield
    finally:
        PATIENCE.reset(token)


def in_context(call: Callable[..., Any]) -> Callable[..., Any]:
    """`call` bound to the current context, for pool threads to run (patience included): each run in
    its own copy, since one context cannot be entered by two threads at once."""
    context = contextvars.copy_context()
    return lambda *args, **kwargs: context.copy().run(call, *args, **kwargs)
